#!/usr/bin/env bash
# tunnel-bench.sh - iperf3 through 'parcel tunnel tcp2udt' (client namespace) / 'udt2tcp' (server namespace) vs the
# same through kcptun (kcptun-client / kcptun-server), with iperf3 direct TCP BBR as the reference, side by side in
# the same run over link profiles of ../shared/wan. Goodput, and CPU seconds per GiB of the two tunnel processes.
# Writes bench/results/<date>-tunnel.md (raw data stays in $WORK).
#
#   sudo bench/tunnel-bench.sh                                    # both profiles, 3 runs each: ~8 min
#   PROFILES=t100 RUNS=1 DURATION=8 sudo -E bench/tunnel-bench.sh # a smoke run
#
# Set-up per profile: iperf3 -s in the server namespace; both tunnels' server halves in the server namespace forward
# to 127.0.0.1:5201 (the iperf3 server, over that namespace's loopback); their client halves listen on 127.0.0.1 in the
# client namespace. The iperf3 client sends for DURATION s through each in turn (one TCP data stream plus iperf3's
# control connection); goodput is iperf3's receiver summary. The tunnel processes start once per profile and carry a
# short unmeasured warm-up transfer first (JIT for the JVM); CPU is the user+system time both halves used during the
# measured run (/proc/PID/stat), divided by the bytes received.
#
# Environment (all optional):
#   PROFILES   t100 (100mbit, RTT 100 ms, 1% loss) t500 (500mbit, RTT 100 ms, 0.5% loss) (default: both)
#   PEERS      parcel kcptun tcp-bbr (default: all three); the order rotates from run to run
#   RUNS       runs per peer and profile (default 3)
#   DURATION   iperf3 seconds per run (default 20)
#   WARMUP_S   seconds of unmeasured transfer through each tunnel after it starts (default 3)
#   KCP_WINDOW kcptun --sndwnd/--rcvwnd in packets (default 4096, the issue's best kcptun setting with fast3, no crypt)
#   PARCEL, PARCEL_HEAP (256m), WAN, NL_BIN, WORK (/tmp/parcel-tunnel-bench), RESULT
#   NS         namespace prefix (default ptun: ptun-c, ptun-s, ptun-r), so other labs are never touched
#
# Needs root, iperf3, kcptun (apt-get install kcptun), python3 and the packaged distribution (./mvnw package).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH_NAME=tunnel-bench
NS="${NS:-ptun}"
# The shared knobs (WAN, PARCEL, PARCEL_HEAP), REPO, the lab's namespaces NS_C/NS_S/NS_R, SERVER_IP, log and die.
# shellcheck source=lib/common.sh
. "$HERE/lib/common.sh"
PROFILES="${PROFILES:-t100 t500}"
PEERS="${PEERS:-parcel kcptun tcp-bbr}"
RUNS="${RUNS:-3}"
DURATION="${DURATION:-20}"
WARMUP_S="${WARMUP_S:-3}"
KCP_WINDOW="${KCP_WINDOW:-4096}"
WORK="${WORK:-/tmp/parcel-tunnel-bench}"
RESULT="${RESULT:-$HERE/results/$(date -u +%F)-tunnel.md}"
IPERF_PORT=5201
PARCEL_UDT_PORT=9001
PARCEL_LOCAL_PORT=5301
KCP_UDP_PORT=29900
KCP_LOCAL_PORT=5302
JVM_OPTS="-Xmx$PARCEL_HEAP -Djava.net.preferIPv4Stack=true"
KCP_FLAGS="--mode fast3 --crypt none --nocomp --sndwnd $KCP_WINDOW --rcvwnd $KCP_WINDOW --quiet"

# ------------------------------------------------------------------------------------------------ preflight
require_root
require_tools "iperf3 kcptun python3 iproute2 coreutils" iperf3 kcptun-client kcptun-server python3 ip timeout
require_parcel
for peer in $PEERS; do
  case "$peer" in parcel|kcptun|tcp-bbr) ;; *) die "unknown peer $peer (parcel kcptun tcp-bbr)" ;; esac
done
ensure_netem_lite

profile_args() {
  case "$1" in
    t100) echo "--rate 100mbit --rtt 100 --loss 1" ;;
    t500) echo "--rate 500mbit --rtt 100 --loss 0.5" ;;
    *) die "unknown profile $1 (t100 t500)" ;;
  esac
}
# shellcheck disable=SC2086
check_profiles $PROFILES

# ------------------------------------------------------------------------------------------------ set-up
open_run_dir "profile,run,peer,exit,seconds,bytes,goodput_mbit,retransmits,cpu_client_s,cpu_server_s,cpu_s_per_gib,load1"

