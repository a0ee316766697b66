"""One monitoring probe round over 10,000 addresses, against fping on the same list.

What it measures: the wall time of `Pinger.round` (the monitor's ICMP round, one
socket, replies drained between bursts) over N loopback addresses 127.x.y.z, and of
`fping -q -i 0 -r 0 -t 1000 -f LIST` on the same list — fping at its fastest pacing
(`-i 0`, root only), so the ratio is against the best fping can do here. Both run
--runs times, interleaved; medians are printed, with the ratio monitor/fping. Every
address on loopback answers, so neither waits out a timeout: the figure is the cost
of sending, receiving and matching. Goals (issue 7): one round well inside the
5-minute period and within 2x of fping.

Every figure is printed as one line `name: value unit`.

Run:  .venv/bin/python bench/probe_round.py [--addresses N] [--runs R]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from provision.monitor.icmp import open_pinger

PERIOD_S = 300.0


def loopback(n: int) -> list[str]:
    return [f"127.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}" for i in range(1, n + 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addresses", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    fping = shutil.which("fping")
    if fping is None:
        sys.exit("fping is not installed: apt-get install fping")
    addresses = loopback(args.addresses)
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "addresses"
        listing.write_text("\n".join(addresses) + "\n")
        ours: list[float] = []
        theirs: list[float] = []
        with open_pinger() as pinger:
            mode = pinger.mode
            for _ in range(args.runs):
                t = time.perf_counter()
                rtt = pinger.round(addresses, timeout=1.0, attempts=1)
                ours.append(time.perf_counter() - t)
                silent = sum(1 for v in rtt.values() if v is None)
                if silent:
                    sys.exit(f"{silent} loopback addresses did not answer the monitor: the figure would be a timeout")
                t = time.perf_counter()
                done = subprocess.run([fping, "-q", "-i", "0", "-r", "0", "-t", "1000", "-f", str(listing)],
                                      capture_output=True, text=True)
                theirs.append(time.perf_counter() - t)
                if done.returncode != 0:
                    sys.exit(f"fping exited {done.returncode}: {done.stderr.strip()[:300]}")
    mine, fp = statistics.median(ours), statistics.median(theirs)
    print(f"addresses: {args.addresses}")
    print(f"icmp_mode: {mode}")
    print(f"monitor_round_median: {mine * 1000:.1f} ms")
    print(f"fping_round_median: {fp * 1000:.1f} ms")
    print(f"ratio_monitor_to_fping: {mine / fp:.2f}x (goal <= 2x)")
    print(f"share_of_period: {mine / PERIOD_S * 100:.3f} % of the 5-minute period")


if __name__ == "__main__":
    main()
