#!/usr/bin/env bash
# Boot storm side by side (a benchmark, not a test): the same simulated fleet (`nodefoundry storm`, the engine's
# FleetSimulator) against (a) NodeFoundry `serve` and (b) dnsmasq (DHCP + TFTP) with nginx (HTTP), configured
# equivalently, in test-owned network namespaces joined by a veth; the server's egress shaped by
# `tc tbf rate 1gbit`; with LOSS=1 the simulator's UDP (DHCP both ways, TFTP both ways) passes through seeded
# impairment relays, each a process of its own (`nodefoundry impair`), not inside the simulator. Each storm gets a
# fresh server; its CPU time and peak RSS come from /proc. Prints one table and writes $OUT/results.tsv.
# Usage: sudo bench/storm/run.sh
# Environment: NODES="100 500 2000"  LOSS="0 1"  SERVERS="nodefoundry dnsmasq"  KERNEL_MIB=1  INITRD_MIB=3
#   NBP_KIB=72  SOURCES=241  RIPPLE=0  DEADLINE=600  SEED=2026  SKIP_BUILD=1  OUT=<folder>
#   CLIENT_NICE=0 (nice of the simulator and the relays; -10 measured worse: it starves the server, docs/performance.md)
#   RELAY_NICE=$CLIENT_NICE (nice of the relays alone: they stand for the network, which the server cannot starve)
#   CLIENT_CPUS= / SERVER_CPUS= (taskset CPU lists, e.g. 1 and 0; empty = no pinning)
#   NF_TFTP="key: value; key: value" (a tftp: section appended to NodeFoundry's bench fleet, for A/B runs)
#   NF_HTTP="key: value; key: value" (an http: section likewise; default "egressMbps: 1000", the link's rate: the
#     downloads paced to what TFTP leaves of it; NF_HTTP="" unpaced)
#   NF_ENV="VAR=value ..." (extra environment for nodefoundry serve, for A/B runs, as in bench/dhcp)
#   LINK_QUEUE=fifo (tbf's own drop-tail queue) or pfifo_fast (under the tbf, three priority bands by socket priority:
#     this machine's default qdisc; fq_codel, fq, sfq and prio are not in this kernel)
# Network rule: every interface address is in 192.0.2.0/24 (TEST-NET-1): server 192.0.2.1 in netns nfst-s; client
# 192.0.2.2, relay/giaddr 192.0.2.3 and the node source addresses 192.0.2.10-.250 in netns nfst-c. The leased pool
# 198.18.0.0/16 (RFC 2544 benchmarking block) appears only inside DHCP payloads (yiaddr, router): no interface carries
# it, no route leads to it and no packet is sent to it — every DHCP reply goes to the relay address, as in
# bench/dhcp/run.sh. Both namespaces are deleted on exit (trap); only PIDs this script started are stopped; every
# wait is bounded.
set -euo pipefail
cd "$(dirname "$0")/../.."

NODES=${NODES:-"100 500 2000"}
LOSS=${LOSS:-"0 1"}
SERVERS=${SERVERS:-"nodefoundry dnsmasq"}
KERNEL_MIB=${KERNEL_MIB:-1}
INITRD_MIB=${INITRD_MIB:-3}
NBP_KIB=${NBP_KIB:-72}
SOURCES=${SOURCES:-241}
RIPPLE=${RIPPLE:-0}
DEADLINE=${DEADLINE:-600}
SEED=${SEED:-2026}
CLIENT_NICE=${CLIENT_NICE:-0}
NF_TFTP=${NF_TFTP:-}
# The fleet declares its link: NodeFoundry paces its downloads to 1 Gbit/s on the wire, TFTP first (docs/http-server.md,
# boot storm run 12). NF_HTTP="" runs it unpaced.
NF_HTTP=${NF_HTTP-egressMbps: 1000}
LINK_QUEUE=${LINK_QUEUE:-fifo}
RELAY_NICE=${RELAY_NICE:-$CLIENT_NICE}
CLIENT_CPUS=${CLIENT_CPUS:-}
SERVER_CPUS=${SERVER_CPUS:-}
NS_S=nfst-s
NS_C=nfst-c
IF_S=nfst-s0
IF_C=nfst-c0
SERVER_IP=192.0.2.1
CLIENT_IP=192.0.2.2
RELAY_IP=192.0.2.3
FIRST_SOURCE=10            # node source addresses 192.0.2.10 .. 192.0.2.(9 + SOURCES)
# Relay ports in nfst-c when LOSS > 0 (the server still answers giaddr on 67, where the reply relay listens).
SIM_REPLY_PORT=6767        # the simulator's DHCP reply socket behind the reply relay
DHCP_RELAY_PORT=6768       # the request relay, in front of the server's port 67
TFTP_RELAY_PORT=6969       # the TFTP relay, in front of the server's port 69
LINK_BPS=1000000000

