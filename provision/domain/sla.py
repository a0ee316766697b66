"""The availability guarantee and its credits (service-quality agreement §1-§4), as pure arithmetic.

A month's counted outage is the provider's share only: outages the customer did not
report within 5 days, maintenance the customer agreed to, the customer's own circuits,
equipment, applications or negligence, and force majeure are excluded — each exclusion
named, so a report can show why a minute did not count. 44 minutes or more counted in a
month (availability under 99.9 %) waives that month's fee. Separately, each emergency
reported later than 15 minutes after it was declared costs one day's fee, at most one
deduction per calendar day. Money is Decimal, rounded half-up to the fen per line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from provision.domain.money import Line, to_fen

REPORT_WINDOW = timedelta(days=5)
BREACH_MINUTES = 44
EMERGENCY_REPORT = timedelta(minutes=15)


class Exclusion(StrEnum):
    UNREPORTED = "not reported within 5 days"
    AGREED_MAINTENANCE = "maintenance the customer agreed to"
    CUSTOMER_EQUIPMENT = "customer's circuits or equipment"
    CUSTOMER_APPLICATION = "customer's applications or installs"
    CUSTOMER_NEGLIGENCE = "customer's negligence or operations it authorized"
    FORCE_MAJEURE = "force majeure"


@dataclass(frozen=True)
class Outage:
    start: datetime
    end: datetime
    kind: str  # network | power (power: mains and UPS both without power)
    reported_at: datetime | None
    excluded: Exclusion | None = None  # as classified by a person; "unreported" is derived


@dataclass(frozen=True)
class Counted:
    outage: Outage
    minutes_in_month: int
    counted: bool
    reason: str | None  # why it does not count


def month_window(month: str, tz: object) -> tuple[datetime, datetime]:
    """`2026-12` → [start, end) in the site's timezone."""
    first = date.fromisoformat(f"{month}-01")
    start = datetime(first.year, first.month, 1, tzinfo=tz)  # type: ignore[arg-type]
    return start, start + relativedelta(months=1)


PENDING_REPORT = "not reported yet: the customer has 5 days"


def classify(outages: list[Outage], start: datetime, end: datetime, now: datetime | None = None) -> list[Counted]:
    """Each outage's minutes in the month and whether they count; as of `now`, an unreported
    outage younger than 5 days is still pending, not yet excluded."""
    out = []
    for o in sorted(outages, key=lambda o: o.start):
        lo, hi = max(o.start, start), min(o.end, end)
        minutes = max(0, int((hi - lo).total_seconds() // 60))
        if minutes == 0:
            continue
        reason = o.excluded.value if o.excluded else None
        if reason is None and o.reported_at is None and now is not None and now <= o.start + REPORT_WINDOW:
            reason = PENDING_REPORT
        elif reason is None and (o.reported_at is None or o.reported_at > o.start + REPORT_WINDOW):
            reason = Exclusion.UNREPORTED.value
        out.append(Counted(o, minutes, reason is None, reason))
    return out


@dataclass(frozen=True)
class MonthReport:
    minutes_in_month: int
    counted_minutes: dict[str, int]  # per kind
    availability: dict[str, Decimal]  # per kind, percent with 3 decimals
    breached: bool
    credits: tuple[Line, ...]
    cap: Decimal  # the month's fee: no month is credited more than it costs

    @property
    def total(self) -> Decimal:
        return min(sum((c.amount for c in self.credits), Decimal("0.00")), self.cap)


def report(outages: list[Outage], emergencies: list[tuple[datetime, datetime | None]], month_fee: Decimal,
           start: datetime, end: datetime, now: datetime | None = None) -> MonthReport:
    """The month's availability per kind, the breach, and every credit line (never more than the month's fee).

    As of `now`, an emergency not yet notified is late only once its 15 minutes are up."""
    counted = classify(outages, start, end, now)
    total_minutes = int((end - start).total_seconds() // 60)
    per_kind = {kind: sum(c.minutes_in_month for c in counted if c.counted and c.outage.kind == kind)
                for kind in ("network", "power")}
    availability = {kind: (Decimal(100) * (1 - Decimal(m) / Decimal(total_minutes))).quantize(Decimal("0.001"))
                    for kind, m in per_kind.items()}
    breached = any(m >= BREACH_MINUTES for m in per_kind.values())
    credits: list[Line] = []
    if breached:
        worst = max(per_kind, key=lambda k: per_kind[k])
        credits.append(Line(f"{worst} outage {per_kind[worst]} min >= {BREACH_MINUTES} min: month's fee waived",
                              to_fen(month_fee)))
    else:
        days = (end.date() - start.date()).days
        day_fee = to_fen(month_fee / days)
        late_days = sorted({declared.date() for declared, notified in emergencies
                            if start <= declared < end and (notified or now or end) > declared + EMERGENCY_REPORT})
        credits += [Line(f"emergency of {d} reported late (> 15 min): one day's fee", day_fee) for d in late_days]
    return MonthReport(total_minutes, per_kind, availability, breached, tuple(credits), month_fee)
