"""Fault tickets and complaints, with the clocks the contract puts on them.

A fault the customer reports must be responded to within 1 hour (§5.6, §6.3) and
resolved within 1 working day (§5.6, on the mainland-China calendar); so must a fault
the provider finds itself: the monitor's network or power emergency opens a ticket
(source "provider"), telling the customer of the emergency is the response, and the
monitor seeing the service back resolves it. A major fault is resolved only after the
customer was consulted (§6.3 「特大故障…征求甲方意见」); a complaint
needs a written report within 24 hours (SLA §8.3). Each step writes its row and the
contract event the clocks listen for (`fault_reported` / `fault_responded` /
`fault_resolved`, `complaint_received` / `complaint_reported`, with ref `T<id>` or
`K<id>`) in one transaction, so `colo deadlines` and the audit log see them at once.

The time of every step is the run's 'now' (`--at` for what-if runs and back-dated
entries). Summaries are stored verbatim; control characters are refused, and faces
must show the text as text (never as markup or terminal codes).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from provision.domain import refs
from provision.domain.bounds import not_before, one_line
from provision.domain.clocks import RULES, Clock, ContractFacts, Event, compute_clocks
from provision.domain.lifecycle import TRANSITIONS, State
from provision.domain.people import COMPLAINT_CATEGORIES, complaint_category
from provision.errors import BadInput, NotFound, Refused
from provision.services.context import Context, SiteInfo, load_site
from provision.services.contracts import get_contract, iso
from provision.services.site_scope import of_site, own, scoped
from provision.store.schema import Complaint, Contract, ContractEvent, Emergency, FaultTicket

_FAULT_RULES = tuple(r for r in RULES if r.key in ("fault-response", "fault-resolution"))
_COMPLAINT_RULES = tuple(r for r in RULES if r.key == "complaint")
_REF = re.compile(r"[A-Za-z0-9._/-]{1,64}")
_FINAL = {state for state, nxt in TRANSITIONS.items() if not nxt}


def _signed(now: datetime, contract: Contract, what: str) -> None:
    """A fault or complaint is dated after the contract's signing: a ticket of 1999 is a typo."""
    not_before(now, contract.signed_at, "--at", what, f"the signing of {contract.id}")


# --- fault tickets -----------------------------------------------------------------


def open_ticket(ctx: Context, contract_id: str, summary: str, reported_by: str | None = None) -> dict[str, Any]:
    text = one_line("--summary", summary, "say what the customer reported", 500)
    who = None if reported_by is None else one_line("--reported-by", reported_by, "give the caller's name", 120)
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        contract = get_contract(s, contract_id)
        _signed(now, contract, "a fault report")
        if State(contract.state) in _FINAL:
            raise Refused(f"contract {contract.id} is {contract.state}: it has no service left to fault; "
                          f"record a complaint instead (`colo complaint record {contract.id} --summary TEXT`)")
        row = FaultTicket(contract_id=contract.id, reported_at=now, reported_by_customer=who, summary=text,
                          recorded_by=ctx.actor)
        s.add(row)
        s.flush()
        s.add(ContractEvent(contract_id=contract.id, kind="fault_reported", at=now, actor=ctx.actor, months=0,
                            ref=f"T{row.id}", detail=f"fault T{row.id}" + (f" reported by {who}" if who else "")
                            + f": {text}"))
        return _ticket_view(row, site, now)


def respond_ticket(ctx: Context, ticket: str | int) -> dict[str, Any]:
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        row = _unresolved(s, site, ticket, "nothing left to respond to")
        if row.responded_at is not None:
            raise Refused(f"ticket T{row.id} was already responded to at {iso(row.responded_at, site)}: "
                          f"resolve it with `colo ticket resolve T{row.id} --resolution TEXT`")
        not_before(now, row.reported_at, "--at", f"the response to T{row.id}", "its report")
        row.responded_at = now
        s.add(ContractEvent(contract_id=row.contract_id, kind="fault_responded", at=now, actor=ctx.actor,
                            months=0, ref=f"T{row.id}", detail=f"fault T{row.id}: responded"))
        return _ticket_view(row, site, now)