IPERF_PID=""
declare -A CLIENT_SIDE=() SERVER_SIDE=()

stop_tunnels() {
  local peer
  for peer in "${!CLIENT_SIDE[@]}"; do stop_pid "${CLIENT_SIDE[$peer]}"; done
  for peer in "${!SERVER_SIDE[@]}"; do stop_pid "${SERVER_SIDE[$peer]}"; done
  CLIENT_SIDE=(); SERVER_SIDE=()
}

cleanup() {
  set +e
  stop_tunnels
  stop_pid "$IPERF_PID"; IPERF_PID=""
  lab_teardown
}
install_traps cleanup

# Waits (bounded) until a TCP port listens inside a namespace (without connecting: a probe connection would count as
# an iperf3 test or open a kcptun stream).
await_port() {
  local ns="$1" host="$2" port="$3" what="$4" pid="$5"
  for _ in $(seq 1 300); do
    [ -n "$(ip netns exec "$ns" ss -ltnH "sport = :$port")" ] && return 0
    kill -0 "$pid" 2>/dev/null || die "$what exited (see $RAW)"
    sleep 0.1
  done
  die "$what did not listen on $host:$port within 30 s"
}

await_line() {
  local file="$1" pattern="$2" what="$3" pid="$4"
  for _ in $(seq 1 300); do
    grep -q "$pattern" "$file" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || die "$what exited: $(tail -3 "$file")"
    sleep 0.1
  done
  die "$what did not start within 30 s: $(tail -3 "$file")"
}

start_tunnels() {
  local profile="$1" peer
  for peer in $PEERS; do
    case "$peer" in
      parcel)
        PARCEL_OPTS="$JVM_OPTS" ip netns exec "$NS_S" "$PARCEL" tunnel udt2tcp \
            --listen "$SERVER_IP:$PARCEL_UDT_PORT" --to "127.0.0.1:$IPERF_PORT" --status-interval 0 \
            > "$RAW/parcel-server-$profile.out" 2> "$RAW/parcel-server-$profile.err" < /dev/null &
        SERVER_SIDE[parcel]=$!
        await_line "$RAW/parcel-server-$profile.err" "listening on" "parcel udt2tcp" "${SERVER_SIDE[parcel]}"
        PARCEL_OPTS="$JVM_OPTS" ip netns exec "$NS_C" "$PARCEL" tunnel tcp2udt \
            --listen "127.0.0.1:$PARCEL_LOCAL_PORT" --to "$SERVER_IP:$PARCEL_UDT_PORT" --status-interval 0 \
            > "$RAW/parcel-client-$profile.out" 2> "$RAW/parcel-client-$profile.err" < /dev/null &
        CLIENT_SIDE[parcel]=$!
        await_line "$RAW/parcel-client-$profile.err" "listening on" "parcel tcp2udt" "${CLIENT_SIDE[parcel]}"
        ;;
      kcptun)
        # shellcheck disable=SC2086
        ip netns exec "$NS_S" kcptun-server -l ":$KCP_UDP_PORT" -t "127.0.0.1:$IPERF_PORT" $KCP_FLAGS \
            > "$RAW/kcptun-server-$profile.log" 2>&1 < /dev/null &
        SERVER_SIDE[kcptun]=$!
        # shellcheck disable=SC2086
        ip netns exec "$NS_C" kcptun-client -l "127.0.0.1:$KCP_LOCAL_PORT" -r "$SERVER_IP:$KCP_UDP_PORT" $KCP_FLAGS \
            > "$RAW/kcptun-client-$profile.log" 2>&1 < /dev/null &
        CLIENT_SIDE[kcptun]=$!
        await_port "$NS_C" 127.0.0.1 "$KCP_LOCAL_PORT" "kcptun-client" "${CLIENT_SIDE[kcptun]}"
        ;;
    esac
  done
}

iperf_target() {
  case "$1" in
    parcel) echo "-c 127.0.0.1 -p $PARCEL_LOCAL_PORT" ;;
    kcptun) echo "-c 127.0.0.1 -p $KCP_LOCAL_PORT" ;;
    tcp-bbr) echo "-c $SERVER_IP -p $IPERF_PORT -C bbr" ;;
  esac
}

warm_up() {
  local peer
  for peer in $PEERS; do
    [ "$peer" = tcp-bbr ] && continue
    # shellcheck disable=SC2046
    ip netns exec "$NS_C" timeout -k 5 $((WARMUP_S + 30)) iperf3 $(iperf_target "$peer") -t "$WARMUP_S" \
        > "$RAW/warmup-$peer.log" 2>&1 || log "warm-up through $peer failed (see $RAW/warmup-$peer.log)"
  done
}

