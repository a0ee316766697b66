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

from provision.domain.bounds import TARGET_MAX, not_before, one_line
from provision.domain.clocks import RULES, ContractFacts, Event
from provision.domain.lifecycle import HOLDS_RESOURCES, State
from provision.errors import BadInput, DeviceError, NotFound, Refused
from provision.monitor.im_robots import ROBOTS
from provision.monitor.notify import check_target, shown
from provision.services.context import Context, SiteInfo, load_site
from provision.services.contract_view import placements_view
from provision.services.contracts import get_contract, iso
from provision.services.monitoring.contacts import emergency_contact
from provision.services.site_scope import of_site, own, scoped
from provision.store.schema import (
    Authorization,
    AuthorizedPerson,
    Contract,
    ContractEvent,
    EmergencyContact,
    PortalCredential,
)

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


# A person's contact channels (SLA §4.2), as the options name them → the column; the office phone is `phone`.
CONTACT_FIELDS = {"office-phone": "phone", "mobile": "mobile", "email": "email", "fax": "fax", "pager": "pager",
                  "webhook": "webhook"}
_PHONE = re.compile(r"\+?[0-9 ()-]{5,40}")


def add_person(ctx: Context, contract_id: str, name: str, phone: str | None = None,
               channels: dict[str, str | None] | None = None, emergency: str | None = None) -> dict[str, Any]:
    """Register (or re-activate) an authorized person with their contact channels; `emergency` names the
    channel by which this contract's emergencies reach them (SLA §4.2 「指定的授权人」)."""
    return _save_person(ctx, contract_id, name, {"office-phone": phone, **(channels or {})}, emergency, create=True)


def set_person(ctx: Context, contract_id: str, name: str, channels: dict[str, str | None],
               emergency: str | None = None) -> dict[str, Any]:
    """Change an authorized person's channels, or designate them for the contract's emergencies (`none`: no
    longer; emergencies then go to the contract's contact)."""
    return _save_person(ctx, contract_id, name, channels, emergency, create=False)


def _channels(given: dict[str, str | None]) -> dict[str, str]:
    """The channels given, checked; each error names its option."""
    out = {}
    for channel, value in given.items():
        if value is None:
            continue
        value = value.strip()
        option = "--phone" if channel == "office-phone" else f"--{channel}"
        if channel in ("email", "webhook"):
            if len(value) > TARGET_MAX:
                raise BadInput(f"{option} is {len(value)} characters long: give at most {TARGET_MAX}")
            check_target(channel, value)
        elif not _PHONE.fullmatch(value):
            raise BadInput(f"{option} {value!r} is not a phone number: digits, spaces, ( ) - and a leading +")
        out[channel] = value
    return out


def _save_person(ctx: Context, contract_id: str, name: str, given: dict[str, str | None], emergency: str | None,
                 create: bool) -> dict[str, Any]:
    name = name.strip()
    if not _NAME.fullmatch(name):
        raise BadInput(f"--name {name!r} is not usable: give the person's name, 1-120 printable characters")
    values = _channels(given)
    if emergency is not None and emergency not in (*CONTACT_FIELDS, *ROBOTS, "none"):
        raise BadInput(f"--emergency {emergency!r}: give one of {', '.join((*CONTACT_FIELDS, *ROBOTS))} (or none)")
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        contract = get_contract(s, contract_id)
        person = s.scalar(select(AuthorizedPerson).where(AuthorizedPerson.customer_id == contract.customer_id,
                                                         AuthorizedPerson.name == name))
        if person is None and not create:
            raise NotFound(f"--name {name!r} is not an authorized person of the customer: add them first "
                           f"(`colo person add {contract.id} --name NAME`)")
        if person is None:
            person = AuthorizedPerson(customer_id=contract.customer_id, name=name, active=True)
            s.add(person)
        person.active = person.active or create
        for channel, value in values.items():
            setattr(person, CONTACT_FIELDS[channel], value)
        if create:
            s.add(ContractEvent(contract_id=contract.id, kind="authorized_person", at=now, actor=ctx.actor,
                                months=0, detail=f"{person.name} may order operations on the customer's equipment"))
        elif values:
            s.add(ContractEvent(contract_id=contract.id, kind="authorized_person", at=now, actor=ctx.actor, months=0,
                                detail=f"{person.name}: {', '.join(values)} changed"))
        s.flush()
        if emergency is not None:
            _designate(s, contract, person, emergency, now, ctx.actor)
            s.flush()
        designated = s.get(EmergencyContact, contract.id)
        return {"customer_id": contract.customer_id, "person": person.id, "name": person.name,
                "emergency": designated.channel if designated and designated.person_id == person.id else None}


