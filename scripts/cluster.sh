#!/usr/bin/env bash
# A local three-node Blixard cluster from the built jar, as processes on 127.0.0.1.
#
#   scripts/cluster.sh up       start the nodes and wait until all three report the same leader
#                               and voters over gRPC and over QUIC, print their addresses. A new
#                               cluster: node 1 bootstraps, nodes 2 and 3 join it. After `down`,
#                               or with nodes lost: every stopped node that has Raft state starts
#                               at once (one alone could never elect), a node without state joins
#                               the others; progress lines while the nodes elect
#   scripts/cluster.sh up --raft-quic
#                               a new cluster in dual mode with Raft over QUIC (raft-transport
#                               always-quic): each node's Raft address is its QUIC address, no Raft
#                               TCP port; the cluster a move to quic mode starts from
#   scripts/cluster.sh up --quic
#                               a new cluster in quic mode: no gRPC and no Raft TCP port, only QUIC
#                               (UDP) and HTTP; nodes join through NODEID@127.0.0.1:QUIC and are
#                               asked over QUIC. A cluster keeps the mode it was made in (`up`
#                               again needs no flag); another one needs `down --purge` first
#   scripts/cluster.sh status   each node's process, Raft role and view of the cluster
#   scripts/cluster.sh down     stop the nodes (data is kept: `up` again brings the same cluster
#                               back); `down --purge` also deletes the data
#
# Environment:
#   BLIXARD_CLUSTER_BASE_PORT   first port of node 1 (default 7000): node i (1..3) listens on Raft
#                               BASE+10(i-1), gRPC BASE+10(i-1)+1 and QUIC BASE+10(i-1)+2/udp
#                               (7000, 7001, 7002/udp; 7010, 7011, 7012/udp; ...)
#   BLIXARD_CLUSTER_HTTP_PORT   HTTP (Actuator) port of node 1 (default 8080); node i: +(i-1)
#   BLIXARD_CLUSTER_DIR         data, logs and pid files (default ./.cluster)
#   BLIXARD_CLUSTER_WAIT        seconds `up` waits for the nodes to agree (default 300)
#   BLIXARD_JAR, JAVA, JAVA_OPTS  the jar (target/blixard.jar), the java command, its options
#                               (-Xmx256m -XX:+UseSerialGC)
# A cluster keeps the ports it was made with: its members know each other by them.
# Build the jar first: ./mvnw -B package -DskipTests
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="${BLIXARD_JAR:-$ROOT/target/blixard.jar}"
RUN_DIR="${BLIXARD_CLUSTER_DIR:-$ROOT/.cluster}"
JAVA="${JAVA:-java}"
JAVA_OPTS="${JAVA_OPTS:--Xmx256m -XX:+UseSerialGC}"
WAIT_SECONDS="${BLIXARD_CLUSTER_WAIT:-300}"
BASE_PORT="${BLIXARD_CLUSTER_BASE_PORT:-7000}"
HTTP_PORT="${BLIXARD_CLUSTER_HTTP_PORT:-8080}"
NODES=(1 2 3)

raft_port() { echo $((BASE_PORT + 10 * ($1 - 1))); }
grpc_port() { echo $((BASE_PORT + 10 * ($1 - 1) + 1)); }
quic_port() { echo $((BASE_PORT + 10 * ($1 - 1) + 2)); }
http_port() { echo $((HTTP_PORT + $1 - 1)); }
node_dir() { echo "$RUN_DIR/node$1"; }

die() {
  echo "cluster.sh: $*" >&2
  exit 1
}

# The header above, after a usage line: on stdout for help (exit 0), on stderr otherwise (exit 2).
usage() {
  local code=$1
  {
    echo "usage: scripts/cluster.sh up [--raft-quic | --quic] | status | down [--purge]"
    echo
    sed -n '2,/^# Build the jar/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
  } >&$((code == 0 ? 1 : 2))
  exit "$code"
}

# A port setting: a number, with room for the ports of every node below 65536.
require_port() {
  local name=$1 value=$2 last=$3
  [[ "$value" =~ ^[0-9]+$ ]] && ((value >= 1 && value <= 65535 - last)) ||
    die "$name: \"$value\" (expected: a port from 1 to $((65535 - last)))"
}
require_port BLIXARD_CLUSTER_BASE_PORT "$BASE_PORT" 22
require_port BLIXARD_CLUSTER_HTTP_PORT "$HTTP_PORT" 2

