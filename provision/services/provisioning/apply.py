"""Applying a plan: claim, journal, then devices, read back, and undo on failure.

Order of truth: the operation is claimed in one transaction under the site lock, and
only if its contracts are still as planned and no other operation is changing them, so
of two processes that planned the same change one applies it and the other is refused
with nothing written. The journal row for a step is written before its commands are
sent, and marked after the device's read-back agrees. A process killed between the two
leaves a step marked `sending`; the next run for the same contracts finds the
interrupted operation and either completes it or, if completing fails, restores every
port and outlet to the state recorded before the first command was sent. A process
that fails in any other way undoes what it sent and closes its operation itself:
only a process that died mid-change leaves one `applying`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from provision import progress
from provision.domain.lifecycle import State
from provision.domain.portfacts import PortFacts
from provision.drivers.switch.base import switch_lock
from provision.drivers.switch.config import Stanza
from provision.errors import ColoError, DeviceError, OperationFailed, Refused
from provision.services.context import Context, load_site
from provision.services.provisioning import devices, plans
from provision.services.provisioning.operations import applying, one_at_a_time, owner_alive, this_process
from provision.services.provisioning.plans import parallel
from provision.store import audit
from provision.store.schema import Operation, OperationContract, OperationStep

log = logging.getLogger(__name__)

Check = Callable[[Session], None]  # raises Refused when the change is no longer wanted


def _running(op: Operation) -> Refused:
    return Refused(f"operation #{op.id} ({op.kind}) is being applied to these contracts by {op.owner} since "
                   f"{op.started_at:%Y-%m-%d %H:%M} UTC; wait for it to finish")


def interrupted(s: Session, contract_ids: list[str]) -> Operation | None:
    """An operation on these contracts left `applying` by a process that is gone; refuse if it still runs."""
    ops = applying(s, contract_ids)
    if not ops:
        return None
    if owner_alive(ops[0].owner):
        raise _running(ops[0])
    return ops[0]


def applied_as(s: Session, plan: dict[str, Any]) -> Operation | None:
    """The finished operation that applied this very plan, found by the digest its journal copy carries.

    A saved plan is one reviewed change: applying it again must say it is done, not list
    its own changes as drift. Only operations on the plan's contracts are read (a few
    per contract), so no index over plans is needed.
    """
    ops = s.scalars(select(Operation).join(OperationContract, OperationContract.operation_id == Operation.id)
                    .where(OperationContract.contract_id.in_(list(plan["contracts"])), Operation.state == "done",
                           Operation.kind == plan["kind"]).order_by(Operation.id.desc()))
    return next((op for op in ops if json.loads(op.plan).get("digest") == plan["digest"]), None)


def original_before(s: Session, op: Operation | None) -> dict[tuple[str, str], str]:
    """The device state an interrupted operation recorded before it sent anything, by (device, target)."""
    if op is None:
        return {}
    out: dict[tuple[str, str], str] = {}
    chain: Operation | None = op
    while chain is not None:  # the oldest record wins: it predates every attempt
        for step in s.scalars(select(OperationStep).where(OperationStep.operation_id == chain.id)):
            out[(step.device, step.target)] = step.before
        chain = s.get(Operation, chain.resumes) if chain.resumes else None
    return out


def apply(ctx: Context, plan: dict[str, Any], now: datetime, resumes: Operation | None,
          on_success: Callable[[Session, int], None], still_wanted: Check | None = None) -> int:
    """Claim, apply `plan` step by step and conclude, returning the operation id; on any failure undo and raise.

    `still_wanted` is asked under the site lock when the operation is claimed and again
    when it concludes: a change that stopped being due meanwhile (a payment arrived
    while a suspension was being applied) is undone rather than recorded.
    """
    steps = _steps(plan)
    op_id = _claim(ctx, plan, steps, now, resumes, still_wanted)
    journal = Journal(ctx, op_id, now)
    try:
        _run_switches(ctx, plan, steps, journal, resumed=resumes is not None)
        _run_pdus(ctx, plan, steps, journal)
        _conclude(ctx, op_id, now, still_wanted, on_success)
    except Exception as failure:
        message = _give_up(ctx, steps, journal, failure)
        if not isinstance(failure, ColoError):
            raise
        kind = Refused if isinstance(failure, Refused) else OperationFailed
        raise kind(f"{plan['kind']} {', '.join(plan['contracts'])} failed at operation #{op_id}: {message}; "
                   f"the contract records are unchanged") from None
    return op_id


def _claim(ctx: Context, plan: dict[str, Any], steps: list[dict[str, Any]], now: datetime,
           resumes: Operation | None, still_wanted: Check | None) -> int:
    """Write the operation and its steps, if nobody else is changing these contracts and they are as planned."""
    ids = list(plan["contracts"])
    with ctx.store.session() as s:
        one_at_a_time(s)
        _unclaimed(s, ids, resumes)
        _as_planned(s, plan)
        if still_wanted is not None:
            still_wanted(s)
        before = original_before(s, resumes)
        for st in steps:
            st["before"] = json.loads(before.get((st["device"], st["target"]), json.dumps(st["before"])))
        op = Operation(kind=plan["kind"], state="applying", actor=ctx.actor, owner=this_process(), started_at=now,
                       plan=json.dumps(plan), error="", resumes=resumes.id if resumes else None)
        s.add(op)
        s.flush()
        s.add_all(OperationContract(operation_id=op.id, contract_id=cid) for cid in ids)
        if resumes is not None:
            s.execute(update(Operation).where(Operation.id == resumes.id)
                      .values(state="interrupted", finished_at=now, error=f"resumed by operation #{op.id}"))
        for seq, st in enumerate(steps):
            s.add(OperationStep(operation_id=op.id, seq=seq, device=st["device"], target=st["target"], state="planned",
                                before=json.dumps(st["before"]), after=json.dumps(st["after"]),
                                commands=json.dumps(st["commands"]), error="", updated_at=now))
        return op.id


def _unclaimed(s: Session, ids: list[str], resumes: Operation | None) -> None:
    """Refuse when another operation holds these contracts, or the interrupted one was recovered by someone else."""
    held = applying(s, ids)
    others = [op for op in held if resumes is None or op.id != resumes.id]
    if others and owner_alive(others[0].owner):
        raise _running(others[0])
    if others:
        raise Refused(f"operation #{others[0].id} ({others[0].kind}) on these contracts was interrupted since this "
                      f"run planned: run the command again to recover it")
    if resumes is not None and len(held) == len(others):
        raise Refused(f"interrupted operation #{resumes.id} was recovered by another run meanwhile: run the command "
                      f"again to see where the contracts are")


def _as_planned(s: Session, plan: dict[str, Any]) -> None:
    """Refuse when a contract's records (state, placements, addresses, server) changed since the plan was made."""
    ids = list(plan["contracts"])
    now = plans.targets(s, load_site(s), ids, [state.value for state in State]).contracts
    changed = [cid for cid in ids if now.get(cid) != plan["contracts"][cid]]
    if changed:
        raise Refused(f"contract {', '.join(changed)} changed in the store since this {plan['kind']} was planned "
                      f"(another run got there first): nothing was sent; run the command again if it is still needed")


