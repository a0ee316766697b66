"""Use cases that change devices for a contract: provision, apply a saved plan, activate.

Each is plan → apply → verify: the plan is computed against the devices as they are,
applied with a journal, and the contract moves on only after every device read back
what was intended. The install guarantee (3 working days from signing) is judged at
the moment the contract becomes provisioned — for a rental, when its hardware and OS
installs are both recorded (record_install).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from provision.domain.bounds import not_before, one_line
from provision.domain.lifecycle import State, StopReason
from provision.domain.terms import Kind, install_refund
from provision.errors import BadInput, ColoError, OperationFailed, Refused
from provision.services.context import Context, SiteInfo, load_site
from provision.services.contract_view import contract_view, install_clock
from provision.services.contracts import get_contract, iso, transition
from provision.services.provisioning import apply as applier
from provision.services.provisioning import devices, plans
from provision.store.schema import Contract, ContractEvent

PROVISIONABLE = (State.SIGNED.value, State.PROVISIONED.value, State.ACTIVE.value)


def _ids(s: Session, contract_ids: list[str], all_signed: bool) -> list[str]:
    ids = [c.strip().upper() for c in contract_ids]
    if all_signed:
        ids += [c for c in s.scalars(select(Contract.id).where(Contract.state == State.SIGNED.value)
                                     .order_by(Contract.year, Contract.seq)) if c not in ids]
    if not ids and not all_signed:
        raise BadInput("no contract given: name contract ids (e.g. C2026-0001) or use --all-signed")
    return list(dict.fromkeys(ids))


def _provision(ctx: Context, contract_ids: list[str], dry_run: bool, out: str | None,
               all_signed: bool) -> dict[str, Any]:
    if out is not None and not dry_run:
        raise BadInput("--out saves a plan for review: use it with --dry-run, then `colo apply FILE`")
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        ids = _ids(s, contract_ids, all_signed)
        if not ids:
            return {"contracts": [], "applied": False, "message": "no signed contracts to provision"}
        resumes = applier.interrupted(s, ids)
        t = plans.targets(s, site, ids, PROVISIONABLE)
        info = plans.info_for_targets(s, t)
    plan = plans.build("provision", t, info, now)
    plans.check_power(plan)
    if dry_run:
        if out is not None:
            Path(out).write_text(json.dumps(plan, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return _result(ctx, plan, None, resumes, saved_to=out)
    return _apply(ctx, plan, now, resumes)


def _apply_file(ctx: Context, path: str) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise BadInput(f"{path}: cannot read the plan ({e.strerror}); give the file written by --out") from None
    plan = plans.load(text, path)
    earlier = _applied_before(ctx, plan)
    if earlier is not None:
        return _result(ctx, plan, None, None, operation=earlier[0], message=earlier[1])
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        ids = list(plan["contracts"])
        resumes = applier.interrupted(s, ids)
        t = plans.targets(s, site, ids, PROVISIONABLE)
        info = plans.info_for_plan(s, plan)
    found = plans.drift(plan, t, info)
    if found:
        raise Refused(f"{path} no longer matches what it was planned against: " + "; ".join(found)
                      + f" — plan again with `colo provision {' '.join(ids)} --dry-run --out {path}`")
    plans.check_power(plan)
    return _apply(ctx, plan, now, resumes)


def _applied_before(ctx: Context, plan: dict[str, Any]) -> tuple[int, str] | None:
    """The operation that already applied this saved plan, and what to say: its own changes are not drift."""
    with ctx.store.session() as s:
        done = applier.applied_as(s, plan)
        if done is None:
            return None
        site = load_site(s)
        return done.id, (f"already applied as operation #{done.id} at {iso(done.finished_at, site)} by {done.actor}; "
                         f"nothing was changed")


def _apply(ctx: Context, plan: dict[str, Any], now: datetime, resumes: Any) -> dict[str, Any]:
    with ctx.store.session() as s:
        pending = [cid for cid in plan["contracts"] if get_contract(s, cid).state == State.SIGNED.value]
    if plan["changes"] == 0 and not pending and resumes is None:
        return _result(ctx, plan, None, None, message="already provisioned: the devices match the store, nothing changed")

    def done(s: Session, op_id: int) -> None:
        for cid in pending:
            transition(s, get_contract(s, cid), State.PROVISIONED, now, ctx.actor, detail=f"operation #{op_id}")

    return _result(ctx, plan, applier.apply(ctx, plan, now, resumes, done), resumes)


def _result(ctx: Context, plan: dict[str, Any], op_id: int | None, resumes: Any, saved_to: str | None = None,
            message: str | None = None, operation: int | None = None) -> dict[str, Any]:
    """`operation` without `op_id`: the plan was applied before, by that operation, and nothing was done now."""
    applied = op_id is not None
    if message is None:
        if applied:
            message = f"applied and verified {plan['changes']} change(s) as operation #{op_id}"
        else:
            message = f"dry run: {plan['changes']} change(s) would be made; nothing was changed"
    if resumes is not None:
        message += f" (resumed interrupted operation #{resumes.id})"
    with ctx.store.session() as s:
        site = load_site(s)
        install = [_install(s, site, cid, ctx) for cid in plan["contracts"]]
    return {"contracts": list(plan["contracts"]), "applied": applied, "operation": op_id or operation,
            "already_applied": operation is not None, "message": message, "saved_to": saved_to, "install": install,
            "plan": plan}


def _install(s: Session, site: SiteInfo, cid: str, ctx: Context) -> dict[str, Any]:
    """The install guarantee (SLA §3.2) after the change: only that clock, not the whole contract view, per contract."""
    contract = get_contract(s, cid)
    clock = install_clock(s, site, contract, ctx.now(site))
    status = clock.status.value if clock else None
    return {"contract": cid, "state": contract.state, "deadline": iso(clock.deadline, site) if clock else None,
            "status": status, "completed_at": iso(clock.stopped_at, site) if clock else None,
            "install_fee_refund_due": status in ("late", "breached"), "install_fee": str(contract.install_fee),
            "install_refund": install_refund(contract.install_fee, status)}


INSTALL_STEPS = ("hardware", "os")  # what a rental's install is (SLA §3.1-3.2), as recorded events installed_<step>
INSTALLING = (State.SIGNED.value, State.PROVISIONED.value, State.ACTIVE.value, State.SUSPENDED.value)


def record_install(ctx: Context, contract_id: str, step: str, note: str | None = None) -> dict[str, Any]:
    """A rental server's hardware installation or OS install done, at now or --at; both stop its install clock.

    Only rental (整机租用) contracts have these steps: the provider installs its own
    server and its OS. A colocation or rack contract's install is its port and power
    (`colo provision`), so a step recorded there would mean nothing and is refused.
    """
    if step not in INSTALL_STEPS:
        raise BadInput(f"--step {step!r}: give one of {', '.join(INSTALL_STEPS)}")
    text = None if note is None else one_line("--note", note, "say what was installed")
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        contract = get_contract(s, contract_id)
        if contract.kind != Kind.RENTAL.value:
            raise Refused(f"contract {contract.id} is {contract.kind}: its install is done when `colo provision` "
                          f"brings up port and power; hardware and OS steps are recorded for rental contracts only")
        if contract.state not in INSTALLING:
            raise Refused(f"contract {contract.id} is {contract.state}: install steps are recorded while it is "
                          f"{', '.join(INSTALLING)}")
        not_before(now, contract.signed_at.astimezone(site.tz), "--at", f"the {step} install", "the signing")
        kind = f"installed_{step}"
        done = s.scalar(select(ContractEvent).where(ContractEvent.contract_id == contract.id,
                                                    ContractEvent.kind == kind))
        if done is not None:
            raise Refused(f"contract {contract.id}: the {step} install was already recorded at "
                          f"{iso(done.at, site)} by {done.actor}")
        s.add(ContractEvent(contract_id=contract.id, kind=kind, at=now, actor=ctx.actor, months=0,
                            detail=f"{'hardware installation' if step == 'hardware' else 'OS install'} done"
                                   + (f": {text}" if text else "")))
        s.flush()
        return {"step": step, "at": iso(now, site)} | _install(s, site, contract.id, ctx)


def _activate(ctx: Context, contract_id: str) -> dict[str, Any]:
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        contract = get_contract(s, contract_id)
        if contract.state != State.PROVISIONED.value:
            raise Refused(f"contract {contract.id} is {contract.state}: only a provisioned contract can be activated"
                          + (" — run `colo provision` first" if contract.state == State.SIGNED.value else ""))
        t = plans.targets(s, site, [contract.id], (State.PROVISIONED.value,))
        if contract.kind != Kind.RACK.value:
            missing = [p.position for p in t.ports if any(b.mac is None for b in p.intent.bindings)]
            if missing:
                raise Refused(f"contract {contract.id}: server {missing[0]} has no hardware record, so its address "
                              f"cannot be bound to its MAC: `colo server record {contract.id} --server {missing[0]} "
                              f"--serial ... --mac ...` first")
        resumes = applier.interrupted(s, [contract.id])
        info = plans.info_for_targets(s, t)
    plan = plans.build("activate", t, info, now)
    op_id = None
    if plan["changes"] or resumes is not None:
        op_id = applier.apply(ctx, plan, now, resumes, lambda s, op: None)
    links = _links(info.switches, t)
    down = [f"{x['switch']} {x['interface']} (admin {x['admin']}, link {x['link']})" for x in links
            if x["admin"] != "up" or x["link"] != "up"]
    if down:
        raise OperationFailed(f"contract {contract_id}: link not up on {', '.join(down)}: check the server's cable "
                              f"and NIC, then run `colo contract activate {contract_id}` again; the term has not started")
    with ctx.store.session() as s:
        site = load_site(s)
        contract = get_contract(s, contract_id)
        transition(s, contract, State.ACTIVE, now, ctx.actor,
                   detail="links up: " + ", ".join(f"{x['switch']} {x['interface']}" for x in links))
        s.flush()
        view = contract_view(s, site, contract, now)
    return {"contract": contract_id, "state": view["state"], "activated_at": iso(now, site),
            "term_end": view["term_end"], "operation": op_id, "links": links, "binding_notes":
            [n for sw_plan in plan["switches"] for p in sw_plan["ports"] for n in p["notes"]]}


def _links(sw: dict[str, devices.SwitchInfo], t: plans.Targets) -> list[dict[str, Any]]:
    from provision.drivers.ifmib import link_states

    def read(name: str) -> list[dict[str, Any]]:
        ports = [p.intent.interface for p in t.ports if p.switch == name]
        states = link_states(sw[name].snmp(), ports)
        return [{"switch": name, "interface": i, "admin": "up" if states[i].admin_up else "down",
                 "link": "up" if states[i].oper_up else "down"} for i in ports]

    return [x for name in sorted(sw) for x in read(name)]  # SNMP on this thread, see plans.build


def provision(ctx: Context, contract_ids: list[str], dry_run: bool = False, out: str | None = None,
              all_signed: bool = False) -> dict[str, Any]:
    """Plan the contracts' ports and outlets against the devices; apply unless `dry_run`."""
    with devices.sessions():
        return _provision(ctx, contract_ids, dry_run, out, all_signed)


