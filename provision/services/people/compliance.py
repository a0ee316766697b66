"""Stops with an authority of their own: annual reviews, the authorities' orders and spam complaints
(hosting §5.8-5.9, user undertaking 5.2). The licences of §5.7 are in `licences`.

A failed review, an order of the authorities and spam that went on after a warning each
stop the service with an authority of its own: a `service_stops` row, open until lifted,
written with the fact that ordered it in one transaction. Then the devices follow: an
active contract's ports are shut through the same journaled, verified suspension as
non-payment (`provisioning.set_service`, stop reason review | authorities | abuse); a
contract already suspended keeps its shut ports and only its reason changes, to the
stronger one. Payment and `colo enforce` never lift these. Lifting the last one re-opens
the ports — unless the customer is in debt: then the contract stays suspended, stopped
for non-payment, and payment lifts it as usual.

If the devices fail after the stop is recorded, running the same command again (same
document reference, same case) retries the shutdown without recording anything twice.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from provision.domain import refs
from provision.domain.billing import Action, enforcement
from provision.domain.bounds import not_before, one_line
from provision.domain.clocks import RULES, ContractFacts, Event, compute_clocks
from provision.domain.compliance import (
    Imposed,
    after_lift,
    impose,
    in_service,
    may_shut_for_abuse,
)
from provision.domain.lifecycle import State, StopReason
from provision.errors import BadInput, ColoError, NotFound, OperationFailed, Refused
from provision.services.context import Context, SiteInfo, load_site
from provision.services.contract_view import clock_view
from provision.services.contracts import get_contract, iso
from provision.services.money.payments import account, open_notice
from provision.services.provisioning.operations import one_at_a_time
from provision.services.site_scope import of_site, own, scoped
from provision.store.schema import (
    AbuseCase,
    Contract,
    ContractEvent,
    Review,
    ServiceStop,
)

_REF = re.compile(r"[A-Za-z0-9._/-]{1,64}")
_ABUSE_RULES = tuple(r for r in RULES if r.key == "abuse-warning")
ATTEMPTS = 3  # a contract can change between the check and the act (enforcement beside this run)
CLAUSE = {StopReason.REVIEW: "annual review failed (hosting §5.8)",
          StopReason.AUTHORITIES: "ordered by the authorities (hosting §5.9)",
          StopReason.ABUSE: "spam went on after a warning (user undertaking 5.2)"}


def _ref(option: str, text: str, what: str) -> str:
    ref = text.strip()
    if not _REF.fullmatch(ref):
        raise BadInput(f"{option} {text!r}: give {what} (1-64 letters, digits, . _ / -)")
    return ref


def _note(text: str | None) -> str:
    return "" if text is None else one_line("--note", text, "say it in one line", 500)


def _event(s: Session, cid: str, kind: str, at: datetime, actor: str, detail: str, ref: str | None = None) -> None:
    s.add(ContractEvent(contract_id=cid, kind=kind, at=at, actor=actor, months=0, ref=ref, detail=detail))


# --- stops: ordered, imposed on the devices, lifted ----------------------------------


def _open_stops(s: Session, cid: str, reason: StopReason | None = None) -> list[ServiceStop]:
    query = select(ServiceStop).where(ServiceStop.contract_id == cid, ServiceStop.lifted_at.is_(None))
    if reason is not None:
        query = query.where(ServiceStop.reason == reason.value)
    return list(s.scalars(query.order_by(ServiceStop.id)))


def _order(s: Session, contract: Contract, reason: StopReason, ref: str, note: str, now: datetime,
           actor: str) -> ServiceStop:
    """Record the stop; a contract already suspended takes the stronger reason at once (its ports are shut)."""
    how, held = impose(contract.id, contract.state, _reason(contract), reason)
    row = ServiceStop(contract_id=contract.id, reason=reason.value, ref=ref, note=note, ordered_at=now,
                      ordered_by=actor)
    s.add(row)
    s.flush()
    _event(s, contract.id, "stop_ordered", now, actor,
           f"stop S{row.id}: {CLAUSE[reason]}, document {ref}" + (f"; {note}" if note else ""), ref)
    if how is Imposed.RESTAMP:
        _restamp(s, contract, held, now, actor)
    return row


def _reason(contract: Contract) -> StopReason | None:
    return None if contract.stop_reason is None else StopReason(contract.stop_reason)


def _restamp(s: Session, contract: Contract, held: StopReason, now: datetime, actor: str) -> None:
    if contract.stop_reason != held.value:
        _event(s, contract.id, "stop_reason", now, actor,
               f"suspended for {held.value} (was {contract.stop_reason}); the ports were already shut")
        contract.stop_reason = held.value


def _shut(ctx: Context, cid: str, stop_id: int, what: str) -> dict[str, Any]:
    """Bring the devices in line with an open stop: shut an active contract's ports; a suspended one's already are."""
    from provision.services.provisioning.deploy import set_service  # devices load only when a port must change

    def still_open(s: Session) -> None:
        row = s.get(ServiceStop, stop_id)
        if row is None or row.lifted_at is not None:
            raise Refused(f"stop S{stop_id} of {cid} was lifted meanwhile: the service is not shut")

    attempt = 1
    while True:
        with ctx.store.session() as s:
            one_at_a_time(s)
            site = load_site(s)
            contract = get_contract(s, cid)
            row = s.get(ServiceStop, stop_id)
            assert row is not None
            reason, doc = StopReason(row.reason), row.ref
            if row.lifted_at is not None:
                return {"operation": None, "ports": [], "shut": False, "note": "the stop was lifted meanwhile"}
            how, held = impose(contract.id, contract.state, _reason(contract), reason)
            if how is Imposed.RESTAMP:
                _restamp(s, contract, held, ctx.now(site), ctx.actor)
                return {"operation": None, "ports": [], "shut": True, "note": "already suspended: the ports were "
                                                                             "already shut, no device was touched"}
        try:
            done = set_service(ctx, cid, up=False, reason=f"stopped: {CLAUSE[reason]}, {doc} (stop S{stop_id})",
                               still_wanted=still_open, stop_reason=reason)
            return {"operation": done["operation"], "ports": done["ports"], "shut": True, "note": None}
        except Refused:
            if attempt == ATTEMPTS:
                raise
            attempt += 1  # the contract moved under this run (suspended meanwhile): decide again
        except ColoError as e:
            raise OperationFailed(f"{what} is recorded (stop S{stop_id}), but shutting the service failed: {e} — "
                                  f"run the same command again to retry; nothing is recorded twice") from None


def _lift(s: Session, site: SiteInfo, contract: Contract, rows: list[ServiceStop], ref: str, now: datetime,
          actor: str, what: str) -> bool:
    """Lift `rows`; say whether the service may come back now (True) or what still holds it (recorded)."""
    for row in rows:
        row.lifted_at, row.lifted_ref, row.lifted_by = now, ref, actor
    if rows:
        _event(s, contract.id, "stop_lifted", now, actor,
               f"{what}: lifted " + ", ".join(f"stop S{r.id} ({r.reason}, {r.ref})" for r in rows), ref)
    s.flush()
    if contract.state != State.SUSPENDED.value or contract.stop_reason in (None, StopReason.NONPAYMENT.value):
        return False  # running, or held by money alone: nothing of this lift's to do on the devices
    in_debt = account(s, site, contract, now).in_debt
    held = after_lift((StopReason(r.reason) for r in _open_stops(s, contract.id)), in_debt)
    if held is None:
        contract.stop_reason = StopReason.NONPAYMENT.value  # nothing owed: enforcement's rule calls for resumption
        return True
    if contract.stop_reason != held.value:
        _event(s, contract.id, "stop_reason", now, actor, f"stays suspended: {CLAUSE[held]} still holds it"
               if held is not StopReason.NONPAYMENT else "stays suspended for non-payment: the customer is in "
               "debt; a payment that clears it re-opens the ports")
        contract.stop_reason = held.value
    return False


def _reopen(ctx: Context, cid: str, what: str) -> dict[str, Any]:
    """Re-open the ports of a contract nothing holds any more (no open stop, nothing owed)."""
    from provision.services.provisioning.deploy import set_service

    def still_wanted(s: Session) -> None:
        site = load_site(s)
        contract = get_contract(s, cid)
        due = enforcement(contract.state, account(s, site, contract, ctx.now(site)), None, ctx.now(site),
                          contract.stop_reason)
        if due is not Action.RESUME or _open_stops(s, cid):
            raise Refused(f"contract {cid} is no longer to be re-opened ({contract.state}, stopped for "
                          f"{contract.stop_reason}): nothing was sent")

    try:
        done = set_service(ctx, cid, up=True, reason=f"resumed: {what}, nothing owed", still_wanted=still_wanted)
    except Refused:
        with ctx.store.session() as s:
            if get_contract(s, cid).state == State.ACTIVE.value:
                return {"operation": None, "ports": [], "note": "already re-opened by another run"}
        raise
    except ColoError as e:
        raise OperationFailed(f"{what} is recorded and nothing holds {cid} any more, but re-opening the ports "
                              f"failed: {e} — `colo enforce` retries the resumption") from None
    with ctx.store.session() as s:
        site = load_site(s)
        notice = open_notice(s, cid)
        if notice is not None:  # nothing is owed: the notice's debt is paid
            notice.resolved_at, notice.resolution = ctx.now(site), "paid"
    return {"operation": done["operation"], "ports": done["ports"], "note": None}


def _standing(ctx: Context, cid: str, devices: dict[str, Any] | None) -> dict[str, Any]:
    with ctx.store.session() as s:
        site = load_site(s)
        contract = get_contract(s, cid)
        return {"contract": contract.id, "state": contract.state, "stop_reason": contract.stop_reason,
                "open_stops": [{"stop": f"S{r.id}", "reason": r.reason, "ref": r.ref,
                                "ordered_at": iso(r.ordered_at, site), "note": r.note}
                               for r in _open_stops(s, contract.id)],
                "devices": devices}


# --- annual review (hosting §5.8) ------------------------------------------------------


def record_review(ctx: Context, contract_id: str, passed: bool, ref: str, note: str | None = None) -> dict[str, Any]:
    """Record a review; a failed one stops the service, a passed one lifts a review stop (debt permitting)."""
    doc = _ref("--ref", ref, "the review document's number")
    text = _note(note)
    with ctx.store.session() as s:
        one_at_a_time(s)
        site = load_site(s)
        now = ctx.now(site)
        contract = get_contract(s, contract_id)
        cid = contract.id
        earlier = s.scalar(select(Review).where(Review.contract_id == cid, Review.ref == doc))
        stop_id, reopen = None, False
        if earlier is not None:
            if earlier.passed != passed:
                raise Refused(f"--ref {doc} is already recorded for {cid} as a {_outcome(earlier.passed)} review on "
                              f"{iso(earlier.at, site)}: a new review needs its own document reference")
            review = earlier
            stop = s.scalar(select(ServiceStop).where(ServiceStop.contract_id == cid, ServiceStop.ref == doc,
                                                      ServiceStop.reason == StopReason.REVIEW.value,
                                                      ServiceStop.lifted_at.is_(None)))
            stop_id = None if stop is None else stop.id
        else:
            in_service(cid, contract.state, "an annual review")
            last = s.scalar(select(Review.at).where(Review.contract_id == cid).order_by(Review.at.desc()))
            not_before(now, last or contract.signed_at, "--at", "a review",
                       "the last review" if last else f"the signing of {cid}")
            review = Review(contract_id=cid, at=now, passed=passed, ref=doc, note=text, recorded_by=ctx.actor)
            s.add(review)
            s.flush()
            _event(s, cid, "reviewed", now, ctx.actor, f"annual review R{review.id} {_outcome(passed)}: "
                   f"document {doc}" + (f"; {text}" if text else ""))
            if passed:
                reopen = _lift(s, site, contract, _open_stops(s, cid, StopReason.REVIEW), doc, now, ctx.actor,
                               f"annual review R{review.id} passed")
            else:
                stop_id = _order(s, contract, StopReason.REVIEW, doc, text, now, ctx.actor).id
        result = {"review": f"R{review.id}", "passed": review.passed, "ref": doc, "at": iso(review.at, site),
                  "replayed": earlier is not None}
    devices = _devices(ctx, cid, stop_id, reopen, f"the failed review {doc}", f"annual review {doc} passed")
    return result | _standing(ctx, cid, devices)


def _outcome(passed: bool) -> str:
    return "passed" if passed else "failed"


def _devices(ctx: Context, cid: str, stop_id: int | None, reopen: bool, ordered: str,
             lifted: str) -> dict[str, Any] | None:
    if stop_id is not None:
        return _shut(ctx, cid, stop_id, ordered)
    if reopen:
        return _reopen(ctx, cid, lifted)
    return None


# --- the authorities (hosting §5.9) ----------------------------------------------------


def authority_stop(ctx: Context, contract_id: str, ref: str, note: str | None = None) -> dict[str, Any]:
    """Shut a contract's service on the authorities' order: no customer authorization, the document recorded."""
    doc = _ref("--ref", ref, "the authorities' document number")
    text = _note(note)
    with ctx.store.session() as s:
        one_at_a_time(s)
        site = load_site(s)
        now = ctx.now(site)
        contract = get_contract(s, contract_id)
        cid = contract.id
        earlier = s.scalar(select(ServiceStop).where(ServiceStop.contract_id == cid, ServiceStop.ref == doc,
                                                     ServiceStop.reason == StopReason.AUTHORITIES.value))
        if earlier is not None and earlier.lifted_at is not None:
            raise Refused(f"--ref {doc}: that order on {cid} was lifted at {iso(earlier.lifted_at, site)} "
                          f"(by {earlier.lifted_ref}); a new order has a document reference of its own")
        if earlier is None:
            not_before(now, contract.signed_at, "--at", "an order of the authorities", f"the signing of {cid}")
            earlier_id = None
            row = _order(s, contract, StopReason.AUTHORITIES, doc, text, now, ctx.actor)
        else:
            earlier_id, row = earlier.id, earlier
        stop_id = row.id
    devices = _shut(ctx, cid, stop_id, f"the authorities' order {doc}")
    return {"stop": f"S{stop_id}", "ref": doc, "replayed": earlier_id is not None} | _standing(ctx, cid, devices)


def authority_lift(ctx: Context, contract_id: str, ref: str, note: str | None = None) -> dict[str, Any]:
    """The authorities lifted their order: the service comes back unless another stop or a debt holds it."""
    doc = _ref("--ref", ref, "the document lifting the order")
    text = _note(note)
    with ctx.store.session() as s:
        one_at_a_time(s)
        site = load_site(s)
        now = ctx.now(site)
        contract = get_contract(s, contract_id)
        cid = contract.id
        rows = _open_stops(s, cid, StopReason.AUTHORITIES)
        if not rows:
            raise Refused(f"contract {cid} has no open order of the authorities to lift: see `colo contract show {cid}`")
        for row in rows:
            not_before(now, row.ordered_at, "--at", "lifting the order", f"the order {row.ref}")
        reopen = _lift(s, site, contract, rows, doc, now, ctx.actor,
                       "the authorities lifted their order, document " + doc + (f"; {text}" if text else ""))
    devices = _reopen(ctx, cid, f"the authorities' order lifted ({doc})") if reopen else None
    return {"lifted": [f"S{r.id}" for r in rows], "ref": doc} | _standing(ctx, cid, devices)


# --- spam complaints (user undertaking 5.2) -------------------------------------------


def _case(s: Session, case: str | int) -> AbuseCase:
    number = refs.number(case, "case", "abuse case")
    row = s.get(AbuseCase, number, with_for_update=True)
    if row is None:
        raise NotFound(f"abuse case A{number} does not exist: see `colo abuse list`")
    return own(s, row, "case", "abuse case")


def abuse_report(ctx: Context, contract_id: str, summary: str, source: str | None = None) -> dict[str, Any]:
    """A complaint of spam from the customer's server: the warning is due within 3 working days."""
    text = one_line("--summary", summary, "say what was complained of", 500)
    who = None if source is None else one_line("--source", source, "say who complained")
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        contract = get_contract(s, contract_id)
        if contract.state not in (State.PROVISIONED.value, State.ACTIVE.value, State.SUSPENDED.value):
            raise Refused(f"contract {contract.id} is {contract.state}: it has no server on the network to send "
                          f"spam; a complaint about it concerns another customer")
        not_before(now, contract.signed_at, "--at", "a spam complaint", f"the signing of {contract.id}")
        row = AbuseCase(contract_id=contract.id, reported_at=now, summary=text, source=who, recorded_by=ctx.actor)
        s.add(row)
        s.flush()
        _event(s, contract.id, "abuse_reported", now, ctx.actor,
               f"spam complaint A{row.id}" + (f" from {who}" if who else "") + f": {text}", f"A{row.id}")
        return _case_view(s, site, row, now)


