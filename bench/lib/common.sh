# bench/lib/common.sh - the parts download-bench.sh, serve-bench.sh and tunnel-bench.sh share: preflight checks,
# the ../shared/wan lab under a namespace prefix, nginx, stopping what the script started, and the machine notes.
# Sourced, never run. Each script keeps its own knobs, profiles and measurement.
#
# Before sourcing, the script sets HERE (its bench/ folder), BENCH_NAME (the log prefix) and NS (the namespace prefix,
# its own default). Sourcing sets the knobs all three share and the lab's names; the functions also read WORK, RAW
# (this run's raw directory), RESULT, NGINX, PARCEL and RUNS where they need them.

REPO="$(cd "$HERE/.." && pwd)"
WAN="${WAN:-$REPO/../shared/wan}"
PARCEL="${PARCEL:-$REPO/cli/target/parcel/bin/parcel}"
PARCEL_HEAP="${PARCEL_HEAP:-256m}"
NS_C="$NS-c"; NS_S="$NS-s"; NS_R="$NS-r"
SERVER_IP=198.18.0.2

log() { echo "$BENCH_NAME: $*" >&2; }
die() { log "$*"; exit 1; }

# ------------------------------------------------------------------------------------------------ preflight
require_root() { [ "$(id -u)" = 0 ] || die "needs root (network namespaces); run with sudo"; }

# require_tools HINT TOOL...: dies naming the first missing tool and HINT (what to apt-get install).
require_tools() {
  local hint="$1" tool
  shift
  for tool in "$@"; do
    command -v "$tool" >/dev/null || die "missing $tool (apt-get install $hint)"
  done
}

require_parcel() { [ -x "$PARCEL" ] || die "no parcel distribution at $PARCEL (./mvnw package builds it)"; }

# Sets and exports NL_BIN (netem-lite, which wan-up.sh runs): $WAN/netem-lite when built there, else
# /tmp/netem-lite; builds it when missing (../shared/wan may be read-only).
ensure_netem_lite() {
  if [ -z "${NL_BIN:-}" ]; then
    if [ -x "$WAN/netem-lite" ]; then NL_BIN="$WAN/netem-lite"; else NL_BIN=/tmp/netem-lite; fi
  fi
  export NL_BIN
  if [ ! -x "$NL_BIN" ]; then
    log "building netem-lite into $NL_BIN"
    "$WAN/build.sh" >&2
  fi
}

# check_profiles PROFILE...: dies on the first profile the script's profile_args does not know.
check_profiles() {
  local profile
  for profile in "$@"; do profile_args "$profile" >/dev/null; done
}

# ------------------------------------------------------------------------------------------------ set-up
# warm_startup_cache: trains and assembles the launcher's start-up cache (JDK 25+) before anything is measured, with a
# 1 MiB demo download and a --version run (log in RAW/cache-warmup.log). Without it the first measured client run
# recorded the training (about a second more at its exit) and the second assembled the cache (a second more at its
# start): session 15, p50cubic, both first runs were 1-1.6 Mbit/s under the others. Users pay that once per install.
warm_startup_cache() {
  local dir="$WORK/cache-warmup"
  rm -rf "$dir"
  {
    PARCEL_OPTS="-Xmx$PARCEL_HEAP" "$PARCEL" demo --size 1M --limit-rate 0 -q -d "$dir" < /dev/null \
      && "$PARCEL" --version
  } > "$RAW/cache-warmup.log" 2>&1 || die "warming the start-up cache failed: $(tail -3 "$RAW/cache-warmup.log")"
  rm -rf "$dir"
}

# open_run_dir CSV_HEADER: sets STAMP, RAW ($WORK/runs-<stamp>) and CSV (RAW/results.csv, with the header line).
open_run_dir() {
  STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
  RAW="$WORK/runs-$STAMP"
  mkdir -p "$RAW" "$(dirname "$RESULT")"
  CSV="$RAW/results.csv"
  echo "$1" > "$CSV"
}

