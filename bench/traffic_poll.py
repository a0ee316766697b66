"""Traffic polling: one read of every port's counters across a site, against net-snmp looping the same agents.

A site of --switches lab switches (default 20) with --ports ports each (default 100:
2,000 ports), their IF-MIB served on 127.0.0.1 by snmpsim with the lab's data and
variation module (counters that grow with the clock, `provision.lab.snmpagent.traffic`).

  poll       `counters_async` for every switch gathered on one asyncio loop and SNMP
             dispatcher: sysUpTime plus ifDescr, ifHCInOctets, ifHCOutOctets,
             ifInErrors, ifOutErrors and ifOperStatus per port, 40 varbinds a GET, the
             ifIndex known from the previous poll (`poll_first` pays the ifDescr walk).
  baseline   net-snmp: `snmpget` of sysUpTime and `snmpbulkwalk -v2c` of each of the six
             columns, subprocess after subprocess, switch after switch: a cron script's loop.

Then the store side: rows per port after two simulated years (every tier full for two
years, then the poll's own pruning, which summarises each closed month first), and the
portal's month page (traffic read + four SVG graphs) with that year of data, against
the same page for a contract with no data in the same store.
Every figure is printed as one line `name: value unit`.

Run:  .venv/bin/python bench/traffic_poll.py [--switches 20] [--ports 100] [--rounds 5]
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
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from provision.domain.traffic import TIERS  # noqa: E402
from provision.drivers.ifmib import (  # noqa: E402
    IF_DESCR,
    IF_HC_IN,
    IF_HC_OUT,
    IF_IN_ERRORS,
    IF_OPER,
    IF_OUT_ERRORS,
    SYS_UPTIME,
    counters_async,
)
from provision.drivers.snmp import SnmpTarget, run  # noqa: E402
from provision.lab.control import free_ports  # noqa: E402
from provision.lab.snmpagent.__main__ import responder  # noqa: E402
from provision.lab.snmpagent.data import device_rows, render  # noqa: E402
from provision.secrets import Secret  # noqa: E402

COLUMNS = (IF_DESCR, IF_HC_IN, IF_HC_OUT, IF_IN_ERRORS, IF_OUT_ERRORS, IF_OPER)


def start_site(base: Path, switches: int, ports: int, simulators: int) -> tuple[list[dict[str, Any]], list[Any]]:
    state = base / "state"
    state.mkdir()
    devices = [{"name": f"sw-{i:02d}", "platform": "hp_comware", "port": port, "community": secrets.token_hex(8),
                "interfaces": [f"GigabitEthernet1/0/{n}" for n in range(1, ports + 1)]}
               for i, port in enumerate(free_ports(socket.SOCK_DGRAM, switches), start=1)]
    children = []
    for k in range(simulators):
        mine = devices[k::simulators]
        data = base / f"snmpsim-{k}" / "data"
        data.mkdir(parents=True)
        for d in mine:
            (data / f"{d['community']}.snmprec").write_text(render(device_rows(d, "switch")), encoding="utf-8")
        with open(base / f"snmpsim-{k}.log", "wb") as log:
            children.append(responder(data, base / f"snmpsim-{k}" / "cache", [d["port"] for d in mine], state, log))
    return devices, children


def target(d: dict[str, Any]) -> SnmpTarget:
    return SnmpTarget(d["name"], "127.0.0.1", d["port"], Secret(d["community"]), timeout=5.0, retries=1)


def poll(devices: list[dict[str, Any]], known: dict[str, dict[str, int | None]]) -> dict[str, Any]:
    import asyncio

    async def everyone() -> list[Any]:
        return await asyncio.gather(*(counters_async(target(d), known[d["name"]]) for d in devices))

    got = dict(zip((d["name"] for d in devices), run(everyone()), strict=True))
    for name, (_, counters) in got.items():
        known[name] = {i: c.if_index for i, c in counters.items()}
    return got


def wait_ready(devices: list[dict[str, Any]], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            poll(devices[-1:], {devices[-1]["name"]: dict.fromkeys(devices[-1]["interfaces"][:1])})
            return
        except Exception:
            time.sleep(0.5)
    sys.exit("the simulated switches did not answer")


def walk_loop(tools: tuple[str, str], devices: list[dict[str, Any]], ports: int) -> dict[str, int]:
    """Varbinds read per switch by net-snmp: sysUpTime, then each column walked, one subprocess each."""
    get, walk = tools
    out = {}
    for d in devices:
        count = 0
        for argv in ([get, SYS_UPTIME], *([walk, f"-Cr{ports + 1}", column] for column in COLUMNS)):
            done = subprocess.run([argv[0], "-v2c", "-c", d["community"], "-t", "5", "-r", "1", "-On", "-Oq",
                                   *argv[1:-1], f"127.0.0.1:{d['port']}", argv[-1]],
                                  capture_output=True, text=True, check=False)
            if done.returncode:
                sys.exit(f"{argv[0]} {d['name']} exited {done.returncode}: {done.stderr.strip()}")
            count += len(done.stdout.splitlines())
        out[d["name"]] = count
    return out


def rows_after_two_years(base: Path) -> tuple[dict[str, int], dict[str, float]]:
    """Two years of one port's points written as the poll writes them, then the poll's own pruning: rows left per tier.

    The store is the example site's, with one signed contract holding the port; every
    tier gets a point per step for the whole two years (the most a port could ever have
    written), then `services.traffic._prune` runs as of the last day.
    """
    from sqlalchemy import func, insert, select

    from provision.api import Colo, SignOrder
    from provision.domain.terms import Customer
    from provision.services.context import load_site
    from provision.services.monitoring.traffic import _prune
    from provision.store.schema import Placement, Port, TrafficMonth, TrafficPoint

    db = str(base / "two-years.db")
    Colo(db=db).init(str(ROOT / "inventory" / "example"))
    api = Colo(db=db, at="2025-01-01T09:00")
    cid = api.sign(SignOrder(customer=Customer(name="Bench"), kind="colocation", quantity=1, bandwidth_mbps=100,
                             fee="1200.00", payment="monthly"))["id"]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    end = start + timedelta(days=731)
    with api.context.store.session() as s:
        port = s.scalars(select(Port.id).join(Placement, Placement.id == Port.placement_id)
                         .where(Placement.contract_id == cid)).one()
        for tier in TIERS:
            rows, at = [], start
            while at < end:
                rows.append({"port_id": port, "contract_id": cid, "tier": tier.name, "start": at, "avg_in": 1e6,
                             "avg_out": 1e6, "max_in": 2e6, "max_out": 2e6, "covered_s": tier.step.total_seconds()})
                at += tier.step
            s.execute(insert(TrafficPoint), rows)
    with api.context.store.session() as s:
        _prune(s, end, load_site(s))
    with api.context.store.session() as s:
        kept = dict(s.execute(select(TrafficPoint.tier, func.count()).group_by(TrafficPoint.tier)).all())
        kept["months"] = s.scalar(select(func.count()).select_from(TrafficMonth)) or 0
    rows = {t.name: kept.get(t.name, 0) for t in TIERS} | {"months": kept["months"]}
    return rows, month_page_times(db, cid, end)


def month_page_times(db: str, cid: str, end: datetime) -> dict[str, float]:
    """The portal's month page for the port's contract: the traffic read plus its four SVG graphs, median of 5.

    Against the same page for a contract with no data yet, same store: the fixed cost of the page.
    """
    from provision.api import Colo, SignOrder
    from provision.domain.terms import Customer
    from provision.traffic_svg import sections

    at = (end - timedelta(hours=1)).isoformat()
    empty = Colo(db=db, at=at).sign(SignOrder(customer=Customer(name="Empty"), kind="colocation", quantity=1,
                                              bandwidth_mbps=100, fee="1200.00", payment="monthly"))["id"]

    def page(contract: str) -> float:
        times = []
        for _ in range(5):
            t = time.perf_counter()
            sections(Colo(db=db, at=at).traffic(contract))
            times.append(time.perf_counter() - t)
        return statistics.median(times)

    return {"year": page(cid), "empty": page(empty)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--switches", type=int, default=20)
    parser.add_argument("--ports", type=int, default=100)
    parser.add_argument("--simulators", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    tools = shutil.which("snmpget"), shutil.which("snmpbulkwalk")
    if None in tools:
        sys.exit("snmpget/snmpbulkwalk not found: the baseline needs net-snmp's tools (Debian/Ubuntu: apt-get install snmp)")
    with tempfile.TemporaryDirectory(prefix="colo-bench-") as tmp:
        devices, children = start_site(Path(tmp), args.switches, args.ports, args.simulators)
        try:
            wait_ready(devices)
            known: dict[str, dict[str, int | None]] = {d["name"]: dict.fromkeys(d["interfaces"]) for d in devices}
            t = time.perf_counter()
            first = poll(devices, known)
            first_s = time.perf_counter() - t
            rounds = []
            for _ in range(args.rounds):
                t = time.perf_counter()
                poll(devices, known)
                rounds.append(time.perf_counter() - t)
            t = time.perf_counter()
            varbinds = walk_loop(tools, devices, args.ports)  # type: ignore[arg-type]
            loop_s = time.perf_counter() - t
        finally:
            for child in children:
                child.terminate()
            for child in children:
                child.wait(timeout=10)
    ports = sum(len(c) for _, c in first.values())
    median = statistics.median(rounds)
    print(f"ports: {ports} across {len(devices)} switches, {args.simulators} snmpsim processes")
    print(f"poll_first: {first_s:.3f} s (walks ifDescr for the ifIndex)")
    print(f"poll_median: {median:.3f} s ({args.rounds} rounds, min {min(rounds):.3f} s)")
    print(f"net_snmp_loop: {loop_s:.3f} s ({sum(varbinds.values())} varbinds, "
          f"{loop_s / len(devices) * 1000:.0f} ms per switch)")
    print(f"ratio_net_snmp_to_poll_median: {loop_s / median:.1f}x")
    with tempfile.TemporaryDirectory(prefix="colo-bench-") as tmp:
        kept, page = rows_after_two_years(Path(tmp))
    print(f"rows_per_port_after_two_years: {sum(kept.values())} ({', '.join(f'{k} {v}' for k, v in kept.items())})")
    print(f"month_page_with_a_year_of_data: {page['year'] * 1000:.0f} ms (traffic read + 4 SVG graphs)")
    print(f"month_page_without_data: {page['empty'] * 1000:.0f} ms")
    print(f"ratio_year_to_empty_page: {page['year'] / page['empty']:.1f}x")


if __name__ == "__main__":
    main()
