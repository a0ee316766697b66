"""Missing a payment, the stop-service notice, suspension and resumption, against the device lab."""

from __future__ import annotations

import json

from provision.api import Colo, ServerRecord
from tests.conftest import Lab
from tests.test_provision import port_block, sign_on


def active_contract(db: str) -> tuple[str, str]:
    contract = sign_on(db, "cisco_ios")  # signed 2026-11-24 10:00, 12000.00 yearly
    cid, iface = contract["id"], contract["placements"][0]["port"]["interface"]
    Colo(db=db, at="2026-11-25T09:00").provision([cid])
    Colo(db=db, at="2026-11-25T10:00").record_server(cid, 1, ServerRecord(serial="SN1", mac="001122334455"))
    assert Colo(db=db, at="2026-11-26T09:00").activate(cid)["state"] == "active"
    return cid, iface


def test_unpaid_contract_is_noticed_suspended_and_resumed_when_paid(lab: Lab, lab_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid, iface = active_contract(lab_db)

    def enforce(at: str, *extra: str) -> dict:  # type: ignore[type-arg]
        r = colo("--db", lab_db, "--at", at, "enforce", "--json", *extra)
        assert r.code == 0, r.err
        return dict(json.loads(r.out))

    assert enforce("2026-11-30T23:00")["actions"] == []  # 2 days overdue: not yet
    issued = enforce("2026-12-01T09:00")["actions"]
    assert [(a["contract"], a["action"], a["done"]) for a in issued] == [(cid, "issue_notice", True)]
    assert issued[0]["detail"]["stop_at"] == "2026-12-02T09:00:00+08:00"
    assert enforce("2026-12-01T09:05")["actions"] == [], "a second run does nothing more"

    dry = enforce("2026-12-02T09:00", "--dry-run")["actions"]
    assert [(a["action"], a["done"]) for a in dry] == [("suspend", False)]
    assert "shutdown" not in port_block(lab, "sw-a101-1", iface)

    done = enforce("2026-12-02T09:00")["actions"]
    assert [(a["action"], a["done"]) for a in done] == [("suspend", True)]
    assert "shutdown" in port_block(lab, "sw-a101-1", iface)
    assert lab.device("sw-a101-1")["interfaces"][iface]["admin"] == "down"
    assert Colo(db=lab_db).contract(cid)["state"] == "suspended"
    assert enforce("2026-12-02T09:30")["actions"] == []

    partial = Colo(db=lab_db, at="2026-12-03T09:00").payment(cid, "6000.00", "BANK-1")
    assert partial["account"]["balance"] == "-6000.00" and partial["resumed"] is None
    assert Colo(db=lab_db).contract(cid)["state"] == "suspended"
    paid = Colo(db=lab_db, at="2026-12-03T10:00").payment(cid, "6000.00", "BANK-2")
    assert paid["account"]["balance"] == "0.00" and paid["account"]["stop_notice"] is None
    assert paid["resumed"]["state"] == "active"
    assert "shutdown" not in port_block(lab, "sw-a101-1", iface)
    assert lab.device("sw-a101-1")["saved"] == lab.device("sw-a101-1")["running"]
    view = Colo(db=lab_db, at="2026-12-03T10:00").contract(cid)
    assert [e["kind"] for e in view["events"]][-4:] == ["payment", "paid", "payment", "resumed"]
    assert enforce("2026-12-03T10:05")["actions"] == []


def test_bad_amounts_change_nothing(lab: Lab, lab_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid = sign_on(lab_db, "hp_comware")["id"]
    for amount in ("abc", "-5", "0", "12.345", "1e5"):
        r = colo("--db", lab_db, "payment", "record", cid, "--", amount)
        assert r.code == 2 and "amount" in r.err, amount
    assert Colo(db=lab_db).account(cid)["paid"] == "0"
    r = colo("--db", lab_db, "payment", "record", cid, "12000.00", "--json")
    assert r.code == 0 and json.loads(r.out)["account"]["balance"] == "0.00"
