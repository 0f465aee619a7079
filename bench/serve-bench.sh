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
#   VIA_ARGS   extra options for the via-udt client only (e.g. "-n 2"), to compare settings of the via path
#   PARCEL, PARCEL_HEAP (256m), WAN, NL_BIN, NGINX, WORK (/tmp/parcel-serve-bench), RESULT
#   EXTRA_JVM_OPTS  JVM flags appended to both serve's and the parcel clients' (e.g. -Dudt.bbr.trace=true: serve,
#              the UDT sender, prints one line per round into the raw directory's serve-<profile>.err)
#   NS         namespace prefix (default psrv: psrv-c, psrv-s, psrv-r), so other labs are never touched
#
# Needs root (namespaces), nginx, aria2c, curl, /usr/bin/time, python3, and the packaged distribution
# (./mvnw package: cli/target/parcel).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH_NAME=serve-bench
NS="${NS:-psrv}"
# The shared knobs (WAN, PARCEL, PARCEL_HEAP), REPO, the lab's namespaces NS_C/NS_S/NS_R, SERVER_IP, log and die.
# shellcheck source=lib/common.sh
. "$HERE/lib/common.sh"
PROFILES="${PROFILES:-p50cubic p50bbr p100cubic p100bbr p200cubic p200bbr}"
CLIENTS="${CLIENTS:-via-udt parcel-tcp aria2c}"
RUNS="${RUNS:-3}"
SIZE_MIB="${SIZE_MIB:-1024}"
CAP="${CAP:-25}"
WARMUP="${WARMUP:-5}"
WORK="${WORK:-/tmp/parcel-serve-bench}"
RESULT="${RESULT:-$HERE/results/$(date -u +%F)-serve.md}"
PORT=8080
RELAY_PORT=9000
SIZE=$((SIZE_MIB * 1024 * 1024))
FILE_NAME="bench-${SIZE_MIB}m.bin"
DIRECT_URL="http://$SERVER_IP:$PORT/$FILE_NAME"
UPSTREAM_URL="http://127.0.0.1:$PORT/$FILE_NAME"
NGINX="${NGINX:-/usr/sbin/nginx}"
JVM_OPTS="-Xmx$PARCEL_HEAP -Djava.net.preferIPv4Stack=true${EXTRA_JVM_OPTS:+ $EXTRA_JVM_OPTS}"

# ------------------------------------------------------------------------------------------------ preflight
require_root
require_tools "nginx time python3 iproute2 coreutils curl aria2" "$NGINX" /usr/bin/time python3 ip timeout curl aria2c
require_parcel
for client in $CLIENTS; do
  case "$client" in via-udt|parcel-tcp|aria2c) ;; *) die "unknown client $client (via-udt parcel-tcp aria2c)" ;; esac
done
ensure_netem_lite

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
# shellcheck disable=SC2086
check_profiles $PROFILES

# ------------------------------------------------------------------------------------------------ set-up
open_run_dir "profile,run,client,exit,complete,elapsed_s,bytes,goodput_mbit,steady_mbit,cpu_s,cpu_s_per_gib,serve_cpu_s,serve_cpu_s_per_gib,load1"
ensure_data_file "$FILE_NAME" "$SIZE_MIB"
warm_startup_cache

SERVE_PID=""
cleanup() {
  set +e
  [ -n "$CLIENT_PID" ] && stop_client "$CLIENT_PID"
  stop_pid "$SERVE_PID"; SERVE_PID=""
  stop_nginx
  lab_teardown
}
install_traps cleanup

# nginx has answered once both the client namespace (over the WAN) and serve's upstream URL (the server namespace's
# loopback) give the file's first byte.
nginx_answers() {
  ip netns exec "$NS_C" curl -s -o /dev/null --max-time 2 -r 0-0 "$DIRECT_URL" \
      && ip netns exec "$NS_S" curl -s -o /dev/null --max-time 2 -r 0-0 "$UPSTREAM_URL"
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

client_command() {
  local client="$1" out="$2"
  case "$client" in
    via-udt)
      echo "env PARCEL_OPTS=${JVM_OPTS// /\\ } $PARCEL download --transport udt --via $SERVER_IP:$RELAY_PORT ${VIA_ARGS:-} -q -d $out $UPSTREAM_URL" ;;
    parcel-tcp)
      echo "env PARCEL_OPTS=${JVM_OPTS// /\\ } $PARCEL download --transport tcp -q -d $out $DIRECT_URL" ;;
    aria2c)
      echo "aria2c -x 8 -s 8 -q --file-allocation=falloc --allow-overwrite=true --auto-file-renaming=false -d $out -o $FILE_NAME $DIRECT_URL" ;;
  esac
}