# ensure_data_file NAME SIZE_MIB: $WORK/www/NAME holds SIZE_MIB MiB of random bytes; kept between runs.
ensure_data_file() {
  local name="$1" size_mib="$2" size
  size=$((size_mib * 1024 * 1024))
  mkdir -p "$WORK/www"
  if [ "$(stat -c %s "$WORK/www/$name" 2>/dev/null || echo 0)" != "$size" ]; then
    log "writing $size_mib MiB of random data to $WORK/www/$name"
    head -c "$size" /dev/urandom > "$WORK/www/$name.tmp"
    mv "$WORK/www/$name.tmp" "$WORK/www/$name"
  fi
}

# install_traps CLEANUP: CLEANUP runs on every exit; a failing command is logged with its line; INT/TERM exit 130.
install_traps() {
  # shellcheck disable=SC2064
  trap "$1" EXIT
  trap 'log "failed (exit $?) at line $LINENO: $BASH_COMMAND"' ERR
  trap 'exit 130' INT TERM
}

# ------------------------------------------------------------------------------------------------ processes
# stop_pid PID [GRACE_S]: SIGTERM, then SIGKILL after GRACE_S seconds (default 10), of one PID this script started.
stop_pid() {
  local pid="$1" tenths=$((${2:-10} * 10))
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 "$tenths"); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# Stops a running client: SIGTERM to its timeout (which passes it on), SIGKILL to whatever is left after 5 s.
stop_client() {
  local pid="$1" child grandchild
  child=$(pgrep -P "$pid" timeout || true)
  [ -n "$child" ] && kill -TERM "$child" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if [ -n "$child" ]; then
    for grandchild in $(pgrep -P "$child" || true); do kill -KILL "$grandchild" 2>/dev/null || true; done
  fi
}

# user+system seconds a process has used so far (0 when it is gone or PID is empty).
cpu_seconds() {
  local pid="$1"
  [ -n "$pid" ] || { echo 0; return; }
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$pid/stat" 2>/dev/null \
      || echo 0
}

# The 1-minute load average now.
load1() { cut -d' ' -f1 /proc/loadavg; }

# ------------------------------------------------------------------------------------------------ the WAN lab
# lab_up PROFILE WAN_UP_ARGS...: (re)builds the lab in the script's namespaces; log in RAW/wan-up-PROFILE.log.
lab_up() {
  local profile="$1"
  shift
  log "profile $profile: wan-up $*"
  "$WAN/wan-up.sh" --replace -q --client-ns "$NS_C" --server-ns "$NS_S" --router-ns "$NS_R" \
      "$@" > "$RAW/wan-up-$profile.log" 2>&1 || die "wan-up failed: $(tail -5 "$RAW/wan-up-$profile.log")"
}

# lab_down PROFILE: keeps the link's statistics and tears the lab down (logs in RAW).
lab_down() {
  local profile="$1"
  "$WAN/wan-stats.sh" --client-ns "$NS_C" > "$RAW/wan-stats-$profile.log" 2>&1 || true
  "$WAN/wan-down.sh" --client-ns "$NS_C" --server-ns "$NS_S" --router-ns "$NS_R" > "$RAW/wan-down-$profile.log" 2>&1 || true
}

# For cleanup: tears down whatever is left of the lab, quietly.
lab_teardown() {
  "$WAN/wan-down.sh" --client-ns "$NS_C" --server-ns "$NS_S" --router-ns "$NS_R" -q 2>/dev/null
}

# Bytes the client namespace has received on its link (Ethernet frames, both directions' traffic to it).
client_rx_bytes() { ip netns exec "$NS_C" cat /sys/class/net/veth0/statistics/rx_bytes; }

