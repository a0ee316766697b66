"""Changing a running service (SLA §5 「服务内容变更处理」) against the device lab: real netmiko over SSH to
the simulators, real SNMP to the PDUs; the simulators' own state is the witness of what reached the devices."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from provision.api import Colo, ServerRecord
from provision.domain.portfacts import PortFacts
from provision.errors import OperationFailed
from tests.conftest import Lab
from tests.lab_contracts import PLATFORMS, SWITCH, active_contract, sign_on, walk_to
from tests.lab_devices import journal_operations, port_block, port_reading, site_lines, state_files

MAC = "001122334455"  # what active_contract records for server 1
CHANGED = "2026-12-01T10:00"  # a week into the first yearly period (signed 2026-11-24)


def _after(result: dict, interface: str) -> PortFacts:
    """The facts the plan promised for `interface`."""
    port = next(p for sw in result["plan"]["switches"] for p in sw["ports"] if p["interface"] == interface)
    return PortFacts.from_dict(port["after"])


def _changes(db: str) -> list[tuple]:
    with sqlite3.connect(db) as c:
        return c.execute("SELECT contract_id, bandwidth_before, bandwidth_after, ips_after, slots_after, fee_after "
                         "FROM service_changes ORDER BY id").fetchall()


def _store(db: str) -> bytes:
    """The SQLite store as bytes: the database file and its write-ahead log (see `kept`)."""
    return b"".join(p.read_bytes() if p.exists() else b"" for p in (Path(db), Path(db + "-wal")))


@pytest.fixture
def kept(lab_db: str) -> Iterator[str]:
    """The lab's store with a connection held open: SQLite moves the write-ahead log into the file when the
    last connection closes, so without it the files would change when an engine is collected, written to or not."""
    keeper = sqlite3.connect(lab_db)
    keeper.execute("SELECT count(*) FROM sqlite_master").fetchall()  # a reader of the log, not just an open file
    try:
        yield lab_db
    finally:
        keeper.close()


def _outlet_on(db: str, pdu: str, outlet: int) -> bool:
    from provision.services.context import Context
    from provision.services.provisioning.devices import pdus

    with Context.open(db).store.session() as s:
        return bool(pdus(s, [pdu])[pdu].driver().outlet_states([outlet])[outlet])


@pytest.mark.parametrize("platform", PLATFORMS)
def test_bandwidth_addresses_and_slots_change_on_the_devices(lab: Lab, lab_db: str, platform: str) -> None:
    cid, iface = active_contract(lab_db, platform)
    switch = SWITCH[platform]
    site = site_lines(lab, switch, iface)
    api = Colo(db=lab_db, at=CHANGED)

    # bandwidth up: the port's rate limits in and out change, nothing else on it
    up = api.change_service(cid, bandwidth_mbps=200)
    assert up["applied"] and up["operation"]
    facts = port_reading(lab, switch, iface).facts
    assert facts == _after(up, iface)
    assert facts.rate_in_kbps == 200_000
    assert (facts.rate_out_kbps, facts.egress_percent) in ((200_000, None), (None, 20))  # Catalyst: % of 1G
    assert site_lines(lab, switch, iface) == site
    view = Colo(db=lab_db, at=CHANGED).contract(cid)
    assert view["bandwidth_mbps"] == 200
    assert view["service_changes"][0]["terms"][0] == {"term": "bandwidth_mbps", "before": 100, "after": 200}

    # bandwidth down
    down = api.change_service(cid, bandwidth_mbps=50)
    assert port_reading(lab, switch, iface).facts == _after(down, iface)
    assert port_reading(lab, switch, iface).facts.rate_in_kbps == 50_000

    # one more address: from the contract's pool, bound on the port with the recorded MAC
    more = api.change_service(cid, add_ips=1)
    view = Colo(db=lab_db, at=CHANGED).contract(cid)
    ips = [a["ip"] for a in view["placements"][0]["addresses"]]
    assert len(ips) == 2 and view["ips"] == 2
    facts = port_reading(lab, switch, iface).facts
    assert facts == _after(more, iface)
    assert {(b.ip, b.mac) for b in facts.bindings} == {(ip, MAC) for ip in ips}

    # one more slot: a new unit, port, address and outlet, configured like a signing's
    slot = api.change_service(cid, add_slots=1)
    view = Colo(db=lab_db, at=CHANGED).contract(cid)
    assert view["slots"] == 2 and view["ips"] == 3
    new = view["placements"][1]
    assert new["rack"] == view["placements"][0]["rack"], "the customer's rack first, as at signing"
    nsw, niface = new["port"]["switch"], new["port"]["interface"]
    facts = port_reading(lab, nsw, niface).facts
    assert facts == _after(slot, niface)
    assert facts.description == f"{cid} s2 ACME Hosting" and not facts.shutdown
    assert facts.rate_in_kbps == 50_000
    new_ip = new["addresses"][0]["ip"]
    # no server recorded yet: bound by address alone, or (Catalyst's IP source guard needs the MAC) not yet
    assert [(b.ip, b.mac) for b in facts.bindings] == ([] if platform == "cisco_ios" else [(new_ip, None)])
    outlet = new["outlets"][0]
    assert _outlet_on(lab_db, outlet["pdu"], outlet["outlet"])
    assert f"description {cid} s2 ACME Hosting" in port_block(lab, nsw, niface)
    device = lab.device(nsw)
    assert device["saved"] == device["running"], "a verified change is saved"

    # the devices now match the store: provisioning finds nothing to do
    assert Colo(db=lab_db, at=CHANGED).provision([cid], dry_run=True)["plan"]["changes"] == 0
    # the new server racked and recorded: the drift fix binds its MAC as activation did for the first
    Colo(db=lab_db, at=CHANGED).record_server(cid, 2, ServerRecord(serial="SN2", mac="0011223344aa"))
    assert Colo(db=lab_db, at=CHANGED).drift(fix=True)["fixed"]
    assert [(b.ip, b.mac) for b in port_reading(lab, nsw, niface).facts.bindings] == [(new_ip, "0011223344aa")]
    rows = _changes(lab_db)
    assert [(r[1], r[2], r[3], r[4]) for r in rows] == [(100, 200, 1, 1), (200, 50, 1, 1), (50, 50, 2, 1),
                                                        (50, 50, 3, 2)]
    audit = [a["action"] for a in Colo(db=lab_db, at=CHANGED).audit(cid)]
    assert audit.count("contract.service_changed") == 4
    assert audit.count("device.change.done") == 4


@pytest.mark.usefixtures("kept")
def test_dry_run_changes_nothing_on_devices_or_store(lab: Lab, lab_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid, iface = active_contract(lab_db, "huawei_vrp")
    before_devices, before_store = state_files(lab), _store(lab_db)
    dry = Colo(db=lab_db, at=CHANGED).change_service(cid, bandwidth_mbps=300, add_ips=1, add_slots=1, fee="15000.00",
                                                     dry_run=True)
    assert not dry["applied"] and dry["plan"]["changes"] >= 2
    port = next(p for sw in dry["plan"]["switches"] for p in sw["ports"] if p["interface"] == iface)
    assert "rate_in_kbps: 100000 → 300000" in port["diff"]
    assert any(line.startswith("+ binding") for line in port["diff"])
    assert len({p["server"] for sw in dry["plan"]["switches"] for p in sw["ports"]}) == 2, "the new slot's port"
    assert [(t["term"], t["before"], t["after"]) for t in dry["terms"]] == [
        ("bandwidth_mbps", 100, 300), ("ips", 1, 3), ("slots", 1, 2), ("fee", "12000.00", "15000.00")]
    assert state_files(lab) == before_devices, "a dry run must not change any device"
    assert _store(lab_db) == before_store, "nor the store"
    shown = colo("--db", lab_db, "--at", CHANGED, "contract", "change", cid, "--bandwidth", "300", "--dry-run")
    assert shown.code == 0, shown.err
    assert f"{cid} bandwidth_mbps: 100 → 300" in shown.out and "rate_in_kbps: 100000 → 300000" in shown.out
    assert "dry run: 1 change(s) would be made; nothing was changed" in shown.out
    assert state_files(lab) == before_devices and _store(lab_db) == before_store


def test_a_device_that_refuses_rolls_the_change_back_and_the_store_keeps_the_old_terms(lab: Lab, lab_db: str) -> None:
    from provision.lab.switchsim import write_faults

    cid, iface = active_contract(lab_db, "huawei_vrp")
    before = port_block(lab, "sw-a101-2", iface)
    view = Colo(db=lab_db).contract(cid)
    write_faults(str(lab.state), "sw-a101-2", {"reject": ["qos lr outbound"]})
    try:
        with pytest.raises(OperationFailed, match=r"qos lr outbound cir 400000.*the contract records are unchanged"):
            Colo(db=lab_db, at=CHANGED).change_service(cid, bandwidth_mbps=400, add_ips=1, fee="20000.00")
    finally:
        write_faults(str(lab.state), "sw-a101-2", {})
    assert port_block(lab, "sw-a101-2", iface) == before, "what was sent before the refused line is undone"
    after = Colo(db=lab_db).contract(cid)
    assert {k: after[k] for k in ("bandwidth_mbps", "ips", "fee", "placements")} == \
        {k: view[k] for k in ("bandwidth_mbps", "ips", "fee", "placements")}
    assert after["service_changes"] == [] and _changes(lab_db) == []
    assert journal_operations(lab_db)[-1]["state"] == "rolled_back"
    again = Colo(db=lab_db, at=CHANGED).change_service(cid, bandwidth_mbps=400, add_ips=1, fee="20000.00")
    assert again["applied"], "nothing was left half-done: the same change applies once the device accepts it"


def test_a_new_slot_whose_outlet_refuses_is_undone_and_nothing_is_allocated(lab: Lab, lab_db: str) -> None:
    from provision.lab.snmpagent import write_pdu_faults

    cid, _ = active_contract(lab_db, "cisco_ios")
    dry = Colo(db=lab_db, at=CHANGED).change_service(cid, add_slots=1, dry_run=True)
    pdu = dry["plan"]["pdus"][0]
    outlet = int(next(n for n, o in pdu["outlets"].items() if o["server"] == 2))
    _switch(lab_db, pdu["pdu"], outlet, on=False)
    new_port = next(p for sw in dry["plan"]["switches"] for p in sw["ports"] if p["server"] == 2)
    before = port_reading(lab, "sw-a101-1", new_port["interface"]).facts
    write_pdu_faults(str(lab.state), pdu["pdu"], {"refuse_set": [outlet]})
    try:
        with pytest.raises(OperationFailed, match=rf"undone: sw-a101-1 .*{new_port['interface']}"):
            Colo(db=lab_db, at=CHANGED).change_service(cid, add_slots=1)
    finally:
        write_pdu_faults(str(lab.state), pdu["pdu"], {})
    assert port_reading(lab, "sw-a101-1", new_port["interface"]).facts == before
    view = Colo(db=lab_db).contract(cid)
    assert len(view["placements"]) == 1 and view["slots"] == 1
    with sqlite3.connect(lab_db) as c:
        assert c.execute("SELECT COUNT(*) FROM placements").fetchone()[0] == 1
        assert c.execute("SELECT COUNT(*) FROM addresses WHERE placement_id IS NOT NULL").fetchone()[0] == 1


def _switch(db: str, pdu: str, outlet: int, on: bool) -> None:
    from provision.services.context import Context
    from provision.services.provisioning.devices import pdus

    with Context.open(db).store.session() as s:
        pdus(s, [pdu])[pdu].driver().set_outlets({outlet: on})


def test_the_same_request_twice_changes_once(lab: Lab, lab_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid, _ = active_contract(lab_db, "hp_comware")
    args = ("--db", lab_db, "--at", CHANGED, "contract", "change", cid, "--add-ips", "1", "--request-id", "crm-9",
            "--json")
    first = colo(*args)
    assert first.code == 0, first.err
    again = colo(*args)
    assert again.code == 0, again.err
    assert json.loads(again.out)["replayed"] and "already applied" in json.loads(again.out)["message"]
    assert Colo(db=lab_db).contract(cid)["ips"] == 2, "not doubled"
    other = colo("--db", lab_db, "--at", CHANGED, "contract", "change", cid, "--add-ips", "2", "--request-id", "crm-9")
    assert other.code == 3 and "crm-9 already made change #1" in other.err
    same = colo("--db", lab_db, "--at", CHANGED, "contract", "change", cid, "--bandwidth", "100", "--json")
    assert same.code == 0 and "already has these terms" in json.loads(same.out)["message"]
    assert len(_changes(lab_db)) == 1


def test_a_signed_contract_changes_its_order_and_provisioning_follows(lab: Lab, lab_db: str) -> None:
    contract = sign_on(lab_db, "hp_comware")
    cid, iface = contract["id"], contract["placements"][0]["port"]["interface"]
    before = state_files(lab)
    done = Colo(db=lab_db, at="2026-11-24T11:00").change_service(cid, bandwidth_mbps=300, add_slots=1)
    assert done["applied"] and done["operation"] is None and done["plan"] is None
    assert state_files(lab) == before, "nothing configured on the devices yet"
    view = Colo(db=lab_db).contract(cid)
    assert view["state"] == "signed" and view["slots"] == 2 and view["bandwidth_mbps"] == 300
    provisioned = Colo(db=lab_db, at="2026-11-25T09:00").provision([cid])
    assert provisioned["applied"]
    assert port_reading(lab, SWITCH["hp_comware"], iface).facts.rate_in_kbps == 300_000
    assert len(provisioned["plan"]["switches"][0]["ports"]) == 2


@pytest.mark.usefixtures("kept")
def test_a_suspended_contract_is_refused_with_the_reason(lab: Lab, lab_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    from provision.domain.lifecycle import State

    cid = sign_on(lab_db, "cisco_ios")["id"]
    walk_to(Colo(db=lab_db), cid, [State.PROVISIONED, State.ACTIVE, State.SUSPENDED], "2026-11-30T10:00:00+08:00")
    before = _store(lab_db)
    r = colo("--db", lab_db, "--at", CHANGED, "contract", "change", cid, "--bandwidth", "200")
    assert r.code == 3 and "suspended" in r.err and "lift the suspension first" in r.err
    assert _store(lab_db) == before


@pytest.mark.usefixtures("kept")
@pytest.mark.parametrize(("args", "says"), [
    ((), "nothing to change"),
    (("--fee", "15000.00"), "a fee alone is not a service change"),
    (("--bandwidth", "0"), "--bandwidth 0 Mbit/s is out of range"),
    (("--bandwidth", "2000"), "more than port"),
    (("--add-ips", "-1"), "--add-ips -1 is out of range"),
    (("--add-ips", "300"), "--add-ips 300 is out of range"),
    (("--add-slots", "-2"), "--add-slots -2 is out of range"),
    (("--bandwidth", "200", "--fee", "-5"), "--fee '-5'"),
    (("--bandwidth", "200", "--fee", "1e400"), "--fee '1e400'"),
    (("--bandwidth", "200", "--request-id", "a b"), "--request-id 'a b' is invalid"),
])
def test_bad_input_is_exit_2_and_changes_nothing(lab: Lab, lab_db: str, colo, args: tuple[str, ...],  # type: ignore[no-untyped-def]
                                                  says: str) -> None:
    cid, _ = active_contract(lab_db, "cisco_ios")
    before_devices, before_store = state_files(lab), _store(lab_db)
    r = colo("--db", lab_db, "--at", CHANGED, "contract", "change", cid, *args)
    assert r.code == 2, r.err
    assert says in r.err and r.err.count("\n") == 1
    assert _store(lab_db) == before_store and state_files(lab) == before_devices


@pytest.mark.usefixtures("kept")
def test_more_addresses_than_the_pool_has_is_refused_whole(lab: Lab, lab_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid, _ = active_contract(lab_db, "cisco_ios")
    with sqlite3.connect(lab_db) as c:  # leave two free addresses in the contract's pool
        free = [r[0] for r in c.execute("SELECT a.id FROM addresses a JOIN pools p ON p.id = a.pool_id "
                                        "WHERE p.name = 'pub-a101' AND a.placement_id IS NULL AND NOT a.reserved "
                                        "ORDER BY a.ip_int")]
        c.executemany("UPDATE addresses SET reserved = 1 WHERE id = ?", [(i,) for i in free[2:]])
    before_devices, before_store = state_files(lab), _store(lab_db)
    r = colo("--db", lab_db, "--at", CHANGED, "contract", "change", cid, "--add-ips", "3", "--bandwidth", "200")
    assert r.code == 3 and "pool pub-a101 has 2 free address(es), 3 asked: nothing was allocated" in r.err
    assert _store(lab_db) == before_store and state_files(lab) == before_devices
    assert colo("--db", lab_db, "--at", CHANGED, "contract", "change", cid, "--add-ips", "2").code == 0


@pytest.mark.usefixtures("kept")
def test_more_slots_than_there_is_room_for_is_refused(lab: Lab, lab_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid, _ = active_contract(lab_db, "hp_comware")
    with sqlite3.connect(lab_db) as c:
        c.execute("UPDATE units SET reserved = 1 WHERE placement_id IS NULL")
    before = _store(lab_db)
    r = colo("--db", lab_db, "--at", CHANGED, "contract", "change", cid, "--add-slots", "1")
    assert r.code == 3 and "no room for 1 slots" in r.err
    assert _store(lab_db) == before


def test_a_fee_change_is_owed_from_the_next_period_and_shown(lab: Lab, lab_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid, _ = active_contract(lab_db, "cisco_ios", fee="1000.00", payment="monthly")  # signed 2026-11-24
    term_end = Colo(db=lab_db, at=CHANGED).contract(cid)["term_end"]
    r = colo("--db", lab_db, "--at", CHANGED, "contract", "change", cid, "--bandwidth", "200", "--fee", "1500.00",
             "--json")
    assert r.code == 0, r.err
    change = json.loads(r.out)["change"]
    assert change["fee_from"].startswith("2026-12-24") and change["fee_from_period"] == 2
    assert Colo(db=lab_db, at="2026-12-23T10:00").account(cid)["owed"] == "1000.00", "the started period: old fee"
    assert Colo(db=lab_db, at="2026-12-25T10:00").account(cid)["owed"] == "2500.00"
    view = Colo(db=lab_db, at=CHANGED).contract(cid)
    assert view["term_end"] == term_end, "the term does not restart"
    assert view["fee"] == "1500.00"
    shown = colo("--db", lab_db, "--at", CHANGED, "contract", "show", cid)
    assert "change #1" in shown.out and "bandwidth_mbps 100 → 200" in shown.out and "fee 1000.00 → 1500.00" in shown.out
    assert any(e["kind"] == "service_changed" and "operation #" in e["detail"] for e in view["events"])

    # a forced termination in the second period values it at the new fee (10 of its 31 days used)
    Colo(db=lab_db, at="2026-12-25T10:00").payment(cid, "2500.00")
    refund = Colo(db=lab_db, at="2027-01-03T10:00").terminate(cid, forced="carrier")["refund"]
    assert refund["lines"][0] == {"item": "unused fee: 2500.00 - 1483.87", "amount": "1016.13"}


def test_change_on_postgresql(lab: Lab, pg_url: str) -> None:
    """The tentative allocation, its savepoint at the claim and the conclusion's claim on the other back end."""
    lab.reset()
    Colo(db=pg_url).init(str(lab.inventory))
    cid, iface = active_contract(pg_url, "hp_comware")
    done = Colo(db=pg_url, at=CHANGED).change_service(cid, bandwidth_mbps=250, add_ips=1, add_slots=1)
    assert done["applied"]
    view = Colo(db=pg_url).contract(cid)
    assert (view["bandwidth_mbps"], view["ips"], view["slots"]) == (250, 3, 2)
    assert port_reading(lab, SWITCH["hp_comware"], iface).facts == _after(done, iface)
    assert Colo(db=pg_url, at=CHANGED).provision([cid], dry_run=True)["plan"]["changes"] == 0
