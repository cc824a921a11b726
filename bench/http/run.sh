#!/usr/bin/env bash
# HTTP side-by-side benchmark (not a test): nginx from Debian against NodeFoundry `serve` (HTTP engine only),
# serving the same temp root inside two test-owned network namespaces joined by a veth. Both servers run side by
# side (nginx on :8080, NodeFoundry on :8081), each is warmed up alike (JIT tier-up, page cache), and then ROUNDS
# rounds alternate between them (odd rounds nginx first, even rounds NodeFoundry first), so that what else the shared
# machine does falls on both. Per round:
#   (1) N concurrent keep-alive downloads of a 64 MiB file (curl, each fetching REPEAT copies on one connection)
#   (2) small iPXE script request rate (wrk -c 32 -t 2 -d DURATION)
# and once per server after the rounds:
#   (3) (1) with the server side's veth egress shaped by `tc tbf rate 1gbit` (the download direction)
# Prints, per test, each server's median over the rounds and the median (min-max) of the per-round ratios;
# writes every measurement to $OUT/results.tsv. Usage: sudo bench/http/run.sh
# Environment: CONC="8 32"  REPEAT=8  ROUNDS=3  WARMUP=8  SHAPED_CONC=8  SHAPED_REPEAT=2  DURATION=10  SKIP_BUILD=1
#   OUT=<folder>. WARMUP: copies per client (2 clients) each server serves before the first round.
#   AA=1: an A/A calibration: a second nginx takes NodeFoundry's place (:8081), so the printed ratios show what the
#   bench itself reads between two identical servers (its noise and any bias of port or order).
# Network rule: only 192.0.2.1 (server, netns nfhttp-s) and 192.0.2.2 (client, netns nfhttp-c); both namespaces
# are deleted on exit (trap), and only the PIDs this script started are stopped.
set -euo pipefail
cd "$(dirname "$0")/../.."

CONC=${CONC:-"8 32"}
REPEAT=${REPEAT:-8}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-8}
SHAPED_CONC=${SHAPED_CONC:-8}
SHAPED_REPEAT=${SHAPED_REPEAT:-2}
DURATION=${DURATION:-10}
NS_S=nfhttp-s
NS_C=nfhttp-c
IF_S=nfh-s
IF_C=nfh-c
SERVER_IP=192.0.2.1
CLIENT_IP=192.0.2.2
declare -A PORT=([nginx]=8080 [nodefoundry]=8081)
declare -A SERVER_PID=()
BIG_MIB=64

REPO=$(pwd)
[ -f "$REPO/NodeFoundry.slnx" ] && [ -f "$REPO/bench/http/fleet.yaml" ] || { echo "run from the repository root: sudo bench/http/run.sh" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces): sudo bench/http/run.sh" >&2; exit 2; }
case "$DURATION" in ''|*[!0-9]*) echo "DURATION must be whole seconds" >&2; exit 2;; esac
[ "$DURATION" -ge 1 ] && [ "$DURATION" -le 120 ] || { echo "DURATION must be 1..120" >&2; exit 2; }
for v in REPEAT ROUNDS WARMUP SHAPED_REPEAT; do
  case "${!v}" in ''|*[!0-9]*) echo "$v must be a whole number" >&2; exit 2;; esac
done
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 50 ] || { echo "ROUNDS must be 1..50" >&2; exit 2; }

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
AA=${AA:-0}
[ "$AA" = 1 ] && SKIP_BUILD=1   # no NodeFoundry in an A/A run
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building NodeFoundry host (Release, dotnet publish) into $OUT/host"
  publish_into_out src/NodeFoundry.Host host
fi
[ "$AA" = 1 ] || [ -f "$OUT/host/nodefoundry.dll" ] || { echo "host build missing in $OUT/host" >&2; exit 1; }

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
# start_server NAME -> SERVER_PID[NAME]; listens on PORT[NAME]; waits (bounded) until the port answers.
start_server() {
  local name=$1 dir="$OUT/$1" port=${PORT[$1]} i pid
  rm -rf "$dir"; mkdir -p "$dir/tmp"
  if [ "$name" = nginx ] || [ "$AA" = 1 ]; then
    write_nginx_conf "$dir" "$ROOT" "$SERVER_IP:$port"
    ip netns exec "$NS_S" nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/error.log" -g 'daemon off;' >"$dir/stdout.log" 2>&1 &
  else
    cp bench/http/fleet.yaml "$OUT/fleet.yaml"
    # --quiet: no line per request, as nginx runs with access_log off (errors still print, as nginx's error_log)
    ip netns exec "$NS_S" dotnet "$OUT/host/nodefoundry.dll" serve --config "$OUT/fleet.yaml" --interface "$IF_S" \
      --no-tftp --no-journal --port 10067 --http-port "$port" --quiet >"$dir/stdout.log" 2>&1 &
  fi
  pid=$!
  SERVER_PID[$name]=$pid
  PIDS+=("$pid")
  for i in $(seq 1 300); do
    ip netns exec "$NS_C" curl -s -o /dev/null --max-time 1 "http://$SERVER_IP:$port/boot.ipxe" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  ip netns exec "$NS_C" curl -sf -o /dev/null --max-time 2 "http://$SERVER_IP:$port/boot.ipxe" \
    || { tail -n 30 "$dir/stdout.log" "$dir/error.log" 2>/dev/null >&2; echo "$name did not start" >&2; exit 1; }
}