def _designate(s: Session, contract: Contract, person: AuthorizedPerson, channel: str, at: datetime,
               actor: str) -> None:
    """One designated person per contract: designating another replaces the one before."""
    current = s.get(EmergencyContact, contract.id)
    if channel == "none":
        if current is None or current.person_id != person.id:
            raise Refused(f"{person.name} is not the designated person for contract {contract.id}'s emergencies")
        s.delete(current)
        detail = f"{person.name} no longer designated: emergencies go to the contract's contact"
    else:
        if channel in ROBOTS:
            _robot_reaches(contract, person, channel)
        elif not getattr(person, CONTACT_FIELDS[channel]):
            option = "--phone" if channel == "office-phone" else f"--{channel}"
            raise BadInput(f"--emergency {channel}: {person.name} has no {channel} on record: give it with {option}")
        if current is not None and (current.person_id, current.channel) == (person.id, channel):
            return
        if current is None:
            s.add(EmergencyContact(contract_id=contract.id, person_id=person.id, channel=channel))
        else:
            current.person_id, current.channel = person.id, channel
        detail = f"emergencies go to {person.name} (designated authorized person) by {channel}"
    s.add(ContractEvent(contract_id=contract.id, kind="emergency_contact_set", at=at, actor=actor, months=0,
                        detail=detail))


def _robot_reaches(contract: Contract, person: AuthorizedPerson, robot: str) -> None:
    """A person is told by group robot through the contract's robot of that kind, @-mentioned by mobile."""
    if contract.notify_channel != robot:
        raise BadInput(f"--emergency {robot}: contract {contract.id} has no {robot} robot to post in: record the "
                       f"customer's group robot first (`colo contract notify {contract.id} --{robot} URL`)")
    if not person.mobile:
        raise BadInput(f"--emergency {robot}: {person.name} has no mobile on record, which the robot @-mentions: "
                       f"give it with --mobile")


