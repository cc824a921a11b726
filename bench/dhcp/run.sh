#!/usr/bin/env bash
# DHCP benchmark: Kea 2.2 kea-dhcp4 (memfile, persist) against NodeFoundry `serve` (durable lease journal),
# both measured in the same run, on the same veth pair, with the same load generators. Not a unit test and
# not run by CI. Run as root from the repository root:
#
#   sudo bench/dhcp/run.sh
#
# Knobs (environment): RATES="1000 2000 4000 6000 8000 10000 12000 16000"  DURATION=10 (s per rate)  CLIENTS=200 (perfdhcp -R)
#   BURST=2000 (clients in the DISCOVER burst)  SERVERS="kea nodefoundry"  KEA_SEVERITY=INFO  OUT=<results folder>
#   SKIP_BUILD=1 (reuse OUT's builds)  NF_ENV="VAR=value ..." (extra environment for nodefoundry serve, for A/B runs,
#   e.g. NF_ENV=DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0)  NF_TIME_NS=1 (see start_server)
#
# Network rule: all traffic stays inside the two namespaces this script creates (nfbench-s holds the servers on
# 192.0.2.1/24, nfbench-c the load generators on 192.0.2.2/24, joined by one veth pair). Nothing is added to the
# host's own namespace. The burst scope's 198.18.0.0/16 addresses (RFC 2544 benchmarking block) only appear inside
# DHCP payloads as yiaddr: every reply goes to the relay address 192.0.2.2 and no packet is sent to them.
# Every wait below is bounded; only processes this script started are stopped, by PID; the namespaces are
# deleted on exit (trap).
set -euo pipefail

RATES=${RATES:-"1000 2000 4000 6000 8000 10000 12000 16000"}
DURATION=${DURATION:-10}
CLIENTS=${CLIENTS:-200}
BURST=${BURST:-2000}
SERVERS=${SERVERS:-"kea nodefoundry"}
KEA_SEVERITY=${KEA_SEVERITY:-INFO}
NS_S=nfbench-s
NS_C=nfbench-c
IF_S=nfb-s
IF_C=nfb-c
SERVER_IP=192.0.2.1
CLIENT_IP=192.0.2.2

REPO=$(pwd)
[ -f "$REPO/NodeFoundry.slnx" ] && [ -f "$REPO/bench/dhcp/fleet.yaml" ] || { echo "run from the repository root: sudo bench/dhcp/run.sh" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces): sudo bench/dhcp/run.sh" >&2; exit 2; }
for tool in ip kea-dhcp4 perfdhcp dotnet timeout awk; do
  command -v "$tool" >/dev/null || { echo "missing $tool (.ci/run installs kea-dhcp4-server, kea-admin, iproute2)" >&2; exit 2; }
done
case "$DURATION" in ''|*[!0-9]*) echo "DURATION must be whole seconds" >&2; exit 2;; esac
[ "$DURATION" -ge 1 ] && [ "$DURATION" -le 120 ] || { echo "DURATION must be 1..120" >&2; exit 2; }

OUT=${OUT:-$(mktemp -d /tmp/nfbench.XXXXXX)}
mkdir -p "$OUT"
CLK_TCK=$(getconf CLK_TCK)
SECONDS=0
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
PIDS=()

# log, stop_pid, as_user, publish_into_out
source bench/lib.sh   # the working directory is the repository root here

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
  log "building NodeFoundry host and bench tool (Release) into $OUT"
  if [[ " $SERVERS " == *" nodefoundry "* ]]; then
    publish_into_out src/NodeFoundry.Host host
  fi
  publish_into_out bench/NodeFoundry.Bench bench
