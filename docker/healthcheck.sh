#!/bin/bash
# Exits 0 when the node's Actuator answers HTTP 200 on the given path (default: the liveness
# group). Uses only bash's /dev/tcp, so the image needs no curl or wget.
#
# Usage: healthcheck.sh [path]   (port from SERVER_PORT, as Spring Boot reads it; default 8080)
set -u

path="${1:-/actuator/health/liveness}"
port="${SERVER_PORT:-8080}"

exec 3<>"/dev/tcp/127.0.0.1/${port}" || exit 1
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&3
IFS= read -r -t 5 status <&3 || exit 1
exec 3<&-
case "$status" in
  "HTTP/1."?" 200"*) exit 0 ;;
  *) echo "healthcheck: GET $path on port $port answered: ${status%$'\r'}" >&2; exit 1 ;;
esac
