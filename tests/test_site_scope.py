"""Every `list` and `show` is per site: two sites, a record of every kind on each, and each command on each.

The store holds SH-WGQ-1 (the example inventory) and NB-1 (the same inventory renamed, as
tests/test_sites.py builds it). Each site gets, through the public API, one record of
every kind. A list on one site must show its own records and none of the other's; a show
(or a write) of the other site's record must be not found here, naming that site and the
`--site` that reaches it. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from provision.api import Colo, ServerRecord
from provision.domain.lifecycle import State
from provision.errors import NotFound
from provision.store.schema import Operation, OperationContract, OperationStep, Stored
from tests.conftest import EXAMPLE, order, pg_schema
from tests.lab_contracts import walk_to
from tests.test_sites import second_site

SH, NB = "SH-WGQ-1", "NB-1"
OTHER = {SH: NB, NB: SH}
SWITCH = {SH: "sw-a101-1", NB: "nb-sw-a101-1"}
AT = "2026-12-01T10:00"  # every record below exists by then; the visit and the hold are still open


def _records(db: str, site: str) -> dict[str, str]:
    """One record of every kind on `site`; returns its contracts: `active` (unpaid: it gets the stop-service notice)
    and `held` (paid, suspended, stopped by the authorities)."""
    sign = Colo(db=db, site=site, at="2026-11-24T10:00")
    cid = sign.sign(order(f"ACME {site}"))["id"]
    held = sign.sign(order(f"Beta {site}"))["id"]
    walk_to(Colo(db=db, site=site), cid, [State.PROVISIONED, State.ACTIVE], "2026-11-25T09:00+08:00")
    walk_to(Colo(db=db, site=site), held, [State.PROVISIONED, State.ACTIVE], "2026-11-25T09:00+08:00")
    api = Colo(db=db, site=site, at="2026-11-25T10:00")
    api.open_ticket(cid, f"no link at {site}")
    api.record_complaint(cid, "slow answers", "network-quality")
    api.abuse_report(cid, "spam from the server", "spamhaus")
    api.record_emergency(cid, "2026-11-25T09:30", "2026-11-25T09:40", "phone")
    api.record_outage(cid, "network", "2026-11-25T09:00", "2026-11-25T09:20", "upstream reboot")
    api.add_authorized(cid, "Li Wei", "+86 21 5555 0100")
    api.authorize(cid, "Li Wei", "outlet-cycle", "written", "DOC-1")
    api.visit_request(cid, "Zhang San", "disk swap", "replace disk 2", "2026-12-01T09:00", "2026-12-01T18:00",
                      requested_by="Li Wei")
    api.reserve("A03", 2, f"Prospect {site}", "2026-12-31T18:00")
    api.payment(held, "12000.00", "BANK-77")
    walk_to(api, held, [State.SUSPENDED], "2026-11-25T10:00+08:00")  # suspended: the stop below touches no device
    api.record_review(cid, True, "REV-2027", "all licences on file")
    api.record_server(cid, 1, ServerRecord(serial="SN-7", mac="0011223344" + ("55" if site == SH else "66")))
    api.authority_stop(held, "GA-2026-1")
    Colo(db=db, site=site, at="2026-12-01T09:00").enforce()  # cid unpaid past its due date: a notice
    _device_records(Colo(db=db, site=site), cid, site)
    return {"active": cid, "held": held}


def _device_records(api: Colo, cid: str, site: str) -> None:
    """An operation on the contract, one on the site's switch alone (a drift fix names no contract) and a stored
    server: rows as provisioning and decommissioning leave them, written here because making them for real needs
    each site's switches on the network, which is not what this test is about."""
    at = datetime(2026, 11, 25, 2, tzinfo=UTC)
    with api.context.store.session() as s:
        for contracts in ([cid], []):
            op = Operation(kind="provision" if contracts else "drift", state="done", actor="tester", owner="test:1",
                           started_at=at, finished_at=at, plan="{}", error="")
            s.add(op)
            s.flush()
            s.add_all(OperationContract(operation_id=op.id, contract_id=c) for c in contracts)
            s.add(OperationStep(operation_id=op.id, seq=1, device=SWITCH[site], target="GigabitEthernet1/0/7",
                                state="verified", before="{}", after="{}", commands="[]", error="", updated_at=at))
        s.add(Stored(contract_id=cid, position=1, serial="SN-7", location="W1-03", stored_at=at))


