"""Signing and allocation through the public API, on SQLite and PostgreSQL."""

from __future__ import annotations

import ipaddress
from datetime import datetime

import pytest
from sqlalchemy import update

from provision.api import Colo
from provision.domain.lifecycle import State
from provision.errors import BadInput, NotFound, Refused
from provision.services.contracts import get_contract, transition
from tests.conftest import order
from tests.lab_contracts import walk_to

AT = "2026-11-24T10:00:00+08:00"  # a Tuesday


def test_sign_allocates_slot_port_address_outlet(site_db: str) -> None:
    c = Colo(db=site_db, at=AT).sign(order(quantity=2, ips=3, signed_at="2026-11-24T09:00"))
    assert c["id"] == "C2026-0001" and c["state"] == "signed"
    assert c["signed_at"] == "2026-11-24T09:00:00+08:00"
    assert c["install_deadline"] == "2026-11-27T23:59:59+08:00"  # Wed, Thu, Fri
    assert c["payment_due"] == "2026-11-27T23:59:59+08:00"
    assert c["term_end"] is None  # the term starts at activation, not signing
    p1, p2 = c["placements"]
    assert (p1["rack"], p1["units"], p2["rack"], p2["units"]) == ("A01", [3], "A01", [4])  # adjacent, first fit
    assert p1["port"] == {"switch": "sw-a101-1", "platform": "cisco_ios", "interface": "GigabitEthernet1/0/1"}
    assert p2["port"]["interface"] == "GigabitEthernet1/0/2"
    assert [a["ip"] for a in p1["addresses"]] == ["203.0.113.10", "203.0.113.11"]  # .2-.9 reserved
    assert [a["ip"] for a in p2["addresses"]] == ["203.0.113.12"]
    assert p1["addresses"][0] | {} == {"ip": "203.0.113.10", "prefix_len": 24, "gateway": "203.0.113.1", "vlan": 110}
    assert p1["outlets"] == [{"pdu": "pdu-a01", "outlet": 1}]


def test_second_contract_gets_next_resources_and_id(site_db: str) -> None:
    api = Colo(db=site_db, at=AT)
    api.sign(order("ACME"))
    c = api.sign(order("Beta"))
    assert c["id"] == "C2026-0002"
    assert c["placements"][0]["units"] == [4]
    assert c["placements"][0]["addresses"][0]["ip"] == "203.0.113.11"


def test_request_id_replay_returns_first_contract_and_conflict_is_refused(site_db: str) -> None:
    api = Colo(db=site_db, at=AT)
    first = api.sign(order(request_id="crm-42", signed_at="2026-11-24T09:00"))
    again = api.sign(order(request_id="crm-42", signed_at="2026-11-24T09:00"))
    assert again["replayed"] and again["id"] == first["id"] and again["placements"] == first["placements"]
    assert len(api.contracts()) == 1
    with pytest.raises(Refused, match="crm-42 already signed contract C2026-0001 with different terms"):
        api.sign(order(request_id="crm-42", signed_at="2026-11-24T09:00", bandwidth_mbps=200))


def test_room_constraint_and_unknown_room(site_db: str) -> None:
    api = Colo(db=site_db, at=AT)
    c = api.sign(order(room="B201"))
    p = c["placements"][0]
    assert (p["rack"], p["units"], p["port"]["platform"]) == ("B01", [2], "hp_comware")
    assert p["addresses"][0]["ip"] == "198.51.100.6"
    with pytest.raises(NotFound, match="--room 'Z9' is not a room of this site: use one of A101, B201"):
        api.sign(order(room="Z9"))


def test_power_budget_moves_servers_to_the_next_rack(site_db: str) -> None:
    api = Colo(db=site_db, at=AT)
    c = api.sign(order(quantity=4, power_w=2000))  # 8000 W fits no rack; A01/A02 (4400 W) take two each
    racks = [(p["rack"], p["units"]) for p in c["placements"]]
    assert racks == [("A01", [3]), ("A01", [4]), ("A02", [3]), ("A02", [4])]
    assert api.rack("A01")["power_committed_w"] == 4000


def test_whole_contract_prefers_one_rack_with_room(site_db: str) -> None:
    api = Colo(db=site_db, at=AT)
    api.sign(order("Big", quantity=1, power_w=4000))  # A01 now has 400 W headroom
    c = api.sign(order("Pair", quantity=2, power_w=300))
    assert {p["rack"] for p in c["placements"]} == {"A02"}  # together in A02, not split A01/A02


