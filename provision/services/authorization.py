"""Who may touch a customer's equipment, and proof that nobody did without it (SLA §4.3, §6.5-6.6, §7.2).

Outside contract enforcement, an operation on a customer's server (power-cycling its
outlet, bouncing its port) needs a valid authorization by one of the customer's
authorized persons: written, or by phone once the caller proved the monitoring-portal
credential (kept only as a salted scrypt hash), the written form to follow. A refusal
is recorded like an operation. Each authorization starts the 30-minute feedback clock.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from provision.domain.bounds import one_line
from provision.domain.lifecycle import HOLDS_RESOURCES, State
from provision.errors import BadInput, DeviceError, NotFound, Refused
from provision.services.context import Context, load_site
from provision.services.contracts import get_contract, iso, placements_view
from provision.store.schema import Authorization, AuthorizedPerson, Contract, ContractEvent, PortalCredential

OPERATIONS = ("outlet-cycle", "port-bounce", "config-change")
_NAME = re.compile(r"[^\x00-\x1f\x7f]{1,120}")
_REF = re.compile(r"[A-Za-z0-9._/-]{1,64}")
_LOGIN = re.compile(r"[a-z0-9._-]{3,32}")
_CONTRACT_ID = re.compile(r"c\d{4}-\d{4,}", re.IGNORECASE)
_NO_SALT = bytes(16)  # an unknown user name's secret is hashed with it, and the hash thrown away


def _hash(secret: str, salt: bytes) -> str:
    return hashlib.scrypt(secret.encode(), salt=salt, n=2**14, r=8, p=1).hex()


def _contract(s: Session, contract_id: str) -> Contract:
    contract = get_contract(s, contract_id)
    if State(contract.state) not in HOLDS_RESOURCES:
        raise Refused(f"contract {contract.id} is {contract.state}: its equipment is no longer in the racks")
    return contract


def add_person(ctx: Context, contract_id: str, name: str, phone: str | None = None) -> dict[str, Any]:
    if not _NAME.fullmatch(name.strip()):
        raise BadInput(f"--name {name!r} is not usable: give the person's name, 1-120 printable characters")
    if phone is not None and not re.fullmatch(r"\+?[0-9 ()-]{5,40}", phone):
        raise BadInput(f"--phone {phone!r} is not a phone number")
    with ctx.store.session() as s:
        site = load_site(s)
        contract = get_contract(s, contract_id)
        person = s.scalar(select(AuthorizedPerson).where(AuthorizedPerson.customer_id == contract.customer_id,
                                                         AuthorizedPerson.name == name.strip()))
        if person is None:
            person = AuthorizedPerson(customer_id=contract.customer_id, name=name.strip(), phone=phone, active=True)
            s.add(person)
        else:
            person.phone, person.active = phone or person.phone, True
        s.add(ContractEvent(contract_id=contract.id, kind="authorized_person", at=ctx.now(site), actor=ctx.actor,
                            months=0, detail=f"{person.name} may order operations on the customer's equipment"))
        s.flush()
        return {"customer_id": contract.customer_id, "person": person.id, "name": person.name}


def set_portal_secret(ctx: Context, contract_id: str, secret: str) -> dict[str, Any]:
    if len(secret) < 8:
        raise BadInput("the portal credential is too short: at least 8 characters")
    salt = secrets.token_bytes(16)
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        contract = get_contract(s, contract_id)
        row = s.get(PortalCredential, contract.customer_id)
        if row is None:
            s.add(PortalCredential(customer_id=contract.customer_id, salt=salt.hex(), hash=_hash(secret, salt), set_at=now))
        else:
            row.salt, row.hash, row.set_at = salt.hex(), _hash(secret, salt), now
        s.add(ContractEvent(contract_id=contract.id, kind="portal_credential_set", at=now, actor=ctx.actor, months=0,
                            detail="stored as a salted scrypt hash"))
    return {"contract": contract_id, "stored": "salted scrypt hash"}


def set_portal_login(ctx: Context, contract_id: str, login: str) -> dict[str, Any]:
    """Let the customer log in to the portal as `login` instead of a contract ID (which then stops working)."""
    if not _LOGIN.fullmatch(login):
        raise BadInput(f"--login {login!r}: give 3-32 characters of a-z, 0-9, '.', '_' or '-', e.g. acme-noc")
    if _CONTRACT_ID.fullmatch(login):
        raise BadInput(f"--login {login!r} looks like a contract ID, which is a user name of its own: choose another")
    with ctx.store.session() as s:
        site = load_site(s)
        contract = get_contract(s, contract_id)
        row = s.get(PortalCredential, contract.customer_id)
        if row is None:
            raise Refused(f"contract {contract.id}: the customer has no portal credential yet: set it first "
                          f"(`colo portal set {contract.id}`)")
        holder = s.scalar(select(PortalCredential.customer_id).where(PortalCredential.login == login))
        if holder not in (None, contract.customer_id):
            raise Refused(f"--login {login!r} is taken by another customer: choose another")
        if row.login != login:
            row.login = login
            s.add(ContractEvent(contract_id=contract.id, kind="portal_login_set", at=ctx.now(site), actor=ctx.actor,
                                months=0, detail=f"portal user name {login} (the contract ID no longer logs in)"))
    return {"contract": contract.id, "login": login}


@dataclass(frozen=True)
class PortalAccount:
    """Who logged in to the portal: the customer, and which credential (a new one ends the old one's sessions)."""

    customer_id: int
    credential_set_at: datetime


def portal_login(ctx: Context, username: str, secret: str) -> PortalAccount | None:
    """The customer whose portal user name and credential these are, or None.

    The user name is the login name set with `colo portal set --login`, else any of the
    customer's contract IDs. An unknown name costs the same scrypt as a known one, so the
    answer's timing does not tell which names exist.
    """
    with ctx.store.session() as s:
        credential = _portal_credential(s, username.strip())
    if credential is None:
        _hash(secret, _NO_SALT)
        return None
    return PortalAccount(credential.customer_id, credential.set_at) if _verified(credential, secret) else None


def _portal_credential(s: Session, username: str) -> PortalCredential | None:
    by_login = s.scalar(select(PortalCredential).where(PortalCredential.login == username.lower()))
    if by_login is not None or not _CONTRACT_ID.fullmatch(username):
        return by_login
    contract = s.get(Contract, username.upper())
    credential = None if contract is None else s.get(PortalCredential, contract.customer_id)
    return credential if credential is not None and credential.login is None else None


def _verified(credential: PortalCredential | None, secret: str | None) -> bool:
    if credential is None or secret is None:
        return False
    return hmac.compare_digest(_hash(secret, bytes.fromhex(credential.salt)), credential.hash)


def _refuse(ctx: Context, contract_id: str, why: str) -> Refused:
    """Record the refusal in its own transaction, so it stays on file even though the command fails."""
    with ctx.store.session() as s:
        site = load_site(s)
        s.add(ContractEvent(contract_id=contract_id, kind="operation_refused", at=ctx.now(site), actor=ctx.actor,
                            months=0, detail=why))
    return Refused(f"contract {contract_id}: {why}")


def record(ctx: Context, contract_id: str, person: str, operation: str, channel: str, ref: str | None = None,
           portal_secret: str | None = None, valid_hours: float = 24.0) -> dict[str, Any]:
    if operation not in OPERATIONS:
        raise BadInput(f"--operation {operation!r}: give one of {', '.join(OPERATIONS)}")
    if channel not in ("written", "phone"):
        raise BadInput("give --written (with --ref, the signed document's number) or --phone")
    if channel == "written" and not (ref and _REF.fullmatch(ref)):
        raise BadInput("--written needs --ref DOC-NO: the signed authorization's number (letters, digits, . _ / -)")
    person = one_line("--by", person, "give the authorized person's name", 120)
    if not 0 < valid_hours <= 24 * 7:
        raise BadInput(f"--valid-hours {valid_hours:g} is out of range: give up to 168")
    with ctx.store.session() as s:
        contract = _contract(s, contract_id)
        cid, customer = contract.id, contract.customer_id
        who = s.scalar(select(AuthorizedPerson).where(AuthorizedPerson.customer_id == customer,
                                                      AuthorizedPerson.name == person.strip(),
                                                      AuthorizedPerson.active.is_(True)))
        credential = s.get(PortalCredential, customer)
    if who is None:
        raise _refuse(ctx, cid, f"{person!r} is not an authorized person of the customer (`colo authorized add`)")
    if channel == "phone" and not _verified(credential, portal_secret):
        raise _refuse(ctx, cid, f"phone authorization by {who.name} refused: the monitoring-portal credential "
                                f"was not verified")
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        auth = Authorization(contract_id=cid, person_id=who.id, channel=channel, operation=operation, ref=ref,
                             received_at=now, valid_until=now + timedelta(hours=valid_hours),
                             written_at=now if channel == "written" else None, recorded_by=ctx.actor)
        s.add(auth)
        s.flush()
        s.add(ContractEvent(contract_id=cid, kind="authorization_received", at=now, actor=ctx.actor, months=0,
                            ref=str(auth.id), detail=f"{channel} authorization #{auth.id} by {who.name}: {operation}"
                            + (f" (document {ref})" if ref else " (written form to follow)")))
        return {"authorization": auth.id, "contract": cid, "by": who.name, "channel": channel,
                "operation": operation, "valid_until": iso(auth.valid_until, site),
                "feedback_due": iso(now + timedelta(minutes=30), site),
                "written_form": "received" if channel == "written" else "to follow"}


def written(ctx: Context, auth_id: int, ref: str) -> dict[str, Any]:
    if not _REF.fullmatch(ref):
        raise BadInput(f"--ref {ref[:64]!r}: give the written form's document number (1-64 letters, digits, . _ / -)")
    with ctx.store.session() as s:
        site = load_site(s)
        auth = _auth(s, auth_id)
        auth.written_at, auth.ref = ctx.now(site), ref
        s.add(ContractEvent(contract_id=auth.contract_id, kind="authorization_written", at=ctx.now(site),
                            actor=ctx.actor, months=0, ref=str(auth.id), detail=f"written form {ref} received"))
        return {"authorization": auth.id, "written_at": iso(auth.written_at, site)}


def feedback(ctx: Context, auth_id: int, note: str) -> dict[str, Any]:
    note = one_line("--note", note, "say what was done", 500)
    with ctx.store.session() as s:
        site = load_site(s)
        auth = _auth(s, auth_id)
        s.add(ContractEvent(contract_id=auth.contract_id, kind="authorization_feedback", at=ctx.now(site),
                            actor=ctx.actor, months=0, ref=str(auth.id), detail=note))
        return {"authorization": auth.id, "feedback_at": iso(ctx.now(site), site)}


def _auth(s: Session, auth_id: int) -> Authorization:
    auth = s.get(Authorization, auth_id)
    if auth is None:
        raise NotFound(f"authorization #{auth_id} does not exist")
    return auth


def operate(ctx: Context, contract_id: str, operation: str, position: int, dry_run: bool = False) -> dict[str, Any]:
    """Power-cycle a server's outlets or bounce its port, only on a valid, unused authorization.

    A dry run (Ansible's check mode) checks the authorization and says what would be done;
    it neither uses the authorization nor records anything.
    """
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        contract = _contract(s, contract_id)
        cid = contract.id
        auth = s.scalar(select(Authorization).where(
            Authorization.contract_id == cid, Authorization.operation == operation, Authorization.used_at.is_(None),
            Authorization.received_at <= now, Authorization.valid_until >= now).order_by(Authorization.id))
        place = next((p for p in placements_view(s, site, cid) if p["position"] == position - 1
                      and p["released_at"] is None), None)
        if place is None:
            raise NotFound(f"--server {position}: contract {cid} has servers 1 to {contract.quantity}")
        auth_id = None if auth is None else auth.id
    if auth_id is None:
        why = (f"{operation} on server {position} refused: no valid authorization "
               f"(`colo authorize record {cid} --by NAME --operation {operation} --written --ref DOC`)")
        raise Refused(f"contract {cid}: {why}") if dry_run else _refuse(ctx, cid, why)
    target = (", ".join(f"{o['pdu']} outlet {o['outlet']}" for o in place["outlets"]) if operation == "outlet-cycle"
              else f"{place['port']['switch']} {place['port']['interface']}")
    if dry_run:
        return {"contract": cid, "operation": operation, "server": position, "authorization": auth_id,
                "done": None, "would": f"{operation} {target}"}
    done = _outlet_cycle(ctx, place) if operation == "outlet-cycle" else _port_bounce(ctx, place)
    with ctx.store.session() as s:
        auth = _auth(s, auth_id)
        auth.used_at = now
        s.add(ContractEvent(contract_id=cid, kind="authorized_operation", at=now, actor=ctx.actor, months=0,
                            ref=str(auth_id), detail=f"{operation} server {position}: {done}"))
    return {"contract": cid, "operation": operation, "server": position, "authorization": auth_id, "done": done,
            "would": f"{operation} {target}",
            "next": f"send the customer the written report; record feedback with `colo authorize feedback {auth_id}`"}


def _outlet_cycle(ctx: Context, place: dict[str, Any]) -> str:
    from provision.services import devices

    outlets: dict[str, list[int]] = {}
    for o in place["outlets"]:
        outlets.setdefault(o["pdu"], []).append(o["outlet"])
    with ctx.store.session() as s:
        info = devices.pdus(s, list(outlets))
    for pdu, numbers in outlets.items():
        driver = info[pdu].driver()
        driver.set_outlets(dict.fromkeys(numbers, False))
        driver.set_outlets(dict.fromkeys(numbers, True))
    return "; ".join(f"{pdu} outlet {','.join(map(str, ns))} off and on again (read back)" for pdu, ns in outlets.items())


def _port_bounce(ctx: Context, place: dict[str, Any]) -> str:
    from dataclasses import replace

    from provision.drivers.switch.base import switch_lock
    from provision.services import devices

    port = place["port"]
    with ctx.store.session() as s:
        info = devices.switches(s, [port["switch"]])[port["switch"]]
    with devices.sessions(), switch_lock(port["switch"]):
        driver = info.driver()
        now = driver.read(driver.running(), port["interface"])
        driver.push(driver.change(now, replace(now.facts, shutdown=True)))
        driver.push(driver.change(driver.read(driver.running(), port["interface"]), now.facts))
        if driver.read(driver.running(), port["interface"]).facts != now.facts:
            raise DeviceError(port["switch"], f"{port['interface']} did not return to its state after the bounce")
    return f"{port['switch']} {port['interface']} shut and re-enabled (read back)"
