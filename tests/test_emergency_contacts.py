"""Emergencies reach the designated authorized person (SLA §4.2 「指定的授权人」) by the channel they chose, and the
15-minute report is waived when the contact was out of date or wrong, or by force majeure (§4.7).

Mail goes to a real SMTP server (aiosmtpd) on 127.0.0.1, which accepts, or refuses a recipient the way real
relays do; webhooks to a real HTTP receiver.
"""

from __future__ import annotations

import http.server
import json
import smtplib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from typing import Any

import pytest

from provision.api import Colo
from provision.domain.terms import Customer
from provision.monitor.notify import Mailer, RecipientRefused, WebhookRefused, refuses_recipient
from provision.services.context import Context
from provision.services.monitoring.rounds import notify_pending
from tests.conftest import free_port, order

SIGNED = "2026-11-24T10:00"
DECLARED = "2026-12-03T10:00"


@contextmanager
def relay(refuse: dict[str, str] | None = None) -> Iterator[tuple[int, list[tuple[list[str], Any]]]]:
    """A real SMTP server; `refuse` maps a recipient to the reply its RCPT gets (e.g. a 550 5.1.1)."""
    from aiosmtpd.controller import Controller

    inbox: list[tuple[list[str], Any]] = []

    class Handler:
        async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
            if refuse and address in refuse:
                return refuse[address]
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            inbox.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=free_port(1))
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


@contextmanager
def gateway(status: int) -> Iterator[list[Any]]:
    received: list[Any] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        received.append(server.server_port)
        yield received
    finally:
        server.shutdown()
        server.server_close()


def _contract(db: str, email: str = "noc@acme.example") -> str:
    return str(Colo(db=db, at=SIGNED).sign(order("ACME", customer=Customer(name="ACME", email=email),
                                                  fee="3100.00", payment="monthly"))["id"])


def _declare(db: str, cid: str, at: str = DECLARED) -> int:
    return int(Colo(db=db, at=at).record_emergency(cid, at, channel="email")["emergency"])


def _notify(db: str, at: str, port: int | None) -> list[dict[str, Any]]:
    mailer = None if port is None else Mailer("127.0.0.1", port, "noc@colo.example")
    return notify_pending(Context.open(db, at, "monitor"), mailer)


def _cli(colo, db: str, at: str = "2026-12-03T09:00"):  # type: ignore[no-untyped-def]
    def run(*args: str) -> Any:
        r = colo("--db", db, "--at", at, *args, "--json")
        assert r.code == 0, r.err
        return json.loads(r.out)

    return run


# --- §4.2: the designated authorized person --------------------------------------------------------------