fi
[ -f "$OUT/bench/nodefoundry-bench.dll" ] || { echo "bench tool build missing in $OUT" >&2; exit 1; }
[[ " $SERVERS " != *" nodefoundry "* ]] || [ -f "$OUT/host/nodefoundry.dll" ] || { echo "host build missing in $OUT" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------- network
for ns in "$NS_S" "$NS_C"; do
  if ip netns list | awk '{print $1}' | grep -qx "$ns"; then
    [ -z "$(ip netns pids "$ns")" ] || { echo "netns $ns exists and has processes; is another bench running?" >&2; exit 1; }
    ip netns del "$ns"   # a leftover of an interrupted run: empty, so nothing of anyone's stops
  fi
done
ip netns add "$NS_S"
ip netns add "$NS_C"
ip -n "$NS_S" link add "$IF_S" type veth peer name "$IF_C" netns "$NS_C"
ip -n "$NS_S" addr add "$SERVER_IP/24" dev "$IF_S"
ip -n "$NS_C" addr add "$CLIENT_IP/24" dev "$IF_C"
for ns in "$NS_S" "$NS_C"; do ip -n "$ns" link set lo up; done
ip -n "$NS_S" link set "$IF_S" up
ip -n "$NS_C" link set "$IF_C" up

# UDP receive-buffer overflows inside a namespace (/proc/net/snmp is per namespace): where packets are dropped.
rcvbuf_errors() { ip netns exec "$1" awk '/^Udp:/ { n++; if (n == 2) print $6 }' /proc/net/snmp; }
# utime + stime of a process, in clock ticks.
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
vm_hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# ---------------------------------------------------------------------------------------------- servers
write_kea_config() {  # $1 = perf|burst, $2 = folder
  local subnet
  if [ "$1" = perf ]; then
    subnet='{ "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.10 - 192.0.2.250" } ],
        "relay": { "ip-addresses": [ "192.0.2.2" ] },
        "option-data": [ { "name": "routers", "data": "192.0.2.1" } ] }'
  else
    # 198.18.0.0/16: RFC 2544 benchmarking block, only ever a yiaddr in a payload (see the header).
    subnet='{ "id": 2, "subnet": "198.18.0.0/16", "pools": [ { "pool": "198.18.0.10 - 198.18.31.250" } ],
        "relay": { "ip-addresses": [ "192.0.2.2" ] }, "valid-lifetime": 300,
        "next-server": "192.0.2.1", "boot-file-name": "undionly.kpxe",
        "option-data": [ { "name": "routers", "data": "198.18.0.1" } ] }'
  fi
  cat >"$2/kea-$1.json" <<EOF
{ "Dhcp4": {
  "interfaces-config": { "interfaces": [ "$IF_S" ], "dhcp-socket-type": "udp" },
  "lease-database": { "type": "memfile", "persist": true, "lfc-interval": 0, "name": "$2/kea-leases4.csv" },
  "valid-lifetime": 43200,
  "subnet4": [ $subnet ],
  "loggers": [ { "name": "kea-dhcp4", "severity": "$KEA_SEVERITY",
                 "output_options": [ { "output": "$2/kea.log", "flush": true } ] } ]
} }
EOF
}

# start_server NAME MODE [TAG] -> sets SERVER_PID and SERVER_DIR ($OUT/NAME-TAG); waits (bounded) until it listens.
start_server() {
  local name=$1 mode=$2 dir
  dir="$OUT/$name-${3:-$mode}"
  rm -rf "$dir"; mkdir -p "$dir"
  if [ "$name" = kea ]; then
    write_kea_config "$mode" "$dir"
    KEA_PIDFILE_DIR="$dir" KEA_LOCKFILE_DIR="$dir" \
      ip netns exec "$NS_S" kea-dhcp4 -c "$dir/kea-$mode.json" >"$dir/stdout.log" 2>&1 &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    wait_for_line "$dir/kea.log" DHCP4_STARTED "$SERVER_PID" 150 || { cat "$dir/stdout.log" "$dir/kea.log" >&2 2>/dev/null; echo "kea did not start" >&2; exit 1; }
  else
    local fleet=fleet.yaml
    [ "$mode" = burst ] && fleet=fleet-burst.yaml
    cp "bench/dhcp/$fleet" "$dir/fleet.yaml"
    # NF_TIME_NS=1: run the server in a time namespace whose monotonic clock starts near 0. Builds before
    # 2ec63be computed GetTimestamp() * TicksPerSecond in checked arithmetic, which overflows once
    # CLOCK_MONOTONIC passes ~922 s and kills the process on its first packet (see docs/performance.md).
    local timens=()
    local up
    up=$(cut -d. -f1 /proc/uptime)
    if [ "${NF_TIME_NS:-0}" = 1 ] && [ "$up" -gt 60 ]; then timens=(unshare --time --monotonic=-$((up - 30))); fi
    # shellcheck disable=SC2086  # NF_ENV is a list of VAR=value words
    env ${NF_ENV:-} ip netns exec "$NS_S" "${timens[@]}" dotnet "$OUT/host/nodefoundry.dll" serve --config "$dir/fleet.yaml" \
      --interface "$IF_S" --journal "$dir/state/leases.journal" >"$dir/stdout.log" 2>&1 &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    wait_for_line "$dir/stdout.log" 'nodefoundry: serving' "$SERVER_PID" 600 || { tail -n 30 "$dir/stdout.log" >&2; echo "nodefoundry serve did not start" >&2; exit 1; }
  fi
  sleep 0.5
  SERVER_DIR=$dir
}

stop_server() {
  stop_pid "$SERVER_PID"
  local rest=() p
  for p in "${PIDS[@]}"; do [ "$p" = "$SERVER_PID" ] || rest+=("$p"); done
  PIDS=("${rest[@]}")
}

