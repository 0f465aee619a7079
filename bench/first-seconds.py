#!/usr/bin/env python3
"""How fast parcel and aria2c get going: bytes received in the client namespace during the first seconds of a download.

Needs a lab that is already up (../shared/wan, or download-bench.sh's) and a server answering URL in it; runs as root.
The clients alternate; each run is stopped after SECONDS. A sampler inside the client namespace reads veth0's
received bytes from /proc/net/dev every ~5 ms from before the launch; the table gives the median over runs of the
first-byte time and of the megabits received by each mark (frames, so headers included).

  bench/first-seconds.py --ns pdl-c --url http://198.18.0.2:8080/bench-1024m.bin --parcel cli/target/parcel/bin/parcel
"""
import argparse
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import time

MARKS = [0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0]
LEAD = 0.3  # the sampler starts this long before the client
SAMPLER = '''
import time
t0 = time.perf_counter(); end = t0 + {seconds}
with open("/proc/net/dev") as f:
    while time.perf_counter() < end:
        f.seek(0)
        for line in f.read().splitlines():
            if "veth0" in line:
                print("%.4f %s" % (time.perf_counter() - t0, line.split(":")[1].split()[0]))
        time.sleep(0.005)
'''


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ns", required=True, help="client namespace")
    parser.add_argument("--url", required=True)
    parser.add_argument("--parcel", required=True, help="bin/parcel of the distribution to measure")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=6)
    args = parser.parse_args()
    if max(MARKS) > args.seconds:
        parser.error("--seconds must be at least %s" % max(MARKS))

    out = tempfile.mkdtemp(prefix="first-seconds-")
    clients = {
        "parcel": [args.parcel, "download", "-q", "--overwrite", "-d", out, args.url],
        "aria2c": ["aria2c", "-q", "-x", "8", "-s", "8", "--allow-overwrite=true", "--file-allocation=none",
                   "-d", out, args.url],
    }
    results = {name: [] for name in clients}
    try:
        for run in range(args.runs):
            order = list(clients) if run % 2 == 0 else list(reversed(clients))
            for name in order:
                for leftover in os.listdir(out):
                    os.remove(os.path.join(out, leftover))
                sampler = subprocess.Popen(["ip", "netns", "exec", args.ns, "python3", "-c",
                                            SAMPLER.format(seconds=args.seconds + LEAD + 0.2)],
                                           stdout=subprocess.PIPE, text=True)
                time.sleep(LEAD)
                client = subprocess.Popen(["ip", "netns", "exec", args.ns] + clients[name],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                          start_new_session=True)
                time.sleep(args.seconds)
                os.killpg(client.pid, signal.SIGTERM)
                client.wait(10)
                samples = [(float(t), int(b)) for t, b in (line.split() for line in sampler.communicate(timeout=10)[0]
                                                          .splitlines())]
                base = samples[0][1]
                first = next((t - LEAD for t, b in samples if b - base > 20_000), float("nan"))
                by_mark = [([b for t, b in samples if t <= LEAD + mark] or [base])[-1] - base for mark in MARKS]
                results[name].append((first, [b * 8 / 1e6 for b in by_mark]))
                print(f"{name} run {run + 1}: first byte {first:.3f} s; Mbit by " +
                      ", ".join(f"{mark} s {mbit:.1f}" for mark, mbit in zip(MARKS, results[name][-1][1])),
                      flush=True)
                time.sleep(1)
    finally:
        shutil.rmtree(out, ignore_errors=True)

    print()
    print("| client | first byte | " + " | ".join(f"Mbit by {mark} s" for mark in MARKS) + " |")
    print("| --- | ---: | " + " | ".join("---:" for _ in MARKS) + " |")
    for name, rows in results.items():
        first = statistics.median(row[0] for row in rows)
        marks = [statistics.median(row[1][i] for row in rows) for i in range(len(MARKS))]
        print(f"| {name} | {first:.3f} s | " + " | ".join(f"{m:.1f}" for m in marks) + " |")


if __name__ == "__main__":
    main()
