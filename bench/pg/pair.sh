#!/usr/bin/env bash
# Two NodeFoundry servers sharing one PostgreSQL lease database under load: how many grants the database refuses
# (each one a NAK, and a client that starts DHCP over) when both allocate from one range at once. Each server gets
# its own perfdhcp (acting as a relay) with its own clients, at the same time. Optionally the same run for an older
# build, so a change to allocation is measured against what it replaced. Not a unit test; CI does not run it.
# Run as root from the repository root:
#
#   sudo bench/pg/pair.sh                     # this working tree
#   sudo BASE=09023dd bench/pg/pair.sh        # and the build of commit 09023dd, same run, same load
#   sudo KEA=1 bench/pg/pair.sh               # and two Kea 2.2 kea-dhcp4 sharing their PostgreSQL lease database
#
# Knobs (environment): RATE=400 (DORA/s per server)  DURATION=10 (s)  CLIENTS=1500 (new clients per server)
#   ROUNDS=3  BASE=<commit>  KEA=1  KEA_SEVERITY=INFO (DEBUG logs Kea's NAKs and why)  OUT=<results folder>
#   SKIP_BUILD=1 (reuse OUT's builds)
#
# Where each server starts allocating in the range is a hash of host name and server address
# (LeaseStores.AllocationStartFor), so the host name decides where the two meet: run it under other names with
# `unshare --uts sh -c 'hostname NAME; bench/pg/pair.sh'`. Refusals are counted from the servers' logs: "taken ...
# through another server" (the database refused the grant) and AddressInUse (a REQUEST for an address offered before
# the server learned another server had granted it). For every server, perfdhcp's REQUEST-ACK drops count the NAKs
# too (perfdhcp ignores a NAK and times the exchange out): the one column Kea and NodeFoundry share.
#
# Network rule: all traffic stays inside the three namespaces this script creates (nfpp-a: server A 192.0.2.1,
# nfpp-b: server B 192.0.2.4, nfpp-r: a bridge with the relays 192.0.2.2 and 192.0.2.3 where perfdhcp runs). Leased
# addresses (198.18.0.0/20, RFC 2544 benchmarking space) only appear inside DHCP payloads. PostgreSQL listens on a
# Unix socket in OUT only (no TCP). Every wait is bounded; only processes this script started are stopped, by PID.
set -euo pipefail

RATE=${RATE:-400}
DURATION=${DURATION:-10}
CLIENTS=${CLIENTS:-1500}
ROUNDS=${ROUNDS:-3}
BASE=${BASE:-}
KEA=${KEA:-0}
NS_A=nfpp-a
NS_B=nfpp-b
NS_R=nfpp-r

REPO=$(pwd)
[ -f "$REPO/NodeFoundry.slnx" ] && [ -f "$REPO/bench/pg/pair.sh" ] || { echo "run from the repository root: sudo bench/pg/pair.sh" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces): sudo bench/pg/pair.sh" >&2; exit 2; }
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$PG_BIN/initdb" ] || { echo "missing PostgreSQL (.ci/run installs postgresql)" >&2; exit 2; }
for tool in ip perfdhcp psql dotnet timeout awk runuser git; do
  command -v "$tool" >/dev/null || { echo "missing $tool (.ci/run installs kea-admin (perfdhcp) and postgresql)" >&2; exit 2; }
done

OUT=${OUT:-$(mktemp -d /tmp/nfpair.XXXXXX)}
mkdir -p "$OUT"
SECONDS=0
PIDS=()
PG_DATA="$OUT/pg/data"
PG_STARTED=0
WORKTREE=""

source bench/lib.sh   # log, stop_pid, as_user, publish_into_out, fresh_netns

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  [ "$PG_STARTED" = 1 ] && timeout 90 runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null 2>&1 || true
  for ns in "$NS_A" "$NS_B" "$NS_R"; do ip netns del "$ns" 2>/dev/null || true; done
  [ -n "$WORKTREE" ] && git -C "$REPO" worktree remove --force "$WORKTREE" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------- builds
BUILDS=(current)
[ -n "$BASE" ] && BUILDS+=(base)
[ "$KEA" = 1 ] && BUILDS+=(kea)
if [ "$KEA" = 1 ] && ! { command -v kea-dhcp4 && command -v kea-admin; } >/dev/null; then
  echo "missing kea-dhcp4/kea-admin (.ci/run installs kea-dhcp4-server, kea-admin)" >&2; exit 2
