# Shared by the bench/*/run.sh scripts (sourced, not run): logging, stopping only the PIDs a script started, building
# as the invoking user, and publishing the host once. Each script keeps its own PIDS array and cleanup().

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

# Stops one process this script started: TERM, up to 5 s, then KILL; never another PID.
stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# Waits (bounded: TRIES tenths of a second, less if PID exits) until FILE holds PATTERN: wait_for_line FILE PATTERN PID
# TRIES. Returns whether it does.
wait_for_line() {
  local file=$1 pattern=$2 pid=$3 tries=$4 i
  for i in $(seq 1 "$tries"); do grep -q "$pattern" "$file" 2>/dev/null && return 0; kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  grep -q "$pattern" "$file" 2>/dev/null
}

# Builds as the user who ran sudo, so root never owns files in the working tree.
as_user() {
  if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then sudo -u "$SUDO_USER" -H "$@"; else "$@"; fi
}

# dotnet publish of a project into $OUT/<folder> (Release), its log in $OUT/build-<folder>.log; exits on failure.
publish_into_out() {
  local project=$1 folder=$2
  [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ] && chown "$SUDO_USER" "$OUT"
  as_user timeout 900 dotnet publish "$project" -c Release -o "$OUT/$folder" --nologo -v q >"$OUT/build-$folder.log" 2>&1 \
    || { tail -n 30 "$OUT/build-$folder.log" >&2; echo "$project build failed (log: $OUT/build-$folder.log)" >&2; exit 1; }
}

# New namespaces of this script, lo up in each: fresh_netns NS... A leftover namespace of the same name is deleted
# first, unless processes still run in it (another bench): then it exits. The caller's cleanup deletes them.
fresh_netns() {
  local ns
  for ns in "$@"; do
    if ip netns list | awk '{print $1}' | grep -qx "$ns"; then
      [ -z "$(ip netns pids "$ns")" ] || { echo "netns $ns exists and has processes; is another bench running?" >&2; exit 1; }
      ip netns del "$ns"
    fi
    ip netns add "$ns"
    ip -n "$ns" link set lo up
  done
}

# Two namespaces of this script joined by one veth, lo up in both: veth_lab_up NS_S NS_C IF_S IF_C SERVER_IP CLIENT_IP
# (addresses /24, inside 192.0.2.0/24), made by fresh_netns.
veth_lab_up() {
  local ns_s=$1 ns_c=$2 if_s=$3 if_c=$4 ip_s=$5 ip_c=$6
  fresh_netns "$ns_s" "$ns_c"
  ip link add "$if_s" netns "$ns_s" type veth peer name "$if_c" netns "$ns_c"
  ip -n "$ns_s" addr add "$ip_s/24" dev "$if_s"
  ip -n "$ns_c" addr add "$ip_c/24" dev "$if_c"
  ip -n "$ns_s" link set "$if_s" up
  ip -n "$ns_c" link set "$if_c" up
}

# nginx configured like the benches' peer (sendfile, tcp_nopush, long keep-alive, no access log, 2 workers, its pid,
# log and temp files under DIR): write_nginx_conf DIR ROOT LISTEN [WORKER_CONNECTIONS] [LISTEN_OPTIONS]
# Started as: nginx -c DIR/nginx.conf -p DIR -g 'daemon off;'
write_nginx_conf() {
  local dir=$1 root=$2 listen=$3 connections=${4:-1024} options=${5:-}
  mkdir -p "$dir/tmp"
  cat >"$dir/nginx.conf" <<NGX
user root;
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections $connections; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 65;
  keepalive_requests 100000;
  default_type application/octet-stream;
  client_body_temp_path $dir/tmp;
  proxy_temp_path $dir/tmp;
  fastcgi_temp_path $dir/tmp;
  uwsgi_temp_path $dir/tmp;
  scgi_temp_path $dir/tmp;
  server {
    listen $listen${options:+ $options};
    root $root;
  }
}
NGX
}
