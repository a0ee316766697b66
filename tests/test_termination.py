"""Early termination arithmetic (§6.2, §8.5): exact to the fen, line by line."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from provision.domain.termination import forced_refund, notice_effective
from provision.domain.terms import Payment

SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def test_yearly_payer_forced_out_after_100_days() -> None:
    r = forced_refund(Decimal("36500.00"), Payment.YEARLY, at("2026-01-01T10:00"), Decimal("36500.00"),
                      at("2026-04-11T15:00"))  # 100 days into a 365-day year
    assert [line.amount for line in r.lines] == [Decimal("26500.00"), Decimal("700.00")]
    assert r.total == Decimal("27200.00")
    assert "100 of the 365 days" in r.basis


def test_monthly_payer_gets_three_days_and_rounding_adds_up() -> None:
    r = forced_refund(Decimal("1000.00"), Payment.MONTHLY, at("2026-11-24T10:00"), Decimal("2000.00"),
                      at("2027-01-04T09:00"))  # 2nd month (Dec 24 - Jan 24, 31 days), 11 days used
    assert r.lines[0].amount == Decimal("645.16")  # 2000 - (1000 + 1000*11/31 = 354.84)
    assert r.lines[1].amount == Decimal("96.77")   # 1000/31*3 = 96.774..
    assert r.total == Decimal("741.93")


def test_nothing_unused_when_unpaid() -> None:
    r = forced_refund(Decimal("1000.00"), Payment.MONTHLY, at("2026-11-24T10:00"), Decimal("0"), at("2026-12-01T10:00"))
    assert r.lines[0].amount == Decimal("0.00") and r.total == r.lines[1].amount


def test_customer_notice_takes_effect_one_month_later() -> None:
    assert notice_effective(at("2027-01-31T10:00")) == at("2027-02-28T10:00")