perfdhcp_run() {  # $1 = rate, $2 = seconds, $3 = output file; perfdhcp in the client namespace, as relay 192.0.2.2
  ip netns exec "$NS_C" timeout $(($2 + 20)) perfdhcp -4 -l "$IF_C" -r "$1" -R "$CLIENTS" -p "$2" "$SERVER_IP" >"$3" 2>&1 || true
}

# Parses a perfdhcp basic-scenario report: "rate discovers_sent offers acks"
perfdhcp_parse() {
  awk '
    /^Rate:/ { rate = $2 }
    /Statistics for: DISCOVER-OFFER/ { s = "do" }
    /Statistics for: REQUEST-ACK/ { s = "ra" }
    /^sent packets:/ { if (s == "do") dsent = $3; else if (s == "ra") rsent = $3 }
    /^received packets:/ { if (s == "do") offers = $3; else if (s == "ra") acks = $3 }
    END { printf "%s %s %s %s\n", (rate == "" ? 0 : rate), dsent + 0, offers + 0, acks + 0 }' "$1"
}

RESULTS="$OUT/results.tsv"
BURSTS="$OUT/burst.tsv"
SUMMARY="$OUT/servers.tsv"
printf 'server\toffered/s\tsent/s\tDORA/s\tdrops%%\tserver_cpu%%\tsrv_rcvbuf_drops\tcli_rcvbuf_drops\n' >"$RESULTS"
: >"$BURSTS"
: >"$SUMMARY"

# ---------------------------------------------------------------------------------------------- throughput
for server in $SERVERS; do
  log "[$server] throughput: perfdhcp -R $CLIENTS, ${DURATION}s per rate: $RATES"
  start_server "$server" perf
  pid=$SERVER_PID
  # Warm-up (not reported): JIT for .NET, and both servers then hold the same $CLIENTS leases.
  perfdhcp_run 500 3 "$SERVER_DIR/perfdhcp-warmup.txt"
  total0=$(cpu_ticks "$pid")
  for rate in $RATES; do
    sleep 1
    c0=$(cpu_ticks "$pid"); s0=$(rcvbuf_errors "$NS_S"); k0=$(rcvbuf_errors "$NS_C"); t0=$(date +%s.%N)
    perfdhcp_run "$rate" "$DURATION" "$SERVER_DIR/perfdhcp-$rate.txt"
    c1=$(cpu_ticks "$pid"); s1=$(rcvbuf_errors "$NS_S"); k1=$(rcvbuf_errors "$NS_C"); t1=$(date +%s.%N)
    kill -0 "$pid" 2>/dev/null || { echo "$server died during the $rate/s step; see $SERVER_DIR" >&2; exit 1; }
    read -r dora sent offers acks < <(perfdhcp_parse "$SERVER_DIR/perfdhcp-$rate.txt")
    awk -v s="$server" -v r="$rate" -v d="$DURATION" -v dora="$dora" -v sent="$sent" -v acks="$acks" \
        -v c="$((c1 - c0))" -v hz="$CLK_TCK" -v t0="$t0" -v t1="$t1" -v sd="$((s1 - s0))" -v kd="$((k1 - k0))" '
      BEGIN { drops = sent > 0 ? 100 * (1 - acks / sent) : 100
              printf "%s\t%d\t%.0f\t%.0f\t%.2f\t%.0f\t%d\t%d\n", s, r, sent / d, dora, drops, 100 * c / hz / (t1 - t0), sd, kd }' >>"$RESULTS"
    tail -n 1 "$RESULTS" | awk -F'\t' '{ printf "  %-12s offered %6s/s  sent %6s/s  DORA %6s/s  drops %6s%%  cpu %4s%%\n", $1, $2, $3, $4, $5, $6 }' >&2
  done
  total1=$(cpu_ticks "$pid")
  hwm=$(vm_hwm_kb "$pid")
  leases_file=$( [ "$server" = kea ] && echo "$SERVER_DIR/kea-leases4.csv" || echo "$SERVER_DIR/state/leases.journal" )
  size=$(stat -c %s "$leases_file" 2>/dev/null || echo 0)
  printf '%s\t%.1f\t%d\t%d\n' "$server" "$(awk -v c=$((total1 - total0)) -v hz="$CLK_TCK" 'BEGIN { print c / hz }')" "$hwm" "$size" >>"$SUMMARY"
  stop_server
done

