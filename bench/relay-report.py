#!/usr/bin/env python3
"""Markdown report of serve-bench.sh ('serve') or tunnel-bench.sh ('tunnel') from its CSV: medians over runs, every
run listed, ratios against the peers of the same run, the issue's targets checked, load averages.

    relay-report.py serve  --csv results.csv --machine machine.txt --raw-dir DIR --command CMD --cap 25 --warmup 5
    relay-report.py tunnel --csv results.csv --machine machine.txt --raw-dir DIR --command CMD --cap 20 --warmup 3
"""
import argparse
import csv
import statistics
import sys

SERVE_PROFILES = {
    "p50cubic": "100mbit, RTT 50 ms, no loss, nginx on CUBIC",
    "p50bbr": "100mbit, RTT 50 ms, no loss, nginx on BBR",
    "p100cubic": "100mbit, RTT 100 ms, 1% loss, nginx on CUBIC",
    "p100bbr": "100mbit, RTT 100 ms, 1% loss, nginx on BBR",
    "p200cubic": "100mbit, RTT 200 ms, 2% loss, nginx on CUBIC",
    "p200bbr": "100mbit, RTT 200 ms, 2% loss, nginx on BBR",
}
TUNNEL_PROFILES = {
    "t100": "100mbit, RTT 100 ms, 1% loss (each direction)",
    "t500": "500mbit, RTT 100 ms, 0.5% loss (each direction); the emulator runs late above ~200 Mbit/s",
}
SERVE_CLIENTS = {
    "via-udt": "`parcel download --transport udt --via` through `parcel serve` (UDT over the WAN, nginx next to serve)",
    "parcel-tcp": "`parcel download --transport tcp` direct from nginx over the WAN (8 connections)",
    "aria2c": "`aria2c -x 8 -s 8` direct from nginx over the WAN",
}
TUNNEL_PEERS = {
    "parcel": "iperf3 through `parcel tunnel tcp2udt` (client ns) / `udt2tcp` (server ns)",
    "kcptun": "iperf3 through `kcptun-client` / `kcptun-server`, `--mode fast3 --crypt none --nocomp`, windows 4096",
    "tcp-bbr": "iperf3 direct, TCP BBR (`-C bbr`), no tunnel: the reference",
}


def number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, digits=1):
    return "n/a" if value is None else f"{value:.{digits}f}"


def ratio(a, b):
    return "n/a" if a is None or not b else f"{a / b:.2f}x"


