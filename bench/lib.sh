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
