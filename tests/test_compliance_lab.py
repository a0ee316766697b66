"""Stops with an authority of their own, against the device lab: a failed annual review (hosting §5.8),
an order of the authorities (§5.9), spam that went on after a warning (user undertaking 5.2).

Each shuts the contract's port through the journaled, verified suspension; neither a payment nor
`colo enforce` re-opens it; lifting it does — unless the customer is in debt.
"""

from __future__ import annotations

import json
from typing import Any

from provision.api import Colo
from tests.conftest import Lab
from tests.lab_contracts import SWITCH, active_contract
from tests.lab_devices import journal_operations, port_reading


def _shut(lab: Lab, platform: str, iface: str) -> bool:
    return bool(port_reading(lab, SWITCH[platform], iface).facts.shutdown)


def _cli(colo, db: str):  # type: ignore[no-untyped-def]
    def run(at: str, *args: str) -> Any:
        r = colo("--db", db, "--at", at, *args, "--json")
        assert r.code == 0, r.err
        return json.loads(r.out)

    return run


def _enforce_does_nothing(run, at: str) -> None:  # type: ignore[no-untyped-def]
    assert run(at, "enforce")["actions"] == []


def test_failed_review_shuts_the_port_payment_and_enforce_do_not_open_it_a_passed_review_does(  # type: ignore[no-untyped-def]
        lab: Lab, lab_db: str, colo) -> None:
    cid, iface = active_contract(lab_db, "cisco_ios", term_months=24)  # activated 2026-11-26 09:00
    run = _cli(colo, lab_db)
    Colo(db=lab_db, at="2026-11-26T10:00").payment(cid, "12000.00", "Y1")
    due = [d for d in run("2027-11-01T09:00", "deadlines") if d["clock"] == "annual-review"]
    assert [(d["contract"], d["deadline"], d["clause"]) for d in due] == [
        (cid, "2027-11-26T23:59:59+08:00", "§5.8")]

    failed = run("2027-11-20T10:00", "review", "record", cid, "--failed", "--ref", "REV-2027")
    assert failed["state"] == "suspended" and failed["stop_reason"] == "review"
    assert failed["devices"]["operation"] is not None and failed["devices"]["ports"]
    assert _shut(lab, "cisco_ios", iface)
    assert lab.device(SWITCH["cisco_ios"])["saved"] == lab.device(SWITCH["cisco_ios"])["running"]

    paid = run("2027-11-21T10:00", "payment", "record", cid, "12000.00", "--ref", "Y2")
    assert paid["account"]["balance"] == "12000.00"
    assert paid["resumed"]["skipped"] == "stopped for review: payment does not lift it"
    assert _shut(lab, "cisco_ios", iface), "payment does not lift a review stop"
    _enforce_does_nothing(run, "2027-11-22T10:00")
    assert _shut(lab, "cisco_ios", iface), "nor does enforcement"
    assert Colo(db=lab_db).contract(cid)["state"] == "suspended"

    passed = run("2027-11-23T10:00", "review", "record", cid, "--passed", "--ref", "REV-2027-B")
    assert passed["state"] == "active" and passed["stop_reason"] is None and passed["open_stops"] == []
    assert not _shut(lab, "cisco_ios", iface)
    assert [o["kind"] for o in journal_operations(lab_db)][-2:] == ["suspend", "resume"]
    due = [d for d in run("2027-11-23T10:00", "deadlines") if d["clock"] == "annual-review"]
    assert [d["deadline"] for d in due] == ["2028-11-26T23:59:59+08:00"]
    audit = run("2027-11-23T10:00", "audit", "list", "--contract", cid)
    actions = [a["action"] for a in audit]
    assert "contract.stop_ordered" in actions and "contract.stop_lifted" in actions
    assert any("annual review failed (hosting §5.8)" in a["detail"] and "REV-2027" in a["detail"] for a in audit
               if a["action"] == "contract.suspended")


