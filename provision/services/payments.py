"""Money in: payments, the account of a contract, and its stop-service notices (§3.3, §6.6)."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from provision.domain.billing import Standing, standing
from provision.domain.terms import Payment
from provision.errors import BadInput, Refused
from provision.services.context import Context, SiteInfo, load_site
from provision.services.contracts import get_contract, iso
from provision.store.schema import Contract, ContractEvent, PaymentRecord, StopNotice

ENFORCED = ("provisioned", "active", "suspended")


def parse_amount(text: str) -> Decimal:
    if not re.fullmatch(r"\d{1,12}(\.\d{1,2})?", text.strip()):
        raise BadInput(f"amount {text!r} is not a sum of money: give e.g. 12000.00 (CNY, at most 2 decimals)")
    try:
        amount = Decimal(text.strip())
    except InvalidOperation:
        raise BadInput(f"amount {text!r} is not a number") from None
    if amount <= 0:
        raise BadInput(f"amount {text!r} must be more than 0")
    return amount


def _paid(s: Session, cid: str, now: datetime) -> Decimal:
    return sum((p.amount for p in s.scalars(select(PaymentRecord).where(PaymentRecord.contract_id == cid,
                                                                         PaymentRecord.at <= now))), Decimal("0"))


def account(s: Session, site: SiteInfo, contract: Contract, now: datetime) -> Standing:
    renewed = sum(s.scalars(select(ContractEvent.months).where(ContractEvent.contract_id == contract.id,
                                                              ContractEvent.kind == "renewed")))
    return standing(contract.fee, Payment(contract.payment), contract.term_months + renewed,
                    contract.signed_at.astimezone(site.tz), _paid(s, contract.id, now), now)


def open_notice(s: Session, cid: str) -> StopNotice | None:
    return s.scalar(select(StopNotice).where(StopNotice.contract_id == cid, StopNotice.resolved_at.is_(None))
                    .order_by(StopNotice.id.desc()))


def account_view(s: Session, site: SiteInfo, contract: Contract, now: datetime) -> dict[str, Any]:
    a = account(s, site, contract, now)
    notice = open_notice(s, contract.id)
    return {"contract": contract.id, "state": contract.state, "fee": str(contract.fee), "payment": contract.payment,
            "periods_started": a.periods_started, "owed": str(a.owed), "paid": str(a.paid), "balance": str(a.balance),
            "overdue_since": iso(a.overdue_since, site),
            "stop_notice": None if notice is None else {"issued_at": iso(notice.issued_at, site),
                                                        "stop_at": iso(notice.stop_at, site)}}


def show(ctx: Context, contract_id: str) -> dict[str, Any]:
    with ctx.store.session() as s:
        site = load_site(s)
        return account_view(s, site, get_contract(s, contract_id), ctx.now(site))


def record(ctx: Context, contract_id: str, amount_text: str, ref: str | None = None) -> dict[str, Any]:
    """Record money received; the first period fully paid stops the payment clock; a paid-up suspension is lifted."""
    amount = parse_amount(amount_text)
    if ref is not None and not re.fullmatch(r"[A-Za-z0-9._/-]{1,64}", ref):
        raise BadInput(f"--ref {ref!r} is not a usable reference: 1-64 letters, digits, . _ / -")
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        contract = get_contract(s, contract_id)
        if contract.state not in ("signed", *ENFORCED, "ended"):
            raise Refused(f"contract {contract.id} is {contract.state}: no payments are taken after decommission")
        s.add(PaymentRecord(contract_id=contract.id, amount=amount, at=now, actor=ctx.actor, ref=ref))
        s.flush()
        a = account(s, site, contract, now)
        first_paid = a.paid >= contract.fee
        already = s.scalar(select(ContractEvent.id).where(ContractEvent.contract_id == contract.id,
                                                          ContractEvent.kind == "paid"))
        if first_paid and already is None:
            s.add(ContractEvent(contract_id=contract.id, kind="paid", at=now, actor=ctx.actor, months=0,
                                detail=f"first period paid ({a.paid} received)"))
        s.add(ContractEvent(contract_id=contract.id, kind="payment", at=now, actor=ctx.actor, months=0,
                            ref=ref, detail=f"{amount} received; balance {a.balance}"))
        if not a.in_debt:
            notice = open_notice(s, contract.id)
            if notice is not None and contract.state != "suspended":
                notice.resolved_at, notice.resolution = now, "paid"
        suspended = contract.state == "suspended" and not a.in_debt
        view = account_view(s, site, contract, now)
    result: dict[str, Any] = {"recorded": str(amount), "account": view, "resumed": None}
    if suspended:
        from provision.services.enforcement import resume

        result["resumed"] = resume(ctx, contract.id, now)
        with ctx.store.session() as s:
            result["account"] = account_view(s, load_site(s), get_contract(s, contract.id), now)
    return result
