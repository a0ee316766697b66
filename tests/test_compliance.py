"""The licence, review, authority and abuse commands on the store (no devices): records, clocks, refusals.

Hosting §5.7 (licence copies), §5.8 (annual review), §5.9 (the authorities), user undertaking 5.2
(spam: warn within 3 working days, stop if it goes on). The device side is in test_compliance_lab.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from provision.api import Colo
from provision.domain.lifecycle import State
from tests.conftest import order
from tests.lab_contracts import walk_to


def _run(colo, db: str):  # type: ignore[no-untyped-def]
    def run(at: str, *args: str) -> Any:
        r = colo("--db", db, "--at", at, *args, "--json")
        assert r.code == 0, r.err
        return json.loads(r.out)

    return run


def _sign(db: str, name: str = "ACME", at: str = "2026-11-24T10:00") -> str:
    return str(Colo(db=db, at=at).sign(order(name))["id"])


def test_licences_on_file_and_the_missing_ones_per_customer(site_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    run = _run(colo, site_db)
    acme, other = _sign(site_db), _sign(site_db, "Other Co")
    listed = {r["customer"]: r for r in run("2026-11-25T10:00", "licence", "list")}
    assert listed["ACME"]["required"] == ["business"] and listed["ACME"]["missing"] == ["business"]

    declared = run("2026-11-25T10:00", "licence", "declare", acme, "--icp", "--advertising")
    assert declared["declared"] == ["advertising", "icp"] and declared["missing"] == ["business", "advertising", "icp"]
    run("2026-11-25T10:00", "licence", "record", acme, "--kind", "business", "--number", "91310000MA1K",
        "--filed", "cabinet 3, folder ACME", "--received", "2026-11-20")
    shown = run("2026-11-25T10:05", "licence", "record", acme, "--kind", "ICP", "--number", "沪B2-20260001",
                "--filed", "DMS-4411", "--received", "2026-11-25")
    assert [(x["kind"], x["number"]) for x in shown["on_file"]] == [("business", "91310000MA1K"),
                                                                     ("icp", "沪B2-20260001")]
    assert shown["missing"] == ["advertising"], "a missing required licence is visible"
    run("2026-11-26T10:00", "licence", "declare", acme, "--no-advertising")
    run("2026-11-26T10:00", "licence", "record", other, "--kind", "business", "--number", "X1", "--filed", "c1",
        "--received", "2026-11-26")
    assert run("2026-11-26T10:00", "licence", "list", "--missing") == []
    assert [r["customer"] for r in run("2026-11-26T10:00", "licence", "list")] == ["ACME", "Other Co"]
    kinds = [e["kind"] for e in Colo(db=site_db).contract(acme)["events"]]
    assert kinds.count("licence_recorded") == 2 and kinds.count("licence_declared") == 2
    human = colo("--db", site_db, "licence", "list", acme)
    assert human.code == 0 and "icp          沪B2-20260001" in human.out and "MISSING" not in human.out


def test_spam_warning_clock_in_deadlines_and_the_case_steps(site_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    run = _run(colo, site_db)
    cid = _sign(site_db)
    walk_to(Colo(db=site_db), cid, [State.PROVISIONED, State.ACTIVE], "2026-11-26T09:00+08:00")
    case = run("2026-11-27T18:00", "abuse", "report", cid, "--summary", "spam from 203.0.113.10",
               "--source", "Spamhaus")
    assert case["warning_clock"]["deadline"] == "2026-12-02T23:59:59+08:00"  # Friday evening: Mon, Tue, Wed
    due = [d for d in run("2026-11-30T09:00", "deadlines") if d["clock"] == "abuse-warning"]
    assert [(d["ref"], d["status"], d["clause"]) for d in due] == [("A1", "running", "undertaking 5.2")]
    warned = run("2026-12-01T09:00", "abuse", "warn", "A1", "--ref", "WARN-77")
    assert warned["status"] == "warned" and warned["warning_clock"]["status"] == "met"
    assert [d for d in run("2026-12-01T09:00", "deadlines") if d["clock"] == "abuse-warning"] == []
    run("2026-12-01T10:00", "abuse", "report", cid, "--summary", "second one")
    closed = run("2026-12-08T10:00", "abuse", "close", "A2", "--note", "unfounded")
    assert closed["status"] == "closed" and closed["warning_clock"]["status"] == "late"
    assert [c["case"] for c in run("2026-12-08T10:00", "abuse", "list", "--open")] == ["A1"]
    assert [c["case"] for c in run("2026-12-08T10:00", "abuse", "list")] == ["A1", "A2"]


def test_a_stop_on_a_suspended_contract_only_changes_its_reason_and_lifting_in_debt_leaves_non_payment(  # type: ignore[no-untyped-def]
        site_db: str, colo) -> None:
    run = _run(colo, site_db)
    cid = _sign(site_db)  # never paid
    walk_to(Colo(db=site_db), cid, [State.PROVISIONED, State.ACTIVE, State.SUSPENDED], "2026-12-02T09:00+08:00")
    stop = run("2026-12-03T10:00", "authority", "stop", cid, "--ref", "GOV-1")
    assert stop["stop_reason"] == "authorities" and stop["devices"]["operation"] is None
    review = run("2026-12-04T10:00", "review", "record", cid, "--failed", "--ref", "REV-1")
    assert review["stop_reason"] == "authorities", "a weaker stop does not demote a stronger one"
    assert [s["reason"] for s in review["open_stops"]] == ["authorities", "review"]
    lifted = run("2026-12-05T10:00", "authority", "lift", cid, "--ref", "GOV-2")
    assert lifted["state"] == "suspended" and lifted["stop_reason"] == "review"
    passed = run("2026-12-06T10:00", "review", "record", cid, "--passed", "--ref", "REV-2")
    assert passed["state"] == "suspended" and passed["stop_reason"] == "nonpayment" and passed["devices"] is None
    assert passed["open_stops"] == []
    r = colo("--db", site_db, "--at", "2026-12-06T11:00", "review", "record", cid, "--failed", "--ref", "REV-2")
    assert r.code == 3 and "already recorded" in r.err and "passed" in r.err
    replay = run("2026-12-06T11:00", "review", "record", cid, "--passed", "--ref", "REV-2")
    assert replay["replayed"] is True and replay["review"] == passed["review"]
    audit = run("2026-12-06T11:00", "audit", "list", "--contract", cid)
    assert [a["action"] for a in audit].count("contract.stop_ordered") == 2
    assert any("GOV-1" in a["detail"] and "authorities (hosting §5.9)" in a["detail"] for a in audit)


def _snapshot(colo, db: str) -> Any:  # type: ignore[no-untyped-def]
    out = []
    for args in (("licence", "list"), ("abuse", "list"), ("audit", "list")):
        r = colo("--db", db, "--at", "2027-01-01T00:00", *args, "--json")
        assert r.code == 0, r.err
        out.append(json.loads(r.out))
    if "://" not in db:
        out.append(Path(db).read_bytes())
    return out


@pytest.mark.parametrize("args, code, says", [
    (("licence", "record", "{cid}", "--kind", "passport", "--number", "1", "--filed", "x", "--received",
      "2026-11-20"), 2, "Invalid value for '--kind': 'passport' is not one of 'business', 'advertising', 'icp'"),
    (("licence", "record", "{cid}", "--kind", "business", "--number", "1", "--filed", "x", "--received",
      "2026-13-01"), 2, "--received '2026-13-01' is not a date"),
    (("licence", "record", "{cid}", "--kind", "business", "--number", "1", "--filed", "x", "--received",
      "1999-12-31"), 2, "outside the years"),
    (("licence", "record", "{cid}", "--kind", "business", "--number", "1", "--filed", "x", "--received",
      "2026-12-24"), 2, "in the future"),
    (("licence", "record", "{cid}", "--kind", "business", "--number", " ", "--filed", "x", "--received",
      "2026-11-20"), 2, "--number is empty"),
    (("licence", "record", "{cid}", "--kind", "business", "--number", "1", "--filed", "a\nb", "--received",
      "2026-11-20"), 2, "--filed contains the control character U+000A"),
    (("licence", "record", "C2099-0001", "--kind", "business", "--number", "1", "--filed", "x", "--received",
      "2026-11-20"), 2, "does not exist"),
    (("licence", "declare", "{cid}"), 2, "nothing to declare"),
    (("review", "record", "{cid}", "--ref", "R1"), 2, "--passed or --failed"),
    (("review", "record", "{cid}", "--failed", "--ref", "R 1; rm -rf"), 2, "--ref"),
    (("review", "record", "{signed}", "--failed", "--ref", "R1"), 3, "is signed: an annual review needs"),
    (("authority", "stop", "{signed}", "--ref", "GOV-1"), 3, "is signed: stopping the service (authorities) needs"),
    (("authority", "stop", "{cid}", "--ref", ""), 2, "--ref"),
    (("authority", "stop", "{cid}", "--ref", "GOV-1", "--note", "x" * 501), 2, "at most 500"),
    (("authority", "lift", "{cid}", "--ref", "GOV-2"), 3, "no open order of the authorities"),
    (("abuse", "report", "{signed}", "--summary", "spam"), 3, "no server on the network"),
    (("abuse", "report", "{cid}", "--summary", ""), 2, "--summary is empty"),
    (("abuse", "report", "{cid}", "--summary", "spam", "--source", "\x1b[31m"), 2, "--source contains"),
    (("abuse", "warn", "X-1", "--ref", "W1"), 2, "is not a case id"),
    (("abuse", "warn", "A99", "--ref", "W1"), 2, "abuse case A99 does not exist"),
    (("--at", "2026-11-30T09:00", "abuse", "warn", "A1", "--ref", "W1"), 2, "cannot come before"),
    (("abuse", "continued", "A1"), 3, "no warning on record"),
    (("abuse", "close", "A2"), 3, "already closed"),
])
def test_bad_input_exits_non_zero_and_changes_nothing(site_db: str, colo, args: tuple[str, ...], code: int,  # type: ignore[no-untyped-def]
                                                      says: str) -> None:
    cid = _sign(site_db)
    signed = _sign(site_db, "Later Co", at="2026-11-25T10:00")
    walk_to(Colo(db=site_db), cid, [State.PROVISIONED, State.ACTIVE], "2026-11-26T09:00+08:00")
    run = _run(colo, site_db)
    run("2026-12-01T10:00", "abuse", "report", cid, "--summary", "spam")
    run("2026-12-01T10:00", "abuse", "report", cid, "--summary", "more spam")
    run("2026-12-01T11:00", "abuse", "close", "A2")
    before = _snapshot(colo, site_db)
    argv = [a.replace("{cid}", cid).replace("{signed}", signed) for a in args]
    if argv[0] != "--at":
        argv = ["--at", "2026-12-02T09:00", *argv]
    r = colo("--db", site_db, *argv)
    assert r.code == code, (r.code, r.err)
    assert says in r.err and len(r.err.strip().splitlines()) == 1, r.err
    assert _snapshot(colo, site_db) == before


HOSTILE = "[bold]OK[/bold] \u202eevil\u2028</td><script>x</script> '; DROP TABLE abuse_cases; --"


def test_hostile_text_is_stored_verbatim_and_shown_as_inert_text(site_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid = _sign(site_db)
    walk_to(Colo(db=site_db), cid, [State.PROVISIONED, State.ACTIVE], "2026-11-26T09:00+08:00")
    r = colo("--db", site_db, "--at", "2026-12-01T10:00", "abuse", "report", cid, "--summary", HOSTILE,
             "--source", HOSTILE[:100])
    assert r.code == 0, r.err
    assert "\\u202e" in r.out and "\u202e" not in r.out and "[bold]OK[/bold]" in r.out
    assert Colo(db=site_db, at="2026-12-01T10:00").abuse_cases()[0]["summary"] == HOSTILE
