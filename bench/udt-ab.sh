#!/usr/bin/env bash
# udt-ab.sh - A/B of Java UDT builds (or system properties) over one ../shared/wan link: `parcel perf` client ->
# server, the variants alternating within each run so that drift of the machine hits them alike. Needs root
# (network namespaces). Prints one line per run and variant (the receiver's Mbit/s, which is what
# bench/udt-bench.sh reports) and a median per variant; keeps each side's JSON under $OUT.
#
#   VARIANTS="before=/tmp/parcel-a after=/tmp/parcel-b" RTT=0 RUNS=5 sudo -E bench/udt-ab.sh
#   VARIANTS="off=/tmp/p:-Dudt.x=false on=/tmp/p:-Dudt.x=true" RATE=500mbit RTT=100 LOSS=0.5 sudo -E bench/udt-ab.sh
#
# Knobs (environment):
#   VARIANTS  space-separated NAME=DIST[:-Dprop=v,-Dprop2=v] (DIST: an unpacked distribution, cli/target/parcel)
#   RATE RTT LOSS  the link (100mbit, 0 ms, 0 %), per direction, drop-tail queue max(BDP, 64 KiB), loss seed 1
#   RUNS DUR  runs (3) of DUR seconds (20); every process is killed DUR + 40 s after it started
#   WARM      1 (default): an 8 s transfer first, after the link came up (the first run after wan-up.sh was
#             2-6 Mbit/s low in three of three sets without it); 0: none
#   COPTS     extra JVM options for the clients only (e.g. -Dudt.bbr.trace=true: one line per round on stderr)
#   OUT       raw data (/tmp/udt-ab)   NS  namespace prefix (pab)   WAN  the lab (../shared/wan)
#   NL_BIN    netem-lite binary (/tmp/netem-lite; ../shared/wan/build.sh builds it)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
RATE="${RATE:-100mbit}"; RTT="${RTT:-0}"; LOSS="${LOSS:-0}"; RUNS="${RUNS:-3}"; DUR="${DUR:-20}"
OUT="${OUT:-/tmp/udt-ab}"; NS="${NS:-pab}"; WAN="${WAN:-$root/../shared/wan}"; WARM="${WARM:-1}"
export NL_BIN="${NL_BIN:-/tmp/netem-lite}"
VARIANTS="${VARIANTS:?set VARIANTS=\"name=/path/to/distribution ...\"}"

die() { echo "udt-ab: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
for variant in $VARIANTS; do
    rest=${variant#*=}
    [ -x "${rest%%:*}/bin/parcel" ] || die "no distribution at ${rest%%:*} (variant $variant)"
done
mkdir -p "$OUT"

down() { "$WAN/wan-down.sh" --client-ns "$NS-c" --server-ns "$NS-s" --router-ns "$NS-r" >/dev/null 2>&1 || true; }
trap down EXIT
"$WAN/wan-up.sh" --replace -q --client-ns "$NS-c" --server-ns "$NS-s" --router-ns "$NS-r" --rate "$RATE" \
    --rtt "$RTT" --loss "$LOSS" --seed 1 --cc cubic >&2

# One transfer of variant $1 (NAME=DIST[:props]) for $3 s into $2.s.json / $2.c.json (and their .err).
transfer() {
    local rest=${1#*=} dist props="" port server
    dist=${rest%%:*}
    [ "$rest" != "$dist" ] && props=${rest#*:}
    props=${props//,/ }
    port=$((9000 + RANDOM % 1000))
    PARCEL_OPTS="-Xmx256m $props" timeout -s KILL $((DUR + 40)) ip netns exec "$NS-s" "$dist/bin/parcel" perf server \
        --transport udt --listen "198.18.0.2:$port" --once --json --no-hash --accept-timeout 30s \
        >"$2.s.json" 2>"$2.s.err" &
    server=$!
    sleep 1
    PARCEL_OPTS="-Xmx256m $props ${COPTS:-}" timeout -s KILL $((DUR + 40)) ip netns exec "$NS-c" "$dist/bin/parcel" \
        perf client --transport udt --to "198.18.0.2:$port" --time "$3" --json --no-hash \
        >"$2.c.json" 2>"$2.c.err" || true
    wait "$server" || true
}

if [ "$WARM" = 1 ]; then
    first=${VARIANTS%% *}
    transfer "$first" "$OUT/warm-up" 8
    sleep 2
fi
for run in $(seq 1 "$RUNS"); do
    for variant in $VARIANTS; do
        transfer "$variant" "$OUT/${variant%%=*}.$run" "$DUR"
        python3 - "$OUT/${variant%%=*}.$run" "${variant%%=*}" "$run" <<'PY'
import json, sys
def last(path):
    try:
        return json.loads(open(path).read().strip().splitlines()[-1])
    except (OSError, ValueError, IndexError):
        return {}
server, client = last(sys.argv[1] + ".s.json"), last(sys.argv[1] + ".c.json")
stats = client.get("stats", {})
mbps = server.get("mbps")
print(f"{sys.argv[2]:>12} run {sys.argv[3]}: " + (f"{mbps:8.2f} Mbit/s" if mbps is not None else "  failed")
      + f"  resent={stats.get('retransmitted')} overflows={stats.get('overflows')}"
      + f" cpu={client.get('cpu_seconds', 0) + server.get('cpu_seconds', 0):.2f} s")
PY
    done
done | tee "$OUT/summary.txt"
python3 - "$OUT/summary.txt" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    m = re.match(r"\s*(\S+) run \d+:\s+([\d.]+) Mbit/s", line)
    if m:
        runs.setdefault(m.group(1), []).append(float(m.group(2)))
for name, values in runs.items():
    print(f"{name:>12} median {statistics.median(values):8.2f} Mbit/s over {len(values)} runs")
PY
