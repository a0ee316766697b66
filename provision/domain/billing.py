"""What a contract owes and what enforcement must do about it (hosting contract §3.3, §6.6).

The fee is due per period (a year or a month) from signing, each period's payment by the
end of the 3rd day after it starts. A payment 3 days overdue earns a stop-service notice
that names when service stops; at that time the port is shut; paying restores it.
Everything here is a pure function of the contract's facts and 'now', so `colo enforce`
can be re-run any number of times and reach the same decisions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from provision.domain.lifecycle import StopReason
from provision.domain.terms import Payment

GRACE_DAYS = 3     # payment due by the end of the 3rd day after a period starts (§3.3)
NOTICE_DAYS = 3    # overdue this long → stop-service notice (§6.6)
DEFAULT_STOP_AFTER = timedelta(hours=24)


def period_start(signed_at: datetime, payment: Payment, k: int) -> datetime:
    return signed_at + relativedelta(months=k * (12 if payment is Payment.YEARLY else 1))


def period_index(signed_at: datetime, payment: Payment, moment: datetime) -> int:
    """The payment period `moment` falls in, counted from 0 at signing."""
    k = 0
    while period_start(signed_at, payment, k + 1) <= moment:
        k += 1
    return k


@dataclass(frozen=True)
class Fees:
    """The fee of each payment period: the signed fee, then each agreed change from the period it takes effect.

    A service change (SLA §5 服务内容变更处理) that changes the fee takes effect from the
    next payment period: the period already started is owed at the fee it started with.
    """

    signed: Decimal
    changes: tuple[tuple[int, Decimal], ...] = ()  # (first period at the new fee, fee), oldest first

    def of(self, k: int) -> Decimal:
        """The fee of period `k`; of two changes taking effect in the same period the later one counts."""
        fee = self.signed
        for first, changed in self.changes:
            if first <= k:
                fee = changed
        return fee

    def total(self, periods: int) -> Decimal:
        """What periods 0 .. periods-1 cost together."""
        return sum((self.of(k) for k in range(periods)), Decimal("0"))


def fees(fee: Decimal | Fees) -> Fees:
    """A flat fee is a schedule without changes."""
    return fee if isinstance(fee, Fees) else Fees(fee)


def due_date(start: datetime) -> datetime:
    """End (23:59:59 local) of the 3rd calendar day after the period starts."""
    return datetime.combine(start.date() + timedelta(days=GRACE_DAYS), time(23, 59, 59), tzinfo=start.tzinfo)


@dataclass(frozen=True)
class Standing:
    periods_started: int
    owed: Decimal        # fees of every period started by now
    paid: Decimal
    balance: Decimal     # paid - owed; negative is debt
    overdue_since: datetime | None  # due date of the oldest period not fully paid, once it has passed

    @property
    def in_debt(self) -> bool:
        return self.balance < 0


def standing(fee: Decimal | Fees, payment: Payment, term_months: int, signed_at: datetime, paid: Decimal,
             now: datetime) -> Standing:
    """The account as of `now`: periods started (within the term), owed, paid, and since when overdue.

    Each period is owed at its own fee (`Fees`): after a fee change the periods before
    it keep the fee they started with. Payments settle the oldest period first.
    """
    schedule = fees(fee)
    per_year = 1 if payment is Payment.YEARLY else 12
    max_periods = max(1, -(-term_months * per_year // 12))  # periods the term spans, rounded up
    started = sum(1 for k in range(max_periods) if period_start(signed_at, payment, k) <= now)
    owed = schedule.total(started)
    covered, settled = 0, Decimal("0")
    while covered < max_periods and settled + schedule.of(covered) <= paid:
        settled += schedule.of(covered)
        covered += 1
    overdue = None
    if covered < started:
        due = due_date(period_start(signed_at, payment, covered))
        if due < now:
            overdue = due
    return Standing(started, owed, paid, paid - owed, overdue)


class Action(StrEnum):
    ISSUE_NOTICE = "issue_notice"
    SUSPEND = "suspend"
    RESUME = "resume"


@dataclass(frozen=True)
class Notice:
    """A stop-service notice and what became of its delivery (§6.6 「发出"停止服务通知"」).

    `failed_at` is when a failed delivery was last recorded: the relay or gateway refused
    it, the customer left no contact, or a technician logged a phone call that did not
    reach them.
    """

    issued_at: datetime
    stop_at: datetime
    delivered_at: datetime | None = None
    failed_at: datetime | None = None

    @property
    def sent(self) -> bool:
        """Delivered, or its delivery failure recorded: what may stop service, at the time it lists."""
        return self.delivered_at is not None or self.failed_at is not None


def enforcement(state: str, account: Standing, notice: Notice | None, now: datetime,
                stop_reason: str | None = None) -> Action | None:
    """The one thing enforcement must do for a contract now, or None.

    Only a running service can be stopped (provisioned or active); a suspended one is
    restored as soon as nothing is owed — if it was stopped for non-payment: a stop by
    another authority (review, authorities, abuse) is never lifted by money. A notice is
    issued once per debt and service stops at the time it names, not before — and not
    before the notice was sent: delivered, or its failed delivery recorded (a notice
    waiting for a technician's phone call has not been sent). Service then stops at once
    if the listed time has passed; the listed time is never moved.
    """
    if state == "suspended":
        if stop_reason not in (None, StopReason.NONPAYMENT.value):
            return None
        return Action.RESUME if not account.in_debt else None
    if state not in ("provisioned", "active") or account.overdue_since is None:
        return None
    if notice is None:
        return Action.ISSUE_NOTICE if now >= account.overdue_since + timedelta(days=NOTICE_DAYS) else None
    return Action.SUSPEND if now >= notice.stop_at and notice.sent and state == "active" else None