def test_authorities_order_shuts_without_customer_authorization_lift_restores(  # type: ignore[no-untyped-def]
        lab: Lab, lab_db: str, colo) -> None:
    cid, iface = active_contract(lab_db, "huawei_vrp")
    run = _cli(colo, lab_db)
    Colo(db=lab_db, at="2026-11-26T10:00").payment(cid, "12000.00", "Y1")
    stop = run("2026-12-01T10:00", "authority", "stop", cid, "--ref", "GOV-2026-77", "--note", "public security bureau")
    assert stop["stop"] == "S1" and stop["state"] == "suspended" and stop["stop_reason"] == "authorities"
    assert _shut(lab, "huawei_vrp", iface)
    ops = len(journal_operations(lab_db))
    again = run("2026-12-01T10:05", "authority", "stop", cid, "--ref", "GOV-2026-77")
    assert again["replayed"] is True and again["devices"]["operation"] is None and len(journal_operations(lab_db)) == ops

    run("2026-12-02T10:00", "payment", "record", cid, "100.00", "--ref", "EXTRA")
    _enforce_does_nothing(run, "2026-12-03T10:00")
    assert _shut(lab, "huawei_vrp", iface) and Colo(db=lab_db).contract(cid)["state"] == "suspended"

    lifted = run("2026-12-04T10:00", "authority", "lift", cid, "--ref", "GOV-2026-80")
    assert lifted["lifted"] == ["S1"] and lifted["state"] == "active"
    assert not _shut(lab, "huawei_vrp", iface)
    r = colo("--db", lab_db, "--at", "2026-12-04T11:00", "authority", "lift", cid, "--ref", "GOV-2026-80")
    assert r.code == 3 and "no open order" in r.err


def test_stop_on_a_contract_suspended_for_non_payment_touches_no_device_lifting_in_debt_leaves_it_stopped(  # type: ignore[no-untyped-def]
        lab: Lab, lab_db: str, colo) -> None:
    cid, iface = active_contract(lab_db, "hp_comware")  # never paid: 3 days overdue on 1 December
    run = _cli(colo, lab_db)
    run("2026-12-01T09:00", "enforce")
    assert [a["action"] for a in run("2026-12-02T09:00", "enforce")["actions"]] == ["suspend"]
    assert _shut(lab, "hp_comware", iface)
    ops = len(journal_operations(lab_db))

    case = run("2026-12-02T10:00", "abuse", "report", cid, "--summary", "spam run to example.org",
               "--source", "abuse@example.org")
    assert case["case"] == "A1" and case["warning_clock"]["deadline"] == "2026-12-07T23:59:59+08:00"
    r = colo("--db", lab_db, "--at", "2026-12-02T11:00", "abuse", "continued", "A1")
    assert r.code == 3 and "no warning on record" in r.err
    run("2026-12-03T10:00", "abuse", "warn", "A1", "--ref", "WARN-1")
    stopped = run("2026-12-04T10:00", "abuse", "continued", "A1")
    assert stopped["state"] == "suspended" and stopped["stop_reason"] == "abuse"
    assert stopped["devices"]["operation"] is None and len(journal_operations(lab_db)) == ops, "ports already shut"

    paid = run("2026-12-05T10:00", "payment", "record", cid, "12000.00", "--ref", "LATE")
    assert "skipped" in paid["resumed"] and _shut(lab, "hp_comware", iface)
    assert Colo(db=lab_db).contract(cid)["state"] == "suspended"

    # a second stop on top: lifting one leaves the other in force
    run("2026-12-05T11:00", "authority", "stop", cid, "--ref", "GOV-9")
    closed = run("2026-12-06T10:00", "abuse", "close", "A1", "--note", "relay fixed")
    assert closed["status"] == "closed" and closed["state"] == "suspended" and closed["stop_reason"] == "authorities"
    assert _shut(lab, "hp_comware", iface) and len(journal_operations(lab_db)) == ops

    lifted = run("2026-12-07T10:00", "authority", "lift", cid, "--ref", "GOV-10")
    assert lifted["state"] == "active" and not _shut(lab, "hp_comware", iface)


def test_lifted_while_in_debt_stays_suspended_for_non_payment_until_paid(  # type: ignore[no-untyped-def]
        lab: Lab, lab_db: str, colo) -> None:
    cid, iface = active_contract(lab_db, "cisco_ios")  # never paid
    run = _cli(colo, lab_db)
    stop = run("2026-11-27T10:00", "authority", "stop", cid, "--ref", "GOV-1")
    assert stop["state"] == "suspended" and _shut(lab, "cisco_ios", iface)
    _enforce_does_nothing(run, "2026-12-03T10:00")  # overdue, but no notice: the service is stopped already

    lifted = run("2026-12-04T10:00", "authority", "lift", cid, "--ref", "GOV-2")
    assert lifted["state"] == "suspended" and lifted["stop_reason"] == "nonpayment" and lifted["devices"] is None
    assert _shut(lab, "cisco_ios", iface)
    events = [e for e in Colo(db=lab_db).contract(cid)["events"] if e["kind"] == "stop_reason"]
    assert "stays suspended for non-payment" in events[-1]["detail"]

    paid = run("2026-12-05T10:00", "payment", "record", cid, "12000.00", "--ref", "PAID")
    assert paid["resumed"]["state"] == "active" and not _shut(lab, "cisco_ios", iface)
