#!/usr/bin/env bash
# serve-bench.sh - a download from nginx through 'parcel serve' over UDT vs direct TCP (parcel --transport tcp,
# aria2c -x 8 -s 8), side by side in the same run, over link profiles of ../shared/wan with the upstream nginx on
# CUBIC and on BBR. Writes bench/results/<date>-serve.md (raw CSV and logs stay in $WORK).
#
#   sudo bench/serve-bench.sh                            # six lab set-ups, 3 runs per client: ~28 min
#   PROFILES="p100cubic" RUNS=1 CAP=10 sudo -E bench/serve-bench.sh   # a smoke run
#
# Set-up per profile: nginx in the server namespace listens on 0.0.0.0:8080; 'parcel serve --transport udt' runs next
# to it on 198.18.0.2:9000 and relays only to 127.0.0.1:8080, i.e. the upstream TCP runs over the server namespace's
# own loopback (as a relay next to the data would) and only UDT crosses the emulated WAN. The direct clients fetch
# http://198.18.0.2:8080 over the WAN with nginx's TCP; --cc sets nginx's (the sender's) congestion control.
#
# Environment (all optional):
#   PROFILES   p50cubic p50bbr p100cubic p100bbr p200cubic p200bbr (default: all six)
#   CLIENTS    via-udt parcel-tcp aria2c (default: all three); the order rotates from run to run
#   RUNS       runs per client and profile (default 3)
#   SIZE_MIB   file size (default 1024)
#   CAP        seconds per run (default 25): 1 GiB needs ~90 s at 100 Mbit/s, so every run is time-capped and goodput
#              is the payload the client received in that time (client veth0 rx bytes x payload/frame: 1448/1514 for
#              TCP, 1456/1514 for UDT at MSS 1500); a run also reports its steady rate from WARMUP to the cap
#   WARMUP     seconds before the steady-rate window starts (default 5)
#   PARCEL, PARCEL_HEAP (256m), WAN, NL_BIN, NGINX, WORK (/tmp/parcel-serve-bench), RESULT
#   NS         namespace prefix (default psrv: psrv-c, psrv-s, psrv-r), so other labs are never touched
#
# Needs root (namespaces), nginx, aria2c, curl, /usr/bin/time, python3, and the packaged distribution
# (./mvnw package: cli/target/parcel).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
WAN="${WAN:-$REPO/../shared/wan}"
PARCEL="${PARCEL:-$REPO/cli/target/parcel/bin/parcel}"
PARCEL_HEAP="${PARCEL_HEAP:-256m}"
PROFILES="${PROFILES:-p50cubic p50bbr p100cubic p100bbr p200cubic p200bbr}"
CLIENTS="${CLIENTS:-via-udt parcel-tcp aria2c}"
RUNS="${RUNS:-3}"
SIZE_MIB="${SIZE_MIB:-1024}"
CAP="${CAP:-25}"
WARMUP="${WARMUP:-5}"
WORK="${WORK:-/tmp/parcel-serve-bench}"
RESULT="${RESULT:-$HERE/results/$(date -u +%F)-serve.md}"
NS="${NS:-psrv}"
NS_C="$NS-c"; NS_S="$NS-s"; NS_R="$NS-r"
SERVER_IP=198.18.0.2
PORT=8080
RELAY_PORT=9000
SIZE=$((SIZE_MIB * 1024 * 1024))
FILE_NAME="bench-${SIZE_MIB}m.bin"
DIRECT_URL="http://$SERVER_IP:$PORT/$FILE_NAME"
UPSTREAM_URL="http://127.0.0.1:$PORT/$FILE_NAME"
NGINX="${NGINX:-/usr/sbin/nginx}"
JVM_OPTS="-Xmx$PARCEL_HEAP -Djava.net.preferIPv4Stack=true"

log() { echo "serve-bench: $*" >&2; }
die() { log "$*"; exit 1; }

# ------------------------------------------------------------------------------------------------ preflight
[ "$(id -u)" = 0 ] || die "needs root (network namespaces); run with sudo"
for tool in "$NGINX" /usr/bin/time python3 ip timeout curl aria2c; do
  command -v "$tool" >/dev/null || die "missing $tool (apt-get install nginx time python3 iproute2 coreutils curl aria2)"
