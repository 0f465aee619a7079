#!/usr/bin/env bash
# many-files-bench.sh - many small files from nginx, by parcel (one or more distributions, e.g. before and after a
# change, each with its default of files at once) and aria2c -x 8 -s 8 -j J side by side in the same run, over one
# link profile of ../shared/wan. Per-file round trips dominate here, not the link rate: a manifest of many small files is what it
# stands for. Prints a Markdown report to stdout and RESULT (raw times in WORK).
#
#   sudo bench/many-files-bench.sh
#   PARCELS="before=/tmp/old/bin/parcel after=cli/target/parcel/bin/parcel" RUNS=4 bench/many-files-bench.sh
#
# Environment (all optional):
#   PARCELS     name=launcher pairs (default: parcel=<repo>/cli/target/parcel/bin/parcel)
#   FILES       how many files (default 40)
#   SIZE_KIB    size of each (default 256)
#   RTT         round trip in ms of the 100mbit link (default 50)
#   RUNS        rounds; every client runs once a round, the order rotating (default 4)
#   ARIA2_JOBS  aria2c's -j values, one client each: "aria2c" for 1, "aria2c-jJ" otherwise (default 1; aria2c's own
#               default is 5)
#   CAP         seconds one run may take (default 120)
#   RESULT      report file (default WORK/report.md)
#   WAN, NL_BIN, WORK (default /tmp/parcel-many-files-bench), NS (default pmf) as in download-bench.sh
#
# Needs root (namespaces), nginx, aria2c, python3.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH_NAME=many-files-bench
NS="${NS:-pmf}"
# shellcheck source=lib/common.sh
. "$HERE/lib/common.sh"
PARCELS="${PARCELS:-parcel=$PARCEL}"
FILES="${FILES:-40}"
SIZE_KIB="${SIZE_KIB:-256}"
RTT="${RTT:-50}"
RUNS="${RUNS:-4}"
CAP="${CAP:-120}"
WORK="${WORK:-/tmp/parcel-many-files-bench}"
RESULT="${RESULT:-$WORK/report.md}"
PORT=8080
NGINX="${NGINX:-/usr/sbin/nginx}"
BASE_URL="http://$SERVER_IP:$PORT/many"

require_root
require_tools "nginx aria2 python3 iproute2 coreutils" "$NGINX" aria2c python3 ip timeout
declare -A LAUNCHER=()
CLIENTS=""
for pair in $PARCELS; do
  name="${pair%%=*}" launcher="${pair#*=}"
  [ -x "$launcher" ] || die "no parcel launcher at $launcher ($name)"
  LAUNCHER[$name]="$launcher"
  CLIENTS="$CLIENTS $name"
done
ARIA2_JOBS="${ARIA2_JOBS:-1}"
for jobs in $ARIA2_JOBS; do
  case "$jobs" in ''|*[!0-9]*) die "ARIA2_JOBS must be numbers: $ARIA2_JOBS" ;; esac
  if [ "$jobs" = 1 ]; then CLIENTS="$CLIENTS aria2c"; else CLIENTS="$CLIENTS aria2c-j$jobs"; fi
done
ensure_netem_lite

open_run_dir "run,client,exit,files,elapsed_s,load1"
# Each build's start-up cache is trained before the runs: the first two starts of an installation train it, once.
for client in $CLIENTS; do
  case "$client" in aria2c*) ;; *) PARCEL="${LAUNCHER[$client]}" warm_startup_cache ;; esac
done
mkdir -p "$WORK/www/many"
: > "$WORK/urls.txt"
for i in $(seq 1 "$FILES"); do
  file="$WORK/www/many/s$i.bin"
  if [ "$(stat -c %s "$file" 2>/dev/null || echo 0)" != $((SIZE_KIB * 1024)) ]; then
    head -c $((SIZE_KIB * 1024)) /dev/urandom > "$file"
  fi
  echo "$BASE_URL/s$i.bin" >> "$WORK/urls.txt"
done