# rotate_runs PROFILE "ITEM..." RUN_ONE: calls RUN_ONE PROFILE RUN ITEM for every item, RUNS times; the order rotates
# from run to run, so no item always runs first (cold caches) or right after the same peer.
rotate_runs() {
  local profile="$1" run_one="$3" run item order
  # shellcheck disable=SC2206
  order=($2)
  for run in $(seq 1 "$RUNS"); do
    for item in "${order[@]}"; do
      "$run_one" "$profile" "$run" "$item"
    done
    order=("${order[@]:1}" "${order[0]}")
  done
}

# ------------------------------------------------------------------------------------------------ nginx
NGINX_PID=""

# write_nginx_conf LISTEN LOG_FORMAT: nginx (sendfile on) serving $WORK/www on LISTEN, its files under $WORK/nginx.
write_nginx_conf() {
  local listen="$1" log_format="$2" prefix="$WORK/nginx"
  mkdir -p "$prefix/conf" "$prefix/logs" "$prefix/tmp"
  cat > "$prefix/conf/nginx.conf" <<EOF
daemon off;
worker_processes 2;
user root;
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log warn;
events { worker_connections 256; }
http {
    default_type application/octet-stream;
    log_format bench '$log_format';
    access_log $prefix/logs/access.log bench;
    client_body_temp_path $prefix/tmp/body;
    proxy_temp_path $prefix/tmp/proxy;
    fastcgi_temp_path $prefix/tmp/fastcgi;
    uwsgi_temp_path $prefix/tmp/uwsgi;
    scgi_temp_path $prefix/tmp/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 60s;
    server {
        listen $listen;
        root $WORK/www;
    }
}
EOF
}

# start_nginx WHAT PROBE: starts nginx in the server namespace (NGINX_PID) and waits up to 10 s until the command
# PROBE succeeds; WHAT names what PROBE fetches, for the error.
start_nginx() {
  local what="$1" probe="$2" prefix="$WORK/nginx"
  : > "$prefix/logs/access.log"
  ip netns exec "$NS_S" "$NGINX" -p "$prefix" -e "$prefix/logs/error.log" -c "$prefix/conf/nginx.conf" &
  NGINX_PID=$!
  for _ in $(seq 1 100); do
    if "$probe"; then return 0; fi
    kill -0 "$NGINX_PID" 2>/dev/null || die "nginx exited: $(tail -3 "$prefix/logs/error.log")"
    sleep 0.1
  done
  die "nginx did not answer on $what within 10 s"
}

# stop_nginx [GRACE_S]: stops the nginx start_nginx started, if any.
stop_nginx() {
  stop_pid "$NGINX_PID" "${1:-10}"
  NGINX_PID=""
}

# ------------------------------------------------------------------------------------------------ capped client runs
CLIENT_PID=""