def apply_file(ctx: Context, path: str) -> dict[str, Any]:
    """Apply a plan saved by `--dry-run --out` exactly as reviewed, or refuse with what drifted."""
    with devices.sessions():
        return _apply_file(ctx, path)


def activate(ctx: Context, contract_id: str) -> dict[str, Any]:
    """Complete the IP binding with the recorded MACs, verify the links, then start the term."""
    with devices.sessions():
        return _activate(ctx, contract_id)


ACTIVATED = ("state", "activated_at", "term_end", "operation", "links", "binding_notes")  # what a failure leaves empty


def activate_many(ctx: Context, contract_ids: list[str]) -> list[dict[str, Any]]:
    """Activate each contract on its own, in order: one that fails (no MAC, link down) does not stop the rest.

    A technician racks a morning's servers and activates them together; each is
    verified like a single activation, with its own operation, and the result says per
    contract whether it was activated and, if not, why (`exit_code` as the error's).
    """
    ids = list(dict.fromkeys(c.strip().upper() for c in contract_ids))
    if not ids:
        raise BadInput("no contract given: name the contract ids to activate, e.g. C2026-0001 C2026-0002")
    out = []
    with devices.sessions():
        for cid in ids:
            try:
                out.append(_activate(ctx, cid) | {"activated": True, "error": None, "exit_code": 0})
            except ColoError as e:
                out.append(dict.fromkeys(ACTIVATED) | {"contract": cid, "links": [], "binding_notes": [],
                                                       "activated": False, "error": str(e),
                                                       "exit_code": e.exit_code})
    return out


