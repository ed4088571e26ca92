{{/* The chart's name, shortened to the 63 characters of a DNS label. */}}
{{- define "blixard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name: the prefix of every object and of the pods' host names. */}}
{{- define "blixard.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Chart name and version, for the helm.sh/chart label. */}}
{{- define "blixard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The headless Service through which nodes find each other (stable DNS name per pod). */}}
{{- define "blixard.peersServiceName" -}}
{{- printf "%s-peers" (include "blixard.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* DNS suffix of every pod: <pod>.<this> is a pod's address. */}}
{{- define "blixard.peersDomain" -}}
{{- printf "%s.%s.svc.%s" (include "blixard.peersServiceName" .) .Release.Namespace .Values.clusterDomain }}
{{- end }}

{{/* "true" when the nodes run in quic mode (config.blixard.transport.mode quic): no TCP port but HTTP. */}}
{{- define "blixard.quicMode" -}}
{{- if eq (dig "blixard" "transport" "mode" "dual" .Values.config | toString) "quic" }}true{{ end }}
{{- end }}

{{/* Pod 0's node id, required in quic mode: a quic-mode node joins through NODEID@host:quicPort. */}}
{{- define "blixard.seedNodeId" -}}
{{- if not .Values.quicMode.seedNodeId }}
{{- fail "config.blixard.transport.mode=quic: pods join pod 0 through NODEID@host:quicPort, so quicMode.seedNodeId must be pod 0's node id (expected: the LEADER or pod 0's id from `blixard status`; install or run the release in dual mode with raft-transport always-quic first, docs/deployment.md)" }}
{{- end }}
{{- .Values.quicMode.seedNodeId }}
{{- end }}

{{/* The member every pod but the first one joins: pod 0's gRPC address, or in quic mode NODEID@its QUIC address. */}}
{{- define "blixard.seed" -}}
{{- if include "blixard.quicMode" . }}
{{- printf "%s@%s-0.%s:%v" (include "blixard.seedNodeId" .) (include "blixard.fullname" .) (include "blixard.peersDomain" .) .Values.ports.quic }}
{{- else }}
{{- printf "%s-0.%s:%v" (include "blixard.fullname" .) (include "blixard.peersDomain" .) .Values.ports.grpc }}
{{- end }}
{{- end }}

{{/* Every pod's host:grpcPort, comma-separated: whom pod 0 joins when it may not bootstrap. */}}
{{- define "blixard.members" -}}
{{- if not (include "blixard.quicMode" .) }}
{{- $members := list }}
{{- range $i := until (int .Values.replicaCount) }}
{{- $members = append $members (printf "%s-%d.%s:%v" (include "blixard.fullname" $) $i (include "blixard.peersDomain" $) $.Values.ports.grpc) }}
{{- end }}
{{- join "," $members }}
{{- end }}
{{- end }}

{{/* blixard.cluster.bootstrap of pod 0: the value, or new on install and never afterwards. */}}
{{- define "blixard.bootstrap" -}}
{{- .Values.bootstrap | default (ternary "new" "never" .Release.IsInstall) }}
{{- end }}

{{- define "blixard.labels" -}}
helm.sh/chart: {{ include "blixard.chart" . }}
{{ include "blixard.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "blixard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "blixard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The node's Spring profile: the values' config with the ports and the data directory the chart's
Services, probes and volume use, so they cannot disagree.
*/}}
{{- define "blixard.applicationProfile" -}}
{{- $fixed := dict
  "blixard" (dict
    "node" (dict "data-dir" .Values.persistence.mountPath)
    "cluster" (dict "raft" (dict "port" .Values.ports.raft))
    "transport" (dict
      "grpc" (dict "port" .Values.ports.grpc)
      "quic" (dict "port" .Values.ports.quic)))
  "server" (dict "port" .Values.ports.http) }}
{{- if include "blixard.quicMode" . }}
{{- /* Quic mode has no gRPC listener for Raft: Raft runs over QUIC, as the node requires. */}}
{{- $_ := set $fixed.blixard.transport "strategy" (dict "raft-transport" "always-quic") }}
{{- end }}
{{- toYaml (mergeOverwrite (deepCopy .Values.config) $fixed) }}
{{- end }}

{{/* The label ("<fullname>-client") that lets a pod of the namespace reach gRPC and QUIC. */}}
{{- define "blixard.clientLabel" -}}
{{- printf "%s-client" (include "blixard.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