# ---------------------------------------------------------------------------------------------- measurements
# big_download SERVER N REPEAT TAG -> prints MB/s (10^6 bytes/s). N curl processes, each fetching REPEAT copies of
# the 64 MiB file over one keep-alive connection; bytes counted from curl's size_download, time is the wall clock.
big_download() {
  local port=${PORT[$1]} n=$2 rep=$3 tag=$4 i k urls=() cpids=() t0 t1 bytes conns
  for k in $(seq 1 "$rep"); do urls+=("http://$SERVER_IP:$port/big.bin"); done
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

# small_rate SERVER TAG -> prints requests/s from wrk
small_rate() {
  local port=${PORT[$1]} tag=$2
  ip netns exec "$NS_C" timeout $((DURATION + 30)) wrk -c 32 -t 2 -d "${DURATION}s" "http://$SERVER_IP:$port/boot.ipxe" >"$OUT/$tag.wrk.txt" 2>&1 || true
  awk '/^Requests\/sec:/ {print $2}' "$OUT/$tag.wrk.txt"
}

shape()   { ip netns exec "$NS_S" tc qdisc add dev "$IF_S" root tbf rate 1gbit burst 256kb latency 50ms; }
unshape() { ip netns exec "$NS_S" tc qdisc del dev "$IF_S" root 2>/dev/null || true; }

RESULTS="$OUT/results.tsv"
printf 'round\tserver\ttest\tvalue\tunit\n' >"$RESULTS"
for server in nginx nodefoundry; do
  log "[$server] starting on :${PORT[$server]}; warm-up: 2 clients x $WARMUP copies"
  start_server "$server"
  big_download "$server" 2 "$WARMUP" "$server-warmup" >/dev/null   # JIT tier-up and page cache, not reported
done
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) -eq 1 ]; then order="nginx nodefoundry"; else order="nodefoundry nginx"; fi
  for n in $CONC; do
    for server in $order; do
      log "[round $round, $server] $n concurrent keep-alive downloads x $REPEAT of $BIG_MIB MiB"
      v=$(big_download "$server" "$n" "$REPEAT" "$server-r$round-big$n")
      printf '%s\t%s\tbig-c%s\t%s\tMB/s\n' "$round" "$server" "$n" "$v" >>"$RESULTS"
    done
  done
  for server in $order; do
    log "[round $round, $server] small script: wrk -c 32 -t 2 -d ${DURATION}s"
    v=$(small_rate "$server" "$server-r$round-small")
    printf '%s\t%s\tsmall\t%s\treq/s\n' "$round" "$server" "$v" >>"$RESULTS"
  done
done
shape
for server in nginx nodefoundry; do
  log "[$server] shaped (tbf 1gbit on server egress): $SHAPED_CONC downloads x $SHAPED_REPEAT"
  v=$(big_download "$server" "$SHAPED_CONC" "$SHAPED_REPEAT" "$server-shaped")
  printf '%s\t%s\tshaped-c%s\t%s\tMB/s\n' 1 "$server" "$SHAPED_CONC" "$v" >>"$RESULTS"
done
unshape
for server in nginx nodefoundry; do stop_pid "${SERVER_PID[$server]}"; done

# ---------------------------------------------------------------------------------------------- report
# Per test: each server's median over the rounds, and the median (min-max) of the per-round nodefoundry/nginx ratios.
echo
awk -F'\t' '
  function median(list,   a, n, i, j, t) { n = split(list, a, " "); for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  function lo(list,   a, n, i, m) { n = split(list, a, " "); m = a[1]; for (i = 2; i <= n; i++) if (a[i] + 0 < m + 0) m = a[i]; return m }
  function hi(list,   a, n, i, m) { n = split(list, a, " "); m = a[1]; for (i = 2; i <= n; i++) if (a[i] + 0 > m + 0) m = a[i]; return m }
  NR > 1 { v[$1, $2, $3] = $4; u[$3] = $5; if (!($3 in seen)) { seen[$3] = 1; order[++n] = $3 } if ($1 > rounds) rounds = $1 }
  END {
    printf "%-12s %12s %12s %8s %-13s %s\n", "test", "nginx", "nodefoundry", "nf/ngx", "(per round)", "unit"
    for (i = 1; i <= n; i++) {
      t = order[i]; a = ""; b = ""; r = ""
      for (k = 1; k <= rounds; k++) if (((k, "nginx", t) in v) && ((k, "nodefoundry", t) in v)) {
        a = a " " v[k, "nginx", t]; b = b " " v[k, "nodefoundry", t]
        if (v[k, "nginx", t] > 0) r = r " " sprintf("%.3f", v[k, "nodefoundry", t] / v[k, "nginx", t]) }
      ma = median(a); mb = median(b)
      printf "%-12s %12.1f %12.1f %8.2f %-13s %s\n", t, ma, mb, median(r), sprintf("(%.2f-%.2f)", lo(r), hi(r)), u[t]
      if (t ~ /^shaped/) printf "%-12s %11.1f%% %11.1f%%          of 125 MB/s (1 Gbit/s); of 117.6 MB/s goodput: %.1f%% / %.1f%%\n", "", ma / 1.25, mb / 1.25, ma / 1.176, mb / 1.176
    }
  }' "$RESULTS"
[ "$AA" = 1 ] && echo "A/A run: the 'nodefoundry' column is a second nginx on :${PORT[nodefoundry]}"
echo "results: $RESULTS"
