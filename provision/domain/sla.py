"""The availability guarantee and its credits (service-quality agreement §1-§4), as pure arithmetic.

A month's counted outage is the provider's share only: outages the customer did not
report within 5 days, maintenance the customer agreed to, the customer's own circuits,
equipment, applications or negligence, other causes of the customer's making, and force
majeure are excluded — each exclusion named, so a report can show why a minute did not
count; a power outage can be excluded only for the reasons that can cut a unit's power.
The network allows "99.9 %, i.e. less than 44 minutes" a month (§1.2): 44 counted minutes
breach it in every month. Power allows 99.9 % of that month's minutes (§2.2, no minute
figure): 40.32 in February, 44.64 in a 31-day month. A breach waives that month's fee.
Separately, each emergency reported later than 15 minutes after it was declared costs one
day's fee, at most one deduction per calendar day — unless the report was waived because
the customer's contact details were out of date or wrong, or by force majeure (§4.7).
Only the contract's service period counts: from network activation (the term's start,
§2) until the contract ended. An outage recorded before the service began or after it
ended — or the part of one that lies outside — is listed but not counted: the guarantee
is the availability of the service the customer was given (SLA §1.2, §2.2).
Money is Decimal, rounded half-up to the fen per line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from dateutil.relativedelta import relativedelta

from provision.domain.money import Line, to_fen

REPORT_WINDOW = timedelta(days=5)
BREACH_MINUTES = 44  # network: "99.9 %, i.e. less than 44 minutes" (§1.2)
POWER_AVAILABILITY = Decimal("99.9")  # power: "99.9 %" of the month (§2.2)
EMERGENCY_REPORT = timedelta(minutes=15)
KINDS = ("network", "power")


class Exclusion(StrEnum):
    UNREPORTED = "not reported within 5 days"
    AGREED_MAINTENANCE = "maintenance the customer agreed to"
    CUSTOMER_EQUIPMENT = "customer's circuits or equipment"
    CUSTOMER_APPLICATION = "customer's applications or installs"
    CUSTOMER_NEGLIGENCE = "customer's negligence or operations it authorized"
    CUSTOMER_OTHER = "other causes of the customer's making"  # 甲方导致的其它原因
    FORCE_MAJEURE = "force majeure"


# A power outage is mains and UPS both without power at the unit's feeds: the provider's feeds. The customer's
# circuits and equipment (its lines and devices on the path to the upstream network) and its applications or
# installs cannot cut them, so those exclusions are the network's; a customer's server that trips its own outlet
# is negligence or another cause of the customer's making.
POWER_EXCLUSIONS = (Exclusion.UNREPORTED, Exclusion.AGREED_MAINTENANCE, Exclusion.CUSTOMER_NEGLIGENCE,
                    Exclusion.CUSTOMER_OTHER, Exclusion.FORCE_MAJEURE)


def exclusions_for(kind: str) -> tuple[Exclusion, ...]:
    """The exclusions an outage of this kind can be classified under (§1.3 network, §2.3 power)."""
    return POWER_EXCLUSIONS if kind == "power" else tuple(Exclusion)


@dataclass(frozen=True)
class Allowance:
    """How many counted minutes a kind may lose in a month before its fee is waived."""

    kind: str
    limit: Decimal  # minutes
    inclusive: bool  # True: up to and including `limit` is within the guarantee
    rule: str

    @property
    def minutes(self) -> int:
        """The most whole counted minutes still within the guarantee."""
        whole = int(self.limit)
        return whole if self.inclusive or whole < self.limit else whole - 1

    def breached(self, minutes: int) -> bool:
        return minutes > self.minutes


def allowance(kind: str, minutes_in_month: int) -> Allowance:
    """The network's explicit "less than 44 minutes" governs it in every month, also where 99.9 % of a short
    month would be fewer (28 days: 40.32); power has only the percentage, of that month's own minutes."""
    if kind == "network":
        return Allowance(kind, Decimal(BREACH_MINUTES), False, f"less than {BREACH_MINUTES} min a month (SLA §1.2)")
    limit = Decimal(minutes_in_month) * (100 - POWER_AVAILABILITY) / 100
    return Allowance(kind, limit, True, f"{POWER_AVAILABILITY} % of {minutes_in_month} min: at most {limit:g} min "
                                        f"(SLA §2.2)")


class Waiver(StrEnum):
    """Why a late emergency report carries no deduction (SLA §4.7)."""

    CONTACT_INVALID = "the customer's contact details were out of date or wrong"
    FORCE_MAJEURE = "force majeure"


@dataclass(frozen=True)
class Outage:
    start: datetime
    end: datetime
    kind: str  # network | power (power: mains and UPS both without power)
    reported_at: datetime | None
    excluded: Exclusion | None = None  # as classified by a person; "unreported" is derived


