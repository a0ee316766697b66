"""The people the agreement names on a contract: its customer-service representative (SLA §5) and its
engineer (SLA §6.2), assigned with `colo contract assign` and shown with the contract.

A change of either is a contract event, so the history and the audit log say who was responsible when.
"""

from __future__ import annotations

from typing import Any

from provision.domain.bounds import one_line
from provision.errors import BadInput
from provision.services.context import Context, load_site
from provision.services.contracts import get_contract, iso
from provision.store.schema import ContractEvent

ROLES = {"service_rep": ("--rep", "customer-service representative"), "engineer": ("--engineer", "engineer")}


def assign(ctx: Context, contract_id: str, rep: str | None = None, engineer: str | None = None) -> dict[str, Any]:
    given = {field: one_line(ROLES[field][0], name, f"give the {ROLES[field][1]}'s name", 120)
             for field, name in (("service_rep", rep), ("engineer", engineer)) if name is not None}
    if not given:
        raise BadInput("give --rep NAME, --engineer NAME or both: whom the contract is assigned to")
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        contract = get_contract(s, contract_id)
        changes = []
        for field, name in given.items():
            before = getattr(contract, field)
            if before != name:
                setattr(contract, field, name)
                changes.append(f"{ROLES[field][1]} {name}" + (f" (was {before})" if before else ""))
        if changes:
            s.add(ContractEvent(contract_id=contract.id, kind="people_assigned", at=now, actor=ctx.actor, months=0,
                                detail="; ".join(changes)))
        return {"contract": contract.id, "service_rep": contract.service_rep, "engineer": contract.engineer,
                "changed": bool(changes), "at": iso(now, site)}
