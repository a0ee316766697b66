"""Money in: payments, the account of a contract, and its stop-service notices (§3.3, §6.6)."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from provision.domain.billing import Fees, Standing, standing
from provision.domain.bounds import not_before
from provision.domain.lifecycle import StopReason
from provision.domain.money import parse_money
from provision.domain.terms import Payment
from provision.errors import BadInput, ColoError, OperationFailed, Refused
from provision.services.context import Context, SiteInfo, load_site
from provision.services.contracts import get_contract, install_refund_due, iso
from provision.services.operations import one_at_a_time
from provision.store.schema import Contract, ContractEvent, PaymentRecord, ServiceChange, StopNotice

ENFORCED = ("provisioned", "active", "suspended")


def parse_amount(text: str) -> Decimal:
    return parse_money(text, "amount")


def _paid(s: Session, cid: str, now: datetime) -> Decimal:
    return sum((p.amount for p in s.scalars(select(PaymentRecord).where(PaymentRecord.contract_id == cid,
                                                                         PaymentRecord.at <= now))), Decimal("0"))


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
            "periods_started": a.periods_started, "owed": str(a.owed), "paid": str(a.paid), "balance": str(a.balance),
            "overdue_since": iso(a.overdue_since, site),
            "stop_notice": None if notice is None else notice_view(site, notice),
            "install_fee": str(contract.install_fee), "install_refund": install_refund_due(s, site, contract, now)}


def show(ctx: Context, contract_id: str) -> dict[str, Any]:
    with ctx.store.session() as s:
        site = load_site(s)
        return account_view(s, site, get_contract(s, contract_id), ctx.now(site))


def record(ctx: Context, contract_id: str, amount_text: str, ref: str | None = None) -> dict[str, Any]:
    """Book money received once, and lift a paid-up suspension once, however many payers arrive together.

    The payment is a fact: it is booked and reported whatever becomes of the
    suspension. Booking runs under the site lock, so each payment sees every one booked
    before it (the one that clears the debt knows it) and a reference already booked
    for this contract is reported again rather than booked twice (a retry is safe).
    Lifting the suspension is enforcement's `resume`, decided once: a payer that finds
    it done or under way by another says so.
    """
    amount = parse_amount(amount_text)
    if ref is not None and not re.fullmatch(r"[A-Za-z0-9._/-]{1,64}", ref):
        raise BadInput(f"--ref {ref!r} is not a usable reference: 1-64 letters, digits, . _ / -")
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
    if paid_up and not held:
        result["resumed"] = _resume(ctx, contract.id, now, payment)
        with ctx.store.session() as s:
            result["account"] = account_view(s, load_site(s), get_contract(s, contract.id), now)
    return result


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


def _resume(ctx: Context, cid: str, now: datetime, payment: PaymentRecord) -> dict[str, Any]:
    """The suspension lifted, or what another payer's run did about it; a failure still names the booked payment."""
    from provision.services.enforcement import carry_out

    try:
        outcome = carry_out(ctx, cid, "resume", now)
    except ColoError as e:
        kind = Refused if isinstance(e, Refused) else OperationFailed
        raise kind(f"payment #{payment.id} of {payment.amount} for {cid} is booked, but lifting the suspension "
                   f"failed: {e} — do not record the payment again; `colo enforce` retries the resumption") from None
    if outcome["done"]:
        return dict(outcome["detail"])
    with ctx.store.session() as s:
        state = get_contract(s, cid).state
    return {"contract": cid, "state": state, "operation": outcome["operation"], "skipped": outcome["skipped"]}
