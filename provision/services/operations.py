"""The device-change journal as a technician reads it: what ran, on which ports, how it ended."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from provision.services.context import Context, load_site
from provision.services.contracts import get_contract, iso
from provision.store.schema import Operation, OperationContract, OperationStep


def operations(ctx: Context, contract_id: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """Newest first; an `applying` operation whose process is gone is what the next run recovers."""
    from provision.services.apply import owner_alive

    with ctx.store.session() as s:
        site = load_site(s)
        query = select(Operation).order_by(Operation.id.desc()).limit(limit)
        if contract_id is not None:
            cid = get_contract(s, contract_id).id
            query = query.where(Operation.id.in_(select(OperationContract.operation_id)
                                                 .where(OperationContract.contract_id == cid)))
        out = []
        for op in s.scalars(query):
            contracts = list(s.scalars(select(OperationContract.contract_id)
                                       .where(OperationContract.operation_id == op.id)))
            steps = s.scalars(select(OperationStep).where(OperationStep.operation_id == op.id)
                              .order_by(OperationStep.seq))
            state = op.state
            if state == "applying" and not owner_alive(op.owner):
                state = "interrupted (re-run to recover)"
            out.append({"operation": op.id, "kind": op.kind, "state": state, "contracts": contracts,
                        "actor": op.actor, "started_at": iso(op.started_at, site),
                        "finished_at": iso(op.finished_at, site), "error": op.error or None,
                        "steps": [{"device": st.device, "target": st.target, "state": st.state,
                                   "error": st.error or None} for st in steps]})
        return out
