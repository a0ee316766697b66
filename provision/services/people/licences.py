"""The customer's licences on file (hosting §5.7): a business-licence copy always, an
advertising or ICP (value-added telecom) licence where the customer declared such business.

Licences are the customer's, named through any of its contracts. A missing one is shown,
not enforced: the contract names no consequence of a missing copy (a failed annual review
is where service stops, see compliance).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from provision.domain.bounds import check_year, happened, one_line
from provision.domain.compliance import DECLARABLE, LicenceKind, missing_licences, required_licences
from provision.domain.lifecycle import HOLDS_RESOURCES
from provision.errors import BadInput
from provision.services.context import Context, SiteInfo, load_site, parse_day
from provision.services.contracts import get_contract, iso
from provision.store.schema import Contract, ContractEvent, Customer, Licence, LicenceDeclaration


def _kind(text: str) -> LicenceKind:
    try:
        return LicenceKind(text.strip().lower())
    except ValueError:
        raise BadInput(f"--kind {text!r} is not a licence kind: use one of "
                       f"{', '.join(k.value for k in LicenceKind)}") from None


def declare(ctx: Context, contract_id: str, advertising: bool | None, icp: bool | None) -> dict[str, Any]:
    """Record which business needing a licence of its own the customer declares (or no longer does)."""
    wanted = {LicenceKind.ADVERTISING: advertising, LicenceKind.ICP: icp}
    if all(v is None for v in wanted.values()):
        raise BadInput("nothing to declare: give --advertising or --no-advertising, --icp or --no-icp")
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        contract = get_contract(s, contract_id)
        changed = []
        for kind, want in wanted.items():
            row = s.get(LicenceDeclaration, (contract.customer_id, kind.value))
            if want and row is None:
                s.add(LicenceDeclaration(customer_id=contract.customer_id, kind=kind.value, declared_at=now,
                                         declared_by=ctx.actor))
                changed.append(f"declares {kind.value} business")
            elif want is False and row is not None:
                s.delete(row)
                changed.append(f"no longer declares {kind.value} business")
        if changed:
            s.add(ContractEvent(contract_id=contract.id, kind="licence_declared", at=now, actor=ctx.actor, months=0,
                                detail="the customer " + "; ".join(changed)))
        s.flush()
        return _licence_view(s, site, _customer(s, contract)) | {"changed": changed}


def record_licence(ctx: Context, contract_id: str, kind: str, number: str, filed: str,
                   received: str) -> dict[str, Any]:
    """A copy of one of the customer's licences is on file: its number, where the copy is, when it came."""
    licence = _kind(kind)
    number_text = one_line("--number", number, "give the licence's number", 64)
    filed_text = one_line("--filed", filed, "say where the copy is kept (cabinet, folder, document system id)")
    day = parse_day(received, "--received")
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        check_year(datetime.combine(day, time(), tzinfo=site.tz), "--received")
        happened(datetime.combine(day, time(), tzinfo=site.tz), now, "--received")
        contract = get_contract(s, contract_id)
        row = Licence(customer_id=contract.customer_id, kind=licence.value, number=number_text, filed=filed_text,
                      received_on=day, recorded_at=now, recorded_by=ctx.actor)
        s.add(row)
        s.add(ContractEvent(contract_id=contract.id, kind="licence_recorded", at=now, actor=ctx.actor, months=0,
                            detail=f"{licence.value} licence {number_text}: copy received {day.isoformat()}, "
                                   f"kept at {filed_text}"))
        s.flush()
        return _licence_view(s, site, _customer(s, contract)) | {"recorded": row.id}


def licences(ctx: Context, contract_id: str | None = None, missing_only: bool = False) -> list[dict[str, Any]]:
    """Each customer's licences on file against those required; without ID every customer still in this site's
    racks."""
    with ctx.store.session() as s:
        site = load_site(s)
        if contract_id is not None:
            customers = [_customer(s, get_contract(s, contract_id))]
        else:
            holding = [st.value for st in HOLDS_RESOURCES]
            customers = list(s.scalars(select(Customer).where(Customer.id.in_(
                select(Contract.customer_id).where(Contract.state.in_(holding), Contract.site_id == site.id)))
                .order_by(Customer.name)))
        rows = [_licence_view(s, site, c) for c in customers]
    return [r for r in rows if r["missing"]] if missing_only else rows


def _customer(s: Session, contract: Contract) -> Customer:
    customer = s.get(Customer, contract.customer_id)
    assert customer is not None
    return customer


def _licence_view(s: Session, site: SiteInfo, customer: Customer) -> dict[str, Any]:
    declared = [LicenceKind(k) for k in s.scalars(select(LicenceDeclaration.kind)
                                                  .where(LicenceDeclaration.customer_id == customer.id))]
    declared = [k for k in DECLARABLE if k in declared]
    on_file = list(s.scalars(select(Licence).where(Licence.customer_id == customer.id)
                             .order_by(Licence.kind, Licence.received_on.desc(), Licence.id.desc())))
    contracts = list(s.scalars(select(Contract.id).where(Contract.customer_id == customer.id,
                                                         Contract.site_id == site.id)
                               .order_by(Contract.year, Contract.seq)))
    return {"customer": customer.name, "contracts": contracts, "declared": [k.value for k in declared],
            "required": [k.value for k in required_licences(declared)],
            "on_file": [{"licence": r.id, "kind": r.kind, "number": r.number, "filed": r.filed,
                         "received_on": r.received_on.isoformat(), "recorded_at": iso(r.recorded_at, site),
                         "recorded_by": r.recorded_by} for r in on_file],
            "missing": [k.value for k in missing_licences(declared, (LicenceKind(r.kind) for r in on_file))]}


def licence(ctx: Context, contract_id: str) -> dict[str, Any]:
    """The licences of a contract's customer: on file, required, missing."""
    return licences(ctx, contract_id)[0]