def test_same_customer_goes_back_to_its_rack(site_db: str) -> None:
    api = Colo(db=site_db, at=AT)
    api.sign(order("ACME", room="B201"))
    c = api.sign(order("acme  "))  # case and spacing fold to the same customer
    assert c["placements"][0]["rack"] == "B01"


def test_rack_contract_takes_a_whole_empty_rack(site_db: str) -> None:
    api = Colo(db=site_db, at=AT)
    api.sign(order("Small"))  # A01 no longer empty
    c = api.sign(order("Whole", kind="rack", quantity=1, ips=8))
    (p,) = c["placements"]
    assert p["rack"] == "A02" and p["units"] == list(range(3, 41)) and p["power_w"] == 4400
    assert len(p["addresses"]) == 8 and c["racks"] == 1 and "slots" not in c
    assert [api.sign(order(f"W{i}", kind="rack", room="A101"))["placements"][0]["rack"] for i in (3, 4)] == \
        ["A03", "A04"]
    with pytest.raises(Refused, match="no room for 1 empty racks"):  # A01 holds a server: not empty
        api.sign(order("W5", kind="rack", room="A101"))


def test_capacity_exhaustion_is_refused_and_changes_nothing(site_db: str) -> None:
    api = Colo(db=site_db, at=AT)
    with pytest.raises(Refused) as e:
        api.sign(order(quantity=200))  # power: 14 per A rack (56); B201 switch: 48 ports for 3 racks
    assert e.value.exit_code == 3 and "no room for 200 slots (found 104)" in str(e.value)
    assert api.contracts() == []
    assert all(u["state"] != "occupied" for u in api.rack("A01")["units"])


def test_quarantined_addresses_are_skipped_until_they_expire(site_db: str) -> None:
    from provision.store.schema import Address

    api = Colo(db=site_db, at=AT)
    with api.context.store.session() as s:
        s.execute(update(Address).where(Address.ip == "203.0.113.10")
                  .values(quarantine_until=datetime.fromisoformat("2026-12-24T10:00:00+08:00")))
    assert api.sign(order("A"))["placements"][0]["addresses"][0]["ip"] == "203.0.113.11"
    later = Colo(db=site_db, at="2026-12-25T10:00:00+08:00")
    assert later.sign(order("B"))["placements"][0]["addresses"][0]["ip"] == "203.0.113.10"


def test_holds_block_others_serve_the_prospect_and_lapse(site_db: str) -> None:
    api = Colo(db=site_db, at=AT)
    hold = api.reserve("A01", 3, "Prospect Ltd", "2026-11-30T18:00")
    assert hold["units"] == [3, 4, 5] and hold["active"]
    other = api.sign(order("Other"))
    assert other["placements"][0]["units"] == [6]
    prospect = api.sign(order("prospect ltd", quantity=2))
    assert [p["units"] for p in prospect["placements"]] == [[3], [4]]
    rack = {u["u"]: u for u in api.rack("A01")["units"]}
    assert rack[5]["state"] == "held" and rack[3]["state"] == "occupied"
    after = Colo(db=site_db, at="2026-12-01T09:00")
    assert after.rack("A01")["holds"] == []
    assert after.sign(order("Third"))["placements"][0]["units"] == [5]  # lapsed by itself


def test_hold_refusals_and_release(site_db: str) -> None:
    api = Colo(db=site_db, at=AT)
    with pytest.raises(Refused, match="rack A01 has 38 free fed units, 39 asked"):
        api.reserve("A01", 39, "X", "2026-12-01T00:00")
    with pytest.raises(BadInput, match="--until .* is not in the future"):
        api.reserve("A01", 1, "X", "2026-11-01T00:00")
    with pytest.raises(NotFound, match="rack 'Q1' is not in the store"):
        api.reserve("Q1", 1, "X", "2026-12-01T00:00")
    hold = api.reserve("A01", 2, "X", "2026-12-01T00:00")
    released = api.release_hold(hold["hold"])
    assert released["units"] == [3, 4] and not released["active"]
    assert api.holds() == []
    assert api.sign(order("Y"))["placements"][0]["units"] == [3]


def test_signed_in_the_future_is_bad_input(site_db: str) -> None:
    with pytest.raises(BadInput, match="--signed-at 2026-12-01T00:00:00\\+08:00 is in the future"):
        Colo(db=site_db, at=AT).sign(order(signed_at="2026-12-01T00:00"))