done
[ -x "$PARCEL" ] || die "no parcel distribution at $PARCEL (./mvnw package builds it)"
for client in $CLIENTS; do
  case "$client" in via-udt|parcel-tcp|aria2c) ;; *) die "unknown client $client (via-udt parcel-tcp aria2c)" ;; esac
done
if [ -z "${NL_BIN:-}" ]; then
  if [ -x "$WAN/netem-lite" ]; then NL_BIN="$WAN/netem-lite"; else NL_BIN=/tmp/netem-lite; fi
fi
export NL_BIN
[ -x "$NL_BIN" ] || { log "building netem-lite into $NL_BIN"; "$WAN/build.sh" >&2; }

profile_args() {
  case "$1" in
    p50cubic)  echo "--rate 100mbit --rtt 50 --cc cubic" ;;
    p50bbr)    echo "--rate 100mbit --rtt 50 --cc bbr" ;;
    p100cubic) echo "--rate 100mbit --rtt 100 --loss 1 --cc cubic" ;;
    p100bbr)   echo "--rate 100mbit --rtt 100 --loss 1 --cc bbr" ;;
    p200cubic) echo "--rate 100mbit --rtt 200 --loss 2 --cc cubic" ;;
    p200bbr)   echo "--rate 100mbit --rtt 200 --loss 2 --cc bbr" ;;
    *) die "unknown profile $1 (p50cubic p50bbr p100cubic p100bbr p200cubic p200bbr)" ;;
  esac
}
for profile in $PROFILES; do profile_args "$profile" >/dev/null; done

# ------------------------------------------------------------------------------------------------ set-up
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RAW="$WORK/runs-$STAMP"
mkdir -p "$WORK/www" "$RAW" "$(dirname "$RESULT")"
CSV="$RAW/results.csv"
echo "profile,run,client,exit,complete,elapsed_s,bytes,goodput_mbit,steady_mbit,cpu_s,cpu_s_per_gib,serve_cpu_s,serve_cpu_s_per_gib,load1" > "$CSV"

if [ "$(stat -c %s "$WORK/www/$FILE_NAME" 2>/dev/null || echo 0)" != "$SIZE" ]; then
  log "writing $SIZE_MIB MiB of random data to $WORK/www/$FILE_NAME"
  head -c "$SIZE" /dev/urandom > "$WORK/www/$FILE_NAME.tmp"
  mv "$WORK/www/$FILE_NAME.tmp" "$WORK/www/$FILE_NAME"
fi

NGINX_PID=""
SERVE_PID=""
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

# SIGTERM, then SIGKILL after 10 s, of one PID this script started.
stop_pid() {
  local pid="$1"
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  set +e
  [ -n "$CLIENT_PID" ] && stop_client "$CLIENT_PID"
  stop_pid "$SERVE_PID"; SERVE_PID=""
  stop_pid "$NGINX_PID"; NGINX_PID=""
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
    log_format bench '\$remote_addr \$body_bytes_sent \$status \$request_time "\$http_range"';
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
        listen $PORT;
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
    if ip netns exec "$NS_C" curl -s -o /dev/null --max-time 2 -r 0-0 "$DIRECT_URL" \
        && ip netns exec "$NS_S" curl -s -o /dev/null --max-time 2 -r 0-0 "$UPSTREAM_URL"; then
      return 0
    fi
    kill -0 "$NGINX_PID" 2>/dev/null || die "nginx exited: $(tail -3 "$prefix/logs/error.log")"
    sleep 0.1
  done
  die "nginx did not answer on $DIRECT_URL and $UPSTREAM_URL within 10 s"
}

# parcel serve next to nginx: UDT on the WAN side, TCP to nginx over the namespace's loopback only.
start_serve() {
  local profile="$1" errors="$RAW/serve-$profile.err"
  PARCEL_OPTS="$JVM_OPTS" ip netns exec "$NS_S" "$PARCEL" serve --transport udt \
      --listen "$SERVER_IP:$RELAY_PORT" --upstream "http://127.0.0.1:$PORT" --status-interval 0 \
      --log-file "$RAW/serve-$profile.log" > "$RAW/serve-$profile.out" 2> "$errors" < /dev/null &
  SERVE_PID=$!
  for _ in $(seq 1 300); do
    grep -q "listening on" "$errors" 2>/dev/null && return 0
    kill -0 "$SERVE_PID" 2>/dev/null || die "parcel serve exited: $(tail -3 "$errors")"
    sleep 0.1
  done
  die "parcel serve did not listen within 30 s: $(tail -3 "$errors")"
}

