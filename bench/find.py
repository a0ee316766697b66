"""`colo find` must not slow down as the store grows.

What it measures: the wall time of `Colo.find(text)` through the public API, for one
query of each kind a technician types — customer name fragment, contract id, address,
MAC, serial, switch port, rack unit, ticket id — on two stores built here with the
allocation bench's synthetic sites (bench/allocation.py write_inventory): every
contract signed through the API, its server recorded (serial, MAC), every 10th with
a fault ticket.

  LARGE  200 racks (8,000 placeable units), 5,000 contracts (--contracts N)
  SMALL  20 racks, 50 contracts

Baseline: the SMALL store, same queries, same run. Each query runs 20 times; the
figures are medians per kind and their ratio LARGE/SMALL. Goal: every ratio <= 2
(indexed lookups; only the customer fragment scans, over the customers table alone).

Run:  .venv/bin/python bench/find.py [--contracts N] [--db-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from allocation import SiteSpec, scratch_dir, store_url, write_inventory  # the bench's own directory

from provision.api import Colo, ServerRecord, SignOrder
from provision.domain.terms import Customer

LARGE = SiteSpec("large", racks=200, rooms=2, prefix="10.64.0.0/18", gateway="10.64.0.1")
SMALL = SiteSpec("small", racks=20, rooms=2, prefix="10.64.0.0/22", gateway="10.64.0.1")
RUNS = 20
AT = "2026-11-24T10:00"


def build(db: str, inventory: Path, contracts: int) -> dict[str, str]:
    """Sign, record and ticket `contracts`; return one query of each kind aimed at the middle contract."""
    Colo(db=db).init(str(inventory))
    api = Colo(db=db, at=AT)
    middle: dict[str, object] = {}
    for i in range(contracts):
        c = api.sign(SignOrder(customer=Customer(name=f"Find Customer {i:05d} Ltd."), kind="colocation", quantity=1,
                               bandwidth_mbps=100, fee="1000.00", payment="yearly"))
        api.record_server(c["id"], 1, ServerRecord(serial=f"SN{i:06d}", mac=f"02{i:010x}"))
        if i % 10 == 0:
            api.open_ticket(c["id"], "link flapping")
        if i == contracts // 2:
            middle = c
        if (i + 1) % 1000 == 0:
            print(f"# {i + 1}/{contracts} contracts", file=sys.stderr, flush=True)
    p = middle["placements"][0]  # type: ignore[index]
    n = contracts // 2
    mac = f"02{n:010x}"
    return {"customer": f"customer {n:05d}", "contract": str(middle["id"]), "address": p["addresses"][0]["ip"],
            "mac": ":".join(mac[k:k + 2] for k in range(0, 12, 2)),
            "serial": f"sn{n:06d}", "port": f"{p['port']['switch']} {p['port']['interface']}",
            "unit": f"{p['rack']} U{p['units'][0]}", "ticket": "T1"}


def measure(db: str, queries: dict[str, str]) -> dict[str, float]:
    api = Colo(db=db, at=AT)
    out = {}
    for kind, text in queries.items():
        found = api.find(text)
        if not found["matches"]:
            raise SystemExit(f"{kind} query {text!r} found nothing: the bench is wrong")
        times = []
        for _ in range(RUNS):
            t = time.perf_counter()
            api.find(text)
            times.append((time.perf_counter() - t) * 1000)
        out[kind] = statistics.median(times)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contracts", type=int, default=5000, help="contracts on the LARGE store (default 5000)")
    parser.add_argument("--db-url", help="both stores on this PostgreSQL server (fresh schema each)")
    args = parser.parse_args()
    print(f"backend: {'postgresql' if args.db_url else 'sqlite'}")
    with scratch_dir("colo-bench-find-", False) as tmp:
        figures = {}
        for spec, n in ((SMALL, 50), (LARGE, args.contracts)):
            inventory = write_inventory(spec, tmp / f"inventory-{spec.label}")
            with store_url(args.db_url, tmp, spec.label) as db:
                t = time.perf_counter()
                queries = build(db, inventory, n)
                print(f"{spec.label}_store: {n} contracts, {spec.racks} racks, built in "
                      f"{time.perf_counter() - t:.1f} s", flush=True)
                figures[spec.label] = measure(db, queries)
            for kind, ms in figures[spec.label].items():
                print(f"{spec.label}_find_{kind}_median: {ms:.2f} ms", flush=True)
    worst = 0.0
    for kind in figures["large"]:
        ratio = figures["large"][kind] / figures["small"][kind]
        worst = max(worst, ratio)
        print(f"ratio_{kind}_large_small: {ratio:.2f} x")
    print(f"goal_ratio_le_2: {'met' if worst <= 2 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
