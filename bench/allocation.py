"""Allocation must not slow down as the site grows.

What it measures: the wall time of one `Colo.sign()` call (a 1-server colocation
contract: slot, outlet, access port and one address allocated, contract and
clocks recorded, the contract view built) through the public API, contract after
contract, on two synthetic sites generated here:

  LARGE  2,000 racks x 42U in 4 rooms (U1 and U42 reserved, U2-U41 fed by
         outlets 1-40 of one 48-outlet PDU per rack: 80,000 placeable units),
         2,000 switches x 48 access ports (one per rack), one /14 pool
         (10.64.0.0/14, 262,144 addresses) serving every rack;
         10,000 contracts (2,000 with --quick, or --contracts N).
  SMALL  20 racks of the same shape in 2 rooms, one /22 pool; filled to 80% of
         its placeable units (640 contracts, or --small-contracts N).

Baseline: the SMALL site. The figures are the median and p99 per-contract wall
time on each site and their ratio LARGE/SMALL; the goal is a ratio <= 2 for both.
The init (inventory sync) time of each site is printed too, for information.

The store is SQLite in a temporary directory (removed afterwards). With
--db-url postgresql://... both sites run on that PostgreSQL server instead, each in a
fresh schema created here and dropped afterwards (so the ratio still compares one
back end with itself).

Every figure is printed as one line `name: value unit`.

Run:  .venv/bin/python bench/allocation.py [--quick] [--contracts N] [--db-url URL]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import math
import pstats
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import yaml

from provision.api import Colo, SignOrder
from provision.domain.terms import Customer

HEIGHT_U = 42
RESERVED_UNITS = "1, 42"           # bottom patch panel, top switch
FED_UNITS = "2-41"                 # 40 placeable units per rack
PDU_OUTLETS = 48
FED_OUTLETS = "1-40"
PLACEABLE_PER_RACK = 40
ACCESS_PORTS = 48
POWER_BUDGET_W = 15_000            # 40 x 300 W default draw fits with headroom
PLATFORMS = ("cisco_ios", "huawei_vrp", "hp_comware")
PORTS = {"cisco_ios": ("GigabitEthernet1/0/1-48", "TenGigabitEthernet1/1/1-4"),
         "huawei_vrp": ("GigabitEthernet0/0/1-48", "XGigabitEthernet0/0/1-4"),
         "hp_comware": ("GigabitEthernet1/0/1-48", "Ten-GigabitEthernet1/0/49-52")}


@dataclass(frozen=True)
class SiteSpec:
    label: str
    racks: int
    rooms: int
    prefix: str
    gateway: str


LARGE = SiteSpec("large", racks=2000, rooms=4, prefix="10.64.0.0/14", gateway="10.64.0.1")
SMALL = SiteSpec("small", racks=20, rooms=2, prefix="10.64.0.0/22", gateway="10.64.0.1")


def write_inventory(spec: SiteSpec, directory: Path) -> Path:
    """One YAML file per top-level key, as an operator would lay the site out."""
    directory.mkdir(parents=True)
    per_room = math.ceil(spec.racks / spec.rooms)
    names = [f"R{i + 1:04d}" for i in range(spec.racks)]
    rooms = []
    for r in range(spec.rooms):
        chunk = names[r * per_room:(r + 1) * per_room]
        if chunk:
            rooms.append({"name": f"HALL{r + 1}", "racks": [
                {"name": n, "height_u": HEIGHT_U, "reserved_units": RESERVED_UNITS, "power_budget_w": POWER_BUDGET_W,
                 "feeds": [{"pdu": f"pdu-{n}", "outlets": FED_OUTLETS, "units": FED_UNITS}]} for n in chunk]})
    switches = []
    pdus = []
    for i, n in enumerate(names):
        platform = PLATFORMS[i % len(PLATFORMS)]
        access, uplinks = PORTS[platform]
        switches.append({"name": f"sw-{n}", "platform": platform, "host": f"172.16.{i // 250}.{i % 250 + 1}",
                         "credentials": "lab-switch", "access_ports": access, "uplinks": uplinks, "racks": [n]})
        pdus.append({"name": f"pdu-{n}", "platform": "apc_rpdu2" if i % 2 == 0 else "raritan_px2",
                     "host": f"172.20.{i // 250}.{i % 250 + 1}", "credentials": "lab-snmp", "outlets": PDU_OUTLETS})
    pools = [{"name": f"pub-{spec.label}", "prefix": spec.prefix, "gateway": spec.gateway, "vlan": 100,
              "racks": names}]
    files = {
        "site.yaml": {"site": {"name": f"BENCH-{spec.label.upper()}", "timezone": "Asia/Shanghai",
                               "dns": ["192.0.2.53"]}, "calendar": {}},
        "rooms.yaml": {"rooms": rooms},
        "network.yaml": {"switches": switches, "pools": pools},
        "power.yaml": {"pdus": pdus},
    }
    for name, data in files.items():
        with open(directory / name, "w", encoding="utf-8") as f:
            yaml.safe_dump(data, f, sort_keys=False, default_flow_style=None)
    return directory


@contextmanager
def scratch_dir(prefix: str, keep: bool) -> Iterator[Path]:
    """A temporary directory for a run's stores and files; with --keep it stays for a look afterwards."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield tmp
    finally:
        if keep:
            print(f"# kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def store_url(db_url: str | None, tmp: Path, label: str) -> Iterator[str]:
    """An empty store: a SQLite file under tmp, or a fresh PostgreSQL schema dropped afterwards."""
    if db_url is None:
        yield str(tmp / f"{label}.db")
        return
    import psycopg

    raw = db_url.replace("postgresql+psycopg://", "postgresql://", 1)
    schema = f"colo_bench_{label}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(raw, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        sep = "&" if "?" in db_url else "?"
        yield f"{db_url}{sep}options={quote(f'-csearch_path={schema}', safe='')}"
    finally:
        with psycopg.connect(raw, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    return sorted_values[max(0, math.ceil(q / 100 * len(sorted_values)) - 1)]


@dataclass
class Run:
    label: str
    init_s: float = 0.0
    times_ms: list[float] = field(default_factory=list)
    error: str | None = None
    duplicates: int = 0

    def median(self, part: slice = slice(None)) -> float:
        return statistics.median(self.times_ms[part])

    def p99(self) -> float:
        return percentile(sorted(self.times_ms), 99)


def order(label: str, i: int) -> SignOrder:
    # Mostly new customers; every 10th contract is a repeat customer, which takes the
    # "racks already holding the customer first" path of the allocator.
    who = i - 7 if i % 10 == 9 else i
    return SignOrder(customer=Customer(name=f"Bench Customer {label} {who:05d} Ltd."), kind="colocation",
                     quantity=1, bandwidth_mbps=100, fee="1000.00", payment="yearly",
                     request_id=f"bench-{label}-{i:06d}")


def run_site(spec: SiteSpec, contracts: int, db: str, inventory: Path, profile: Path | None) -> Run:
    run = Run(spec.label)
    t0 = time.perf_counter()
    Colo(db=db).init(str(inventory))
    run.init_s = time.perf_counter() - t0
    print(f"{spec.label}_init: {run.init_s:.1f} s", flush=True)

    # One Colo instance for every signing: it caches its context (store, engine and
    # connection pool), as a long-running service or playbook worker would.
    api = Colo(db=db)
    seen: set[tuple[str, int]] = set()
    profiler = cProfile.Profile() if profile else None
    gc.collect()
    progress = max(1000, contracts // 10)
    for i in range(contracts):
        o = order(spec.label, i)
        if profiler:
            profiler.enable()
        t = time.perf_counter()
        try:
            result = api.sign(o)
        except Exception as e:  # report the API's error exactly and stop this site
            run.error = f"contract {i + 1}: {type(e).__name__}: {e}"
            break
        finally:
            elapsed = time.perf_counter() - t
            if profiler:
                profiler.disable()
        run.times_ms.append(elapsed * 1000)
        for p in result["placements"]:
            for u in p["units"]:
                if (p["rack"], u) in seen:
                    run.duplicates += 1
                seen.add((p["rack"], u))
        if (i + 1) % progress == 0 and i + 1 < contracts:
            print(f"# {spec.label}: {i + 1}/{contracts} signed, last {progress} median "
                  f"{statistics.median(run.times_ms[-progress:]):.2f} ms", file=sys.stderr, flush=True)
    if profiler and profile:
        profiler.dump_stats(str(profile))
        stats = pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative")
        print(f"# cProfile of {spec.label} signings written to {profile}; top 30 by cumulative time:",
              file=sys.stderr)
        stats.print_stats(30)
    return run


def report(run: Run, contracts: int) -> None:
    n = len(run.times_ms)
    print(f"{run.label}_contracts_signed: {n} contracts (of {contracts} asked)")
    if run.error:
        print(f"{run.label}_error: {run.error}")
    if not n:
        return
    print(f"{run.label}_median: {run.median():.2f} ms")
    print(f"{run.label}_p99: {run.p99():.2f} ms")
    tenth = max(1, n // 10)
    print(f"{run.label}_first_10pct_median: {run.median(slice(0, tenth)):.2f} ms")
    print(f"{run.label}_last_10pct_median: {run.median(slice(n - tenth, n)):.2f} ms")
    print(f"{run.label}_total_sign: {sum(run.times_ms) / 1000:.1f} s")
    print(f"{run.label}_duplicate_units: {run.duplicates} units")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contracts", type=int, help="contracts on the LARGE site (default 10000, 2000 with --quick)")
    parser.add_argument("--small-contracts", type=int,
                        help=f"contracts on the SMALL site (default 80%% of its "
                             f"{SMALL.racks * PLACEABLE_PER_RACK} placeable units)")
    parser.add_argument("--quick", action="store_true", help="smoke run: LARGE with 2000 contracts")
    parser.add_argument("--db-url", help="run both sites on this PostgreSQL server (fresh schema each) "
                                         "instead of SQLite")
    parser.add_argument("--profile", type=Path, metavar="FILE",
                        help="cProfile the LARGE signings into FILE (slows them; figures are then not comparable)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (SQLite stores, YAML)")
    args = parser.parse_args()

    large_n = args.contracts or (2000 if args.quick else 10_000)
    small_n = args.small_contracts or int(SMALL.racks * PLACEABLE_PER_RACK * 0.8)
    if large_n > LARGE.racks * PLACEABLE_PER_RACK or small_n > SMALL.racks * PLACEABLE_PER_RACK:
        parser.error("more contracts than placeable units")

    with scratch_dir("colo-bench-alloc-", args.keep) as tmp:
        backend = "postgresql" if args.db_url else "sqlite"
        print(f"backend: {backend}")
        print(f"large_site: {LARGE.racks} racks, {LARGE.racks * PLACEABLE_PER_RACK} placeable units, "
              f"{LARGE.racks * ACCESS_PORTS} access ports, {LARGE.prefix}")
        print(f"small_site: {SMALL.racks} racks, {SMALL.racks * PLACEABLE_PER_RACK} placeable units, "
              f"{SMALL.racks * ACCESS_PORTS} access ports, {SMALL.prefix}", flush=True)
        runs = {}
        for spec, n, prof in ((SMALL, small_n, None), (LARGE, large_n, args.profile)):
            inventory = write_inventory(spec, tmp / f"inventory-{spec.label}")
            with store_url(args.db_url, tmp, spec.label) as db:
                runs[spec.label] = run_site(spec, n, db, inventory, prof)
            report(runs[spec.label], n)
        small, large = runs["small"], runs["large"]
        if small.times_ms and large.times_ms:
            ratio_median = large.median() / small.median()
            ratio_p99 = large.p99() / small.p99()
            print(f"ratio_median_large_small: {ratio_median:.2f} x")
            print(f"ratio_p99_large_small: {ratio_p99:.2f} x")
            met = ratio_median <= 2 and ratio_p99 <= 2 and not (large.error or small.error)
            print(f"goal_ratio_le_2: {'met' if met else 'NOT met'}")
        return 1 if (small.error or large.error or small.duplicates or large.duplicates) else 0


if __name__ == "__main__":
    sys.exit(main())