def _conclude(ctx: Context, op_id: int, now: datetime, still_wanted: Check | None,
              on_success: Callable[[Session, int], None]) -> None:
    """Record the outcome in the store: the contracts move on with the operation marked done, or neither."""
    with ctx.store.session() as s:
        one_at_a_time(s)
        if still_wanted is not None:
            still_wanted(s)
        on_success(s, op_id)
        s.execute(update(Operation).where(Operation.id == op_id).values(state="done", finished_at=now))
        _audit_outcome(s, op_id, now, ctx.actor, "done", "")


def _give_up(ctx: Context, steps: list[dict[str, Any]], journal: Journal, failure: Exception) -> str:
    """Undo what was sent and close the operation as rolled back (or failed, if undoing failed); say what happened."""
    if not isinstance(failure, ColoError):
        log.exception("operation #%s: unexpected failure", journal.op_id)
    undo_errors = _undo(ctx, steps, journal)
    message = str(failure) if isinstance(failure, ColoError) else f"unexpected {type(failure).__name__}: {failure}"
    if undo_errors:
        message += "; UNDO FAILED, check by hand: " + "; ".join(undo_errors)
    else:
        undone = [f"{st['device']} {st['target']}" for st in steps if st["state"] == "undone"]
        message += "; " + (f"undone: {', '.join(undone)}" if undone else "nothing had been changed")
    journal.finish("failed" if undo_errors else "rolled_back", message)
    return message


