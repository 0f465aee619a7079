#!/usr/bin/env bash
# download-bench.sh - one big file from nginx, downloaded by parcel, aria2c -x 8 -s 8 and curl side by side in the
# same run, over link profiles of ../shared/wan. Writes bench/results/<date>-download.md (and raw CSV/logs).
#
#   sudo bench/download-bench.sh                   # all profiles, 3 runs each, 1 GiB
#   PROFILES="direct p50" RUNS=1 bench/download-bench.sh
#
# Environment (all optional):
#   PROFILES      direct p50 p100cubic p100bbr (default: all four, in that order)
#   CLIENTS       parcel aria2c curl (default: all three; parcel is dropped with a warning if not built)
#   RUNS          runs per client and profile (default 3); the client order rotates between runs
#   SIZE_MIB      file size (default 1024)
#   CAP_UNSHAPED  seconds one run may take on the unshaped profile (default 90)
#   CAP_SHAPED    seconds one run may take on a 100mbit profile (default 25): 1 GiB needs ~90 s at 100 Mbit/s,
#                 so shaped runs are time-capped and goodput is the TCP payload the client received in that time
#                 (veth0 rx bytes x 1448/1514); a capped run also reports its steady rate after WARMUP seconds
#   WARMUP        seconds before the steady-rate window of a capped run starts (default 5)
#   PARCEL        launcher (default <repo>/cli/target/parcel/bin/parcel)
#   PARCEL_HEAP   -Xmx for parcel (default 256m)
#   WAN           ../shared/wan (default <repo>/../shared/wan)
#   NL_BIN        netem-lite binary (default: $WAN/netem-lite, else /tmp/netem-lite, built if missing)
#   WORK          scratch directory (default /tmp/parcel-download-bench); the data file is kept for reruns
#   RESULT        output file (default bench/results/<UTC date>-download.md)
#   NS            namespace prefix (default pdl: pdl-c, pdl-s, pdl-r), so other labs' wan-c/wan-s are untouched
#
# Needs root (namespaces), nginx, aria2c, curl, /usr/bin/time, python3.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
WAN="${WAN:-$REPO/../shared/wan}"
PARCEL="${PARCEL:-$REPO/cli/target/parcel/bin/parcel}"
PARCEL_HEAP="${PARCEL_HEAP:-256m}"
PROFILES="${PROFILES:-direct p50 p100cubic p100bbr}"
CLIENTS="${CLIENTS:-parcel aria2c curl}"
RUNS="${RUNS:-3}"
SIZE_MIB="${SIZE_MIB:-1024}"
CAP_UNSHAPED="${CAP_UNSHAPED:-90}"
CAP_SHAPED="${CAP_SHAPED:-25}"
WARMUP="${WARMUP:-5}"
WORK="${WORK:-/tmp/parcel-download-bench}"
RESULT="${RESULT:-$HERE/results/$(date -u +%F)-download.md}"
NS="${NS:-pdl}"
NS_C="$NS-c"; NS_S="$NS-s"; NS_R="$NS-r"
SERVER_IP=198.18.0.2
PORT=8080
SIZE=$((SIZE_MIB * 1024 * 1024))
FILE_NAME="bench-${SIZE_MIB}m.bin"
URL="http://$SERVER_IP:$PORT/$FILE_NAME"
NGINX="${NGINX:-/usr/sbin/nginx}"

log() { echo "download-bench: $*" >&2; }
die() { log "$*"; exit 1; }

# ------------------------------------------------------------------------------------------------ preflight
[ "$(id -u)" = 0 ] || die "needs root (network namespaces); run with sudo"
for tool in "$NGINX" /usr/bin/time python3 ip timeout; do
  command -v "$tool" >/dev/null || die "missing $tool (apt-get install nginx time python3 iproute2 coreutils)"
done
for client in $CLIENTS; do
  case "$client" in
    parcel)
      if [ ! -x "$PARCEL" ]; then
        log "WARNING: no parcel distribution at $PARCEL (./mvnw package builds it): running without parcel"
        CLIENTS="$(echo "$CLIENTS" | sed 's/\bparcel\b//')"
      fi ;;
    aria2c|curl) command -v "$client" >/dev/null || die "missing $client (apt-get install aria2 curl)" ;;
    *) die "unknown client $client (parcel, aria2c, curl)" ;;
  esac
