"""The service-quality agreement's availability clauses read exactly (§1.2, §2.2, exclusions, §4.7).

§1.2 network: "99.9 %, i.e. less than 44 minutes" of outage a month — the minute figure governs in every month.
§2.2 power: "99.9 %" with no minute figure — 99.9 % of that month's own minutes (40.32 in a 28-day month).
Exclusions also cover 「甲方导致的其它原因」 (other causes of the customer's making); a power outage (mains and UPS
both without power) cannot be the customer's circuits, equipment or applications.
§4.7: the 15-minute report is waived when the customer's contact details were out of date or wrong, or by force
majeure.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from provision.domain.sla import (
    EmergencyReport,
    Exclusion,
    Outage,
    Waiver,
    allowance,
    exclusions_for,
    month_window,
    report,
)

SH = ZoneInfo("Asia/Shanghai")
FEE = Decimal("1000.00")
MONTHS = {"2026-02": 28, "2028-02": 29, "2026-11": 30, "2026-12": 31}


def _outage(month: str, minutes: int, kind: str) -> Outage:
    start = datetime.fromisoformat(f"{month}-10T10:00").replace(tzinfo=SH)
    return Outage(start, start + timedelta(minutes=minutes), kind, start + timedelta(hours=1))


def _breached(month: str, minutes: int, kind: str) -> bool:
    return report([_outage(month, minutes, kind)], [], FEE, *month_window(month, SH)).breached


@pytest.mark.parametrize(("month", "days"), MONTHS.items())
def test_network_less_than_44_minutes_in_every_month(month: str, days: int) -> None:
    """§1.2 "99.9 %, i.e. less than 44 minutes": the contract's own figure, also where 99.9 % of a short month
    would allow fewer (28 days: 40.32) — 43 minutes never breach, 44 always do."""
    start, end = month_window(month, SH)
    assert (end - start) == timedelta(days=days)
    assert not _breached(month, 43, "network")
    assert _breached(month, 44, "network")
    assert allowance("network", days * 1440).minutes == 43


@pytest.mark.parametrize(("month", "within", "limit"), [
    ("2026-02", 40, "40.32"),  # 28 days: 40 minutes within, 41 breach
    ("2028-02", 41, "41.76"),  # 29 days
    ("2026-11", 43, "43.2"),   # 30 days
    ("2026-12", 44, "44.64"),  # 31 days: 44 minutes of power are still 99.9 %
])
def test_power_is_99_9_percent_of_that_months_minutes(month: str, within: int, limit: str) -> None:
    """§2.2 "99.9 %" and no minute figure: a 42-minute February power outage breaches (99.896 %)."""
    assert not _breached(month, within, "power")
    assert _breached(month, within + 1, "power")
    a = allowance("power", MONTHS[month] * 1440)
    assert (a.limit, a.minutes) == (Decimal(limit), within)
    feb = report([_outage("2026-02", 42, "power")], [], FEE, *month_window("2026-02", SH))
    assert feb.availability["power"] == Decimal("99.896") and feb.breached
    assert [c.label for c in feb.credits] == ["power outage 42 min > 40.32 min (99.9 % of the month): month's fee waived"]


def test_other_causes_of_the_customers_making_are_excluded_for_both_kinds() -> None:
    """「甲方导致的其它原因」: an exclusion of its own, for network and power outages."""
    assert Exclusion.CUSTOMER_OTHER.value == "other causes of the customer's making"
    assert Exclusion.CUSTOMER_OTHER in exclusions_for("network") and Exclusion.CUSTOMER_OTHER in exclusions_for("power")
    o = _outage("2026-12", 60, "power")
    excluded = Outage(o.start, o.end, "power", o.reported_at, Exclusion.CUSTOMER_OTHER)
    assert not report([excluded], [], FEE, *month_window("2026-12", SH)).breached


def test_power_outages_have_their_own_list_of_exclusions() -> None:
    """A power outage is mains and UPS both without power: the customer's circuits or equipment and its
    applications are causes on the network side; maintenance, negligence, other causes of the customer's making
    and force majeure (a grid failure) can cut power."""
    assert set(exclusions_for("network")) == set(Exclusion)
    assert set(exclusions_for("power")) == {Exclusion.UNREPORTED, Exclusion.AGREED_MAINTENANCE,
                                            Exclusion.CUSTOMER_NEGLIGENCE, Exclusion.CUSTOMER_OTHER,
                                            Exclusion.FORCE_MAJEURE}


def test_a_waived_late_report_costs_nothing_and_says_why() -> None:
    """§4.7: contact details out of date or wrong, or force majeure: no deduction for that emergency; another
    emergency of the same day reported late still costs the day."""
    start, end = month_window("2026-12", SH)
    fee = Decimal("3100.00")  # 100.00 a day

    def at(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=SH)

    r = report([], [EmergencyReport(at("2026-12-05T10:00"), at("2026-12-05T11:00"), Waiver.CONTACT_INVALID, "monitor"),
                    EmergencyReport(at("2026-12-06T10:00"), None, Waiver.FORCE_MAJEURE, "Wang Wu"),
                    EmergencyReport(at("2026-12-07T10:00"), at("2026-12-07T10:40"), Waiver.FORCE_MAJEURE, "Wang Wu"),
                    (at("2026-12-07T12:00"), at("2026-12-07T12:30"))], fee, start, end)
    assert [c.label for c in r.credits] == ["emergency of 2026-12-07 reported late (> 15 min): one day's fee"]
    assert r.total == Decimal("100.00")
    assert r.waived == (
        "emergency of 2026-12-05 reported late: no deduction, the customer's contact details were out of date or "
        "wrong (SLA §4.7; classified by monitor)",
        "emergency of 2026-12-06 reported late: no deduction, force majeure (SLA §4.7; classified by Wang Wu)",
        "emergency of 2026-12-07 reported late: no deduction, force majeure (SLA §4.7; classified by Wang Wu)")


# --- the commands ------------------------------------------------------------------------------------------


@pytest.fixture
def provisioned(site_db: str) -> str:
    from provision.api import Colo
    from provision.domain.lifecycle import State
    from tests.conftest import order
    from tests.lab_contracts import walk_to

    api = Colo(db=site_db, at="2026-01-24T10:00")
    cid = str(api.sign(order("ACME", fee="2800.00", payment="monthly"))["id"])
    walk_to(api, cid, [State.PROVISIONED, State.ACTIVE], "2026-01-25T10:00:00+08:00")  # in service (SLA §1)
    return cid


def test_a_february_power_outage_in_the_report_and_its_allowance(site_db: str, provisioned: str, colo,  # type: ignore[no-untyped-def]
                                                                   tmp_path: Path) -> None:
    r = colo("--db", site_db, "--at", "2026-03-02T10:00", "outage", "record", provisioned, "--kind", "power",
             "--start", "2026-02-10T10:00", "--end", "2026-02-10T10:42", "--cause", "UPS transfer failed",
             "--reported-at", "2026-02-10T11:00")
    assert r.code == 0, r.err
    report_ = json.loads(colo("--db", site_db, "--at", "2026-03-02T10:00", "sla", "report", provisioned, "--month",
                              "2026-02", "--json").out)
    assert report_["allowance"] == {"network": {"minutes": 43, "rule": "less than 44 min a month (SLA §1.2)"},
                                    "power": {"minutes": 40, "rule": "99.9 % of 40320 min: at most 40.32 min (SLA §2.2)"}}
    assert report_["availability_percent"]["power"] == "99.896" and report_["breached"] is True
    assert report_["total_credit"] == "2800.00"
    text = colo("--db", site_db, "--at", "2026-03-02T10:00", "sla", "report", provisioned, "--month", "2026-02").out
    assert "power allowance: 40 min (99.9 % of 40320 min: at most 40.32 min (SLA §2.2))" in text
    page = tmp_path / "sla.html"
    assert colo("--db", site_db, "--at", "2026-03-02T10:00", "sla", "report", provisioned, "--month", "2026-02",
                "--html", str(page)).code == 0
    html = page.read_text()
    assert '<tr data-kind="power"><td>power</td><td>42</td><td>99.896 %</td><td data-allowance="40">40 min (99.9 % of ' \
           '40320 min: at most 40.32 min (SLA §2.2))</td></tr>' in html
    assert '<td data-allowance="43">43 min (less than 44 min a month (SLA §1.2))</td>' in html


@pytest.mark.parametrize("reason", ["customer-application", "customer-equipment"])
def test_a_power_outage_refuses_network_only_exclusions(site_db: str, provisioned: str, colo, reason: str) -> None:  # type: ignore[no-untyped-def]
    base = ("--db", site_db, "--at", "2026-03-02T10:00")
    before = Path(site_db).read_bytes() if "://" not in site_db else None
    r = colo(*base, "outage", "record", provisioned, "--kind", "power", "--start", "2026-02-10T10:00", "--end",
             "2026-02-10T10:30", "--cause", "breaker", "--exclude", reason)
    assert r.code == 2 and r.out == ""
    assert (f"--exclude '{reason}': a power outage is excluded only as one of agreed-maintenance, "
            "customer-negligence, customer-other, force-majeure") in r.err
    if before is not None:
        assert Path(site_db).read_bytes() == before  # bad input changes nothing
    made = colo(*base, "outage", "record", provisioned, "--kind", "power", "--start", "2026-02-10T10:00", "--end",
                "2026-02-10T10:30", "--cause", "breaker", "--json")
    outage = json.loads(made.out)["outage"]
    refused = colo(*base, "outage", "classify", str(outage), "--exclude", reason)
    assert refused.code == 2 and "customer-other" in refused.err
    done = colo(*base, "outage", "classify", str(outage), "--exclude", "customer-other", "--json")
    assert done.code == 0 and json.loads(done.out) == {
        "outage": outage, "contract": provisioned, "excluded": "other causes of the customer's making",
        "classified_by": "tester", "ref": f"O{outage}"}
    network = colo(*base, "outage", "record", provisioned, "--kind", "network", "--start", "2026-02-11T10:00",
                   "--end", "2026-02-11T10:30", "--cause", "customer's router", "--exclude", reason)
    assert network.code == 0, network.err  # the same reason is the network's
