#!/usr/bin/env bash
# udt-fairness.sh - how Java UDT shares a bottleneck (issue 3): two Java UDT flows on one link, and one Java UDT
# flow against one iperf3 TCP flow (CUBIC, BBR), over ../shared/wan links. Needs root (network namespaces).
# Writes bench/results/<date>-udt-fairness.md (each flow's goodput while both ran, its share, Jain's index) and
# keeps raw data under $WORK.
#
#   sudo bench/udt-fairness.sh                                  # RTT 50 and 100 ms, no loss, 3 pairs, 1 run each
#   RTTS=100 LOSS=1 PAIRS="java+tcp-bbr" RUNS=3 sudo -E bench/udt-fairness.sh
#
# Each run: flow A (always Java UDT, `parcel perf`) sends for DURATION seconds; flow B starts STAGGER seconds later
# and stops STAGGER seconds before A (it runs DURATION - 2*STAGGER). Shares are taken over B's life minus its first
# WARMUP seconds, from both receivers' once-a-second progress (parcel perf server -i 1s; iperf3's server-side
# intervals via --get-server-output), so start-up and the lone tails do not count.
#
# Knobs (environment):
#   RTTS      round-trip times in ms (50 100)        LOSS  random loss per direction in % (0)
#   RATE      bottleneck rate (100mbit)              PAIRS java+java java+tcp-cubic java+tcp-bbr
#   RUNS      runs per RTT and pair (1)              DURATION 40   STAGGER 5   WARMUP 5
#   PARCEL    the distribution launcher (cli/target/parcel/bin/parcel)   PARCEL_HEAP  -Xmx (256m)
#   NS        namespace prefix (pfair: pfair-c, pfair-s, pfair-r)       WAN  ../shared/wan
#   NL_BIN    netem-lite binary (/tmp/netem-lite)    SEED  loss seed (1)
#   WORK      raw data (/tmp/udt-fairness)           RESULT  bench/results/<UTC date>-udt-fairness.md
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
RTTS="${RTTS:-50 100}"
LOSS="${LOSS:-0}"
RATE="${RATE:-100mbit}"
PAIRS="${PAIRS:-java+java java+tcp-cubic java+tcp-bbr}"
RUNS="${RUNS:-1}"
DURATION="${DURATION:-40}"
STAGGER="${STAGGER:-5}"
WARMUP="${WARMUP:-5}"
PARCEL="${PARCEL:-$root/cli/target/parcel/bin/parcel}"
PARCEL_HEAP="${PARCEL_HEAP:-256m}"
NS="${NS:-pfair}"
WAN="${WAN:-$root/../shared/wan}"
NL_BIN="${NL_BIN:-/tmp/netem-lite}"
SEED="${SEED:-1}"
WORK="${WORK:-/tmp/udt-fairness}"
stamp="$(date -u +%Y%m%d-%H%M%S)"
RESULT="${RESULT:-$here/results/$(date -u +%Y-%m-%d)-udt-fairness.md}"
runs_dir="$WORK/runs-$stamp"
export NL_BIN

die() { echo "udt-fairness: $*" >&2; exit 2; }
log() { echo "udt-fairness: $*" >&2; }

[ "$(id -u)" = 0 ] || die "needs root (network namespaces); run with sudo -E"
for tool in python3 iperf3 timeout ip; do
    command -v "$tool" >/dev/null || die "missing $tool (apt-get install -y python3 iperf3 coreutils iproute2)"
done
[ -x "$WAN/wan-up.sh" ] || die "no WAN lab at $WAN (set WAN=)"
[ -x "$PARCEL" ] || die "no distribution at $PARCEL (./mvnw -q -B package -DskipTests)"
[ "$DURATION" -gt $((2 * STAGGER + WARMUP + 2)) ] || die "DURATION must exceed 2*STAGGER + WARMUP + 2 s"
if [ ! -x "$NL_BIN" ]; then
    bash "$WAN/build.sh" >&2 || die "could not build netem-lite (see $WAN/README.md)"
