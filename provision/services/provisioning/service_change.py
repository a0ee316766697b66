"""Changing a running service (SLA §5 服务内容变更处理): plan → apply → verify, then the new terms in the store.

The new resources are chosen by signing's own allocation, run inside a transaction
that is rolled back: `plans.targets` reads that intended state, so the plan, the diff
per port and outlet, and the IP sheet are provisioning's. The operation is claimed
against the contract as the store holds it (a concurrent change of the contract
refuses the claim), and at the claim and again at the conclusion — both under the
site lock — the allocation is run once more and must hand out exactly the planned
resources: at the claim in a savepoint that is rolled back, at the conclusion for good,
in the transaction that records the change and closes the operation. So the store
takes the new terms only once the devices read them back; a device that refuses is
undone by `apply` and the store keeps the old terms; a signing that took a planned
port or address meanwhile makes the change undo itself and say so.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from provision.domain.lifecycle import State
from provision.domain.portconfig import port_speed_mbps
from provision.domain.service_change import (
    ON_DEVICES,
    ChangeOrder,
    Service,
    TermChange,
    changes_nothing,
    check,
    fee_takes_effect,
    spread,
    terms,
)
from provision.domain.terms import Kind, Payment
from provision.errors import Refused
from provision.services.context import Context, SiteInfo, load_site
from provision.services.contract_view import change_view, placements_view
from provision.services.contracts import get_contract, iso
from provision.services.provisioning import apply as applier
from provision.services.provisioning import devices, plans
from provision.services.provisioning.allocation import Request, add_addresses, allocate
from provision.services.provisioning.operations import one_at_a_time
from provision.store.schema import Contract, ContractEvent, Customer, Placement, ServiceChange

ALL_STATES = tuple(st.value for st in State)


def _fingerprint(cid: str, order: ChangeOrder) -> str:
    """The change as asked: a retry with the same request id and the same change is the same change."""
    body = [cid, order.bandwidth_mbps, order.add_ips, order.add_slots, None if order.fee is None else str(order.fee)]
    return hashlib.sha256(json.dumps(body).encode()).hexdigest()


def _service(s: Session, contract: Contract) -> Service:
    live = [p for p in placements_view(s, None, contract.id) if p["released_at"] is None]
    ports = tuple((p["port"]["interface"], port_speed_mbps(p["port"]["interface"])) for p in live if p["port"])
    return Service(contract.id, contract.state, contract.bandwidth_mbps, contract.ips, contract.quantity, contract.fee,
                   ports, contract.stop_reason)


def _realise(s: Session, contract: Contract, order: ChangeOrder, now: datetime) -> str:
    """Put the change into the store: allocate as signing does, set the terms; say what was allocated.

    The caller holds the site lock; any refusal (no room, pool exhausted) leaves the
    transaction to be rolled back whole, so nothing is allocated.
    """
    before = {p["position"]: {a["ip"] for a in p["addresses"]} for p in placements_view(s, None, contract.id)}
    if order.add_slots:
        customer = s.get(Customer, contract.customer_id)
        assert customer is not None
        last = s.scalar(select(func.max(Placement.position)).where(Placement.contract_id == contract.id))
        allocate(s, Request(contract.id, customer.id, customer.key, Kind(contract.kind), order.add_slots,
                            order.add_slots, contract.power_w, contract.room_id, now,
                            first_position=0 if last is None else last + 1))
    if order.add_ips:
        live = [p for p in placements_view(s, None, contract.id) if p["released_at"] is None]
        rows = {p.position: p.id for p in s.scalars(select(Placement).where(Placement.contract_id == contract.id,
                                                                             Placement.released_at.is_(None)))}
        for p, n in zip(live, spread([len(p["addresses"]) for p in live], order.add_ips), strict=True):
            if n:
                add_addresses(s, rows[p["position"]], n, now)
    contract.bandwidth_mbps = order.bandwidth_mbps or contract.bandwidth_mbps
    contract.quantity += order.add_slots
    contract.ips += order.add_ips + order.add_slots
    if order.fee is not None:
        contract.fee = order.fee
    s.flush()
    added = []
    for p in placements_view(s, None, contract.id):
        new = [a["ip"] for a in p["addresses"] if a["ip"] not in before.get(p["position"], set())]
        if p["position"] not in before:
            port = f" {p['port']['switch']} {p['port']['interface']}" if p["port"] else ""
            outlets = ",".join(f"{o['pdu']}:{o['outlet']}" for o in p["outlets"])
            added.append(f"server {p['position'] + 1} new: {p['rack']} U{','.join(map(str, p['units']))}{port} "
                         f"outlet {outlets} address {' '.join(new)}")
        elif new:
            added.append(f"server {p['position'] + 1} +{' '.join(new)}")
    return "; ".join(added)


def _record(s: Session, site: SiteInfo, contract: Contract, order: ChangeOrder, changes: tuple[TermChange, ...],
            now: datetime, actor: str, operation: int | None, detail: str) -> ServiceChange:
    """The change record and the contract event (which the audit log picks up), in the caller's transaction."""
    k, fee_from = fee_takes_effect(contract.signed_at.astimezone(site.tz), Payment(contract.payment), now)
    by = {c.term: c for c in changes}
    row = ServiceChange(contract_id=contract.id, at=now, actor=actor, request_id=order.request_id,
                        request_fingerprint=_fingerprint(contract.id, order), operation_id=operation,
                        bandwidth_before=by["bandwidth_mbps"].before, bandwidth_after=by["bandwidth_mbps"].after,
                        ips_before=by["ips"].before, ips_after=by["ips"].after, slots_before=by["slots"].before,
                        slots_after=by["slots"].after, fee_before=by["fee"].before, fee_after=by["fee"].after,
                        fee_from_period=k, fee_from=fee_from, detail=detail)
    s.add(row)
    s.flush()
    summary = "; ".join(f"{c.term} {c.before} → {c.after}" for c in changes if c.before != c.after)
    fee = f"; new fee from {iso(fee_from, site)} (period {k + 1})" if by["fee"].before != by["fee"].after else ""
    how = f"operation #{operation}" if operation is not None else "order only, the devices follow at provisioning"
    s.add(ContractEvent(contract_id=contract.id, kind="service_changed", at=now, actor=actor, months=0,
                        ref=order.request_id, detail=f"change #{row.id}: {summary}{fee}; {how}"
                        + (f"; {detail}" if detail else "")))
    return row


