"""Missing a payment, the stop-service notice, suspension and resumption, against the device lab."""

from __future__ import annotations

import json

import pytest

from provision.api import Colo
from provision.domain.portfacts import PortFacts
from tests.conftest import Lab
from tests.lab_contracts import PLATFORMS, SWITCH, activate_signed, active_contract, sign_on
from tests.lab_devices import journal_operations, journal_steps, port_block, port_reading, site_lines


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
    assert Colo(db=lab_db).account(cid)["paid"] == "0.00"
    r = colo("--db", lab_db, "payment", "record", cid, "12000.00", "--json")
    assert r.code == 0 and json.loads(r.out)["account"]["balance"] == "0.00"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_forced_termination_refund_then_decommission_to_storage(lab: Lab, lab_db: str, platform: str, colo) -> None:  # type: ignore[no-untyped-def]
    from provision.lab.snmpagent import read_pdu_state

    contract = sign_on(lab_db, platform)
    cid, iface = contract["id"], contract["placements"][0]["port"]["interface"]
    site = site_lines(lab, SWITCH[platform], iface)
    activate_signed(lab_db, cid)
    Colo(db=lab_db, at="2026-11-26T10:00").payment(cid, "12000.00")
    view = Colo(db=lab_db).contract(cid)
    ip = view["placements"][0]["addresses"][0]["ip"]
    pdu, outlet = view["placements"][0]["outlets"][0]["pdu"], view["placements"][0]["outlets"][0]["outlet"]

    r = colo("--db", lab_db, "--at", "2027-03-04T10:00", "contract", "terminate", cid, "--forced", "carrier", "--json")
    assert r.code == 0, r.err
    refund = json.loads(r.out)["refund"]
    # 100 of 365 days used: 12000 * 100/365 = 3287.67 used, 8712.33 unused; 7 days: 230.14
    assert [line["amount"] for line in refund["lines"]] == ["8712.33", "230.14"] and refund["total"] == "8942.47"

    before = dict(lab.device(SWITCH[platform]))
    r = colo("--db", lab_db, "--at", "2027-03-04T11:00", "contract", "decommission", cid, "--dry-run", "--json")
    assert r.code == 0, r.err
    assert lab.device(SWITCH[platform])["running"] == before["running"], "dry run changes nothing"
    assert any(line.startswith("description: ") for line in json.loads(r.out)["plan"]["switches"][0]["ports"][0]["diff"])

    r = colo("--db", lab_db, "--at", "2027-03-04T11:00", "contract", "decommission", cid, "--location", "W1-07", "--json")
    assert r.code == 0, r.err
    assert port_reading(lab, SWITCH[platform], iface).facts == PortFacts(mode="access", shutdown=True)
    assert site_lines(lab, SWITCH[platform], iface) == site, "the port's site lines are byte-identical"
    assert ip not in lab.running(SWITCH[platform]), "bindings outside the interface are gone too"
    assert read_pdu_state(str(lab.state), pdu)["outlets"][str(outlet)]["on"] is False
    after = Colo(db=lab_db, at="2027-03-04T11:00").contract(cid)
    assert after["state"] == "in_storage" and after["placements"][0]["released_at"]
    stored = Colo(db=lab_db, at="2027-03-04T11:00").storage()
    assert [(s["contract"], s["serial"], s["location"], s["abandon_after"]) for s in stored] == [
        (cid, "SN1", "W1-07", "2027-03-11T11:00:00+08:00")]

    r = colo("--db", lab_db, "storage", "release", cid, "--ship-to", "Shanghai")
    assert r.code == 2 and "--tracking" in r.err
    r = colo("--db", lab_db, "--at", "2027-03-05T09:00", "storage", "release", cid, "--collected-by", "Li Wei")
    assert r.code == 0, r.err
    assert Colo(db=lab_db).contract(cid)["state"] == "collected" and Colo(db=lab_db).storage() == []


def test_enforce_ends_decommissions_and_abandons_on_the_clock(lab: Lab, lab_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid, iface = active_contract(lab_db, "hp_comware", fee="1000.00", payment="monthly", term_months=1)
    Colo(db=lab_db, at="2026-11-26T10:00").payment(cid, "2000.00")

    def enforce(at: str) -> list[tuple[str, str, bool]]:
        r = colo("--db", lab_db, "--at", at, "enforce", "--json")
        assert r.code == 0, r.err
        return [(a["contract"], a["action"], a["done"]) for a in json.loads(r.out)["actions"]]

    assert enforce("2026-11-27T09:00") == [(cid, "flag_ending", True)]  # term ends 2026-12-26
    assert enforce("2026-11-27T09:01") == []
    assert enforce("2026-12-26T10:00") == [(cid, "end", True), (cid, "decommission", True)]
    assert port_reading(lab, "sw-b201-1", iface).facts == PortFacts(mode="access", shutdown=True)
    assert enforce("2026-12-26T10:05") == []
    assert enforce("2027-01-02T09:59") == []
    assert enforce("2027-01-02T10:00") == [(cid, "abandon", True)]
    assert enforce("2027-01-02T10:01") == []
    assert Colo(db=lab_db).contract(cid)["state"] == "abandoned"


def test_interrupted_decommission_resumes_and_loses_nothing(lab: Lab, lab_db: str) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    from provision.errors import OperationFailed
    from provision.lab.switchsim import write_faults
    from tests.conftest import ROOT

    cid, iface = active_contract(lab_db, "huawei_vrp")
    Colo(db=lab_db, at="2027-01-05T10:00").terminate(cid, forced="policy")
    configured = port_block(lab, "sw-a101-2", iface)

    # 1. the switch refuses a line midway: everything undone, the contract still ended, resources still held
    write_faults(str(lab.state), "sw-a101-2", {"reject": ["^undo qos lr outbound"]})
    with pytest.raises(OperationFailed, match="undo qos lr outbound"):
        Colo(db=lab_db, at="2027-01-05T11:00").decommission(cid)
    assert port_block(lab, "sw-a101-2", iface) == configured
    view = Colo(db=lab_db).contract(cid)
    assert view["state"] == "ended" and view["placements"][0]["released_at"] is None

    # 2. killed while the switch saves: the next run completes and books the server into storage once
    write_faults(str(lab.state), "sw-a101-2", {"delay": [{"match": "^save", "seconds": 30}]})
    killed = len(journal_operations(lab_db)) + 1
    proc = subprocess.Popen([sys.executable, "-c", "import cli; cli.main()", "--db", lab_db, "--at",
                             "2027-01-05T12:00", "contract", "decommission", cid], cwd=ROOT, env=os.environ | {"COLO_USER": "t"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not any(s["state"] == "applied" and s["op"] == killed for s in journal_steps(lab_db)):
            assert time.monotonic() < deadline, "the reset never reached the read-back stage"
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    write_faults(str(lab.state), "sw-a101-2", {})
    assert Colo(db=lab_db).contract(cid)["state"] == "ended"
    result = Colo(db=lab_db, at="2027-01-05T12:10").decommission(cid)
    assert result["applied"]
    assert [op["state"] for op in journal_operations(lab_db)][-3:] == ["rolled_back", "interrupted", "done"]
    assert port_reading(lab, "sw-a101-2", iface).facts == PortFacts(mode="access", shutdown=True)
    assert lab.device("sw-a101-2")["saved"] == lab.device("sw-a101-2")["running"]
    assert Colo(db=lab_db).contract(cid)["state"] == "in_storage"
    assert len(Colo(db=lab_db).storage()) == 1
