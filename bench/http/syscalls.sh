#!/usr/bin/env bash
# Noise-free evidence for the HTTP send path (not a test): the syscalls nginx and `nodefoundry serve` make for the
# same downloads (COPIES x 64 MiB over one keep-alive connection, then SMALL x the 5-line script over one connection),
# counted with strace -f -c, in two namespaces this script creates (nfhsys-s 192.0.2.1, nfhsys-c 192.0.2.2; deleted on
# exit; only its own PIDs are stopped). Needs root, strace, nginx, curl and a Release build of the host.
# Usage: bench/http/syscalls.sh [OUT]   Environment: SERVERS="nginx nodefoundry" COPIES=4 SMALL=2000 HOST=<nodefoundry.dll>
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces)" >&2; exit 2; }
HOST=${HOST:-$(ls src/NodeFoundry.Host/bin/Release/*/nodefoundry.dll | head -n 1)}
OUT=${1:-$(mktemp -d /tmp/nfhsys.XXXXXX)}
SERVERS=${SERVERS:-"nginx nodefoundry"}
COPIES=${COPIES:-4}
SMALL=${SMALL:-2000}
NS_S=nfhsys-s; NS_C=nfhsys-c
source bench/lib.sh
PIDS=()
cleanup() {
  local p
  # the traced servers first (children of strace, which this script started), then strace itself
  for p in "${PIDS[@]}"; do for c in $(pgrep -P "$p" || true); do kill -TERM "$c" 2>/dev/null || true; done; done
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  sleep 0.5
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  ip netns del "$NS_C" 2>/dev/null || true
  ip netns del "$NS_S" 2>/dev/null || true
}
trap cleanup EXIT
veth_lab_up "$NS_S" "$NS_C" nfhsys-s nfhsys-c 192.0.2.1 192.0.2.2
mkdir -p "$OUT/http"
[ -f "$OUT/http/big.bin" ] || head -c $((64 << 20)) /dev/urandom >"$OUT/http/big.bin"
printf '#!ipxe\ndhcp\nkernel http://192.0.2.1:8080/vmlinuz console=ttyS0\ninitrd http://192.0.2.1:8080/initrd.img\nboot\n' >"$OUT/http/boot.ipxe"
write_nginx_conf "$OUT/nginx" "$OUT/http" 192.0.2.1:8080
sed -e "s#^  interface: .*#  interface: nfhsys-s#" bench/http/fleet.yaml >"$OUT/fleet.yaml"
TRACE="sendfile,sendto,sendmsg,write,writev,recvfrom,recvmsg,read,pread64,setsockopt,epoll_wait,epoll_pwait,futex,sched_yield,openat,close,flock,fstat,newfstatat,statx,readlink,readlinkat,lseek"
for server in $SERVERS; do
  log="$OUT/$server.strace"
  if [ "$server" = nginx ]; then
    ip netns exec "$NS_S" strace -f -c --seccomp-bpf -e trace="$TRACE" -o "$log" nginx -c "$OUT/nginx/nginx.conf" -p "$OUT/nginx" -g 'daemon off;' >"$OUT/$server.out" 2>&1 &
  else
    ip netns exec "$NS_S" strace -f -c --seccomp-bpf -e trace="$TRACE" -o "$log" dotnet "$HOST" serve --config "$OUT/fleet.yaml" \
      --no-tftp --no-journal --port 10067 --http-port 8080 >"$OUT/$server.out" 2>&1 &
  fi
  pid=$!; PIDS+=("$pid")
  for _ in $(seq 1 300); do ip netns exec "$NS_C" curl -s -o /dev/null --max-time 1 http://192.0.2.1:8080/boot.ipxe && break; sleep 0.2; done
  urls=(); for _ in $(seq 1 "$COPIES"); do urls+=(http://192.0.2.1:8080/big.bin); done
  ip netns exec "$NS_C" timeout 300 curl -s --write-out '%{stderr}%{size_download} ' "${urls[@]}" >/dev/null; echo " bytes: $server big" >&2
  small=(); for _ in $(seq 1 "$SMALL"); do small+=(http://192.0.2.1:8080/boot.ipxe); done
  ip netns exec "$NS_C" timeout 300 curl -s "${small[@]}" >/dev/null; echo "$SMALL small requests: $server" >&2
  # stop the traced server (strace writes its summary when its tracees exit)
  for child in $(pgrep -P "$pid" || true); do kill -TERM "$child" 2>/dev/null || true; done
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  echo "== $server: strace -f -c (includes startup: one connection, $COPIES x 64 MiB, $SMALL small requests)"
  cat "$log"
done
echo "raw: $OUT"