# Payload per Ethernet frame at MTU 1500: TCP with timestamps carries 1448 of 1514 bytes, UDT (MSS 1500, 44 bytes of
# IP, UDP and UDT headers) 1456.
payload_ratio() { [ "$1" = via-udt ] && echo "1456/1514" || echo "1448/1514"; }

run_one() {
  local profile="$1" run="$2" client="$3"
  local tag="$profile-$run-$client" out="$WORK/out" timefile="$RAW/time-$profile-$run-$client.txt"
  local load cmd serve0 serve1 serve_cpu serve_gib
  rm -rf "$out"; mkdir -p "$out"
  sync
  load=$(load1)
  cmd="$(client_command "$client" "$out")"
  echo "$cmd" > "$RAW/cmd-$tag.txt"
  serve0=$(cpu_seconds "$SERVE_PID")
  run_capped_client "$CAP" "$(payload_ratio "$client")" "$cmd" "$timefile" "$RAW/out-$tag.log" "$out/$FILE_NAME" "$SIZE"
  serve1=$(cpu_seconds "$SERVE_PID")
  serve_cpu=""; serve_gib=""
  if [ "$client" = via-udt ]; then
    serve_cpu=$(awk -v a="$serve0" -v b="$serve1" 'BEGIN {printf "%.2f", b - a}')
    serve_gib=$(per_gib "$serve_cpu" "$RUN_BYTES")
  fi
  echo "$profile,$run,$client,$RUN_RC,$RUN_COMPLETE,$RUN_ELAPSED,$RUN_BYTES,$RUN_GOODPUT,$RUN_STEADY,$RUN_CPU,$RUN_CPU_GIB,$serve_cpu,$serve_gib,$load" >> "$CSV"
  log "$profile run $run $client: exit $RUN_RC complete=$RUN_COMPLETE ${RUN_ELAPSED}s $RUN_GOODPUT Mbit/s (steady ${RUN_STEADY:-n/a}) cpu ${RUN_CPU}s (${RUN_CPU_GIB}s/GiB) serve cpu ${serve_cpu:-n/a}s load $load"
  rm -rf "$out"
}

# ------------------------------------------------------------------------------------------------ runs
write_nginx_conf "$PORT" '$remote_addr $body_bytes_sent $status $request_time "$http_range"'
start_wall_clock
{
  describe_host
  echo "parcel: $("$PARCEL" --version 2>/dev/null | head -1 || true) ($PARCEL), repo $(describe_repo)"
  echo "parcel opts: $JVM_OPTS, default connections (8), udt defaults (MSS 1500)"
  echo "nginx: $("$NGINX" -v 2>&1 | sed 's/.*: //')"
  echo "aria2c: $(aria2c --version 2>/dev/null | head -1)"
  echo "uptime at start: $(uptime)"
} > "$RAW/machine.txt"

for profile in $PROFILES; do
  # shellcheck disable=SC2046
  lab_up "$profile" $(profile_args "$profile")
  echo "$profile cc: $(ip netns exec "$NS_S" sysctl -n net.ipv4.tcp_congestion_control)" >> "$RAW/machine.txt"
  start_nginx "$DIRECT_URL and $UPSTREAM_URL" nginx_answers
  start_serve "$profile"
  rotate_runs "$profile" "$CLIENTS" run_one
  stop_pid "$SERVE_PID"; SERVE_PID=""
  stop_nginx
  lab_down "$profile"
done
finish_machine_notes

# ------------------------------------------------------------------------------------------------ report
python3 "$HERE/relay-report.py" serve --csv "$CSV" --machine "$RAW/machine.txt" --raw-dir "$RAW" \
    --command "PROFILES=\"$PROFILES\" CLIENTS=\"$(echo $CLIENTS)\" RUNS=$RUNS SIZE_MIB=$SIZE_MIB CAP=$CAP WARMUP=$WARMUP NS=$NS bench/serve-bench.sh" \
    --cap "$CAP" --warmup "$WARMUP" > "$RESULT"
log "wrote $RESULT (raw: $RAW)"
