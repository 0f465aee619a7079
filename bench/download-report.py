#!/usr/bin/env python3
"""Turns the raw CSV of download-bench.sh into the Markdown report in bench/results/ (printed on stdout)."""
import argparse
import csv
import statistics
from collections import defaultdict

PROFILES = {
    "direct": "unshaped veth (`--topo direct --rate none`)",
    "p50": "100mbit, RTT 50 ms, no loss (`--rate 100mbit --rtt 50`, router topology)",
    "p100cubic": "100mbit, RTT 100 ms, 1% loss each way, nginx side on CUBIC (`--rate 100mbit --rtt 100 --loss 1 --cc cubic`)",
    "p100bbr": "100mbit, RTT 100 ms, 1% loss each way, nginx side on BBR (`--rate 100mbit --rtt 100 --loss 1 --cc bbr`)",
}
HIGH_LOAD = 1.0  # 1-minute load average on 2 cores above which other work competed with the benchmark


def median(values):
    return statistics.median(values) if values else None


def fmt(value, digits=1):
    return "–" if value is None else f"{value:.{digits}f}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--csv", required=True)
    parser.add_argument("--machine", required=True)
    parser.add_argument("--raw-dir", required=True)
    parser.add_argument("--command", required=True)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--cap-shaped", type=int, required=True)
    parser.add_argument("--cap-unshaped", type=int, required=True)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()

    rows = list(csv.DictReader(open(args.csv)))
    machine = open(args.machine).read().strip().splitlines()
    by_case = defaultdict(list)
    profiles = []
    clients = []
    for row in rows:
        by_case[(row["profile"], row["client"])].append(row)
        if row["profile"] not in profiles:
            profiles.append(row["profile"])
        if row["client"] not in clients:
            clients.append(row["client"])
    loads = [float(row["load1"]) for row in rows]
    high_load = loads and max(loads) > HIGH_LOAD

    out = []
    out.append(f"# Download benchmark: parcel vs aria2c -x 8 -s 8 vs curl ({args.size // (1024 * 1024)} MiB from nginx)")
    out.append("")
    if high_load:
        out.append(f"**Preliminary:** the 1-minute load average reached {max(loads):.2f} on 2 cores during the runs "
                   "(the average counts the benchmark's own nginx, netem-lite and client as well as any other work on the "
                   "machine; this script cannot tell them apart), so CPU-bound numbers, especially the unshaped "
                   "profile, may be lower and noisier than on an idle machine.")
        out.append("")
    out.append("## How it was run")
    out.append("")
    out.append("```")
    out.append(args.command)
    out.append("```")
    out.append("")
    out.append("- nginx 1 per profile in the server namespace (`sendfile on`, 2 workers), clients in the client namespace "
               "of `../shared/wan`; data is random bytes; outputs go to ext4 and are deleted after each run.")
    out.append(f"- Every run is bounded by `timeout`: {args.cap_unshaped} s unshaped, {args.cap_shaped} s on the "
               "100mbit profiles (1 GiB takes ~90 s at 100 Mbit/s). A run that finishes counts the file size over "
               "its wall time; a capped run counts the TCP payload the client's veth0 received until the cap "
               "(rx bytes x 1448/1514, i.e. frames minus Ethernet/IP/TCP headers).")
    out.append("- CPU = user + system time of the client process (GNU time, through `timeout`), per GiB moved. "
               "RSS = its max resident set. Parcel's peak heap = the largest heap-before-GC or heap-used-at-exit "
               "in its `-Xlog:gc` log (between collections the heap can briefly hold more, up to the next GC).")
    out.append(f"- Steady = a capped run's rate from second {args.warmup} to the cap: the pipe once every client is "
               "running, without start-up (JVM start, size probe, connection set-up, slow start). Goodput includes "
               "start-up, as a user waits for it; on a 25 s window one second of start-up costs 4%.")
    out.append("- CPU per GiB of a capped run includes start-up (JIT warm-up is ~2–3 s of CPU for parcel) spread over "
               "only ~0.3 GiB; the unshaped profile is the one that measures CPU cost per GiB.")
    out.append("- Clients rotate their order between runs. Load = 1-minute load average when the run started.")
    out.append("")
    out.append("Machine and peers:")
    out.append("")
    for line in machine:
        out.append(f"- {line}")
    out.append("")
    out.append("## Results (medians over runs)")
    out.append("")
    out.append("| profile | client | goodput Mbit/s (median) | runs (Mbit/s) | steady Mbit/s (median) | complete | CPU s/GiB | max RSS MiB | peak heap MiB | load |")
    out.append("| --- | --- | ---: | --- | ---: | :---: | ---: | ---: | ---: | --- |")
    medians = {}
    steady_medians = {}
    for profile in profiles:
        for client in clients:
            case = by_case.get((profile, client), [])
            if not case:
                continue
            goodputs = [float(r["goodput_mbit"]) for r in case]
            cpu = [float(r["cpu_s_per_gib"]) for r in case if float(r["bytes"]) > 0]
            rss = max(int(r["max_rss_kib"] or 0) for r in case) / 1024
            heaps = [int(r["peak_heap_mib"]) for r in case if r["peak_heap_mib"]]
            complete = sum(int(r["complete"]) for r in case)
            load = [float(r["load1"]) for r in case]
            steady = [float(r["steady_mbit"]) for r in case if r.get("steady_mbit")]
            medians[(profile, client)] = median(goodputs)
            steady_medians[(profile, client)] = median(steady)
            out.append(f"| {profile} | {client} | {fmt(median(goodputs))} | {', '.join(fmt(g) for g in goodputs)} "
                       f"| {fmt(median(steady))} | {complete}/{len(case)} | {fmt(median(cpu), 2)} | {rss:.0f} "
                       f"| {max(heaps) if heaps else '–'} | {min(load):.2f}–{max(load):.2f} |")
    out.append("")
    if "parcel" in clients:
        out.append("## Parcel relative to the peers (ratio of medians)")
        out.append("")
        out.append("| profile | parcel / aria2c | parcel / curl | steady: parcel / aria2c | steady: parcel / curl | target |")
        out.append("| --- | ---: | ---: | ---: | ---: | --- |")
        for profile in profiles:
            ratios = []
            for table in (medians, steady_medians):
                parcel = table.get((profile, "parcel"))
                for peer in ("aria2c", "curl"):
                    other = table.get((profile, peer))
                    ratios.append(fmt(parcel / other, 2) if parcel is not None and other else "–")
            target = ">= 1.0x aria2c, >= 0.8x curl" if profile == "direct" else ">= 1.0x aria2c"
            out.append(f"| {profile} | {' | '.join(ratios)} | {target} |")
        out.append("")
    out.append("## Link profiles")
    out.append("")
    for profile in profiles:
        out.append(f"- `{profile}`: {PROFILES.get(profile, profile)}")
    out.append("")
    out.append(f"Raw data (CSV, per-run commands, client output, GC logs, netem-lite stats): `{args.raw_dir}` "
               "on the machine that ran it (not committed).")
    print("\n".join(out))


if __name__ == "__main__":
    main()
