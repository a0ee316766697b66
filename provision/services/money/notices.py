"""Sending the stop-service notice (hosting §6.6 「发出"停止服务通知"…按所列时间停止」).

A notice goes to the contract's notification channel, the contact the monitor tells of
emergencies: email through the mail relay, a JSON `stop_notice` event to the SMS/IM
gateway, or, for a phone contact, a call listed for a technician, who logs how it went.
The outcome stays on the notice (channel, when delivered, the last error, attempts), and
an undelivered notice is tried again on every `colo enforce` run. Enforcement stops
service only once the notice was delivered or its failed delivery recorded
(billing.enforcement), at the stop time the notice listed.

Sending happens with no transaction open (a relay can take seconds); each outcome is
written in its own transaction. Each delivery, each technician's log and each new
failure reason is a contract event, so it is in the audit log; the same failure
repeated run after run is counted on the notice instead of filling the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from provision.domain import refs
from provision.domain.bounds import not_before, one_line
from provision.errors import BadInput, Refused
from provision.monitor.notify import CHANNELS, Mailer, send, shown
from provision.services.context import Context, SiteInfo, load_site
from provision.services.contracts import get_contract, iso
from provision.services.money.payments import ENFORCED, account, notice_view
from provision.services.monitoring.contacts import contact
from provision.services.site_scope import of_site, own, scoped
from provision.store.schema import Contract, ContractEvent, Customer, StopNotice


@dataclass(frozen=True)
class Letter:
    """One notice as it goes out: where to, and the same news as mail and as a gateway's JSON."""

    notice: int
    contract: str
    channel: str
    to: str | None
    subject: str
    body: str
    event: dict[str, Any]


def _local(moment: datetime, site: SiteInfo) -> str:
    """A time as the customer reads it: the site's wall clock, with its offset and zone named."""
    local = moment.astimezone(site.tz)
    return f"{local:%Y-%m-%d %H:%M} ({local:%z} {site.tz.key})"


def _letter(s: Session, site: SiteInfo, notice: StopNotice, contract: Contract, now: datetime) -> Letter:
    channel, to = contact(s, contract)  # the contact as it is now: a corrected address is used on the next try
    a = account(s, site, contract, now)
    due = max(-a.balance, Decimal("0.00"))
    customer = s.get(Customer, contract.customer_id)
    assert customer is not None
    event = {"event": "stop_notice", "notice": notice.id, "contract": contract.id,
             "issued_at": iso(notice.issued_at, site), "stop_at": iso(notice.stop_at, site),
             "amount_due": str(due), "overdue_since": iso(a.overdue_since, site)}
    subject = f"Stop-service notice for contract {contract.id}: service stops {_local(notice.stop_at, site)}"
    since = f" (payment overdue since {_local(a.overdue_since, site)})" if a.overdue_since else ""
    body = "\n".join([
        f"Stop-service notice {notice.id} for contract {contract.id} ({customer.name}), "
        f"issued {_local(notice.issued_at, site)}.",
        "",
        f"Amount due: {due} CNY{since}.",
        f"Service stops at {_local(notice.stop_at, site)}, site time, unless the amount is paid before then",
        "(hosting contract §6.6). Service is restored once the account is paid up.",
        "",
        "Reply to this message or call the NOC if you have already paid."])
    return Letter(notice.id, contract.id, channel, to, subject, body, event)


def _attempt(letter: Letter, mailer: Mailer | None) -> tuple[str, str | None]:
    """("delivered" | "failed" | "call", detail): a phone contact is a call for a technician, not a failure."""
    if letter.to is None:
        return "failed", "no contact on record: set one with `colo contract notify`, or the customer's email"
    if letter.channel == "phone":
        return "call", f"call {letter.to}, then log it: colo notice delivered {letter.notice} --by phone " \
                       f"(or colo notice failed {letter.notice} --reason TEXT)"
    error = send(letter.channel, letter.to, mailer, letter.subject, letter.body, letter.event)
    return ("delivered", None) if error is None else ("failed", error)


def _undelivered(s: Session, only: set[int] | None) -> list[tuple[StopNotice, Contract]]:
    query = (select(StopNotice, Contract).join(Contract, Contract.id == StopNotice.contract_id)
             .where(StopNotice.resolved_at.is_(None), StopNotice.delivered_at.is_(None),
                    Contract.state.in_(ENFORCED)).order_by(StopNotice.id))
    if only is not None:
        query = query.where(StopNotice.id.in_(only))
    return [(n, c) for n, c in s.execute(query)]


