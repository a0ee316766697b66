"""Monitoring scaled out by site: one probe round per site in 10 processes, against the same work in one.

What it measures: a PostgreSQL store holding --sites sites with --contracts active
contracts each (one server, one address on loopback 127.S.x.y, so every ping answers);
then the wall time of one `monitor tick` per site run one after another in one process
(the baseline: one monitor for the whole store), and of the same ticks run at once in one
process per site (`colo monitor run --site X` on separate machines, here separate
processes on one machine). Printed: both times and the ratio one-process / per-site
processes. The ratio is bounded by the machine's cores: this machine has 2.

Contracts are seeded with SQL straight into the store (customers, contracts, placements,
their unit, port and address claimed), not signed one by one: the figure is the round, not
the signing. The store lives in a fresh schema of $COLO_TEST_PG, dropped at the end.

Every figure is printed as one line `name: value unit`.

Run:  .venv/bin/python bench/sites.py [--sites 10] [--contracts 1000]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from sqlalchemy import insert, select, text, update

from provision.api import Colo
from provision.store.engine import open_store
from provision.store.schema import Address, Contract, Customer, Placement, Pool, Port, Rack, SiteRow, Switch, Unit

PG = os.environ.get("COLO_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
PER_RACK = 40  # units 1-40 of a 42U rack; ports per switch the same


def site_inventory(root: Path, n: int, contracts: int) -> str:
    """Site S-n: enough racks, switches and a loopback pool 127.(10+n).0.0/… for `contracts` servers."""
    racks = [f"R{r:03d}" for r in range(-(-contracts // PER_RACK))]
    bits = max(8, (contracts + 8).bit_length())
    inv = root / f"site-{n}"
    inv.mkdir()
    (inv / "site.yaml").write_text(f"site: {{name: S-{n}, timezone: Asia/Shanghai}}\n")
    (inv / "rooms.yaml").write_text("rooms:\n  - name: H1\n    racks:\n" + "".join(
        f"      - {{name: {r}, height_u: 42, power_budget_w: 20000}}\n" for r in racks))
    (inv / "network.yaml").write_text("switches:\n" + "".join(
        f"  - {{name: s{n}-sw-{r}, platform: cisco_ios, host: 127.0.0.1, port: 22, credentials: sw, "
        f"access_ports: GigabitEthernet1/0/1-{PER_RACK}, racks: [{r}]}}\n" for r in racks)
        + f"pools:\n  - {{name: s{n}-lo, prefix: 127.{10 + n}.0.0/{32 - bits}, gateway: 127.{10 + n}.0.1, vlan: 100, "
          f"racks: [{', '.join(racks)}]}}\n")
    return str(inv)


def seed(db: str, site: str, contracts: int) -> None:
    """`contracts` active one-server contracts on `site`, each holding a unit, a port and an address."""
    store = open_store(db)
    with store.session() as s:
        sid = s.scalar(select(SiteRow.id).where(SiteRow.name == site))
        units = s.scalars(select(Unit.id).join(Rack).where(Rack.site_id == sid, Unit.u <= PER_RACK)
                          .order_by(Unit.id).limit(contracts)).all()
        ports = s.scalars(select(Port.id).join(Switch).where(Switch.site_id == sid).order_by(Port.id)
                          .limit(contracts)).all()
        addresses = s.scalars(select(Address.id).join(Pool).where(Pool.site_id == sid, Address.reserved.is_(False))
                              .order_by(Address.ip_int).limit(contracts)).all()
        racks = dict(s.execute(select(Unit.id, Unit.rack_id).where(Unit.id.in_(units))).all())
        customer = s.scalar(insert(Customer).values(key=f"bench {site}", name=f"Bench {site}").returning(Customer.id))
        now = datetime.now(UTC)
        first = (s.scalar(text("SELECT coalesce(max(seq), 0) FROM contracts WHERE year = 2026")) or 0) + 1
        s.execute(insert(Contract), [dict(
            id=f"C2026-{first + i:05d}", year=2026, seq=first + i, site_id=sid, customer_id=customer, kind="colocation",
            quantity=1, bandwidth_mbps=100, ips=1, fee="1000.00", payment="yearly", term_months=12, power_w=300,
            state="active", signed_at=now) for i in range(contracts)])
        placed = s.scalars(insert(Placement).returning(Placement.id), [dict(
            contract_id=f"C2026-{first + i:05d}", position=1, rack_id=racks[units[i]], power_w=300)
            for i in range(contracts)]).all()
        for model, ids in ((Unit, units), (Port, ports), (Address, addresses)):
            s.execute(update(model), [{"id": row, "placement_id": p} for row, p in zip(ids, placed, strict=True)])


def tick(db: str, site: str, at: str) -> float:
    t = time.perf_counter()
    api = Colo(db=db, site=site, at=at, actor="bench")
    result = api.monitor_tick(api.monitor_options())
    if result["failing"]:
        raise SystemExit(f"site {site}: {len(result['failing'])} targets failed: the figure would be timeouts")
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--contracts", type=int, default=100, help="active contracts per site (issue: 1000)")
    args = parser.parse_args()
    schema = f"colo_bench_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(PG, autocommit=True)
    admin.execute(f'CREATE SCHEMA "{schema}"')
    db = f"{PG}?options=-csearch_path%3D{schema}"
    sites = [f"S-{n}" for n in range(args.sites)]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            for n in range(args.sites):
                Colo(db=db).init(site_inventory(Path(tmp), n, args.contracts))
                seed(db, sites[n], args.contracts)
            print(f"seeded: {args.sites} sites x {args.contracts} active contracts in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        for site in sites:
            tick(db, site, "2026-12-01T10:00")
        one = time.perf_counter() - t
        t = time.perf_counter()
        with ProcessPoolExecutor(args.sites) as pool:
            list(pool.map(tick, [db] * args.sites, sites, ["2026-12-01T10:10"] * args.sites))
        many = time.perf_counter() - t
        print(f"one_process_all_sites: {one * 1000:.0f} ms ({args.sites} rounds one after another)")
        print(f"process_per_site: {many * 1000:.0f} ms ({args.sites} processes at once, {os.cpu_count()} cores)")
        print(f"ratio_one_process_to_per_site: {one / many:.2f}x")
    finally:
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


if __name__ == "__main__":
    main()
