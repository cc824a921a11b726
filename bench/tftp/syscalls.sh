#!/usr/bin/env bash
# Noise-free evidence for the TFTP send path (not a test): the syscalls `nodefoundry serve` makes, and the CPU it
# spends, for one 33 MiB fetch at blksize 1432, lock-step and windowsize 8, over a veth between two namespaces this
# script creates (nfsys-s 192.0.2.1, nfsys-c 192.0.2.2; deleted on exit; only its own PIDs are stopped).
# The client is bench/tftp/tftp_fetch.py (python, so the client's cost is not .NET's). Needs root, strace, a Release
# build of the host (dotnet build src/NodeFoundry.Host -c Release). Usage: bench/tftp/syscalls.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces)" >&2; exit 2; }
HOST=${HOST:-$(ls src/NodeFoundry.Host/bin/Release/*/nodefoundry.dll | head -n 1)}
OUT=${1:-$(mktemp -d /tmp/nfsys.XXXXXX)}
CPU_RUNS=${CPU_RUNS:-3}
mkdir -p "$OUT/tftp"
NS_S=nfsys-s; NS_C=nfsys-c
PIDS=()
cleanup() {
  local p i
  for p in "${PIDS[@]}"; do
    # a traced server is strace's child: stop it too
    for c in $(pgrep -P "$p" || true); do kill -TERM "$c" 2>/dev/null || true; done
    kill -TERM "$p" 2>/dev/null || true
    for i in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  ip netns del "$NS_C" 2>/dev/null || true
  ip netns del "$NS_S" 2>/dev/null || true
}
trap cleanup EXIT
for ns in "$NS_S" "$NS_C"; do ip netns del "$ns" 2>/dev/null || true; ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip link add nfsys-s netns "$NS_S" type veth peer name nfsys-c netns "$NS_C"
ip -n "$NS_S" addr add 192.0.2.1/24 dev nfsys-s; ip -n "$NS_S" link set nfsys-s up
ip -n "$NS_C" addr add 192.0.2.2/24 dev nfsys-c; ip -n "$NS_C" link set nfsys-c up
[ -f "$OUT/tftp/big.img" ] || head -c $(((33 << 20) + 777)) /dev/urandom >"$OUT/tftp/big.img"
cat >"$OUT/fleet.yaml" <<YAML
version: 1
server:
  address: 192.0.2.1
  interface: nfsys-s
  tftpRoot: tftp
  httpRoot: tftp
  stateDirectory: state
dhcp:
  mode: authoritative
  port: 10067
  scopes:
    - name: bench
      subnet: 192.0.2.0/24
      range: { start: 192.0.2.10, end: 192.0.2.250 }
      leaseTime: 12h
boot:
  loaders: { bios: undionly.kpxe }
  ipxeScriptUrl: "http://192.0.2.1/boot.ipxe"
YAML

# start_serve PREFIX... -> SERVE_PID (waits, bounded, for "nodefoundry: serving")
start_serve() {
  : >"$OUT/serve.log"
  ip netns exec "$NS_S" "$@" dotnet "$HOST" serve --config "$OUT/fleet.yaml" --no-http --no-journal --port 10067 >"$OUT/serve.log" 2>&1 &
  SERVE_PID=$!
  PIDS+=("$SERVE_PID")
  for _ in $(seq 1 300); do grep -q "nodefoundry: serving" "$OUT/serve.log" && return 0; sleep 0.1; done
  cat "$OUT/serve.log" >&2; echo "serve did not start" >&2; exit 1
}
stop_serve() {
  local child
  # under strace, stop the traced dotnet (strace then writes its summary and exits)
  for child in $(pgrep -P "$SERVE_PID" || true); do kill -TERM "$child" 2>/dev/null || true; done
  kill -0 "$SERVE_PID" 2>/dev/null && [ -z "$(pgrep -P "$SERVE_PID" || true)" ] && kill -TERM "$SERVE_PID" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.1; done
  wait "$SERVE_PID" 2>/dev/null || true
}
fetch() { ip netns exec "$NS_C" timeout 120 python3 bench/tftp/tftp_fetch.py 192.0.2.1 69 big.img 1432 "$1"; }
# CPU ticks (utime + stime, 1/100 s) of every thread of PID
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

for window in 1 8; do
  echo "== windowsize $window: syscalls (strace -f -c) of serve for one fetch"
  start_serve strace -f -c --seccomp-bpf -e trace=sendto,sendmsg,pread64,read,recvfrom,recvmsg,futex,epoll_wait,epoll_pwait,sched_yield,setsockopt -o "$OUT/strace-w$window.txt"
  fetch "$window"
  stop_serve
  cat "$OUT/strace-w$window.txt"
done
for window in 1 8; do
  echo "== windowsize $window: server CPU per fetch, $CPU_RUNS fetches, no strace"
  start_serve
  fetch "$window" >/dev/null   # warm-up (JIT)
  for _ in $(seq 1 "$CPU_RUNS"); do
    # the dotnet process is the child of `ip netns exec`
    pid=$(pgrep -P "$SERVE_PID" -f nodefoundry.dll || echo "$SERVE_PID")
    before=$(ticks "$pid"); line=$(fetch "$window"); after=$(ticks "$pid")
    echo "   $line; server CPU $(( (after - before) * 10 )) ms"
  done
  stop_serve
done
echo "raw: $OUT"
