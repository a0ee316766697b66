"""What-if runs (issue 16): `--what-if TIME` looks as of TIME, writes nothing and touches no device.

The store is opened read-only by the database itself, so the tests compare the SQLite file
byte for byte (and the rows on PostgreSQL) and the lab's device state files after a refused
what-if; a dated write (`--at`) keeps both its date and the real time in the audit log.
"""

from __future__ import annotations

import gc
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from provision.api import Colo, ServerRecord
from provision.domain.lifecycle import State
from provision.errors import BadInput, Refused
from provision.store.schema import AuditRecord, ContractEvent, PaymentRecord
from tests.conftest import Lab, order
from tests.lab_contracts import activate_signed, sign_on, walk_to

WOULD_WRITE = "would write to the store; nothing was written — run it without --what-if"


def snapshot(db: str, lab: Lab | None = None) -> dict[str, Any]:
    """What a what-if must leave as it was: the SQLite files (or PostgreSQL's rows) and the devices.

    Earlier writers' connections are closed first (their last close checkpoints the WAL into the
    file). SQLite's -shm is its shared-memory index, not data, and an empty -wal holds none.
    """
    gc.collect()
    files = {p.name: p.read_bytes() for p in sorted(Path(db).parent.glob(Path(db).name + "*"))
             if not p.name.endswith("-shm") and p.stat().st_size} if "://" not in db else None
    counter = Colo(db=db)
    with counter.context.store.session() as s:
        rows = tuple(s.scalar(select(func.count()).select_from(t)) for t in (AuditRecord, ContractEvent, PaymentRecord))
    counter.context.store.engine.dispose()
    devices = {p.name: p.read_bytes() for p in sorted(lab.state.iterdir())} if lab else None
    return {"files": files, "rows": rows, "devices": devices}


def test_what_if_refuses_writes_and_reads_work(site_db: str) -> None:
    api = Colo(db=site_db, at="2026-11-24T10:00")
    cid = api.sign(order())["id"]
    walk_to(api, cid, [State.PROVISIONED, State.ACTIVE], "2026-11-25T10:00:00+08:00")
    before = snapshot(site_db)
    look = Colo(db=site_db, what_if="2026-12-20T10:00", command="payment record")
    with pytest.raises(Refused, match="^what-if: `colo payment record` " + WOULD_WRITE):
        look.payment(cid, "12000.00", "BANK-1")
    with pytest.raises(Refused, match=WOULD_WRITE):
        Colo(db=site_db, what_if="2026-12-20T10:00").sign(order("Other"))
    with pytest.raises(Refused, match=WOULD_WRITE):
        Colo(db=site_db, what_if="2026-12-20T10:00").init("inventory/example")
    # reads see the store as of the what-if time
    assert Colo(db=site_db, what_if="2026-12-20T10:00").contract(cid)["id"] == cid
    clocks = Colo(db=site_db, what_if="2026-12-20T10:00").deadlines()
    assert any(c["clock"] == "payment" and c["status"] == "breached" for c in clocks), "unpaid by then"
    assert Colo(db=site_db, what_if="2026-12-20T10:00").account(cid)["overdue_since"] is not None
    assert Colo(db=site_db, what_if="2026-12-20T10:00").audit_verify()["intact"]
    with pytest.raises(Refused, match="--anchor and --syslog record the verified head"):
        Colo(db=site_db, what_if="2026-12-20T10:00").audit_verify(anchor=str(Path(site_db).parent / "anchor"))
    would = Colo(db=site_db, what_if="2026-12-20T10:00").enforce(dry_run=True)["actions"]
    assert [(a["contract"], a["action"], a["done"]) for a in would] == [(cid, "issue_notice", False)]
    with pytest.raises(Refused, match="^what-if: `colo enforce` " + WOULD_WRITE):  # it would mail the notice too
        Colo(db=site_db, what_if="2026-12-20T10:00").enforce()
    assert snapshot(site_db) == before


def test_what_if_and_at_together_is_bad_input(site_db: str) -> None:
    with pytest.raises(BadInput, match="--at and --what-if"):
        Colo(db=site_db, at="2026-12-01T10:00", what_if="2026-12-01T10:00").contracts()
    with pytest.raises(BadInput, match="--what-if 'soon' is not an ISO 8601 time"):
        Colo(db=site_db, what_if="soon").deadlines()