def abuse_warn(ctx: Context, case: str | int, ref: str) -> dict[str, Any]:
    doc = _ref("--ref", ref, "the warning's document number")
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        row = _case(s, case)
        if row.closed_at is not None:
            raise Refused(f"abuse case A{row.id} was closed at {iso(row.closed_at, site)}: nothing to warn about")
        if row.warned_at is not None:
            raise Refused(f"abuse case A{row.id}: the customer was warned at {iso(row.warned_at, site)} "
                          f"({row.warning_ref}); if the spam goes on, `colo abuse continued A{row.id}`")
        not_before(now, row.reported_at, "--at", f"the warning on A{row.id}", "the complaint")
        row.warned_at, row.warning_ref = now, doc
        _event(s, row.contract_id, "abuse_warned", now, ctx.actor, f"spam complaint A{row.id}: customer warned, "
               f"document {doc}", f"A{row.id}")
        return _case_view(s, site, row, now)


def abuse_continued(ctx: Context, case: str | int, note: str | None = None) -> dict[str, Any]:
    """The spam went on after the warning: shut the service (refused before a warning was recorded)."""
    text = _note(note)
    with ctx.store.session() as s:
        one_at_a_time(s)
        site = load_site(s)
        now = ctx.now(site)
        row = _case(s, case)
        ref = f"A{row.id}"
        cid = row.contract_id
        replayed = row.continued_at is not None
        if replayed:
            stop = s.scalar(select(ServiceStop).where(ServiceStop.contract_id == cid, ServiceStop.ref == ref,
                                                      ServiceStop.reason == StopReason.ABUSE.value))
            assert stop is not None
        else:
            may_shut_for_abuse(ref, row.warned_at, row.closed_at is not None)
            assert row.warned_at is not None
            not_before(now, row.warned_at, "--at", f"spam going on after the warning on {ref}", "the warning")
            row.continued_at = now
            _event(s, cid, "abuse_continued", now, ctx.actor, f"spam complaint {ref}: the spam went on after "
                   f"warning {row.warning_ref}" + (f"; {text}" if text else ""), ref)
            stop = _order(s, get_contract(s, cid), StopReason.ABUSE, ref, text, now, ctx.actor)
        stop_id, lifted = stop.id, stop.lifted_at is not None
        view = _case_view(s, site, row, now)
    devices = None if lifted else _shut(ctx, cid, stop_id, f"the shutdown for {ref}")
    return view | {"replayed": replayed} | _standing(ctx, cid, devices)


