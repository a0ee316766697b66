"""Written follow-ups are clocks (SLA §6.6, §7.2), and a phone authorization proves the whole MRTG login (§6.6).

§6.6: a phone authorization is accepted after the caller's monitoring-portal (MRTG) user name and
password are verified, 「事后需立即补交」 — the written form must follow immediately: due by the end of
the next working day after the call. §7.2: after an authorized operation the provider reports on it in
writing: due 1 working day after the operation.
"""

from __future__ import annotations

import io
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from provision.api import Colo
from provision.domain.calendar import WorkCalendar
from provision.domain.clocks import Clock, ContractFacts, Event, Status, compute_clocks
from tests.conftest import Lab, order
from tests.lab_contracts import active_contract

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar()
SECRET = "correct horse battery"


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def clock(events: list[Event], key: str, now: str) -> Clock:
    clocks = compute_clocks(ContractFacts("C2026-0001", 12, tuple(events)), CAL, t(now))
    return next(c for c in clocks if c.rule.key == key)


# --- the rules (pure) ----------------------------------------------------------------


@pytest.mark.parametrize("call, due", [
    ("2026-12-01T10:00", "2026-12-02T23:59:59"),  # Tuesday: by the end of Wednesday
    ("2026-12-04T18:30", "2026-12-07T23:59:59"),  # Friday evening: the weekend does not count
    ("2026-12-05T11:00", "2026-12-07T23:59:59"),  # a call on Saturday: Monday
    ("2026-09-30T16:00", "2026-10-08T23:59:59"),  # eve of National Day: 1-7 Oct are off
    ("2026-10-09T09:00", "2026-10-10T23:59:59"),  # Friday 9 Oct: Saturday 10 Oct is an adjusted working day (调休)
])
def test_written_form_after_a_phone_authorization_is_due_by_the_end_of_the_next_working_day(call: str,
                                                                                          due: str) -> None:
    """§6.6 「事后需立即补交」: "immediately", read as the end of the next working day after the call."""
    c = clock([Event("authorization_received", t(call), "7")], "auth-written", call)
    assert c.deadline == t(due) and c.status is Status.RUNNING and c.rule.clause == "SLA §6.6"


def test_written_form_clock_running_met_late_breached() -> None:
    start = Event("authorization_received", t("2026-12-01T10:00"), "7")
    assert clock([start], "auth-written", "2026-12-02T23:59:58").status is Status.RUNNING
    assert clock([start], "auth-written", "2026-12-03T00:00").status is Status.BREACHED
    met = clock([start, Event("authorization_written", t("2026-12-02T23:59:59"), "7")], "auth-written",
                "2026-12-09T00:00")
    assert met.status is Status.MET and met.stopped_at == t("2026-12-02T23:59:59")
    late = clock([start, Event("authorization_written", t("2026-12-03T09:00"), "7")], "auth-written",
                 "2026-12-09T00:00")
    assert late.status is Status.LATE
    other = clock([start, Event("authorization_written", t("2026-12-01T11:00"), "8")], "auth-written",
                  "2026-12-09T00:00")
    assert other.status is Status.BREACHED, "another authorization's written form does not count"


@pytest.mark.parametrize("operation, due", [
    ("2026-12-01T10:00", "2026-12-02T10:00"),     # 1 working day
    ("2026-12-04T17:00", "2026-12-07T17:00"),     # Friday 17:00: Monday 17:00
    ("2026-09-30T15:00", "2026-10-08T15:00"),     # National Day in between
])
def test_written_report_after_an_authorized_operation_is_due_one_working_day_after_it(operation: str,
                                                                                     due: str) -> None:
    """§7.2: first feedback within 30 minutes, the written report after it: 1 working day."""
    start = Event("authorized_operation", t(operation), "3")
    c = clock([start], "operation-report", operation)
    assert c.deadline == t(due) and c.status is Status.RUNNING and c.rule.clause == "SLA §7.2"
    assert clock([start, Event("operation_reported", t(due), "3")], "operation-report", due).status is Status.MET
    late = clock([start, Event("operation_reported", t("2026-12-31T09:00"), "3")], "operation-report",
                 "2026-12-31T10:00")
    assert late.status is Status.LATE
    assert clock([start], "operation-report", "2026-12-31T10:00").status is Status.BREACHED


