"""Outages, emergencies and the monthly SLA report (service-quality agreement §1-§4).

The arithmetic lives in `domain.sla`; this module stores what happened, who classified
an exclusion, and turns a contract's month into the report a customer is shown. A wrong
outage record is voided, not deleted: the row stays and no longer counts. Each contract
is reported over its service period (activation to end), and the site report lists every
contract in service for any part of the month.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from provision.domain.bounds import check_month, happened, not_before, one_line, within_reach
from provision.domain.sla import (
    REPORT_WINDOW,
    EmergencyReport,
    Exclusion,
    Outage,
    ServicePeriod,
    Waiver,
    classify,
    exclusions_for,
    month_window,
    report,
)
from provision.domain.terms import Payment
from provision.errors import BadInput, Refused
from provision.monitor.notify import CHANNELS
from provision.services.context import Context, SiteInfo, load_site, parse_time
from provision.services.contracts import get_contract, iso
from provision.services.money.payments import voided
from provision.services.provisioning.operations import one_at_a_time
from provision.services.site_scope import of_site, own, scoped
from provision.store.schema import Contract, ContractEvent, Emergency, OutageRecord, Void

EXCLUSIONS = {e.name.lower().replace("_", "-"): e for e in Exclusion if e is not Exclusion.UNREPORTED}
WAIVERS = {w.name.lower().replace("_", "-"): w for w in Waiver}


def _exclusion(kind: str, exclude: str) -> Exclusion:
    """The exclusion named on the command line, if the agreement lists it for this kind of outage."""
    allowed = [key for key, e in EXCLUSIONS.items() if e in exclusions_for(kind)]
    if exclude not in allowed:
        also = " (a power outage is mains and UPS both without power: the customer's circuits, equipment and " \
               "applications cannot cause one)" if exclude in EXCLUSIONS else ""
        raise BadInput(f"--exclude {exclude!r}: a {kind} outage is excluded only as one of {', '.join(allowed)}{also}")
    return EXCLUSIONS[exclude]


def _when(text: str | None, site: SiteInfo, option: str) -> datetime | None:
    return None if text is None else parse_time(text, site.tz, option)


def record_outage(ctx: Context, contract_id: str, kind: str, start: str, end: str | None, cause: str,
                  reported_at: str | None = None, exclude: str | None = None) -> dict[str, Any]:
    if kind not in ("network", "power"):
        raise BadInput(f"--kind {kind!r}: give network or power (power: mains and UPS both without power)")
    cause = one_line("--cause", cause, "say what happened")
    if exclude is not None:
        _exclusion(kind, exclude)
    with ctx.store.session() as s:
        site = load_site(s)
        contract = get_contract(s, contract_id)
        began, ended = _when(start, site, "--start"), _when(end, site, "--end")
        assert began is not None
        if ended is not None and ended <= began:
            raise BadInput(f"--end {end} is not after --start {start}")
        reported = _when(reported_at, site, "--reported-at")
        _outage_in_service(s, contract, began, ended, reported, ctx.now(site))
        row = OutageRecord(contract_id=contract.id, kind=kind, start=began, end=ended, cause=cause, reported_at=reported,
                           excluded=exclude, classified_by=ctx.actor if exclude else None, recorded_by=ctx.actor)
        s.add(row)
        s.flush()
        s.add(ContractEvent(contract_id=contract.id, kind="outage", at=began, actor=ctx.actor, months=0,
                            ref=str(row.id), detail=f"{kind}: {row.cause}"
                            + (f"; excluded ({EXCLUSIONS[exclude].value})" if exclude else "")))
        return {"outage": row.id, "contract": contract.id, "start": iso(began, site), "end": iso(ended, site)}


def _outage_in_service(s: Session, contract: Contract, began: datetime, ended: datetime | None,
                       reported: datetime | None, now: datetime) -> None:
    """An outage lies within the contract's service: not before its port and power were set up, not beyond
    the planning horizon (agreed maintenance may be recorded ahead), and reported after it began."""
    provisioned = s.scalar(select(func.min(ContractEvent.at)).where(ContractEvent.contract_id == contract.id,
                                                                     ContractEvent.kind == "provisioned"))
    if provisioned is None:
        raise BadInput(f"contract {contract.id} was never provisioned: it has no port or power to lose yet; "
                       f"record the outage of a provisioned contract")
    not_before(began, provisioned, "--start", "an outage", f"the provisioning of {contract.id}")
    within_reach(ended or began, now, "--end" if ended else "--start")
    if reported is not None:
        not_before(reported, began, "--reported-at", "the customer's report", "the outage's start")
        happened(reported, now, "--reported-at")


def record_emergency(ctx: Context, contract_id: str, declared: str, notified: str | None = None,
                     channel: str | None = None) -> dict[str, Any]:
    if channel is not None and channel not in CHANNELS:
        raise BadInput(f"--channel {channel!r}: give one of {', '.join(CHANNELS)}")
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        contract = get_contract(s, contract_id)
        at = _when(declared, site, "--declared")
        assert at is not None
        not_before(at, contract.signed_at, "--declared", "an emergency", f"the signing of {contract.id}")
        happened(at, now, "--declared")
        told = _when(notified, site, "--notified")
        if told is not None:
            not_before(told, at, "--notified", "the notification", "the emergency's declaration")
            happened(told, now, "--notified")
        row = Emergency(contract_id=contract.id, declared_at=at, notified_at=told, channel=channel,
                        recorded_by=ctx.actor)
        s.add(row)
        s.flush()
        s.add(ContractEvent(contract_id=contract.id, kind="emergency", at=at, actor=ctx.actor, months=0,
                            ref=str(row.id), detail="emergency declared"))
        if row.notified_at is not None:
            s.add(ContractEvent(contract_id=contract.id, kind="emergency_reported", at=row.notified_at,
                                actor=ctx.actor, months=0, ref=str(row.id), detail=f"customer notified by {channel}"))
        return {"emergency": row.id, "contract": contract.id}


def report_outage(ctx: Context, outage_id: int) -> dict[str, Any]:
    """The customer reported an outage (at now or --at): within 5 days it counts for the SLA."""
    with ctx.store.session() as s:
        site = load_site(s)
        row = _outage(s, outage_id)
        at = ctx.now(site)
        if row.reported_at is not None:
            raise Refused(f"outage {outage_id} was already reported at {iso(row.reported_at.astimezone(site.tz), site)}")
        if at < row.start:
            raise BadInput(f"--at {iso(at, site)} is before the outage began ({iso(row.start.astimezone(site.tz), site)})")
        row.reported_at = at
        s.add(ContractEvent(contract_id=row.contract_id, kind="outage_reported", at=at, actor=ctx.actor, months=0,
                            ref=str(row.id), detail="customer reported the outage"))
        return {"outage": row.id, "contract": row.contract_id, "reported_at": iso(at, site),
                "in_time": at <= row.start + REPORT_WINDOW}


def classify_outage(ctx: Context, outage_id: int, exclude: str) -> dict[str, Any]:
    """Mark an outage as not the provider's (SLA §1.3, §2.3); who classified it is recorded."""
    with ctx.store.session() as s:
        site = load_site(s)
        row = _outage(s, outage_id)
        _exclusion(row.kind, exclude)
        row.excluded, row.classified_by = exclude, ctx.actor
        s.add(ContractEvent(contract_id=row.contract_id, kind="outage_classified", at=ctx.now(site), actor=ctx.actor,
                            months=0, ref=str(row.id), detail=f"excluded: {EXCLUSIONS[exclude].value}"))
        return {"outage": row.id, "contract": row.contract_id, "excluded": EXCLUSIONS[exclude].value,
                "classified_by": ctx.actor}


