"""Nautobot as the source of truth at a provider's scale: import a 200-rack location, write back 200 contracts.

What it measures, against a real Nautobot started here with the tests' machinery
(tests/nautobot_server.py: a clone of the migrated template database, the server on a free
loopback port; PostgreSQL and Redis on 127.0.0.1):

1. Import: a location of --racks racks laid out below is seeded through the REST API with
   Nautobot's bulk create (tests/nautobot_seed.py, a list of objects per request), then
   `colo inventory import nautobot … --out DIR` is timed through the public API: wall time
   and Nautobot objects read per second (the objects seeded under the location).
2. Write-back: the location imported into a store, --contracts one-server contracts signed
   (each owes Nautobot a tenant, a device in its unit, an address assigned to the device's
   eth0 and the switch port's description, mode, VLAN and state). `colo sot sync` is run
   batched (the default --batch) and, from the same starting point, with --batch 1 (one
   object per request): the store is copied before the first run, and Nautobot's database
   is copied while the server is stopped, so the second run starts where the first did.
   Printed: both times, their requests and the ratio.

The layout (constants below): rooms of 40 racks, 42U; each rack one primary power feed of
4,400 W, U1 and U42 reserved, and a PDU whose outlets 1-4 feed U2-U5; one switch per 4
racks in the first rack's U42 with 2 access ports per rack; one /23 pool per room. Outlets
and ports are as many as the contracts can use, not a full rack's: Nautobot saves every
object one by one (an interface ~0.3 s on a busy 2-core machine), so seeding is most of the
run (~20 min at the default sizes there; --racks 40 --contracts 40 takes ~5 min).

Every figure is printed as one line `name: value unit`. Not part of the test suite.

Run:  .venv/bin/python bench/sot.py [--racks 200] [--contracts 200]
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ holds the Nautobot machinery

from provision.api import Colo, SignOrder
from provision.domain.terms import Customer
from tests import nautobot_server
from tests.nautobot_seed import seed

RACKS_PER_ROOM, RACKS_PER_SWITCH, PORTS_PER_RACK = 40, 4, 2
PDU_OUTLETS, FED_UNITS, RESERVED_UNITS = 4, "2-5", "1, 42"
POWER_BUDGET_W = 4400
LOCATION, TOKEN_SECRET = "BENCH-SOT", "nautobot-bench"
SIGNED = "2026-11-24T10:00"


def layout(racks: int) -> dict[str, Any]:
    """The location as a colo inventory mapping, which the seeder writes into Nautobot."""
    names = [f"R{i + 1:03d}" for i in range(racks)]
    rooms = [names[i:i + RACKS_PER_ROOM] for i in range(0, racks, RACKS_PER_ROOM)]
    switches = []
    for g in range(math.ceil(racks / RACKS_PER_SWITCH)):
        group = names[g * RACKS_PER_SWITCH:(g + 1) * RACKS_PER_SWITCH]
        switches.append({"name": f"sw-{group[0]}", "platform": "cisco_ios", "host": f"127.2.{g // 250}.{g % 250 + 1}",
                         "port": 22,
                         "credentials": "bench-switch", "racks": group,
                         "access_ports": f"GigabitEthernet1/0/1-{PORTS_PER_RACK * len(group)}"})
    return {
        "site": {"name": LOCATION, "timezone": "Asia/Shanghai", "dns": ["192.0.2.53"]},
        "rooms": [{"name": f"H{r + 1}", "racks": [
            {"name": n, "height_u": 42, "reserved_units": RESERVED_UNITS, "power_budget_w": POWER_BUDGET_W,
             "feeds": [{"pdu": f"pdu-{n}", "outlets": f"1-{PDU_OUTLETS}", "units": FED_UNITS}]} for n in room]}
            for r, room in enumerate(rooms)],
        "pdus": [{"name": f"pdu-{n}", "platform": "apc_rpdu2", "host": f"127.1.{i // 250}.{i % 250 + 1}", "port": 161,
                  "credentials": "bench-snmp", "outlets": PDU_OUTLETS} for i, n in enumerate(names)],
        "switches": switches,
        "pools": [{"name": f"pub-h{r + 1}", "prefix": f"10.64.{2 * r}.0/23", "gateway": f"10.64.{2 * r}.1",
                   "vlan": 100 + r, "reserved": [], "racks": room} for r, room in enumerate(rooms)],
    }


def timed(what: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = what(*args, **kwargs)
    return result, time.perf_counter() - start


def sign_all(db: str, contracts: int) -> None:
    api = Colo(db=db, at=SIGNED)
    for i in range(contracts):
        api.sign(SignOrder(customer=Customer(name=f"SoT Bench {i + 1:04d} Ltd."), kind="colocation", quantity=1,
                           bandwidth_mbps=100, fee="1000.00", payment="yearly", request_id=f"sot-bench-{i:05d}"))


def copy_store(source: str, target: str) -> None:
    """The SQLite store as it is, its write-ahead log included (a file copy would miss what the log holds)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def written_back(server: nautobot_server.NautobotServer) -> str:
    """What the write-back left in Nautobot, counted there: colo's devices and addresses (tag colo), tenants."""
    api = server.api()
    return (f"{api.dcim.devices.count(tags='colo')} devices, {api.ipam.ip_addresses.count(tags='colo')} addresses, "
            f"{api.tenancy.tenants.count(tags='colo')} tenants")


