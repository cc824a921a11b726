#!/usr/bin/env bash
# CPU cost of serving large files (not a test): the CPU time (user + system, from /proc/<pid>/stat, all threads and,
# for nginx, its worker processes) each server spends while CONC curl clients each download COPIES x 64 MiB over one
# keep-alive connection. Unlike MB/s on a shared 2-core machine, CPU seconds per GiB hardly depend on what else runs.
# Two namespaces this script creates (nfhcpu-s 192.0.2.1, nfhcpu-c 192.0.2.2; deleted on exit; only its own PIDs stopped).
# Usage: bench/http/cpu.sh [OUT]   Environment: SERVERS="nginx nodefoundry" CONC=8 COPIES=4 WARMUP=1 HOST=<nodefoundry.dll>
# WARMUP: copies per client downloaded before the measured window, by each server alike (JIT tier-up, page cache).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces)" >&2; exit 2; }
HOST=${HOST:-$(ls src/NodeFoundry.Host/bin/Release/*/nodefoundry.dll | head -n 1)}
OUT=${1:-$(mktemp -d /tmp/nfhcpu.XXXXXX)}
SERVERS=${SERVERS:-"nginx nodefoundry"}
CONC=${CONC:-8}
COPIES=${COPIES:-4}
WARMUP=${WARMUP:-1}
NS_S=nfhcpu-s; NS_C=nfhcpu-c
source bench/lib.sh
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do stop_pid "$p"; done
  ip netns del "$NS_C" 2>/dev/null || true
  ip netns del "$NS_S" 2>/dev/null || true
}
trap cleanup EXIT
veth_lab_up "$NS_S" "$NS_C" nfhcpu-s nfhcpu-c 192.0.2.1 192.0.2.2
mkdir -p "$OUT/http"
[ -f "$OUT/http/big.bin" ] || head -c $((64 << 20)) /dev/urandom >"$OUT/http/big.bin"
printf '#!ipxe\nboot\n' >"$OUT/http/boot.ipxe"
write_nginx_conf "$OUT/nginx" "$OUT/http" 192.0.2.1:8080
sed -e "s#^  interface: .*#  interface: nfhcpu-s#" bench/http/fleet.yaml >"$OUT/fleet.yaml"
TICK=$(getconf CLK_TCK)

# cpu_ticks PID -> "utime stime" of PID and of its child processes (nginx workers), in clock ticks
cpu_ticks() {
  local user=0 sys=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    user=$((user + $(awk '{print $14}' "/proc/$p/stat"))); sys=$((sys + $(awk '{print $15}' "/proc/$p/stat")))
  done
  echo "$user $sys"
}

# download -> N clients x COPIES copies, concurrently; prints bytes
download() {
  local i cpids=() urls=()
  for _ in $(seq 1 "$COPIES"); do urls+=(http://192.0.2.1:8080/big.bin); done
  for i in $(seq 1 "$CONC"); do
    ip netns exec "$NS_C" timeout 300 curl -s --write-out '%{stderr}%{size_download}\n' "${urls[@]}" >/dev/null 2>"$OUT/c$i.txt" &
    cpids+=($!)
  done
  for i in "${cpids[@]}"; do wait "$i" || true; done
  cat "$OUT"/c*.txt | awk '{s += $1} END {printf "%.0f\n", s}'
}

for server in $SERVERS; do
  if [ "$server" = nginx ]; then
    ip netns exec "$NS_S" nginx -c "$OUT/nginx/nginx.conf" -p "$OUT/nginx" -g 'daemon off;' >"$OUT/$server.out" 2>&1 &
  else
    ip netns exec "$NS_S" dotnet "$HOST" serve --config "$OUT/fleet.yaml" --no-tftp --no-journal --port 10067 --http-port 8080 >"$OUT/$server.out" 2>&1 &
  fi
  pid=$!; PIDS+=("$pid")
  for _ in $(seq 1 300); do ip netns exec "$NS_C" curl -s -o /dev/null --max-time 1 http://192.0.2.1:8080/boot.ipxe && break; sleep 0.2; done
  saved=$COPIES; COPIES=$WARMUP; download >/dev/null; COPIES=$saved   # warm-up (JIT, page cache), not counted
  read -r u0 s0 < <(cpu_ticks "$pid"); t0=$(date +%s.%N)
  bytes=$(download)
  t1=$(date +%s.%N); read -r u1 s1 < <(cpu_ticks "$pid")
  [ "$bytes" -eq $((CONC * COPIES * 64 << 20)) ] || echo "$server: short transfer: $bytes bytes" >&2
  awk -v s="$server" -v b="$bytes" -v u=$((u1 - u0)) -v k=$((s1 - s0)) -v hz="$TICK" -v t0="$t0" -v t1="$t1" \
    'BEGIN { g = b / 2^30; printf "%-12s %6.2f GiB %6.2f s wall  CPU s/GiB: user %.3f + sys %.3f = %.3f  %7.0f MB/s\n", s, g, t1 - t0, u / hz / g, k / hz / g, (u + k) / hz / g, b / (t1 - t0) / 1e6 }'
  stop_pid "$pid"
done
echo "raw: $OUT"