run_one() {
  local profile="$1" run="$2" peer="$3" tag="$1-$2-$3"
  local load rc c0 c1 s0 s1 json="$RAW/iperf-$tag.json" fields
  load=$(load1)
  c0=$(cpu_seconds "${CLIENT_SIDE[$peer]:-}"); s0=$(cpu_seconds "${SERVER_SIDE[$peer]:-}")
  set +e
  # shellcheck disable=SC2046
  ip netns exec "$NS_C" timeout -k 5 $((DURATION + 40)) iperf3 $(iperf_target "$peer") -t "$DURATION" -J \
      > "$json" 2> "$RAW/iperf-$tag.err"
  rc=$?
  set -e
  c1=$(cpu_seconds "${CLIENT_SIDE[$peer]:-}"); s1=$(cpu_seconds "${SERVER_SIDE[$peer]:-}")
  fields=$(python3 - "$json" <<'EOF'
import json, sys
try:
    data = json.load(open(sys.argv[1]))
    received = data["end"]["sum_received"]
    sent = data["end"].get("sum_sent", {})
    print(received["seconds"], received["bytes"], received["bits_per_second"] / 1e6, sent.get("retransmits", ""))
except Exception as error:  # a failed run: iperf3 printed an error object or nothing
    print(0, 0, 0, "")
EOF
)
  read -r seconds bytes mbit retrans <<< "$fields"
  local cpu_c cpu_s cpu_gib
  cpu_c=$(awk -v a="$c0" -v b="$c1" 'BEGIN {printf "%.2f", b - a}')
  cpu_s=$(awk -v a="$s0" -v b="$s1" 'BEGIN {printf "%.2f", b - a}')
  cpu_gib=""
  if [ "$peer" != tcp-bbr ]; then
    cpu_gib=$(awk -v c="$cpu_c" -v s="$cpu_s" -v b="$bytes" 'BEGIN {printf "%.2f", (b > 0 ? (c + s) / (b / 1073741824) : 0)}')
  else
    cpu_c=""; cpu_s=""
  fi
  mbit=$(awk -v m="$mbit" 'BEGIN {printf "%.1f", m}')
  echo "$profile,$run,$peer,$rc,$seconds,$bytes,$mbit,${retrans:-},$cpu_c,$cpu_s,$cpu_gib,$load" >> "$CSV"
  log "$profile run $run $peer: exit $rc $mbit Mbit/s, tunnel cpu ${cpu_c:-n/a}+${cpu_s:-n/a} s (${cpu_gib:-n/a} s/GiB), load $load"
}

# ------------------------------------------------------------------------------------------------ runs
start_wall_clock
{
  describe_host
  echo "parcel: $("$PARCEL" --version 2>/dev/null | head -1 || true) ($PARCEL), repo $(describe_repo)"
  echo "parcel opts: $JVM_OPTS, udt defaults (MSS 1500)"
  echo "kcptun: $(dpkg-query -W -f '${Version}' kcptun 2>/dev/null || echo '?'), flags $KCP_FLAGS (FEC default 10/3)"
  echo "iperf3: $(iperf3 --version 2>/dev/null | head -1)"
  echo "uptime at start: $(uptime)"
} > "$RAW/machine.txt"

for profile in $PROFILES; do
  # shellcheck disable=SC2046
  lab_up "$profile" $(profile_args "$profile")
  ip netns exec "$NS_S" iperf3 -s -p "$IPERF_PORT" > "$RAW/iperf3-server-$profile.log" 2>&1 < /dev/null &
  IPERF_PID=$!
  await_port "$NS_S" 127.0.0.1 "$IPERF_PORT" "iperf3 -s" "$IPERF_PID"
  start_tunnels "$profile"
  warm_up
  rotate_runs "$profile" "$PEERS" run_one
  stop_tunnels
  stop_pid "$IPERF_PID"; IPERF_PID=""
  lab_down "$profile"
done
finish_machine_notes

python3 "$HERE/relay-report.py" tunnel --csv "$CSV" --machine "$RAW/machine.txt" --raw-dir "$RAW" \
    --command "PROFILES=\"$PROFILES\" PEERS=\"$(echo $PEERS)\" RUNS=$RUNS DURATION=$DURATION WARMUP_S=$WARMUP_S KCP_WINDOW=$KCP_WINDOW NS=$NS bench/tunnel-bench.sh" \
    --cap "$DURATION" --warmup "$WARMUP_S" > "$RESULT"
log "wrote $RESULT (raw: $RAW)"
