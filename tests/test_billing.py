"""Payment standing and enforcement decisions (hosting contract §3.3, §6.6): pure, no I/O."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from provision.domain.billing import Action, Notice, due_date, enforcement, standing
from provision.domain.terms import Payment

SH = ZoneInfo("Asia/Shanghai")
SIGNED = datetime(2026, 11, 24, 10, 0, tzinfo=SH)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def test_first_payment_due_end_of_third_day() -> None:
    assert due_date(SIGNED) == at("2026-11-27T23:59:59")
    s = standing(Decimal("12000.00"), Payment.YEARLY, 12, SIGNED, Decimal("0"), at("2026-11-27T23:59:59"))
    assert s.in_debt and s.overdue_since is None  # owed, not yet overdue
    s = standing(Decimal("12000.00"), Payment.YEARLY, 12, SIGNED, Decimal("0"), at("2026-11-28T00:00"))
    assert s.overdue_since == at("2026-11-27T23:59:59") and s.balance == Decimal("-12000.00")


def test_monthly_periods_accumulate_and_partial_payment_counts_exactly() -> None:
    fee = Decimal("1000.10")
    s = standing(fee, Payment.MONTHLY, 12, SIGNED, Decimal("1500.00"), at("2027-01-25T09:00"))
    assert s.periods_started == 3 and s.owed == Decimal("3000.30") and s.balance == Decimal("-1500.30")
    assert s.overdue_since == at("2026-12-27T23:59:59")  # the 2nd month is the oldest not fully paid
    paid_up = standing(fee, Payment.MONTHLY, 12, SIGNED, Decimal("3000.30"), at("2027-01-25T09:00"))
    assert not paid_up.in_debt and paid_up.overdue_since is None


def test_periods_stop_at_the_end_of_the_term() -> None:
    s = standing(Decimal("100"), Payment.MONTHLY, 3, SIGNED, Decimal("300"), at("2027-06-01T00:00"))
    assert s.periods_started == 3 and not s.in_debt


@pytest.mark.parametrize(("state", "paid", "notice", "now", "expected"), [
    ("active", "0", None, "2026-11-30T23:59", None),                       # overdue 2 days: not yet
    ("active", "0", None, "2026-11-30T23:59:59", Action.ISSUE_NOTICE),     # 3 days overdue
    ("provisioned", "0", None, "2026-12-01T09:00", Action.ISSUE_NOTICE),
    ("active", "0", "2026-12-02T09:00", "2026-12-02T08:59", None),         # notice out, stop time ahead
    ("active", "0", "2026-12-02T09:00", "2026-12-02T09:00", Action.SUSPEND),
    ("provisioned", "0", "2026-12-02T09:00", "2026-12-03T09:00", None),    # nothing running to stop
    ("suspended", "0", "2026-12-02T09:00", "2026-12-05T09:00", None),
    ("suspended", "12000", "2026-12-02T09:00", "2026-12-05T09:00", Action.RESUME),
    ("active", "12000", None, "2026-12-05T09:00", None),
    ("signed", "0", None, "2026-12-05T09:00", None),
])
def test_enforcement_decisions(state: str, paid: str, notice: str | None, now: str, expected: Action | None) -> None:
    account = standing(Decimal("12000"), Payment.YEARLY, 12, SIGNED, Decimal(paid), at(now))
    n = Notice(at(notice) - timedelta(hours=24), at(notice), delivered_at=at(notice) - timedelta(hours=24)) \
        if notice else None
    assert enforcement(state, account, n, at(now)) == expected