REPO=$(pwd)
[ -f "$REPO/NodeFoundry.slnx" ] && [ -f "$REPO/bench/storm/fleet.yaml" ] || { echo "run from the repository root: sudo bench/storm/run.sh" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces): sudo bench/storm/run.sh" >&2; exit 2; }
for v in KERNEL_MIB INITRD_MIB NBP_KIB SOURCES RIPPLE DEADLINE SEED; do
  case "${!v}" in ''|*[!0-9]*) echo "$v must be a whole number" >&2; exit 2;; esac
done
[ "$SOURCES" -ge 1 ] && [ "$SOURCES" -le 241 ] || { echo "SOURCES must be 1..241 (192.0.2.10-.250)" >&2; exit 2; }
case "$CLIENT_NICE" in ''|*[!0-9-]*) echo "CLIENT_NICE must be a whole number (-20..19)" >&2; exit 2;; esac
[ "$CLIENT_NICE" -ge -20 ] && [ "$CLIENT_NICE" -le 19 ] || { echo "CLIENT_NICE must be -20..19" >&2; exit 2; }
case "$RELAY_NICE" in ''|*[!0-9-]*) echo "RELAY_NICE must be a whole number (-20..19)" >&2; exit 2;; esac
[ "$RELAY_NICE" -ge -20 ] && [ "$RELAY_NICE" -le 19 ] || { echo "RELAY_NICE must be -20..19" >&2; exit 2; }
[ "$DEADLINE" -ge 10 ] && [ "$DEADLINE" -le 3600 ] || { echo "DEADLINE must be 10..3600 s" >&2; exit 2; }
case "$LINK_QUEUE" in fifo|pfifo_fast) ;; *) echo "LINK_QUEUE must be fifo or pfifo_fast" >&2; exit 2;; esac

# log, stop_pid, as_user, publish_into_out
source bench/lib.sh   # the working directory is the repository root here

# nginx is not in .ci/run's package list (dnsmasq-base is); install it here if missing, said out loud.
if ! command -v nginx >/dev/null; then
  log "installing nginx-light (apt-get install -y)"
  timeout 600 apt-get install -y nginx-light >/dev/null || timeout 600 apt-get install -y nginx >/dev/null \
    || { echo "could not install nginx" >&2; exit 2; }
fi
for tool in ip tc nginx dnsmasq curl dotnet timeout awk jq getconf nice taskset; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done
CLK_TCK=$(getconf CLK_TCK)

OUT=${OUT:-$(mktemp -d /tmp/nfstorm.XXXXXX)}
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
# One TFTP root and one HTTP root, served by both setups. The NBP stands in for undionly.kpxe (~70 KiB).
mkdir -p "$OUT/tftp" "$OUT/http"
head -c $((NBP_KIB * 1024)) /dev/urandom >"$OUT/tftp/undionly.kpxe"
head -c $((KERNEL_MIB * 1024 * 1024)) /dev/urandom >"$OUT/http/vmlinuz"
head -c $((INITRD_MIB * 1024 * 1024)) /dev/urandom >"$OUT/http/initrd.img"
printf '#!ipxe\nkernel http://%s/vmlinuz console=ttyS0\ninitrd http://%s/initrd.img\nboot\n' "$SERVER_IP" "$SERVER_IP" >"$OUT/http/boot.ipxe"
chmod -R a+rX "$OUT"

