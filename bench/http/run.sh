#!/usr/bin/env bash
# HTTP side-by-side benchmark (not a test): nginx from Debian against NodeFoundry `serve` (HTTP engine only),
# serving the same temp root inside two test-owned network namespaces joined by a veth.
#   (1) N concurrent keep-alive downloads of a 64 MiB file (curl, each fetching REPEAT copies on one connection)
#   (2) small iPXE script request rate (wrk -c 32 -t 2 -d DURATION)
#   (3) (1) again with the server's veth egress shaped by `tc tbf rate 1gbit` (the download direction)
# Prints MB/s, req/s and nodefoundry/nginx ratios; writes $OUT/results.tsv. Usage: sudo bench/http/run.sh
# Environment: CONC="8 32"  REPEAT=4  SHAPED_CONC=8  SHAPED_REPEAT=2  DURATION=10  SKIP_BUILD=1  OUT=<folder>
# Network rule: only 192.0.2.1 (server, netns nfhttp-s) and 192.0.2.2 (client, netns nfhttp-c); both namespaces
# are deleted on exit (trap), and only the PIDs this script started are stopped.
set -euo pipefail
cd "$(dirname "$0")/../.."

CONC=${CONC:-"8 32"}
REPEAT=${REPEAT:-8}
SHAPED_CONC=${SHAPED_CONC:-8}
SHAPED_REPEAT=${SHAPED_REPEAT:-2}
DURATION=${DURATION:-10}
NS_S=nfhttp-s
NS_C=nfhttp-c
IF_S=nfh-s
IF_C=nfh-c
SERVER_IP=192.0.2.1
CLIENT_IP=192.0.2.2
PORT=8080
BIG_MIB=64

REPO=$(pwd)
[ -f "$REPO/NodeFoundry.slnx" ] && [ -f "$REPO/bench/http/fleet.yaml" ] || { echo "run from the repository root: sudo bench/http/run.sh" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces): sudo bench/http/run.sh" >&2; exit 2; }
case "$DURATION" in ''|*[!0-9]*) echo "DURATION must be whole seconds" >&2; exit 2;; esac
[ "$DURATION" -ge 1 ] && [ "$DURATION" -le 120 ] || { echo "DURATION must be 1..120" >&2; exit 2; }

# log, stop_pid, as_user, publish_into_out, veth_lab_up, write_nginx_conf
source bench/lib.sh   # the working directory is the repository root here

# nginx and wrk are not in .ci/run's package list; install them here if missing (said out loud).
missing=()
command -v nginx >/dev/null || missing+=(nginx-light)
command -v wrk >/dev/null || missing+=(wrk)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing missing packages: ${missing[*]} (apt-get install -y)"
  timeout 600 apt-get install -y "${missing[@]}" >/dev/null || { [[ " ${missing[*]} " == *" nginx-light "* ]] && timeout 600 apt-get install -y nginx >/dev/null; } \
    || { echo "could not install ${missing[*]}" >&2; exit 2; }
fi
for tool in ip tc nginx wrk curl dotnet timeout awk head; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done

OUT=${OUT:-$(mktemp -d /tmp/nfhttpbench.XXXXXX)}
mkdir -p "$OUT"
PIDS=()

# ---------------------------------------------------------------------------------------------- cleanup
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  ip netns del "$NS_C" 2>/dev/null || true
  ip netns del "$NS_S" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------- build
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building NodeFoundry host (Release, dotnet publish) into $OUT/host"
  publish_into_out src/NodeFoundry.Host host
