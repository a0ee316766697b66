"""`colo enforce`: the contract's promises kept on the clock, for cron or a systemd timer.

Per contract it decides from the pure rules (billing, term, notices, storage) what is
due now and does it: issue a stop-service notice and send it (services.notices; an
undelivered one is sent again on every run), suspend or resume the port, end a
contract whose term or notice ran out and decommission it to the warehouse, mark stored
servers abandoned after 7 days, flag contracts ending within 30 days. Every decision
depends only on the store and 'now', and every action moves the contract past its
trigger, so a second run right after does nothing more. Runs that overlap (cron beside
a manual run) each re-check an action under the site lock right before doing it, so it
happens once and the others report it skipped (see carry_out).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import Session

from provision import progress
from provision.domain.billing import DEFAULT_STOP_AFTER, Action, Notice, enforcement
from provision.domain.lifecycle import State
from provision.domain.termination import notice_effective
from provision.errors import BadInput, ColoError, OperationFailed, Refused
from provision.monitor.notify import Mailer
from provision.services.context import Context, SiteInfo, load_site
from provision.services.contracts import get_contract, iso, transition
from provision.services.money import contract_end, notices, payments
from provision.services.money.payments import account, open_notice
from provision.services.provisioning.apply import Check
from provision.services.provisioning.operations import applying, one_at_a_time, owner_alive
from provision.store.schema import (
    Contract,
    ContractEvent,
    Operation,
    OperationContract,
    StopNotice,
    Stored,
)

WATCHED = ("provisioned", "active", "suspended", "ended", "in_storage")
ENDING_SOON = timedelta(days=30)
RESULT_STATE = {Action.SUSPEND.value: State.SUSPENDED.value, Action.RESUME.value: State.ACTIVE.value,
                "decommission": State.IN_STORAGE.value}  # where a device action leaves the contract


def _event(s: Session, cid: str, kind: str) -> ContractEvent | None:
    return s.scalar(select(ContractEvent).where(ContractEvent.contract_id == cid, ContractEvent.kind == kind)
                    .order_by(ContractEvent.at.desc(), ContractEvent.id.desc()))


def term_end(s: Session, site: SiteInfo, contract: Contract) -> datetime | None:
    activated = _event(s, contract.id, "activated")
    if activated is None:
        return None
    renewed = sum(s.scalars(select(ContractEvent.months).where(ContractEvent.contract_id == contract.id,
                                                              ContractEvent.kind == "renewed")))
    return activated.at.astimezone(site.tz) + relativedelta(months=contract.term_months + renewed)


def _decide(s: Session, site: SiteInfo, contract: Contract, now: datetime) -> list[str]:
    """The actions due for one contract now, in the order they must run."""
    if contract.state == State.IN_STORAGE.value:
        stored = s.scalar(select(Stored.stored_at).where(Stored.contract_id == contract.id))
        due = stored is not None and now >= stored + timedelta(days=contract_end.STORAGE_DAYS)
        return ["abandon"] if due else []
    if contract.state == State.ENDED.value:
        return ["decommission"]
    if contract.state in (State.ACTIVE.value, State.SUSPENDED.value):
        end = term_end(s, site, contract)
        notice = _event(s, contract.id, "termination_notice")
        ends = [t for t in (end, notice_effective(notice.at.astimezone(site.tz)) if notice else None) if t]
        if ends and now >= min(ends):
            return ["end", "decommission"]
        if end and now >= end - ENDING_SOON and _event(s, contract.id, "ending_soon") is None:
            return ["flag_ending"]
    stop = open_notice(s, contract.id)
    action = enforcement(contract.state, account(s, site, contract, now), None if stop is None else Notice(
        stop.issued_at.astimezone(site.tz), stop.stop_at.astimezone(site.tz), stop.delivered_at, stop.failed_at),
        now, contract.stop_reason)
    return [] if action is None else [action.value]


def enforce(ctx: Context, dry_run: bool = False, stop_after_hours: float = 24.0,
            mailer: Mailer | None = None) -> dict[str, Any]:
    """Send the notices still undelivered, then do what is due; a notice issued in this run is sent at once.

    Sending comes first so a notice whose delivery fails now may stop service in the same
    run, if its stop time has passed: its failure is then recorded, as §6.6 needs.
    """
    if not 0 < stop_after_hours <= 24 * 30:
        raise BadInput(f"--stop-after {stop_after_hours:g} hours is out of range: give 1 to 720")
    stop_after = timedelta(hours=stop_after_hours)
    sent = [] if dry_run else notices.deliver_pending(ctx, mailer)
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        todo = [(c.id, _decide(s, site, c, now), str(account(s, site, c, now).balance))
                for c in s.scalars(select(Contract).where(Contract.state.in_(WATCHED)).order_by(Contract.year, Contract.seq))]
    results = []
    for cid, actions, balance in todo:
        for action in actions:
            entry: dict[str, Any] = {"contract": cid, "action": action, "balance": balance, "done": False}
            results.append(entry)
            if dry_run:
                continue
            try:
                entry |= carry_out(ctx, cid, action, now, stop_after)
            except ColoError as e:
                entry["error"] = str(e)
                progress.step(f"{cid} {action}: FAILED")
                break  # the next action of this contract depends on this one
            progress.step(f"{cid} {action}: {'done' if entry['done'] else 'skipped'}")
    issued = {r["detail"]["notice"] for r in results if r["done"] and r["action"] == Action.ISSUE_NOTICE.value}
    if issued:
        sent += notices.deliver_pending(ctx, mailer, issued)
    return {"at": iso(now, site), "dry_run": dry_run, "actions": results, "notices": sent,
            "failed": sum(1 for r in results if "error" in r)}


ATTEMPTS = 3  # a contract can change between the check and the act; so many tries before the refusal stands


def carry_out(ctx: Context, cid: str, action: str, now: datetime,
              stop_after: timedelta = DEFAULT_STOP_AFTER) -> dict[str, Any]:
    """Do one due action, unless another process did it or is doing it: then say which, and change nothing.

    Overlapping runs (cron beside a manual run, four payments at once) all find the
    action due; each re-checks under the site lock before acting, so it happens once,
    and the others report it as skipped instead of failing.
    """
    attempt = 1
    while True:
        try:
            return {"done": True, "detail": _act(ctx, cid, action, now, stop_after)}
        except Refused:
            taken = _taken(ctx, cid, action, now)
            if taken is not None:
                return {"done": False} | taken
            if attempt == ATTEMPTS:
                raise
            attempt += 1  # refused because the contract moved under this run, and the action is due again


def _taken(ctx: Context, cid: str, action: str, now: datetime) -> dict[str, Any] | None:
    """Why this run need not do `action` after all, naming the operation if one did it; None if it is still due."""
    with ctx.store.session() as s:
        live = [op for op in applying(s, [cid]) if owner_alive(op.owner)]
        if live:
            return {"skipped": f"operation #{live[0].id} ({live[0].kind}) by {live[0].owner} is under way",
                    "operation": live[0].id}
        contract = get_contract(s, cid)
        site = load_site(s)
        due = _decide(s, site, contract, _judged_at(ctx, site, now))
        if action in due:
            return None
        if contract.state == RESULT_STATE.get(action):
            op_id = s.scalar(select(Operation.id).join(OperationContract)
                             .where(OperationContract.contract_id == cid, Operation.kind == action,
                                    Operation.state == "done").order_by(Operation.id.desc()))
            if op_id is not None:
                return {"skipped": f"done by operation #{op_id}", "operation": op_id}
        return {"skipped": f"not due any more: another run did it or the contract changed meanwhile "
                           f"({contract.state}, due now: {', '.join(due) or 'nothing'})", "operation": None}


def _judged_at(ctx: Context, site: SiteInfo, now: datetime) -> datetime:
    """The later of the run's 'now' and the clock: a payment booked while a long run was under way counts."""
    return max(now, ctx.now(site))