def abuse_close(ctx: Context, case: str | int, note: str | None = None) -> dict[str, Any]:
    """End the case; a shutdown for it is lifted (the service comes back unless something else holds it)."""
    text = _note(note)
    with ctx.store.session() as s:
        one_at_a_time(s)
        site = load_site(s)
        now = ctx.now(site)
        row = _case(s, case)
        ref = f"A{row.id}"
        if row.closed_at is not None:
            raise Refused(f"abuse case {ref} was already closed at {iso(row.closed_at, site)}")
        not_before(now, row.continued_at or row.warned_at or row.reported_at, "--at", f"closing {ref}",
                   "its last step")
        row.closed_at, row.close_note = now, text or None
        _event(s, row.contract_id, "abuse_closed", now, ctx.actor, f"spam complaint {ref} closed"
               + (f": {text}" if text else ""), ref)
        contract = get_contract(s, row.contract_id)
        stops = [r for r in _open_stops(s, contract.id, StopReason.ABUSE) if r.ref == ref]
        reopen = _lift(s, site, contract, stops, ref, now, ctx.actor, f"spam complaint {ref} closed")
        cid, view = contract.id, _case_view(s, site, row, now)
    devices = _reopen(ctx, cid, f"spam complaint {ref} closed") if reopen else None
    return view | _standing(ctx, cid, devices)