def _replayed(s: Session, site: SiteInfo, cid: str, order: ChangeOrder) -> dict[str, Any] | None:
    """The change already made under this request id; refuse the id for another change."""
    if order.request_id is None:
        return None
    earlier = s.scalar(select(ServiceChange).where(ServiceChange.request_id == order.request_id))
    if earlier is None:
        return None
    if earlier.request_fingerprint != _fingerprint(cid, order):
        raise Refused(f"--request-id {order.request_id} already made change #{earlier.id} of {earlier.contract_id} "
                      f"with other terms: use a new request id for a new change")
    return change_view(earlier, site)


def _result(cid: str, state: str, changes: tuple[TermChange, ...], message: str, *, applied: bool = False,
            replayed: bool = False, change: dict[str, Any] | None = None, plan: dict[str, Any] | None = None,
            operation: int | None = None) -> dict[str, Any]:
    return {"contract": cid, "state": state, "applied": applied, "replayed": replayed, "operation": operation,
            "terms": [{"term": c.term, "before": str(c.before) if c.term == "fee" else c.before,
                       "after": str(c.after) if c.term == "fee" else c.after} for c in changes],
            "change": change, "plan": plan, "message": message}


def change(ctx: Context, contract_id: str, order: ChangeOrder, dry_run: bool = False) -> dict[str, Any]:
    """Change the contract's service as `order` says, on the devices when it runs there; or show the plan."""
    with devices.sessions():
        return _change(ctx, contract_id, order, dry_run)


