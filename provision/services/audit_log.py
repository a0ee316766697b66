"""Reading and checking the audit log (`colo audit`, `colo audit verify`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from provision.errors import OperationFailed
from provision.services.context import Context, load_site
from provision.services.contracts import get_contract, iso
from provision.store import audit
from provision.store.schema import AuditRecord


def export(ctx: Context, contract_id: str | None = None) -> list[dict[str, Any]]:
    with ctx.store.session() as s:
        site = load_site(s)
        query = select(AuditRecord).order_by(AuditRecord.id)
        if contract_id is not None:
            query = query.where(AuditRecord.contract_id == get_contract(s, contract_id).id)
        return [{"id": r.id, "at": iso(r.at, site), "actor": r.actor, "action": r.action, "contract": r.contract_id,
                 "detail": r.detail, "authorization": r.authorization, "hash": r.hash} for r in s.scalars(query)]


def verify(ctx: Context) -> dict[str, Any]:
    """Recompute the chain; a broken link is an OperationFailed naming the first bad record."""
    with ctx.store.session() as s:
        count, problem = audit.verify(s)
    if problem is not None:
        raise OperationFailed(f"audit log NOT intact: {problem}; {count - 1} record(s) before it check out")
    return {"records": count, "intact": True}
