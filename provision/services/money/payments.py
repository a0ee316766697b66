"""Money in and back: payments, refunds, the account of a contract, its stop-service notices (§3.3, §6.6).

Nothing about money is deleted: a wrong payment is voided by a reversing record with its
reason (the balance leaves it out from then on), and a refund is kept as due until
`payment refunded` records it paid.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from provision.domain.billing import Fees, Standing, standing
from provision.domain.bounds import not_before, one_line
from provision.domain.lifecycle import StopReason
from provision.domain.money import parse_money, to_fen
from provision.domain.terms import Payment
from provision.errors import BadInput, Refused
from provision.services.context import Context, SiteInfo, load_site
from provision.services.contract_view import install_refund_due, pending_install_refund, refund_view
from provision.services.contracts import get_contract, iso
from provision.services.provisioning.operations import one_at_a_time
from provision.services.site_scope import own
from provision.store.schema import (
    Contract,
    ContractEvent,
    PaymentRecord,
    Refund,
    ServiceChange,
    StopNotice,
    Void,
)

ENFORCED = ("provisioned", "active", "suspended")


def parse_amount(text: str) -> Decimal:
    return parse_money(text, "amount")


def voided(kind: str, target: Any, now: datetime) -> Any:
    """The condition 'voided by `now`' on a payment's or outage's id column."""
    return exists().where(Void.kind == kind, Void.target_id == target, Void.at <= now)


def _paid(s: Session, cid: str, now: datetime) -> Decimal:
    return sum((p.amount for p in s.scalars(select(PaymentRecord).where(
        PaymentRecord.contract_id == cid, PaymentRecord.at <= now, ~voided("payment", PaymentRecord.id, now)))),
        Decimal("0"))


def fee_schedule(s: Session, contract: Contract) -> Fees:
    """The contract's fee per period: as signed, then as each service change set it from its next period."""
    changed = [c for c in s.scalars(select(ServiceChange).where(ServiceChange.contract_id == contract.id)
                                    .order_by(ServiceChange.id)) if c.fee_after != c.fee_before]
    if not changed:
        return Fees(contract.fee)
    return Fees(changed[0].fee_before, tuple((c.fee_from_period, c.fee_after) for c in changed))


def account(s: Session, site: SiteInfo, contract: Contract, now: datetime) -> Standing:
    renewed = sum(s.scalars(select(ContractEvent.months).where(ContractEvent.contract_id == contract.id,
                                                              ContractEvent.kind == "renewed")))
    return standing(fee_schedule(s, contract), Payment(contract.payment), contract.term_months + renewed,
                    contract.signed_at.astimezone(site.tz), _paid(s, contract.id, now), now)


def open_notice(s: Session, cid: str) -> StopNotice | None:
    return s.scalar(select(StopNotice).where(StopNotice.contract_id == cid, StopNotice.resolved_at.is_(None))
                    .order_by(StopNotice.id.desc()))


def notice_view(site: SiteInfo, n: StopNotice) -> dict[str, Any]:
    """A stop-service notice and its delivery: pending (not yet sent, or a call not yet logged), delivered,
    failed (recorded, so service may stop), or closed."""
    delivery = ("closed" if n.resolved_at else "delivered" if n.delivered_at else "failed" if n.failed_at
                else "pending")
    return {"notice": n.id, "contract": n.contract_id, "issued_at": iso(n.issued_at, site),
            "stop_at": iso(n.stop_at, site), "delivery": delivery, "channel": n.channel,
            "delivered_at": iso(n.delivered_at, site), "failed_at": iso(n.failed_at, site),
            "last_error": n.last_error, "attempts": n.attempts, "resolved_at": iso(n.resolved_at, site),
            "resolution": n.resolution or None}


def account_view(s: Session, site: SiteInfo, contract: Contract, now: datetime) -> dict[str, Any]:
    a = account(s, site, contract, now)
    notice = open_notice(s, contract.id)
    return {"contract": contract.id, "state": contract.state, "fee": str(contract.fee), "payment": contract.payment,
            "periods_started": a.periods_started, "owed": str(to_fen(a.owed)), "paid": str(to_fen(a.paid)),
            "balance": str(to_fen(a.balance)),
            "overdue_since": iso(a.overdue_since, site),
            "stop_notice": None if notice is None else notice_view(site, notice),
            "install_fee": str(contract.install_fee), "install_refund": install_refund_due(s, site, contract, now),
            "refund": refund_view(s, site, contract, now), "payments": payments_view(s, site, contract.id, now)}


