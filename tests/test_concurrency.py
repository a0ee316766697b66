"""Many technicians signing at once never get the same slot, port or address.

Real parallel processes run the real console script against one store, on SQLite
(one file, BEGIN IMMEDIATE) and on PostgreSQL (site-row lock), started together.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from provision.api import Colo
from tests.conftest import EXAMPLE

WORKERS = 10
PER_WORKER = 3


def test_parallel_signing_never_hands_anything_out_twice(site_db: str) -> None:
    colo_bin = str(Path(sys.executable).with_name("colo"))
    start_at = time.time() + 2.0  # let every process load before any of them signs
    script = (
        "import sys, time, subprocess\n"
        f"time.sleep(max(0, {start_at} - time.time()))\n"
        "rc = 0\n"
        f"for i in range({PER_WORKER}):\n"
        f"    rc |= subprocess.run([{colo_bin!r}, '--db', sys.argv[1], '--at', '2026-11-24T10:00', 'contract', 'sign',\n"
        "        '--customer', f'Tech{sys.argv[2]}-{i}', '--slots', '2', '--ips', '3', '--bandwidth', '100',\n"
        "        '--fee', '500.00', '--request-id', f'w{sys.argv[2]}-{i}', '--json'], stdout=subprocess.DEVNULL).returncode\n"
        "sys.exit(rc)\n")
    procs = [subprocess.Popen([sys.executable, "-c", script, site_db, str(w)]) for w in range(WORKERS)]
    assert [p.wait(timeout=300) for p in procs] == [0] * WORKERS

    api = Colo(db=site_db, at="2026-11-24T10:00")
    contracts = api.contracts()
    assert len(contracts) == WORKERS * PER_WORKER
    assert len({c["id"] for c in contracts}) == WORKERS * PER_WORKER
    units: Counter[Any] = Counter()
    ports: Counter[Any] = Counter()
    addresses: Counter[Any] = Counter()
    outlets: Counter[Any] = Counter()
    for c in contracts:
        shown = api.contract(c["id"])
        assert len(shown["placements"]) == 2
        for p in shown["placements"]:
            units.update(f"{p['rack']}/U{u}" for u in p["units"])
            ports[(p["port"]["switch"], p["port"]["interface"])] += 1
            addresses.update(a["ip"] for a in p["addresses"])
            outlets.update(f"{o['pdu']}:{o['outlet']}" for o in p["outlets"])
    assert sum(units.values()) == 2 * WORKERS * PER_WORKER and max(units.values()) == 1
    assert sum(ports.values()) == 2 * WORKERS * PER_WORKER and max(ports.values()) == 1
    assert sum(addresses.values()) == 3 * WORKERS * PER_WORKER and max(addresses.values()) == 1
    assert max(outlets.values()) == 1
    # and the store still agrees with the inventory: a re-sync finds nothing to change
    assert Colo(db=site_db).init(str(EXAMPLE))["unchanged"]
