#!/usr/bin/env bash
# udt-bench.sh - UDT goodput side by side over ../shared/wan links: the reference C++ pair (libudt, via
# test-tools/udt-peer), iperf3 TCP with CUBIC and with BBR, and Parcel's Java UDT through `parcel perf`
# (native congestion control and the default one). Needs root (network namespaces). Writes
# bench/results/<date>-udt.md (medians, ratios, each run) and keeps raw data under $WORK.
#
#   sudo bench/udt-bench.sh                                    # every profile, every peer, 3 runs of 20 s
#   PROFILES="loopback p100-0.1 p100-1" RUNS=3 sudo -E bench/udt-bench.sh
#   PEERS="libudt tcp-bbr" PROFILES=p100-1 RUNS=1 sudo -E bench/udt-bench.sh   # a quick look
#
# Knobs (environment):
#   PROFILES   space-separated profile names (default: all, see profile() below)
#   PEERS      libudt tcp-cubic tcp-bbr java-udt-native java-udt (default); also known: java-udt-bbr
#              (udt.cc=bbr) and parcel-tcp (parcel perf over tcp: checks perf itself is not the bottleneck)
#   RUNS       runs per profile and peer (3); peers rotate order from run to run
#   DURATION   seconds each sender sends (20); every process is killed after DURATION + GRACE
#   GRACE      extra seconds for connection set-up and draining (40)
#   PARCEL     the distribution launcher (cli/target/parcel/bin/parcel); Java columns are skipped without it
#   PARCEL_HEAP  -Xmx for parcel perf (256m), passed through PARCEL_OPTS
#   JAVA_UDT_OPTIONS  extra --option KEY=VALUE words for both Java sides (e.g. "--option udt.receive-buffer=48m")
#   UDT_PEER   the C++ peer binary (default: built by test-tools/udt-peer/build.sh into $WORK)
#   NL_BIN     netem-lite binary (/tmp/netem-lite; built with ../shared/wan/build.sh when missing)
#   WAN        the WAN lab scripts (../shared/wan)
#   NS         namespace prefix (pudt: pudt-c, pudt-s, pudt-r), so another lab's wan-c/wan-s is never touched
#   WORK       raw data directory (/tmp/udt-bench); RESULT  the report (bench/results/<UTC date>-udt.md)
#   SEED       netem-lite loss seed (1): the link's loss pattern repeats from one invocation to the next
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

ALL_PROFILES="loopback p0-0 p0-0.1 p0-1 p50-0 p50-0.1 p50-1 p100-0 p100-0.1 p100-1 p200-2 p500-0.5"
PROFILES="${PROFILES:-$ALL_PROFILES}"
PEERS="${PEERS:-libudt tcp-cubic tcp-bbr java-udt-native java-udt}"
RUNS="${RUNS:-3}"
DURATION="${DURATION:-20}"
GRACE="${GRACE:-40}"
PARCEL="${PARCEL:-$root/cli/target/parcel/bin/parcel}"
PARCEL_HEAP="${PARCEL_HEAP:-256m}"
WAN="${WAN:-$root/../shared/wan}"
NL_BIN="${NL_BIN:-/tmp/netem-lite}"
NS="${NS:-pudt}"
WORK="${WORK:-/tmp/udt-bench}"
SEED="${SEED:-1}"
stamp="$(date -u +%Y%m%d-%H%M%S)"
RESULT="${RESULT:-$here/results/$(date -u +%Y-%m-%d)-udt.md}"
runs_dir="$WORK/runs-$stamp"
csv="$runs_dir/results.csv"
export NL_BIN

die() { echo "udt-bench: $*" >&2; exit 2; }
log() { echo "udt-bench: $*" >&2; }

[ "$(id -u)" = 0 ] || die "needs root (network namespaces); run with sudo -E"
for tool in python3 iperf3 timeout ip; do
    command -v "$tool" >/dev/null || die "missing $tool (apt-get install -y python3 iperf3 coreutils iproute2)"
done
[ -x "$WAN/wan-up.sh" ] || die "no WAN lab at $WAN (set WAN=)"
if [ ! -x "$NL_BIN" ]; then
    log "building netem-lite into $NL_BIN"
    bash "$WAN/build.sh" >&2 || die "could not build netem-lite (see $WAN/README.md)"
fi
mkdir -p "$runs_dir" "$(dirname "$RESULT")"

if [ -z "${UDT_PEER:-}" ]; then
    UDT_PEER="$(bash "$root/test-tools/udt-peer/build.sh" "$WORK/udt-peer")" \
        || die "could not build the C++ peer (apt-get install -y libudt-dev g++)"
