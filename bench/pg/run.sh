#!/usr/bin/env bash
# Lease store benchmark: NodeFoundry `serve` with the PostgreSQL lease store against Kea 2.2 kea-dhcp4 with its
# PostgreSQL lease backend, in the same run, on the same veth pair, against the same throwaway PostgreSQL cluster
# (one database each), with the same load generator (perfdhcp as a relay). Not a unit test; CI does not run it.
# Run as root from the repository root:
#
#   sudo bench/pg/run.sh
#
# Knobs (environment): RATES="250 500 750 1000 1500 2000 3000 4000"  DURATION=10 (s per rate)  CLIENTS=200 (perfdhcp -R)
#   SERVERS="kea nodefoundry"  OUT=<results folder>  SKIP_BUILD=1 (reuse OUT's build)
#
# Network rule: all traffic stays inside the two namespaces this script creates (nfpgb-s: the server under test,
# 192.0.2.1/24, and PostgreSQL on that namespace's own 127.0.0.1; nfpgb-c: perfdhcp on 192.0.2.2/24). Nothing is
# added to the host's namespace. PostgreSQL is initdb'd into OUT as the postgres user and stopped by pg_ctl on exit;
# every wait is bounded; only processes this script started are stopped, by PID; the namespaces go on exit (trap).
set -euo pipefail

RATES=${RATES:-"250 500 750 1000 1500 2000 3000 4000"}
DURATION=${DURATION:-10}
CLIENTS=${CLIENTS:-200}
SERVERS=${SERVERS:-"kea nodefoundry"}
NS_S=nfpgb-s
NS_C=nfpgb-c
IF_S=nfpgb-s0
IF_C=nfpgb-c0
SERVER_IP=192.0.2.1
CLIENT_IP=192.0.2.2
PG_PORT=${PG_PORT:-55432}

REPO=$(pwd)
[ -f "$REPO/NodeFoundry.slnx" ] && [ -f "$REPO/bench/pg/run.sh" ] || { echo "run from the repository root: sudo bench/pg/run.sh" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces): sudo bench/pg/run.sh" >&2; exit 2; }
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$PG_BIN/initdb" ] || { echo "missing PostgreSQL (.ci/run installs postgresql)" >&2; exit 2; }
for tool in ip kea-dhcp4 kea-admin perfdhcp psql dotnet timeout awk runuser; do
  command -v "$tool" >/dev/null || { echo "missing $tool (.ci/run installs kea-dhcp4-server, kea-admin, postgresql)" >&2; exit 2; }
done

OUT=${OUT:-$(mktemp -d /tmp/nfpgbench.XXXXXX)}
mkdir -p "$OUT"
SECONDS=0
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
PIDS=()
PG_DATA="$OUT/pg/data"
PG_STARTED=0

# log, stop_pid, as_user, publish_into_out
source bench/lib.sh   # the working directory is the repository root here

