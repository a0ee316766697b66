"""What the monitor watches for a contract and whom it tells: the contact channel and the customer's services.

Technicians change one thing at a time (`colo contract notify`, `colo monitor watch`);
playbooks declare the whole of it (`configure`), and only the difference is written.
Every change is a contract event, so it is in the hash-chained audit log; a change
that changes nothing writes nothing.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from provision.domain.bounds import TARGET_MAX
from provision.errors import BadInput
from provision.monitor.im_robots import ROBOTS, Robot
from provision.monitor.notify import check_target, shown
from provision.monitor.services import ServiceCheck, parse_check
from provision.services.context import Context, load_site
from provision.services.contracts import get_contract
from provision.store.schema import (
    Address,
    AuthorizedPerson,
    Contract,
    ContractEvent,
    Customer,
    EmergencyContact,
    Placement,
    ServiceCheckRow,
)


def contact(s: Session, contract: Contract) -> tuple[str, str | None]:
    """The channel the customer chose, else their email, else a phone number a technician calls."""
    if contract.notify_channel:
        return contract.notify_channel, contract.notify_target
    customer = s.get(Customer, contract.customer_id)
    assert customer is not None
    if customer.email:
        return "email", customer.email
    return "phone", customer.mobile or customer.phone or customer.admin_phone


def _services(s: Session, contract: Contract) -> dict[tuple[str, str], ServiceCheckRow]:
    return {(r.kind, r.target): r for r in s.scalars(
        select(ServiceCheckRow).where(ServiceCheckRow.contract_id == contract.id).order_by(ServiceCheckRow.id))}


# A designated person's channel (SLA §4.2) → how it is delivered, and the person's field that holds the address.
PERSON_CHANNELS = {"office-phone": ("phone", "phone"), "mobile": ("phone", "mobile"), "email": ("email", "email"),
                   "fax": ("fax", "fax"), "pager": ("pager", "pager"), "webhook": ("webhook", "webhook")}


@dataclass(frozen=True)
class Recipient:
    """Whom an emergency goes to: the designated authorized person, or (person None) the contract's contact."""

    channel: str  # email | webhook | dingtalk | wecom | phone | fax | pager
    to: str | None
    person: str | None = None
    medium: str = ""  # the person's channel as chosen: office-phone, mobile, ...
    mention: str | None = None  # a group robot's message @-mentions this mobile number (the designated person's)


def emergency_contact(s: Session, contract: Contract) -> Recipient:
    """The designated authorized person by their chosen channel (SLA §4.2 「指定的授权人」), else the contract's
    contact (`colo contract notify`, else the customer's email or phone).

    A group robot belongs to the customer's chat group, not to a person: a person designated "by DingTalk" or
    "by WeCom" is told through the contract's robot of that kind, @-mentioned by their mobile number."""
    designated = s.execute(select(EmergencyContact.channel, AuthorizedPerson).join(
        AuthorizedPerson, AuthorizedPerson.id == EmergencyContact.person_id).where(
        EmergencyContact.contract_id == contract.id, AuthorizedPerson.active.is_(True))).first()
    if designated is not None:
        medium, person = designated
        if medium in ROBOTS:  # the customer's group robot (the contract's contact), the person @-mentioned in it
            if contract.notify_channel == medium and person.mobile:
                return Recipient(medium, contract.notify_target, person.name, medium, person.mobile)
        elif to := getattr(person, PERSON_CHANNELS[medium][1]):
            return Recipient(PERSON_CHANNELS[medium][0], to, person.name, medium)
    return Recipient(*contact(s, contract))


def _view(s: Session, contract: Contract) -> dict[str, Any]:
    channel, to = contact(s, contract)
    emergencies = emergency_contact(s, contract)  # a designated person comes before the contract's contact
    return {"contract": contract.id,
            "contact": {"channel": channel, "to": shown(channel, to), "chosen": bool(contract.notify_channel)},
            "emergencies": {"channel": emergencies.channel, "to": shown(emergencies.channel, emergencies.to),
                            "person": emergencies.person, "medium": emergencies.medium or None},
            "services": [{"kind": k, "target": t} for k, t in sorted(_services(s, contract))]}


def _event(s: Session, contract: Contract, kind: str, at: datetime, actor: str, detail: str) -> None:
    s.add(ContractEvent(contract_id=contract.id, kind=kind, at=at, actor=actor, months=0, detail=detail))


def _set_contact(s: Session, contract: Contract, channel: str, target: str, at: datetime, actor: str) -> bool:
    if (contract.notify_channel, contract.notify_target) == (channel, target):
        return False
    contract.notify_channel, contract.notify_target = channel, target
    _event(s, contract, "contact_set", at, actor, f"emergencies notified by {channel} to {shown(channel, target)}")
    return True


def _watch(s: Session, contract: Contract, kind: str, target: str, at: datetime, actor: str) -> None:
    s.add(ServiceCheckRow(contract_id=contract.id, kind=kind, target=target))
    _event(s, contract, "service_watched", at, actor, f"{kind} {target}")


def _unwatch(s: Session, contract: Contract, row: ServiceCheckRow, at: datetime, actor: str) -> None:
    s.delete(row)
    _event(s, contract, "service_unwatched", at, actor, f"{row.kind} {row.target}")


def _contact(channel: str, target: str, secret: str | None = None) -> tuple[str, str]:
    """A contact as check_target accepts it, no longer than the store keeps; `secret` names a DingTalk
    robot's signing secret (kept in the target as `URL secret=NAME`, the value never)."""
    if secret is not None:
        if channel != "dingtalk":
            raise BadInput(f"--dingtalk-secret goes with --dingtalk only, not --{channel}")
        target = Robot.parse(channel, target, secret).stored()
    if len(target) > TARGET_MAX:
        raise BadInput(f"--{channel} is {len(target)} characters long: give at most {TARGET_MAX}")
    return channel, check_target(channel, target)