def list_persons(ctx: Context, contract_id: str) -> dict[str, Any]:
    """The customer's authorized persons with their channels, and whom this contract's emergencies reach."""
    with ctx.store.session() as s:
        contract = get_contract(s, contract_id)
        designated = s.get(EmergencyContact, contract.id)
        persons = [{"person": p.id, "name": p.name, "active": p.active, "office_phone": p.phone, "mobile": p.mobile,
                    "email": p.email, "fax": p.fax, "pager": p.pager, "webhook": shown("webhook", p.webhook),
                    "emergency": designated.channel if designated and designated.person_id == p.id else None}
                   for p in s.scalars(select(AuthorizedPerson).where(
                       AuthorizedPerson.customer_id == contract.customer_id).order_by(AuthorizedPerson.name))]
        to = emergency_contact(s, contract)
        return {"contract": contract.id, "persons": persons,
                "emergencies_to": {"person": to.person, "channel": to.medium or to.channel,
                                   "to": shown(to.channel, to.to)}}


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
           portal_secret: str | None = None, valid_hours: float = 24.0,
           portal_user: str | None = None) -> dict[str, Any]:
    """Record an authorization, or refuse (and record the refusal).

    A phone caller proves the MRTG login as the portal knows it (SLA §6.6): the user name
    (the login name, or a contract ID of the customer while none is set) and the secret.
    Which half was wrong is not said, and neither the secret nor its guesses are kept.
    """
    if operation not in OPERATIONS:
        raise BadInput(f"--operation {operation!r}: give one of {', '.join(OPERATIONS)}")
    if channel not in ("written", "phone"):
        raise BadInput("give --written (with --ref, the signed document's number) or --phone")
    if channel == "written" and not (ref and _REF.fullmatch(ref)):
        raise BadInput("--written needs --ref DOC-NO: the signed authorization's number (letters, digits, . _ / -)")
    person = one_line("--by", person, "give the authorized person's name", 120)
    if not 0 < valid_hours <= 24 * 7:
        raise BadInput(f"--valid-hours {valid_hours:g} is out of range: give up to 168")
    if channel == "phone":
        portal_user = one_line("--portal-login", portal_user or "", "give the portal user name the caller gave", 64)
    with ctx.store.session() as s:
        contract = _contract(s, contract_id)
        cid, customer = contract.id, contract.customer_id
        who = s.scalar(select(AuthorizedPerson).where(AuthorizedPerson.customer_id == customer,
                                                      AuthorizedPerson.name == person.strip(),
                                                      AuthorizedPerson.active.is_(True)))
        credential = None if portal_user is None else _portal_credential(s, portal_user.strip())
    if who is None:
        raise _refuse(ctx, cid, f"{person!r} is not an authorized person of the customer (`colo person add`)")
    if channel == "phone":
        if credential is None or credential.customer_id != customer:
            _hash(portal_secret or "", _NO_SALT)  # an unknown user name costs what a known one does
            credential = None
        if not _verified(credential, portal_secret):
            raise _refuse(ctx, cid, f"phone authorization by {who.name} refused: the monitoring-portal user name "
                                    f"{portal_user!r} and credential were not verified")
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
                            + (f" (document {ref})" if ref else f" (portal user {portal_user} verified; "
                                                                   f"written form to follow)")))
        if channel == "written":  # the written form came with it: its §6.6 clock is met at once
            s.add(ContractEvent(contract_id=cid, kind="authorization_written", at=now, actor=ctx.actor, months=0,
                                ref=str(auth.id), detail=f"written form {ref} came with the authorization"))
        return {"authorization": auth.id, "contract": cid, "by": who.name, "channel": channel,
                "operation": operation, "valid_until": iso(auth.valid_until, site),
                "feedback_due": iso(now + timedelta(minutes=30), site),
                "written_form": "received" if channel == "written" else "to follow",
                "written_form_due": None if channel == "written" else iso(_due("auth-written", now, site), site)}


def _due(clock: str, start: datetime, site: SiteInfo) -> datetime:
    """The deadline the clock rule `clock` sets for something that happened at `start`."""
    rule = next(r for r in RULES if r.key == clock)
    event = Event(rule.starts_on, start.astimezone(site.tz))
    return rule.deadline(event, ContractFacts("", 0, (event,)), site.calendar)


def written(ctx: Context, auth_id: int, ref: str) -> dict[str, Any]:
    """The written form of a phone authorization arrived (SLA §6.6); it stops that clock, once."""
    if not _REF.fullmatch(ref):
        raise BadInput(f"--ref {ref[:64]!r}: give the written form's document number (1-64 letters, digits, . _ / -)")
    with ctx.store.session() as s:
        site = load_site(s)
        auth = _auth(s, auth_id)
        if auth.written_at is not None:
            raise Refused(f"authorization #{auth.id}: its written form {auth.ref} is already on file "
                          f"(since {iso(auth.written_at, site)})")
        not_before(ctx.now(site), auth.received_at, "--at", "its written form", f"authorization #{auth.id}")
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


def report(ctx: Context, auth_id: int, ref: str) -> dict[str, Any]:
    """The written report on an authorized operation went to the customer (SLA §7.2); it stops that clock, once."""
    if not _REF.fullmatch(ref):
        raise BadInput(f"--ref {ref[:64]!r}: give the written report's document number (1-64 letters, digits, "
                       f". _ / -)")
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        auth = _auth(s, auth_id)
        if auth.used_at is None:
            raise Refused(f"authorization #{auth.id} has not been used for an operation yet: there is nothing to "
                          f"report on")
        if auth.reported_at is not None:
            raise Refused(f"authorization #{auth.id}: the operation was already reported in {auth.report_ref} "
                          f"at {iso(auth.reported_at, site)}")
        not_before(now, auth.used_at, "--at", "the written report", f"the operation on authorization #{auth.id}")
        auth.reported_at, auth.report_ref = now, ref
        s.add(ContractEvent(contract_id=auth.contract_id, kind="operation_reported", at=now, actor=ctx.actor,
                            months=0, ref=str(auth.id), detail=f"written report {ref} on the {auth.operation} "
                                                               f"of authorization #{auth.id}"))
        return {"authorization": auth.id, "contract": auth.contract_id, "report_ref": ref,
                "reported_at": iso(now, site), "report_due": iso(_due("operation-report", auth.used_at, site), site)}