# --- the commands ---------------------------------------------------------------------


def _customer(site_db: str, colo, monkeypatch) -> str:  # type: ignore[no-untyped-def]
    cid = str(Colo(db=site_db, at="2026-11-24T10:00").sign(order("ACME"))["id"])
    assert colo("--db", site_db, "--at", "2026-11-24T11:00", "person", "add", cid, "--name", "Li Wei").code == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO(SECRET + "\n"))
    assert colo("--db", site_db, "--at", "2026-11-24T11:00", "portal", "set", cid, "--secret-stdin").code == 0
    return cid


def _phone(colo, monkeypatch, db: str, cid: str, login: str, secret: str):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "stdin", io.StringIO(secret + "\n"))
    return colo("--db", db, "--at", "2026-12-04T18:30", "authorization", "record", cid, "--by", "Li Wei",
                "--operation", "port-bounce", "--phone", "--portal-login", login, "--portal-secret-stdin", "--json")


def _deadlines(colo, db: str, at: str, *flags: str) -> dict[tuple[str, str | None], dict[str, Any]]:  # type: ignore[no-untyped-def]
    r = colo("--db", db, "--at", at, "deadlines", *flags, "--json")
    assert r.code == 0, r.err
    return {(d["clock"], d["ref"]): d for d in json.loads(r.out)}