def load_rows(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def header(args, title, rows):
    loads = [number(r["load1"]) for r in rows if number(r["load1"]) is not None]
    print(f"# {title}")
    print()
    if loads and max(loads) > 1.0:
        print(f"**Preliminary:** the 1-minute load average reached {max(loads):.2f} during the runs (it counts this"
              " benchmark's own processes as well as any other work on the 2 cores); CPU-bound figures are the first"
              " to suffer.")
        print()
    print("Command (as root, from the repository):")
    print()
    print("```sh")
    print(args.command)
    print("```")
    print()
    print("Machine and versions:")
    print()
    print("```")
    with open(args.machine) as handle:
        print(handle.read().rstrip())
    print("```")
    print()
    print(f"Raw data: `{args.raw_dir}` (CSV, commands, outputs, wan-up/wan-stats/wan-down logs).")
    print()


def serve_report(args, rows):
    header(args, "Download via `parcel serve` over UDT vs direct TCP", rows)
    print("Clients, side by side in each lab set-up (order rotating from run to run):")
    print()
    for name, text in SERVE_CLIENTS.items():
        print(f"- `{name}`: {text}")
    print()
    print(f"How it measures: every run is capped at {args.cap} s (1 GiB would take ~90 s at 100 Mbit/s). Goodput is"
          " the payload that reached the client namespace's veth0 by the cap, over the wall time from the client's"
          " start (JVM start-up, size probe and slow start included): rx bytes x 1448/1514 for TCP, x 1456/1514 for"
          " UDT (MSS 1500, 44 header bytes). Retransmitted packets that arrive are counted too, for both (they are at"
          f" most the loss rate). Steady = the same from second {args.warmup} to the cap. Client CPU is user+system"
          " seconds (GNU time) per GiB received; serve CPU is what the serve JVM used during the via run, per GiB."
          " On 25 s runs JVM start-up (JIT) dominates CPU per GiB.")
    print()
    profiles = [p for p in SERVE_PROFILES if any(r["profile"] == p for r in rows)]
    summary = []
    for profile in profiles:
        print(f"## {profile}: {SERVE_PROFILES[profile]}")
        print()
        print("| client | median Mbit/s | runs (Mbit/s) | median steady | client CPU s/GiB | serve CPU s/GiB | exits | load |")
        print("| --- | ---: | --- | ---: | ---: | ---: | --- | --- |")
        medians = {}
        for client in SERVE_CLIENTS:
            runs = [r for r in rows if r["profile"] == profile and r["client"] == client]
            if not runs:
                continue
            goodputs = [number(r["goodput_mbit"]) for r in runs]
            medians[client] = median(goodputs)
            print(f"| `{client}` | {fmt(medians[client])} | {', '.join(fmt(g) for g in goodputs)} | "
                  f"{fmt(median([number(r['steady_mbit']) for r in runs]))} | "
                  f"{fmt(median([number(r['cpu_s_per_gib']) for r in runs]), 2)} | "
                  f"{fmt(median([number(r['serve_cpu_s_per_gib']) for r in runs]), 2)} | "
                  f"{' '.join(r['exit'] for r in runs)} | {' '.join(r['load1'] for r in runs)} |")
        print()
        via = medians.get("via-udt")
        print(f"Ratios (medians): via/parcel-tcp **{ratio(via, medians.get('parcel-tcp'))}**, "
              f"via/aria2c **{ratio(via, medians.get('aria2c'))}**.")
        print()
        summary.append((profile, via, medians.get("parcel-tcp"), medians.get("aria2c")))
    print("## Targets (issue 4)")
    print()
    print("| profile | via-udt | parcel-tcp | aria2c | target | met |")
    print("| --- | ---: | ---: | ---: | --- | --- |")
    for profile, via, tcp, aria in summary:
        if profile.startswith("p50"):
            target = "never slower than direct TCP"
            direct = [v for v in (tcp, aria) if v is not None]
            met = via is not None and all(via >= d for d in direct)
        else:
            target = ">= 80 Mbit/s"
            met = via is not None and via >= 80
        print(f"| {profile} | {fmt(via)} | {fmt(tcp)} | {fmt(aria)} | {target} | {'yes' if met else '**no**'} |")
    print()
    print("Exit codes: capped runs end by SIGTERM at the cap (parcel exits 143 or 130 through `timeout`, aria2c 7 or"
          " 143); a run that failed before the cap shows its own code and its output is in the raw directory.")


def tunnel_report(args, rows):
    header(args, "Tunnels: `parcel tunnel` vs kcptun, iperf3 through each", rows)
    print("Peers, side by side in each profile (order rotating from run to run):")
    print()
    for name, text in TUNNEL_PEERS.items():
        print(f"- `{name}`: {text}")
    print()
    print(f"How it measures: iperf3 sends for {args.cap} s from the client namespace; goodput is iperf3's receiver"
          " summary (bytes the iperf3 server got over its own time). The tunnel processes start once per profile"
          f" and carry {args.warmup} s of unmeasured traffic first (JIT). CPU is user+system seconds of both tunnel"
          " halves during the run (/proc/PID/stat), per GiB received. The iperf3 control connection goes through the"
          " tunnel too.")
    print()
    profiles = [p for p in TUNNEL_PROFILES if any(r["profile"] == p for r in rows)]
    summary = []
    for profile in profiles:
        print(f"## {profile}: {TUNNEL_PROFILES[profile]}")
        print()
        print("| peer | median Mbit/s | runs (Mbit/s) | CPU s/GiB (both halves) | CPU s client+server per run | TCP retransmits | exits | load |")
        print("| --- | ---: | --- | ---: | --- | --- | --- | --- |")
        medians = {}
        cpus = {}
        for peer in TUNNEL_PEERS:
            runs = [r for r in rows if r["profile"] == profile and r["peer"] == peer]
            if not runs:
                continue
            goodputs = [number(r["goodput_mbit"]) for r in runs]
            medians[peer] = median(goodputs)
            cpus[peer] = median([number(r["cpu_s_per_gib"]) for r in runs])
            per_run = ", ".join(f"{r['cpu_client_s']}+{r['cpu_server_s']}" for r in runs) if peer != "tcp-bbr" else "-"
            print(f"| `{peer}` | {fmt(medians[peer])} | {', '.join(fmt(g) for g in goodputs)} | {fmt(cpus[peer], 2)} | "
                  f"{per_run} | {' '.join(r['retransmits'] or '-' for r in runs)} | {' '.join(r['exit'] for r in runs)} | "
                  f"{' '.join(r['load1'] for r in runs)} |")
        print()
        print(f"Ratios (medians): parcel/kcptun goodput **{ratio(medians.get('parcel'), medians.get('kcptun'))}**, "
              f"CPU per GiB parcel/kcptun **{ratio(cpus.get('parcel'), cpus.get('kcptun'))}**, "
              f"parcel/direct BBR **{ratio(medians.get('parcel'), medians.get('tcp-bbr'))}**.")
        print()
        summary.append((profile, medians, cpus))
    print("## Target (issue 4): >= 1.5x kcptun's goodput with less CPU per GiB")
    print()
    print("| profile | parcel Mbit/s | kcptun Mbit/s | goodput ratio | parcel CPU s/GiB | kcptun CPU s/GiB | met |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for profile, medians, cpus in summary:
        p, k = medians.get("parcel"), medians.get("kcptun")
        pc, kc = cpus.get("parcel"), cpus.get("kcptun")
        met = None not in (p, k, pc, kc) and k > 0 and p >= 1.5 * k and pc < kc
        print(f"| {profile} | {fmt(p)} | {fmt(k)} | {ratio(p, k)} | {fmt(pc, 2)} | {fmt(kc, 2)} | "
              f"{'yes' if met else '**no**'} |")
    print()
    print("Above ~200 Mbit/s the emulator itself runs late (see `../shared/wan/README.md`); the t500 figures, the"
          " direct BBR reference included, are approximate: read the netem-lite lateness in the raw wan-down logs.")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=["serve", "tunnel"])
    parser.add_argument("--csv", required=True)
    parser.add_argument("--machine", required=True)
    parser.add_argument("--raw-dir", required=True)
    parser.add_argument("--command", required=True)
    parser.add_argument("--cap", required=True)
    parser.add_argument("--warmup", required=True)
    args = parser.parse_args()
    rows = load_rows(args.csv)
    if not rows:
        sys.exit("no runs in " + args.csv)
    (serve_report if args.kind == "serve" else tunnel_report)(args, rows)


if __name__ == "__main__":
    main()