done
[ -n "$(echo "$CLIENTS" | tr -d ' ')" ] || die "no client left to run"

if [ -z "${NL_BIN:-}" ]; then
  if [ -x "$WAN/netem-lite" ]; then NL_BIN="$WAN/netem-lite"; else NL_BIN=/tmp/netem-lite; fi
fi
export NL_BIN
if [ ! -x "$NL_BIN" ]; then
  log "building netem-lite into $NL_BIN"
  "$WAN/build.sh" >&2
fi

profile_args() {
  case "$1" in
    direct)    echo "--topo direct --rate none" ;;
    p50)       echo "--rate 100mbit --rtt 50" ;;
    p100cubic) echo "--rate 100mbit --rtt 100 --loss 1 --cc cubic" ;;
    p100bbr)   echo "--rate 100mbit --rtt 100 --loss 1 --cc bbr" ;;
    *) die "unknown profile $1 (direct p50 p100cubic p100bbr)" ;;
  esac
}
profile_cap() { [ "$1" = direct ] && echo "$CAP_UNSHAPED" || echo "$CAP_SHAPED"; }
for profile in $PROFILES; do profile_args "$profile" >/dev/null; done

# ------------------------------------------------------------------------------------------------ set-up
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RAW="$WORK/runs-$STAMP"
mkdir -p "$WORK/www" "$RAW" "$(dirname "$RESULT")"
CSV="$RAW/results.csv"
echo "profile,run,client,exit,complete,elapsed_s,bytes,goodput_mbit,steady_mbit,cpu_s,cpu_s_per_gib,max_rss_kib,peak_heap_mib,load1" > "$CSV"

if [ "$(stat -c %s "$WORK/www/$FILE_NAME" 2>/dev/null || echo 0)" != "$SIZE" ]; then
  log "writing $SIZE_MIB MiB of random data to $WORK/www/$FILE_NAME"
  head -c "$SIZE" /dev/urandom > "$WORK/www/$FILE_NAME.tmp"
  mv "$WORK/www/$FILE_NAME.tmp" "$WORK/www/$FILE_NAME"
fi

NGINX_PID=""
CLIENT_PID=""
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

cleanup() {
  set +e
  [ -n "$CLIENT_PID" ] && stop_client "$CLIENT_PID"
  stop_nginx
  "$WAN/wan-down.sh" --client-ns "$NS_C" --server-ns "$NS_S" --router-ns "$NS_R" -q 2>/dev/null
}
trap cleanup EXIT
trap 'log "failed (exit $?) at line $LINENO: $BASH_COMMAND"' ERR
trap 'exit 130' INT TERM

write_nginx_conf() {
  local prefix="$WORK/nginx"
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
    log_format bench '\$body_bytes_sent \$status \$request_time "\$http_range"';
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
        listen $SERVER_IP:$PORT;
        root $WORK/www;
    }
}
EOF
}

start_nginx() {
  local prefix="$WORK/nginx"
  : > "$prefix/logs/access.log"
  ip netns exec "$NS_S" "$NGINX" -p "$prefix" -e "$prefix/logs/error.log" -c "$prefix/conf/nginx.conf" &
  NGINX_PID=$!
  for _ in $(seq 1 100); do
    if ip netns exec "$NS_C" curl -s -o /dev/null --max-time 2 -r 0-0 "$URL"; then
      : > "$prefix/logs/access.log"
      return 0
    fi
    kill -0 "$NGINX_PID" 2>/dev/null || die "nginx exited: $(tail -3 "$prefix/logs/error.log")"
    sleep 0.1
  done
  die "nginx did not answer on $URL within 10 s"
}

stop_nginx() {
  if [ -n "$NGINX_PID" ]; then
    kill -TERM "$NGINX_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$NGINX_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
    NGINX_PID=""
  fi
}