def abuse_cases(ctx: Context, open_only: bool = False, contract_id: str | None = None) -> list[dict[str, Any]]:
    """This site's abuse cases reported by 'now' (`contract_id`'s only, when given), oldest first."""
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        query = select(AbuseCase).where(AbuseCase.reported_at <= now, of_site(s, AbuseCase.contract_id, contract_id)
                                        ).order_by(AbuseCase.reported_at, AbuseCase.id)
        if open_only:
            query = query.where(AbuseCase.closed_at.is_(None))
        return [_case_view(s, site, row, now) for row in s.scalars(query)]


def _case_view(s: Session, site: SiteInfo, row: AbuseCase, now: datetime) -> dict[str, Any]:
    ref = f"A{row.id}"
    events = [Event("abuse_reported", row.reported_at.astimezone(site.tz), ref)]
    for kind, at in (("abuse_warned", row.warned_at), ("abuse_closed", row.closed_at)):
        if at is not None:
            events.append(Event(kind, at.astimezone(site.tz), ref))
    clock = compute_clocks(ContractFacts(row.contract_id, 0, tuple(events)), site.calendar, now, _ABUSE_RULES)[0]
    status = ("closed" if row.closed_at else "stopped" if row.continued_at else "warned" if row.warned_at
              else "reported")
    return {"case": ref, "contract": row.contract_id, "status": status, "reported_at": iso(row.reported_at, site),
            "summary": row.summary, "source": row.source, "warned_at": iso(row.warned_at, site),
            "warning_ref": row.warning_ref, "continued_at": iso(row.continued_at, site),
            "closed_at": iso(row.closed_at, site), "close_note": row.close_note,
            "warning_clock": clock_view(clock, site), "recorded_by": row.recorded_by}