def _still_due(ctx: Context, cid: str, action: str, now: datetime) -> Check:
    """The rule behind `action`, asked again under the site lock right before it is done (and concluded)."""
    def check(s: Session) -> None:
        contract = get_contract(s, cid)
        site = load_site(s)
        due = _decide(s, site, contract, _judged_at(ctx, site, now))
        if action not in due:
            raise Refused(f"contract {contract.id}: {action} is not due any more ({contract.state}; due now: "
                          f"{', '.join(due) or 'nothing'})")

    return check


def resume(ctx: Context, cid: str, now: datetime) -> dict[str, Any]:
    """Re-open a paid-up suspended contract's ports and close its stop-service notice."""
    from provision.services.provisioning.deploy import set_service  # devices load only when a port must change

    done = set_service(ctx, cid, up=True, reason="resumed: payment received",
                       still_wanted=_still_due(ctx, cid, Action.RESUME.value, now))
    _resolve_notice(ctx, cid, now)
    return done


def _resolve_notice(ctx: Context, cid: str, now: datetime) -> None:
    with ctx.store.session() as s:
        stop = open_notice(s, cid)
        if stop is not None:
            stop.resolved_at, stop.resolution = now, "paid"


def _act(ctx: Context, cid: str, action: str, now: datetime, stop_after: timedelta) -> dict[str, Any]:
    """Do `action`; raise Refused if under the lock it turns out no longer due (see carry_out)."""
    from provision.services.provisioning.deploy import set_service

    due = _still_due(ctx, cid, action, now)
    if action == Action.SUSPEND.value:
        return set_service(ctx, cid, up=False, reason="suspended for non-payment (§6.6)", still_wanted=due)
    if action == Action.RESUME.value:
        return resume(ctx, cid, now)
    if action == "decommission":
        result = contract_end.decommission(ctx, cid, still_wanted=due)
        return {"operation": result["operation"], "message": result["message"]}
    with ctx.store.session() as s:
        one_at_a_time(s)
        due(s)
        site = load_site(s)
        if action == Action.ISSUE_NOTICE.value:
            notice = StopNotice(contract_id=cid, issued_at=now, stop_at=now + stop_after, resolution="")
            s.add(notice)
            s.flush()
            s.add(ContractEvent(contract_id=cid, kind="stop_notice_issued", at=now, actor=ctx.actor, months=0,
                                ref=str(notice.id), detail=f"service stops at {iso(notice.stop_at, site)} unless paid"))
            return {"notice": notice.id, "stop_at": iso(notice.stop_at, site)}
        contract = get_contract(s, cid)
        if action == "end":
            transition(s, contract, State.ENDED, now, ctx.actor, detail="term or notice ran out without renewal")
            return {"state": State.ENDED.value}
        if action == "abandon":
            contract_end.abandon(s, cid, now, ctx.actor)
            return {"state": State.ABANDONED.value}
        s.add(ContractEvent(contract_id=cid, kind="ending_soon", at=now, actor=ctx.actor, months=0,
                            detail="term ends within 30 days: confirm renewal with the customer"))
        return {"flagged": "ending within 30 days"}