client_command() {
  local client="$1" out="$2" tag="$3"
  case "$client" in
    parcel)
      # GC log: the peak heap is the largest "before" of any collection or the heap used at exit, whichever is
      # larger (gc+exit on JDK 25, gc+heap+exit on JDK 21; each JDK ignores the name it does not know).
      echo "env PARCEL_OPTS=-Xmx$PARCEL_HEAP\ -Djava.net.preferIPv4Stack=true\ -Xlog:gc,gc+exit,gc+heap+exit:file=$RAW/gc-$tag.log $PARCEL download -q -d $out $URL" ;;
    aria2c)
      echo "aria2c -x 8 -s 8 -q --file-allocation=falloc --allow-overwrite=true --auto-file-renaming=false -d $out -o $FILE_NAME $URL" ;;
    curl)
      echo "curl -sS --fail -o $out/$FILE_NAME $URL" ;;
  esac
}

# Bytes the client namespace has received on its link (Ethernet frames, both directions' traffic to it).
client_rx_bytes() { ip netns exec "$NS_C" cat /sys/class/net/veth0/statistics/rx_bytes; }

run_one() {
  local profile="$1" run="$2" client="$3" cap="$4"
  local tag="$profile-$run-$client" out="$WORK/out" timefile="$RAW/time-$profile-$run-$client.txt"
  local load cmd rc elapsed user sys rss bytes complete goodput cpu cpu_gib heap rx0 rx1 t0 t1 capped=0 pid
  local rx_warm="" t_warm="" steady="" now
  rm -rf "$out"; mkdir -p "$out"
  sync
  load=$(cut -d' ' -f1 /proc/loadavg)
  cmd="$(client_command "$client" "$out" "$tag")"
  echo "$cmd" > "$RAW/cmd-$tag.txt"
  rx0=$(client_rx_bytes)
  t0=$(date +%s.%N)
  # /usr/bin/time sees the client through timeout (which waits for it), so its CPU time is counted even when the
  # cap ends it; timeout's own limit is only a safety net behind the cap below.
  ip netns exec "$NS_C" /usr/bin/time -o "$timefile" -f '%e %U %S %M' \
      timeout -k 5 "$((cap + 30))" bash -c "exec $cmd" > "$RAW/out-$tag.log" 2>&1 &
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
  wait "$pid"; rc=$?
  set -e
  CLIENT_PID=""
  read -r elapsed user sys rss < <(grep -E '^[0-9.]+ [0-9.]+ [0-9.]+ [0-9]+$' "$timefile" | tail -1) \
      || { elapsed=$cap; user=0; sys=0; rss=0; }
  complete=0
  if [ "$capped" = 0 ] && [ "$rc" = 0 ] && [ "$(stat -c %s "$out/$FILE_NAME" 2>/dev/null || echo -1)" = "$SIZE" ]; then
    complete=1
    bytes=$SIZE
  else
    [ "$capped" = 1 ] || { rx1=$(client_rx_bytes); t1=$(date +%s.%N); }
    # Frames to payload: 1448 bytes of TCP payload (with timestamps) per 1514-byte frame at MTU 1500.
    bytes=$(awk -v a="$rx0" -v b="$rx1" 'BEGIN {printf "%d", (b - a) * 1448 / 1514}')
    elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')
  fi
  goodput=$(awk -v b="$bytes" -v t="$elapsed" 'BEGIN {printf "%.1f", (t > 0 ? b * 8 / t / 1e6 : 0)}')
  if [ "$capped" = 1 ] && [ -n "$rx_warm" ]; then
    steady=$(awk -v a="$rx_warm" -v b="$rx1" -v s="$t_warm" -v e="$t1" \
        'BEGIN {printf "%.1f", (e > s ? (b - a) * 1448 / 1514 * 8 / (e - s) / 1e6 : 0)}')
  fi
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')
  cpu_gib=$(awk -v c="$cpu" -v b="$bytes" 'BEGIN {printf "%.2f", (b > 0 ? c / (b / 1073741824) : 0)}')
  heap=""
  if [ "$client" = parcel ] && [ -f "$RAW/gc-$tag.log" ]; then
    heap=$({ grep -oE '[0-9]+M->[0-9]+M\([0-9]+M\)' "$RAW/gc-$tag.log" | sed 's/M->.*//'
             grep -oE 'heap .*used [0-9]+K' "$RAW/gc-$tag.log" | sed -E 's/.*used ([0-9]+)K/\1/' \
                 | awk '{printf "%d\n", ($1 + 1023) / 1024}'; } | sort -n | tail -1 || true)
    heap="${heap:-0}"
  fi
  echo "$profile,$run,$client,$rc,$complete,$elapsed,$bytes,$goodput,$steady,$cpu,$cpu_gib,$rss,$heap,$load" >> "$CSV"
  log "$profile run $run $client: exit $rc complete=$complete ${elapsed}s $goodput Mbit/s (steady ${steady:-n/a}) cpu ${cpu}s (${cpu_gib}s/GiB) rss ${rss}KiB heap ${heap:-n/a}MiB load $load"
  rm -rf "$out"
}