def resolve_ticket(ctx: Context, ticket: str | int, resolution: str) -> dict[str, Any]:
    text = one_line("--resolution", resolution, "say what was done", 500)
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        row = _unresolved(s, site, ticket, "open a new ticket if the fault came back")
        not_before(now, row.responded_at or row.reported_at, "--at", f"the resolution of T{row.id}",
                   "its response" if row.responded_at else "its report")
        if _awaits_consultation(row):
            raise Refused(f"ticket T{row.id} is a major fault: consult the customer before resolving it (§6.3), "
                          f"then record it: colo ticket major T{row.id} --consulted-by NAME --note TEXT")
        _resolve(s, row, now, text, ctx.actor)
        return _ticket_view(row, site, now)


def _resolve(s: Session, row: FaultTicket, now: datetime, text: str, actor: str) -> None:
    # A resolution is also the response (the response clock stops on either).
    row.responded_at = row.responded_at or now
    row.resolved_at, row.resolution = now, text
    s.add(ContractEvent(contract_id=row.contract_id, kind="fault_resolved", at=now, actor=actor,
                        months=0, ref=f"T{row.id}", detail=f"fault T{row.id} resolved: {text}"))


def _awaits_consultation(row: FaultTicket) -> bool:
    return row.major_at is not None and row.consulted_at is None


def major_ticket(ctx: Context, ticket: str | int, consulted_with: str | None = None,
                 note: str | None = None) -> dict[str, Any]:
    """Declare a fault major (§6.3): it is then handled, and resolved, only after consulting the customer;
    with `consulted_with` and `note`, record that consultation (at now or --at)."""
    who = None if consulted_with is None else one_line("--consulted-by", consulted_with,
                                                       "give the name of the customer's person consulted", 120)
    if (who is None) != (note is None):
        raise BadInput("--consulted-by and --note go together: whom at the customer you consulted, and what was agreed")
    text = None if note is None else one_line("--note", note, "say what was agreed with the customer", 500)
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        row = _unresolved(s, site, ticket, "a resolved fault needs no consultation")
        not_before(now, row.reported_at, "--at", f"T{row.id} as a major fault", "its report")
        if row.major_at is None:
            row.major_at, row.major_by = now, ctx.actor
            s.add(ContractEvent(contract_id=row.contract_id, kind="fault_major", at=now, actor=ctx.actor, months=0,
                                ref=f"T{row.id}", detail=f"fault T{row.id} declared major: the customer is consulted "
                                                         f"before it is handled (§6.3)"))
        elif who is None:
            raise Refused(f"ticket T{row.id} is already a major fault (since {iso(row.major_at, site)}): record the "
                          f"consultation with --consulted-by NAME --note TEXT")
        if who is not None:
            if row.consulted_at is not None:
                raise Refused(f"ticket T{row.id}: the customer was already consulted at {iso(row.consulted_at, site)} "
                              f"({row.consulted_with})")
            row.consulted_at, row.consulted_with, row.consultation, row.consulted_by = now, who, text, ctx.actor
            s.add(ContractEvent(contract_id=row.contract_id, kind="fault_consulted", at=now, actor=ctx.actor,
                                months=0, ref=f"T{row.id}", detail=f"fault T{row.id}: consulted {who}: {text}"))
        return _ticket_view(row, site, now)


# --- faults the provider found (the monitor's emergencies) ----------------------------


def open_provider_ticket(s: Session, emergency: Emergency, summary: str, actor: str) -> FaultTicket:
    """A fault the monitor found: its clocks start at the emergency's declaration (§5.6, §6.3)."""
    row = FaultTicket(contract_id=emergency.contract_id, reported_at=emergency.declared_at, summary=summary[:500],
                      recorded_by=actor, source="provider", emergency_id=emergency.id)
    s.add(row)
    s.flush()
    s.add(ContractEvent(contract_id=row.contract_id, kind="fault_reported", at=row.reported_at, actor=actor, months=0,
                        ref=f"T{row.id}", detail=f"fault T{row.id} found by the provider (emergency {emergency.id}): "
                                                 f"{row.summary}"))
    return row


def _provider_ticket(s: Session, emergency_id: int) -> FaultTicket | None:
    return s.scalar(select(FaultTicket).where(FaultTicket.emergency_id == emergency_id,
                                              FaultTicket.resolved_at.is_(None)).with_for_update())