# ---------------------------------------------------------------------------------------------- burst
bench_tool() {  # args for `nodefoundry-bench burst`, run in the client namespace (as relay 192.0.2.2)
  ip netns exec "$NS_C" timeout 60 dotnet "$OUT/bench/nodefoundry-bench.dll" burst --server "$SERVER_IP" --relay "$CLIENT_IP" "$@"
}
kv() { tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'; }
printf 'server\tpattern\toffers<4s\tlast_offer_ms(<4s)\tp50_wait_ms\tall_offered_ms\tretransmitted\tsrv_rcvbuf_drops\n' >"$BURSTS"
for server in $SERVERS; do
  log "[$server] DISCOVER burst: $BURST distinct PXE clients (nodefoundry-bench), then perfdhcp avalanche"
  start_server "$server" burst
  # Warm-up (not reported): 200 other clients, so the burst meets a running server, not a cold start.
  bench_tool --clients 200 --offset 1000000 --seed 7 --retransmit 1,2 --deadline 5 >"$SERVER_DIR/burst-warmup.txt" 2>&1 || true
  for spread in 0 1000; do
    sleep 1
    s0=$(rcvbuf_errors "$NS_S")
    # Distinct clients per pattern (offset), so the second never meets the first one's offers.
    bench_tool --clients "$BURST" --offset $((spread * 100)) --spread-ms "$spread" --retransmit 4,12 --deadline 20 \
      >"$SERVER_DIR/burst-$spread.txt" 2>&1 || true
    s1=$(rcvbuf_errors "$NS_S")
    line=$(grep '^burst ' "$SERVER_DIR/burst-$spread.txt" || echo "burst error=see-$SERVER_DIR/burst-$spread.txt")
    pattern=$([ "$spread" = 0 ] && echo "all at once" || echo "over ${spread} ms")
    printf '%s\t%s\t%s/%s\t%s\t%s\t%s\t%s\t%d\n' "$server" "$pattern" \
      "$(kv offered_before_retransmit <<<"$line")" "$(kv clients <<<"$line")" "$(kv last_first_round_offer_ms <<<"$line")" \
      "$(kv p50_ms <<<"$line")" "$(kv all_offered_ms <<<"$line")" "$(kv retransmitted <<<"$line")" $((s1 - s0)) >>"$BURSTS"
    tail -n 1 "$BURSTS" | sed 's/^/  /' >&2
  done
  stop_server

  # perfdhcp's own burst: all -R clients' DISCOVERs at once, then perfdhcp's back-off (much faster than the
  # firmware's 4 s) until every one has an OFFER. Fresh server, so nothing is left from the runs above.
  start_server "$server" burst avalanche
  s0=$(rcvbuf_errors "$NS_S")
  ip netns exec "$NS_C" timeout 60 perfdhcp -4 -l "$IF_C" --scenario avalanche -i -R "$BURST" "$SERVER_IP" >"$SERVER_DIR/avalanche.txt" 2>&1 || true
  s1=$(rcvbuf_errors "$NS_S")
  stop_server
  awk -v s="$server" -v sd=$((s1 - s0)) '
    /^It took/ { took = $3 }
    /^Requests resent:/ { resent = $3 }
    /^Responses received:/ { got = $3 }
    END { printf "%s\tperfdhcp avalanche\t-\t-\t-\t%s (%s offers)\t%s\t%d\n", s, took, got, resent, sd }' \
    "$SERVER_DIR/avalanche.txt" >>"$BURSTS"
  tail -n 1 "$BURSTS" | sed 's/^/  /' >&2
done

# ---------------------------------------------------------------------------------------------- report
{
  echo
  echo "== DHCP throughput (perfdhcp -4 -r RATE -R $CLIENTS -p $DURATION, relayed via $CLIENT_IP; $(nproc) CPUs, load average before: $LOAD_BEFORE)"
  column -t -s $'\t' "$RESULTS"
  echo
  echo "== Best sustained rate: highest offered rate at which this step and every lower one completed with drops < 1%"
  awk -F'\t' 'NR > 1 { seen[$1] = 1; if ($5 >= 1) broken[$1] = 1; else if (!($1 in broken) && $4 > best[$1]) best[$1] = $4 }
    END {
      for (s in seen) printf "%-12s %s\n", s, (s in best) ? best[s] " DORA/s" : "none (the lowest rate already dropped >= 1%)"
      if (best["kea"] > 0 && ("nodefoundry" in best)) printf "NodeFoundry / Kea = %.2f\n", best["nodefoundry"] / best["kea"]
    }' "$RESULTS"
  echo
  echo "== Server process over the throughput steps (CPU time from /proc/PID/stat; peak RSS = VmHWM; lease file size)"
  awk -F'\t' '{ printf "%-12s cpu %6.1f s   peak RSS %7.1f MiB   lease file %7.1f KiB\n", $1, $2, $3 / 1024, $4 / 1024 }' "$SUMMARY"
  echo
  echo "== DISCOVER burst: $BURST distinct PXE clients via relay $CLIENT_IP, one DISCOVER each; unanswered ones retransmit at 4 s and 12 s (PXE firmware)"
  column -t -s $'\t' "$BURSTS"
  echo
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); NF_ENV='${NF_ENV:-}'"
  echo "run time: ${SECONDS}s; logs and raw reports: $OUT"
} | tee "$OUT/report.txt"