class EmergencyReport(NamedTuple):
    """An emergency as the 15-minute report guarantee sees it; a plain (declared, notified) pair reads as one."""

    declared: datetime
    notified: datetime | None
    waived: Waiver | None = None
    waived_by: str | None = None


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
OUTSIDE_SERVICE = "outside the contract's service period (before activation or after its end; SLA §1.2, §2.2)"


@dataclass(frozen=True)
class ServicePeriod:
    """From network activation to the contract's end (None: not begun / not ended)."""

    began: datetime | None
    ended: datetime | None = None

    def clip(self, lo: datetime, hi: datetime) -> tuple[datetime, datetime]:
        """[lo, hi) cut to the service period; empty (hi <= lo) when none of it was in service."""
        if self.began is None:
            return lo, lo
        return max(lo, self.began), min(hi, self.ended) if self.ended is not None else hi


def _minutes(lo: datetime, hi: datetime) -> int:
    return max(0, int((hi - lo).total_seconds() // 60))


def classify(outages: list[Outage], start: datetime, end: datetime, now: datetime | None = None,
             service: ServicePeriod | None = None) -> list[Counted]:
    """Each outage's minutes in the month (in `service`, when given) and whether they count; as of
    `now`, an unreported outage younger than 5 days is still pending, not yet excluded."""
    out = []
    for o in sorted(outages, key=lambda o: o.start):
        lo, hi = max(o.start, start), min(o.end, end)
        if _minutes(lo, hi) == 0:
            continue
        minutes = _minutes(*service.clip(lo, hi)) if service is not None else _minutes(lo, hi)
        if minutes == 0:
            out.append(Counted(o, 0, False, OUTSIDE_SERVICE))
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
    allowances: dict[str, Allowance]  # per kind
    breached: bool
    credits: tuple[Line, ...]
    waived: tuple[str, ...]  # late emergency reports that cost nothing, and why
    cap: Decimal  # the month's fee: no month is credited more than it costs

    @property
    def total(self) -> Decimal:
        return min(sum((c.amount for c in self.credits), Decimal("0.00")), self.cap)


def report(outages: list[Outage], emergencies: Sequence[EmergencyReport | tuple[datetime, datetime | None]],
           month_fee: Decimal, start: datetime, end: datetime, now: datetime | None = None,
           service: ServicePeriod | None = None) -> MonthReport:
    """The month's availability per kind, the breach, and every credit line (never more than the month's fee).

    As of `now`, an emergency not yet notified is late only once its 15 minutes are up; only
    outage minutes within `service` count."""
    counted = classify(outages, start, end, now, service)
    total_minutes = int((end - start).total_seconds() // 60)
    per_kind = {kind: sum(c.minutes_in_month for c in counted if c.counted and c.outage.kind == kind) for kind in KINDS}
    availability = {kind: (Decimal(100) * (1 - Decimal(m) / Decimal(total_minutes))).quantize(Decimal("0.001"))
                    for kind, m in per_kind.items()}
    allowances = {kind: allowance(kind, total_minutes) for kind in KINDS}
    over = [kind for kind in KINDS if allowances[kind].breached(per_kind[kind])]
    credits: list[Line] = []
    waived: list[str] = []
    if over:
        credits.append(Line(_breach_label(over[0], per_kind[over[0]], allowances[over[0]]), to_fen(month_fee)))
    else:
        days = (end.date() - start.date()).days
        day_fee = to_fen(month_fee / days)
        late = _late((EmergencyReport(*e) for e in emergencies), start, end, now)
        charged = sorted({e.declared.date() for e in late if e.waived is None})
        credits += [Line(f"emergency of {d} reported late (> 15 min): one day's fee", day_fee) for d in charged]
        waived = [f"emergency of {e.declared.date()} reported late: no deduction, {e.waived.value} (SLA §4.7; "
                  f"classified by {e.waived_by})" for e in late if e.waived is not None]
    return MonthReport(total_minutes, per_kind, availability, allowances, bool(over), tuple(credits), tuple(waived),
                       month_fee)


def _late(emergencies: Iterable[EmergencyReport], start: datetime, end: datetime,
          now: datetime | None) -> list[EmergencyReport]:
    return sorted((e for e in emergencies if start <= e.declared < end
                   and (e.notified or now or end) > e.declared + EMERGENCY_REPORT), key=lambda e: e.declared)


def _breach_label(kind: str, minutes: int, allowed: Allowance) -> str:
    if kind == "network":
        return f"network outage {minutes} min >= {BREACH_MINUTES} min: month's fee waived"
    return f"power outage {minutes} min > {allowed.limit:g} min (99.9 % of the month): month's fee waived"