def customer_told(s: Session, emergency_id: int, at: datetime, actor: str, how: str) -> None:
    """Telling the customer of the emergency is the response to the fault it opened: "tell the customer first"."""
    row = _provider_ticket(s, emergency_id)
    if row is not None and row.responded_at is None:
        row.responded_at = max(at, row.reported_at)
        s.add(ContractEvent(contract_id=row.contract_id, kind="fault_responded", at=row.responded_at, actor=actor,
                            months=0, ref=f"T{row.id}", detail=f"fault T{row.id}: customer told of the emergency by {how}"))


def service_back(s: Session, emergency_id: int, at: datetime, what: str, actor: str) -> str | None:
    """The monitor saw the service again: that resolves the fault, unless it is major and the customer was not
    yet consulted (then it stays open for a technician); returns the ticket's ref if it was resolved."""
    row = _provider_ticket(s, emergency_id)
    if row is None or _awaits_consultation(row):
        return None
    _resolve(s, row, max(at, row.reported_at), f"service restored: {what}", actor)
    return f"T{row.id}"


def list_tickets(ctx: Context, open_only: bool = False, contract_id: str | None = None) -> list[dict[str, Any]]:
    """This site's tickets reported up to 'now', oldest first; `open_only`: not yet resolved as of 'now';
    `contract_id`: that contract's only."""
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        query = select(FaultTicket).where(FaultTicket.reported_at <= now, of_site(s, FaultTicket.contract_id,
                                          contract_id)).order_by(FaultTicket.reported_at, FaultTicket.id)
        rows = [_ticket_view(t, site, now) for t in s.scalars(query)]
    return [r for r in rows if r["resolved_at"] is None] if open_only else rows


def _ticket(s: Session, ticket: str | int) -> FaultTicket:
    number = refs.number(ticket, "ticket")
    row = s.get(FaultTicket, number, with_for_update=True)
    if row is None:
        raise NotFound(f"ticket T{number} does not exist: see `colo ticket list`")
    return own(s, row, "ticket")


def _unresolved(s: Session, site: SiteInfo, ticket: str | int, instead: str) -> FaultTicket:
    row = _ticket(s, ticket)
    if row.resolved_at is not None:
        raise Refused(f"ticket T{row.id} was already resolved at {iso(row.resolved_at, site)}: {instead}")
    return row


def _ticket_view(t: FaultTicket, site: SiteInfo, now: datetime) -> dict[str, Any]:
    ref = f"T{t.id}"
    events = [Event("fault_reported", t.reported_at.astimezone(site.tz), ref)]
    if t.responded_at is not None:
        events.append(Event("fault_responded", t.responded_at.astimezone(site.tz), ref))
    if t.resolved_at is not None:
        events.append(Event("fault_resolved", t.resolved_at.astimezone(site.tz), ref))
    clocks = {c.rule.key: c for c in compute_clocks(ContractFacts(t.contract_id, 0, tuple(events)), site.calendar,
                                                    now, _FAULT_RULES)}
    seen = {e.kind for e in events if e.at <= now}  # a what-if --at before a step hides that step
    major = t.major_at is not None and t.major_at <= now
    consulted = t.consulted_at is not None and t.consulted_at <= now
    return {"ticket": ref, "contract": t.contract_id, "reported_at": iso(t.reported_at, site),
            "reported_by": t.reported_by_customer, "summary": t.summary, "source": t.source,
            "emergency": t.emergency_id,
            "major": {"at": iso(t.major_at, site), "by": t.major_by} if major else None,
            "consultation": {"at": iso(t.consulted_at, site), "with": t.consulted_with, "note": t.consultation,
                             "by": t.consulted_by} if consulted else None,
            "responded_at": iso(t.responded_at, site) if "fault_responded" in seen or "fault_resolved" in seen else None,
            "resolved_at": iso(t.resolved_at, site) if "fault_resolved" in seen else None,
            "resolution": t.resolution if "fault_resolved" in seen else None,
            "clocks": {"response": _clock(clocks["fault-response"], site),
                       "resolution": _clock(clocks["fault-resolution"], site)},
            "recorded_by": t.recorded_by}


def _clock(c: Clock, site: SiteInfo) -> dict[str, Any]:
    return {"clock": c.rule.key, "clause": c.rule.clause, "deadline": iso(c.deadline, site), "status": c.status.value,
            "stopped_at": iso(c.stopped_at, site), "seconds_left": int(c.time_left.total_seconds())}