# ---------------------------------------------------------------------------------------------- network
for ns in "$NS_S" "$NS_C"; do
  if ip netns list | awk '{print $1}' | grep -qx "$ns"; then
    [ -z "$(ip netns pids "$ns")" ] || { echo "netns $ns exists and has processes; is another bench running?" >&2; exit 1; }
    ip netns del "$ns"
  fi
done
ip netns add "$NS_S"
ip netns add "$NS_C"
ip link add "$IF_S" netns "$NS_S" type veth peer name "$IF_C" netns "$NS_C"
ip -n "$NS_S" addr add "$SERVER_IP/24" dev "$IF_S"
ip -n "$NS_C" addr add "$CLIENT_IP/24" dev "$IF_C"
ip -n "$NS_C" addr add "$RELAY_IP/32" dev "$IF_C"
# Node source addresses: SOURCES addresses, nodes take them round robin (one address per ~N/SOURCES nodes).
for i in $(seq "$FIRST_SOURCE" $((FIRST_SOURCE + SOURCES - 1))); do echo "addr add 192.0.2.$i/32 dev $IF_C"; done | ip -n "$NS_C" -batch -
for ns in "$NS_S" "$NS_C"; do ip -n "$ns" link set lo up; done
ip -n "$NS_S" link set "$IF_S" up
ip -n "$NS_C" link set "$IF_C" up
# No route to 198.18.0.0/16: the leased addresses are payload only, a packet sent to one would fail (ENETUNREACH).
# 1 Gbit/s on the server's egress: the download direction of TFTP and HTTP.
ip netns exec "$NS_S" tc qdisc add dev "$IF_S" root handle 1: tbf rate 1gbit burst 256kb latency 50ms
# LINK_QUEUE=pfifo_fast: the tbf's queue becomes Linux's default three-band queue (a packet's band by its socket
# priority; bulk TCP in band 1), txqueuelen 4300 per band. It counts packets, not bytes, and TCP hands it GSO packets of
# up to 64 KiB, so it most likely holds far more than the tbf's own 50 ms: it delays rather than drops
# (docs/performance.md, run 9 P: 0–4,546 drops per 2,000-node storm against 200,000+ with the tbf's own queue). The rate limit is the same. A model variant of the server's egress, not the default.
if [ "$LINK_QUEUE" = pfifo_fast ]; then
  ip -n "$NS_S" link set dev "$IF_S" txqueuelen 4300
  ip netns exec "$NS_S" tc qdisc add dev "$IF_S" parent 1:1 handle 10: pfifo_fast
fi
# TCP congestion control is the kernel's default in both namespaces (bbr on this machine: new namespaces inherit it).

# ---------------------------------------------------------------------------------------------- servers
write_dnsmasq_conf() {
  local dir=$1
  cat >"$dir/dnsmasq.conf" <<CONF
# DHCP + TFTP only (no DNS), on the server veth; relayed requests from giaddr $RELAY_IP, which is in the
# interface's own subnet: shared-network (dnsmasq >= 2.87) lets that relay be served the 198.18.0.0/16 range,
# as NodeFoundry's relayAgents does. Router option as NodeFoundry's scope sends it (payload only).
port=0
interface=$IF_S
bind-interfaces
user=root
dhcp-authoritative
dhcp-range=198.18.0.10,198.18.31.250,255.255.0.0,5m
shared-network=$RELAY_IP,198.18.0.0
dhcp-option=option:router,198.18.0.1
dhcp-lease-max=10000
dhcp-leasefile=$dir/dnsmasq.leases
# NodeFoundry never pings before offering; dnsmasq's ping check costs ~3 s per new client (firmware-lab.md).
no-ping
dhcp-userclass=set:ipxe,iPXE
dhcp-boot=tag:!ipxe,undionly.kpxe,,$SERVER_IP
dhcp-boot=tag:ipxe,http://$SERVER_IP/boot.ipxe
enable-tftp
tftp-root=$OUT/tftp
log-facility=$dir/dnsmasq.log
CONF
}

