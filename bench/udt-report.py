#!/usr/bin/env python3
"""Turns the raw runs of udt-bench.sh into a Markdown report: medians, ratios and every run.

usage: udt-report.py RESULT.md DURATION RUNS_DIR [RUNS_DIR...]   (several invocations of udt-bench.sh in one report)
"""
import csv
import json
import os
import statistics
import sys

PROFILES = {
    "loopback": "host loopback, no emulation",
    "p0-0": "100mbit, RTT 0 ms, no loss", "p0-0.1": "100mbit, RTT 0 ms, 0.1% loss", "p0-1": "100mbit, RTT 0 ms, 1% loss",
    "p50-0": "100mbit, RTT 50 ms, no loss", "p50-0.1": "100mbit, RTT 50 ms, 0.1% loss",
    "p50-1": "100mbit, RTT 50 ms, 1% loss",
    "p100-0": "100mbit, RTT 100 ms, no loss", "p100-0.1": "100mbit, RTT 100 ms, 0.1% loss",
    "p100-1": "100mbit, RTT 100 ms, 1% loss",
    "p200-2": "100mbit, RTT 200 ms, 2% loss",
    "p500-0.5": "500mbit, RTT 100 ms, 0.5% loss",
}
PEER_ORDER = ["libudt", "tcp-cubic", "tcp-bbr", "java-udt-native", "java-udt", "java-udt-bbr", "parcel-tcp"]
PEER_TEXT = {
    "libudt": "libudt C++ pair (udt_peer, native CC)",
    "tcp-cubic": "iperf3 TCP CUBIC",
    "tcp-bbr": "iperf3 TCP BBR",
    "java-udt-native": "parcel perf, Java UDT, udt.cc=native",
    "java-udt": "parcel perf, Java UDT, default CC",
    "java-udt-bbr": "parcel perf, Java UDT, udt.cc=bbr",
    "parcel-tcp": "parcel perf over tcp (tool check)",
}
GIB = 1024 ** 3