def void_outage(ctx: Context, outage_id: int, reason: str) -> dict[str, Any]:
    """An outage recorded in error: a reversing record with the reason; the SLA no longer counts it."""
    reason = one_line("--reason", reason, "say why the outage record is void")
    with ctx.store.session() as s:
        one_at_a_time(s)
        site = load_site(s)
        now = ctx.now(site)
        row = _outage(s, outage_id)
        earlier = s.scalar(select(Void).where(Void.kind == "outage", Void.target_id == row.id))
        if earlier is not None:
            raise Refused(f"outage {row.id} was already voided on {iso(earlier.at, site)}: {earlier.reason}")
        s.add(Void(kind="outage", target_id=row.id, contract_id=row.contract_id, reason=reason, at=now,
                   actor=ctx.actor))
        s.add(ContractEvent(contract_id=row.contract_id, kind="outage_voided", at=now, actor=ctx.actor, months=0,
                            ref=str(row.id), detail=f"outage {row.id} ({row.kind}: {row.cause}) voided: {reason}"))
        return {"outage": row.id, "contract": row.contract_id, "voided_at": iso(now, site), "reason": reason}


def _outage(s: Any, outage_id: int) -> OutageRecord:
    row = s.get(OutageRecord, outage_id)
    if row is None:
        raise BadInput(f"outage {outage_id} does not exist: see `colo contract show ID` or `colo sla report`")
    return own(s, row, "outage")  # type: ignore[no-any-return]