def test_the_designated_persons_email_receives_the_emergency_through_the_relay(site_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid = _contract(site_db)
    run = _cli(colo, site_db)
    run("person", "add", cid, "--name", "Zhang San", "--phone", "+86 21 5555 0101")
    added = run("person", "add", cid, "--name", "Li Wei", "--phone", "+86 21 5555 0100", "--mobile",
                "+86 139 0000 0001", "--email", "li.wei@acme.example", "--emergency", "email")
    assert added["emergency"] == "email"
    listed = run("person", "list", cid)
    assert listed["emergencies_to"] == {"person": "Li Wei", "channel": "email", "to": "li.wei@acme.example"}
    assert [(p["name"], p["emergency"]) for p in listed["persons"]] == [("Li Wei", "email"), ("Zhang San", None)]
    text = colo("--db", site_db, "person", "list", cid).out
    assert "emergencies go to Li Wei (designated) by email li.wei@acme.example" in text

    emergency = _declare(site_db, cid)
    with relay() as (port, inbox):
        (sent,) = _notify(site_db, "2026-12-03T10:05", port)
    assert (sent["sent"], sent["person"], sent["to"], sent["channel"]) == (True, "Li Wei", "li.wei@acme.example", "email")
    ((rcpt, message),) = inbox
    assert rcpt == ["li.wei@acme.example"] and message["To"] == "li.wei@acme.example"  # not the customer's noc@
    body = message.get_payload(decode=True).decode()
    assert body.startswith("For Li Wei, designated authorized person for emergencies.") and cid in body
    (incident,) = run("emergency", "list")
    assert (incident["emergency"], incident["person"], incident["notified_at"]) == (
        emergency, "Li Wei", "2026-12-03T10:05:00+08:00")
    audit = [r["detail"] for r in json.loads(colo("--db", site_db, "audit", "list", "--contract", cid, "--json").out)]
    assert "emergencies go to Li Wei (designated authorized person) by email" in audit
    assert "customer notified by email (Li Wei, designated authorized person)" in audit


def test_a_pager_choice_lists_a_task_and_undesignating_falls_back_to_the_contract_contact(site_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid = _contract(site_db)
    run = _cli(colo, site_db)
    run("person", "add", cid, "--name", "Li Wei", "--pager", "96000 1234", "--emergency", "pager")
    emergency = _declare(site_db, cid)
    (task,) = _notify(site_db, "2026-12-03T10:01", None)
    assert not task["sent"] and task["person"] == "Li Wei" and task["channel"] == "pager"
    assert task["error"] == (f"page 96000 1234 (pager of Li Wei, designated authorized person), then log it: "
                             f"colo emergency notified {emergency} --by pager")
    logged = colo("--db", site_db, "--at", "2026-12-03T10:12", "emergency", "notified", str(emergency), "--by",
                  "pager", "--json")
    assert logged.code == 0 and json.loads(logged.out)["late"] is False

    # another person designated replaces the first; `none` leaves the contract's own contact
    run("person", "add", cid, "--name", "Wang Wu", "--fax", "+86 21 5555 0199", "--emergency", "fax")
    assert run("person", "list", cid)["emergencies_to"]["person"] == "Wang Wu"
    assert run("person", "set", cid, "--name", "Wang Wu", "--emergency", "none")["emergency"] is None
    assert run("person", "list", cid)["emergencies_to"] == {"person": None, "channel": "email",
                                                                "to": "noc@acme.example"}
    second = _declare(site_db, cid, "2026-12-04T10:00")
    with relay() as (port, inbox):
        (sent,) = _notify(site_db, "2026-12-04T10:01", port)
    assert sent["emergency"] == second and sent["person"] is None and inbox[0][0] == ["noc@acme.example"]


@pytest.mark.parametrize(("args", "code", "message"), [
    (("add", "--name", "Li Wei", "--emergency", "fax"), 2, "--emergency fax: Li Wei has no fax on record: give it "
                                                           "with --fax"),
    (("add", "--name", "Li Wei", "--mobile", "call me"), 2, "--mobile 'call me' is not a phone number"),
    (("add", "--name", "Li Wei", "--email", "li.wei"), 2, "--email 'li.wei': give one address"),
    (("add", "--name", "Li Wei", "--webhook", "gopher://x"), 2, "give an http:// or https:// URL"),
    (("add", "--name", "Li Wei", "--email", "a@b.example", "--emergency", "telegram"), 2, "--emergency 'telegram'"),
    (("set", "--name", "Nobody", "--mobile", "+86 139 0000 0001"), 2, "'Nobody' is not an authorized person"),
    (("set", "--name", "Li Wei", "--emergency", "none"), 3, "Li Wei is not the designated person"),
])
def test_bad_channels_and_designations_are_refused_and_change_nothing(site_db: str, colo, args: tuple[str, ...],  # type: ignore[no-untyped-def]
                                                                      code: int, message: str) -> None:
    cid = _contract(site_db)
    if args[0] == "set":
        _cli(colo, site_db)("person", "add", cid, "--name", "Li Wei")
    before = colo("--db", site_db, "person", "list", cid, "--json").out
    r = colo("--db", site_db, "person", args[0], cid, *args[1:])
    assert r.code == code and message in r.err, r.err
    assert colo("--db", site_db, "person", "list", cid, "--json").out == before


# --- §4.7: the 15-minute report waived ---------------------------------------------------------------------


@pytest.mark.parametrize(("reply", "waived"), [
    ("550 5.1.1 <gone@acme.example>: Recipient address rejected: User unknown", True),
    ("553 mailbox name not allowed", True),
    ("554 5.7.1 <gone@acme.example>: Relay access denied", False),  # our relay refuses us: our fault, not theirs
    ("450 4.2.1 mailbox busy", False),                               # try again
])
def test_a_recipient_the_relay_refuses_for_good_waives_the_report(site_db: str, colo, reply: str,  # type: ignore[no-untyped-def]
                                                                  waived: bool) -> None:
    cid = _contract(site_db, email="gone@acme.example")
    emergency = _declare(site_db, cid)
    with relay({"gone@acme.example": reply}) as (port, inbox):
        (attempt,) = _notify(site_db, "2026-12-03T10:05", port)
    assert inbox == [] and not attempt["sent"] and reply.split()[0] in attempt["error"]
    assert attempt["waived"] == ("contact-invalid" if waived else None)
    (incident,) = _cli(colo, site_db)("emergency", "list")
    assert (incident["waived"], incident["waived_by"]) == (("contact-invalid", "monitor") if waived else (None, None))

    report = _cli(colo, site_db, "2027-01-02T10:00")("sla", "report", cid, "--month", "2026-12")
    if waived:
        assert report["credits"] == [] and report["waived"] == [
            "emergency of 2026-12-03 reported late: no deduction, the customer's contact details were out of date or "
            "wrong (SLA §4.7; classified by monitor)"]
        clocks = {(d["clock"], d["ref"]): d for d in _cli(colo, site_db, "2026-12-03T11:00")("deadlines", "--all")}
        assert clocks[("emergency-report", str(emergency))]["status"] == "met"  # closed by the waiver, not open
        audit = [r["detail"] for r in json.loads(colo("--db", site_db, "audit", "list", "--contract", cid, "--json").out)]
        assert any(d.startswith("15-minute report waived (SLA §4.7): the customer's contact details were out of "
                                "date or wrong; email to gone@acme.example failed") for d in audit)
    else:
        assert report["credits"] == [{"item": "emergency of 2026-12-03 reported late (> 15 min): one day's fee",
                                      "amount": "100.00"}] and report["waived"] == []


def test_force_majeure_is_classified_by_a_person(site_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid = _contract(site_db)
    emergency = _declare(site_db, cid)
    run = _cli(colo, site_db, "2026-12-03T10:30")
    waived = run("emergency", "waive", str(emergency), "--reason", "force-majeure", "--note", "typhoon cut the uplinks")
    assert waived == {"emergency": emergency, "contract": cid, "waived": "force-majeure", "because": "force majeure",
                      "classified_by": "tester", "at": "2026-12-03T10:30:00+08:00", "ref": f"E{emergency}"}
    again = colo("--db", site_db, "--at", "2026-12-03T10:31", "emergency", "waive", str(emergency), "--reason",
                 "contact-invalid")
    assert again.code == 3 and "already classified force-majeure by tester" in again.err
    bad = colo("--db", site_db, "emergency", "waive", str(emergency), "--reason", "bad-luck")
    assert bad.code == 2 and "give one of contact-invalid, force-majeure" in bad.err
    report = _cli(colo, site_db, "2027-01-02T10:00")("sla", "report", cid, "--month", "2026-12")
    assert report["credits"] == [] and report["waived"] == [
        "emergency of 2026-12-03 reported late: no deduction, force majeure (SLA §4.7; classified by tester)"]
    text = colo("--db", site_db, "--at", "2027-01-02T10:00", "sla", "report", cid, "--month", "2026-12").out
    assert "no deduction, force majeure (SLA §4.7; classified by tester)" in text
    audit = json.loads(colo("--db", site_db, "audit", "list", "--contract", cid, "--json").out)
    assert any(r["action"] == "contract.emergency_waived" and r["actor"] == "tester" for r in audit)


@pytest.mark.parametrize(("status", "waived"), [(410, "contact-invalid"), (404, None)])
def test_a_gateway_that_says_gone_waives_a_404_does_not(site_db: str, colo, status: int, waived: str | None) -> None:  # type: ignore[no-untyped-def]
    cid = _contract(site_db)
    with gateway(status) as received:
        port = received.pop(0)
        _cli(colo, site_db)("contract", "notify", cid, "--webhook", f"http://127.0.0.1:{port}/sms?key=K3y")
        _declare(site_db, cid)
        (attempt,) = _notify(site_db, "2026-12-03T10:05", None)
    assert [r["emergency"] for r in received] == [attempt["emergency"]]
    assert f"HTTP {status}" in attempt["error"] and "K3y" not in attempt["error"] and attempt["waived"] == waived


def test_which_failures_mean_the_address_is_invalid() -> None:
    def rcpt(code: int, text: bytes) -> bool:
        return refuses_recipient(smtplib.SMTPRecipientsRefused({"x@y.example": (code, text)}))

    assert rcpt(550, b"5.1.1 User unknown") and rcpt(551, b"User not local") and rcpt(550, b"5.1.2 Bad domain")
    assert not rcpt(550, b"5.7.1 Relaying denied") and not rcpt(550, b"Relaying denied")
    assert not rcpt(452, b"4.2.2 Mailbox full")
    assert refuses_recipient(smtplib.SMTPDataError(550, b"5.1.1 no such mailbox"))  # a relay checking at DATA
    assert not refuses_recipient(smtplib.SMTPDataError(554, b"5.7.1 Message rejected as spam"))
    assert refuses_recipient(WebhookRefused(410)) and not refuses_recipient(WebhookRefused(404))
    assert not refuses_recipient(ConnectionRefusedError(111, "Connection refused"))
    assert isinstance(RecipientRefused("x"), str)