def test_contract_ids_restart_each_year(site_db: str) -> None:
    api = Colo(db=site_db, at="2027-01-05T10:00")
    assert api.sign(order(signed_at="2026-12-31T23:00"))["id"] == "C2026-0001"
    assert api.sign(order(signed_at="2027-01-01T08:00"))["id"] == "C2027-0001"


def test_transitions_follow_the_state_machine(site_db: str) -> None:
    api = Colo(db=site_db, at=AT)
    cid = api.sign(order())["id"]
    at = datetime.fromisoformat(AT)
    with api.context.store.session() as s:
        contract = get_contract(s, cid)
        with pytest.raises(Refused, match="cannot go from signed to active: from signed it may only go to: provisioned"):
            transition(s, contract, State.ACTIVE, at, "tester")
        transition(s, contract, State.PROVISIONED, at, "tester")
        transition(s, contract, State.ACTIVE, datetime.fromisoformat("2026-11-25T10:00:00+08:00"), "tester")
    shown = Colo(db=site_db, at="2026-11-26T00:00").contract(cid.lower())
    assert shown["state"] == "active"
    assert shown["term_end"] == "2027-11-25T10:00:00+08:00"  # 12 months from activation
    install = next(c for c in shown["clocks"] if c["clock"] == "install")
    assert install["status"] == "met"


def test_deadlines_are_sorted_and_breaches_show(site_db: str) -> None:
    Colo(db=site_db, at="2026-11-20T10:00").sign(order("Early", signed_at="2026-11-20T10:00"))  # Friday
    Colo(db=site_db, at=AT).sign(order("Later"))
    rows = Colo(db=site_db, at="2026-11-26T00:00").deadlines()
    assert [r["deadline"] for r in rows] == sorted(r["deadline"] for r in rows)
    early_install = next(r for r in rows if r["customer"] == "Early" and r["clock"] == "install")
    # Friday signing: Mon 23, Tue 24, Wed 25 -> due Wed 25 23:59:59, breached by Thu 00:00
    assert early_install["deadline"] == "2026-11-25T23:59:59+08:00" and early_install["status"] == "breached"


def test_unknown_contract(site_db: str) -> None:
    with pytest.raises(NotFound, match="contract 'C2026-9999' does not exist"):
        Colo(db=site_db, at=AT).contract("C2026-9999")


def test_addresses_are_valid_hosts_of_their_pool(site_db: str) -> None:
    api = Colo(db=site_db, at=AT)
    c = api.sign(order(quantity=5, ips=5, room="B201"))
    for p in c["placements"]:
        for a in p["addresses"]:
            net = ipaddress.ip_network(f"{a['gateway']}/{a['prefix_len']}", strict=False)
            assert ipaddress.ip_address(a["ip"]) in net and a["ip"] not in (a["gateway"], str(net.network_address))


def test_leaving_service_frees_slot_and_port_and_quarantines_addresses(site_db: str) -> None:
    api = Colo(db=site_db, at=AT)
    cid = api.sign(order("Leaver", ips=2))["id"]
    walk_to(api, cid, [State.PROVISIONED, State.ACTIVE, State.ENDED], "2026-11-24T12:00:00+08:00")
    assert api.rack("A01")["units"][-3]["state"] == "occupied"  # ended still holds everything (DOMAIN §5)
    walk_to(api, cid, [State.DECOMMISSIONED], "2026-11-24T13:00:00+08:00")
    shown = Colo(db=site_db, at="2026-11-24T14:00").contract(cid)
    assert shown["placements"][0]["released_at"] == "2026-11-24T13:00:00+08:00"
    assert shown["events"][-1]["detail"] == ("released A01 U3 sw-a101-1 GigabitEthernet1/0/1 "
                                             "203.0.113.10 203.0.113.11")
    nxt = Colo(db=site_db, at="2026-11-24T14:00").sign(order("Next"))["placements"][0]
    assert (nxt["units"], nxt["port"]["interface"]) == ([3], "GigabitEthernet1/0/1")  # slot and port at once
    assert nxt["addresses"][0]["ip"] == "203.0.113.12"  # .10/.11 in quarantine for 30 days
    after = Colo(db=site_db, at="2026-12-24T13:00:01").sign(order("Later", ips=2))["placements"][0]
    assert [a["ip"] for a in after["addresses"]] == ["203.0.113.10", "203.0.113.11"]