def month_fee(contract: Contract) -> Decimal:
    return contract.fee if Payment(contract.payment) is Payment.MONTHLY else contract.fee / 12


def contract_report(ctx: Context, contract_id: str, month: str) -> dict[str, Any]:
    month = check_month(month)
    with ctx.store.session() as s:
        site = load_site(s)
        return _report(s, site, ctx.now(site), get_contract(s, contract_id), month)


def site_report(ctx: Context, month: str) -> dict[str, Any]:
    month = check_month(month)
    with ctx.store.session() as s:
        site = load_site(s)
        start, end = month_window(month, site.tz)
        now = ctx.now(site)
        # The whole month in four queries, not three per contract: 10,000 contracts in ~2 s instead of ~12 s
        # see bench/sla_report.py. Each contract's report is the one `sla report ID` shows.
        in_service = _in_service(start, min(end, now))
        reported = Contract.id.in_(in_service)
        outages: dict[str, list[OutageRecord]] = defaultdict(list)
        for o in s.scalars(_month_outages(start, end, now).join(Contract).where(reported)):
            outages[o.contract_id].append(o)
        emergencies: dict[str, list[Emergency]] = defaultdict(list)
        for e in s.scalars(_sla_emergencies().join(Contract).where(
                reported, Emergency.declared_at >= start, Emergency.declared_at < end)):  # report() counts no others
            emergencies[e.contract_id].append(e)
        periods = _service_periods(s, ContractEvent.contract_id.in_(in_service), now)
        rows = [_report(s, site, now, c, month, outages[c.id], emergencies[c.id], periods[c.id])
                for c in s.scalars(select(Contract).where(reported).order_by(Contract.year, Contract.seq))]
    return {"month": month, "contracts": rows, "breached": sum(1 for r in rows if r["breached"]),
            "total_credit": str(sum((Decimal(r["total_credit"]) for r in rows), Decimal("0.00")))}


def _in_service(start: datetime, end: datetime) -> Any:
    """Contracts in service for some part of [start, end): activated before its end, not ended by its start."""
    ended_before = select(ContractEvent.contract_id).where(ContractEvent.kind == "ended", ContractEvent.at <= start)
    return select(ContractEvent.contract_id).where(ContractEvent.kind == "activated", ContractEvent.at < end,
                                                   ContractEvent.contract_id.not_in(ended_before))


def _service_periods(s: Session, which: Any, now: datetime) -> dict[str, ServicePeriod]:
    """Each contract's service as of `now`: its activation, and its end if it has ended."""
    found: dict[str, dict[str, datetime]] = defaultdict(dict)
    for cid, kind, at in s.execute(select(ContractEvent.contract_id, ContractEvent.kind, func.min(ContractEvent.at))
                                   .where(which, ContractEvent.kind.in_(("activated", "ended")),
                                          ContractEvent.at <= now)
                                   .group_by(ContractEvent.contract_id, ContractEvent.kind)):
        found[cid][kind] = at
    return defaultdict(lambda: ServicePeriod(None),
                       {cid: ServicePeriod(k.get("activated"), k.get("ended")) for cid, k in found.items()})


def _month_outages(start: datetime, end: datetime, now: datetime) -> Any:
    return select(OutageRecord).where(OutageRecord.start < end, or_(
        OutageRecord.end.is_(None), OutageRecord.end > start), ~voided("outage", OutageRecord.id, now)).order_by(
        OutageRecord.start, OutageRecord.id)


def _sla_emergencies() -> Any:
    return select(Emergency).where(Emergency.kind.in_(("network", "power")))  # §4.5