def _build(db: str, tmp_path: Path) -> dict[str, dict[str, str]]:
    Colo(db=db).init(str(EXAMPLE))
    Colo(db=db).init(second_site(tmp_path))
    return {site: _records(db, site) for site in (SH, NB)}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
          ) -> Iterator[tuple[str, dict[str, dict[str, str]]]]:
    """The two-site store, once per back end for the whole module (its own PostgreSQL schema)."""
    tmp = tmp_path_factory.mktemp("site_scope")
    if request.param == "sqlite":
        db = str(tmp / "colo.db")
        yield db, _build(db, tmp)
        return
    with pg_schema() as db:
        yield db, _build(db, tmp)


def _ident(row: dict[str, Any]) -> str:
    """A listed record's number: its first key (`T5`, 5 for E5, an audit record's id, a contract's id)."""
    return str(next(iter(row.values())))


def _contracts(row: dict[str, Any]) -> set[str]:
    """The contracts a listed record hangs off (none for a hold or a contract-less operation)."""
    if "contracts" in row:
        return set(row["contracts"])
    value = row.get("contract", row.get("id") if str(row.get("id", "")).startswith("C") else None)
    return set() if value is None else {value}


# noun: its list's arguments, and how the listed records say they are this site's beyond their contract
RECORDS = {
    "ticket": ["ticket", "list"], "complaint": ["complaint", "list"], "abuse": ["abuse", "list"],
    "emergency": ["emergency", "list"], "outage": ["outage", "list"], "authorization": ["authorization", "list"],
    "visit": ["visit", "list"], "hold": ["hold", "list", "--all"], "notice": ["notice", "list"],
    "review": ["review", "list"], "authority": ["authority", "list"], "operation": ["operation", "list"],
    "audit": ["audit", "list"], "contract": ["contract", "list"],
}
# contract-keyed commands: the arguments before the contract and after it; the authorities stopped `held`
KEYED = {
    "payment list": (["payment", "list"], []), "payment show": (["payment", "show"], []),
    "server list": (["server", "list"], []), "server show": (["server", "show"], []),
    "person list": (["person", "list"], []), "person show": (["person", "show"], ["Li Wei"]),
    "licence list": (["licence", "list"], []), "licence show": (["licence", "show"], []),
    "install list": (["install", "list"], []), "monitor show": (["monitor", "show"], []),
    "traffic show": (["traffic", "show"], []), "storage show": (["storage", "show"], []),
    **{f"{noun} list": ([noun, "list", "--contract"], []) for noun in (
        "operation", "review", "outage", "authorization", "authority", "audit",
        "ticket", "complaint", "abuse", "emergency", "notice", "visit")},  # the last six are new
}


def _listed(colo, db: str, site: str, args: list[str]) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    r = colo("--db", db, "--site", site, "--at", AT, *args, "--json")
    assert r.code == 0, r.err
    assert colo("--db", db, "--site", site, "--at", AT, *args).code == 0  # the human form too
    return json.loads(r.out)  # type: ignore[no-any-return]


def _refused_naming(r, other: str) -> None:  # type: ignore[no-untyped-def]
    assert r.code == 2, (r.out, r.err)
    assert f"site {other}'s, not this site's: give --site {other}" in r.err and r.err.count("\n") == 1, r.err


@pytest.mark.parametrize("noun", list(RECORDS))
@pytest.mark.parametrize("site", [SH, NB])
def test_a_list_shows_its_sites_records_and_a_show_of_the_others_names_its_site(
        store: tuple[str, dict[str, dict[str, str]]], colo, noun: str, site: str) -> None:  # type: ignore[no-untyped-def]
    db, contracts = store
    other = OTHER[site]
    mine, theirs = _listed(colo, db, site, RECORDS[noun]), _listed(colo, db, other, RECORDS[noun])
    assert mine and theirs, f"{noun}: each site has one"
    assert all(_contracts(r) <= set(contracts[site].values()) for r in mine), mine
    store_wide = noun == "audit"  # the audit log's records about no contract (each site's `init`) are the store's
    assert not {_ident(r) for r in mine if _contracts(r) or not store_wide} & {_ident(r) for r in theirs}
    if noun == "hold":
        assert {r["for"] for r in mine} == {f"Prospect {site}"}
    if noun == "operation":
        assert any(not r["contracts"] for r in mine)  # the drift fix: this site's by its switch
    for row in theirs:  # each of the other site's records, shown here: not found, naming its site
        before = colo("--db", db, "--site", other, "--at", AT, noun, "show", _ident(row), "--json").out
        r = colo("--db", db, "--site", site, "--at", AT, noun, "show", _ident(row))
        if noun == "audit" and not _contracts(row):
            assert r.code == 0  # a record about no contract (the sites' inventories) is the store's
            continue
        _refused_naming(r, other)
        shown = colo("--db", db, "--site", other, "--at", AT, noun, "show", _ident(row), "--json")
        assert shown.code == 0 and shown.out == before  # and from its own site it shows


