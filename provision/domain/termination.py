"""Ending a contract early (hosting contract §6.2, §8.3, §8.5): when it ends and what is refunded.

A customer's written notice ends the contract one month later. A termination forced by
policy or the upstream carrier ends it now and refunds the unused part of what was
paid plus free-use compensation: one week of fee for yearly payers, three days for
monthly payers. Force majeure (§8.3) ends it now with no economic compensation: the
unused part of what was paid is still refunded — it pays for service that will not be
given, which is no compensation — but there is no free-use line. Amounts are Decimal,
each line rounded half-up to the fen (0.01 CNY), and the total is the sum of the
printed lines, so the sheet always adds up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from provision.domain.billing import Fees, fees, period_index, period_start
from provision.domain.money import Line, to_fen
from provision.domain.terms import Payment

COMPENSATION_DAYS = {Payment.YEARLY: 7, Payment.MONTHLY: 3}
# Why a contract may be ended now, and whether the cause earns free-use compensation:
# policy and the upstream carrier do (§8.5); force majeure does not (§8.3: no economic compensation).
FORCED_CAUSES = {"policy": True, "carrier": True, "force-majeure": False}


def notice_effective(notice_at: datetime) -> datetime:
    return notice_at + relativedelta(months=1)


@dataclass(frozen=True)
class Refund:
    basis: str  # how much of what was paid has been used, in words
    lines: tuple[Line, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


def forced_refund(fee: Decimal | Fees, payment: Payment, signed_at: datetime, paid: Decimal, ended_at: datetime,
                  compensated: bool = True) -> Refund:
    """Unused paid fee at `ended_at` plus, if `compensated`, the compensation, line by line.

    Each period is valued at its own fee (a service change moves the fee from the next
    period on), and the current period's fee prices its used days and the compensation.
    """
    schedule = fees(fee)
    k = period_index(signed_at, payment, ended_at)
    fee = schedule.of(k)
    start, end = period_start(signed_at, payment, k), period_start(signed_at, payment, k + 1)
    period_days = Decimal((end.date() - start.date()).days)
    used_days = Decimal((ended_at.date() - start.date()).days)
    consumed = schedule.total(k) + to_fen(fee * used_days / period_days)
    unused = max(paid - consumed, Decimal("0"))
    days = COMPENSATION_DAYS[payment]
    per_day = fee / period_days
    basis = (f"paid {paid}; used {k} full period(s) and {used_days} of the {period_days} days of the current one "
             f"({start.date()} to {end.date()}), worth {consumed}")
    unused_line = Line(f"unused fee: {paid} - {consumed}", to_fen(unused))
    if not compensated:
        return Refund(basis + "; no compensation (force majeure, §8.3)", (unused_line,))
    return Refund(basis, (
        unused_line,
        Line(f"compensation: {days} days of free use at {fee} / {period_days} days", to_fen(per_day * days)),
    ))