def _report(s: Any, site: SiteInfo, now: datetime, contract: Contract, month: str,
            rows: list[OutageRecord] | None = None, emergency_rows: list[Emergency] | None = None,
            service: ServicePeriod | None = None) -> dict[str, Any]:
    """One contract's month as of `now` (an outage still open counts up to now); the site report
    passes the rows it loaded in bulk, a single report queries them."""
    start, end = month_window(month, site.tz)
    if rows is None:
        rows = list(s.scalars(_month_outages(start, end, now).where(OutageRecord.contract_id == contract.id)))
    if service is None:
        service = _service_periods(s, ContractEvent.contract_id == contract.id, now)[contract.id]
    if emergency_rows is None:
        emergency_rows = list(s.scalars(_sla_emergencies().where(Emergency.contract_id == contract.id)))
    outages = [Outage(r.start.astimezone(site.tz), (r.end or max(r.start, min(end, now))).astimezone(site.tz), r.kind,
                      r.reported_at.astimezone(site.tz) if r.reported_at else None,
                      EXCLUSIONS[r.excluded] if r.excluded else None) for r in rows]
    emergencies = [EmergencyReport(e.declared_at.astimezone(site.tz),
                                   e.notified_at.astimezone(site.tz) if e.notified_at else None,
                                   WAIVERS[e.waived] if e.waived else None, e.waived_by) for e in emergency_rows]
    r = report(outages, emergencies, month_fee(contract), start, end, now, service)
    listed = classify(outages, start, end, now, service)
    by_id = dict(zip([id(o) for o in outages], rows, strict=True))
    return {"contract": contract.id, "month": month, "minutes_in_month": r.minutes_in_month,
            "service": {"began": iso(service.began, site), "ended": iso(service.ended, site)},
            "outages": [{"id": by_id[id(c.outage)].id, "kind": c.outage.kind, "start": iso(c.outage.start, site),
                         "end": iso(c.outage.end, site), "minutes": c.minutes_in_month, "counted": c.counted,
                         "excluded_because": c.reason, "classified_by": by_id[id(c.outage)].classified_by,
                         "cause": by_id[id(c.outage)].cause} for c in listed],
            "counted_minutes": r.counted_minutes, "availability_percent": {k: str(v) for k, v in r.availability.items()},
            "allowance": {k: {"minutes": a.minutes, "rule": a.rule} for k, a in r.allowances.items()},
            "breached": r.breached, "waived": list(r.waived), "month_fee": str(month_fee(contract).quantize(Decimal("0.01"))),
            "credits": [{"item": c.label, "amount": str(c.amount)} for c in r.credits], "total_credit": str(r.total)}


def _with_void(now: datetime) -> Any:
    """Outages, each with the void that reverses it by `now` (None if it stands)."""
    return select(OutageRecord, Void).outerjoin(Void, and_(Void.kind == "outage", Void.target_id == OutageRecord.id,
                                                           Void.at <= now))


def outages(ctx: Context, contract_id: str | None = None, open_only: bool = False) -> list[dict[str, Any]]:
    """This site's outages begun by 'now', oldest first; `open_only`: still lasting and not voided."""
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        query = _with_void(now).where(OutageRecord.start <= now, of_site(s, OutageRecord.contract_id, contract_id)
                                      ).order_by(OutageRecord.start, OutageRecord.id)
        if open_only:
            query = query.where(or_(OutageRecord.end.is_(None), OutageRecord.end > now), Void.id.is_(None))
        return [_outage_view(row, void, site) for row, void in s.execute(query)]


def outage(ctx: Context, text: str | int) -> dict[str, Any]:
    """One outage (O5 or 5): what was recorded, reported and classified, and its void if it was voided."""
    with ctx.store.session() as s:
        site = load_site(s)
        row = scoped(s, OutageRecord, "outage", text)
        return _outage_view(*s.execute(_with_void(ctx.now(site)).where(OutageRecord.id == row.id)).one(), site)


def _outage_view(row: OutageRecord, void: Void | None, site: SiteInfo) -> dict[str, Any]:
    return {"outage": row.id, "contract": row.contract_id, "kind": row.kind, "start": iso(row.start, site),
            "end": iso(row.end, site), "cause": row.cause, "reported_at": iso(row.reported_at, site),
            "reported_in_time": None if row.reported_at is None else row.reported_at <= row.start + REPORT_WINDOW,
            "excluded": row.excluded, "classified_by": row.classified_by, "recorded_by": row.recorded_by,
            "void": None if void is None else {"void": void.id, "at": iso(void.at, site), "reason": void.reason,
                                               "actor": void.actor}}