# Scheduling: the simulated nodes and the relays stand for real hardware, which the server's CPU use cannot starve;
# on this one machine they get a higher priority (CLIENT_NICE) and, optionally, CPUs of their own (taskset).
SERVER_RUN=(); [ -z "$SERVER_CPUS" ] || SERVER_RUN=(taskset -c "$SERVER_CPUS")
CLIENT_RUN=(nice -n "$CLIENT_NICE"); [ -z "$CLIENT_CPUS" ] || CLIENT_RUN+=(taskset -c "$CLIENT_CPUS")
RELAY_RUN=(nice -n "$RELAY_NICE"); [ -z "$CLIENT_CPUS" ] || RELAY_RUN+=(taskset -c "$CLIENT_CPUS")

SERVER_PIDS=()
# start_server NAME DIR -> SERVER_PIDS; waits (bounded) until HTTP answers and UDP 67 and 69 are bound.
start_server() {
  local name=$1 dir=$2 i
  SERVER_PIDS=()
  if [ "$name" = dnsmasq ]; then
    write_dnsmasq_conf "$dir"
    write_nginx_conf "$dir" "$OUT/http" "$SERVER_IP:80" 8192 backlog=4096
    ip netns exec "$NS_S" "${SERVER_RUN[@]}" dnsmasq --keep-in-foreground --conf-file="$dir/dnsmasq.conf" >"$dir/dnsmasq.stdout" 2>&1 &
    SERVER_PIDS+=($!)
    ip netns exec "$NS_S" "${SERVER_RUN[@]}" nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/error.log" -g 'daemon off;' >"$dir/nginx.stdout" 2>&1 &
    SERVER_PIDS+=($!)
  else
    sed "s|^  tftpRoot: tftp|  tftpRoot: $OUT/tftp|; s|^  httpRoot: http|  httpRoot: $OUT/http|; s|^  stateDirectory: state|  stateDirectory: $dir/state|" \
      bench/storm/fleet.yaml >"$dir/fleet.yaml"
    if [ -n "$NF_TFTP" ]; then
      { echo; echo "tftp:"; echo "$NF_TFTP" | tr ';' '\n' | sed 's/^ */  /'; } >>"$dir/fleet.yaml"
    fi
    if [ -n "$NF_HTTP" ]; then
      { echo; echo "http:"; echo "$NF_HTTP" | tr ';' '\n' | sed 's/^ */  /'; } >>"$dir/fleet.yaml"
    fi
    # shellcheck disable=SC2086  # NF_ENV is a list of VAR=value words
    env ${NF_ENV:-} ip netns exec "$NS_S" "${SERVER_RUN[@]}" dotnet "$OUT/host/nodefoundry.dll" serve --config "$dir/fleet.yaml" --interface "$IF_S" >"$dir/stdout.log" 2>&1 &
    SERVER_PIDS+=($!)
  fi
  PIDS+=("${SERVER_PIDS[@]}")
  for i in $(seq 1 300); do
    if ip netns exec "$NS_C" curl -sf -o /dev/null --max-time 1 "http://$SERVER_IP/boot.ipxe" \
       && [ -n "$(ip netns exec "$NS_S" ss -Hlun 'sport = :67')" ] && [ -n "$(ip netns exec "$NS_S" ss -Hlun 'sport = :69')" ]; then
      return 0
    fi
    for p in "${SERVER_PIDS[@]}"; do kill -0 "$p" 2>/dev/null || { tail -n 30 "$dir"/*.log "$dir"/*.stdout 2>/dev/null >&2; echo "$name exited at start" >&2; exit 1; }; done
    sleep 0.1
  done
  tail -n 30 "$dir"/*.log 2>/dev/null >&2; echo "$name did not start within 30 s" >&2; exit 1
}
stop_server() {
  local p rest=()
  for p in "${SERVER_PIDS[@]}"; do stop_pid "$p"; done
  for p in "${PIDS[@]}"; do [[ " ${SERVER_PIDS[*]} " == *" $p "* ]] || rest+=("$p"); done
  PIDS=("${rest[@]}")
}

# The server's processes: what we started plus their children (nginx's workers).
server_tree() {
  local p
  for p in "${SERVER_PIDS[@]}"; do echo "$p"; pgrep -P "$p" 2>/dev/null || true; done
}
# CPU seconds (utime + stime, /proc/PID/stat fields 14 and 15) of the server's processes.
server_cpu() {
  local p total=0 t
  for p in $(server_tree); do
    t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null || echo 0)
    total=$((total + t))
  done
  awk -v t="$total" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f\n", t / hz }'
}
# Peak RSS in MiB (VmHWM) summed over the server's processes.
server_hwm() {
  local p total=0 k
  for p in $(server_tree); do
    k=$(awk '/^VmHWM:/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)
    total=$((total + ${k:-0}))
  done
  awk -v k="$total" 'BEGIN { printf "%.1f\n", k / 1024 }'
}

# Per-thread scheduler time of the server (thread name, run ns, run-queue wait ns; /proc/<pid>/task/<tid>/schedstat),
# one line per thread: threads_sched > FILE. thread_report BEFORE AFTER sums the difference by thread name, most CPU
# first. The wait column is what said, in run 12, that the TFTP loop was starved of CPU rather than slow.
threads_sched() {
  local p t
  for p in $(server_tree); do
    for t in /proc/"$p"/task/*; do
      printf '%s %s %s\n' "${t##*/}" "$(tr ' ' '_' <"$t/comm" 2>/dev/null)" "$(cut -d' ' -f1,2 "$t/schedstat" 2>/dev/null)"
    done
  done
}
thread_report() {
  awk 'NR == FNR { run[$1] = $3; wait[$1] = $4; next }
       { r[$2] += ($3 - run[$1]) / 1e9; w[$2] += ($4 - wait[$1]) / 1e9 }
       END { for (n in r) if (r[n] >= 0.01) printf "%-20s run %7.2f s  run-queue wait %7.2f s\n", n, r[n], w[n] }' "$1" "$2" | sort -k3 -rn
}
# Machine-wide CPU (all cores) in clock ticks: "busy softirq total" from /proc/stat's cpu line.
machine_cpu() { awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, $8, t }' /proc/stat; }