fi
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building this working tree into $OUT/host-current"
  publish_into_out src/NodeFoundry.Host host-current
  if [ -n "$BASE" ]; then
    WORKTREE="$OUT/base-src"
    as_user git -C "$REPO" worktree add --detach "$WORKTREE" "$BASE" >/dev/null
    log "building $BASE ($(git -C "$REPO" log -1 --format=%s "$BASE" | cut -c1-60)...) into $OUT/host-base"
    (cd "$WORKTREE" && publish_into_out src/NodeFoundry.Host host-base)
  fi
fi

# ---------------------------------------------------------------------------------------------- network
fresh_netns "$NS_A" "$NS_B" "$NS_R"
ip -n "$NS_R" link add nfppbr type bridge
ip -n "$NS_R" addr add 192.0.2.2/24 dev nfppbr
ip -n "$NS_R" addr add 192.0.2.3/24 dev nfppbr
ip -n "$NS_R" link set nfppbr up
attach() {  # $1 = namespace, $2 = short name, $3 = address/24
  ip -n "$1" link add "nfpp${2}0" type veth peer name "nfpp${2}1" netns "$NS_R"
  ip -n "$1" addr add "$3" dev "nfpp${2}0"
  ip -n "$1" link set "nfpp${2}0" up
  ip -n "$NS_R" link set "nfpp${2}1" master nfppbr
  ip -n "$NS_R" link set "nfpp${2}1" up
}
attach "$NS_A" a 192.0.2.1/24
attach "$NS_B" b 192.0.2.4/24

# ---------------------------------------------------------------------------------------------- PostgreSQL
log "initdb + start PostgreSQL ($PG_BIN) on a Unix socket in $OUT/pg"
mkdir -p "$OUT/pg"; chown postgres:postgres "$OUT/pg"; chmod 755 "$OUT"
timeout 120 runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DATA" --auth=trust --username=postgres --encoding=UTF8 >"$OUT/pg-initdb.log" 2>&1
timeout 90 runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$OUT/pg/server.log" -w -t 60 \
  -o "-c listen_addresses='' -k $OUT/pg -c max_connections=100" start >/dev/null
