"""Operations on a customer's equipment need the customer's authorization; visits are logged."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

from provision.api import Colo
from tests.conftest import Lab
from tests.lab_contracts import active_contract
from tests.lab_devices import port_block


def test_outlet_cycle_only_with_a_written_authorization(lab: Lab, lab_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    from provision.lab.snmpagent import read_pdu_state

    cid, _ = active_contract(lab_db, "hp_comware")
    r = colo("--db", lab_db, "--at", "2026-12-01T10:00", "outlet", "cycle", cid)
    assert r.code == 3 and "no valid authorization" in r.err
    r = colo("--db", lab_db, "--at", "2026-12-01T10:00", "authorization", "record", cid, "--by", "Mallory",
             "--operation", "outlet-cycle", "--written", "--ref", "DOC-1")
    assert r.code == 3 and "not an authorized person" in r.err
    assert colo("--db", lab_db, "person", "add", cid, "--name", "Li Wei", "--phone", "+86 21 5555 0100").code == 0
    r = colo("--db", lab_db, "--at", "2026-12-01T10:05", "authorization", "record", cid, "--by", "Li Wei",
             "--operation", "outlet-cycle", "--written", "--ref", "DOC-2026-118", "--json")
    assert r.code == 0, r.err
    auth = json.loads(r.out)
    assert auth["feedback_due"] == "2026-12-01T10:35:00+08:00"
    r = colo("--db", lab_db, "--at", "2026-12-01T10:10", "outlet", "cycle", cid, "--json")
    assert r.code == 0, r.err
    assert "off and on again" in json.loads(r.out)["done"]
    place = Colo(db=lab_db).contract(cid)["placements"][0]["outlets"][0]
    assert read_pdu_state(str(lab.state), place["pdu"])["outlets"][str(place["outlet"])]["on"] is True
    r = colo("--db", lab_db, "--at", "2026-12-01T10:11", "outlet", "cycle", cid)
    assert r.code == 3, "an authorization is used once"
    assert colo("--db", lab_db, "--at", "2026-12-01T10:20", "authorization", "feedback", str(auth["authorization"]),
                "--note", "outlet cycled, server back up").code == 0
    clocks = Colo(db=lab_db, at="2026-12-01T11:00").contract(cid)["clocks"]
    assert next(c for c in clocks if c["clock"] == "auth-feedback")["status"] == "met"
    actions = [a["action"] for a in Colo(db=lab_db).audit(cid)]
    assert actions.count("contract.operation_refused") == 3 and "contract.authorized_operation" in actions


def test_phone_authorization_needs_the_portal_credential(lab: Lab, lab_db: str, colo, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    cid, iface = active_contract(lab_db, "cisco_ios")
    colo("--db", lab_db, "person", "add", cid, "--name", "Li Wei")
    monkeypatch.setattr(sys, "stdin", io.StringIO("correct horse battery\n"))
    assert colo("--db", lab_db, "portal", "set", cid, "--secret-stdin").code == 0
    assert b"correct horse battery" not in Path(lab_db).read_bytes()

    def phone(secret: str):  # type: ignore[no-untyped-def]
        monkeypatch.setattr(sys, "stdin", io.StringIO(secret + "\n"))
        return colo("--db", lab_db, "--at", "2026-12-01T10:00", "authorization", "record", cid, "--by", "Li Wei",
                    "--operation", "port-bounce", "--phone", "--portal-login", cid, "--portal-secret-stdin", "--json")

    r = phone("wrong guess")
    assert r.code == 3 and "and credential were not verified" in r.err and "wrong guess" not in r.err
    r = phone("correct horse battery")
    assert r.code == 0 and json.loads(r.out)["written_form"] == "to follow"
    r = colo("--db", lab_db, "--at", "2026-12-01T10:02", "port", "bounce", cid, "--json")
    assert r.code == 0, r.err
    assert "shutdown" not in port_block(lab, "sw-a101-1", iface)
    second = str(json.loads(phone("correct horse battery").out)["authorization"])
    assert colo("--db", lab_db, "authorization", "written", second, "--ref", "DOC-9").code == 0


def test_visits_are_announced_escorted_and_overdue_exits_listed(lab: Lab, lab_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid, _ = active_contract(lab_db, "cisco_ios")
    assert colo("--db", lab_db, "person", "add", cid, "--name", "Li Wei").code == 0
    r = colo("--db", lab_db, "--at", "2026-12-01T08:00", "visit", "request", cid, "--visitor", "Zhang San",
             "--reason", "disk swap", "--activity", "replace disk 2", "--enter", "2026-12-01T10:00",
             "--exit", "2026-12-01T11:00", "--requested-by", "Li Wei", "--json")
    assert r.code == 0, r.err
    visit = str(json.loads(r.out)["visit"])
    assert colo("--db", lab_db, "visit", "request", cid, "--visitor", "X", "--reason", "r", "--activity", "a",
                "--enter", "2026-12-01T10:00", "--exit", "2026-12-01T09:00").code == 2
    assert colo("--db", lab_db, "--at", "2026-12-01T10:02", "visit", "enter", visit, "--escort", "Wang Wu",
                "--badge", "B-17").code == 0
    overdue = colo("--db", lab_db, "--at", "2026-12-01T11:30", "visit", "list", "--overdue", "--json")
    assert [v["visitor"] for v in json.loads(overdue.out)] == ["Zhang San"]
    assert colo("--db", lab_db, "--at", "2026-12-01T11:40", "visit", "leave", visit).code == 0
    assert json.loads(colo("--db", lab_db, "visit", "list", "--json").out) == []