def write_back(server: nautobot_server.NautobotServer, db: str, batch: int | None, label: str, contracts: int) -> float:
    """`colo sot sync` (`batch` None: its default) timed, and what it left in Nautobot."""
    result, seconds = timed(Colo(db=db).sot_sync, *(() if batch is None else (batch,)))
    if result["pending"]:
        raise SystemExit(f"{label}: {result['pending']} write-back(s) still pending")
    print(f"writeback_{label}: {seconds:.1f} s ({result['requests']} requests, batch {batch or 'default'}, "
          f"{contracts / seconds:.1f} contracts/s; Nautobot holds {written_back(server)})", flush=True)
    return seconds


def run(racks: int, contracts: int, tmp: Path) -> None:
    if contracts > racks * min(PDU_OUTLETS, PORTS_PER_RACK):
        raise SystemExit(f"--contracts {contracts}: {racks} racks take at most "
                         f"{racks * min(PDU_OUTLETS, PORTS_PER_RACK)}: give more --racks")
    (server, seconds) = timed(nautobot_server.start, tmp / "nautobot")
    print(f"nautobot_start: {seconds:.1f} s (Nautobot {nautobot_server.nautobot_version()}, {server.url})", flush=True)
    databases = [server.db]
    try:
        os.environ[f"COLO_SECRET_{TOKEN_SECRET.upper().replace('-', '_')}_PASSWORD"] = server.token
        seeded, seconds = timed(seed, server.api(), layout(racks))
        objects = seeded["objects"]
        print(f"seed: {seconds:.1f} s ({objects} objects, {racks} racks, bulk create; {objects / seconds:.0f} "
              f"objects/s)", flush=True)

        summary, seconds = timed(Colo().import_site, "nautobot", server.url, TOKEN_SECRET, LOCATION, str(tmp / "yaml"))
        print(f"import_out: {seconds:.2f} s ({summary['racks']} racks, {summary['switches']} switches, "
              f"{summary['pdus']} PDUs, {summary['pools']} pools)", flush=True)
        print(f"import_rate: {objects / seconds:.0f} objects/s", flush=True)
        db = str(tmp / "batched.db")
        _, seconds = timed(Colo(db=db).import_site, "nautobot", server.url, TOKEN_SECRET, LOCATION)
        print(f"import_store: {seconds:.2f} s (synced into a store, write-back on)", flush=True)
        _, seconds = timed(sign_all, db, contracts)
        print(f"signed: {contracts} contracts in {seconds:.1f} s (outbox rows, Nautobot untouched)", flush=True)

        single_db = str(tmp / "single.db")
        copy_store(db, single_db)
        server.stop()
        databases.append(nautobot_server.copy_database(server.db))
        server = server.start_again()
        batched = write_back(server, db, None, "batched", contracts)
        server.stop()
        server = dataclasses.replace(server, db=databases[1]).start_again()  # same port, so the store's URL holds
        single = write_back(server, single_db, 1, "one_per_request", contracts)
        print(f"ratio_one_per_request_to_batched: {single / batched:.2f}x", flush=True)
    finally:
        server.stop()
        for name in databases:
            nautobot_server.drop(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--racks", type=int, default=200, help="racks in the seeded location (default 200)")
    parser.add_argument("--contracts", type=int, default=200, help="contracts signed and written back (default 200)")
    args = parser.parse_args()
    why = nautobot_server.unavailable()
    if why:
        raise SystemExit(f"cannot run: {why}")
    tmp = Path(tempfile.mkdtemp(prefix="colo-bench-sot-"))
    try:
        run(args.racks, args.contracts, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