# The mode the cluster in $RUN_DIR was made in: dual (Raft on its TCP port), raft-quic (dual, Raft
# over QUIC) or quic; "" when there is no cluster yet.
MODE_FILE="$RUN_DIR/mode"
recorded_mode() {
  [[ -s "$MODE_FILE" ]] && cat "$MODE_FILE" || true
}
MODE="$(recorded_mode)"
MODE="${MODE:-dual}"

# The node id of node $1: the SHA-256 of its certificate's public key (SubjectPublicKeyInfo, DER),
# lowercase base32 without padding, as the node computes it. Empty until the node has made its key.
node_id() {
  local crt
  crt="$(node_dir "$1")/data/identity/node.crt"
  [[ -s "$crt" ]] || return 0
  openssl x509 -in "$crt" -pubkey -noout | openssl pkey -pubin -outform DER |
    openssl dgst -sha256 -binary | base32 -w0 | tr -d '=' | tr 'A-Z' 'a-z'
}

# Waits until node $1 has made its identity (its first seconds), and prints its node id.
await_node_id() {
  local id deadline=$((SECONDS + WAIT_SECONDS))
  until id="$(node_id "$1")" && [[ -n "$id" ]]; do
    running "$1" || die "node $1 stopped; see $(node_dir "$1")/node.log"
    ((SECONDS < deadline)) || die "node $1 made no identity after ${WAIT_SECONDS}s; see $(node_dir "$1")/node.log"
    sleep 0.5
  done
  echo "$id"
}

# How the command line reaches node $1: its gRPC address, or in quic mode NODEID@host:quicPort.
node_target() {
  if [[ "$MODE" == quic ]]; then
    echo "$(node_id "$1")@127.0.0.1:$(quic_port "$1")"
  else
    echo "127.0.0.1:$(grpc_port "$1")"
  fi
}

pid_of() {
  local file
  file="$(node_dir "$1")/pid"
  [[ -f "$file" ]] && cat "$file"
}

running() {
  local pid
  pid="$(pid_of "$1" || true)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

cli() {
  # shellcheck disable=SC2086
  "$JAVA" $JAVA_OPTS -jar "$JAR" "$@"
}

# "LEADER VOTERS" as node $1 reports them over transport $2 (grpc by default; "- 0" when it cannot
# be asked or knows no leader).
view_of() {
  local json leader voters
  json="$(cli status --node "$(node_target "$1")" --transport "${2:-grpc}" --timeout 5s \
    --json 2>/dev/null || true)"
  leader="$(sed -n 's/.*"leaderId" *: *"\([a-z2-7]*\)".*/\1/p' <<<"$json" | head -n 1)"
  voters="$(grep -c '"voter" *: *true' <<<"$json" || true)"
  echo "${leader:--} ${voters:-0}"
}

# The cluster's pre-shared join token, made once per cluster directory (never committed: it lives
# under $RUN_DIR, readable by this user only).
join_token() {
  local file="$RUN_DIR/join-token"
  if [[ ! -s "$file" ]]; then
    mkdir -p "$RUN_DIR"
    (umask 077 && printf 'local%s.%s\n' "$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')" \
      "$(od -An -N20 -tx1 /dev/urandom | tr -d ' \n')" >"$file")
  fi
  cat "$file"
}

# Whether node $1 has Raft state: it was a member and recovers its group instead of joining one.
has_state() {
  local raft
  raft="$(node_dir "$1")/data/raft"
  [[ -d "$raft" && -n "$(ls -A "$raft" 2>/dev/null)" ]]
}

# The addresses of every node but $1 that has an identity, comma-separated: whom a node without
# state joins (gRPC addresses; NODEID@host:quicPort in quic mode).
members_but() {
  local i list=()
  for i in "${NODES[@]}"; do
    [[ "$i" == "$1" ]] && continue
    if [[ "$MODE" == quic ]]; then
      [[ -n "$(node_id "$i")" ]] && list+=("$(node_target "$i")")
    else
      list+=("127.0.0.1:$(grpc_port "$i")")
    fi
  done
  (
    IFS=,
    echo "${list[*]}"
  )
}

# start_node I bootstrap|join|recover
start_node() {
  local i=$1 dir args
  dir="$(node_dir "$i")"
  mkdir -p "$dir/data"
  if running "$i"; then
    echo "node $i is already running (pid $(pid_of "$i"))"
    return
  fi
  args=(
    "--blixard.node.data-dir=$dir/data"
    "--blixard.node.advertise-host=127.0.0.1"
    "--blixard.cluster.raft.port=$(raft_port "$i")"
    "--blixard.transport.grpc.port=$(grpc_port "$i")"
    "--blixard.transport.quic.port=$(quic_port "$i")"
    "--server.port=$(http_port "$i")"
  )
  case "$MODE" in
    raft-quic) args+=("--blixard.transport.mode=dual" "--blixard.transport.strategy.raft-transport=always-quic") ;;
    quic) args+=("--blixard.transport.mode=quic" "--blixard.transport.strategy.raft-transport=always-quic") ;;
  esac
  case "$2" in
    bootstrap)
      # The cluster's join token: created with node 1's group, presented by nodes 2 and 3. Node 1
      # also makes the operator identity of the user running this script an operator (the default
      # blixard.security.local-operator), so `blixard` works against the cluster with no flag.
      args+=("--blixard.security.bootstrap-token=$(join_token)")
      ;;
    join)
      # Any member will do: the node tries each in turn until one admits it.
      args+=("--blixard.cluster.join=$(members_but "$i")" "--blixard.cluster.join-token=$(join_token)")
      ;;
    recover) ;; # the node's Raft state names its group and members
  esac
  # shellcheck disable=SC2086
  nohup "$JAVA" $JAVA_OPTS -jar "$JAR" "${args[@]}" >"$dir/node.log" 2>&1 &
  echo $! >"$dir/pid"
  echo "node $i starting (pid $!, log $dir/node.log)"
}