cleanup() {
  set +e
  stop_nginx 5
  lab_teardown
}
install_traps cleanup

nginx_answers() { ip netns exec "$NS_C" curl -s -o /dev/null --max-time 2 -r 0-0 "$BASE_URL/s1.bin"; }

run_one() {
  local profile="$1" run="$2" client="$3" out="$WORK/out" load rc start end count
  rm -rf "$out"; mkdir -p "$out"
  sync
  load=$(load1)
  start=$(date +%s.%N)
  set +e
  if [[ "$client" == aria2c* ]]; then
    local jobs=1
    [ "$client" = aria2c ] || jobs="${client#aria2c-j}"
    ip netns exec "$NS_C" timeout "$CAP" aria2c -q -x 8 -s 8 -j "$jobs" --allow-overwrite=true -d "$out" \
        -i "$WORK/urls.txt" > "$RAW/out-$run-$client.log" 2>&1
  else
    # shellcheck disable=SC2046
    ip netns exec "$NS_C" timeout "$CAP" "${LAUNCHER[$client]}" download -q -d "$out" $(cat "$WORK/urls.txt") \
        > "$RAW/out-$run-$client.log" 2>&1
  fi
  rc=$?
  set -e
  end=$(date +%s.%N)
  count=$(find "$out" -maxdepth 1 -name 's*.bin' -size "${SIZE_KIB}k" | wc -l)
  echo "$run,$client,$rc,$count,$(echo "$end - $start" | bc),$load" >> "$CSV"
  log "run $run $client: exit $rc, $count of $FILES files, $(echo "$end - $start" | bc) s, load $load"
  rm -rf "$out"
}

write_nginx_conf "$SERVER_IP:$PORT" '$body_bytes_sent $status $request_time "$http_range"'
start_wall_clock
{
  describe_host
  for client in $CLIENTS; do
    [[ "$client" == aria2c* ]] || echo "parcel $client: ${LAUNCHER[$client]}, jars built $(date -u -r "$(dirname "${LAUNCHER[$client]}")/../lib" +%FT%TZ)"
  done
  echo "repo: $(describe_repo)"
  echo "nginx: $("$NGINX" -v 2>&1 | sed 's/.*: //')"
  echo "aria2c: $(aria2c --version 2>/dev/null | head -1)"
  echo "uptime at start: $(uptime)"
} > "$RAW/machine.txt"

lab_up "p$RTT" --rate 100mbit --rtt "$RTT"
start_nginx "$BASE_URL" nginx_answers
rotate_runs "p$RTT" "$CLIENTS" run_one
stop_nginx 5
lab_down "p$RTT"
finish_machine_notes

(python3 - "$CSV" "$RAW/machine.txt" <<EOF
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print("## $FILES files of $SIZE_KIB KiB, 100mbit RTT $RTT ms, $RUNS rounds\n")
print("Command: \`PARCELS=\"$PARCELS\" FILES=$FILES SIZE_KIB=$SIZE_KIB RTT=$RTT RUNS=$RUNS ARIA2_JOBS=\"$ARIA2_JOBS\" bench/many-files-bench.sh\`\n")
print("| client | median s | runs (s) | complete |")
print("| --- | ---: | --- | :---: |")
for client in "$CLIENTS".split():
    mine = [r for r in rows if r["client"] == client]
    ok = [float(r["elapsed_s"]) for r in mine if r["exit"] == "0" and r["files"] == "$FILES"]
    runs = ", ".join("%.2f" % float(r["elapsed_s"]) + ("" if r["exit"] == "0" and r["files"] == "$FILES" else "!") for r in mine)
    print("| %s | %s | %s | %d/%d |" % (client, "%.2f" % statistics.median(ok) if ok else "-", runs, len(ok), len(mine)))
print("\n\`!\` marks a run that failed or left files missing (not in the median).\n\nMachine:\n")
for line in open(sys.argv[2]):
    print("- " + line.rstrip())
EOF
) | tee "$RESULT"
log "wrote $RESULT (raw data in $RAW)"
