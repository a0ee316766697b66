"""Every noun that holds records has `list` and `show` (issue 16, "One grammar, one layout").

A scripted store holds one record of each kind, made through the public API; each command
is run through the real CLI entry point for its --json keys, its human output, a prefixed
id (`O1`) as well as a bare one (`1`), and an unknown id: exit 2, one line naming the id
and the `list` that shows which exist.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provision.api import Colo, ServerRecord
from provision.domain.lifecycle import State
from tests.conftest import EXAMPLE, order
from tests.lab_contracts import active_contract, walk_to

AT = "2026-11-26T12:00"  # every record below exists by then


def script(db: str) -> str:
    """One record of every kind on one active contract; returns the contract's id."""
    Colo(db=db).init(str(EXAMPLE))
    cid = Colo(db=db, at="2026-11-24T10:00").sign(order("ACME"))["id"]
    walk_to(Colo(db=db), cid, [State.PROVISIONED, State.ACTIVE], "2026-11-25T09:00+08:00")
    api = Colo(db=db, at="2026-11-25T10:00")
    api.open_ticket(cid, "no link on port 7")
    api.record_complaint(cid, "slow answers", "network-quality")
    api.abuse_report(cid, "spam from the server", "spamhaus")
    api.record_emergency(cid, "2026-11-25T09:30", "2026-11-25T09:40", "phone")
    outage = api.record_outage(cid, "network", "2026-11-25T09:00", "2026-11-25T09:20", "upstream reboot")
    api.void_outage(outage["outage"], "recorded twice")
    api.add_authorized(cid, "Li Wei", "+86 21 5555 0100")
    api.authorize(cid, "Li Wei", "outlet-cycle", "written", "DOC-1")
    api.visit_request(cid, "Zhang San", "disk swap", "replace disk 2", "2026-11-26T10:00", "2026-11-26T11:00",
                      requested_by="Li Wei")
    api.reserve("A03", 2, "Prospect Co", "2026-11-25T18:00")  # lapsed by AT: show still finds it
    return cid


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    db = str(tmp_path_factory.mktemp("list_show") / "colo.db")
    cid = script(db)
    api = Colo(db=db, at="2026-11-25T11:00")
    api.payment(cid, "12000.00", "BANK-77")
    api.record_review(cid, True, "REV-2027", "all licences on file")
    api.record_server(cid, 1, ServerRecord(serial="SN-7", mac="001122334455"))
    return db, cid


# noun, the show's id as prefixed and bare, keys its --json must have, text its human output must have
SHOWN = [
    ("ticket", "T1", ["ticket", "contract", "reported_at", "summary", "clocks", "resolved_at"], "no link on port 7"),
    ("complaint", "K1", ["complaint", "contract", "received_at", "category", "clock"], "slow answers"),
    ("abuse", "A1", ["case", "contract", "status", "reported_at", "warning_clock"], "spam from the server"),
    ("emergency", "E1", ["emergency", "contract", "check", "declared_at", "notified_at", "waived", "ref"],
     "customer notified"),
    ("outage", "O1", ["outage", "contract", "kind", "start", "end", "cause", "reported_at", "excluded", "void", "ref"],
     "VOID since"),
    ("authorization", "AU1", ["authorization", "contract", "by", "operation", "channel", "status", "owed", "ref"],
     "authorized by Li Wei"),
    ("visit", "V1", ["visit", "contract", "visitor", "expected_enter", "entered_at", "left_at", "ref"], "Zhang San"),
    ("hold", "H1", ["hold", "rack", "units", "for", "until", "active", "ref"], "Prospect Co"),
    ("audit", "1", ["id", "at", "actor", "action", "contract", "hash", "prev_hash"], "contract.signed"),
    ("review", "R1", ["review", "contract", "at", "passed", "ref", "note"], "passed"),
]


@pytest.mark.parametrize(("noun", "ident", "keys", "text"), SHOWN, ids=[s[0] for s in SHOWN])
def test_show_takes_the_prefixed_and_the_bare_id(store: tuple[str, str], colo, noun: str, ident: str,  # type: ignore[no-untyped-def]
                                                 keys: list[str], text: str) -> None:
    db, cid = store
    r = colo("--db", db, "--at", AT, noun, "show", ident, "--json")
    assert r.code == 0, r.err
    shown = json.loads(r.out)
    assert set(keys) <= set(shown), set(keys) - set(shown)
    if "contract" in shown:
        assert shown["contract"] in (cid, None)
    bare = colo("--db", db, "--at", AT, noun, "show", ident.lstrip("AUTKEOVHR"), "--json")
    assert bare.code == 0 and json.loads(bare.out) == shown
    human = colo("--db", db, "--at", AT, noun, "show", ident)
    assert human.code == 0 and text in human.out, human.out