def _audit_outcome(s: Session, op_id: int, now: datetime, actor: str, state: str, error: str) -> None:
    """How a device operation ended, with every port and outlet it touched, in the audit log."""
    op = s.get(Operation, op_id)
    assert op is not None
    contracts = list(s.scalars(select(OperationContract.contract_id).where(OperationContract.operation_id == op_id)))
    touched = [f"{st.device} {st.target}: {st.state}" for st in
               s.scalars(select(OperationStep).where(OperationStep.operation_id == op_id).order_by(OperationStep.seq))]
    audit.append(s, now, actor, f"device.{op.kind}.{state}", contracts[0] if len(contracts) == 1 else None,
                 f"operation #{op_id} for {', '.join(contracts)}; " + "; ".join(touched) + (f"; {error}" if error else ""))


def _steps(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Journal units: one per switch port, one per PDU with changes; the switch's shared objects ride on its first port."""
    out = []
    for sw in plan["switches"]:
        for port in sw["ports"]:
            out.append({"kind": "switch", "device": sw["switch"], "target": port["interface"], "contract": port["contract"],
                        "before": port["before"], "after": port["after"], "commands": port["commands"],
                        "state": "planned"})
    for p in plan["pdus"]:
        if p["changes"]:
            out.append({"kind": "pdu", "device": p["pdu"], "target": "outlets " + ",".join(map(str, p["changes"])),
                        "before": {n: p["outlets"][str(n)]["before"] for n in p["changes"]},
                        "after": {n: p["outlets"][str(n)]["after"] for n in p["changes"]},
                        "commands": [f"outlet {n} {'on' if p['outlets'][str(n)]['after'] else 'off'}" for n in p["changes"]],
                        "state": "planned"})
    return out


class Journal:
    """Short transactions recording each step's progress, safe to call from device threads."""

    def __init__(self, ctx: Context, op_id: int, now: datetime) -> None:
        self.ctx, self.op_id, self.now = ctx, op_id, now

    def mark(self, step: dict[str, Any], state: str, error: str = "") -> None:
        self.mark_all([step], state, error)

    def mark_all(self, steps: list[dict[str, Any]], state: str, error: str = "") -> None:
        """Steps that reached the same state together, in one transaction: a 40-port switch is one write, not 40."""
        if not steps:
            return
        targets: dict[str, list[str]] = {}
        for step in steps:
            step["state"] = state
            targets.setdefault(step["device"], []).append(step["target"])
            progress.step(" ".join(x for x in (step.get("contract"), step["device"], step["target"], state, error) if x))
        with self.ctx.store.session() as s:
            for device, names in targets.items():
                s.execute(update(OperationStep)
                          .where(OperationStep.operation_id == self.op_id, OperationStep.device == device,
                                 OperationStep.target.in_(names))
                          .values(state=state, error=error, updated_at=self.now))

    def finish(self, state: str, error: str) -> None:
        with self.ctx.store.session() as s:
            s.execute(update(Operation).where(Operation.id == self.op_id)
                      .values(state=state, error=error, finished_at=self.now))
            _audit_outcome(s, self.op_id, self.now, self.ctx.actor, state, error)


def _run_switches(ctx: Context, plan: dict[str, Any], steps: list[dict[str, Any]], journal: Journal,
                  resumed: bool) -> None:
    with ctx.store.session() as s:
        info = devices.switches(s, [sw["switch"] for sw in plan["switches"]])
    # the store is closed again before any device is contacted

    def one(sw: dict[str, Any]) -> None:
        mine = [st for st in steps if st["kind"] == "switch" and st["device"] == sw["switch"]]
        batch = list(sw["prerequisite_commands"]) + [c for st in mine for c in st["commands"]]
        driver = info[sw["switch"]].driver()
        if not batch:
            if resumed and mine:  # an interrupted run may have changed the switch without saving it
                with switch_lock(sw["switch"]):
                    driver.save()
            journal.mark_all(mine, "verified")
            return
        with switch_lock(sw["switch"]):
            journal.mark_all(mine, "sending")
            driver.push(batch)
            running = driver.running()
            bad, good = [], []
            for st in mine:
                now = driver.read(running, st["target"]).facts
                after = PortFacts.from_dict(st["after"])
                if now == after:
                    good.append(st)
                else:
                    bad.append(f"{st['target']} reads back different: " + "; ".join(after.differences(now)))
            journal.mark_all(good, "applied")
            for p in sw["prerequisites"]:
                if not driver.has_prerequisite(running, Stanza(p["header"], tuple(p["children"]))):
                    bad.append(f"'{p['header']}' missing after the change")
            if bad:
                raise DeviceError(sw["switch"], "verify failed: " + "; ".join(bad))
            driver.save()
            journal.mark_all(mine, "verified")

    errors = []
    for sw, err in zip(plan["switches"], parallel(plan["switches"], _catching(one)), strict=True):
        if err is not None:
            errors.append(err)
            for st in steps:
                if st["device"] == sw["switch"] and st["state"] not in ("verified", "planned"):
                    journal.mark(st, st["state"], str(err))
    if errors:
        raise errors[0]


def _run_pdus(ctx: Context, plan: dict[str, Any], steps: list[dict[str, Any]], journal: Journal) -> None:
    with ctx.store.session() as s:
        info = devices.pdus(s, [p["pdu"] for p in plan["pdus"]])
    for st in (st for st in steps if st["kind"] == "pdu"):
        journal.mark(st, "sending")
        info[st["device"]].driver().set_outlets({int(n): on for n, on in st["after"].items()})
        journal.mark(st, "verified")


def _catching(fn: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], ColoError | None]:
    def run(item: dict[str, Any]) -> ColoError | None:
        try:
            fn(item)
        except ColoError as e:
            return e
        except Exception as e:
            log.exception("unexpected failure on %s", item.get("switch"))
            return OperationFailed(f"{item.get('switch')}: unexpected {type(e).__name__}")
        return None

    return run


