"""`colo find`: the contract behind a name, address, MAC, serial, port, unit, outlet or record id (issue 16).

On SQLite and PostgreSQL through the public API; the CLI test drives the real entry point.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from provision.api import Colo, ServerRecord
from provision.domain.lifecycle import State
from provision.errors import BadInput
from provision.services.find import find
from tests.conftest import order
from tests.lab_contracts import walk_to

SIGNED = "2026-11-24T10:00"
LATER = "2026-11-27T10:00"


@pytest.fixture
def site(site_db: str) -> dict[str, Any]:
    """ACME (two servers in A01, active, with one record of every kind), Team A1 and Beta 100% Cloud_x (signed)."""
    api = Colo(db=site_db, at=SIGNED)
    acme = api.sign(order("ACME Hosting", quantity=2))
    cid = acme["id"]
    api.record_server(cid, 2, ServerRecord(serial="SN-ACME-2", mac="0a1b2c3d4e5f"))
    walk_to(api, cid, [State.PROVISIONED, State.ACTIVE], "2026-11-25T09:00+08:00")
    team = api.sign(order("Team A1 Ltd", room="B201"))["id"]
    beta = api.sign(order("Beta 100% Cloud_x", room="B201"))["id"]
    later = Colo(db=site_db, at=LATER)
    later.open_ticket(cid, "server 2 unreachable")
    later.record_complaint(cid, "slow answers", "customer-service")
    later.abuse_report(cid, "spam from .11")
    later.record_emergency(cid, "2026-11-27T09:00")
    later.record_outage(cid, "network", "2026-11-26T10:00", "2026-11-26T10:30", "upstream reboot")
    return {"db": site_db, "acme": acme, "team": team, "beta": beta}


def _found(db: str, text: str) -> list[tuple[str, str, str, int | None]]:
    result = Colo(db=db, at=LATER).find(text)
    assert result["count"] == len(result["matches"]) and result["more"] == 0
    return [(m["kind"], m["matched"], m["contract"], m["server"]) for m in result["matches"]]


def test_every_handle_finds_the_contract(site: dict[str, Any]) -> None:
    db, acme = site["db"], site["acme"]
    cid = acme["id"]
    second = acme["placements"][1]
    ip = second["addresses"][0]["ip"]
    assert _found(db, "acme") == [("customer", "customer ACME Hosting", cid, None)]
    assert _found(db, "  ACME   hosting ") == [("customer", "customer ACME Hosting", cid, None)]
    assert _found(db, cid.lower()) == [("contract", f"contract {cid}", cid, None)]
    assert _found(db, ip) == [("address", f"address {ip}", cid, 2)]
    for mac in ("0a:1b:2c:3d:4e:5f", "0A1B.2C3D.4E5F", "0a-1b-2c-3d-4e-5f"):
        assert _found(db, mac) == [("mac", "MAC 0a:1b:2c:3d:4e:5f", cid, 2)]
    assert _found(db, "sn-acme-2") == [("serial", "serial SN-ACME-2", cid, 2)]
    port = f"port sw-a101-1 {second['port']['interface']}"
    for spelling in ("sw-a101-1 Gi1/0/2", "SW-A101-1 gigabitethernet 1/0/2", "sw-a101-1 GigabitEthernet1/0/2"):
        assert _found(db, spelling) == [("port", port, cid, 2)]
    assert _found(db, "A01 U4") == [("unit", "unit A01 U4", cid, 2)]
    assert _found(db, "a01u4") == [("unit", "unit A01 U4", cid, 2)]
    assert _found(db, "pdu-a01:2") == [("outlet", "outlet pdu-a01:2", cid, 2)]
    for text, kind in (("T1", "ticket"), ("k1", "complaint"), ("E1", "emergency"), ("O1", "outage")):
        assert _found(db, text) == [(kind, f"{kind} {text.upper()}", cid, None)]


def test_one_result_per_match_with_state_and_customer(site: dict[str, Any]) -> None:
    result = Colo(db=site["db"], at=LATER).find("A1")  # abuse case A1 of ACME, and the customer Team A1 Ltd
    assert result["matches"] == [
        {"kind": "abuse", "matched": "abuse A1", "contract": site["acme"]["id"], "server": None, "state": "active",
         "customer": "ACME Hosting"},
        {"kind": "customer", "matched": "customer Team A1 Ltd", "contract": site["team"], "server": None,
         "state": "signed", "customer": "Team A1 Ltd"}]


def test_wildcards_are_text_and_unknown_handles_find_nothing(site: dict[str, Any]) -> None:
    db = site["db"]
    assert _found(db, "100%") == [("customer", "customer Beta 100% Cloud_x", site["beta"], None)]
    assert _found(db, "_") == [("customer", "customer Beta 100% Cloud_x", site["beta"], None)]
    for text in ("203.0.113.200", "T99", "A01 U30", "sw-a101-1 Gi1/0/40", "nobody", "C2026-0099", "ff:ff:ff:ff:ff:ff"):
        assert _found(db, text) == [], text


def test_many_matches_are_counted_beyond_the_limit(site: dict[str, Any]) -> None:
    api = Colo(db=site["db"], at=LATER)
    result = find(api.context, "t", limit=2)  # ACME Hosting, Team A1 Ltd, Beta 100% Cloud_x
    assert (result["count"], result["more"], len(result["matches"])) == (3, 1, 2)


def test_bad_text_is_refused(site_db: str) -> None:
    api = Colo(db=site_db)
    for text, why in (("   ", "TEXT is empty"), ("a\x1b[2Jb", "control character"), ("x" * 201, "at most 200")):
        with pytest.raises(BadInput, match=why):
            api.find(text)


def test_find_cli(site: dict[str, Any], colo) -> None:  # type: ignore[no-untyped-def]
    db = site["db"]
    r = colo("--db", db, "--at", LATER, "find", "sw-a101-1", "Gi1/0/2", "--json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert [(m["kind"], m["contract"], m["state"]) for m in data["matches"]] == [("port", site["acme"]["id"], "active")]
    r = colo("--db", db, "--at", LATER, "find", "A1")
    assert r.code == 0, r.err
    assert "abuse A1" in r.out and "Team A1 Ltd" in r.out and site["team"] in r.out
    r = colo("--db", db, "find", "nobody")
    assert r.code == 0 and "nothing matches 'nobody'" in r.out
    r = colo("--db", db, "find", " ")
    assert r.code == 2 and "TEXT is empty" in r.err