UNKNOWN = [("ticket", "T99", "ticket T99"), ("complaint", "K99", "complaint K99"), ("abuse", "A99", "abuse case A99"),
           ("emergency", "E99", "emergency E99"), ("outage", "99", "outage O99"),
           ("authorization", "AU99", "authorization AU99"), ("visit", "V99", "visit V99"), ("hold", "H99", "hold H99"),
           ("notice", "N99", "notice N99"), ("operation", "99", "operation 99"), ("audit", "999", "audit record 999"),
           ("review", "R99", "review R99"), ("authority", "S99", "stop S99")]


@pytest.mark.parametrize(("noun", "ident", "named"), UNKNOWN, ids=[u[0] for u in UNKNOWN])
def test_show_of_an_unknown_id_is_bad_input_naming_it_and_the_list(store: tuple[str, str], colo, noun: str,  # type: ignore[no-untyped-def]
                                                                   ident: str, named: str) -> None:
    db, _ = store
    before = Path(db).read_bytes()
    r = colo("--db", db, "--at", AT, noun, "show", ident)
    assert r.code == 2
    assert r.err.count("\n") == 1 and named in r.err and f"colo {noun} list" in r.err, r.err
    assert colo("--db", db, noun, "show", ident, "--json").out.startswith('{"error"')
    assert Path(db).read_bytes() == before


def test_show_of_a_malformed_id_names_the_form(store: tuple[str, str], colo) -> None:  # type: ignore[no-untyped-def]
    r = colo("--db", store[0], "outage", "show", "E1")
    assert r.code == 2 and "O12 or 12" in r.err and r.err.count("\n") == 1, r.err


def test_outage_list_filters_by_contract_and_open(store: tuple[str, str], colo) -> None:  # type: ignore[no-untyped-def]
    db, cid = store
    listed = json.loads(colo("--db", db, "--at", AT, "outage", "list", "--contract", cid, "--json").out)
    assert [o["ref"] for o in listed] == ["O1"] and listed[0]["void"]["reason"] == "recorded twice"
    assert json.loads(colo("--db", db, "--at", AT, "outage", "list", "--open", "--json").out) == []  # voided
    assert json.loads(colo("--db", db, "--at", "2026-11-25T08:00", "outage", "list", "--json").out) == []  # not yet
    human = colo("--db", db, "--at", AT, "outage", "list")
    assert "O1" in human.out and "VOID: recorded twice" in human.out
    assert colo("--db", db, "outage", "list", "--contract", "C1999-0001").code == 2


def test_authorization_list_says_what_is_usable_and_owed(store: tuple[str, str], colo) -> None:  # type: ignore[no-untyped-def]
    db, cid = store
    listed = json.loads(colo("--db", db, "--at", "2026-11-25T11:00", "authorization", "list", "--contract", cid,
                             "--open", "--json").out)
    assert [(a["ref"], a["status"], a["written_form"], a["owed"]) for a in listed] == [("AU1", "usable", "DOC-1", [])]
    later = json.loads(colo("--db", db, "--at", AT, "authorization", "list", "--open", "--json").out)
    assert later == []  # valid for 24 hours, nothing owed: closed
    assert json.loads(colo("--db", db, "--at", AT, "authorization", "show", "AU1", "--json").out)["status"] == "expired"
    assert "AU1" in colo("--db", db, "--at", AT, "authorization", "list").out


def test_a_what_if_before_a_record_does_not_show_it(store: tuple[str, str], colo) -> None:  # type: ignore[no-untyped-def]
    db, _ = store
    r = colo("--db", db, "--at", "2026-11-24T12:00", "authorization", "list", "--json")
    assert json.loads(r.out) == []


def test_notice_show_is_the_notice_as_listed(tmp_path: Path, colo) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "colo.db")
    cid = script(db)
    Colo(db=db, at="2026-12-01T09:00").enforce()  # unpaid 3 days past due: the stop-service notice
    listed = json.loads(colo("--db", db, "--at", "2026-12-01T10:00", "notice", "list", "--json").out)
    shown = colo("--db", db, "--at", "2026-12-01T10:00", "notice", "show", "N1", "--json")
    assert shown.code == 0 and json.loads(shown.out) == listed[0] and listed[0]["contract"] == cid
    assert "stops" in colo("--db", db, "--at", "2026-12-01T10:00", "notice", "show", "1").out