def payments_view(s: Session, site: SiteInfo, cid: str, now: datetime) -> list[dict[str, Any]]:
    """Every payment booked by `now`, each with its void (the reversing record) if it has one."""
    rows = s.execute(select(PaymentRecord, Void).outerjoin(Void, and_(Void.kind == "payment",
                                                                      Void.target_id == PaymentRecord.id,
                                                                      Void.at <= now))
                     .where(PaymentRecord.contract_id == cid, PaymentRecord.at <= now).order_by(PaymentRecord.id))
    return [{"payment": p.id, "amount": str(p.amount), "at": iso(p.at, site), "ref": p.ref, "actor": p.actor,
             "void": None if v is None else {"void": v.id, "at": iso(v.at, site), "reason": v.reason,
                                             "actor": v.actor}} for p, v in rows]


def void_payment(ctx: Context, payment_id: int, reason: str) -> dict[str, Any]:
    """Reverse a payment booked in error; the row stays, the balance leaves it out, enforcement decides as ever."""
    reason = one_line("--reason", reason, "say why the payment is void")
    with ctx.store.session() as s:
        one_at_a_time(s)  # a concurrent enforcement run sees the balance with the void, or without it
        site = load_site(s)
        now = ctx.now(site)
        payment = s.get(PaymentRecord, payment_id)
        if payment is None:
            raise BadInput(f"payment {payment_id} does not exist: see `colo payment show CONTRACT`")
        own(s, payment, "payment")
        earlier = s.scalar(select(Void).where(Void.kind == "payment", Void.target_id == payment.id))
        if earlier is not None:
            raise Refused(f"payment {payment.id} was already voided on {iso(earlier.at, site)}: {earlier.reason}")
        not_before(now, payment.at, "--at", "a void", f"payment {payment.id}")
        s.add(Void(kind="payment", target_id=payment.id, contract_id=payment.contract_id, reason=reason, at=now,
                   actor=ctx.actor))
        s.flush()
        contract = get_contract(s, payment.contract_id)
        a = account(s, site, contract, now)
        s.add(ContractEvent(contract_id=contract.id, kind="payment_voided", at=now, actor=ctx.actor, months=0,
                            ref=str(payment.id), detail=f"payment #{payment.id} of {payment.amount} voided: {reason}; "
                                                        f"balance {a.balance}"))
        return {"payment": payment.id, "voided": str(payment.amount), "reason": reason,
                "account": account_view(s, site, contract, now)}


def keep_refund(s: Session, contract_id: str, kind: str, lines: list[tuple[str, Decimal]], basis: str,
                due_since: datetime, actor: str) -> Refund:
    """A refund sheet kept as due, its amount the sum of its printed lines."""
    row = Refund(contract_id=contract_id, kind=kind, amount=sum((a for _, a in lines), Decimal("0.00")),
                 lines=json.dumps([{"item": item, "amount": str(a)} for item, a in lines]), basis=basis,
                 due_since=due_since, recorded_by=actor)
    s.add(row)
    return row


def record_refund(ctx: Context, contract_id: str, ref: str) -> dict[str, Any]:
    """Every refund due on the contract paid out under one document; refused when nothing is due."""
    _check_ref(ref)
    with ctx.store.session() as s:
        one_at_a_time(s)
        site = load_site(s)
        now = ctx.now(site)
        contract = get_contract(s, contract_id)
        pending = pending_install_refund(s, site, contract, now)
        if pending is not None:
            s.add(Refund(**pending, recorded_by=ctx.actor))
            s.flush()
        due = list(s.scalars(select(Refund).where(Refund.contract_id == contract.id, Refund.due_since <= now,
                                                  Refund.paid_at.is_(None)).order_by(Refund.id)))
        if not due:
            paid = s.scalar(select(Refund).where(Refund.contract_id == contract.id, Refund.paid_at.is_not(None))
                            .order_by(Refund.paid_at.desc()))
            if paid is not None:
                raise Refused(f"contract {contract.id} has no refund due: {paid.amount} was refunded on "
                              f"{iso(paid.paid_at, site)} ({paid.paid_ref})")
            raise Refused(f"contract {contract.id} has no refund due: only a forced termination or a missed install "
                          f"guarantee is refunded")
        for r in due:
            r.paid_at, r.paid_ref, r.paid_by = now, ref, ctx.actor
        total = sum((r.amount for r in due), Decimal("0.00"))
        s.add(ContractEvent(contract_id=contract.id, kind="refunded", at=now, actor=ctx.actor, months=0, ref=ref,
                            detail=f"{total} refunded ({', '.join(r.kind for r in due)})"))
        s.flush()
        return {"contract": contract.id, "refunded": str(total), "ref": ref,
                "refund": refund_view(s, site, contract, now)}