@pytest.mark.parametrize("command", list(KEYED))
@pytest.mark.parametrize("site", [SH, NB])
def test_a_contract_keyed_command_takes_its_sites_contracts_only(
        store: tuple[str, dict[str, dict[str, str]]], colo, command: str, site: str) -> None:  # type: ignore[no-untyped-def]
    db, contracts = store
    head, tail = KEYED[command]
    which = "held" if command == "authority list" else "active"
    own = colo("--db", db, "--site", site, "--at", AT, *head, contracts[site][which], *tail, "--json")
    if command != "traffic show":  # traffic reads the month's counters: none were polled, still it answers
        assert own.code == 0, own.err
    listed = json.loads(own.out)
    if "--contract" in head:  # the --contract filters: that contract's records, at least one
        assert listed and all(_contracts(r) == {contracts[site][which]} for r in listed), listed
    _refused_naming(colo("--db", db, "--site", site, *head, contracts[OTHER[site]]["active"], *tail), OTHER[site])


def test_switch_show_of_the_other_sites_switch_names_its_site(store: tuple[str, dict[str, dict[str, str]]],
                                                               colo) -> None:  # type: ignore[no-untyped-def]
    db, _ = store
    _refused_naming(colo("--db", db, "--site", SH, "switch", "show", SWITCH[NB], "GigabitEthernet1/0/7"), NB)


def test_racks_storage_and_licences_are_listed_per_site(store: tuple[str, dict[str, dict[str, str]]], colo) -> None:  # type: ignore[no-untyped-def]
    db, contracts = store
    for site in (SH, NB):
        assert [r["contract"] for r in _listed(colo, db, site, ["storage", "list"])] == [contracts[site]["active"]]
        racks = _listed(colo, db, site, ["rack", "list"])
        assert len(racks) == 7 and sum(r["units"]["held"] for r in racks) == 2, racks
        licences = _listed(colo, db, site, ["licence", "list"])
        assert {c["customer"] for c in licences} == {f"ACME {site}", f"Beta {site}"}
        assert {cid for c in licences for cid in c["contracts"]} == set(contracts[site].values())


# writes on the other site's record by its number: refused, nothing changed
WRITES = [
    ("ticket respond", lambda api, n: api.respond_ticket(n), "ticket"),
    ("complaint report", lambda api, n: api.report_complaint(n, "REP-1"), "complaint"),
    ("abuse warn", lambda api, n: api.abuse_warn(n, "WARN-1"), "abuse"),
    ("emergency notified", lambda api, n: api.incident_notified(int(n.lstrip("E"))), "emergency"),
    ("outage classify", lambda api, n: api.classify_outage(int(n.lstrip("O")), "customer"), "outage"),
    ("authorization written", lambda api, n: api.authorization_written(int(n.lstrip("AU")), "DOC-9"),
     "authorization"),
    ("visit enter", lambda api, n: api.visit_enter(int(n.lstrip("V")), "Wang Wu", "B-7"), "visit"),
    ("notice delivered", lambda api, n: api.notice_delivered(int(n.lstrip("N"))), "notice"),
    ("hold release", lambda api, n: api.release_hold(int(n.lstrip("H"))), "hold"),
]


@pytest.mark.parametrize(("write", "act", "noun"), WRITES, ids=[w[0] for w in WRITES])
def test_a_write_on_the_other_sites_record_is_refused_naming_its_site(
        store: tuple[str, dict[str, dict[str, str]]], colo, write: str, act, noun: str) -> None:  # type: ignore[no-untyped-def]
    db, _ = store
    theirs = _listed(colo, db, NB, RECORDS[noun])
    before = [_listed(colo, db, site, RECORDS[noun]) for site in (SH, NB)]
    with pytest.raises(NotFound, match=rf"site {NB}'s, not this site's: give --site {NB}"):
        act(Colo(db=db, site=SH, at=AT), _ident(theirs[0]))
    assert [_listed(colo, db, site, RECORDS[noun]) for site in (SH, NB)] == before