def test_written_form_is_in_deadlines_until_recorded(site_db: str, colo, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    cid = _customer(site_db, colo, monkeypatch)
    r = _phone(colo, monkeypatch, site_db, cid, cid, SECRET)  # no login name set: the contract ID is the user name
    assert r.code == 0, r.err
    auth = json.loads(r.out)
    assert auth["written_form"] == "to follow" and auth["written_form_due"] == "2026-12-07T23:59:59+08:00"
    ref = str(auth["authorization"])
    row = _deadlines(colo, site_db, "2026-12-05T10:00")[("auth-written", ref)]
    assert row["status"] == "running" and row["clause"] == "SLA §6.6" and row["deadline"] == "2026-12-07T23:59:59+08:00"
    assert _deadlines(colo, site_db, "2026-12-08T09:00")[("auth-written", ref)]["status"] == "breached"
    human = colo("--db", site_db, "--at", "2026-12-08T09:00", "deadlines")
    assert "phone authorization: written form" in human.out and "breached" in human.out

    # back-dated before the call it answers: bad input, nothing changed
    r = colo("--db", site_db, "--at", "2026-12-04T18:00", "authorization", "written", ref, "--ref", "DOC-9")
    assert r.code == 2 and "cannot come before authorization #" in r.err
    r = colo("--db", site_db, "--at", "2026-12-08T09:00", "authorization", "written", ref, "--ref", "DOC-9", "--json")
    assert r.code == 0, r.err
    assert ("auth-written", ref) not in _deadlines(colo, site_db, "2026-12-08T09:30")
    assert _deadlines(colo, site_db, "2026-12-08T09:30", "--all")[("auth-written", ref)]["status"] == "late"
    r = colo("--db", site_db, "--at", "2026-12-08T09:40", "authorization", "written", ref, "--ref", "DOC-10")
    assert r.code == 3 and "DOC-9 is already on file" in r.err

    # a written authorization brings its written form: no clock left open
    r = colo("--db", site_db, "--at", "2026-12-08T10:00", "authorization", "record", cid, "--by", "Li Wei",
             "--operation", "outlet-cycle", "--written", "--ref", "DOC-11", "--json")
    assert r.code == 0, r.err
    written = json.loads(r.out)
    assert written["written_form"] == "received" and written["written_form_due"] is None
    rows = _deadlines(colo, site_db, "2026-12-20T10:00", "--all")
    assert rows[("auth-written", str(written["authorization"]))]["status"] == "met"
    assert ("auth-written", str(written["authorization"])) not in _deadlines(colo, site_db, "2026-12-20T10:00")


def test_phone_needs_the_portal_user_name_and_the_secret(site_db: str, colo, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """§6.6: the caller gives the MRTG login — user name and password — and both must be right."""
    cid = _customer(site_db, colo, monkeypatch)
    other = str(Colo(db=site_db, at="2026-11-24T10:00").sign(order("Other Co"))["id"])
    monkeypatch.setattr(sys, "stdin", io.StringIO("other's secret 123\n"))
    assert colo("--db", site_db, "portal", "set", other, "--secret-stdin").code == 0
    assert colo("--db", site_db, "portal", "set", cid, "--login", "acme-noc").code == 0

    refused = [
        ("acme-noc", "wrong guess 42"),       # right name, wrong secret
        ("nobody-here", SECRET),              # unknown name, right secret
        (cid, SECRET),                        # the contract ID stopped being a user name once a login was set
        (other, "other's secret 123"),        # another customer's valid login
    ]
    for login, secret in refused:
        r = _phone(colo, monkeypatch, site_db, cid, login, secret)
        assert r.code == 3, (login, r.err)
        assert "user name" in r.err and "were not verified" in r.err and secret not in r.err
    r = _phone(colo, monkeypatch, site_db, cid, "ACME-NOC ", SECRET)  # as the portal reads it: case and spaces
    assert r.code == 0, r.err

    audit = Colo(db=site_db).audit(cid)
    refusals = [a for a in audit if a["action"] == "contract.operation_refused"]
    assert len(refusals) == 4 and "'nobody-here'" in refusals[1]["detail"]
    assert "wrong guess 42" not in json.dumps(audit) and SECRET not in json.dumps(audit)
    if Path(site_db).exists():  # SQLite: not in the file either
        assert b"wrong guess 42" not in Path(site_db).read_bytes()
    assert "portal user ACME-NOC verified" in next(a["detail"] for a in audit
                                                  if a["action"] == "contract.authorization_received")

    r = colo("--db", site_db, "--at", "2026-12-04T18:30", "authorization", "record", cid, "--by", "Li Wei",
             "--operation", "port-bounce", "--phone", "--portal-secret-stdin")
    assert r.code == 2 and "--portal-login" in r.err
    r = colo("--db", site_db, "authorization", "record", cid, "--by", "Li Wei", "--operation", "port-bounce",
             "--written", "--ref", "D-1", "--portal-login", "acme-noc")
    assert r.code == 2 and "go with --phone" in r.err


def test_phone_asks_user_name_and_secret_at_the_prompt(site_db: str, colo, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    cid = _customer(site_db, colo, monkeypatch)
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{cid}\n{SECRET}\n"))
    r = colo("--db", site_db, "--at", "2026-12-04T18:30", "authorization", "record", cid, "--by", "Li Wei",
             "--operation", "port-bounce", "--phone")
    assert r.code == 0, r.err
    assert "caller's portal user name" in r.out and SECRET not in r.out and "written form to follow" in r.out


def test_written_report_after_an_authorized_operation(lab: Lab, lab_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    """§7.2: the operation starts the written-report clock; `authorize report` stops it, once."""
    cid, _ = active_contract(lab_db, "huawei_vrp")
    assert colo("--db", lab_db, "person", "add", cid, "--name", "Li Wei").code == 0
    r = colo("--db", lab_db, "--at", "2026-12-04T16:50", "authorization", "record", cid, "--by", "Li Wei",
             "--operation", "outlet-cycle", "--written", "--ref", "DOC-1", "--json")
    auth = str(json.loads(r.out)["authorization"])
    r = colo("--db", lab_db, "--at", "2026-12-04T16:55", "authorization", "report", auth, "--ref", "RPT-1")
    assert r.code == 3 and "nothing to report on" in r.err
    r = colo("--db", lab_db, "--at", "2026-12-04T17:00", "outlet", "cycle", cid, "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["report_due"] == "2026-12-07T17:00:00+08:00"  # Friday 17:00: Monday 17:00
    row = _deadlines(colo, lab_db, "2026-12-05T10:00")[("operation-report", auth)]
    assert row["status"] == "running" and row["clause"] == "SLA §7.2"
    assert _deadlines(colo, lab_db, "2026-12-07T17:00:01")[("operation-report", auth)]["status"] == "breached"

    r = colo("--db", lab_db, "--at", "2026-12-04T16:59", "authorization", "report", auth, "--ref", "RPT-1")
    assert r.code == 2 and "cannot come before the operation" in r.err
    r = colo("--db", lab_db, "--at", "2026-12-07T16:00", "authorization", "report", auth, "--ref", "RPT-2026/7", "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["report_ref"] == "RPT-2026/7"
    assert ("operation-report", auth) not in _deadlines(colo, lab_db, "2026-12-08T10:00")
    assert _deadlines(colo, lab_db, "2026-12-08T10:00", "--all")[("operation-report", auth)]["status"] == "met"
    r = colo("--db", lab_db, "--at", "2026-12-07T16:30", "authorization", "report", auth, "--ref", "RPT-3")
    assert r.code == 3 and "already reported in RPT-2026/7" in r.err
    assert "contract.operation_reported" in [a["action"] for a in Colo(db=lab_db).audit(cid)]


def test_upgrade_meets_the_written_form_clock_of_earlier_written_authorizations(db_url: str) -> None:
    """Revision 0017 adds the §6.6 clock: written authorizations recorded before it brought their written
    form with them, so they must not show up as late; an earlier phone one without its form does."""
    from sqlalchemy import text

    from provision.store.engine import open_store
    from provision.store.migrate import upgrade

    store = open_store(db_url, create=True)
    upgrade(store, "0016")
    with store.engine.begin() as conn:
        for sql in ("INSERT INTO site (id, name, timezone, dns, quarantine_days) "
                    "VALUES (1, 'SH-WGQ-1', 'Asia/Shanghai', '', 30)",
                    "INSERT INTO customers (id, key, name) VALUES (1, 'acme', 'ACME')",
                    "INSERT INTO contracts (id, year, seq, customer_id, kind, quantity, bandwidth_mbps, ips, fee, "
                    "payment, term_months, power_w, state, signed_at) VALUES ('C2026-0001', 2026, 1, 1, "
                    "'colocation', 1, 100, 1, '12000.00', 'yearly', 12, 300, 'signed', '2026-11-24 02:00:00')",
                    "INSERT INTO authorized_persons (id, customer_id, name, active) VALUES (1, 1, 'Li Wei', TRUE)",
                    "INSERT INTO authorizations (id, contract_id, person_id, channel, operation, ref, received_at, "
                    "valid_until, written_at, recorded_by) VALUES (1, 'C2026-0001', 1, 'written', 'outlet-cycle', "
                    "'DOC-1', '2026-12-01 02:00:00', '2026-12-02 02:00:00', '2026-12-01 02:00:00', 'tester')",
                    "INSERT INTO authorizations (id, contract_id, person_id, channel, operation, received_at, "
                    "valid_until, recorded_by) VALUES (2, 'C2026-0001', 1, 'phone', 'port-bounce', "
                    "'2026-12-01 03:00:00', '2026-12-02 03:00:00', 'tester')"):
            conn.execute(text(sql))
        for ref, hour in (("1", "02"), ("2", "03")):
            conn.execute(text("INSERT INTO contract_events (contract_id, kind, at, ref, months, actor, detail) "
                              f"VALUES ('C2026-0001', 'authorization_received', '2026-12-01 {hour}:00:00', '{ref}', "
                              "0, 'tester', '')"))
    Colo(db=db_url).init(str(Path(__file__).parent.parent / "inventory" / "example"))
    clocks = {c["ref"]: c for c in Colo(db=db_url, at="2026-12-10T10:00").deadlines(include_closed=True)
              if c["clock"] == "auth-written"}
    assert clocks["1"]["status"] == "met" and clocks["1"]["stopped_at"] == "2026-12-01T10:00:00+08:00"
    assert clocks["2"]["status"] == "breached"