def _change(ctx: Context, contract_id: str, order: ChangeOrder, dry_run: bool) -> dict[str, Any]:
    with ctx.store.session() as s:
        one_at_a_time(s)  # the tentative allocation below must see every claim before it
        site = load_site(s)
        now = ctx.now(site)
        contract = get_contract(s, contract_id)
        cid, state = contract.id, contract.state
        earlier = _replayed(s, site, cid, order)
        if earlier is not None:
            return _result(cid, state, (), f"request {order.request_id} was already applied as change "
                           f"#{earlier['change']}: nothing changed", replayed=True, change=earlier)
        service = _service(s, contract)
        check(order, service)
        changes = terms(order, service)
        if changes_nothing(changes):
            return _result(cid, state, changes, f"contract {cid} already has these terms: nothing changed")
        if state not in ON_DEVICES:  # a signed order: the store alone, provisioning configures the devices
            detail = _realise(s, contract, order, now)
            if dry_run:
                s.rollback()
                return _result(cid, state, changes, f"dry run: the order would change ({detail or 'terms only'}); "
                               f"nothing was changed")
            row = _record(s, site, contract, order, changes, now, ctx.actor, None, detail)
            return _result(cid, state, changes, f"order changed as change #{row.id}; `colo provision {cid}` "
                           f"configures it", applied=True, change=change_view(row, site))
        old = plans.targets(s, site, [cid], ALL_STATES).contracts[cid]
        _realise(s, contract, order, now)
        t = plans.targets(s, site, [cid], ON_DEVICES)
        s.rollback()  # the intended state is read; nothing is kept until the devices agree
        intended = t.contracts[cid]
        t.contracts[cid] = old  # the operation is claimed against the contract as the store holds it
        resumes = applier.interrupted(s, [cid])
        info = plans.info_for_targets(s, t)
    plan = plans.build("change", t, info, now)
    plans.check_power(plan)
    if dry_run:
        return _result(cid, state, changes, f"dry run: {plan['changes']} change(s) would be made; nothing was changed",
                       plan=plan)

    def still_planned(s: Session) -> None:
        """Under the site lock: the allocation still hands out exactly what the devices were planned with."""
        savepoint = s.begin_nested()
        try:
            _realise_as_planned(s, cid, order, now, intended)
        finally:
            savepoint.rollback()

    recorded: dict[str, Any] = {}

    def done(s: Session, op_id: int) -> None:
        contract, now_changes, detail = _realise_as_planned(s, cid, order, now, intended)
        row = _record(s, site, contract, order, now_changes, now, ctx.actor, op_id, detail)
        recorded["change"] = change_view(row, site)

    op_id = applier.apply(ctx, plan, now, resumes, done, still_planned)
    return _result(cid, state, changes, f"applied and verified {plan['changes']} change(s) as operation #{op_id}; "
                   f"change #{recorded['change']['change']}", applied=True, change=recorded["change"], plan=plan,
                   operation=op_id)


def _realise_as_planned(s: Session, cid: str, order: ChangeOrder, now: datetime,
                        intended: str) -> tuple[Contract, tuple[TermChange, ...], str]:
    """The change put into the store again, refused unless it yields exactly the planned state; the terms
    before and after are read afresh, as the contract is now."""
    contract = get_contract(s, cid)
    service = _service(s, contract)
    check(order, service)
    detail = _realise(s, contract, order, now)
    if plans.targets(s, load_site(s), [cid], ALL_STATES).contracts[cid] != intended:
        raise Refused(f"contract {cid}: a port, address or slot planned for this change was taken (or the contract's "
                      f"records changed) since it was planned; run the change again")
    return contract, terms(order, service), detail