def abuse_case(ctx: Context, case: str | int) -> dict[str, Any]:
    """One abuse case (A5 or 5) with its warning clock, as `abuse list` shows it."""
    with ctx.store.session() as s:
        site = load_site(s)
        return _case_view(s, site, scoped(s, AbuseCase, "case", case, "abuse case"), ctx.now(site))


def stops(ctx: Context, contract_id: str | None = None, open_only: bool = False) -> list[dict[str, Any]]:
    """This site's stops with an authority of their own (failed review, the authorities, abuse) ordered by 'now', oldest first;
    `open_only`: not yet lifted."""
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        query = select(ServiceStop).where(ServiceStop.ordered_at <= now,
                                          of_site(s, ServiceStop.contract_id, contract_id)
                                          ).order_by(ServiceStop.ordered_at, ServiceStop.id)
        rows = [_stop_view(row, site, now) for row in s.scalars(query)]
    return [r for r in rows if r["lifted_at"] is None] if open_only else rows


def stop(ctx: Context, text: str | int) -> dict[str, Any]:
    """One stop (S1 or 1): who ordered it by which document, and its lifting."""
    with ctx.store.session() as s:
        site = load_site(s)
        return _stop_view(scoped(s, ServiceStop, "stop", text), site, ctx.now(site))