def _auth(s: Session, auth_id: int) -> Authorization:
    auth = s.get(Authorization, auth_id)
    if auth is None:
        raise NotFound(f"authorization #{auth_id} does not exist")
    return own(s, auth, "authorization")


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
               f"(`colo authorization record {cid} --by NAME --operation {operation} --written --ref DOC`)")
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
            "report_due": iso(_due("operation-report", now, site), site),
            "next": f"record feedback with `colo authorization feedback AU{auth_id}` (30 minutes), then send the customer "
                    f"the written report and record it with `colo authorization report AU{auth_id} --ref DOC`"}


def _outlet_cycle(ctx: Context, place: dict[str, Any]) -> str:
    from provision.services.provisioning import devices

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
    from provision.services.provisioning import devices

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


def authorizations(ctx: Context, contract_id: str | None = None, open_only: bool = False) -> list[dict[str, Any]]:
    """This site's authorizations received by 'now', oldest first; `open_only`: still usable, or a written form or
    report owed."""
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        query = select(Authorization, AuthorizedPerson.name).join(AuthorizedPerson).where(
            Authorization.received_at <= now, of_site(s, Authorization.contract_id, contract_id)
        ).order_by(Authorization.received_at, Authorization.id)
        rows = [_authorization_view(auth, name, site, now) for auth, name in s.execute(query)]
    return [r for r in rows if r["status"] == "usable" or r["owed"]] if open_only else rows


def authorization(ctx: Context, text: str | int) -> dict[str, Any]:
    """One authorization (AU5 or 5): who gave it, for what, and what of its paperwork is still owed."""
    with ctx.store.session() as s:
        site = load_site(s)
        auth = scoped(s, Authorization, "authorization", text)
        person = s.get(AuthorizedPerson, auth.person_id)
        return _authorization_view(auth, person.name if person else "?", site, ctx.now(site))


def _authorization_view(a: Authorization, person: str, site: SiteInfo, now: datetime) -> dict[str, Any]:
    def seen(t: datetime | None) -> datetime | None:  # a what-if --at before a step hides that step
        return t if t is not None and t <= now else None

    used, written, reported = seen(a.used_at), seen(a.written_at), seen(a.reported_at)
    owed = ([f"written form by {iso(_due('auth-written', a.received_at, site), site)} (SLA §6.6)"]
            if written is None else []) + \
           ([f"written report by {iso(_due('operation-report', used, site), site)} (SLA §7.2)"]
            if used is not None and reported is None else [])
    return {"authorization": a.id, "contract": a.contract_id, "by": person, "channel": a.channel,
            "operation": a.operation, "received_at": iso(a.received_at, site), "valid_until": iso(a.valid_until, site),
            "status": "used" if used else "usable" if a.valid_until > now else "expired",
            "written_form": a.ref if written else None, "written_at": iso(written, site), "used_at": iso(used, site),
            "report_ref": a.report_ref if reported else None, "reported_at": iso(reported, site), "owed": owed,
            "recorded_by": a.recorded_by}


def person(ctx: Context, contract_id: str, name: str) -> dict[str, Any]:
    """One authorized person of a contract's customer, by name, as `person list` shows them."""
    listed = list_persons(ctx, contract_id)
    for p in listed["persons"]:
        if p["name"].casefold() == " ".join(name.split()).casefold():
            return p | {"contract": listed["contract"]}
    raise NotFound(f"{name!r} is not an authorized person of {listed['contract']}'s customer: "
                   f"see `colo person list {listed['contract']}`")
