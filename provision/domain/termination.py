"""Ending a contract early (hosting contract §6.2, §8.5): when it ends and what is refunded.

A customer's written notice ends the contract one month later. A termination forced by
policy or the upstream carrier ends it now and refunds the unused part of what was
paid plus free-use compensation: one week of fee for yearly payers, three days for
monthly payers. Amounts are Decimal, each line rounded half-up to the fen (0.01 CNY),
and the total is the sum of the printed lines, so the sheet always adds up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from provision.domain.billing import period_start
from provision.domain.money import Line, to_fen
from provision.domain.terms import Payment

COMPENSATION_DAYS = {Payment.YEARLY: 7, Payment.MONTHLY: 3}


def notice_effective(notice_at: datetime) -> datetime:
    return notice_at + relativedelta(months=1)


@dataclass(frozen=True)
class Refund:
    basis: str  # how much of what was paid has been used, in words
    lines: tuple[Line, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


def forced_refund(fee: Decimal, payment: Payment, signed_at: datetime, paid: Decimal, ended_at: datetime) -> Refund:
    """Unused paid fee at `ended_at` plus the compensation, line by line."""
    k = 0
    while period_start(signed_at, payment, k + 1) <= ended_at:
        k += 1
    start, end = period_start(signed_at, payment, k), period_start(signed_at, payment, k + 1)
    period_days = Decimal((end.date() - start.date()).days)
    used_days = Decimal((ended_at.date() - start.date()).days)
    consumed = fee * k + to_fen(fee * used_days / period_days)
    unused = max(paid - consumed, Decimal("0"))
    days = COMPENSATION_DAYS[payment]
    per_day = fee / period_days
    basis = (f"paid {paid}; used {k} full period(s) and {used_days} of the {period_days} days of the current one "
             f"({start.date()} to {end.date()}), worth {consumed}")
    return Refund(basis, (
        Line(f"unused fee: {paid} - {consumed}", to_fen(unused)),
        Line(f"compensation: {days} days of free use at {fee} / {period_days} days", to_fen(per_day * days)),
    ))