def set_service(ctx: Context, contract_id: str, up: bool, reason: str, dry_run: bool = False,
                still_wanted: applier.Check | None = None,
                stop_reason: StopReason = StopReason.NONPAYMENT) -> dict[str, Any]:
    """Shut (suspend) or re-open (resume) a contract's ports, journaled and verified like provisioning.

    Contract enforcement needs no customer authorization (DOMAIN §6); the reason goes
    into the contract's history with the operation that did it, and a suspension keeps
    its `stop_reason`, which decides what may lift it (see billing.enforcement).
    `still_wanted` is the rule that calls for the change, asked again when the operation
    is claimed and when it concludes (see apply.apply).
    """
    source, target = (State.SUSPENDED, State.ACTIVE) if up else (State.ACTIVE, State.SUSPENDED)
    with devices.sessions():
        with ctx.store.session() as s:
            site = load_site(s)
            now = ctx.now(site)
            t = plans.targets(s, site, [contract_id], (source.value,), port_up=up)
            cid = next(iter(t.contracts))
            resumes = applier.interrupted(s, [cid])
            info = plans.info_for_targets(s, t)
        plan = plans.build("resume" if up else "suspend", t, info, now)
        ports = [f"{sw['switch']} {p['interface']}" for sw in plan["switches"] for p in sw["ports"]]
        if dry_run:
            return {"contract": cid, "state": source.value, "operation": None, "changes": plan["changes"],
                    "ports": ports, "plan": plan}

        def done(s: Session, op_id: int) -> None:
            contract = get_contract(s, cid)
            transition(s, contract, target, now, ctx.actor, detail=f"{reason}; operation #{op_id}")
            contract.stop_reason = None if up else stop_reason.value

        op_id = applier.apply(ctx, plan, now, resumes, done, still_wanted)
    return {"contract": cid, "state": target.value, "operation": op_id, "changes": plan["changes"], "ports": ports,
            "plan": plan}