# The transport the nodes are first asked over: gRPC, but in quic mode, which serves none.
first_transport() {
  [[ "$MODE" == quic ]] && echo quic || echo grpc
}

await_leader() {
  local i=$1 deadline=$((SECONDS + WAIT_SECONDS))
  until [[ "$(view_of "$i" "$(first_transport)")" != "- "* ]]; do
    running "$i" || die "node $i stopped; see $(node_dir "$i")/node.log"
    ((SECONDS < deadline)) || die "node $i knows no leader after ${WAIT_SECONDS}s; see $(node_dir "$i")/node.log"
    sleep 1
  done
}

await_agreement() {
  local deadline=$((SECONDS + WAIT_SECONDS)) started=$SECONDS next_report=$((SECONDS + 5))
  local leaders voters i view
  while true; do
    leaders=()
    voters=()
    for i in "${NODES[@]}"; do
      running "$i" || die "node $i stopped; see $(node_dir "$i")/node.log"
      view="$(view_of "$i" "$(first_transport)")"
      leaders+=("${view% *}")
      voters+=("${view#* }")
    done
    if [[ "${leaders[0]}" != "-" && "${leaders[0]}" == "${leaders[1]}" && "${leaders[1]}" == "${leaders[2]}" &&
      "${voters[*]}" == "3 3 3" ]]; then
      # The same answer over QUIC from every node.
      for i in "${NODES[@]}"; do
        view="$(view_of "$i" quic)"
        leaders+=("${view% *}")
        voters+=("${view#* }")
      done
      if [[ "${leaders[*]:3}" == "${leaders[0]} ${leaders[0]} ${leaders[0]}" && "${voters[*]:3}" == "3 3 3" ]]; then
        AGREED_LEADER="${leaders[0]}"
        return
      fi
    fi
    ((SECONDS < deadline)) || die "the nodes do not agree after ${WAIT_SECONDS}s: leaders ${leaders[*]:-none}, voters ${voters[*]}"
    if ((SECONDS >= next_report)); then
      echo "waiting for the nodes to agree ($((SECONDS - started))s): $(describe_views leaders voters)"
      next_report=$((SECONDS + 5))
    fi
    sleep 1
  done
}