def _undo(ctx: Context, steps: list[dict[str, Any]], journal: Journal) -> list[str]:
    """Restore every touched port and outlet to its recorded `before`; return what could not be restored.

    The undo is computed against what the device holds now, not replayed from the
    plan, so it is right however far the failed batch got.
    """
    touched = [st for st in steps if st["state"] in ("sending", "applied", "verified")]
    errors: list[str] = []
    with ctx.store.session() as s:
        sw_info = devices.switches(s, sorted({st["device"] for st in touched if st["kind"] == "switch"}))
        pdu_info = devices.pdus(s, sorted({st["device"] for st in touched if st["kind"] == "pdu"}))
    for st in reversed([st for st in touched if st["kind"] == "pdu"]):
        try:
            driver = pdu_info[st["device"]].driver()
            before = {int(n): on for n, on in st["before"].items()}
            now = driver.outlet_states(sorted(before))
            driver.set_outlets({n: on for n, on in before.items() if now[n] != on})  # a refused SET changed nothing
            journal.mark(st, "undone")
        except ColoError as e:
            errors.append(str(e))

    def restore(name: str) -> list[str]:
        mine = [st for st in touched if st["kind"] == "switch" and st["device"] == name]
        driver = sw_info[name].driver()
        failed = []
        with switch_lock(name):
            try:
                running = driver.running()
                commands = [c for st in mine for c in driver.change(
                    driver.read(running, st["target"]), PortFacts.from_dict(st["before"]))]
                driver.push(commands)
                running = driver.running()
                for st in mine:
                    if driver.read(running, st["target"]).facts == PortFacts.from_dict(st["before"]):
                        journal.mark(st, "undone")
                    else:
                        failed.append(f"{name} {st['target']} did not return to its earlier state")
                if commands:
                    driver.save()
            except ColoError as e:
                failed.append(str(e))
        return failed

    for failed in parallel(sorted(sw_info), restore):
        errors += failed
    return errors