# ------------------------------------------------------------------------------------------------ runs
write_nginx_conf
BENCH_START=$(date +%s)
JAVA_LINE="n/a"
if echo "$CLIENTS" | grep -qw parcel; then
  JAVA_LINE=$(PARCEL_OPTS=-XshowSettings:properties "$PARCEL" --version 2>&1 \
      | grep -E '^\s*(java\.vm\.name|java\.runtime\.version|java\.home) =' | sed 's/^ *//' | paste -sd ';' - || true)
  PARCEL_VERSION=$("$PARCEL" --version 2>/dev/null | head -1 || true)
fi
{
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "kernel: $(uname -r)"
  echo "parcel: ${PARCEL_VERSION:-n/a} ($PARCEL), jars built $(date -u -r "$(dirname "$PARCEL")/../lib" +%FT%TZ 2>/dev/null || echo '?'), repo $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$( [ -n "$(git -C "$REPO" status --porcelain 2>/dev/null | head -1)" ] && echo ' plus uncommitted changes')"
  echo "parcel jvm: $JAVA_LINE"
  echo "parcel opts: -Xmx$PARCEL_HEAP, default connections (8)"
  echo "nginx: $("$NGINX" -v 2>&1 | sed 's/.*: //')"
  echo "aria2c: $(aria2c --version 2>/dev/null | head -1)"
  echo "curl: $(curl --version 2>/dev/null | head -1 | cut -d' ' -f1-2)"
  echo "uptime at start: $(uptime)"
} > "$RAW/machine.txt"

for profile in $PROFILES; do
  cap=$(profile_cap "$profile")
  log "profile $profile: wan-up $(profile_args "$profile")"
  # shellcheck disable=SC2046
  "$WAN/wan-up.sh" --replace -q --client-ns "$NS_C" --server-ns "$NS_S" --router-ns "$NS_R" \
      $(profile_args "$profile") > "$RAW/wan-up-$profile.log" 2>&1 || die "wan-up failed: $(tail -5 "$RAW/wan-up-$profile.log")"
  start_nginx
  # shellcheck disable=SC2206
  order=($CLIENTS)
  for run in $(seq 1 "$RUNS"); do
    for client in "${order[@]}"; do
      run_one "$profile" "$run" "$client" "$cap"
    done
    # Rotate, so no client always runs first (cold caches) or right after the same peer.
    order=("${order[@]:1}" "${order[0]}")
  done
  stop_nginx
  "$WAN/wan-stats.sh" --client-ns "$NS_C" > "$RAW/wan-stats-$profile.log" 2>&1 || true
  "$WAN/wan-down.sh" --client-ns "$NS_C" --server-ns "$NS_S" --router-ns "$NS_R" > "$RAW/wan-down-$profile.log" 2>&1 || true
done
echo "uptime at end: $(uptime)" >> "$RAW/machine.txt"
echo "wall time: $(( $(date +%s) - BENCH_START )) s" >> "$RAW/machine.txt"

# ------------------------------------------------------------------------------------------------ report
python3 "$HERE/download-report.py" --csv "$CSV" --machine "$RAW/machine.txt" --raw-dir "$RAW" \
    --command "PROFILES=\"$PROFILES\" CLIENTS=\"$(echo $CLIENTS)\" RUNS=$RUNS SIZE_MIB=$SIZE_MIB CAP_UNSHAPED=$CAP_UNSHAPED CAP_SHAPED=$CAP_SHAPED WARMUP=$WARMUP bench/download-bench.sh" \
    --size "$SIZE" --cap-shaped "$CAP_SHAPED" --cap-unshaped "$CAP_UNSHAPED" --warmup "$WARMUP" > "$RESULT"
log "wrote $RESULT (raw: $RAW)"