pg_ctl_() { runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" "$@"; }

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  [ "$PG_STARTED" = 1 ] && timeout 90 runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null 2>&1 || true
  ip netns del "$NS_C" 2>/dev/null || true
  ip netns del "$NS_S" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------- build
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building the NodeFoundry host (Release) into $OUT/host"
  publish_into_out src/NodeFoundry.Host host
fi

# ---------------------------------------------------------------------------------------------- network
for ns in "$NS_S" "$NS_C"; do
  if ip netns list | awk '{print $1}' | grep -qx "$ns"; then
    [ -z "$(ip netns pids "$ns")" ] || { echo "netns $ns exists and has processes; is another bench running?" >&2; exit 1; }
    ip netns del "$ns"
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

# ---------------------------------------------------------------------------------------------- PostgreSQL
# In the server namespace, on its loopback: both servers reach it the same way (TCP 127.0.0.1), no host port used.
log "initdb + start PostgreSQL ($PG_BIN) in $NS_S on 127.0.0.1:$PG_PORT"
mkdir -p "$OUT/pg"; chown postgres:postgres "$OUT/pg"; chmod 755 "$OUT"
timeout 120 runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DATA" --auth=trust --username=postgres --encoding=UTF8 >"$OUT/pg-initdb.log" 2>&1
# Defaults otherwise (fsync on, synchronous_commit on): a committed lease is on disk for both servers.
timeout 90 ip netns exec "$NS_S" runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$OUT/pg/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $OUT/pg -c max_connections=100" start >/dev/null
PG_STARTED=1
psql_() { ip netns exec "$NS_S" psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
psql_ -c "CREATE DATABASE kea" -c "CREATE DATABASE nodefoundry"
timeout 60 ip netns exec "$NS_S" kea-admin db-init pgsql -h 127.0.0.1 -P "$PG_PORT" -u postgres -p unused -n kea >"$OUT/kea-admin.log" 2>&1 \
  || { cat "$OUT/kea-admin.log" >&2; echo "kea-admin db-init pgsql failed" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------- servers
start_server() {  # $1 = kea|nodefoundry -> SERVER_PID, SERVER_DIR
  local name=$1 dir="$OUT/$1"
  rm -rf "$dir"; mkdir -p "$dir"
  if [ "$name" = kea ]; then
    cat >"$dir/kea.json" <<JSON
{ "Dhcp4": {
  "interfaces-config": { "interfaces": [ "$IF_S" ], "dhcp-socket-type": "udp" },
  "lease-database": { "type": "postgresql", "name": "kea", "host": "127.0.0.1", "port": $PG_PORT, "user": "postgres", "password": "unused" },
  "valid-lifetime": 43200,
  "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.10 - 192.0.2.250" } ],
      "relay": { "ip-addresses": [ "192.0.2.2" ] }, "option-data": [ { "name": "routers", "data": "192.0.2.1" } ] } ],
  "loggers": [ { "name": "kea-dhcp4", "severity": "INFO", "output_options": [ { "output": "$dir/kea.log", "flush": true } ] } ]
} }
JSON
    KEA_PIDFILE_DIR="$dir" KEA_LOCKFILE_DIR="$dir" ip netns exec "$NS_S" kea-dhcp4 -c "$dir/kea.json" >"$dir/stdout.log" 2>&1 &
    SERVER_PID=$!; PIDS+=("$SERVER_PID")
    wait_for_line "$dir/kea.log" DHCP4_STARTED "$SERVER_PID" 150 || { cat "$dir/stdout.log" "$dir/kea.log" >&2 2>/dev/null; echo "kea did not start" >&2; exit 1; }
  else
    printf 'Host=127.0.0.1;Port=%s;Username=postgres;Database=nodefoundry\n' "$PG_PORT" >"$dir/pg.conn"
    cp bench/pg/fleet.yaml "$dir/fleet.yaml"
    ip netns exec "$NS_S" dotnet "$OUT/host/nodefoundry.dll" serve --config "$dir/fleet.yaml" --interface "$IF_S" --no-tftp --no-http \
      >"$dir/stdout.log" 2>&1 &
    SERVER_PID=$!; PIDS+=("$SERVER_PID")
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

perfdhcp_run() {  # $1 = rate, $2 = seconds, $3 = output file
  ip netns exec "$NS_C" timeout $(($2 + 20)) perfdhcp -4 -l "$IF_C" -r "$1" -R "$CLIENTS" -p "$2" "$SERVER_IP" >"$3" 2>&1 || true
}

# "rate discovers_sent offers acks" from a perfdhcp basic-scenario report.
perfdhcp_parse() {
  awk '
    /^Rate:/ { rate = $2 }
    /Statistics for: DISCOVER-OFFER/ { s = "do" }
    /Statistics for: REQUEST-ACK/ { s = "ra" }
    /^sent packets:/ { if (s == "do") dsent = $3 }
    /^received packets:/ { if (s == "ra") acks = $3 }
    END { printf "%s %s %s\n", (rate == "" ? 0 : rate), dsent + 0, acks + 0 }' "$1"
}

cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_cpu_ticks() {  # every PostgreSQL process's utime+stime (the backends do the lease writes for both servers)
  local total=0 p
  for p in $(pgrep -u postgres -f "$PG_DATA" ; pgrep -u postgres -P "$(head -n1 "$PG_DATA/postmaster.pid")"); do
    total=$((total + $(cpu_ticks "$p")))
  done
  echo "$total"
}
CLK_TCK=$(getconf CLK_TCK)

RESULTS="$OUT/results.tsv"
printf 'server\toffered/s\tsent/s\tDORA/s\tdrops%%\tserver_cpu%%\tpostgres_cpu%%\n' >"$RESULTS"
for server in $SERVERS; do
  log "== $server"
  start_server "$server"
  perfdhcp_run 200 3 "$SERVER_DIR/warmup.txt"   # same warm-up for both (JIT, the same 200 leases)
  for rate in $RATES; do
    c0=$(cpu_ticks "$SERVER_PID"); p0=$(pg_cpu_ticks)
    perfdhcp_run "$rate" "$DURATION" "$SERVER_DIR/perfdhcp-$rate.txt"
    c1=$(cpu_ticks "$SERVER_PID"); p1=$(pg_cpu_ticks)
    read -r dora sent acks < <(perfdhcp_parse "$SERVER_DIR/perfdhcp-$rate.txt")
    awk -v s="$server" -v r="$rate" -v d="$dora" -v n="$sent" -v a="$acks" -v dur="$DURATION" -v c=$((c1 - c0)) -v p=$((p1 - p0)) -v hz="$CLK_TCK" \
      'BEGIN { printf "%s\t%d\t%.0f\t%.0f\t%.2f\t%.0f\t%.0f\n", s, r, n / dur, d, (n > 0 ? 100 * (1 - a / n) : 100), 100 * c / hz / dur, 100 * p / hz / dur }' >>"$RESULTS"
    log "$(tail -n 1 "$RESULTS")"
  done
  stop_server
done

# Best sustained: the highest offered rate at which that step and every lower one had drops < 1%.
best() { awk -F'\t' -v s="$1" 'BEGIN { ok = 1 } $1 == s { if (ok && $5 < 1) b = $4; else ok = 0 } END { print b + 0 }' "$RESULTS"; }
peak() { awk -F'\t' -v s="$1" '$1 == s && $4 > p { p = $4 } END { print p + 0 }' "$RESULTS"; }
REPORT="$OUT/report.txt"
{
  echo "PostgreSQL lease store benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg), ${SECONDS}s"
  column -t -s $'\t' "$RESULTS"
  kea=$(best kea); nf=$(best nodefoundry)
  echo "best sustained DORA/s (drops < 1% at that rate and every lower one): kea-postgresql $kea, nodefoundry-postgresql $nf"
  awk -v k="$kea" -v n="$nf" 'BEGIN { if (k > 0) printf "ratio nodefoundry / kea (best sustained): %.2f\n", n / k; else print "ratio: kea sustained no step" }'
  kpeak=$(peak kea); npeak=$(peak nodefoundry)
  echo "peak completed DORA/s at any offered rate (drops allowed): kea-postgresql $kpeak, nodefoundry-postgresql $npeak"
  awk -v k="$kpeak" -v n="$npeak" 'BEGIN { if (k > 0) printf "ratio nodefoundry / kea (peak completed): %.2f\n", n / k }'
  echo "rows: kea lease4 $(psql_ -d kea -c 'SELECT count(*) FROM lease4'), nodefoundry nf_lease $(psql_ -d nodefoundry -c 'SELECT count(*) FROM nf_lease')"
} | tee "$REPORT"
