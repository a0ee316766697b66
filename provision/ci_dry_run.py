"""`colo ci dry-run`: every playbook in check mode against the device lab, for CI.

It validates the inventory, starts a private lab for it (free loopback ports, a
temporary directory), brings a scratch store to a realistic mix of contracts — one
signed, one active, one past its stop-service time, one ended — then runs each playbook
with `--check --diff`. It fails on any playbook error, and on any change that check
mode actually applied: the lab's device state and the store's contracts must be exactly
as they were before the playbooks ran.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from provision import progress
from provision.errors import OperationFailed

ROOT = Path(__file__).resolve().parents[1]


def _snapshot(lab: Path, db: str) -> dict[str, Any]:
    import sqlite3

    devices = {f.name: json.loads(f.read_text(encoding="utf-8")) for f in sorted((lab / "state").glob("*.json"))}
    for d in devices.values():
        d.pop("faults", None)
    with sqlite3.connect(db) as c:
        contracts = c.execute("SELECT id, state FROM contracts ORDER BY id").fetchall()
        events = c.execute("SELECT count(*) FROM contract_events").fetchone()[0]
        operations = c.execute("SELECT count(*) FROM operations").fetchone()[0]
    return {"devices": devices, "contracts": contracts, "events": events, "operations": operations}


def _scenario(db: str, inventory: Path) -> dict[str, str]:
    """Contracts in the states the playbooks act on, made for real through the API."""
    from provision.api import Colo, ServerRecord, SignOrder
    from provision.domain.terms import Customer

    Colo(db=db).init(str(inventory))

    def contract(name: str) -> str:
        return str(Colo(db=db, at="2026-11-24T10:00").sign(SignOrder(
            customer=Customer(name=name), kind="colocation", quantity=1, bandwidth_mbps=100, fee="12000.00",
            payment="yearly"))["id"])

    def active(name: str, paid: bool) -> str:
        cid = contract(name)
        Colo(db=db, at="2026-11-25T09:00").provision([cid])
        Colo(db=db, at="2026-11-25T10:00").record_server(cid, 1, ServerRecord(serial=f"CI-{cid}", mac=_mac(cid)))
        Colo(db=db, at="2026-11-26T09:00").activate(cid)
        if paid:
            Colo(db=db, at="2026-11-26T10:00").payment(cid, "12000.00")
        return cid

    signed = contract("CI Signed")
    running = active("CI Active", paid=True)
    unpaid = active("CI Unpaid", paid=False)
    ended = active("CI Ended", paid=True)
    Colo(db=db, at="2026-12-01T09:00").enforce()  # stop-service notice for the unpaid one
    Colo(db=db, at="2026-12-01T10:00").terminate(ended, forced="policy")
    return {"signed": signed, "active": running, "unpaid": unpaid, "ended": ended}


def _mac(cid: str) -> str:
    return "02c0" + cid.replace("C", "").replace("-", "")[-8:].rjust(8, "0")


MONITORING = {"contact": {"channel": "webhook", "target": "https://sms.ci.example/colo"},
              "services": [{"kind": "www", "target": "https://www.ci.example/"}]}
PLAYS: tuple[tuple[str, str | None, dict[str, Any]], ...] = (
    ("provision", "signed", {}), ("decommission", "ended", {}), ("suspend", "unpaid", {}), ("resume", "active", {}),
    ("drift", None, {}), ("monitoring", "active", MONITORING))


def dry_run(inventory: str, say: Callable[[str], None] = print) -> dict[str, Any]:
    from provision.inventory.load import load_inventory
    from provision.lab import control
    from provision.services import runner

    load_inventory(inventory)  # problems are reported as file:line before anything starts
    saved = {k: os.environ.get(k) for k in ("COLO_SECRETS", "COLO_LOCK_DIR", "COLO_RUN_DIR")}
    with tempfile.TemporaryDirectory(prefix="colo-ci-") as tmp:
        base = Path(tmp)
        site = control.relocated(Path(inventory), base / "inventory")
        lab = base / "lab"
        control.up(str(site), str(lab), timeout=60)
        os.environ.update(COLO_SECRETS=str(lab / "secrets.yaml"), COLO_LOCK_DIR=str(base),
                          COLO_RUN_DIR=str(base / "runs"))
        try:
            db = str(base / "colo.db")
            ids = _scenario(db, site)
            before = _snapshot(lab, db)
            results = []
            for name, role, play_vars in PLAYS:
                progress.step(f"{name}.yml --check against the lab ...")
                extra = {"db": db, "at": "2026-12-02T09:00"} | ({"contract": ids[role]} if role else {}) | play_vars
                out = runner.run(str(ROOT / "playbooks" / f"{name}.yml"), check=True, extravars=extra)
                would = sum(s["changed"] for s in out["summary"].values())
                say(f"{name}.yml --check: ok, {would} task(s) would change")
                results.append({"playbook": f"{name}.yml", "would_change": would, "status": out["status"]})
            after = _snapshot(lab, db)
        finally:
            control.down(str(lab))
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    if after != before:
        changed = [k for k in before if before[k] != after[k]]
        raise OperationFailed(f"check mode applied changes ({', '.join(changed)} differ after the playbooks ran)")
    return {"inventory": inventory, "playbooks": results, "applied_in_check_mode": False}