# Packets the tbf on the server's egress dropped so far (its queue holds ~50 ms at 1 Gbit/s).
# With LINK_QUEUE=pfifo_fast the child's drops are counted as well (summed over the device's qdiscs).
tbf_drops() { ip netns exec "$NS_S" tc -s qdisc show dev "$IF_S" | awk '/dropped/ { sub(",", "", $7); n += $7 } END { print n + 0 }'; }
# UDP datagrams a namespace's kernel dropped because a socket's receive queue was full (/proc/net/snmp is per namespace).
rcvbuf_errors() { ip netns exec "$1" awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "RcvbufErrors") c = i; h = 1 } else print $c }' /proc/net/snmp; }

# ---------------------------------------------------------------------------------------------- relays
RELAY_PIDS=()
# start_relays LOSS DIR -> RELAY_PIDS: three `nodefoundry impair` processes in the client namespace, each its own
# process (so a stall of the simulator is not a stall of the path): DHCP requests (relay:6768 -> server:67), DHCP
# replies (relay:67, where the server answers giaddr -> the simulator's relay:6767), TFTP both ways (relay:6969 ->
# server:69, mirroring the server's transfer ports). Waits (bounded) until all three are bound.
start_relays() {
  local loss=$1 dir=$2 i lifetime=$((DEADLINE + 180))
  RELAY_PIDS=()
  ip netns exec "$NS_C" "${RELAY_RUN[@]}" dotnet "$OUT/host/nodefoundry.dll" impair --listen "$RELAY_IP:$DHCP_RELAY_PORT" \
    --target "$SERVER_IP:67" --upstream "$RELAY_IP" --loss "$loss" --seed "$SEED" --lifetime "$lifetime" >"$dir/impair-dhcp-requests.txt" 2>&1 &
  RELAY_PIDS+=($!)
  ip netns exec "$NS_C" "${RELAY_RUN[@]}" dotnet "$OUT/host/nodefoundry.dll" impair --listen "$RELAY_IP:67" \
    --target "$RELAY_IP:$SIM_REPLY_PORT" --upstream "$RELAY_IP" --loss "$loss" --seed $((SEED + 1)) --lifetime "$lifetime" >"$dir/impair-dhcp-replies.txt" 2>&1 &
  RELAY_PIDS+=($!)
  # --upstream: the relay's server-side sockets on the relay address, not the wildcard. On the wildcard they also caught
  # datagrams for a node address whose ROM had closed its port: a transfer's last block, resent after its final ACK
  # was lost, reached whichever later ROM's mapping held that port number, as a stray DATA before its OACK (the rare
  # Nbp/ProtocolViolation of runs 12 and 13, with either server).
  ip netns exec "$NS_C" "${RELAY_RUN[@]}" dotnet "$OUT/host/nodefoundry.dll" impair --listen "$RELAY_IP:$TFTP_RELAY_PORT" \
    --target "$SERVER_IP:69" --upstream "$RELAY_IP" --loss "$loss" --loss-to-clients "$loss" --seed $((SEED + 2)) --lifetime "$lifetime" \
    --max-mappings $(( n * 2 > 4096 ? n * 2 : 4096 )) >"$dir/impair-tftp.txt" 2>&1 &
  RELAY_PIDS+=($!)
  PIDS+=("${RELAY_PIDS[@]}")
  for i in $(seq 1 300); do
    if [ -n "$(ip netns exec "$NS_C" ss -Hlun "( sport = :$DHCP_RELAY_PORT or sport = :67 or sport = :$TFTP_RELAY_PORT )" | awk 'END { if (NR == 3) print "ok" }')" ]; then
      return 0
    fi
    for p in "${RELAY_PIDS[@]}"; do kill -0 "$p" 2>/dev/null || { cat "$dir"/impair-*.txt >&2; echo "a relay exited at start" >&2; exit 1; }; done
    sleep 0.1
  done
  cat "$dir"/impair-*.txt >&2; echo "the relays did not start within 30 s" >&2; exit 1
}
stop_relays() {
  local p rest=()
  for p in "${RELAY_PIDS[@]}"; do stop_pid "$p"; done
  for p in "${PIDS[@]}"; do [[ " ${RELAY_PIDS[*]} " == *" $p "* ]] || rest+=("$p"); done
  PIDS=("${rest[@]}")
  RELAY_PIDS=()
}

