"""The stop-service notice is sent before service stops (hosting contract §6.6).

§6.6: 「发出"停止服务通知"…按所列时间停止」 — the provider sends the customer a stop-service
notice and stops service at the time the notice lists. The rule
(billing.enforcement) is pure and tested first; then the whole path against the device lab
and a real SMTP relay (aiosmtpd) and HTTP gateway on 127.0.0.1.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from provision.api import Colo
from provision.domain.billing import Action, Notice, enforcement, standing
from provision.domain.lifecycle import State
from provision.domain.terms import Customer, Payment
from tests.conftest import Lab, free_port, order
from tests.lab_contracts import active_contract, walk_to
from tests.lab_devices import port_block
from tests.lab_mail import Gateway, http_server, smtp_server

SH = ZoneInfo("Asia/Shanghai")
SIGNED = datetime(2026, 11, 24, 10, 0, tzinfo=SH)
ISSUED = datetime(2026, 12, 1, 9, 0, tzinfo=SH)
STOP = ISSUED + timedelta(hours=24)


def _decide(notice: Notice, now: datetime) -> Action | None:
    unpaid = standing(Decimal("12000.00"), Payment.YEARLY, 12, SIGNED, Decimal("0"), now)
    return enforcement("active", unpaid, notice, now)


# --- the rule: 「发出"停止服务通知"」 before 「按所列时间停止」 --------------------------------------------------


def test_a_notice_not_yet_sent_stops_nothing_even_past_its_stop_time() -> None:
    """§6.6 「发出"停止服务通知"」: a notice still waiting for delivery (a phone call not yet made) was not sent."""
    waiting = Notice(ISSUED, STOP)
    assert not waiting.sent
    assert _decide(waiting, STOP) is None
    assert _decide(waiting, STOP + timedelta(days=3)) is None


@pytest.mark.parametrize("outcome", ["delivered_at", "failed_at"])
def test_a_delivered_notice_or_a_recorded_failure_stops_service_at_the_listed_time(outcome: str) -> None:
    """§6.6 「按所列时间停止」: not a minute before the listed time, whether delivered or its failure recorded."""
    notice = Notice(ISSUED, STOP, **{outcome: ISSUED + timedelta(minutes=1)})
    assert notice.sent
    assert _decide(notice, STOP - timedelta(seconds=1)) is None
    assert _decide(notice, STOP) is Action.SUSPEND


def test_a_failure_recorded_after_the_stop_time_stops_service_at_once_and_the_time_is_not_moved() -> None:
    """The listed stop time stays what the notice said: a late record does not postpone it, nor restart it."""
    late = Notice(ISSUED, STOP, failed_at=STOP + timedelta(hours=5))
    assert late.stop_at == STOP
    assert _decide(late, STOP + timedelta(hours=5)) is Action.SUSPEND


def test_payment_still_wins_over_a_sent_notice() -> None:
    paid = standing(Decimal("12000.00"), Payment.YEARLY, 12, SIGNED, Decimal("12000.00"), STOP)
    assert enforcement("active", paid, Notice(ISSUED, STOP, delivered_at=ISSUED), STOP) is None


# --- end to end: the lab's switch, a real relay -------------------------------------------------------------


def _enforce(colo, db: str, at: str, *extra: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    r = colo("--db", db, "--at", at, "enforce", "--json", *extra)
    assert r.code == 0, r.err
    return dict(json.loads(r.out))


def _run(colo, db: str, at: str, *args: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    r = colo("--db", db, "--at", at, *args, "--json")
    assert r.code == 0, r.err
    return json.loads(r.out)  # type: ignore[no-any-return]


def test_overdue_notice_is_mailed_then_service_stops_at_its_time(lab: Lab, lab_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid, iface = active_contract(lab_db, customer=Customer(name="ACME Hosting", email="billing@acme.example"))
    with smtp_server() as (relay, inbox):
        mail = ("--smtp", f"127.0.0.1:{relay.port}", "--mail-from", "noc@colo.example")
        issued = _enforce(colo, lab_db, "2026-12-01T09:00", *mail)
        assert [(a["action"], a["done"]) for a in issued["actions"]] == [("issue_notice", True)]
        notice = issued["actions"][0]["detail"]["notice"]
        assert issued["notices"] == [{"notice": notice, "contract": cid, "channel": "email",
                                      "to": "billing@acme.example", "sent": True, "error": None, "task": None,
                                      "ref": f"N{notice}"}]
        ((rcpt, message),) = inbox.messages
        assert rcpt == ["billing@acme.example"] and message["From"] == "noc@colo.example"
        subject = message["Subject"].replace("\r\n", "")  # unfolded
        assert cid in subject and "service stops 2026-12-02 09:00 (+0800 Asia/Shanghai)" in subject
        body = message.get_payload(decode=True).decode()
        assert "Service stops at 2026-12-02 09:00 (+0800 Asia/Shanghai)" in body
        assert "Amount due: 12000.00 CNY (payment overdue since 2026-11-27 23:59" in body

        account = _run(colo, lab_db, "2026-12-01T09:01", "payment", "show", cid)["stop_notice"]
        assert account["delivery"] == "delivered" and account["delivered_at"] == "2026-12-01T09:00:00+08:00"
        assert account["channel"] == "email" and account["attempts"] == 1 and account["stop_at"] == \
            "2026-12-02T09:00:00+08:00"

        before = _enforce(colo, lab_db, "2026-12-02T08:59", *mail)
        assert before["actions"] == [] and before["notices"] == [] and len(inbox.messages) == 1  # sent once
        assert "shutdown" not in port_block(lab, "sw-a101-1", iface)

        stopped = _enforce(colo, lab_db, "2026-12-02T09:00", *mail)
        assert [(a["action"], a["done"]) for a in stopped["actions"]] == [("suspend", True)]
    assert "shutdown" in port_block(lab, "sw-a101-1", iface)
    assert lab.device("sw-a101-1")["interfaces"][iface]["admin"] == "down"
    log = [r["action"] for r in _run(colo, lab_db, "2026-12-02T09:01", "audit", "list", "--contract", cid)]
    assert log.index("contract.stop_notice_issued") < log.index("contract.stop_notice_delivered") \
        < log.index("contract.suspended")


def test_relay_down_the_failure_is_recorded_service_stops_and_the_notice_is_sent_again(  # type: ignore[no-untyped-def]
        lab: Lab, lab_db: str, colo) -> None:
    cid, iface = active_contract(lab_db, "huawei_vrp", customer=Customer(name="Down Relay Co",
                                                                          email="ops@downrelay.example"))
    port = free_port(1)  # nothing listens here yet: the relay is down
    mail = ("--smtp", f"127.0.0.1:{port}", "--mail-from", "noc@colo.example")
    issued = _enforce(colo, lab_db, "2026-12-01T09:00", *mail)
    ((sent,),) = [issued["notices"]]
    assert not sent["sent"] and sent["error"].startswith("email to ops@downrelay.example failed")
    notice = sent["notice"]
    (row,) = _run(colo, lab_db, "2026-12-01T09:05", "notice", "list")
    assert row["delivery"] == "failed" and row["failed_at"] == "2026-12-01T09:00:00+08:00" and row["attempts"] == 1

    assert _enforce(colo, lab_db, "2026-12-02T08:59", *mail)["actions"] == []  # the stop time is what counts
    stopped = _enforce(colo, lab_db, "2026-12-02T09:00", *mail)  # still down: tried again, and service stops
    assert [(a["action"], a["done"]) for a in stopped["actions"]] == [("suspend", True)]
    assert [n["sent"] for n in stopped["notices"]] == [False]
    assert "shutdown" in port_block(lab, "sw-a101-2", iface)

    with smtp_server(port) as (_, inbox):  # the relay is back: the next run delivers the notice
        again = _enforce(colo, lab_db, "2026-12-02T10:00", *mail)
        assert [n["sent"] for n in again["notices"]] == [True]
        ((rcpt, message),) = inbox.messages
        assert rcpt == ["ops@downrelay.example"] and "2026-12-02 09:00" in message["Subject"].replace("\r\n", "")
        assert _enforce(colo, lab_db, "2026-12-02T10:05", *mail)["notices"] == []
    (row,) = _run(colo, lab_db, "2026-12-02T10:06", "notice", "list")
    assert row["notice"] == notice and row["delivery"] == "delivered" and row["attempts"] == 4
    events = [e["kind"] for e in _run(colo, lab_db, "2026-12-02T10:06", "contract", "show", cid)["events"]]
    assert events.count("stop_notice_failed") == 1, "the same failure again is counted, not logged again"
    assert events.count("stop_notice_delivered") == 1


def test_a_phone_contract_is_not_stopped_until_the_technician_logs_the_call(  # type: ignore[no-untyped-def]
        lab: Lab, lab_db: str, colo) -> None:
    cid, iface = active_contract(lab_db, "hp_comware", customer=Customer(name="Phone Only Co", mobile="13800000000"))
    issued = _enforce(colo, lab_db, "2026-12-01T09:00")
    ((task,),) = [issued["notices"]]
    assert task["channel"] == "phone" and task["to"] == "13800000000" and not task["sent"] and task["error"] is None
    assert f"colo notice delivered {task['notice']} --by phone" in task["task"]
    notice = str(task["notice"])

    assert _enforce(colo, lab_db, "2026-12-02T09:00")["actions"] == []  # stop time passed, nobody called yet
    assert _enforce(colo, lab_db, "2026-12-03T09:00")["actions"] == []
    assert "shutdown" not in port_block(lab, "sw-b201-1", iface)
    human = colo("--db", lab_db, "--at", "2026-12-03T09:00", "notice", "list")
    assert "not delivered yet: call 13800000000, then log it" in human.out

    assert colo("--db", lab_db, "notice", "failed", notice, "--reason", "").code == 2
    assert colo("--db", lab_db, "notice", "failed", "999", "--reason", "no answer").code == 2
    assert colo("--db", lab_db, "--at", "2026-11-30T09:00", "notice", "failed", notice, "--reason", "x").code == 2
    logged = _run(colo, lab_db, "2026-12-03T10:00", "notice", "failed", notice, "--reason", "number not in service")
    assert logged["delivery"] == "failed" and "number not in service" in logged["last_error"]

    stopped = _enforce(colo, lab_db, "2026-12-03T10:05")
    assert [(a["action"], a["done"]) for a in stopped["actions"]] == [("suspend", True)]
    assert "shutdown" in port_block(lab, "sw-b201-1", iface)

    called = _run(colo, lab_db, "2026-12-03T11:00", "notice", "delivered", notice, "--by", "phone")
    assert called["delivery"] == "delivered" and called["delivered_at"] == "2026-12-03T11:00:00+08:00"
    again = colo("--db", lab_db, "--at", "2026-12-03T11:05", "notice", "delivered", notice, "--json")
    assert again.code == 3 and "already delivered" in again.err
    audit = _run(colo, lab_db, "2026-12-03T11:10", "audit", "list", "--contract", cid)
    outcomes = [(r["action"], r["actor"]) for r in audit if r["action"].startswith("contract.stop_notice_")]
    assert outcomes == [("contract.stop_notice_issued", "tester"), ("contract.stop_notice_failed", "tester"),
                        ("contract.stop_notice_delivered", "tester")]
    assert all(r["authorization"] == "contract enforcement (§6)" for r in audit
               if r["action"].startswith("contract.stop_notice_"))


def test_webhook_contact_gets_a_stop_notice_event(site_db: str) -> None:
    api = Colo(db=site_db, at="2026-11-24T10:00")
    cid = api.sign(order("Gateway Co"))["id"]
    with http_server(200, Gateway) as gateway:
        api.set_contact(cid, "webhook", f"http://127.0.0.1:{gateway.server_port}/sms?key=SECRET")
        walk_to(api, cid, [State.PROVISIONED, State.ACTIVE], "2026-11-26T09:00+08:00")
        result = Colo(db=site_db, at="2026-12-01T09:00").enforce()
    ((event,),) = [gateway.received]
    assert event["event"] == "stop_notice" and event["contract"] == cid
    assert event["stop_at"] == "2026-12-02T09:00:00+08:00" and event["amount_due"] == "12000.00"
    assert result["notices"][0]["sent"] and "SECRET" not in json.dumps(result)
