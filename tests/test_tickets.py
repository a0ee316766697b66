"""Fault tickets (1 h response, 1 working day resolution) and complaints (24 h written report), on both back ends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from provision.api import Colo
from tests.conftest import order


def _run(colo, db: str):  # type: ignore[no-untyped-def]
    def run(at: str, *args: str) -> Any:
        r = colo("--db", db, "--at", at, *args, "--json")
        assert r.code == 0, r.err
        return json.loads(r.out)

    return run


def _sign(db: str, at: str, name: str = "ACME") -> str:
    return str(Colo(db=db, at=at).sign(order(name))["id"])


def test_fault_response_and_resolution_clocks_met_late_breached(site_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    run = _run(colo, site_db)
    cid = _sign(site_db, "2026-12-01T10:00")
    # Friday 17:00: respond by 18:00, resolve by Monday 17:00 (the weekend does not count).
    t1 = run("2026-12-04T17:00", "ticket", "open", cid, "--summary", "no link on port", "--reported-by", "Li Wei")
    assert t1["ticket"] == "T1" and t1["reported_by"] == "Li Wei"
    assert t1["clocks"]["response"]["deadline"] == "2026-12-04T18:00:00+08:00"
    assert t1["clocks"]["resolution"]["deadline"] == "2026-12-07T17:00:00+08:00"
    assert t1["clocks"]["response"]["status"] == "running" and t1["clocks"]["response"]["seconds_left"] == 3600
    t2 = run("2026-12-04T17:00", "ticket", "open", cid.lower(), "--summary", "packet loss")
    t3 = run("2026-12-04T17:00", "ticket", "open", cid, "--summary", "server unreachable")

    r = run("2026-12-04T18:00", "ticket", "respond", "T1")           # exactly 1 hour: in time
    assert r["clocks"]["response"]["status"] == "met" and r["responded_at"] == "2026-12-04T18:00:00+08:00"
    r = run("2026-12-04T18:00:01", "ticket", "respond", "2")           # a second late; bare number accepted
    assert r["clocks"]["response"]["status"] == "late" and r["clocks"]["response"]["seconds_left"] == -1
    r = run("2026-12-07T17:00", "ticket", "resolve", "t1", "--resolution", "replaced the patch cable")
    assert r["clocks"]["resolution"]["status"] == "met" and r["resolution"] == "replaced the patch cable"

    # Monday 17:00:01: T2 is past its resolution deadline, T3 never got a response either.
    rows = {t["ticket"]: t for t in run("2026-12-07T17:00:01", "ticket", "list", "--open")}
    assert set(rows) == {t2["ticket"], t3["ticket"]}
    assert rows["T2"]["clocks"]["resolution"]["status"] == "breached"
    assert rows["T2"]["clocks"]["resolution"]["seconds_left"] == -1
    assert rows["T3"]["clocks"]["response"]["status"] == "breached"
    r = run("2026-12-08T09:00", "ticket", "resolve", "T3", "--resolution", "rebooted by the customer's order")
    assert r["clocks"]["resolution"]["status"] == "late" and r["clocks"]["response"]["status"] == "late"
    assert r["responded_at"] == r["resolved_at"] == "2026-12-08T09:00:00+08:00"  # the resolution answers too
    assert len(run("2026-12-08T09:00", "ticket", "list")) == 3

    # The same clocks in `colo deadlines`, by ticket ref; the what-if view before the response still runs.
    clocks = {(d["clock"], d["ref"]): d for d in run("2026-12-04T17:30", "deadlines", "--all")}
    assert clocks[("fault-response", "T1")]["status"] == "running"
    assert clocks[("fault-resolution", "T2")]["deadline"] == "2026-12-07T17:00:00+08:00"
    past = {(d["clock"], d["ref"]): d for d in run("2026-12-08T10:00", "deadlines", "--all")}
    assert past[("fault-response", "T1")]["status"] == "met" and past[("fault-resolution", "T3")]["status"] == "late"
    assert past[("fault-resolution", "T2")]["status"] == "breached"
    earlier = {t["ticket"]: t for t in run("2026-12-04T17:30", "ticket", "list")}
    assert earlier["T1"]["responded_at"] is None and earlier["T1"]["clocks"]["response"]["status"] == "running"


def test_resolution_skips_holidays_and_counts_adjusted_workdays(site_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    run = _run(colo, site_db)
    cid = _sign(site_db, "2026-09-01T10:00")
    # Wednesday 30 Sep 17:00, the eve of National Day: 1-7 Oct are off, Thursday 8 Oct is the next working day.
    t = run("2026-09-30T17:00", "ticket", "open", cid, "--summary", "PDU outlet dead")
    assert t["clocks"]["resolution"]["deadline"] == "2026-10-08T17:00:00+08:00"
    # Friday 9 Oct 17:00: Saturday 10 Oct is an adjusted working day (调休), so it is due then.
    t = run("2026-10-09T17:00", "ticket", "open", cid, "--summary", "slow uplink")
    assert t["clocks"]["resolution"]["deadline"] == "2026-10-10T17:00:00+08:00"
    # Reported on a holiday: the whole next working day.
    t = run("2026-10-03T11:00", "ticket", "open", cid, "--summary", "noisy fan")
    assert t["clocks"]["resolution"]["deadline"] == "2026-10-09T00:00:00+08:00"
    assert t["clocks"]["response"]["deadline"] == "2026-10-03T12:00:00+08:00"  # responding never waits


def test_complaint_written_report_within_24_hours(site_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    run = _run(colo, site_db)
    cid = _sign(site_db, "2026-12-01T10:00")
    for _ in range(3):
        k = run("2026-12-04T10:00", "complaint", "record", cid, "--summary", "technician was rude",
                "--category", "customer-service")
    assert k["complaint"] == "K3" and k["clock"]["deadline"] == "2026-12-05T10:00:00+08:00"
    assert run("2026-12-05T10:00", "complaint", "report", "K1", "--ref", "RPT-2026/001")["clock"]["status"] == "met"
    r = run("2026-12-05T10:01", "complaint", "report", "k2", "--ref", "RPT-2026/002")
    assert r["clock"]["status"] == "late" and r["report_ref"] == "RPT-2026/002"
    rows = {k["complaint"]: k for k in run("2026-12-05T10:01", "complaint", "list")}
    assert rows["K3"]["clock"]["status"] == "breached" and rows["K3"]["reported_at"] is None
    assert rows["K1"]["reported_at"] == "2026-12-05T10:00:00+08:00"
    clocks = {(d["clock"], d["ref"]): d["status"] for d in run("2026-12-05T10:01", "deadlines", "--all")}
    assert clocks == clocks | {("complaint", "K1"): "met", ("complaint", "K2"): "late", ("complaint", "K3"): "breached"}


def _snapshot(colo, db: str) -> Any:  # type: ignore[no-untyped-def]
    """Everything a bad command could have touched, as the store shows it (the file too, on SQLite)."""
    out = []
    for args in (("ticket", "list"), ("complaint", "list"), ("audit", "list")):
        r = colo("--db", db, "--at", "2027-01-01T00:00", *args, "--json")
        assert r.code == 0, r.err
        out.append(json.loads(r.out))
    if "://" not in db:
        out.append(Path(db).read_bytes())
    return out


@pytest.mark.parametrize("args, code, says", [
    (("ticket", "respond", "T1"), 3, "already responded"),
    (("ticket", "resolve", "T2", "--resolution", "x"), 3, "already resolved"),
    (("ticket", "respond", "T2"), 3, "already resolved"),
    (("--at", "2026-12-04T16:59", "ticket", "resolve", "T1", "--resolution", "fixed"), 2, "cannot come before"),
    (("--at", "2026-12-04T16:00", "ticket", "respond", "T3"), 2, "--at 2026-12-04T16:00:00+08:00"),
    (("ticket", "respond", "T99"), 2, "ticket T99 does not exist"),
    (("ticket", "respond", "X-1"), 2, "is not a ticket id"),
    (("ticket", "resolve", "T3", "--resolution", "   "), 2, "--resolution is empty"),
    (("ticket", "open", "C2099-0001", "--summary", "x"), 2, "does not exist"),
    (("ticket", "open", "{cid}", "--summary", "line one\nline two"), 2, "control character U+000A"),
    (("ticket", "open", "{cid}", "--summary", "\x1b[2J\x1b[31mred"), 2, "control character U+001B"),
    (("ticket", "open", "{cid}", "--summary", "csi \x9b31m"), 2, "control character U+009B"),
    (("ticket", "open", "{cid}", "--summary", "x" * 501), 2, "at most 500"),
    (("ticket", "open", "{cid}", "--summary", "ok", "--reported-by", "a\rb"), 2, "--reported-by contains"),
    (("complaint", "record", "{cid}", "--summary", "", "--category", "technical-support"), 2, "--summary is empty"),
    (("complaint", "report", "K1", "--ref", "RPT 1; rm"), 2, "--ref"),
    (("complaint", "report", "K7", "--ref", "RPT-1"), 2, "complaint K7 does not exist"),
    (("--at", "2026-12-04T09:00", "complaint", "report", "K1", "--ref", "RPT-1"), 2, "cannot come before"),
])
def test_bad_input_exits_non_zero_and_changes_nothing(site_db: str, colo, args: tuple[str, ...], code: int,  # type: ignore[no-untyped-def]
                                                      says: str) -> None:
    run = _run(colo, site_db)
    cid = _sign(site_db, "2026-12-01T10:00")
    run("2026-12-04T17:00", "ticket", "open", cid, "--summary", "no link")
    run("2026-12-04T17:00", "ticket", "open", cid, "--summary", "flapping")
    run("2026-12-04T17:00", "ticket", "open", cid, "--summary", "loss")
    run("2026-12-04T17:30", "ticket", "respond", "T1")
    run("2026-12-04T17:40", "ticket", "resolve", "T2", "--resolution", "reseated the SFP")
    run("2026-12-04T17:00", "complaint", "record", cid, "--summary", "slow", "--category", "network-quality")
    before = _snapshot(colo, site_db)
    argv = [a.replace("{cid}", cid) for a in args]
    if argv[0] != "--at":
        argv = ["--at", "2026-12-05T09:00", *argv]
    r = colo("--db", site_db, *argv)
    assert r.code == code, (r.code, r.err)
    assert says in r.err and len(r.err.strip().splitlines()) == 1, r.err
    assert _snapshot(colo, site_db) == before


def test_no_ticket_for_a_contract_that_is_gone(site_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import update

    from provision.store.engine import open_store
    from provision.store.schema import Contract

    cid = _sign(site_db, "2026-12-01T10:00")
    with open_store(site_db).session() as s:
        s.execute(update(Contract).where(Contract.id == cid).values(state="collected"))
    r = colo("--db", site_db, "--at", "2026-12-04T10:00", "ticket", "open", cid, "--summary", "x")
    assert r.code == 3 and "complaint record" in r.err
    assert colo("--db", site_db, "--at", "2026-12-04T10:00", "complaint", "record", cid, "--summary", "x",
                "--category", "network-quality").code == 0


HOSTILE = "[bold red]PAID[/bold red] :warning: \u202eevil\u2028</td><script>x</script> '; DROP TABLE fault_tickets; --"


def test_hostile_summary_is_stored_verbatim_and_shown_as_inert_text(site_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from provision.store.engine import open_store
    from provision.store.schema import Complaint, FaultTicket

    run = _run(colo, site_db)
    cid = _sign(site_db, "2026-12-01T10:00")
    assert run("2026-12-04T17:00", "ticket", "open", cid, "--summary", HOSTILE, "--reported-by", "[i]Mallory[/i]"
               )["summary"] == HOSTILE
    assert run("2026-12-04T17:00", "complaint", "record", cid, "--summary", HOSTILE,
               "--category", "customer-service")["summary"] == HOSTILE
    assert run("2026-12-04T17:10", "ticket", "resolve", "T1", "--resolution", HOSTILE)["resolution"] == HOSTILE
    with open_store(site_db).session() as s:
        assert s.scalar(select(FaultTicket.summary)) == HOSTILE and s.scalar(select(Complaint.summary)) == HOSTILE
        assert s.scalar(select(FaultTicket.reported_by_customer)) == "[i]Mallory[/i]"

    for args in (("ticket", "list"), ("complaint", "list")):
        r = colo("--db", site_db, "--at", "2026-12-04T18:00", *args)
        assert r.code == 0, r.err
        assert "[bold red]PAID[/bold red] :warning: \\u202eevil\\u2028</td>" in r.out  # literal, not styled
        assert "\u202e" not in r.out and "\u2028" not in r.out and "\x1b" not in r.out and "\u26a0" not in r.out
    assert "by [i]Mallory[/i]" in colo("--db", site_db, "--at", "2026-12-04T18:00", "ticket", "list").out
    log = colo("--db", site_db, "audit", "list").out  # the audit log repeats the summary in its detail column
    assert "fault T1 reported by [i]Mallory[/i]: [bold red]PAID[/bold red] :warning: \\u202eevil" in log
    assert "\u202e" not in log and "\u26a0" not in log