fi
[ -x "$UDT_PEER" ] || die "UDT_PEER=$UDT_PEER is not executable"

# bin/parcel needs Java 21+; the machine's default may be older.
if [ -z "${JAVA_HOME:-}" ]; then
    for candidate in /usr/lib/jvm/*; do
        if "$candidate/bin/java" -version 2>&1 | grep -Eq 'version "(2[1-9]|[3-9][0-9])'; then
            export JAVA_HOME="$candidate"
        fi
    done
fi

java_note=""
if [ ! -x "$PARCEL" ]; then
    java_note="no distribution at $PARCEL (run ./mvnw package): Java columns skipped"
elif ! "$PARCEL" plugins 2>/dev/null | grep -Eq '^udt +transport .*available$'; then
    java_note="the distribution at $PARCEL has no available udt transport yet: Java UDT columns skipped"
fi
[ -z "$java_note" ] || log "$java_note"

# name -> "RATE RTT_MS LOSS_PERCENT" ("loopback": host loopback, no namespaces)
profile() {
    case "$1" in
        loopback) echo "none 0 0" ;;
        p0-0) echo "100mbit 0 0" ;;      p0-0.1) echo "100mbit 0 0.1" ;;     p0-1) echo "100mbit 0 1" ;;
        p50-0) echo "100mbit 50 0" ;;    p50-0.1) echo "100mbit 50 0.1" ;;   p50-1) echo "100mbit 50 1" ;;
        p100-0) echo "100mbit 100 0" ;;  p100-0.1) echo "100mbit 100 0.1" ;; p100-1) echo "100mbit 100 1" ;;
        p200-2) echo "100mbit 200 2" ;;
        p500-0.5) echo "500mbit 100 0.5" ;;
        *) return 1 ;;
    esac
}
for p in $PROFILES; do profile "$p" >/dev/null || die "unknown profile '$p' (known: $ALL_PROFILES)"; done

ns_c="$NS-c"; ns_s="$NS-s"
link_up() {  # rate rtt loss
    "$WAN/wan-up.sh" --replace -q --client-ns "$ns_c" --server-ns "$ns_s" --router-ns "$NS-r" \
        --rate "$1" --rtt "$2" --loss "$3" --seed "$SEED" --cc cubic >&2
}
link_down() {
    "$WAN/wan-down.sh" --client-ns "$ns_c" --server-ns "$ns_s" --router-ns "$NS-r" >>"$runs_dir/wan-down.log" 2>&1 || true
}

# Runs "server" in the server namespace and "client" in the client one (or both on the host for loopback);
# each bounded by DURATION + GRACE seconds, killed by PID if still running then.
in_server() { if [ "$cur_profile" = loopback ]; then "$@"; else ip netns exec "$ns_s" "$@"; fi; }
in_client() { if [ "$cur_profile" = loopback ]; then "$@"; else ip netns exec "$ns_c" "$@"; fi; }
limit=$((DURATION + GRACE))

run_pair() {  # name server-command... -- client-command...
    local name="$1"; shift
    local server=() client=()
    while [ "$1" != "--" ]; do server+=("$1"); shift; done; shift
    client=("$@")
    local out="$runs_dir/$cur_profile.$name.$cur_run"
    in_server timeout --signal=KILL "$limit" "${server[@]}" >"$out.server.out" 2>"$out.server.err" &
    local server_pid=$!
    sleep 1
    local started; started=$(date +%s.%N)
    in_client timeout --signal=KILL "$limit" "${client[@]}" >"$out.client.out" 2>"$out.client.err" || true
    local ended; ended=$(date +%s.%N)
    # The server exits after its one connection; give it the rest of its bound at most.
    wait "$server_pid" 2>/dev/null || true
    echo "$started $ended" >"$out.wall"
}

server_host() { if [ "$cur_profile" = loopback ]; then echo 127.0.0.1; else echo 198.18.0.2; fi; }

run_peer() {  # peer
    local host; host="$(server_host)"
    local port=$((9000 + RANDOM % 1000))
    case "$1" in
        libudt)
            run_pair libudt "$UDT_PEER" server --listen "$host:$port" --once --quiet --no-hash --accept-timeout 30 -- \
                "$UDT_PEER" client --to "$host:$port" --time "$DURATION" --quiet --no-hash ;;
        tcp-cubic|tcp-bbr)
            local cc="${1#tcp-}"
            run_pair "$1" iperf3 -s -1 -B "$host" -p "$port" -J -- \
                iperf3 -c "$host" -p "$port" -t "$DURATION" -C "$cc" -J ;;
        java-udt-native|java-udt|java-udt-bbr|parcel-tcp)
            local transport=udt options=()
            [ "$1" = java-udt-native ] && options=(--option udt.cc=native)
            [ "$1" = java-udt-bbr ] && options=(--option udt.cc=bbr)
            [ "$1" = parcel-tcp ] && transport=tcp
            # shellcheck disable=SC2206 # words on purpose: a list of --option KEY=VALUE
            [ "$1" != parcel-tcp ] && [ -n "${JAVA_UDT_OPTIONS:-}" ] && options+=($JAVA_UDT_OPTIONS)
            PARCEL_OPTS="-Xmx$PARCEL_HEAP ${PARCEL_OPTS:-}" \
            run_pair "$1" "$PARCEL" perf server --transport "$transport" --listen "$host:$port" --once --json \
                    --no-hash --accept-timeout 30s "${options[@]}" -- \
                "$PARCEL" perf client --transport "$transport" --to "$host:$port" --time "$DURATION" --json \
                    --no-hash "${options[@]}" ;;
    esac
}

skip_peer() {  # peer -> reason or empty
    case "$1" in
        java-udt|java-udt-native|java-udt-bbr) [ -n "$java_note" ] && echo "$java_note" ;;
        parcel-tcp) [ -x "$PARCEL" ] || echo "no distribution at $PARCEL" ;;
    esac
    return 0
}

{
    echo "# command: $0 (PROFILES=\"$PROFILES\" PEERS=\"$PEERS\" RUNS=$RUNS DURATION=$DURATION SEED=$SEED)"
    echo "# machine: nproc=$(nproc) cpu=\"$(lscpu | sed -n 's/^Model name: *//p' | head -1)\" kernel=$(uname -r)"
    echo "# java: $( ( "${JAVA_HOME:-/nonexistent}/bin/java" -version 2>&1 || java -version 2>&1 ) | head -1)"
    echo "# udt_peer: $UDT_PEER  libudt: $(dpkg-query -W -f='${Version}' libudt0 2>/dev/null || echo '?')  iperf3: $(iperf3 --version | head -1)"
    if [ -z "$java_note" ]; then
        udt_jar="$(ls "$(dirname "$PARCEL")"/../lib/parcel-transport-udt-*.jar 2>/dev/null | head -1)"
        [ -z "$udt_jar" ] || echo "# parcel: $PARCEL  udt jar: $(basename "$udt_jar") built $(date -u -r "$udt_jar" '+%Y-%m-%d %H:%M UTC') sha256 $(sha256sum "$udt_jar" | cut -c1-12)"
    else
        echo "# note: $java_note"
    fi
} >"$runs_dir/header.txt"
echo "profile,peer,run,load1,skipped" >"$csv"