# "node 1 leader X (3 voters), ..." from the arrays named $1 (leaders) and $2 (voters).
describe_views() {
  local -n ls=$1 vs=$2
  local i out=()
  for i in "${!NODES[@]}"; do
    [[ $i -lt ${#ls[@]} ]] || break
    if [[ "${ls[$i]}" == "-" ]]; then
      out+=("node ${NODES[$i]} knows no leader")
    else
      out+=("node ${NODES[$i]} leader ${ls[$i]:0:8} (${vs[$i]} voters)")
    fi
  done
  (
    IFS=,
    echo "${out[*]}" | sed 's/,/, /g'
  )
}

print_nodes() {
  local i pid raft grpc
  printf '%-5s %-8s %-20s %-16s %-20s %-16s %s\n' NODE PID RAFT GRPC QUIC HTTP DATA
  for i in "${NODES[@]}"; do
    pid="$(pid_of "$i" || true)"
    running "$i" || pid="stopped"
    # With Raft over QUIC the Raft address is the QUIC address; quic mode has no gRPC port.
    raft="127.0.0.1:$(raft_port "$i")"
    grpc="127.0.0.1:$(grpc_port "$i")"
    [[ "$MODE" == dual ]] || raft="127.0.0.1:$(quic_port "$i")/udp"
    [[ "$MODE" == quic ]] && grpc="-"
    printf '%-5s %-8s %-20s %-16s %-20s %-16s %s\n' "$i" "$pid" "$raft" "$grpc" \
      "127.0.0.1:$(quic_port "$i")/udp" "127.0.0.1:$(http_port "$i")" "$(node_dir "$i")/data"
  done
}

# Takes the mode `up` was asked for ($1: "", --raft-quic or --quic) against the recorded one.
choose_mode() {
  local wanted recorded
  case "${1:-}" in
    "") wanted="" ;;
    --raft-quic) wanted=raft-quic ;;
    --quic) wanted=quic ;;
    *) usage 2 ;;
  esac
  recorded="$(recorded_mode)"
  if [[ -n "$recorded" ]]; then
    if [[ -n "$wanted" && "$wanted" != "$recorded" ]]; then
      local flag=""
      [[ "$recorded" == dual ]] || flag=" --$recorded"
      die "the cluster in $RUN_DIR was made in $recorded mode and its members know each other by those addresses (expected: up$flag, or down --purge first for a $wanted cluster)"
    fi
    MODE="$recorded"
  else
    MODE="${wanted:-dual}"
  fi
}

up() {
  [[ -f "$JAR" ]] || die "$JAR not found (build it: ./mvnw -B package -DskipTests)"
  choose_mode "${1:-}"
  mkdir -p "$RUN_DIR"
  echo "$MODE" >"$MODE_FILE"
  local i members=()
  for i in "${NODES[@]}"; do
    if has_state "$i"; then members+=("$i"); fi
  done
  if ((${#members[@]} == 0)); then
    start_node 1 bootstrap
    [[ "$MODE" == quic ]] && await_node_id 1 >/dev/null
    await_leader 1
    start_node 2 join
    start_node 3 join
    if [[ "$MODE" == quic ]]; then
      await_node_id 2 >/dev/null
      await_node_id 3 >/dev/null
    fi
  else
    # A restart, whole or partial: the members come back together, since a Raft group elects only
    # with a majority of its voters running. A node whose data is gone joins them as a new node.
    echo "nodes with Raft state: ${members[*]}"
    for i in "${members[@]}"; do start_node "$i" recover; done
    if [[ "$MODE" == quic ]]; then
      for i in "${NODES[@]}"; do await_node_id "$i" >/dev/null; done
    fi
    for i in "${NODES[@]}"; do
      if ! has_state "$i"; then start_node "$i" join; fi
    done
  fi
  await_agreement
  echo
  if [[ "$MODE" == quic ]]; then
    echo "3 nodes agree over QUIC (quic mode, no gRPC): leader $AGREED_LEADER"
  else
    echo "3 nodes agree over gRPC and QUIC: leader $AGREED_LEADER"
  fi
  echo
  print_nodes
  echo
  echo "Ask any node: java -jar $JAR status --node $(node_target 2)"
}

status() {
  local i
  print_nodes
  for i in "${NODES[@]}"; do
    echo
    if running "$i"; then
      echo "== node $i ($(node_target "$i"))"
      cli status --node "$(node_target "$i")" --timeout 5s || true
    else
      echo "== node $i: not running"
    fi
  done
}

down() {
  local i pid deadline
  for i in "${NODES[@]}"; do
    if running "$i"; then
      pid="$(pid_of "$i")"
      kill "$pid"
      deadline=$((SECONDS + 20))
      while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
      if kill -0 "$pid" 2>/dev/null; then
        kill -9 "$pid"
        echo "node $i (pid $pid) did not stop within 20s: killed"
      else
        echo "node $i (pid $pid) stopped"
      fi
    else
      echo "node $i is not running"
    fi
    rm -f "$(node_dir "$i")/pid"
  done
  if [[ "${1:-}" == "--purge" ]]; then
    rm -rf "$RUN_DIR"
    echo "removed $RUN_DIR"
  fi
}

case "${1:-}" in
  up) up "${2:-}" ;;
  down) down "${2:-}" ;;
  status) status ;;
  -h | --help | help) usage 0 ;;
  *) usage 2 ;;
esac
