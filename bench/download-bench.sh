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
BENCH_NAME=download-bench
NS="${NS:-pdl}"
# The shared knobs (WAN, PARCEL, PARCEL_HEAP), REPO, the lab's namespaces NS_C/NS_S/NS_R, SERVER_IP, log and die.
# shellcheck source=lib/common.sh
. "$HERE/lib/common.sh"
PROFILES="${PROFILES:-direct p50 p100cubic p100bbr}"
CLIENTS="${CLIENTS:-parcel aria2c curl}"
RUNS="${RUNS:-3}"
SIZE_MIB="${SIZE_MIB:-1024}"
CAP_UNSHAPED="${CAP_UNSHAPED:-90}"
CAP_SHAPED="${CAP_SHAPED:-25}"
WARMUP="${WARMUP:-5}"
WORK="${WORK:-/tmp/parcel-download-bench}"
RESULT="${RESULT:-$HERE/results/$(date -u +%F)-download.md}"
PORT=8080
SIZE=$((SIZE_MIB * 1024 * 1024))
FILE_NAME="bench-${SIZE_MIB}m.bin"
URL="http://$SERVER_IP:$PORT/$FILE_NAME"
NGINX="${NGINX:-/usr/sbin/nginx}"

# ------------------------------------------------------------------------------------------------ preflight
require_root
require_tools "nginx time python3 iproute2 coreutils" "$NGINX" /usr/bin/time python3 ip timeout
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

ensure_netem_lite

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
# shellcheck disable=SC2086
check_profiles $PROFILES

# ------------------------------------------------------------------------------------------------ set-up
open_run_dir "profile,run,client,exit,complete,elapsed_s,bytes,goodput_mbit,steady_mbit,cpu_s,cpu_s_per_gib,max_rss_kib,peak_heap_mib,load1"
ensure_data_file "$FILE_NAME" "$SIZE_MIB"
warm_startup_cache

cleanup() {
  set +e
  [ -n "$CLIENT_PID" ] && stop_client "$CLIENT_PID"
  stop_nginx 5
  lab_teardown
}
install_traps cleanup

# nginx has answered once the client namespace can fetch the file's first byte.
nginx_answers() { ip netns exec "$NS_C" curl -s -o /dev/null --max-time 2 -r 0-0 "$URL"; }

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

run_one() {
  local profile="$1" run="$2" client="$3"
  local tag="$profile-$run-$client" out="$WORK/out" timefile="$RAW/time-$profile-$run-$client.txt"
  local load cmd heap
  rm -rf "$out"; mkdir -p "$out"
  sync
  load=$(load1)
  cmd="$(client_command "$client" "$out" "$tag")"
  echo "$cmd" > "$RAW/cmd-$tag.txt"
  # Frames to payload: 1448 bytes of TCP payload (with timestamps) per 1514-byte frame at MTU 1500.
  run_capped_client "$(profile_cap "$profile")" 1448/1514 "$cmd" "$timefile" "$RAW/out-$tag.log" "$out/$FILE_NAME" "$SIZE"
  heap=""
  if [ "$client" = parcel ] && [ -f "$RAW/gc-$tag.log" ]; then
    heap=$({ grep -oE '[0-9]+M->[0-9]+M\([0-9]+M\)' "$RAW/gc-$tag.log" | sed 's/M->.*//'
             grep -oE 'heap .*used [0-9]+K' "$RAW/gc-$tag.log" | sed -E 's/.*used ([0-9]+)K/\1/' \
                 | awk '{printf "%d\n", ($1 + 1023) / 1024}'; } | sort -n | tail -1 || true)
    heap="${heap:-0}"
  fi
  echo "$profile,$run,$client,$RUN_RC,$RUN_COMPLETE,$RUN_ELAPSED,$RUN_BYTES,$RUN_GOODPUT,$RUN_STEADY,$RUN_CPU,$RUN_CPU_GIB,$RUN_RSS,$heap,$load" >> "$CSV"
  log "$profile run $run $client: exit $RUN_RC complete=$RUN_COMPLETE ${RUN_ELAPSED}s $RUN_GOODPUT Mbit/s (steady ${RUN_STEADY:-n/a}) cpu ${RUN_CPU}s (${RUN_CPU_GIB}s/GiB) rss ${RUN_RSS}KiB heap ${heap:-n/a}MiB load $load"
  rm -rf "$out"
}

# ------------------------------------------------------------------------------------------------ runs
write_nginx_conf "$SERVER_IP:$PORT" '$body_bytes_sent $status $request_time "$http_range"'
start_wall_clock
JAVA_LINE="n/a"
if echo "$CLIENTS" | grep -qw parcel; then
  JAVA_LINE=$(PARCEL_OPTS=-XshowSettings:properties "$PARCEL" --version 2>&1 \
      | grep -E '^\s*(java\.vm\.name|java\.runtime\.version|java\.home) =' | sed 's/^ *//' | paste -sd ';' - || true)
  PARCEL_VERSION=$("$PARCEL" --version 2>/dev/null | head -1 || true)
fi
{
  describe_host
  echo "parcel: ${PARCEL_VERSION:-n/a} ($PARCEL), jars built $(date -u -r "$(dirname "$PARCEL")/../lib" +%FT%TZ 2>/dev/null || echo '?'), repo $(describe_repo)"
  echo "parcel jvm: $JAVA_LINE"
  echo "parcel opts: -Xmx$PARCEL_HEAP, default connections (8)"
  echo "nginx: $("$NGINX" -v 2>&1 | sed 's/.*: //')"
  echo "aria2c: $(aria2c --version 2>/dev/null | head -1)"
  echo "curl: $(curl --version 2>/dev/null | head -1 | cut -d' ' -f1-2)"
  echo "uptime at start: $(uptime)"
} > "$RAW/machine.txt"

for profile in $PROFILES; do
  # shellcheck disable=SC2046
  lab_up "$profile" $(profile_args "$profile")
  start_nginx "$URL" nginx_answers
  : > "$WORK/nginx/logs/access.log"
  rotate_runs "$profile" "$CLIENTS" run_one
  stop_nginx 5
  lab_down "$profile"
done
finish_machine_notes

# ------------------------------------------------------------------------------------------------ report
python3 "$HERE/download-report.py" --csv "$CSV" --machine "$RAW/machine.txt" --raw-dir "$RAW" \
    --command "PROFILES=\"$PROFILES\" CLIENTS=\"$(echo $CLIENTS)\" RUNS=$RUNS SIZE_MIB=$SIZE_MIB CAP_UNSHAPED=$CAP_UNSHAPED CAP_SHAPED=$CAP_SHAPED WARMUP=$WARMUP bench/download-bench.sh" \
    --size "$SIZE" --cap-shaped "$CAP_SHAPED" --cap-unshaped "$CAP_UNSHAPED" --warmup "$WARMUP" > "$RESULT"
log "wrote $RESULT (raw: $RAW)"