def _stop_view(row: ServiceStop, site: SiteInfo, now: datetime) -> dict[str, Any]:
    lifted = row.lifted_at is not None and row.lifted_at <= now  # a what-if --at before the lifting hides it
    return {"stop": f"S{row.id}", "contract": row.contract_id, "reason": row.reason, "ref": row.ref,
            "note": row.note or None, "ordered_at": iso(row.ordered_at, site), "ordered_by": row.ordered_by,
            "lifted_at": iso(row.lifted_at, site) if lifted else None, "lifted_ref": row.lifted_ref if lifted else None,
            "lifted_by": row.lifted_by if lifted else None}


def reviews(ctx: Context, contract_id: str | None = None) -> list[dict[str, Any]]:
    """This site's annual reviews (hosting §5.8) recorded by 'now', oldest first."""
    with ctx.store.session() as s:
        site = load_site(s)
        query = select(Review).where(Review.at <= ctx.now(site), of_site(s, Review.contract_id, contract_id)
                                     ).order_by(Review.at, Review.id)
        return [_review_view(row, site) for row in s.scalars(query)]


def review(ctx: Context, text: str | int) -> dict[str, Any]:
    """One annual review (R1 or 1) and its outcome."""
    with ctx.store.session() as s:
        site = load_site(s)
        return _review_view(scoped(s, Review, "review", text), site)


def _review_view(row: Review, site: SiteInfo) -> dict[str, Any]:
    return {"review": f"R{row.id}", "contract": row.contract_id, "at": iso(row.at, site), "passed": row.passed,
            "ref": row.ref, "note": row.note or None, "recorded_by": row.recorded_by}