def _check(kind: str, target: str) -> ServiceCheck:
    if len(target) > TARGET_MAX:
        raise BadInput(f"{kind} target is {len(target)} characters long: give at most {TARGET_MAX}")
    return parse_check(kind, target)


def _addresses(s: Session, contract: Contract) -> list[str]:
    return list(s.scalars(select(Address.ip).join(Placement, Placement.id == Address.placement_id)
                          .where(Placement.contract_id == contract.id).order_by(Address.ip_int)))


def _customer_host(s: Session, contract: Contract, check: ServiceCheck) -> None:
    """The monitor probes the customer's own server and nothing else (a metadata service, the monitor's
    own machine): an address must be one of the contract's; a name must be a name, not an address
    spelled so a resolver still reads it as one ('2130706433', '127.1'), nor localhost."""
    host = check.endpoint[0].strip("[]")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        labels = host.lower().rstrip(".").split(".")
        if not labels[-1][:1].isalpha() or labels[-1] == "localhost":
            raise BadInput(f"{check.kind} {check.target!r}: {host!r} is not a public host name: give the "
                           f"customer's host name or one of the contract's addresses") from None
        return
    own = _addresses(s, contract)
    if str(address) not in own:
        raise BadInput(f"{check.kind} {check.target!r}: {address} is not an address of contract {contract.id} "
                       f"({', '.join(own) or 'none held'}): the monitor checks only the customer's own server")


def show(ctx: Context, contract_id: str) -> dict[str, Any]:
    with ctx.store.session() as s:
        return _view(s, get_contract(s, contract_id))


def set_contact(ctx: Context, contract_id: str, channel: str, target: str,
                secret: str | None = None) -> dict[str, Any]:
    channel, target = _contact(channel, target, secret)
    with ctx.store.session() as s:
        site = load_site(s)
        contract = get_contract(s, contract_id)
        changed = _set_contact(s, contract, channel, target, ctx.now(site), ctx.actor)
        return {"contract": contract.id, "channel": channel, "to": shown(channel, target), "changed": changed}


def watch_service(ctx: Context, contract_id: str, kind: str, target: str, remove: bool = False) -> dict[str, Any]:
    check = _check(kind, target)
    with ctx.store.session() as s:
        site = load_site(s)
        contract = get_contract(s, contract_id)
        row = _services(s, contract).get((kind, check.target))
        if remove:
            if row is None:
                raise BadInput(f"contract {contract.id} has no {kind} check of {check.target}: nothing to remove")
            _unwatch(s, contract, row, ctx.now(site), ctx.actor)
        elif row is None:
            _customer_host(s, contract, check)
            _watch(s, contract, kind, check.target, ctx.now(site), ctx.actor)
        return {"contract": contract.id, "check": kind, "target": check.target, "watched": not remove,
                "changed": remove or row is None}


def configure(ctx: Context, contract_id: str, contact_to: tuple[str, str] | None,
              services: Sequence[tuple[str, str]] | None, dry_run: bool = False,
              secret: str | None = None) -> dict[str, Any]:
    """The contract's monitoring made as declared: `contact_to` (channel, target; `secret` names a
    DingTalk robot's signing secret) and the complete list of watched services; None leaves that
    part as it is. Every input is checked before anything is written; `dry_run` says what would
    change and writes nothing.
    """
    if contact_to is not None:
        contact_to = _contact(*contact_to, secret)
    elif secret is not None:
        raise BadInput("a DingTalk signing secret goes with a dingtalk contact: give the contact too")
    checks = None if services is None else [_check(k, t) for k, t in services]
    wanted = None if checks is None else sorted({(c.kind, c.target) for c in checks})
    with ctx.store.session() as s:
        site = load_site(s)
        contract = get_contract(s, contract_id)
        for check in checks or []:
            _customer_host(s, contract, check)
        before = _view(s, contract)
        rows = _services(s, contract)
        add = [] if wanted is None else [w for w in wanted if w not in rows]
        drop = [] if wanted is None else [rows[k] for k in sorted(rows) if k not in wanted]
        current = (contract.notify_channel, contract.notify_target)
        new_contact = contact_to if contact_to is not None and contact_to != current else None
        changes = ([f"contact: {new_contact[0]} {shown(*new_contact)}"] if new_contact else []) + \
            [f"watch {k} {t}" for k, t in add] + [f"unwatch {r.kind} {r.target}" for r in drop]
        after = dict(before)
        if new_contact:
            after["contact"] = {"channel": new_contact[0], "to": shown(*new_contact), "chosen": True}
            if before["emergencies"]["person"] is None:  # nobody designated: emergencies follow the contact
                after["emergencies"] = {"channel": new_contact[0], "to": shown(*new_contact), "person": None,
                                        "medium": None}
        if wanted is not None:
            after["services"] = [{"kind": k, "target": t} for k, t in wanted]
        if not dry_run:
            now = ctx.now(site)
            if new_contact:
                _set_contact(s, contract, *new_contact, now, ctx.actor)
            for row in drop:
                _unwatch(s, contract, row, now, ctx.actor)
            for kind, target in add:
                _watch(s, contract, kind, target, now, ctx.actor)
        return {"contract": contract.id, "changed": bool(changes), "changes": changes, "before": before,
                "after": after, "dry_run": dry_run}
