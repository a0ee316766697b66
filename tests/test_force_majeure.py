"""Termination by force majeure (hosting contract §8.3): ended now, no economic compensation.

§8.3: a termination by force majeure carries no economic compensation. Our reading: the unused part of
the fee already paid is still refunded — it pays for service that will not be given, so
returning it compensates nothing — but the free-use compensation that a termination forced
by policy or the carrier earns (§8.5: 1 week for yearly payers, 3 days for monthly) is not due.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from provision.api import Colo
from provision.domain.lifecycle import State
from provision.domain.termination import FORCED_CAUSES, forced_refund
from provision.domain.terms import Payment
from tests.conftest import order
from tests.lab_contracts import walk_to

SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def test_yearly_payer_gets_the_unused_fee_and_no_compensation() -> None:
    """§8.3, no economic compensation: the unused 265 days of a 365-day year come back, the week of free use does not."""
    r = forced_refund(Decimal("36500.00"), Payment.YEARLY, at("2026-01-01T10:00"), Decimal("36500.00"),
                      at("2026-04-11T15:00"), compensated=False)
    assert [(line.label, line.amount) for line in r.lines] == [("unused fee: 36500.00 - 10000.00", Decimal("26500.00"))]
    assert r.total == Decimal("26500.00") and "no compensation (force majeure, §8.3)" in r.basis
    policy = forced_refund(Decimal("36500.00"), Payment.YEARLY, at("2026-01-01T10:00"), Decimal("36500.00"),
                           at("2026-04-11T15:00"))
    assert policy.total - r.total == Decimal("700.00")  # exactly the 7 days §8.5 would have added


def test_monthly_payer_gets_the_unused_fee_and_no_compensation() -> None:
    """§8.3 against §8.5's 3 days for monthly payers: only the unused paid month is refunded."""
    r = forced_refund(Decimal("1000.00"), Payment.MONTHLY, at("2026-11-24T10:00"), Decimal("2000.00"),
                      at("2027-01-04T09:00"), compensated=False)  # 11 of the 31 days of the 2nd month used
    assert [line.amount for line in r.lines] == [Decimal("645.16")] and r.total == Decimal("645.16")


def test_nothing_paid_nothing_refunded() -> None:
    r = forced_refund(Decimal("1000.00"), Payment.MONTHLY, at("2026-11-24T10:00"), Decimal("0"),
                      at("2026-12-01T10:00"), compensated=False)
    assert r.total == Decimal("0.00")


def test_which_causes_are_compensated() -> None:
    assert FORCED_CAUSES == {"policy": True, "carrier": True, "force-majeure": False}


def test_terminate_forced_by_force_majeure_from_the_command_line(site_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    api = Colo(db=site_db, at="2026-11-24T10:00")
    cid = api.sign(order("Typhoon Co", payment="monthly", fee="1000.00"))["id"]
    walk_to(api, cid, [State.PROVISIONED, State.ACTIVE], "2026-11-26T09:00+08:00")
    assert Colo(db=site_db, at="2026-11-25T09:00").payment(cid, "2000.00")["recorded"] == "2000.00"
    r = colo("--db", site_db, "--at", "2027-01-04T09:00", "contract", "terminate", cid, "--forced", "force-majeure", "--json")
    assert r.code == 0, r.err
    done = json.loads(r.out)
    assert done["ends_at"] == "2027-01-04T09:00:00+08:00"
    assert [line["amount"] for line in done["refund"]["lines"]] == ["645.16"] and done["refund"]["total"] == "645.16"
    view = Colo(db=site_db, at="2027-01-04T09:01").contract(cid)
    assert view["state"] == "ended"
    assert [(e["kind"], e["detail"]) for e in view["events"]][-2:] == [
        ("ended", "terminated, forced by force-majeure (§8.3, no compensation)"), ("refund_due", "645.16 = 645.16")]
    human = colo("--db", site_db, "--at", "2027-01-04T09:02", "contract", "terminate", cid, "--forced", "force-majeure")
    assert human.code == 3  # ended already
    bad = colo("--db", site_db, "contract", "terminate", cid, "--forced", "flood")
    assert bad.code == 2 and "force-majeure" in bad.err