# --- complaints --------------------------------------------------------------------


def record_complaint(ctx: Context, contract_id: str, summary: str, category: str,
                     employee: str | None = None) -> dict[str, Any]:
    """A complaint of one of the three kinds of SLA §8.1, possibly against a named employee."""
    text = one_line("--summary", summary, "say what the customer complains about", 500)
    kind = complaint_category(category)
    who = None if employee is None else one_line("--employee", employee, "give the employee complained about", 120)
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        contract = get_contract(s, contract_id)
        _signed(now, contract, "a complaint")
        row = Complaint(contract_id=contract.id, received_at=now, summary=text, recorded_by=ctx.actor,
                        category=kind, employee=who)
        s.add(row)
        s.flush()
        s.add(ContractEvent(contract_id=contract.id, kind="complaint_received", at=now, actor=ctx.actor, months=0,
                            ref=f"K{row.id}", detail=f"complaint K{row.id} ({COMPLAINT_CATEGORIES[kind]}"
                                                     + (f", about {who}" if who else "") + f"): {text}"))
        return _complaint_view(row, site, now)


def report_complaint(ctx: Context, complaint: str | int, ref: str) -> dict[str, Any]:
    if not _REF.fullmatch(ref.strip()):
        raise BadInput(f"--ref {ref!r}: give the written report's document number (letters, digits, . _ / -, "
                       f"at most 64)")
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        number = refs.number(complaint, "complaint")
        row = s.get(Complaint, number, with_for_update=True)
        if row is None:
            raise NotFound(f"complaint K{number} does not exist: see `colo complaint list`")
        own(s, row, "complaint")
        if row.reported_at is not None:
            raise Refused(f"complaint K{row.id} was already answered by written report {row.report_ref} "
                          f"at {iso(row.reported_at, site)}")
        not_before(now, row.received_at, "--at", f"the written report on K{row.id}", "the complaint")
        row.reported_at, row.report_ref = now, ref.strip()
        s.add(ContractEvent(contract_id=row.contract_id, kind="complaint_reported", at=now, actor=ctx.actor,
                            months=0, ref=f"K{row.id}", detail=f"complaint K{row.id}: written report {row.report_ref}"))
        return _complaint_view(row, site, now)


def list_complaints(ctx: Context, contract_id: str | None = None) -> list[dict[str, Any]]:
    """This site's complaints received up to 'now' (`contract_id`'s only, when given), oldest first, with the
    24-hour report clock."""
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        query = select(Complaint).where(Complaint.received_at <= now, of_site(s, Complaint.contract_id, contract_id)
                                        ).order_by(Complaint.received_at, Complaint.id)
        return [_complaint_view(k, site, now) for k in s.scalars(query)]


def _complaint_view(k: Complaint, site: SiteInfo, now: datetime) -> dict[str, Any]:
    ref = f"K{k.id}"
    events = [Event("complaint_received", k.received_at.astimezone(site.tz), ref)]
    if k.reported_at is not None:
        events.append(Event("complaint_reported", k.reported_at.astimezone(site.tz), ref))
    clock = compute_clocks(ContractFacts(k.contract_id, 0, tuple(events)), site.calendar, now, _COMPLAINT_RULES)[0]
    reported = k.reported_at is not None and k.reported_at <= now
    return {"complaint": ref, "contract": k.contract_id, "received_at": iso(k.received_at, site), "summary": k.summary,
            "category": k.category, "employee": k.employee,
            "reported_at": iso(k.reported_at, site) if reported else None,
            "report_ref": k.report_ref if reported else None, "clock": _clock(clock, site),
            "recorded_by": k.recorded_by}


def show_ticket(ctx: Context, ticket: str | int) -> dict[str, Any]:
    """One ticket with its clocks, as `ticket list` shows it."""
    with ctx.store.session() as s:
        site = load_site(s)
        return _ticket_view(scoped(s, FaultTicket, "ticket", ticket), site, ctx.now(site))


def show_complaint(ctx: Context, complaint: str | int) -> dict[str, Any]:
    """One complaint with its 24-hour report clock, as `complaint list` shows it."""
    with ctx.store.session() as s:
        site = load_site(s)
        return _complaint_view(scoped(s, Complaint, "complaint", complaint), site, ctx.now(site))
