"""SLA arithmetic (service-quality agreement §1-§4): counted minutes, exclusions, breach, credits."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from provision.domain.sla import Exclusion, Outage, classify, month_window, report

SH = ZoneInfo("Asia/Shanghai")
START, END = month_window("2026-12", SH)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def outage(start: str, minutes: int, kind: str = "network", reported: str | None = "same",
           excluded: Exclusion | None = None) -> Outage:
    s = at(start)
    rep = s + timedelta(hours=1) if reported == "same" else (at(reported) if reported else None)
    return Outage(s, s + timedelta(minutes=minutes), kind, rep, excluded)


def test_month_window_and_clipping_at_its_edges() -> None:
    assert (at("2026-12-01T00:00"), at("2027-01-01T00:00")) == (START, END)
    counted = classify([outage("2026-11-30T23:50", 20), outage("2026-12-31T23:55", 30)], START, END)
    assert [c.minutes_in_month for c in counted] == [10, 5]


def test_exclusions_are_named_and_unreported_ones_do_not_count() -> None:
    counted = classify([outage("2026-12-03T10:00", 30, reported="2026-12-09T10:00"),
                        outage("2026-12-04T10:00", 30, reported=None),
                        outage("2026-12-05T10:00", 30, excluded=Exclusion.FORCE_MAJEURE),
                        outage("2026-12-06T10:00", 30, reported="2026-12-11T10:00")], START, END)
    assert [(c.counted, c.reason) for c in counted] == [
        (False, "not reported within 5 days"), (False, "not reported within 5 days"), (False, "force majeure"),
        (True, None)]  # reported exactly 5 days later still counts


def test_mid_month_an_unreported_outage_is_pending_and_an_unnotified_emergency_not_yet_late() -> None:
    now = at("2026-12-06T10:00")
    counted = classify([outage("2026-12-03T10:00", 30, reported=None), outage("2026-12-01T09:00", 30, reported=None)],
                       START, END, now)
    assert [(c.counted, c.reason) for c in counted] == [
        (False, "not reported within 5 days"), (False, "not reported yet: the customer has 5 days")]
    emergencies: list[tuple[datetime, datetime | None]] = [(at("2026-12-06T09:50"), None), (at("2026-12-06T09:40"), None)]
    r = report([], emergencies, Decimal("3100.00"), START, END, now)
    assert [c.label for c in r.credits] == ["emergency of 2026-12-06 reported late (> 15 min): one day's fee"]
    assert report([], emergencies[:1], Decimal("3100.00"), START, END, now).credits == ()  # 10 minutes in: not yet


def test_43_minutes_is_no_breach_44_waives_the_month() -> None:
    fee = Decimal("1000.00")
    ok = report([outage("2026-12-03T10:00", 43)], [], fee, START, END)
    assert not ok.breached and ok.availability["network"] == Decimal("99.904") and ok.total == Decimal("0.00")
    bad = report([outage("2026-12-03T10:00", 20), outage("2026-12-20T10:00", 24)], [], fee, START, END)
    assert bad.breached and bad.counted_minutes["network"] == 44 and bad.total == Decimal("1000.00")
    power = report([outage("2026-12-03T10:00", 50, kind="power", excluded=Exclusion.AGREED_MAINTENANCE)], [], fee,
                   START, END)
    assert not power.breached and power.counted_minutes["power"] == 0


def test_late_emergency_reports_cost_one_day_each_at_most_once_a_day() -> None:
    fee = Decimal("3100.00")  # 100.00 a day in December
    emergencies = [(at("2026-12-05T10:00"), at("2026-12-05T10:15")),   # exactly 15 min: in time
                   (at("2026-12-06T10:00"), at("2026-12-06T10:16")),   # late
                   (at("2026-12-06T18:00"), None),                     # late again the same day: no second deduction
                   (at("2026-12-07T01:00"), at("2026-12-07T02:00"))]   # late
    r = report([], emergencies, fee, START, END)
    assert [c.amount for c in r.credits] == [Decimal("100.00"), Decimal("100.00")] and r.total == Decimal("200.00")


def test_month_report_from_the_store_counts_excludes_and_credits(site_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    import json

    from provision.api import Colo
    from provision.domain.lifecycle import State
    from tests.conftest import order
    from tests.lab_contracts import walk_to

    api = Colo(db=site_db, at="2026-11-24T10:00")
    cid = api.sign(order("ACME", fee="3720.00", payment="monthly"))["id"]
    walk_to(api, cid, [State.PROVISIONED, State.ACTIVE], "2026-11-25T10:00:00+08:00")  # in service: outages count

    def run(*args: str) -> dict:  # type: ignore[type-arg]
        r = colo("--db", site_db, "--at", "2027-01-02T10:00", *args, "--json")  # the month is over
        assert r.code == 0, r.err
        return json.loads(r.out)  # type: ignore[no-any-return]

    run("outage", "record", cid, "--kind", "network", "--start", "2026-12-03T10:00", "--end", "2026-12-03T10:30",
        "--cause", "upstream switch reboot", "--reported-at", "2026-12-03T11:00")
    run("outage", "record", cid, "--kind", "network", "--start", "2026-12-10T02:00", "--end", "2026-12-10T03:00",
        "--cause", "planned firmware upgrade", "--reported-at", "2026-12-10T09:00", "--exclude", "agreed-maintenance")
    run("outage", "record", cid, "--kind", "power", "--start", "2026-12-20T10:00", "--end", "2026-12-20T10:20",
        "--cause", "PDU breaker", "--reported-at", "2026-12-28T10:00")       # reported 8 days later
    run("emergency", "record", cid, "--declared", "2026-12-03T10:10", "--notified", "2026-12-03T10:40",
        "--channel", "phone")
    r = run("sla", "report", cid, "--month", "2026-12")
    assert [(o["minutes"], o["counted"], o["excluded_because"]) for o in r["outages"]] == [
        (30, True, None), (60, False, "maintenance the customer agreed to"), (20, False, "not reported within 5 days")]
    assert r["counted_minutes"] == {"network": 30, "power": 0} and not r["breached"]
    assert r["availability_percent"]["network"] == "99.933"
    assert r["credits"] == [{"item": "emergency of 2026-12-03 reported late (> 15 min): one day's fee",
                             "amount": "120.00"}] and r["total_credit"] == "120.00"
    run("outage", "record", cid, "--kind", "network", "--start", "2026-12-24T10:00", "--end", "2026-12-24T10:14",
        "--cause", "uplink flap", "--reported-at", "2026-12-24T10:30")
    r = run("sla", "report", cid, "--month", "2026-12")
    assert r["breached"] and r["counted_minutes"]["network"] == 44 and r["total_credit"] == "3720.00"
    site = run("sla", "report", "--month", "2026-12")
    assert site["breached"] == 1 and [c["contract"] for c in site["contracts"]] == [cid]
    r = colo("--db", site_db, "outage", "record", cid, "--kind", "network", "--start", "2026-12-24T10:00",
             "--cause", "x", "--exclude", "bad-luck")
    assert r.code == 2 and "--exclude" in r.err