# user+system seconds a process has used so far (0 when it is gone).
cpu_seconds() {
  local pid="$1"
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$pid/stat" 2>/dev/null \
      || echo 0
}

client_command() {
  local client="$1" out="$2"
  case "$client" in
    via-udt)
      echo "env PARCEL_OPTS=${JVM_OPTS// /\\ } $PARCEL download --transport udt --via $SERVER_IP:$RELAY_PORT -q -d $out $UPSTREAM_URL" ;;
    parcel-tcp)
      echo "env PARCEL_OPTS=${JVM_OPTS// /\\ } $PARCEL download --transport tcp -q -d $out $DIRECT_URL" ;;
    aria2c)
      echo "aria2c -x 8 -s 8 -q --file-allocation=falloc --allow-overwrite=true --auto-file-renaming=false -d $out -o $FILE_NAME $DIRECT_URL" ;;
  esac
}

# Payload per Ethernet frame at MTU 1500: TCP with timestamps carries 1448 of 1514 bytes, UDT (MSS 1500, 44 bytes of
# IP, UDP and UDT headers) 1456.
payload_ratio() { [ "$1" = via-udt ] && echo "1456/1514" || echo "1448/1514"; }

client_rx_bytes() { ip netns exec "$NS_C" cat /sys/class/net/veth0/statistics/rx_bytes; }

run_one() {
  local profile="$1" run="$2" client="$3"
  local tag="$profile-$run-$client" out="$WORK/out" timefile="$RAW/time-$profile-$run-$client.txt"
  local load cmd rc elapsed user sys rss bytes complete goodput cpu cpu_gib rx0 rx1 t0 t1 capped=0 pid ratio
  local rx_warm="" t_warm="" steady="" now serve0 serve1 serve_cpu serve_gib
  rm -rf "$out"; mkdir -p "$out"
  sync
  load=$(cut -d' ' -f1 /proc/loadavg)
  cmd="$(client_command "$client" "$out")"
  ratio=$(payload_ratio "$client")
  echo "$cmd" > "$RAW/cmd-$tag.txt"
  serve0=$(cpu_seconds "$SERVE_PID")
  rx0=$(client_rx_bytes)
  t0=$(date +%s.%N)
  ip netns exec "$NS_C" /usr/bin/time -o "$timefile" -f '%e %U %S %M' \
      timeout -k 5 "$((CAP + 30))" bash -c "exec $cmd" > "$RAW/out-$tag.log" 2>&1 &
  pid=$!
  CLIENT_PID=$pid
  while kill -0 "$pid" 2>/dev/null; do
    now=$(date +%s.%N)
    if [ -z "$rx_warm" ] && awk -v a="$t0" -v b="$now" -v w="$WARMUP" 'BEGIN {exit !(b - a >= w)}'; then
      rx_warm=$(client_rx_bytes)
      t_warm=$(date +%s.%N)
    fi
    if awk -v a="$t0" -v b="$now" -v c="$CAP" 'BEGIN {exit !(b - a >= c)}'; then
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
  serve1=$(cpu_seconds "$SERVE_PID")
  read -r elapsed user sys rss < <(grep -E '^[0-9.]+ [0-9.]+ [0-9.]+ [0-9]+$' "$timefile" | tail -1) \
      || { elapsed=$CAP; user=0; sys=0; rss=0; }
  complete=0
  if [ "$capped" = 0 ] && [ "$rc" = 0 ] && [ "$(stat -c %s "$out/$FILE_NAME" 2>/dev/null || echo -1)" = "$SIZE" ]; then
    complete=1
    bytes=$SIZE
  else
    [ "$capped" = 1 ] || { rx1=$(client_rx_bytes); t1=$(date +%s.%N); }
    bytes=$(awk -v a="$rx0" -v b="$rx1" "BEGIN {printf \"%d\", (b - a) * $ratio}")
    elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')
  fi
  goodput=$(awk -v b="$bytes" -v t="$elapsed" 'BEGIN {printf "%.1f", (t > 0 ? b * 8 / t / 1e6 : 0)}')
  if [ "$capped" = 1 ] && [ -n "$rx_warm" ]; then
    steady=$(awk -v a="$rx_warm" -v b="$rx1" -v s="$t_warm" -v e="$t1" \
        "BEGIN {printf \"%.1f\", (e > s ? (b - a) * $ratio * 8 / (e - s) / 1e6 : 0)}")
  fi
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')
  cpu_gib=$(awk -v c="$cpu" -v b="$bytes" 'BEGIN {printf "%.2f", (b > 0 ? c / (b / 1073741824) : 0)}')
  serve_cpu=""; serve_gib=""
  if [ "$client" = via-udt ]; then
    serve_cpu=$(awk -v a="$serve0" -v b="$serve1" 'BEGIN {printf "%.2f", b - a}')
    serve_gib=$(awk -v c="$serve_cpu" -v b="$bytes" 'BEGIN {printf "%.2f", (b > 0 ? c / (b / 1073741824) : 0)}')
  fi
  echo "$profile,$run,$client,$rc,$complete,$elapsed,$bytes,$goodput,$steady,$cpu,$cpu_gib,$serve_cpu,$serve_gib,$load" >> "$CSV"
  log "$profile run $run $client: exit $rc complete=$complete ${elapsed}s $goodput Mbit/s (steady ${steady:-n/a}) cpu ${cpu}s (${cpu_gib}s/GiB) serve cpu ${serve_cpu:-n/a}s load $load"
  rm -rf "$out"
}

