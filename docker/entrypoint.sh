#!/bin/sh
# Starts a Blixard node, or runs the blixard command line when the first argument is a command
# (for example: docker run --rm blixard health --node node1:7001).
#
# Environment:
#   JAVA_OPTS               JVM options, split on spaces (e.g. "-XX:MaxRAMPercentage=75").
#   SPRING_PROFILES_ACTIVE  Spring profiles; "cluster" unless set (data dir and advertised host
#                           from BLIXARD_DATA_DIR and BLIXARD_ADVERTISE_HOST).
#   BLIXARD_JAR             The node's jar; /opt/blixard/blixard.jar in the image, with its
#                           libraries in /opt/blixard/lib (the jar's layers, extracted).
#   BLIXARD_SEED            In a StatefulSet: the member (host:grpcPort) that every pod but the
#                           first one (ordinal 0, which bootstraps the cluster) joins. Ignored when
#                           BLIXARD_CLUSTER_JOIN is set.
#   BLIXARD_MEMBERS         In a StatefulSet: every pod's host:grpcPort, comma-separated. With
#                           BLIXARD_CLUSTER_BOOTSTRAP=never, the first pod joins the others instead
#                           of bootstrapping when it has no data (a lost volume).
#   BLIXARD_CLUSTER_BOOTSTRAP  new: the first pod bootstraps a new cluster; never: no pod does.
#                           Only the first pod may bootstrap: the others are told never.
set -eu

BLIXARD_JAR="${BLIXARD_JAR:-/opt/blixard/blixard.jar}"
if [ ! -r "$BLIXARD_JAR" ]; then
  echo "entrypoint: cannot read the node's jar at $BLIXARD_JAR (expected: a readable file; set BLIXARD_JAR)" >&2
  exit 64
fi

export SPRING_PROFILES_ACTIVE="${SPRING_PROFILES_ACTIVE:-cluster}"

if [ -z "${BLIXARD_CLUSTER_JOIN:-}" ] && [ -n "${BLIXARD_SEED:-}" ]; then
  case "${HOSTNAME:-}" in
    *-0)
      if [ "${BLIXARD_CLUSTER_BOOTSTRAP:-}" = never ] && [ -n "${BLIXARD_MEMBERS:-}" ]; then
        # The cluster exists: a first pod without data joins the other pods as a new member.
        others=""
        for member in $(echo "$BLIXARD_MEMBERS" | tr ',' ' '); do
          case "$member" in
            "$HOSTNAME".*) ;;
            *) others="${others:+$others,}$member" ;;
          esac
        done
        export BLIXARD_CLUSTER_JOIN="$others"
      fi
      ;; # otherwise the StatefulSet's first pod bootstraps the cluster
    *)
      export BLIXARD_CLUSTER_JOIN="$BLIXARD_SEED"
      if [ -n "${BLIXARD_CLUSTER_BOOTSTRAP:-}" ]; then
        export BLIXARD_CLUSTER_BOOTSTRAP=never
      fi
      ;;
  esac
fi

# JAVA_OPTS is split on purpose: it holds several options.
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} -jar "$BLIXARD_JAR" "$@"
