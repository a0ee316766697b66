"""The end of a contract: renewal, termination, decommission to the warehouse, release (§6.2, §8.4, §8.5).

Decommission is plan → apply → verify like provisioning: each port goes back to the
platform's clean default (shut, no description, VLAN, rate limit or binding — the
bindings kept in global configuration included), each outlet is switched off, and only
then are slot, port and addresses returned to the pools and the servers booked into
the warehouse with their 7-day clock.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from provision.domain.lifecycle import State
from provision.domain.termination import FORCED_CAUSES, forced_refund, notice_effective
from provision.domain.terms import Payment
from provision.errors import BadInput, NotFound, Refused
from provision.services.context import Context, load_site
from provision.services.contract_view import contract_view, placements_view
from provision.services.contracts import get_contract, iso, transition
from provision.services.money.payments import account, fee_schedule, keep_refund
from provision.services.provisioning import apply as applier
from provision.services.provisioning import devices, plans
from provision.services.provisioning.operations import one_at_a_time
from provision.services.site_scope import of_site
from provision.store.schema import ContractEvent, Stored

STORAGE_DAYS = 7


def renew(ctx: Context, contract_id: str, months: int) -> dict[str, Any]:
    if not 1 <= months <= 120:
        raise BadInput(f"--months {months} is out of range: give 1 to 120")
    with ctx.store.session() as s:
        one_at_a_time(s)  # enforcement decides on the term end under the same lock
        site = load_site(s)
        now = ctx.now(site)
        contract = get_contract(s, contract_id)
        if contract.state not in (State.ACTIVE.value, State.SUSPENDED.value):
            raise Refused(f"contract {contract.id} is {contract.state}: only a running contract (active or "
                          f"suspended) can be renewed")
        s.add(ContractEvent(contract_id=contract.id, kind="renewed", at=now, actor=ctx.actor, months=months,
                            detail=f"renewed for {months} month(s)"))
        s.flush()
        view = contract_view(s, site, contract, now)
        return {"contract": contract.id, "renewed_months": months, "term_end": view["term_end"]}


def terminate(ctx: Context, contract_id: str, forced: str | None = None) -> dict[str, Any]:
    """Written notice by the customer (ends in a month), or forced now with the refund sheet."""
    if forced is not None and forced not in FORCED_CAUSES:
        raise BadInput(f"--forced {forced!r}: give one of {', '.join(FORCED_CAUSES)}")
    with ctx.store.session() as s:
        one_at_a_time(s)  # the refund counts every payment booked before it, none after
        site = load_site(s)
        now = ctx.now(site)
        contract = get_contract(s, contract_id)
        if contract.state not in (State.ACTIVE.value, State.SUSPENDED.value):
            raise Refused(f"contract {contract.id} is {contract.state}: only a running contract can be terminated")
        if forced is None:
            pending = s.scalar(select(ContractEvent.id).where(ContractEvent.contract_id == contract.id,
                                                              ContractEvent.kind == "termination_notice"))
            if pending is not None:
                raise Refused(f"contract {contract.id} already has a termination notice")
            ends = notice_effective(now)
            s.add(ContractEvent(contract_id=contract.id, kind="termination_notice", at=now, actor=ctx.actor,
                                months=0, detail=f"customer's written notice; ends {iso(ends, site)}"))
            return {"contract": contract.id, "ends_at": iso(ends, site), "refund": None}
        paid = account(s, site, contract, now).paid
        refund = forced_refund(fee_schedule(s, contract), Payment(contract.payment), contract.signed_at.astimezone(site.tz),
                               paid, now, compensated=FORCED_CAUSES[forced])
        clause = "§8.5" if FORCED_CAUSES[forced] else "§8.3, no compensation"
        transition(s, contract, State.ENDED, now, ctx.actor, detail=f"terminated, forced by {forced} ({clause})")
        s.add(ContractEvent(contract_id=contract.id, kind="refund_due", at=now, actor=ctx.actor, months=0,
                            detail=f"{refund.total} = " + " + ".join(str(line.amount) for line in refund.lines)))
        if refund.total:  # kept until `payment refunded` records it paid
            keep_refund(s, contract.id, "termination", [(line.label, line.amount) for line in refund.lines],
                        refund.basis, now, ctx.actor)
        return {"contract": contract.id, "ends_at": iso(now, site), "refund": {
            "basis": refund.basis, "lines": [{"item": line.label, "amount": str(line.amount)} for line in refund.lines],
            "total": str(refund.total)}}


def decommission(ctx: Context, contract_id: str, dry_run: bool = False, location: str = "warehouse",
                 still_wanted: applier.Check | None = None) -> dict[str, Any]:
    """Reset the ended contract's ports and outlets, then free its resources and store its servers.

    `still_wanted` is asked again when the operation is claimed and when it concludes
    (enforcement's rule, see apply.apply).
    """
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 ._/-]{0,63}", location):
        raise BadInput(f"--location {location!r}: give a warehouse shelf like W1-03, letters, digits, . _ / -")
    with devices.sessions():
        with ctx.store.session() as s:
            site = load_site(s)
            now = ctx.now(site)
            contract = get_contract(s, contract_id)
            if contract.state != State.ENDED.value:
                raise Refused(f"contract {contract.id} is {contract.state}: only an ended contract is decommissioned "
                              f"(`colo contract terminate`, or the term runs out)")
            t = plans.targets(s, site, [contract.id], (State.ENDED.value,), power_on=False, release=True)
            resumes = applier.interrupted(s, [contract.id])
            info = plans.info_for_targets(s, t)
        plan = plans.build("decommission", t, info, now)
        if dry_run:
            return {"contract": contract_id, "applied": False, "operation": None, "plan": plan,
                    "message": f"dry run: {plan['changes']} change(s) would be made; nothing was changed"}

        def done(s: Session, op_id: int) -> None:
            c = get_contract(s, contract_id)
            servers = {p["position"]: (p["server"] or {}).get("serial") for p in placements_view(s, site, c.id)
                       if p["released_at"] is None}
            transition(s, c, State.DECOMMISSIONED, now, ctx.actor, detail=f"devices reset, operation #{op_id}")
            transition(s, c, State.IN_STORAGE, now, ctx.actor, detail=f"{len(servers)} server(s) at {location}")
            s.add_all(Stored(contract_id=c.id, position=pos + 1, serial=serial, location=location, stored_at=now,
                             outcome="", detail="") for pos, serial in sorted(servers.items()))

        op_id = applier.apply(ctx, plan, now, resumes, done, still_wanted)
    return {"contract": contract_id, "applied": True, "operation": op_id, "plan": plan,
            "message": f"decommissioned as operation #{op_id}; servers stored at {location}, "
                       f"collectable for {STORAGE_DAYS} days"}


def storage(ctx: Context, include_released: bool = False) -> list[dict[str, Any]]:
    """This site's servers in storage, oldest first."""
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        query = select(Stored).where(of_site(s, Stored.contract_id)).order_by(Stored.stored_at, Stored.contract_id, Stored.position)
        if not include_released:
            query = query.where(Stored.released_at.is_(None))
        out = []
        for row in s.scalars(query):
            deadline = row.stored_at + timedelta(days=STORAGE_DAYS)
            out.append({"contract": row.contract_id, "server": row.position, "serial": row.serial,
                        "location": row.location, "stored_at": iso(row.stored_at, site),
                        "abandon_after": iso(deadline, site), "overdue": row.released_at is None and now >= deadline,
                        "outcome": row.outcome or None, "detail": row.detail or None,
                        "released_at": iso(row.released_at, site)})
        return out


def release(ctx: Context, contract_id: str, collected_by: str | None = None, ship_to: str | None = None,
            tracking: str | None = None) -> dict[str, Any]:
    """The customer took the servers, or they were shipped at the customer's cost and risk."""
    if (collected_by is None) == (ship_to is None):
        raise BadInput("give either --collected-by NAME or --ship-to ADDRESS with --tracking NO")
    if ship_to is not None and not tracking:
        raise BadInput("--ship-to needs --tracking NO (the carrier's tracking number)")
    for option, value in (("--collected-by", collected_by), ("--ship-to", ship_to), ("--tracking", tracking)):
        if value is not None and (not value.strip() or any(ord(c) < 32 for c in value) or len(value) > 200):
            raise BadInput(f"{option} {value!r} is not usable: give 1-200 printable characters")
    outcome, target = ("collected", State.COLLECTED) if collected_by else ("shipped", State.SHIPPED)
    detail = f"collected by {collected_by}" if collected_by else f"shipped to {ship_to}, tracking {tracking}"
    with ctx.store.session() as s:
        one_at_a_time(s)  # collected or abandoned, never both
        site = load_site(s)
        now = ctx.now(site)
        contract = get_contract(s, contract_id)
        transition(s, contract, target, now, ctx.actor, detail=detail)
        _close_storage(s, contract.id, now, outcome, detail)
        return {"contract": contract.id, "state": target.value, "released_at": iso(now, site), "detail": detail}


def abandon(s: Session, contract_id: str, now: datetime, actor: str) -> None:
    contract = get_contract(s, contract_id)
    transition(s, contract, State.ABANDONED, now, actor, detail=f"not collected within {STORAGE_DAYS} days (§8.4)")
    _close_storage(s, contract.id, now, "abandoned", "")


def _close_storage(s: Session, contract_id: str, now: datetime, outcome: str, detail: str) -> None:
    for row in s.scalars(select(Stored).where(Stored.contract_id == contract_id, Stored.released_at.is_(None))):
        row.released_at, row.outcome, row.detail = now, outcome, detail


def stored(ctx: Context, contract_id: str) -> dict[str, Any]:
    """A contract's servers in the warehouse, collected, shipped or abandoned included, with the 7-day clock."""
    with ctx.store.session() as s:
        cid = get_contract(s, contract_id).id
    rows = [r for r in storage(ctx, include_released=True) if r["contract"] == cid]
    if not rows:
        raise NotFound(f"contract {cid} has no server in storage (it is stored at decommission): "
                       f"see `colo storage list --all`")
    return {"contract": cid, "servers": rows}