def test_what_if_touches_no_device_and_writes_nothing(lab: Lab, lab_db: str) -> None:
    signed = sign_on(lab_db, "cisco_ios")["id"]
    active = sign_on(lab_db, "cisco_ios", name="Beta Cloud")["id"]
    activate_signed(lab_db, active)
    Colo(db=lab_db, at="2026-11-26T10:00").payment(active, "12000.00")
    Colo(db=lab_db, at="2027-03-04T10:00").terminate(active, forced="carrier")
    before = snapshot(lab_db, lab)

    look = Colo(db=lab_db, what_if="2027-03-05T10:00", command="provision")
    with pytest.raises(Refused, match="what-if: this command would contact switch"):
        look.provision([signed])
    with pytest.raises(Refused, match="no device is touched in a what-if run"):
        Colo(db=lab_db, what_if="2027-03-05T10:00").provision([signed], dry_run=True)
    with pytest.raises(Refused, match="what-if"):
        Colo(db=lab_db, what_if="2027-03-05T10:00").decommission(active, location="W1-07")
    with pytest.raises(Refused, match=WOULD_WRITE):
        Colo(db=lab_db, what_if="2027-03-05T10:00").record_server(signed, 1, ServerRecord(serial="SN9",
                                                                                          mac="001122334499"))
    assert Colo(db=lab_db, what_if="2027-03-05T10:00").contract(active)["state"] == "ended"
    assert snapshot(lab_db, lab) == before


def test_a_dated_write_keeps_both_times_in_the_audit_log(site_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    cid = Colo(db=site_db, at="2026-11-24T10:00").sign(order())["id"]
    Colo(db=site_db).payment(cid, "100.00", "NOW-1")
    rows = {r["action"]: r for r in Colo(db=site_db).audit(cid)}
    signed, paid = rows["contract.signed"], rows["contract.payment"]
    assert signed["at"].startswith("2026-11-24T10:00")
    written = datetime.fromisoformat(signed["recorded_at"])
    assert abs(written - datetime.now(written.tzinfo)) < timedelta(minutes=5), "recorded at the real time"
    assert abs(datetime.fromisoformat(paid["at"]) - datetime.fromisoformat(paid["recorded_at"])) < timedelta(minutes=1)
    assert Colo(db=site_db).audit_verify()["intact"], "recorded_at is covered by the chain"
    from provision import render

    capsys.readouterr()
    render.audit([signed, paid])
    shown = capsys.readouterr().out
    assert shown.count("(recorded ") == 1 and f"(recorded {signed['recorded_at']})" in shown.replace("\n", "")


def test_what_if_from_the_command_line(site_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    api = Colo(db=site_db, at="2026-11-24T10:00")
    cid = api.sign(order())["id"]
    walk_to(api, cid, [State.PROVISIONED, State.ACTIVE], "2026-11-25T10:00:00+08:00")
    before = snapshot(site_db)
    r = colo("--db", site_db, "--what-if", "2026-12-20T10:00", "payment", "record", cid, "12000.00", "--json")
    assert r.code == 3 and r.err.startswith("error: what-if: `colo payment record` " + WOULD_WRITE), r.err
    r = colo("--db", site_db, "--what-if", "2026-12-20T10:00", "deadlines", "--json")
    assert r.code == 0 and any(c["clock"] == "payment" and c["status"] == "breached" for c in json.loads(r.out))
    r = colo("--db", site_db, "--what-if", "2026-12-20T10:00", "contract", "show", cid)
    assert r.code == 0 and cid in r.out
    assert snapshot(site_db) == before


def test_a_dated_write_from_the_command_line_shows_both_times(site_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    r = colo("--db", site_db, "--at", "2026-11-24T10:00", "contract", "sign", "--customer", "ACME Ltd", "--slots", "1",
             "--bandwidth", "100", "--fee", "12000.00", "--payment", "yearly", "--json")
    assert r.code == 0, r.err
    r = colo("--db", site_db, "audit", "list", "--json")
    (signed,) = [row for row in json.loads(r.out) if row["action"] == "contract.signed"]
    assert signed["at"] == "2026-11-24T10:00:00+08:00" and signed["recorded_at"] > "2026-12-01"
    shown = colo("--db", site_db, "audit", "list").out.replace("\n", "")
    assert f"(recorded {signed['recorded_at']})" in shown