# ---------------------------------------------------------------------------------------------- storms
RESULTS="$OUT/results.tsv"
printf 'server\tnodes\tloss\tbooted\tfailed\tfailures\tseconds\tbytes\tlink_seconds\tratio\tcpu_s\trss_mib\tdhcp_retx\ttftp_dup\tp99_discover\tp99_nbp\tp99_initrd\ttbf_drops\tsrv_rcvbuf\tcli_rcvbuf\tload1\tclient_late_max\tclient_late_p99\ttftp_late_reads\n' >"$RESULTS"
SOURCES_ARG="192.0.2.$FIRST_SOURCE/$SOURCES"
for server in $SERVERS; do
  for loss in $LOSS; do
    for n in $NODES; do
      tag="$server-n$n-l$loss"
      dir="$OUT/$tag"; rm -rf "$dir"; mkdir -p "$dir/tmp"
      log "[$tag] starting $server"
      start_server "$server" "$dir"
      # warm-up (JIT, page cache): 5 nodes with MACs of their own, not reported, straight to the server
      ip netns exec "$NS_C" timeout 120 "${CLIENT_RUN[@]}" dotnet "$OUT/host/nodefoundry.dll" storm --dhcp "$SERVER_IP:67" --relay "$RELAY_IP" \
        --nodes 5 --first-mac 02:4e:46:ff:00:00 --sources "$SOURCES_ARG" --deadline 60 --quiet >"$dir/warmup.txt" 2>&1 \
        || log "[$tag] warm-up storm failed (see $dir/warmup.txt)"
      # With loss, the simulator talks to the relays; without, straight to the server.
      storm_path=(--dhcp "$SERVER_IP:67" --reply-port 67)
      if [ "$loss" != 0 ]; then
        start_relays "$loss" "$dir"
        storm_path=(--dhcp "$RELAY_IP:$DHCP_RELAY_PORT" --reply-port "$SIM_REPLY_PORT" --tftp "$RELAY_IP:$TFTP_RELAY_PORT")
      fi
      load1=$(cut -d' ' -f1 /proc/loadavg)
      cpu0=$(server_cpu); drops0=$(tbf_drops); srv0=$(rcvbuf_errors "$NS_S"); cli0=$(rcvbuf_errors "$NS_C")
      threads_sched >"$dir/threads-before.txt"; read -r mbusy0 msoft0 mtotal0 < <(machine_cpu)
      log "[$tag] storm: $n nodes, loss $loss% (load $load1)"
      # The simulator's own CPU (bash's time keyword: the children it waited for), beside the server's in threads.txt.
      { TIMEFORMAT='%U %S'; time { ip netns exec "$NS_C" timeout $((DEADLINE + 120)) "${CLIENT_RUN[@]}" dotnet "$OUT/host/nodefoundry.dll" storm "${storm_path[@]}" --relay "$RELAY_IP" \
        --nodes "$n" --sources "$SOURCES_ARG" --ripple "$RIPPLE" --deadline "$DEADLINE" --seed "$SEED" \
        --json "$dir/report.json" --quiet >"$dir/storm.txt" 2>&1 || true; } ; } 2>"$dir/simulator-cpu.txt"
      threads_sched >"$dir/threads-after.txt"; read -r mbusy1 msoft1 mtotal1 < <(machine_cpu)
      cpu1=$(server_cpu); drops=$(( $(tbf_drops) - drops0 )); srv=$(( $(rcvbuf_errors "$NS_S") - srv0 )); cli=$(( $(rcvbuf_errors "$NS_C") - cli0 ))
      rss=$(server_hwm)
      # Which relay's sockets overflowed (ss -m: d = drops per socket), summed per PID; the simulator has exited by
      # now, so its share is the namespace's rcvbuf drops minus these.
      ip netns exec "$NS_C" ss -Huamnp 2>/dev/null | awk '
        /users:/ { match($0, /pid=[0-9]+/); pid = substr($0, RSTART + 4, RLENGTH - 4); next_is_mem = 1; next }
        next_is_mem && /skmem/ { if (match($0, /,d[0-9]+/)) drops[pid] += substr($0, RSTART + 2, RLENGTH - 2); next_is_mem = 0 }
        END { for (p in drops) printf "pid %s: %d socket-queue drops\n", p, drops[p] }' >"$dir/client-socket-drops.txt" || true
      [ ${#RELAY_PIDS[@]} -eq 0 ] || ps -o pid=,args= -p "$(IFS=,; echo "${RELAY_PIDS[*]}")" >>"$dir/client-socket-drops.txt" 2>/dev/null || true
      stop_relays
      stop_server
      # What the whole machine did meanwhile, and the server's threads: on 2 cores the simulator, the relays and the
      # kernel's packet work share the CPUs with the server, and a starved TFTP loop shows as run-queue wait.
      { awk -v b=$((mbusy1 - mbusy0)) -v s=$((msoft1 - msoft0)) -v t=$((mtotal1 - mtotal0)) -v hz="$(getconf CLK_TCK)" -v cores="$(nproc)" \
          -v sim="$(cat "$dir/simulator-cpu.txt" 2>/dev/null)" \
          'BEGIN { split(sim, c, " "); printf "machine: %.1f of %.1f core-seconds busy (%.0f %%), softirq %.1f s; simulator user %.1f + sys %.1f s\n", b / hz, t / hz, 100 * b / t, s / hz, c[1], c[2] }'
        thread_report "$dir/threads-before.txt" "$dir/threads-after.txt"; } >"$dir/threads.txt" 2>/dev/null || true
      sed -n '1,7p' "$dir/threads.txt" | sed 's/^/  /' >&2
      grep -h "impair counters\|impair lateness" "$dir"/impair-*.txt 2>/dev/null | sed 's/^/  /' >&2 || true
      [ -f "$dir/report.json" ] || { tail -n 20 "$dir/storm.txt" >&2; log "[$tag] no report"; continue; }
      cpu=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }')
      jq -r --arg s "$server" --arg cpu "$cpu" --arg rss "$rss" --argjson bps "$LINK_BPS" --arg drops "$drops" --arg srv "$srv" --arg cli "$cli" \
        --arg loss "$loss" --arg load "$load1" '
        def p99(name): (.stages[] | select(.stage == name) | .p99Seconds);
        [ $s, .nodes, $loss, .booted, .failed,
          (if (.failures | length) == 0 then "-" else ([.failures[] | "\(.stage)/\(.cause)x\(.count)"] | join(" ")) end),
          .durationSeconds, .bytesMoved, (.bytesMoved * 8 / $bps),
          (if .bytesMoved > 0 then .durationSeconds / (.bytesMoved * 8 / $bps) else 0 end),
          $cpu, $rss, .dhcpRetransmits, .tftpDuplicateBlocks, p99("Discover"), p99("Nbp"), p99("Initrd"), $drops, $srv, $cli,
          $load, (.clientLateness.maxSeconds // 0), (.clientLateness.p99Seconds // 0), (.tftpLateReads // 0) ] | @tsv' \
        "$dir/report.json" >>"$RESULTS"
      tail -n 1 "$RESULTS" | awk -F'\t' '{ printf "%s n=%s loss=%s%%: %s booted, %s failed (%s) in %.2f s; link limit %.2f s (ratio %.2f); cpu %s s, rss %s MiB; tbf drops %s, rcvbuf drops %s/%s\n", $1, $2, $3, $4, $5, $6, $7, $9, $10, $11, $12, $18, $19, $20 }' >&2
    done
  done
done

# ---------------------------------------------------------------------------------------------- report
echo
echo "Boot storm: KERNEL ${KERNEL_MIB} MiB + INITRD ${INITRD_MIB} MiB over HTTP, NBP ${NBP_KIB} KiB over TFTP, per node; tbf 1 Gbit/s on the server's egress; ripple ${RIPPLE} s; seed $SEED"
echo
printf '| server | nodes | loss | failures | time to all booted | bytes | link limit (bytes ÷ 1 Gbit/s) | ratio | server CPU | peak RSS | DHCP retransmits | p99 DHCP offer / NBP / initrd | tbf drops | rcvbuf drops server / client | load | simulator lateness max / p99 | TFTP late reads |\n'
printf '|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---:|---|---:|\n'
awk -F'\t' 'NR > 1 {
  label = ($1 == "dnsmasq") ? "dnsmasq+nginx" : $1
  fails = ($5 == 0) ? "0" : sprintf("%s (%s)", $5, $6)
  t = ($5 == 0) ? sprintf("%.2f s", $7) : sprintf("(%.2f s, not all)", $7)
  printf "| %s | %s | %s%% | %s | %s | %.1f MB | %.2f s | %.2f | %s s | %s MiB | %s | %.2f / %.2f / %.2f s | %s | %s / %s | %s | %.2f / %.2f s | %s |\n", label, $2, $3, fails, t, $8 / 1e6, $9, $10, $11, $12, $13, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24 }' "$RESULTS"
echo
echo "results: $RESULTS (per storm: report.json, storm.txt and the server's logs in $OUT/<server>-n<nodes>-l<loss>/)"