def drift(ctx: Context, fix: bool = False) -> dict[str, Any]:
    """Every provisioned, active and suspended contract's ports and outlets against the store; fix on request.

    Suspended contracts are expected with their ports shut. A fix is an ordinary
    journaled operation per group, so it is verified and undone on failure like any other.
    """
    groups = ((("provisioned", "active"), True), (("suspended",), False))
    with devices.sessions():
        with ctx.store.session() as s:
            site = load_site(s)
            now = ctx.now(site)
            wanted = []
            for states, up in groups:
                ids = list(s.scalars(select(Contract.id).where(Contract.state.in_(states))
                                     .order_by(Contract.year, Contract.seq)))
                if ids:
                    t = plans.targets(s, site, ids, states, port_up=up)
                    wanted.append((t, plans.info_for_targets(s, t)))
        found, operations = [], []
        for t, info in wanted:
            plan = plans.build("drift", t, info, now)
            found += [{"device": sw["switch"], "target": p["interface"], "contract": p["contract"], "diff": p["diff"]}
                      for sw in plan["switches"] for p in sw["ports"] if p["commands"]]
            found += [{"device": pdu["pdu"], "target": f"outlet {n}", "contract": pdu["outlets"][str(n)]["contract"],
                       "diff": [f"- {'on' if pdu['outlets'][str(n)]['before'] else 'off'}",
                                f"+ {'on' if pdu['outlets'][str(n)]['after'] else 'off'}"]}
                      for pdu in plan["pdus"] for n in pdu["changes"]]
            if fix and plan["changes"]:
                operations.append(applier.apply(ctx, plan, now, None, lambda s, op: None))
    return {"drift": found, "fixed": bool(operations), "operations": operations}


def install_steps(ctx: Context, contract_id: str) -> dict[str, Any]:
    """The install guarantee of a contract (SLA §3.2) and the rental install steps recorded by 'now'."""
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        cid = get_contract(s, contract_id).id
        kinds = [f"installed_{step}" for step in INSTALL_STEPS]
        events = s.scalars(select(ContractEvent).where(ContractEvent.contract_id == cid, ContractEvent.kind.in_(kinds),
                                                       ContractEvent.at <= now).order_by(ContractEvent.at))
        steps = [{"step": e.kind.removeprefix("installed_"), "at": iso(e.at, site), "by": e.actor,
                  "detail": e.detail} for e in events]
        return _install(s, site, cid, ctx) | {"steps": steps}