def deliver_pending(ctx: Context, mailer: Mailer | None, only: set[int] | None = None) -> list[dict[str, Any]]:
    """Send every open notice not yet delivered (or those of `only`); what happened to each."""
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        letters = [_letter(s, site, n, c, now) for n, c in _undelivered(s, only)]
    out = []
    for letter in letters:
        outcome, detail = _attempt(letter, mailer)
        with ctx.store.session() as s:
            notice = s.get(StopNotice, letter.notice)
            assert notice is not None
            if notice.delivered_at is None and notice.resolved_at is None:  # a technician's log meanwhile wins
                _record(s, site, notice, outcome, letter.channel, detail, now, ctx.actor,
                        f"to {shown(letter.channel, letter.to)}")
        out.append({"notice": letter.notice, "contract": letter.contract, "channel": letter.channel,
                    "to": shown(letter.channel, letter.to), "sent": outcome == "delivered",
                    "error": detail if outcome == "failed" else None, "task": detail if outcome == "call" else None})
    return out


def _record(s: Session, site: SiteInfo, notice: StopNotice, outcome: str, channel: str, detail: str | None,
            at: datetime, actor: str, how: str) -> None:
    """The outcome on the notice, and as a contract event (the audit log) unless it repeats the last failure."""
    if outcome == "call":
        notice.channel = channel
        return
    notice.attempts += 1
    notice.channel = channel
    stops = f"service stops at {iso(notice.stop_at, site)}"
    if outcome == "delivered":
        notice.delivered_at, notice.last_error = at, None
        s.add(ContractEvent(contract_id=notice.contract_id, kind="stop_notice_delivered", at=at, actor=actor, months=0,
                            ref=str(notice.id), detail=f"stop-service notice delivered by {channel} {how}; {stops}"))
        return
    assert detail is not None
    repeated = notice.failed_at is not None and notice.last_error == detail[:300]
    notice.failed_at, notice.last_error = at, detail[:300]
    if not repeated:
        s.add(ContractEvent(contract_id=notice.contract_id, kind="stop_notice_failed", at=at, actor=actor, months=0,
                            ref=str(notice.id), detail=f"stop-service notice not delivered by {channel}: {detail}; "
                                                       f"{stops} now that the failure is recorded"))


def _open(s: Session, site: SiteInfo, notice_id: int, at: datetime) -> StopNotice:
    notice = s.get(StopNotice, notice_id)
    if notice is None:
        raise BadInput(f"notice {notice_id} does not exist: see `colo notice list`")
    own(s, notice, "notice")
    if notice.delivered_at is not None:
        raise Refused(f"notice {notice_id} was already delivered at {iso(notice.delivered_at, site)} "
                      f"by {notice.channel}")
    not_before(at, notice.issued_at.astimezone(site.tz), "--at", "its delivery", f"notice {notice_id}'s issue")
    return notice


def log_delivered(ctx: Context, notice_id: int, channel: str) -> dict[str, Any]:
    """A technician's log that the customer was told (a phone call), at now or --at."""
    if channel not in CHANNELS:
        raise BadInput(f"--by {channel!r}: give {', '.join(CHANNELS)}")
    with ctx.store.session() as s:
        site = load_site(s)
        at = ctx.now(site)
        notice = _open(s, site, notice_id, at)
        _record(s, site, notice, "delivered", channel, None, at, ctx.actor, f"(logged by {ctx.actor})")
        return notice_view(site, notice)


def log_failed(ctx: Context, notice_id: int, reason: str) -> dict[str, Any]:
    """A technician's log that the call (or another channel) did not reach the customer: service may stop."""
    why = one_line("--reason", reason, "say why the customer could not be told, e.g. 'number not in service'")
    with ctx.store.session() as s:
        site = load_site(s)
        at = ctx.now(site)
        notice = _open(s, site, notice_id, at)
        channel = notice.channel or contact(s, get_contract(s, notice.contract_id))[0]
        _record(s, site, notice, "failed", channel, f"{why} (logged by {ctx.actor})", at, ctx.actor, "")
        return notice_view(site, notice)


def listing(ctx: Context, open_only: bool = False, contract_id: str | None = None) -> list[dict[str, Any]]:
    """This site's stop-service notices (`contract_id`'s only, when given), oldest first."""
    with ctx.store.session() as s:
        site = load_site(s)
        query = select(StopNotice).where(of_site(s, StopNotice.contract_id, contract_id)).order_by(StopNotice.id)
        if open_only:
            query = query.where(StopNotice.resolved_at.is_(None))
        out = []
        for n in s.scalars(query):
            channel, to = contact(s, get_contract(s, n.contract_id))
            out.append(notice_view(site, n) | {"to": shown(n.channel or channel, to)})  # whom to call, for a phone one
        return out


def show(ctx: Context, text: str | int) -> dict[str, Any]:
    """One stop-service notice (N5 or 5) exactly as `notice list` shows it, with whom to call; another site's is
    named with its `--site`."""
    with ctx.store.session() as s:
        scoped(s, StopNotice, "notice", text)
    return refs.pick(listing(ctx), "notice", text)