def show(ctx: Context, contract_id: str) -> dict[str, Any]:
    with ctx.store.session() as s:
        site = load_site(s)
        return account_view(s, site, get_contract(s, contract_id), ctx.now(site))


def book(ctx: Context, contract_id: str, amount_text: str,
         ref: str | None = None) -> tuple[dict[str, Any], datetime | None]:
    """Book money received once; the result, and the time as of which a suspension for non-payment is to be
    lifted (None: nothing to lift).

    The payment is a fact: it is booked and reported whatever becomes of the
    suspension. Booking runs under the site lock, so each payment sees every one booked
    before it (the one that clears the debt knows it) and a reference already booked
    for this contract is reported again rather than booked twice (a retry is safe).
    Lifting the suspension is enforcement's (enforcement.record_payment), which calls this.
    """
    amount = parse_amount(amount_text)
    if ref is not None:
        _check_ref(ref)
    with ctx.store.session() as s:
        one_at_a_time(s)
        site = load_site(s)
        now = ctx.now(site)
        contract = get_contract(s, contract_id)
        not_before(now, contract.signed_at, "--at", "a payment", f"the signing of {contract.id}")
        if contract.state not in ("signed", *ENFORCED, "ended"):
            raise Refused(f"contract {contract.id} is {contract.state}: no payments are taken after decommission")
        booked = _booked(s, contract.id, ref, amount)
        payment = booked or _book(s, site, contract, amount, ref, now, ctx.actor)
        paid_up = contract.state == "suspended" and not account(s, site, contract, now).in_debt
        held = contract.stop_reason not in (None, StopReason.NONPAYMENT.value)
        result: dict[str, Any] = {"recorded": str(payment.amount), "payment": payment.id, "replayed": booked is not None,
                                  "account": account_view(s, site, contract, now), "resumed": None}
        if paid_up and held:  # a stop with an authority of its own: money does not lift it, so no device is asked
            result["resumed"] = {"contract": contract.id, "state": contract.state, "operation": None,
                                 "skipped": f"stopped for {contract.stop_reason}: payment does not lift it"}
        return result, now if paid_up and not held else None


def _check_ref(ref: str) -> None:
    if not re.fullmatch(r"[A-Za-z0-9._/-]{1,64}", ref):
        raise BadInput(f"--ref {ref!r} is not a usable reference: 1-64 letters, digits, . _ / -")


def _booked(s: Session, cid: str, ref: str | None, amount: Decimal) -> PaymentRecord | None:
    """The payment already booked for this contract under `ref`; refuse the same reference for another sum."""
    if ref is None:
        return None
    earlier = s.scalar(select(PaymentRecord).where(PaymentRecord.contract_id == cid, PaymentRecord.ref == ref)
                       .order_by(PaymentRecord.id))
    if earlier is not None and earlier.amount != amount:
        raise Refused(f"--ref {ref} is already booked for {cid} as {earlier.amount} on {earlier.at:%Y-%m-%d}: "
                      f"a different payment needs its own reference")
    return earlier


def _book(s: Session, site: SiteInfo, contract: Contract, amount: Decimal, ref: str | None, now: datetime,
          actor: str) -> PaymentRecord:
    """The payment row and its events; the first period fully paid stops the payment clock."""
    payment = PaymentRecord(contract_id=contract.id, amount=amount, at=now, actor=actor, ref=ref)
    s.add(payment)
    s.flush()
    a = account(s, site, contract, now)
    already = s.scalar(select(ContractEvent.id).where(ContractEvent.contract_id == contract.id,
                                                      ContractEvent.kind == "paid"))
    if a.paid >= fee_schedule(s, contract).of(0) and already is None:
        s.add(ContractEvent(contract_id=contract.id, kind="paid", at=now, actor=actor, months=0,
                            detail=f"first period paid ({a.paid} received)"))
    s.add(ContractEvent(contract_id=contract.id, kind="payment", at=now, actor=actor, months=0,
                        ref=ref, detail=f"{amount} received; balance {a.balance}"))
    if not a.in_debt:
        notice = open_notice(s, contract.id)
        if notice is not None and contract.state != "suspended":
            notice.resolved_at, notice.resolution = now, "paid"
    return payment


def list_payments(ctx: Context, contract_id: str) -> list[dict[str, Any]]:
    """A contract's payments booked by 'now', each with its void if it was voided (`payment show` adds the account)."""
    with ctx.store.session() as s:
        site = load_site(s)
        return payments_view(s, site, get_contract(s, contract_id).id, ctx.now(site))