fi
if [ -z "${JAVA_HOME:-}" ]; then
    for candidate in /usr/lib/jvm/*; do
        if "$candidate/bin/java" -version 2>&1 | grep -Eq 'version "(2[1-9]|[3-9][0-9])'; then
            export JAVA_HOME="$candidate"
        fi
    done
fi
mkdir -p "$runs_dir" "$(dirname "$RESULT")"

ns_c="$NS-c"; ns_s="$NS-s"
link_down() {
    "$WAN/wan-down.sh" --client-ns "$ns_c" --server-ns "$ns_s" --router-ns "$NS-r" >>"$runs_dir/wan-down.log" 2>&1 || true
}
linked=0
trap '[ "$linked" = 0 ] || link_down' EXIT
limit=$((DURATION + 40))
b_time=$((DURATION - 2 * STAGGER))

# start_flow KIND PORT SECONDS OUT: a server in the server namespace (background) and, a second later, its client
# in the client namespace (background); every process is killed after $limit s. Prints nothing; PIDs in $pids.
pids=()
start_flow() {
    local kind="$1" port="$2" seconds="$3" out="$4"
    case "$kind" in
        java)
            ip netns exec "$ns_s" env PARCEL_OPTS="-Xmx$PARCEL_HEAP" timeout --signal=KILL "$limit" \
                "$PARCEL" perf server --transport udt --listen "198.18.0.2:$port" --once --json --no-hash \
                --accept-timeout 30s -i 1s >"$out.server.out" 2>"$out.server.err" &
            pids+=($!)
            sleep 1
            ip netns exec "$ns_c" env PARCEL_OPTS="-Xmx$PARCEL_HEAP" timeout --signal=KILL "$limit" \
                "$PARCEL" perf client --transport udt --to "198.18.0.2:$port" --time "$seconds" --json --no-hash \
                >"$out.client.out" 2>"$out.client.err" &
            pids+=($!) ;;
        tcp-cubic|tcp-bbr)
            ip netns exec "$ns_s" timeout --signal=KILL "$limit" iperf3 -s -1 -B 198.18.0.2 -p "$port" -J \
                >"$out.server.out" 2>"$out.server.err" &
            pids+=($!)
            sleep 1
            ip netns exec "$ns_c" timeout --signal=KILL "$limit" iperf3 -c 198.18.0.2 -p "$port" -t "$seconds" \
                -C "${kind#tcp-}" -J --get-server-output >"$out.client.out" 2>"$out.client.err" &
            pids+=($!) ;;
        *) die "unknown flow kind $kind" ;;
    esac
}

{
    echo "command: $0 (RTTS=\"$RTTS\" LOSS=$LOSS RATE=$RATE PAIRS=\"$PAIRS\" RUNS=$RUNS DURATION=$DURATION STAGGER=$STAGGER WARMUP=$WARMUP SEED=$SEED)"
    echo "machine: nproc=$(nproc) cpu=\"$(lscpu | sed -n 's/^Model name: *//p' | head -1)\" kernel=$(uname -r)"
    echo "java: $( ( "${JAVA_HOME:-/nonexistent}/bin/java" -version 2>&1 || java -version 2>&1 ) | head -1)  iperf3: $(iperf3 --version | head -1)"
    udt_jar="$(ls "$(dirname "$PARCEL")"/../lib/parcel-transport-udt-*.jar 2>/dev/null | head -1)"
    [ -z "$udt_jar" ] || echo "parcel: $PARCEL  udt jar: $(basename "$udt_jar") built $(date -u -r "$udt_jar" '+%Y-%m-%d %H:%M UTC') sha256 $(sha256sum "$udt_jar" | cut -c1-12)"
} >"$runs_dir/header.txt"
echo "rtt,pair,run,load1" >"$runs_dir/runs.csv"

for rtt in $RTTS; do
    log "link $RATE RTT $rtt ms loss $LOSS%"
    "$WAN/wan-up.sh" --replace -q --client-ns "$ns_c" --server-ns "$ns_s" --router-ns "$NS-r" \
        --rate "$RATE" --rtt "$rtt" --loss "$LOSS" --seed "$SEED" --cc cubic >&2
    linked=1
    for run in $(seq 1 "$RUNS"); do
        for pair in $PAIRS; do
            load="$(cut -d' ' -f1 /proc/loadavg)"
            log "  run $run: $pair (load $load)"
            base="$runs_dir/rtt$rtt.$pair.$run"
            pids=()
            start_flow "${pair%%+*}" 9701 "$DURATION" "$base.a"
            sleep "$((STAGGER - 1))"
            start_flow "${pair#*+}" 9702 "$b_time" "$base.b"
            for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
            echo "$rtt,$pair,$run,$load" >>"$runs_dir/runs.csv"
        done
    done
    "$WAN/wan-stats.sh" --client-ns "$ns_c" >"$runs_dir/rtt$rtt.wan-stats.txt" 2>&1 || true
    link_down
    linked=0
done

python3 - "$runs_dir" "$RESULT" "$STAGGER" "$WARMUP" "$b_time" "$RATE" "$LOSS" <<'EOF'
import csv, json, os, re, statistics, sys

