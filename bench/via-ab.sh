#!/usr/bin/env bash
# via-ab.sh - A/B of distributions (or JVM options of serve, the UDT sender) on capped downloads through
# 'parcel serve' over UDT, the variants alternating run by run. The client's link bytes are sampled every 100 ms,
# so a run reports its goodput, its steady rate (from second 5) and how many 100 ms samples fell below 80 Mbit/s
# (dips: a PROBE_RTT, a connection between two ranges). Needs root (network namespaces), nginx, curl, python3.
#
#   VARIANTS="old=/tmp/parcel-a new=/tmp/parcel-b" RUNS=5 CAP=40 sudo -E bench/via-ab.sh
#   VARIANTS="b=/tmp/parcel-b:-Dudt.bbr.trace=true" RUNS=1 sudo -E bench/via-ab.sh    # one traced run
#
# Knobs: VARIANTS (NAME=DIST[:SERVE_JVM_OPTS], the client always runs DIST), RUNS (3), CAP (30 s), RATE (100mbit),
# RTT (50), LOSS (none), VIA_ARGS (extra client options), WORK (/tmp/parcel-via-ab), NS (pvab), NGINX, WAN, NL_BIN.
# Prints one line per run and variant; raw samples, outputs and serve logs stay in $WORK/runs-<stamp>.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH_NAME=via-ab
NS="${NS:-pvab}"
WORK="${WORK:-/tmp/parcel-via-ab}"
RESULT="${RESULT:-/dev/null}"
NGINX="${NGINX:-/usr/sbin/nginx}"
# shellcheck source=lib/common.sh
. "$HERE/lib/common.sh"
CAP="${CAP:-30}"
RUNS="${RUNS:-3}"
[ -n "${VARIANTS:-}" ] || die "set VARIANTS, e.g. VARIANTS=\"old=/tmp/parcel-a new=/tmp/parcel-b\""
require_root
require_tools "nginx curl python3" "$NGINX" curl python3
ensure_netem_lite
open_run_dir "run,variant,goodput_mbit,steady_mbit,dips"
ensure_data_file bench-1024m.bin 1024
SERVE_PID=""
SAMPLER_PID=""
cleanup() { set +e; stop_pid "$SAMPLER_PID" 1; stop_pid "$SERVE_PID"; stop_nginx; lab_teardown; }
install_traps cleanup
lab_up via --rate "${RATE:-100mbit}" --rtt "${RTT:-50}" ${LOSS:+--loss $LOSS} --cc cubic
write_nginx_conf 8080 '$remote_addr $msec $request_time "$http_range" $status'
nginx_answers() { ip netns exec "$NS_C" curl -s -o /dev/null --max-time 2 -r 0-0 "http://$SERVER_IP:8080/bench-1024m.bin"; }
start_nginx "the test file" nginx_answers

for run in $(seq 1 "$RUNS"); do
  for variant in $VARIANTS; do
    name=${variant%%=*}; rest=${variant#*=}; dist=${rest%%:*}; opts=""
    [ "$rest" != "$dist" ] && opts=${rest#*:}
    tag="$run-$name"
    PARCEL_OPTS="-Xmx$PARCEL_HEAP -Djava.net.preferIPv4Stack=true $opts" ip netns exec "$NS_S" "$dist/bin/parcel" serve \
        --transport udt --listen "$SERVER_IP:9000" --upstream http://127.0.0.1:8080 --status-interval 0 \
        > "$RAW/serve-$tag.out" 2> "$RAW/serve-$tag.err" < /dev/null &
    SERVE_PID=$!
    for _ in $(seq 1 100); do grep -q "listening on" "$RAW/serve-$tag.err" 2>/dev/null && break; sleep 0.1; done
    rm -rf "$WORK/out"; mkdir -p "$WORK/out"
    # one shell inside the namespace, so that each time stamp and its counter are read within a millisecond
    ip netns exec "$NS_C" bash -c 'end=$(( $(date +%s) + $1 + 2 )); while [ "$(date +%s)" -lt "$end" ]; do
        echo "$(date +%s.%N) $(cat /sys/class/net/veth0/statistics/rx_bytes)"; sleep 0.1; done' sampler "$CAP" \
        > "$RAW/rx-$tag.txt" &
    SAMPLER_PID=$!
    # shellcheck disable=SC2086
    PARCEL_OPTS="-Xmx$PARCEL_HEAP -Djava.net.preferIPv4Stack=true" ip netns exec "$NS_C" timeout "$CAP" \
        "$dist/bin/parcel" download --transport udt --via "$SERVER_IP:9000" ${VIA_ARGS:-} -q -d "$WORK/out" \
        http://127.0.0.1:8080/bench-1024m.bin > "$RAW/out-$tag.log" 2>&1 || true
    wait "$SAMPLER_PID" || true
    SAMPLER_PID=""
    stop_pid "$SERVE_PID"; SERVE_PID=""
    # UDT carries 1456 payload bytes per 1514-byte frame at MSS 1500
    python3 - "$RAW/rx-$tag.txt" "$run" "$name" "$CAP" <<'PY' | tee -a "$CSV" | awk -F, '{printf "%s %-8s goodput %s steady %s dips<80 %s\n", $1, $2, $3, $4, $5}'
import sys
rows = [tuple(map(float, line.split())) for line in open(sys.argv[1])]
t0, cap = rows[0][0], float(sys.argv[4])
def at(t):
    return [b for tt, b in rows if tt - t0 <= t][-1]
ratio = 8 * 1456 / 1514 / 1e6
goodput = (at(cap) - rows[0][1]) * ratio / cap
steady = (at(cap) - at(5)) * ratio / (cap - 5)
dips = sum(1 for (t, b), (t2, b2) in zip(rows, rows[1:]) if 2 < t - t0 < cap - 0.5 and (b2 - b) * 8 / (t2 - t) / 1e6 < 80)
print(f"{sys.argv[2]},{sys.argv[3]},{goodput:.2f},{steady:.2f},{dips}")
PY
  done
done
log "raw: $RAW"