# run_capped_client CAP RATIO CMD TIMEFILE LOG FILE SIZE: runs CMD (a shell command line) in the client namespace
# under GNU time (into TIMEFILE; output into LOG) and stops it at CAP seconds. A run that wrote FILE of SIZE bytes
# before the cap and exited 0 is complete: its bytes are SIZE over its wall time. Otherwise its bytes are what reached
# the client's veth0 until it ended, times RATIO (payload per Ethernet frame, e.g. 1448/1514 for TCP with timestamps
# at MTU 1500). A capped run also has a steady rate from WARMUP seconds to the cap, which leaves start-up out.
# Sets RUN_RC, RUN_COMPLETE, RUN_ELAPSED, RUN_BYTES, RUN_GOODPUT (Mbit/s), RUN_STEADY (Mbit/s or empty), RUN_CPU
# (user+system s), RUN_CPU_GIB (per GiB moved) and RUN_RSS (KiB).
run_capped_client() {
  local cap="$1" ratio="$2" cmd="$3" timefile="$4" out_log="$5" file="$6" size="$7"
  local pid rx0 rx1 t0 t1 capped=0 rx_warm="" t_warm="" now user sys
  RUN_STEADY=""
  rx0=$(client_rx_bytes)
  t0=$(date +%s.%N)
  # /usr/bin/time sees the client through timeout (which waits for it), so its CPU time is counted even when the
  # cap ends it; timeout's own limit is only a safety net behind the cap below.
  ip netns exec "$NS_C" /usr/bin/time -o "$timefile" -f '%e %U %S %M' \
      timeout -k 5 "$((cap + 30))" bash -c "exec $cmd" > "$out_log" 2>&1 &
  pid=$!
  CLIENT_PID=$pid
  while kill -0 "$pid" 2>/dev/null; do
    now=$(date +%s.%N)
    if [ -z "$rx_warm" ] && awk -v a="$t0" -v b="$now" -v w="$WARMUP" 'BEGIN {exit !(b - a >= w)}'; then
      # Steady state starts after WARMUP: start-up (JVM, probes, slow start) is in goodput, not in this.
      rx_warm=$(client_rx_bytes)
      t_warm=$(date +%s.%N)
    fi
    if awk -v a="$t0" -v b="$now" -v c="$cap" 'BEGIN {exit !(b - a >= c)}'; then
      # Cap reached: count what arrived up to now, then stop the client (SIGTERM via timeout, SIGKILL if stuck).
      rx1=$(client_rx_bytes)
      t1=$(date +%s.%N)
      capped=1
      stop_client "$pid"
      break
    fi
    sleep 0.1
  done
  set +e
  wait "$pid"; RUN_RC=$?
  set -e
  CLIENT_PID=""
  read -r RUN_ELAPSED user sys RUN_RSS < <(grep -E '^[0-9.]+ [0-9.]+ [0-9.]+ [0-9]+$' "$timefile" | tail -1) \
      || { RUN_ELAPSED=$cap; user=0; sys=0; RUN_RSS=0; }
  RUN_COMPLETE=0
  if [ "$capped" = 0 ] && [ "$RUN_RC" = 0 ] && [ "$(stat -c %s "$file" 2>/dev/null || echo -1)" = "$size" ]; then
    RUN_COMPLETE=1
    RUN_BYTES=$size
  else
    [ "$capped" = 1 ] || { rx1=$(client_rx_bytes); t1=$(date +%s.%N); }
    RUN_BYTES=$(awk -v a="$rx0" -v b="$rx1" "BEGIN {printf \"%d\", (b - a) * $ratio}")
    RUN_ELAPSED=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')
  fi
  RUN_GOODPUT=$(awk -v b="$RUN_BYTES" -v t="$RUN_ELAPSED" 'BEGIN {printf "%.1f", (t > 0 ? b * 8 / t / 1e6 : 0)}')
  if [ "$capped" = 1 ] && [ -n "$rx_warm" ]; then
    RUN_STEADY=$(awk -v a="$rx_warm" -v b="$rx1" -v s="$t_warm" -v e="$t1" \
        "BEGIN {printf \"%.1f\", (e > s ? (b - a) * $ratio * 8 / (e - s) / 1e6 : 0)}")
  fi
  RUN_CPU=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')
  RUN_CPU_GIB=$(per_gib "$RUN_CPU" "$RUN_BYTES")
}

# per_gib SECONDS BYTES: SECONDS per GiB of BYTES (0 when nothing moved).
per_gib() { awk -v c="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? c / (b / 1073741824) : 0)}'; }

# ------------------------------------------------------------------------------------------------ machine notes
# The host lines every report starts its machine notes with.
describe_host() {
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "kernel: $(uname -r)"
}

# The repository's commit, and whether the working tree had uncommitted changes.
describe_repo() {
  echo "$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$( [ -n "$(git -C "$REPO" status --porcelain 2>/dev/null | head -1)" ] && echo ' plus uncommitted changes')"
}

# Starts the wall clock that finish_machine_notes reports.
start_wall_clock() { BENCH_START=$(date +%s); }

# Appends the load at the end and the wall time to RAW/machine.txt.
finish_machine_notes() {
  echo "uptime at end: $(uptime)" >> "$RAW/machine.txt"
  echo "wall time: $(( $(date +%s) - BENCH_START )) s" >> "$RAW/machine.txt"
}