def test_every_show_and_list_works_on_postgresql_too(site_db: str) -> None:
    """The service functions behind the commands, on each back end (the CLI tests above use SQLite)."""
    cid = Colo(db=site_db, at="2026-11-24T10:00").sign(order("ACME"))["id"]
    walk_to(Colo(db=site_db), cid, [State.PROVISIONED, State.ACTIVE], "2026-11-25T09:00+08:00")
    api = Colo(db=site_db, at="2026-11-25T10:00")
    t = api.open_ticket(cid, "no link")["ticket"]
    o = api.record_outage(cid, "power", "2026-11-25T09:00", None, "PDU breaker")["outage"]
    api.add_authorized(cid, "Li Wei", "+86 21 5555 0100")
    au = api.authorize(cid, "Li Wei", "port-bounce", "written", "DOC-2")["authorization"]
    now = Colo(db=site_db, at=AT)
    assert now.ticket(t)["summary"] == "no link"
    assert now.outage(f"O{o}")["end"] is None and [x["outage"] for x in now.outages(cid, open_only=True)] == [o]
    assert now.authorization(au)["by"] == "Li Wei" and len(now.authorizations(cid)) == 1
    assert now.audit_entry(1)["action"] == "contract.signed"


def test_operation_show_is_any_operation_with_its_steps(lab_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid, _ = active_contract(lab_db)
    newest = Colo(db=lab_db).operations(cid)[-1]
    r = colo("--db", lab_db, "operation", "show", str(newest["operation"]), "--json")
    assert r.code == 0 and json.loads(r.out) == newest and newest["steps"]
    human = colo("--db", lab_db, "operation", "show", str(newest["operation"]))
    assert f"#{newest['operation']}" in human.out and cid in human.out


def test_contract_keyed_lists_and_shows(store: tuple[str, str], colo) -> None:  # type: ignore[no-untyped-def]
    """payment list, licence show, person show, review list take the contract; storage show of none is exit 2."""
    db, cid = store

    def run(*args: str):  # type: ignore[no-untyped-def]
        r = colo("--db", db, "--at", AT, *args, "--json")
        assert r.code == 0, r.err
        assert colo("--db", db, "--at", AT, *args).code == 0
        return json.loads(r.out)

    assert [(p["amount"], p["ref"], p["void"]) for p in run("payment", "list", cid)] == [("12000.00", "BANK-77", None)]
    assert run("licence", "show", cid)["missing"] == ["business"]
    assert run("person", "show", cid, "li wei")["name"] == "Li Wei"
    assert [r["review"] for r in run("review", "list", "--contract", cid)] == ["R1"]
    servers = run("server", "list", cid)
    assert [(s["number"], s["server"]["serial"]) for s in servers] == [(1, "SN-7")] and servers[0]["port"]
    assert run("server", "show", cid, "--server", "1") == servers[0]
    assert "00:11:22:33:44:55" in colo("--db", db, "server", "show", cid).out
    assert "BANK-77" in colo("--db", db, "--at", AT, "payment", "list", cid).out
    for args, named in ((("person", "show", cid, "Nobody"), "colo person list"),
                        (("storage", "show", cid), "colo storage list"),
                        (("server", "show", cid, "--server", "2"), f"colo server list {cid}"),
                        (("payment", "list", "C1999-0001"), "colo contract list")):
        r = colo("--db", db, *args)
        assert r.code == 2 and named in r.err and r.err.count("\n") == 1, r.err


def test_authority_list_and_show_the_stops(site_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid = Colo(db=site_db, at="2026-11-24T10:00").sign(order("ACME"))["id"]
    walk_to(Colo(db=site_db), cid, [State.PROVISIONED, State.ACTIVE, State.SUSPENDED], "2026-12-02T09:00+08:00")
    Colo(db=site_db, at="2026-12-03T09:00").authority_stop(cid, "GOV-77", "order of the district bureau")
    listed = json.loads(colo("--db", site_db, "--at", AT.replace("11-26", "12-04"), "authority", "list", "--open",
                             "--json").out)
    assert [(s["stop"], s["reason"], s["ref"], s["lifted_at"]) for s in listed] == [("S1", "authorities", "GOV-77",
                                                                                   None)]
    shown = colo("--db", site_db, "authority", "show", "1", "--json")
    assert json.loads(shown.out) == listed[0]
    assert "not lifted" in colo("--db", site_db, "authority", "show", "S1").out
    assert json.loads(colo("--db", site_db, "--at", "2026-12-02T10:00", "authority", "list", "--json").out) == []


def test_install_list_shows_the_guarantee_and_the_rental_steps(site_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid = Colo(db=site_db, at="2026-11-24T10:00").sign(order("Rent Co", kind="rental"))["id"]
    Colo(db=site_db, at="2026-11-25T10:00").record_install(cid, "hardware", "2U chassis racked")
    r = colo("--db", site_db, "--at", AT, "install", "list", cid, "--json")
    shown = json.loads(r.out)
    assert [(st["step"], st["detail"]) for st in shown["steps"]] == [("hardware", "hardware installation done: "
                                                                               "2U chassis racked")]
    assert shown["status"] == "running" and shown["deadline"] == "2026-11-27T23:59:59+08:00"
    assert "hardware" in colo("--db", site_db, "--at", AT, "install", "list", cid).out
    assert json.loads(colo("--db", site_db, "--at", "2026-11-24T12:00", "install", "list", cid,
                           "--json").out)["steps"] == []