runs_dir, result, stagger, warmup, b_time, rate, loss = sys.argv[1:8]
stagger, warmup, b_time = float(stagger), float(warmup), float(b_time)
PROGRESS = re.compile(r"perf:\s+([0-9.]+) s\s+([0-9]+) bytes")

def java_rate(path, t0, t1):
    """Mbit/s between t0 and t1 s of a parcel perf receiver's progress lines (nearest lines inside the window)."""
    points = []
    try:
        for line in open(path, encoding="utf-8", errors="replace"):
            m = PROGRESS.search(line)
            if m:
                points.append((float(m.group(1)), int(m.group(2))))
    except OSError:
        return None
    inside = [p for p in points if t0 - 0.01 <= p[0] <= t1 + 0.01]
    if len(inside) < 2:
        return None
    (ta, ba), (tb, bb) = inside[0], inside[-1]
    return (bb - ba) * 8 / (tb - ta) / 1e6 if tb > ta else None

def tcp_rate(path, t0, t1):
    """Mbit/s of an iperf3 flow's receiver-side intervals that lie within t0..t1 s of its start."""
    try:
        data = json.load(open(path, encoding="utf-8"))
    except (OSError, ValueError):
        return None
    intervals = (data.get("server_output_json") or {}).get("intervals") or data.get("intervals") or []
    total = seconds = 0.0
    for interval in intervals:
        s = interval.get("sum", {})
        if s.get("start", 0) >= t0 - 0.01 and s.get("end", 0) <= t1 + 0.5:
            total += s.get("bytes", 0)
            seconds += s.get("seconds", 0)
    return total * 8 / seconds / 1e6 if seconds else None

def flow_rate(base, kind, t0, t1):
    if kind == "java":
        return java_rate(base + ".server.err", t0, t1)
    return tcp_rate(base + ".client.out", t0, t1)

rows = list(csv.DictReader(open(os.path.join(runs_dir, "runs.csv"), encoding="utf-8")))
results = []
for row in rows:
    kind_a, kind_b = row["pair"].split("+")
    base = os.path.join(runs_dir, f"rtt{row['rtt']}.{row['pair']}.{row['run']}")
    a = flow_rate(base + ".a", kind_a, stagger + warmup, stagger + b_time)
    b = flow_rate(base + ".b", kind_b, warmup, b_time)
    results.append((row, a, b))

def fmt(v, d=1):
    return "–" if v is None else f"{v:.{d}f}"

loads = [float(r["load1"]) for r in rows]
out = ["# UDT fairness, " + os.path.basename(runs_dir).replace("runs-", ""), ""]
if loads:
    out += [f"1-minute load average before the runs: {min(loads):.2f} to {max(loads):.2f}."
            + (" **Preliminary:** above 1 on 2 cores (the benchmark's own processes count too)." if max(loads) > 1.0 else ""), ""]
out += ["Produced by `bench/udt-fairness.sh`; raw data in `" + runs_dir + "`.", "", "```"]
out += open(os.path.join(runs_dir, "header.txt"), encoding="utf-8").read().splitlines()
out += ["```", "",
        f"Link {rate}, loss {loss}% each way, router topology (1-BDP drop-tail queue). Flow A (Java UDT, default "
        f"congestion control) starts first; flow B starts {stagger:.0f} s later and stops {stagger:.0f} s before A. "
        f"Goodput of each flow from its receiver over B's life minus B's first {warmup:.0f} s "
        f"({b_time - warmup:.0f} s while both ran). Share = flow / (A + B); Jain's index (A+B)^2 / (2(A^2+B^2)) is "
        "1.0 for an equal split, 0.5 when one flow has everything.", "",
        "| RTT ms | A | B | run | A Mbit/s | B Mbit/s | A share | B share | Jain | load |",
        "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
for row, a, b in results:
    kind_a, kind_b = row["pair"].split("+")
    share_a = share_b = jain = None
    if a is not None and b is not None and a + b > 0:
        share_a, share_b = a / (a + b), b / (a + b)
        jain = (a + b) ** 2 / (2 * (a * a + b * b))
    out.append(f"| {row['rtt']} | {kind_a} udt | {kind_b} | {row['run']} | {fmt(a)} | {fmt(b)} | "
               f"{fmt(share_a and share_a * 100, 0)} % | {fmt(share_b and share_b * 100, 0)} % | {fmt(jain, 2)} | "
               f"{float(row['load1']):.2f} |")
out.append("")
with open(result, "w", encoding="utf-8") as handle:
    handle.write("\n".join(out) + "\n")
print(result)
EOF
log "report: $RESULT (raw data: $runs_dir)"