PG_STARTED=1
psql_() { psql -h "$OUT/pg" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

# ---------------------------------------------------------------------------------------------- one round
fleet() {  # $1 = server address, $2 = state folder
  cat <<YAML
server:
  address: $1
  stateDirectory: $2
dhcp:
  maxRequestsPerMacPerSecond: 10000
  scopes:
    - name: racks
      subnet: 198.18.0.0/20
      range: { start: 198.18.0.10, end: 198.18.15.250 }
      leaseTime: 12h
      relayAgents: [192.0.2.2, 192.0.2.3]
storage:
  kind: postgresql
  connection: file:pg.conn
YAML
}

start_serve() {  # $1 = build, $2 = namespace, $3 = address, $4 = folder -> STARTED_PID
  local dir=$4
  mkdir -p "$dir"
  printf 'Host=%s;Username=postgres;Database=%s\n' "$OUT/pg" "$DB" >"$dir/pg.conn"
  fleet "$3" state >"$dir/fleet.yaml"
  (cd "$dir" && exec ip netns exec "$2" dotnet "$OUT/host-$1/nodefoundry.dll" serve --config fleet.yaml --quiet --no-tftp --no-http) \
    >"$dir/stdout.log" 2>&1 &
  STARTED_PID=$!; PIDS+=("$STARTED_PID")
  wait_for_line "$dir/stdout.log" 'nodefoundry: serving' "$STARTED_PID" 600 || { tail -n 30 "$dir/stdout.log" >&2; echo "nodefoundry serve ($1) did not start" >&2; exit 1; }
}

start_kea() {  # $1 = namespace, $2 = its interface, $3 = folder -> STARTED_PID
  local dir=$3
  mkdir -p "$dir"
  cat >"$dir/kea.json" <<JSON
{ "Dhcp4": {
  "interfaces-config": { "interfaces": [ "$2" ], "dhcp-socket-type": "udp" },
  "lease-database": { "type": "postgresql", "name": "$DB", "host": "$OUT/pg", "user": "postgres", "password": "unused" },
  "valid-lifetime": 43200,
  "subnet4": [ { "id": 1, "subnet": "198.18.0.0/20", "pools": [ { "pool": "198.18.0.10 - 198.18.15.250" } ],
      "relay": { "ip-addresses": [ "192.0.2.2", "192.0.2.3" ] } } ],
  "loggers": [ { "name": "kea-dhcp4", "severity": "${KEA_SEVERITY:-INFO}", "debuglevel": 40, "output_options": [ { "output": "$dir/kea.log", "flush": true } ] } ]
} }
JSON
  KEA_PIDFILE_DIR="$dir" KEA_LOCKFILE_DIR="$dir" ip netns exec "$1" kea-dhcp4 -c "$dir/kea.json" >"$dir/stdout.log" 2>&1 &
  STARTED_PID=$!; PIDS+=("$STARTED_PID")
  wait_for_line "$dir/kea.log" DHCP4_STARTED "$STARTED_PID" 150 || { cat "$dir/stdout.log" "$dir/kea.log" >&2 2>/dev/null; echo "kea did not start" >&2; exit 1; }
}

perfdhcp_relay() {  # $1 = relay address, $2 = server, $3 = base MAC, $4 = output file
  ip netns exec "$NS_R" timeout $((DURATION + 20)) perfdhcp -4 -l "$1" -b "mac=$3" -r "$RATE" -R "$CLIENTS" -p "$DURATION" "$2" >"$4" 2>&1 || true
}

acks() { awk '/Statistics for: REQUEST-ACK/ { s = 1 } s && /^received packets:/ { print $3; exit }' "$1"; }
request_drops() { awk '/Statistics for: REQUEST-ACK/ { s = 1 } s && /^drops:/ { print $2; exit }' "$1"; }

RESULTS="$OUT/results.tsv"
printf 'build\tround\tacks_a\tacks_b\trefused_a\trefused_b\tof_which_in_use\trequest_drops\trows\tdistinct_macs\n' >"$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
  for build in "${BUILDS[@]}"; do
    DB="nf_${build}_${round}"
    psql_ -c "CREATE DATABASE $DB"
    dir="$OUT/$build-$round"
    log "== $build, round $round: two servers, one database ($DB), ${RATE}/s each for ${DURATION}s"
    if [ "$build" = kea ]; then
      timeout 60 kea-admin db-init pgsql -h "$OUT/pg" -u postgres -p unused -n "$DB" >"$OUT/kea-admin-$round.log" 2>&1 \
        || { cat "$OUT/kea-admin-$round.log" >&2; echo "kea-admin db-init pgsql failed" >&2; exit 1; }
      start_kea "$NS_A" nfppa0 "$dir/a"; pid_a=$STARTED_PID
      start_kea "$NS_B" nfppb0 "$dir/b"; pid_b=$STARTED_PID
      table=lease4; client=hwaddr
    else
      start_serve "$build" "$NS_A" 192.0.2.1 "$dir/a"; pid_a=$STARTED_PID
      start_serve "$build" "$NS_B" 192.0.2.4 "$dir/b"; pid_b=$STARTED_PID
      table=nf_lease; client=mac
    fi
    sleep 0.5
    perfdhcp_relay 192.0.2.2 192.0.2.1 02:aa:00:00:00:00 "$dir/perfdhcp-a.txt" &
    load_a=$!
    perfdhcp_relay 192.0.2.3 192.0.2.4 02:bb:00:00:00:00 "$dir/perfdhcp-b.txt" &
    load_b=$!
    wait "$load_a" "$load_b" || true
    stop_pid "$pid_a"; stop_pid "$pid_b"
    PIDS=()
    if [ "$build" = kea ]; then refused=("-" "-" "-"); else
      refused=("$(grep -c ' Refused ' "$dir/a/stdout.log" || true)" "$(grep -c ' Refused ' "$dir/b/stdout.log" || true)" \
        "$(cat "$dir/a/stdout.log" "$dir/b/stdout.log" | grep -c 'AddressInUse' || true)")
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$build" "$round" \
      "$(acks "$dir/perfdhcp-a.txt")" "$(acks "$dir/perfdhcp-b.txt")" "${refused[@]}" \
      "$(( $(request_drops "$dir/perfdhcp-a.txt") + $(request_drops "$dir/perfdhcp-b.txt") ))" \
      "$(psql_ -d "$DB" -c "SELECT count(*) FROM $table")" "$(psql_ -d "$DB" -c "SELECT count(DISTINCT $client) FROM $table")" >>"$RESULTS"
    log "$(tail -n 1 "$RESULTS")"
  done
done

REPORT="$OUT/report.txt"
{
  echo "Two servers, one PostgreSQL lease database, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, host $(hostname), ${SECONDS}s"
  echo "each server: its own relay and ${CLIENTS} new clients at ${RATE} DORA/s for ${DURATION}s; refused = NAKs: grants the database gave to the other server's client first, and (of_which_in_use) REQUESTs for addresses offered before the server read that the other had granted them"
  column -t -s $'\t' "$RESULTS"
  for build in "${BUILDS[@]}"; do
    awk -F'\t' -v b="$build" '$1 == b { r += $5 + $6; d += $8; a += $3 + $4; n++ } END { if (n) printf "%s: %s refused, %d REQUEST-ACK drops, %d ACKs in %d rounds\n", b, (b == "kea" ? "-" : r), d, a, n }' "$RESULTS"
  done
} | tee "$REPORT"
