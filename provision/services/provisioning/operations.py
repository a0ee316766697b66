"""The device-change journal: who is changing which contracts now, and what ran, as a technician reads it.

Also the one lock under which a change is decided: a decision that must happen once
(book a payment and judge the account, issue a notice, claim contracts for a device
operation) takes it first and then re-reads the store, so two processes never both
find the work still to do.
"""

from __future__ import annotations

import os
import socket
from typing import Any

from sqlalchemy import ColumnElement, or_, select, union
from sqlalchemy.orm import Session

from provision.errors import NotFound
from provision.services.context import Context, SiteInfo, load_site, lock_site, site_id
from provision.services.contracts import get_contract, iso
from provision.services.site_scope import device_sites, elsewhere
from provision.store.schema import Contract, Operation, OperationContract, OperationStep, Pdu, Switch


def one_at_a_time(s: Session) -> None:
    """Queue behind every other decision on the site until this transaction ends; call it first.

    It is the site-row lock that allocation and the monitor take, so every lock order
    stays site row, then the audit chain. On PostgreSQL the statements after it see
    what the previous holder committed; on SQLite every transaction is BEGIN IMMEDIATE,
    so it is queued already.
    """
    lock_site(s)


def this_process() -> str:
    """host:pid, read when asked: a forked worker is not its parent."""
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_alive(owner: str) -> bool:
    """Whether the process that started an operation still runs (only knowable on this host)."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def applying(s: Session, contract_ids: list[str]) -> list[Operation]:
    """Operations on these contracts still marked `applying`, newest first: running, or left by a dead process."""
    return list(s.scalars(select(Operation).join(OperationContract)
                          .where(OperationContract.contract_id.in_(contract_ids), Operation.state == "applying")
                          .order_by(Operation.id.desc())))


def operations(ctx: Context, contract_id: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """Newest first; an `applying` operation whose process is gone is what the next run recovers."""
    with ctx.store.session() as s:
        site = load_site(s)
        query = select(Operation).where(_of_site(s)).order_by(Operation.id.desc()).limit(limit)
        if contract_id is not None:
            cid = get_contract(s, contract_id).id
            query = query.where(Operation.id.in_(select(OperationContract.operation_id)
                                                 .where(OperationContract.contract_id == cid)))
        return [_view(s, site, op) for op in s.scalars(query)]


def _of_site(s: Session) -> ColumnElement[bool]:
    """An operation is its contracts' site's; one without contracts (a drift fix) is its devices' site's."""
    sid = site_id(s)
    by_contract = (select(OperationContract.operation_id).join(Contract, Contract.id == OperationContract.contract_id)
                   .where(Contract.site_id == sid))
    devices = union(select(Switch.name).where(Switch.site_id == sid), select(Pdu.name).where(Pdu.site_id == sid))
    by_device = select(OperationStep.operation_id).where(OperationStep.device.in_(devices))
    return or_(Operation.id.in_(by_contract), Operation.id.in_(by_device))


def _own(s: Session, op: Operation) -> Operation:
    """`op` if it is this site's; another site's is not found here, naming its site and `--site`."""
    sites = set(s.scalars(select(Contract.site_id).join(OperationContract, OperationContract.contract_id == Contract.id)
                          .where(OperationContract.operation_id == op.id))) or device_sites(
        s, list(s.scalars(select(OperationStep.device).where(OperationStep.operation_id == op.id))))
    if sites and site_id(s) not in sites:
        raise elsewhere(s, f"operation {op.id}", min(sites))
    return op


def _view(s: Session, site: SiteInfo, op: Operation) -> dict[str, Any]:
    contracts = list(s.scalars(select(OperationContract.contract_id).where(OperationContract.operation_id == op.id)))
    steps = s.scalars(select(OperationStep).where(OperationStep.operation_id == op.id).order_by(OperationStep.seq))
    state = op.state
    if state == "applying" and not owner_alive(op.owner):
        state = "interrupted (re-run to recover)"
    return {"operation": op.id, "kind": op.kind, "state": state, "contracts": contracts, "actor": op.actor,
            "started_at": iso(op.started_at, site), "finished_at": iso(op.finished_at, site),
            "error": op.error or None, "steps": [{"device": st.device, "target": st.target, "state": st.state,
                                                  "error": st.error or None} for st in steps]}


def operation(ctx: Context, operation_id: int) -> dict[str, Any]:
    """One operation, however old (`operation list` shows the newest 20)."""
    with ctx.store.session() as s:
        site = load_site(s)
        op = s.get(Operation, operation_id)
        if op is None:
            raise NotFound(f"operation {operation_id} does not exist: see `colo operation list`")
        return _view(s, site, _own(s, op))