def read_json(path):
    """The last JSON object line of a file, or None."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return None
    try:
        return json.loads(text)
    except ValueError:
        pass
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{") and line.endswith("}"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return None


def tail(path, lines=3):
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            content = [line.strip() for line in handle if line.strip() and "WARNING" not in line]
        return " / ".join(content[-lines:])
    except OSError:
        return ""


def measure(base, peer):
    """One run: dict with mbps, bytes, cpu_per_gib, retrans, rtt, error."""
    server, client = read_json(base + ".server.out"), read_json(base + ".client.out")
    run = {"mbps": None, "bytes": None, "cpu_per_gib": None, "retrans": None, "rtt": None, "error": None}
    if peer.startswith("tcp-"):
        if not client or "end" not in client or client.get("error"):
            run["error"] = (client or {}).get("error") or tail(base + ".client.err") or "no iperf3 result"
            return run
        end = client["end"]
        received = end.get("sum_received", {})
        run["mbps"] = received.get("bits_per_second", 0) / 1e6
        run["bytes"] = received.get("bytes", 0)
        seconds = received.get("seconds", 0) or 0
        cpu = end.get("cpu_utilization_percent", {})
        cpu_seconds = (cpu.get("host_total", 0) + cpu.get("remote_total", 0)) / 100 * seconds
        run["cpu_per_gib"] = cpu_seconds / (run["bytes"] / GIB) if run["bytes"] else None
        run["retrans"] = end.get("sum_sent", {}).get("retransmits")
        streams = end.get("streams") or [{}]
        rtt_us = streams[0].get("sender", {}).get("mean_rtt")
        run["rtt"] = rtt_us / 1000 if rtt_us else None
        return run
    # libudt and parcel perf: the receiver (server) measures goodput; both report their own CPU time.
    if not server or not server.get("ok", False):
        run["error"] = (server or {}).get("error") or tail(base + ".server.err") or tail(base + ".client.err") \
            or "no result"
        if server and server.get("bytes"):
            run["mbps"] = server.get("mbps")
            run["bytes"] = server.get("bytes")
        return run
    run["mbps"] = server.get("mbps")
    run["bytes"] = server.get("bytes")
    cpu_seconds = server.get("cpu_seconds", 0) + ((client or {}).get("cpu_seconds", 0))
    run["cpu_per_gib"] = cpu_seconds / (run["bytes"] / GIB) if run["bytes"] else None
    stats = (client or {}).get("udt") or (client or {}).get("stats") or {}
    run["retrans"] = stats.get("packets_retransmitted", stats.get("retransmitted"))
    run["rtt"] = stats.get("rtt_ms", stats["rtt_us"] / 1000 if "rtt_us" in stats else None)
    if client and not client.get("ok", True):
        run["error"] = "sender: " + str(client.get("error"))
    return run


def fmt(value, digits=1):
    return "–" if value is None else f"{value:.{digits}f}"


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def main():
    result, duration, runs_dirs = sys.argv[1], sys.argv[2], sys.argv[3:]
    rows = []
    header = []
    for runs_dir in runs_dirs:
        for row in csv.DictReader(open(os.path.join(runs_dir, "results.csv"), encoding="utf-8")):
            row["dir"] = runs_dir
            rows.append(row)
        header.extend(open(os.path.join(runs_dir, "header.txt"), encoding="utf-8").read().splitlines())
    order = list(PROFILES)
    profiles = sorted(dict.fromkeys(row["profile"] for row in rows),
                      key=lambda name: order.index(name) if name in order else len(order))
    peers = [p for p in PEER_ORDER if any(row["peer"] == p for row in rows)]
    data = {}
    loads = []
    for row in rows:
        key = (row["profile"], row["peer"])
        entry = data.setdefault(key, {"runs": [], "skipped": None})
        loads.append(float(row["load1"]))
        if row["skipped"]:
            entry["skipped"] = row["skipped"]
            continue
        run = measure(os.path.join(row["dir"], f"{row['profile']}.{row['peer']}.{row['run']}"), row["peer"])
        run["load"] = float(row["load1"])
        entry["runs"].append(run)

    max_load = max(loads) if loads else 0
    out = []
    stamp = os.path.basename(os.path.normpath(runs_dirs[0])).replace("runs-", "")
    when = f"{stamp[0:4]}-{stamp[4:6]}-{stamp[6:8]} {stamp[9:11]}:{stamp[11:13]} UTC" if len(stamp) >= 13 else stamp
    out.append(f"# UDT benchmark, {when}")
    out.append("")
    if loads:
        out.append(f"1-minute load average during the runs: {min(loads):.2f} to {max_load:.2f} (`uptime` before each run).")
        out.append("")
    if max_load > 1.0:
        out.append(f"**Preliminary:** the 1-minute load average reached {max_load:.2f} during the runs (it counts "
                   "the benchmark's own processes as well as any other work on the 2 cores), so CPU-bound results "
                   "(loopback above all) may be low and noisy.")
        out.append("")
    out.append("Produced by `bench/udt-bench.sh`; raw data (JSON of every side, iperf3 output, netem-lite stats) in "
               + ", ".join(f"`{d}`" for d in runs_dirs) + ".")
    out.append("")
    out.append("```")
    out.extend(line.lstrip("# ") for line in header)
    out.append("```")
    out.append("")
    out.append(f"Each run: the client (in the client namespace) sends for {duration} s to the server (server "
               "namespace) across the emulated link; goodput is what the receiver got divided by the time to its "
               "last byte (iperf3: its receiver summary). UDT runs use `--no-hash` (integrity is the interop tests' "
               "job). CPU is user+system seconds of both processes per GiB moved (iperf3: its own CPU percentages). "
               "Loss is random, per direction, on data and acknowledgements alike.")
    out.append("")
    out.append("## Median goodput (Mbit/s)")
    out.append("")
    ratio_columns = []
    if "java-udt" in peers:
        ratio_columns = [("java-udt", "libudt"), ("java-udt", "tcp-bbr")]
    elif "java-udt-native" in peers:
        ratio_columns = [("java-udt-native", "libudt")]
    if "tcp-bbr" in peers and "libudt" in peers:
        ratio_columns.append(("libudt", "tcp-bbr"))
    out.append("| profile | " + " | ".join(peers) + "".join(f" | {a} / {b}" for a, b in ratio_columns) + " |")
    out.append("| --- |" + " ---: |" * (len(peers) + len(ratio_columns)))
    for profile in profiles:
        cells = []
        medians = {}
        for peer in peers:
            entry = data.get((profile, peer))
            if entry is None:
                cells.append("")
            elif entry["skipped"] and not entry["runs"]:
                cells.append("skipped")
            else:
                value = median(run["mbps"] for run in entry["runs"] if not run["error"])
                failed = sum(1 for run in entry["runs"] if run["error"])
                medians[peer] = value
                # two decimals: at a full link the peers differ by tenths of a percent
                cells.append(fmt(value, 2) + (f" ({failed} failed)" if failed else ""))
        for a, b in ratio_columns:
            if medians.get(a) and medians.get(b):
                cells.append(f"{medians[a] / medians[b]:.3f}")
            else:
                cells.append("–")
        out.append(f"| {profile} | " + " | ".join(cells) + " |")
    out.append("")
    out.append("Peers: " + "; ".join(f"`{p}` = {PEER_TEXT[p]}" for p in peers) + ".")
    out.append("")

    out.append("## Each profile")
    for profile in profiles:
        out.append("")
        out.append(f"### {profile}: {PROFILES.get(profile, profile)}")
        out.append("")
        out.append("| peer | median Mbit/s | runs (Mbit/s) | CPU s/GiB | retransmitted | RTT ms | load | notes |")
        out.append("| --- | ---: | --- | ---: | ---: | ---: | ---: | --- |")
        for peer in peers:
            entry = data.get((profile, peer))
            if entry is None:
                continue
            if entry["skipped"] and not entry["runs"]:
                out.append(f"| {peer} | – | – | – | – | – | – | skipped: {entry['skipped']} |")
                continue
            runs = entry["runs"]
            good = [run for run in runs if not run["error"]]
            runs_text = ", ".join(fmt(run["mbps"], 2) + ("!" if run["error"] else "") for run in runs)
            notes = "; ".join(f"run {i + 1}: {run['error'][:160]}" for i, run in enumerate(runs) if run["error"])
            out.append(f"| {peer} | {fmt(median(r['mbps'] for r in good), 2)} | {runs_text} | "
                       f"{fmt(median(r['cpu_per_gib'] for r in good), 2)} | "
                       f"{fmt(median(r['retrans'] for r in good), 0)} | {fmt(median(r['rtt'] for r in good), 1)} | "
                       f"{fmt(max(r['load'] for r in runs), 2)} | {notes} |")
    out.append("")
    out.append("`!` marks a failed run (not in the median); the note says why. RTT is the sender's smoothed RTT at the "
               "end (iperf3: mean). Retransmitted: packets (UDT) or segments (TCP) the sender resent.")
    out.append("")
    out.append("Sharing a link (two Java UDT flows; Java UDT against TCP CUBIC or BBR) is measured by "
               "`bench/udt-fairness.sh`, with its own report (`<date>-udt-fairness.md`).")
    out.append("")
    with open(result, "w", encoding="utf-8") as handle:
        handle.write("\n".join(out))


if __name__ == "__main__":
    main()
