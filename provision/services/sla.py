"""Outages, emergencies and the monthly SLA report (service-quality agreement §1-§4).

The arithmetic lives in `domain.sla`; this module stores what happened, who classified
an exclusion, and turns a contract's month into the report a customer is shown.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select

from provision.domain.sla import Exclusion, Outage, classify, month_window, report
from provision.domain.terms import Payment
from provision.errors import BadInput
from provision.services.context import Context, SiteInfo, load_site, parse_time
from provision.services.contracts import get_contract, iso
from provision.store.schema import Contract, ContractEvent, Emergency, OutageRecord

EXCLUSIONS = {e.name.lower().replace("_", "-"): e for e in Exclusion if e is not Exclusion.UNREPORTED}


def _when(text: str | None, site: SiteInfo, option: str) -> datetime | None:
    return None if text is None else parse_time(text, site.tz, option)


def record_outage(ctx: Context, contract_id: str, kind: str, start: str, end: str | None, cause: str,
                  reported_at: str | None = None, exclude: str | None = None) -> dict[str, Any]:
    if kind not in ("network", "power"):
        raise BadInput(f"--kind {kind!r}: give network or power (power: mains and UPS both without power)")
    if not re.fullmatch(r"[^\x00-\x1f\x7f]{1,200}", cause.strip()):
        raise BadInput("--cause: say what happened, 1-200 printable characters")
    if exclude is not None and exclude not in EXCLUSIONS:
        raise BadInput(f"--exclude {exclude!r}: give one of {', '.join(EXCLUSIONS)}")
    with ctx.store.session() as s:
        site = load_site(s)
        contract = get_contract(s, contract_id)
        began, ended = _when(start, site, "--start"), _when(end, site, "--end")
        assert began is not None
        if ended is not None and ended <= began:
            raise BadInput(f"--end {end} is not after --start {start}")
        row = OutageRecord(contract_id=contract.id, kind=kind, start=began, end=ended, cause=cause.strip(),
                           reported_at=_when(reported_at, site, "--reported-at"),
                           excluded=exclude, classified_by=ctx.actor if exclude else None, recorded_by=ctx.actor)
        s.add(row)
        s.flush()
        s.add(ContractEvent(contract_id=contract.id, kind="outage", at=began, actor=ctx.actor, months=0,
                            ref=str(row.id), detail=f"{kind}: {row.cause}"
                            + (f"; excluded ({EXCLUSIONS[exclude].value})" if exclude else "")))
        return {"outage": row.id, "contract": contract.id, "start": iso(began, site), "end": iso(ended, site)}


def record_emergency(ctx: Context, contract_id: str, declared: str, notified: str | None = None,
                     channel: str | None = None) -> dict[str, Any]:
    if channel is not None and channel not in ("email", "webhook", "phone"):
        raise BadInput(f"--channel {channel!r}: give email, webhook or phone")
    with ctx.store.session() as s:
        site = load_site(s)
        contract = get_contract(s, contract_id)
        at = _when(declared, site, "--declared")
        assert at is not None
        row = Emergency(contract_id=contract.id, declared_at=at, notified_at=_when(notified, site, "--notified"),
                        channel=channel, recorded_by=ctx.actor)
        s.add(row)
        s.flush()
        s.add(ContractEvent(contract_id=contract.id, kind="emergency", at=at, actor=ctx.actor, months=0,
                            ref=str(row.id), detail="emergency declared"))
        if row.notified_at is not None:
            s.add(ContractEvent(contract_id=contract.id, kind="emergency_reported", at=row.notified_at,
                                actor=ctx.actor, months=0, ref=str(row.id), detail=f"customer notified by {channel}"))
        return {"emergency": row.id, "contract": contract.id}


def month_fee(contract: Contract) -> Decimal:
    return contract.fee if Payment(contract.payment) is Payment.MONTHLY else contract.fee / 12


def contract_report(ctx: Context, contract_id: str, month: str) -> dict[str, Any]:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise BadInput(f"--month {month!r}: give YYYY-MM, e.g. 2026-12")
    with ctx.store.session() as s:
        site = load_site(s)
        return _report(s, site, get_contract(s, contract_id), month)


def site_report(ctx: Context, month: str) -> dict[str, Any]:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise BadInput(f"--month {month!r}: give YYYY-MM, e.g. 2026-12")
    with ctx.store.session() as s:
        site = load_site(s)
        rows = [_report(s, site, c, month) for c in s.scalars(
            select(Contract).where(Contract.state.in_(("active", "suspended", "ended"))).order_by(Contract.year, Contract.seq))]
    return {"month": month, "contracts": rows, "breached": sum(1 for r in rows if r["breached"]),
            "total_credit": str(sum((Decimal(r["total_credit"]) for r in rows), Decimal("0.00")))}


def _report(s: Any, site: SiteInfo, contract: Contract, month: str) -> dict[str, Any]:
    start, end = month_window(month, site.tz)
    rows = list(s.scalars(select(OutageRecord).where(
        OutageRecord.contract_id == contract.id, OutageRecord.start < end,
        or_(OutageRecord.end.is_(None), OutageRecord.end > start)).order_by(OutageRecord.start)))
    outages = [Outage(r.start.astimezone(site.tz), (r.end or end).astimezone(site.tz), r.kind,
                      r.reported_at.astimezone(site.tz) if r.reported_at else None,
                      EXCLUSIONS[r.excluded] if r.excluded else None) for r in rows]
    emergencies = [(e.declared_at.astimezone(site.tz), e.notified_at.astimezone(site.tz) if e.notified_at else None)
                   for e in s.scalars(select(Emergency).where(Emergency.contract_id == contract.id))]
    r = report(outages, emergencies, month_fee(contract), start, end)
    listed = classify(outages, start, end)
    by_id = dict(zip([id(o) for o in outages], rows, strict=True))
    return {"contract": contract.id, "month": month, "minutes_in_month": r.minutes_in_month,
            "outages": [{"id": by_id[id(c.outage)].id, "kind": c.outage.kind, "start": iso(c.outage.start, site),
                         "end": iso(c.outage.end, site), "minutes": c.minutes_in_month, "counted": c.counted,
                         "excluded_because": c.reason, "classified_by": by_id[id(c.outage)].classified_by,
                         "cause": by_id[id(c.outage)].cause} for c in listed],
            "counted_minutes": r.counted_minutes, "availability_percent": {k: str(v) for k, v in r.availability.items()},
            "breached": r.breached, "month_fee": str(month_fee(contract).quantize(Decimal("0.01"))),
            "credits": [{"item": c.label, "amount": str(c.amount)} for c in r.credits], "total_credit": str(r.total)}