def set_service_by_rule(ctx: Context, contract_id: str, up: bool, dry_run: bool = False) -> dict[str, Any]:
    """Suspend or resume one contract now, but only when the contract's rules call for it.

    What Ansible's suspend/resume playbooks use: an operator may run them at any time,
    and they change nothing unless `enforce` would make the same change.
    """
    from provision.services.provisioning.deploy import set_service

    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        contract = get_contract(s, contract_id)
        wanted = State.ACTIVE.value if up else State.SUSPENDED.value
        if contract.state == wanted:
            return {"contract": contract.id, "state": wanted, "operation": None, "changes": 0, "ports": [],
                    "plan": None, "message": f"{contract.id} is already {wanted}"}
        due = _decide(s, site, contract, now)
        action = Action.RESUME.value if up else Action.SUSPEND.value
        if action not in due:
            raise Refused(f"contract {contract.id} is {contract.state}: its rules do not call for "
                          f"{'resumption' if up else 'suspension'} now (enforce would do: {', '.join(due) or 'nothing'})")
        cid = contract.id
    result = set_service(ctx, cid, up, "resumed: payment received" if up else "suspended for non-payment (§6.6)",
                         dry_run=dry_run, still_wanted=_still_due(ctx, cid, action, now))
    if up and not dry_run:
        _resolve_notice(ctx, cid, now)
    return result | {"message": f"{cid} {'would be' if dry_run else 'is'} {wanted}"}


def record_payment(ctx: Context, contract_id: str, amount: str, ref: str | None = None) -> dict[str, Any]:
    """Book a payment, and lift a paid-up suspension for non-payment once, however many payers arrive together.

    Lifting is this module's `resume`, decided once under the site lock: a payer that finds
    it done or under way by another says so. A failure still names the booked payment, so
    nobody records it twice.
    """
    result, now = payments.book(ctx, contract_id, amount, ref)
    if now is None:
        return result
    cid = result["account"]["contract"]
    try:
        outcome = carry_out(ctx, cid, Action.RESUME.value, now)
    except ColoError as e:
        kind = Refused if isinstance(e, Refused) else OperationFailed
        raise kind(f"payment #{result['payment']} of {result['recorded']} for {cid} is booked, but lifting the "
                   f"suspension failed: {e} — do not record the payment again; `colo enforce` retries the resumption"
                   ) from None
    with ctx.store.session() as s:
        site = load_site(s)
        contract = get_contract(s, cid)
        result["resumed"] = dict(outcome["detail"]) if outcome["done"] else {
            "contract": cid, "state": contract.state, "operation": outcome["operation"], "skipped": outcome["skipped"]}
        result["account"] = payments.account_view(s, site, contract, now)
    return result

