"""PDU polling for the monitor: one concurrent poll of a whole site against net-snmp, agent after agent.

A site of --pdus PDUs (default 200, APC and Raritan in turn) with --outlets outlets each
(default 24), served on 127.0.0.1 by snmpsim with the lab's data and variation module
(`provision.lab.snmpagent`): --simulators snmpsim processes, each listening on many UDP
endpoints (one per PDU) and picking a PDU's records by its community. Every 10th PDU
has one outlet switched off first (by SNMP SET), so the readings are not all alike.

  poll       `poll_outlet_states` over every PDU and outlet: PDUs asked concurrently
             on one asyncio loop and SNMP dispatcher. `poll_first` runs in a fresh thread,
             so it also pays whatever a first poll costs (building the thread's dispatcher,
             each PDU's first transport), as a monitor started by cron would on every tick;
             `poll_median` is the median of --rounds polls after it, as a long-running
             monitor pays.
  baseline   net-snmp's `snmpbulkwalk -v2c` of the same outlet-state column, one
             subprocess per PDU, one after another: the shell loop a monitoring script
             runs. Max-repetitions is outlets + 1, so each walk ends in one request.

The two readings are compared outlet by outlet; any difference or failed PDU exits 1.
Every figure is printed as one line `name: value unit`.

Run:  .venv/bin/python bench/pdu_poll.py [--pdus 200] [--outlets 24] [--simulators 2] [--rounds 5]
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from provision.drivers.pdu import PduDriver, pdu_driver, poll_outlet_states  # noqa: E402
from provision.drivers.snmp import SnmpTarget  # noqa: E402
from provision.lab.control import free_ports  # noqa: E402
from provision.lab.snmpagent.__main__ import responder  # noqa: E402
from provision.lab.snmpagent.data import device_rows, render  # noqa: E402
from provision.secrets import Secret  # noqa: E402

PLATFORMS = ("apc_rpdu2", "raritan_px2")
Readings = dict[str, dict[int, bool]]


def start_site(base: Path, pdus: int, outlets: int, simulators: int) -> tuple[list[PduDriver], list[subprocess.Popen[bytes]]]:
    """Generated `.snmprec` data for every PDU and the snmpsim processes serving it; PDUs dealt round-robin."""
    state = base / "state"
    state.mkdir()
    ports = free_ports(socket.SOCK_DGRAM, pdus)
    devices: list[dict[str, Any]] = [{"name": f"pdu-{i:03d}", "platform": PLATFORMS[i % 2], "port": port,
                                      "community": secrets.token_hex(8), "outlets": outlets}
                                     for i, port in enumerate(ports, start=1)]
    children = []
    for k in range(simulators):
        mine = devices[k::simulators]
        data = base / f"snmpsim-{k}" / "data"
        data.mkdir(parents=True)
        for device in mine:
            (data / f"{device['community']}.snmprec").write_text(render(device_rows(device, "pdu")), encoding="utf-8")
        with open(base / f"snmpsim-{k}.log", "wb") as log:  # the child keeps its own copy of the descriptor
            children.append(responder(data, base / f"snmpsim-{k}" / "cache", [d["port"] for d in mine], state, log))
    drivers = [pdu_driver(d["platform"], SnmpTarget(d["name"], "127.0.0.1", d["port"], Secret(d["community"])))
               for d in devices]
    return drivers, children


def wait_ready(base: Path, drivers: list[PduDriver], children: list[subprocess.Popen[bytes]], timeout: float = 120.0) -> None:
    """Until every PDU answers (snmpsim indexes its data files before it listens)."""
    deadline = time.monotonic() + timeout
    silent = [str(len(drivers))]
    while time.monotonic() < deadline:
        if any(child.poll() is not None for child in children):
            logs = "".join(log.read_text(errors="replace")[-2000:] for log in sorted(base.glob("snmpsim-*.log")))
            sys.exit(f"snmpsim exited at start:\n{logs}")
        got = poll_outlet_states([(d, [1]) for d in drivers])  # no deadline: simulators still starting answer late
        silent = [str(v) for v in got.values() if isinstance(v, Exception)]
        if not silent:
            return
        time.sleep(0.5)
    sys.exit(f"{len(silent)} simulated PDUs did not answer within {timeout:.0f} s, e.g. {silent[0]}")


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def poll(drivers: list[PduDriver], outlets: list[int]) -> Readings:
    got = poll_outlet_states([(d, outlets) for d in drivers])
    failed = {name: str(v) for name, v in got.items() if isinstance(v, Exception)}
    if failed:
        sys.exit(f"poll: {len(failed)} PDUs failed, e.g. {next(iter(failed.values()))}")
    return {name: dict(states) for name, states in got.items() if not isinstance(states, Exception)}


def poll_in_fresh_thread(drivers: list[PduDriver], outlets: list[int]) -> Readings:
    """A thread has no SNMP dispatcher until it first asks, so this poll pays for building one."""
    out: list[Readings] = []
    worker = threading.Thread(target=lambda: out.append(poll(drivers, outlets)))
    worker.start()
    worker.join()
    if not out:
        sys.exit("poll in a fresh thread failed: see the traceback above")
    return out[0]


def snmpbulkwalk_loop(walk: str, drivers: list[PduDriver], outlets: int) -> Readings:
    readings: Readings = {}
    for d in drivers:
        t = d.target
        done = subprocess.run([walk, "-v2c", "-c", t.community.reveal(), "-t", f"{t.timeout:g}", "-r", str(t.retries),
                               "-On", "-Oq", f"-Cr{outlets + 1}", f"{t.host}:{t.port}", d.state_oid],
                              capture_output=True, text=True, check=False)
        if done.returncode:
            sys.exit(f"snmpbulkwalk {t.name} exited {done.returncode}: {done.stderr.strip()}")
        rows = (line.split() for line in done.stdout.splitlines())
        readings[t.name] = {int(oid.rsplit(".", 1)[1]): int(value) == d.read_on for oid, value in rows}
    return readings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdus", type=int, default=200)
    parser.add_argument("--outlets", type=int, default=24)
    parser.add_argument("--simulators", type=int, default=2, help="snmpsim processes sharing the PDUs")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    walk = shutil.which("snmpbulkwalk")
    if walk is None:
        sys.exit("snmpbulkwalk not found: the baseline needs net-snmp's tools (Debian/Ubuntu: apt-get install snmp)")
    with tempfile.TemporaryDirectory(prefix="colo-bench-") as tmp:
        drivers, children = start_site(Path(tmp), args.pdus, args.outlets, args.simulators)
        try:
            wait_ready(Path(tmp), drivers, children)
            run(walk, drivers, args)
        finally:
            for child in children:
                child.terminate()
            for child in children:
                child.wait(timeout=10)


def run(walk: str, drivers: list[PduDriver], args: argparse.Namespace) -> None:
    outlets = list(range(1, args.outlets + 1))
    for i, d in enumerate(drivers[::10]):
        d.set_outlets({outlets[i % len(outlets)]: False})
    first, polled = timed(lambda: poll_in_fresh_thread(drivers, outlets))
    rounds = [timed(lambda: poll(drivers, outlets))[0] for _ in range(args.rounds)]
    walked_s, walked = timed(lambda: snmpbulkwalk_loop(walk, drivers, args.outlets))
    median = statistics.median(rounds)
    off = sum(not on for states in polled.values() for on in states.values())
    print(f"pdus: {len(drivers)} x {args.outlets} outlets ({', '.join(PLATFORMS)} in turn), "
          f"{args.simulators} snmpsim processes")
    print(f"poll_first: {first:.3f} s (fresh thread: its first poll of {len(drivers)} PDUs)")
    print(f"poll_median: {median:.3f} s ({args.rounds} rounds, min {min(rounds):.3f} s, max {max(rounds):.3f} s)")
    print(f"snmpbulkwalk_loop: {walked_s:.3f} s ({walked_s / len(drivers) * 1000:.1f} ms per PDU)")
    print(f"readings_agree: {'yes' if walked == polled else 'NO'} ({len(drivers) * args.outlets} outlets, {off} off)")
    print(f"ratio_snmpbulkwalk_to_poll_median: {walked_s / median:.1f}x")
    print(f"ratio_snmpbulkwalk_to_poll_first: {walked_s / first:.1f}x")
    if walked != polled:
        sys.exit(1)


if __name__ == "__main__":
    main()