cleanup() { [ "${cur_profile:-loopback}" = loopback ] || link_down; }
trap cleanup EXIT

for cur_profile in $PROFILES; do
    read -r rate rtt loss <<<"$(profile "$cur_profile")"
    if [ "$cur_profile" != loopback ]; then
        log "profile $cur_profile: $rate RTT $rtt ms loss $loss%"
        link_up "$rate" "$rtt" "$loss"
    else
        log "profile loopback (host, no emulation)"
    fi
    peers=($PEERS)
    for cur_run in $(seq 1 "$RUNS"); do
        # rotate the order so no peer always runs first (or last, after the others warmed the machine)
        shift_by=$(( (cur_run - 1) % ${#peers[@]} ))
        order=("${peers[@]:$shift_by}" "${peers[@]:0:$shift_by}")
        for peer in "${order[@]}"; do
            reason="$(skip_peer "$peer")"
            load="$(cut -d' ' -f1 /proc/loadavg)"
            if [ -n "$reason" ]; then
                echo "$cur_profile,$peer,$cur_run,$load,\"$reason\"" >>"$csv"
                continue
            fi
            log "  run $cur_run: $peer (load $load)"
            run_peer "$peer"
            echo "$cur_profile,$peer,$cur_run,$load," >>"$csv"
        done
    done
    if [ "$cur_profile" != loopback ]; then
        "$WAN/wan-stats.sh" --client-ns "$ns_c" >"$runs_dir/$cur_profile.wan-stats.txt" 2>&1 || true
        link_down
    fi
done
cur_profile=loopback

python3 "$here/udt-report.py" "$RESULT" "$DURATION" "$runs_dir"
log "report: $RESULT (raw data: $runs_dir)"