fi
[ -f "$OUT/host/nodefoundry.dll" ] || { echo "host build missing in $OUT/host" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------- files
ROOT="$OUT/http"
mkdir -p "$ROOT"
head -c $((BIG_MIB * 1024 * 1024)) /dev/urandom >"$ROOT/big.bin"
printf '#!ipxe\ndhcp\nkernel http://192.0.2.1:8080/vmlinuz console=ttyS0\ninitrd http://192.0.2.1:8080/initrd.img\nboot\n' >"$ROOT/boot.ipxe"
BIG_BYTES=$(stat -c %s "$ROOT/big.bin")
chmod -R a+rX "$OUT"

# ---------------------------------------------------------------------------------------------- network
veth_lab_up "$NS_S" "$NS_C" "$IF_S" "$IF_C" "$SERVER_IP" "$CLIENT_IP"

# ---------------------------------------------------------------------------------------------- servers
# start_server NAME -> sets SERVER_PID; waits (bounded) until the port answers.
start_server() {
  local name=$1 dir="$OUT/$1" i
  rm -rf "$dir"; mkdir -p "$dir/tmp"
  if [ "$name" = nginx ]; then
    write_nginx_conf "$dir" "$ROOT" "$SERVER_IP:$PORT"
    ip netns exec "$NS_S" nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/error.log" -g 'daemon off;' >"$dir/stdout.log" 2>&1 &
  else
    cp bench/http/fleet.yaml "$OUT/fleet.yaml"
    ip netns exec "$NS_S" dotnet "$OUT/host/nodefoundry.dll" serve --config "$OUT/fleet.yaml" --interface "$IF_S" \
      --no-tftp --no-journal --port 10067 --http-port "$PORT" >"$dir/stdout.log" 2>&1 &
  fi
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  for i in $(seq 1 300); do
    ip netns exec "$NS_C" curl -s -o /dev/null --max-time 1 "http://$SERVER_IP:$PORT/boot.ipxe" && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  ip netns exec "$NS_C" curl -sf -o /dev/null --max-time 2 "http://$SERVER_IP:$PORT/boot.ipxe" \
    || { tail -n 30 "$dir/stdout.log" "$dir/error.log" 2>/dev/null >&2; echo "$name did not start" >&2; exit 1; }
}
stop_server() {
  stop_pid "$SERVER_PID"
  local rest=() p
  for p in "${PIDS[@]}"; do [ "$p" = "$SERVER_PID" ] || rest+=("$p"); done
  PIDS=("${rest[@]}")
}

# ---------------------------------------------------------------------------------------------- measurements
# big_download N REPEAT TAG -> prints MB/s (10^6 bytes/s). N curl processes, each fetching REPEAT copies of the
# 64 MiB file over one keep-alive connection; bytes counted from curl's size_download, time is the wall clock.
big_download() {
  local n=$1 rep=$2 tag=$3 i k urls=() cpids=() t0 t1 bytes conns
  for k in $(seq 1 "$rep"); do urls+=("http://$SERVER_IP:$PORT/big.bin"); done
  rm -f "$OUT/$tag".c*.txt
  t0=$(date +%s.%N)
  for i in $(seq 1 "$n"); do
    ip netns exec "$NS_C" timeout 120 curl -s --write-out '%{stderr}%{size_download} %{num_connects}\n' "${urls[@]}" \
      >/dev/null 2>"$OUT/$tag.c$i.txt" &
    cpids+=($!)
  done
  for i in "${cpids[@]}"; do wait "$i" || true; done
  t1=$(date +%s.%N)
  bytes=$(cat "$OUT/$tag".c*.txt | awk '{s += $1} END {printf "%.0f\n", s}')
  conns=$(cat "$OUT/$tag".c*.txt | awk '{s += $2} END {printf "%.0f\n", s}')
  [ "$bytes" -eq $((n * rep * BIG_BYTES)) ] || log "$tag: short transfer: $bytes of $((n * rep * BIG_BYTES)) bytes"
  awk -v b="$bytes" -v t0="$t0" -v t1="$t1" -v c="$conns" -v tag="$tag" \
    'BEGIN { printf "%.1f\n", b / (t1 - t0) / 1e6; printf "%s: %.0f bytes in %.2f s over %d connections\n", tag, b, t1 - t0, c > "/dev/stderr" }'
}

# small_rate -> prints requests/s from wrk
small_rate() {
  local tag=$1
  ip netns exec "$NS_C" timeout $((DURATION + 30)) wrk -c 32 -t 2 -d "${DURATION}s" "http://$SERVER_IP:$PORT/boot.ipxe" >"$OUT/$tag.wrk.txt" 2>&1 || true
  awk '/^Requests\/sec:/ {print $2}' "$OUT/$tag.wrk.txt"
}

shape()   { ip netns exec "$NS_S" tc qdisc add dev "$IF_S" root tbf rate 1gbit burst 256kb latency 50ms; }
unshape() { ip netns exec "$NS_S" tc qdisc del dev "$IF_S" root 2>/dev/null || true; }

RESULTS="$OUT/results.tsv"
printf 'server\ttest\tvalue\tunit\n' >"$RESULTS"
for server in nginx nodefoundry; do
  log "[$server] starting"
  start_server "$server"
  big_download 2 1 "$server-warmup" >/dev/null   # JIT and page cache, not reported
  for n in $CONC; do
    log "[$server] $n concurrent keep-alive downloads x $REPEAT of $BIG_MIB MiB"
    v=$(big_download "$n" "$REPEAT" "$server-big$n")
    printf '%s\tbig-c%s\t%s\tMB/s\n' "$server" "$n" "$v" >>"$RESULTS"
  done
  log "[$server] small script: wrk -c 32 -t 2 -d ${DURATION}s"
  v=$(small_rate "$server-small")
  printf '%s\tsmall\t%s\treq/s\n' "$server" "$v" >>"$RESULTS"
  log "[$server] shaped (tbf 1gbit on server egress): $SHAPED_CONC downloads x $SHAPED_REPEAT"
  shape
  v=$(big_download "$SHAPED_CONC" "$SHAPED_REPEAT" "$server-shaped")
  unshape
  printf '%s\tshaped-c%s\t%s\tMB/s\n' "$server" "$SHAPED_CONC" "$v" >>"$RESULTS"
  stop_server
done

# ---------------------------------------------------------------------------------------------- report
echo
awk -F'\t' 'NR > 1 { v[$1 "," $2] = $3; u[$2] = $4; if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 } }
  END {
    printf "%-12s %12s %12s %8s %s\n", "test", "nginx", "nodefoundry", "nf/ngx", "unit"
    for (i = 1; i <= n; i++) { t = order[i]; a = v["nginx," t]; b = v["nodefoundry," t]
      printf "%-12s %12s %12s %8.2f %s\n", t, a, b, (a > 0 ? b / a : 0), u[t]
      if (t ~ /^shaped/) printf "%-12s %11.1f%% %11.1f%%          of 125 MB/s (1 Gbit/s); of 117.6 MB/s goodput: %.1f%% / %.1f%%\n", "", a / 1.25, b / 1.25, a / 1.176, b / 1.176 }
  }' "$RESULTS"
echo "results: $RESULTS"