# ------------------------------------------------------------------------------------------------ runs
write_nginx_conf
BENCH_START=$(date +%s)
{
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "kernel: $(uname -r)"
  echo "parcel: $("$PARCEL" --version 2>/dev/null | head -1 || true) ($PARCEL), repo $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$( [ -n "$(git -C "$REPO" status --porcelain 2>/dev/null | head -1)" ] && echo ' plus uncommitted changes')"
  echo "parcel opts: $JVM_OPTS, default connections (8), udt defaults (MSS 1500)"
  echo "nginx: $("$NGINX" -v 2>&1 | sed 's/.*: //')"
  echo "aria2c: $(aria2c --version 2>/dev/null | head -1)"
  echo "uptime at start: $(uptime)"
} > "$RAW/machine.txt"

for profile in $PROFILES; do
  log "profile $profile: wan-up $(profile_args "$profile")"
  # shellcheck disable=SC2046
  "$WAN/wan-up.sh" --replace -q --client-ns "$NS_C" --server-ns "$NS_S" --router-ns "$NS_R" \
      $(profile_args "$profile") > "$RAW/wan-up-$profile.log" 2>&1 || die "wan-up failed: $(tail -5 "$RAW/wan-up-$profile.log")"
  echo "$profile cc: $(ip netns exec "$NS_S" sysctl -n net.ipv4.tcp_congestion_control)" >> "$RAW/machine.txt"
  start_nginx
  start_serve "$profile"
  # shellcheck disable=SC2206
  order=($CLIENTS)
  for run in $(seq 1 "$RUNS"); do
    for client in "${order[@]}"; do
      run_one "$profile" "$run" "$client"
    done
    # Rotate, so no client always runs first or right after the same peer.
    order=("${order[@]:1}" "${order[0]}")
  done
  stop_pid "$SERVE_PID"; SERVE_PID=""
  stop_pid "$NGINX_PID"; NGINX_PID=""
  "$WAN/wan-stats.sh" --client-ns "$NS_C" > "$RAW/wan-stats-$profile.log" 2>&1 || true
  "$WAN/wan-down.sh" --client-ns "$NS_C" --server-ns "$NS_S" --router-ns "$NS_R" > "$RAW/wan-down-$profile.log" 2>&1 || true
done
echo "uptime at end: $(uptime)" >> "$RAW/machine.txt"
echo "wall time: $(( $(date +%s) - BENCH_START )) s" >> "$RAW/machine.txt"

# ------------------------------------------------------------------------------------------------ report
python3 "$HERE/relay-report.py" serve --csv "$CSV" --machine "$RAW/machine.txt" --raw-dir "$RAW" \
    --command "PROFILES=\"$PROFILES\" CLIENTS=\"$(echo $CLIENTS)\" RUNS=$RUNS SIZE_MIB=$SIZE_MIB CAP=$CAP WARMUP=$WARMUP NS=$NS bench/serve-bench.sh" \
    --cap "$CAP" --warmup "$WARMUP" > "$RESULT"
log "wrote $RESULT (raw: $RAW)"
