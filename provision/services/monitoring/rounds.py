"""`colo monitor tick|run`: one probe round over every active contract, and what follows from it.

A round reads what to watch in one short transaction, probes with no transaction
open (pings, PDU polls and service checks can take seconds and must not hold the
store), then writes every watch's new streak, each declared emergency with its
outage, and each recovery in one transaction. Notifications go out last and are
retried every round until one is accepted: the time of acceptance is `notified_at`,
what the 15-minute report guarantee is measured against. They go to the contract's
designated authorized person by the channel that person chose (SLA §4.2), else to the
contract's contact; an address the next hop refuses for good waives the 15 minutes
(§4.7), as does force majeure classified by a person. A network or power emergency is a
fault the provider found: it opens a fault ticket (§5.6, §6.3), which the notification
answers and the recovery resolves.
"""

from __future__ import annotations

import logging
import signal
import socket
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from provision import progress
from provision.domain import refs
from provision.domain.bounds import one_line
from provision.domain.monitoring import PERIOD, Feed, Step, Watch, has_power, reaches_network, step
from provision.errors import BadInput, DeviceError, Refused
from provision.monitor.icmp import open_pinger
from provision.monitor.notify import CHANNELS, Mailer, RecipientRefused, send, shown
from provision.monitor.services import ServiceCheck, run_checks
from provision.services.context import Context, SiteInfo, load_site, lock_site
from provision.services.contracts import iso
from provision.services.monitoring import lease, tickets, traffic
from provision.services.monitoring.contacts import Recipient, emergency_contact
from provision.services.monitoring.sla import WAIVERS
from provision.services.provisioning import devices
from provision.services.provisioning.devices import PduInfo
from provision.services.site_scope import of_site, own, scoped
from provision.store.schema import (
    Address,
    Contract,
    ContractEvent,
    Emergency,
    MonitorRound,
    MonitorWatch,
    OutageRecord,
    Outlet,
    Pdu,
    Placement,
    Rack,
    ServiceCheckRow,
    Unit,
)

SLA_KINDS = ("network", "power")  # the checks whose outages the availability guarantee counts
TASKS = ("phone", "fax", "pager")  # channels a technician works by hand, then logs (`colo emergency notified`)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MonitorOptions:
    icmp: str = "auto"          # auto | unprivileged | privileged
    ping_timeout: float = 1.0   # per attempt
    ping_attempts: int = 2
    check_timeout: float = 5.0
    mailer: Mailer | None = None
    min_gap: float = PERIOD.total_seconds() / 2  # rounds closer than this are a second monitor, not a round
    lease_owner: str | None = None  # `monitor run`: who this monitor is in the site's lease; None: a one-off tick
    lease_seconds: float = 2 * PERIOD.total_seconds()  # how long a round owner's claim lasts unless renewed


@dataclass(frozen=True)
class Target:
    contract_id: str
    check: str    # network | power | www | email | ftp
    target: str   # an address, "A01 U12", a URL, host:port
    feeds: tuple[tuple[str, int, str], ...] = ()  # power: (pdu, outlet, mains|ups)
    placement: int | None = None  # network and power: the server they belong to


@dataclass
class Findings:
    """What the probes saw: per target, True / False / None (could not tell), and why it failed."""

    ok: dict[Target, bool | None] = field(default_factory=dict)
    why: dict[Target, str] = field(default_factory=dict)
    icmp_mode: str = ""
    notes: list[str] = field(default_factory=list)
    unread_pdus: list[str] = field(default_factory=list)  # PDUs polled for outlet states that gave none


def _targets(s: Session, site_id: int) -> tuple[list[Target], dict[str, PduInfo]]:
    active = (Contract.state == "active") & (Contract.site_id == site_id)  # this site's contracts only
    out = [Target(c, "network", ip, placement=p) for c, p, ip in s.execute(
        select(Placement.contract_id, Placement.id, Address.ip).join(Address, Address.placement_id == Placement.id)
        .join(Contract, Contract.id == Placement.contract_id)
        .where(active, Placement.released_at.is_(None)).order_by(Placement.contract_id, Address.ip_int))]
    outlet = {o.id: (pdu, o.number) for o, pdu in s.execute(select(Outlet, Pdu.name).join(Pdu, Pdu.id == Outlet.pdu_id))}
    units: dict[tuple[str, int], list[tuple[str, Unit]]] = defaultdict(list)
    for contract_id, placement_id, rack, unit in s.execute(
            select(Placement.contract_id, Placement.id, Rack.name, Unit).join(Unit, Unit.placement_id == Placement.id)
            .join(Rack, Rack.id == Unit.rack_id).join(Contract, Contract.id == Placement.contract_id)
            .where(active, Placement.released_at.is_(None)).order_by(Placement.id, Unit.u)):
        units[(contract_id, placement_id)].append((rack, unit))
    for (contract_id, placement_id), placed in units.items():
        feeds = tuple((*outlet[oid], kind) for _, u in placed
                      for oid, kind in ((u.outlet_id, "mains"), (u.ups_outlet_id, "ups")) if oid is not None)
        label = f"{placed[0][0]} U{placed[0][1].u}" + (f"-U{placed[-1][1].u}" if len(placed) > 1 else "")
        out.append(Target(contract_id, "power", label, feeds, placement_id))
    out += [Target(c.contract_id, c.kind, c.target) for c in s.scalars(
        select(ServiceCheckRow).join(Contract, Contract.id == ServiceCheckRow.contract_id).where(active)
        .order_by(ServiceCheckRow.id))]
    names = sorted({pdu for t in out for pdu, _, _ in t.feeds})
    return out, devices.pdus(s, names)  # where a what-if round is refused, before any probe


def probe(targets: list[Target], pdus: dict[str, PduInfo], options: MonitorOptions) -> Findings:
    """Every probe of the round: no store access here."""
    found = Findings()
    network = [t for t in targets if t.check == "network"]
    with open_pinger(options.icmp) as pinger:
        found.icmp_mode = pinger.mode
        if pinger.note:
            found.notes.append(pinger.note)
        rtt = pinger.round([t.target for t in network], options.ping_timeout, options.ping_attempts)
    answering = {t.placement for t in network if rtt[t.target] is not None}
    progress.step(f"pinged {len(network)} address(es): {sum(1 for t in network if rtt[t.target] is not None)} answered")
    power = [t for t in targets if t.check == "power"]
    _power(found, power, pdus, answering)
    unpowered = {t.placement for t in power if found.ok[t] is False}
    for t in network:
        found.ok[t] = reaches_network(rtt[t.target] is not None, t.placement not in unpowered)
        if found.ok[t] is False:
            found.why[t] = f"no ping reply from {t.target} ({options.ping_attempts} tries)"
        elif found.ok[t] is None:
            found.notes.append(f"{t.target} ({t.contract_id}): no ping reply while its server has no power; "
                               f"counted as the power outage")
    services = [t for t in targets if t.check not in ("network", "power")]
    for t, problem in zip(services, run_checks([ServiceCheck(t.check, t.target) for t in services],
                                               options.check_timeout), strict=True):
        found.ok[t] = problem is None
        if problem:
            found.why[t] = f"{t.check} {t.target}: {problem}"
        progress.step(f"{t.contract_id} {t.check} {t.target}: {'ok' if problem is None else 'FAILING'}")
    return found


def _power(found: Findings, targets: list[Target], pdus: dict[str, PduInfo], answering: set[int | None]) -> None:
    """Each placement's power from its outlets; `answering` holds the placements whose servers answered ping."""
    from provision.drivers.pdu import poll_outlet_states

    wanted: dict[str, set[int]] = defaultdict(set)
    for t in targets:
        for pdu, number, _ in t.feeds:
            wanted[pdu].add(number)
    drivers = []
    for name, numbers in sorted(wanted.items()):
        try:
            drivers.append((pdus[name].driver(), sorted(numbers)))
        except BadInput as exc:  # a PDU whose secret is missing: say so, don't guess its outlets
            found.notes.append(f"{name}: {exc}")
            found.unread_pdus.append(name)
    states = poll_outlet_states(drivers) if drivers else {}
    answered = [n for n, v in states.items() if not isinstance(v, DeviceError)]
    for name, value in states.items():
        if isinstance(value, DeviceError):
            found.notes.append(f"{name} did not answer: {value}")
            found.unread_pdus.append(name)
    for t in targets:
        feeds = [Feed(kind, None if isinstance(states.get(pdu), DeviceError) or pdu not in states
                      else states[pdu].get(number))  # type: ignore[union-attr]
                 for pdu, number, kind in t.feeds]
        readings = ", ".join(f"{kind} {pdu}:{n} {'off' if f.on is False else 'silent'}"
                             for (pdu, n, kind), f in zip(t.feeds, feeds, strict=True))
        found.ok[t] = has_power(feeds, bool(answered), t.placement in answering)
        if found.ok[t] is False:
            found.why[t] = f"no power at {t.target}: {readings}"
        elif found.ok[t] and feeds and not any(f.on for f in feeds):
            found.notes.append(f"{t.target} ({t.contract_id}): the server answers ping but no feed reads on "
                               f"({readings}); check the PDU's management network and the outlet mapping")


def tick(ctx: Context, options: MonitorOptions) -> dict[str, Any]:
    """One round: probe, record, declare or end emergencies, notify."""
    started = time.perf_counter()
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        lease.require(s, site, now, options.lease_owner, options.lease_seconds)
        _one_round_at_a_time(s, site, now, options.min_gap)
        targets, pdus = _targets(s, site.id)
    found = probe(targets, pdus, options)
    with ctx.store.session() as s:
        lock_site(s)  # a concurrent round of this site waits here
        # a monitor that lost its lease mid-round records nothing
        lease.require(s, site, now, options.lease_owner, options.lease_seconds)
        _one_round_at_a_time(s, site, now, options.min_gap)
        declared, recovered = _record(s, site, now, targets, found, ctx.actor)
        failing = sum(1 for v in found.ok.values() if v is False)
        s.add(MonitorRound(site_id=site.id, at=now, seconds=round(time.perf_counter() - started, 3), icmp_mode=found.icmp_mode,
                           watched=len(targets), failing=failing, declared=len(declared), recovered=len(recovered),
                           note="; ".join(found.notes)[:2000]))
    notified = notify_pending(ctx, options.mailer)
    polled = traffic.poll(ctx)  # the traffic statistics' 5-minute reading rides on the same round
    return {"at": iso(now, site), "icmp": found.icmp_mode, "notes": found.notes, "watched": len(targets),
            "probed": dict(Counter(t.check for t in targets)), "unread_pdus": sorted(found.unread_pdus),
            **_standing(ctx, site),
            "traffic": {k: polled[k] for k in ("ports", "rates", "failed")},
            "failing": [{"contract": t.contract_id, "check": t.check, "target": t.target, "why": found.why.get(t, "")}
                        for t, ok in found.ok.items() if ok is False],
            "declared": declared, "recovered": recovered, "notifications": notified,
            "seconds": round(time.perf_counter() - started, 3)}


def _one_round_at_a_time(s: Session, site: SiteInfo, now: datetime, min_gap: float) -> None:
    """Two monitors (a cron tick beside the service, say) would count one outage's round twice
    and declare an emergency after five minutes' silence instead of ten."""
    last = s.scalar(select(func.max(MonitorRound.at)).where(MonitorRound.site_id == site.id))
    if last is not None and now < last.astimezone(site.tz) + timedelta(seconds=min_gap):
        raise Refused(f"the last monitor round ran at {iso(last.astimezone(site.tz), site)}; rounds are "
                      f"{PERIOD.total_seconds() / 60:g} minutes apart: is another monitor running? (`colo monitor "
                      f"run` and a cron `colo monitor tick` must not both run)")


def _standing(ctx: Context, site: SiteInfo) -> dict[str, Any]:
    """What stands after the round: emergencies not yet ended, per check, and the oldest one whose customer was
    neither told nor waived — what an alert on the 15-minute report watches between rounds."""
    with ctx.store.session() as s:
        mine = Emergency.contract_id.in_(select(Contract.id).where(Contract.site_id == site.id))
        ongoing = dict(s.execute(select(Emergency.kind, func.count()).where(Emergency.ended_at.is_(None), mine)
                                 .group_by(Emergency.kind)).all())
        count, oldest = s.execute(select(func.count(), func.min(Emergency.declared_at))
                                  .where(Emergency.notified_at.is_(None), Emergency.waived.is_(None), mine)).one()
    return {"open_emergencies": ongoing,
            "unnotified": {"count": count, "oldest_declared_at": iso(oldest.astimezone(site.tz), site) if oldest else None}}


def _record(s: Session, site: SiteInfo, now: datetime, targets: list[Target], found: Findings,
            actor: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rows = {(w.contract_id, w.check, w.target): w for w in s.scalars(
        select(MonitorWatch).join(Contract, Contract.id == MonitorWatch.contract_id).where(Contract.site_id == site.id))}
    declared: list[dict[str, Any]] = []
    recovered: list[dict[str, Any]] = []
    for t in targets:
        row = rows.pop((t.contract_id, t.check, t.target), None)
        if row is None:
            row = MonitorWatch(contract_id=t.contract_id, check=t.check, target=t.target, failures=0)
            s.add(row)
        watch = Watch(row.failures, row.first_failed_at.astimezone(site.tz) if row.first_failed_at else None,
                      row.emergency_id is not None)
        new, what = step(watch, found.ok.get(t), now)
        row.failures, row.first_failed_at = new.failures, new.first_failed_at
        if found.ok.get(t) is not None:  # an undecided round keeps the last known error
            row.last_error = found.why.get(t)
        if what is Step.DECLARE:
            assert new.first_failed_at is not None
            row.emergency_id = _declare(s, t, new.first_failed_at, now, found.why.get(t, ""), actor)
            declared.append({"contract": t.contract_id, "check": t.check, "target": t.target,
                             "emergency": row.emergency_id, "since": iso(new.first_failed_at, site)})
        elif what is Step.RECOVER:
            recovered.append(_recover(s, site, row, now, "recovered"))
    for gone in rows.values():  # no longer watched: contract suspended or ended, address released, check removed
        if gone.emergency_id is not None:
            recovered.append(_recover(s, site, gone, now, "no longer watched"))
        s.delete(gone)
    return declared, recovered


def _declare(s: Session, t: Target, since: datetime, now: datetime, why: str, actor: str) -> int:
    contract = s.get(Contract, t.contract_id)
    assert contract is not None
    channel = emergency_contact(s, contract).channel
    outage_id = None
    if t.check in SLA_KINDS:
        outage = OutageRecord(contract_id=t.contract_id, kind=t.check, start=since, end=None,
                              cause=f"monitor: {why}"[:200], recorded_by=actor)
        s.add(outage)
        s.flush()
        outage_id = outage.id
        s.add(ContractEvent(contract_id=t.contract_id, kind="outage", at=since, actor=actor, months=0,
                            ref=str(outage.id), detail=f"{t.check}: {why}"))
    emergency = Emergency(contract_id=t.contract_id, declared_at=now, channel=channel, recorded_by=actor,
                          kind=t.check, target=t.target, outage_id=outage_id)
    s.add(emergency)
    s.flush()
    s.add(ContractEvent(contract_id=t.contract_id, kind="emergency", at=now, actor=actor, months=0,
                        ref=str(emergency.id), detail=f"emergency declared: {why}"))
    if t.check in SLA_KINDS:  # the provider's network or power: a fault it found (www/email/ftp are the customer's)
        tickets.open_provider_ticket(s, emergency, f"monitor: {t.check} {t.target}: {why}", actor)
    return emergency.id


def _recover(s: Session, site: SiteInfo, row: MonitorWatch, now: datetime, how: str) -> dict[str, Any]:
    emergency = s.get(Emergency, row.emergency_id)
    assert emergency is not None
    emergency.ended_at = now
    if emergency.outage_id is not None:
        outage = s.get(OutageRecord, emergency.outage_id)
        assert outage is not None
        outage.end = now
    s.add(ContractEvent(contract_id=row.contract_id, kind="emergency_ended", at=now, actor="monitor", months=0,
                        ref=str(emergency.id), detail=f"{row.check} {row.target}: {how}"))
    row.emergency_id = None
    resolved = None
    if how == "recovered":  # not when the contract merely left the watch (suspended, ended): that fixes nothing
        resolved = tickets.service_back(s, emergency.id, now, f"the monitor saw {row.check} {row.target} answer again",
                                        "monitor")
    return {"contract": row.contract_id, "check": row.check, "target": row.target, "emergency": emergency.id,
            "ended": iso(now, site), "how": how, "ticket_resolved": resolved}


# Notifications delivered at once. A site-wide outage (a core switch, a feed) declares an
# emergency for every contract in one round, and each must reach its customer within 15
# minutes: one after another through a relay that answers MAIL, RCPT and DATA after 50 ms
# each, 10,000 take 27 minutes; 16 at a time, 2 (bench/notify_burst.py).
NOTIFY_IN_FLIGHT = 16


def notify_pending(ctx: Context, mailer: Mailer | None,
                   in_flight: int = NOTIFY_IN_FLIGHT) -> list[dict[str, Any]]:
    """Send every emergency notification not yet accepted; phone ones are listed for a technician.

    Deliveries run `in_flight` at a time; each outcome is written in its own transaction
    as it arrives, so a crash re-sends at most the deliveries then in flight.
    """
    with ctx.store.session() as s:
        site = load_site(s)
        jobs = []
        for e, contract in s.execute(select(Emergency, Contract).join(Contract, Contract.id == Emergency.contract_id)
                                     .where(Emergency.notified_at.is_(None), Emergency.channel.is_not(None),
                                            Contract.site_id == site.id)
                                     .order_by(Emergency.id)):
            to = emergency_contact(s, contract)  # the contact as it is now, not as it was declared
            event = {"event": "emergency", "emergency": e.id, "contract": contract.id, "check": e.kind,
                     "target": e.target, "declared_at": iso(e.declared_at.astimezone(site.tz), site),
                     "ended_at": iso(e.ended_at.astimezone(site.tz), site) if e.ended_at else None,
                     "person": to.person}
            jobs.append((event, to))
    out = []
    with ThreadPoolExecutor(max(1, min(in_flight, len(jobs))), thread_name_prefix="notify") as pool:
        running = {pool.submit(_deliver, to, mailer, event): (event, to) for event, to in jobs}
        for done in as_completed(running):
            event, to = running[done]
            error = done.result()
            with ctx.store.session() as s:
                row = s.get(Emergency, event["emergency"])
                assert row is not None
                row.contact_person = to.person
                if error is None:
                    row.notified_at, row.channel, row.notify_error = ctx.now(site), to.channel, None
                    s.add(ContractEvent(contract_id=row.contract_id, kind="emergency_reported", at=row.notified_at,
                                        actor=ctx.actor, months=0, ref=str(row.id),
                                        detail=f"customer notified by {to.channel}"
                                        + (f" ({to.person}, designated authorized person)" if to.person else "")))
                    tickets.customer_told(s, row.id, row.notified_at, ctx.actor, to.channel)
                else:
                    row.notify_error = error[:300]
                    if isinstance(error, RecipientRefused) and row.waived is None:
                        _waive(s, row, "contact-invalid", ctx.now(site), "monitor", error)
                waived = row.waived
                delay = (row.notified_at - row.declared_at).total_seconds() if error is None else None
            out.append({"emergency": event["emergency"], "contract": event["contract"], "channel": to.channel,
                        "to": shown(to.channel, to.to), "person": to.person, "sent": error is None, "error": error,
                        "waived": waived, "delay_seconds": delay})
    return sorted(out, key=lambda n: n["emergency"])


def _deliver(to: Recipient, mailer: Mailer | None, event: dict[str, Any]) -> str | None:
    """None when the next hop accepted the notification, else why not (kept, and retried next round)."""
    if to.to is None:
        return "no contact on record: set one with `colo contract notify`"
    whose = f" ({to.medium} of {to.person}, designated authorized person)" if to.person else ""
    if to.channel in TASKS:
        verb = {"phone": "call", "fax": "fax", "pager": "page"}[to.channel]
        return f"{verb} {to.to}{whose}, then log it: colo emergency notified {event['emergency']} --by {to.channel}"
    subject = f"Emergency on contract {event['contract']}: {event['check']} {event['target']}"
    body = "\n".join(([f"For {to.person}, designated authorized person for emergencies.", ""] if to.person else [])
                     + [f"The monitoring of contract {event['contract']} declared an emergency at "
                        f"{event['declared_at']}:",
                        f"{event['check']} check of {event['target']} failed two rounds in a row.",
                        f"Ended: {event['ended_at']}" if event["ended_at"] else "It is still in progress.",
                        "", "Reply to this message or call the NOC for details."])
    return send(to.channel, to.to, mailer, subject, body, event, to.mention)


def _waive(s: Session, row: Emergency, reason: str, at: datetime, by: str, why: str) -> None:
    row.waived, row.waived_by, row.waived_at = reason, by, at
    s.add(ContractEvent(contract_id=row.contract_id, kind="emergency_waived", at=at, actor=by, months=0,
                        ref=str(row.id), detail=f"15-minute report waived (SLA §4.7): {WAIVERS[reason].value}; {why}"))


def waive(ctx: Context, emergency_id: int, reason: str, note: str | None = None) -> dict[str, Any]:
    """A person classifies an emergency's report as waived (SLA §4.7): the contact on record was out of date or
    wrong (a number no longer in service), or force majeure kept the report from being made."""
    if reason not in WAIVERS:
        raise BadInput(f"--reason {reason!r}: give one of {', '.join(WAIVERS)}")
    why = one_line("--note", note, "say what happened", 200) if note is not None else "classified by hand"
    with ctx.store.session() as s:
        site = load_site(s)
        row = _emergency(s, emergency_id)
        if row.waived is not None:
            raise Refused(f"emergency {emergency_id} was already classified {row.waived} by {row.waived_by} at "
                          f"{iso(row.waived_at.astimezone(site.tz) if row.waived_at else None, site)}")
        at = ctx.now(site)
        if at < row.declared_at:
            raise BadInput(f"--at {iso(at, site)} is before the emergency was declared "
                           f"({iso(row.declared_at.astimezone(site.tz), site)})")
        _waive(s, row, reason, at, ctx.actor, why)
        return {"emergency": row.id, "contract": row.contract_id, "waived": reason, "because": WAIVERS[reason].value,
                "classified_by": ctx.actor, "at": iso(at, site)}


def _emergency(s: Session, emergency_id: int) -> Emergency:
    row = s.get(Emergency, emergency_id)
    if row is None:
        raise BadInput(f"emergency {emergency_id} does not exist: see `colo emergency list`")
    return own(s, row, "emergency")


def mark_notified(ctx: Context, emergency_id: int, channel: str) -> dict[str, Any]:
    """A technician's log of a notification made by hand (a phone call), at now or --at."""
    if channel not in (*TASKS, *CHANNELS):
        raise BadInput(f"--by {channel!r}: give one of {', '.join(dict.fromkeys((*TASKS, *CHANNELS)))}")
    with ctx.store.session() as s:
        site = load_site(s)
        row = _emergency(s, emergency_id)
        if row.notified_at is not None:
            raise Refused(f"emergency {emergency_id} was already notified at {iso(row.notified_at.astimezone(site.tz), site)}")
        at = ctx.now(site)
        if at < row.declared_at:
            raise BadInput(f"--at {iso(at, site)} is before the emergency was declared "
                           f"({iso(row.declared_at.astimezone(site.tz), site)})")
        row.notified_at, row.channel, row.notify_error = at, channel, None
        s.add(ContractEvent(contract_id=row.contract_id, kind="emergency_reported", at=at, actor=ctx.actor, months=0,
                            ref=str(row.id), detail=f"customer notified by {channel} (logged by {ctx.actor})"))
        tickets.customer_told(s, row.id, at, ctx.actor, channel)
        late = (at - row.declared_at).total_seconds() > 15 * 60
        return {"emergency": row.id, "contract": row.contract_id, "notified_at": iso(at, site), "late": late}


def incidents(ctx: Context, open_only: bool, contract_id: str | None = None) -> list[dict[str, Any]]:
    """This site's emergencies (`contract_id`'s only, when given), oldest first."""
    with ctx.store.session() as s:
        site = load_site(s)
        query = select(Emergency).where(of_site(s, Emergency.contract_id, contract_id)).order_by(Emergency.id)
        if open_only:
            query = query.where((Emergency.ended_at.is_(None)) | (Emergency.notified_at.is_(None)))

        def at(t: datetime | None) -> str | None:
            return iso(t.astimezone(site.tz), site) if t else None

        return [{"emergency": e.id, "contract": e.contract_id, "check": e.kind, "target": e.target,
                 "declared_at": at(e.declared_at), "ended_at": at(e.ended_at), "notified_at": at(e.notified_at),
                 "channel": e.channel, "person": e.contact_person, "pending": e.notify_error, "waived": e.waived,
                 "waived_by": e.waived_by} for e in s.scalars(query)]


class Stop(Protocol):
    """What ends `run`: asked between rounds, and waited on instead of sleeping (threading.Event fits)."""

    def is_set(self) -> bool: ...

    def wait(self, timeout: float) -> bool: ...


class SignalStop:
    """Set by a signal (SIGTERM: systemd's stop); a context manager that restores what it replaced.

    The handler only raises a flag, so the round in progress carries on and is recorded; a
    round lost to the stop would lose its observations and restart the two-round emergency
    count. The wait between rounds reads a socket the signal itself writes to
    (signal.set_wakeup_fd), so a stop then ends it at once: a flag checked after
    time.sleep() would wait out the period, and threading.Event.set() in a handler can
    deadlock against the main thread's own Event.wait().
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self._requested = False
        self._wake, self._ring = socket.socketpair()
        self._previous: tuple[Any, int] | None = None

    def __enter__(self) -> SignalStop:
        self._ring.setblocking(False)
        self._previous = (signal.signal(self.signum, self._handle), signal.set_wakeup_fd(self._ring.fileno()))
        return self

    def __exit__(self, *_: object) -> None:
        assert self._previous is not None
        handler, fd = self._previous
        signal.set_wakeup_fd(fd)
        signal.signal(self.signum, handler)
        self._wake.close()
        self._ring.close()

    def _handle(self, *_: object) -> None:
        self._requested = True

    def is_set(self) -> bool:
        return self._requested

    def wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not self._requested and (left := deadline - time.monotonic()) > 0:
            self._wake.settimeout(left)
            with suppress(TimeoutError):
                self._wake.recv(512)  # every handled signal rings; only ours sets the flag
        return self._requested


def run(ctx_factory: Callable[[], Context], options: MonitorOptions, period: float,
        rounds: int | None = None, stop: Stop | None = None) -> Iterator[dict[str, Any]]:
    """Rounds every `period` seconds, on the period's boundaries, until `stop` is set (or `rounds` are done).

    A failed round (store unreachable, say) is reported and the next one still runs:
    a monitor that dies on one bad round watches nothing at 3 a.m. `stop` is looked at
    between rounds only: the round it interrupts is finished and recorded first.
    """
    options = replace(options, min_gap=period / 4,  # rounds start at least period/2 apart, see below
                      lease_owner=options.lease_owner or lease.this_monitor())
    if options.lease_seconds <= period:
        raise BadInput(f"--lease {options.lease_seconds:g}: give more seconds than --period {period:g}, or the "
                       f"lease lapses between this monitor's own rounds")
    stop = threading.Event() if stop is None else stop
    done = 0
    standing_by = False
    while (rounds is None or done < rounds) and not stop.is_set():
        started = time.time()
        try:
            ctx = ctx_factory()
            lapses_in = lease.take(ctx, options.lease_owner, options.lease_seconds)  # type: ignore[arg-type]
            if lapses_in is not None:  # another monitor runs this site's rounds: wait for its lease to lapse
                if not standing_by:
                    log.info("standing by: another monitor holds the site's rounds", extra={"event": "standby"})
                standing_by = True
                stop.wait(min(period, lapses_in + 0.2))
                continue
            standing_by = False
            result = tick(ctx, options)
        except lease.LeaseLost as exc:
            log.warning("%s", exc, extra={"event": "lease_lost"})
            continue
        except (BadInput, Refused):
            raise
        except Exception as exc:  # the loop must outlive one bad round
            log.error("round failed: %s: %s", exc.__class__.__name__, exc, exc_info=log.isEnabledFor(logging.DEBUG),
                      extra={"event": "round_failed"})
            yield {"error": f"round failed: {exc.__class__.__name__}: {exc}"}
        else:
            _log_round(result)
            yield result
        done += 1
        if rounds is None or done < rounds:
            earliest = started + period / 2  # the next boundary, but never a half-period after this round
            stop.wait(max(0.0, earliest + (period - earliest % period) - time.time()))


def _log_round(r: dict[str, Any]) -> None:
    """The round's events for the service's log (journald under systemd): the summary at info, what needs a person
    — an emergency declared, a customer not told — at warning."""
    log.info("round %s: %d watched, %d failing, %d declared, %d recovered in %.2fs", r["at"], r["watched"],
             len(r["failing"]), len(r["declared"]), len(r["recovered"]), r["seconds"],
             extra={"event": "round", "watched": r["watched"], "failing": len(r["failing"]), "seconds": r["seconds"]})
    for e in r["declared"]:
        log.warning("emergency %s declared: %s %s %s down since %s", refs.ref("emergency", e["emergency"]),
                    e["contract"], e["check"], e["target"], e["since"], extra={"event": "emergency_declared", **e})
    for e in r["recovered"]:
        log.info("emergency %s ended: %s %s %s %s", refs.ref("emergency", e["emergency"]), e["contract"], e["check"],
                 e["target"], e["how"], extra={"event": "emergency_ended", "emergency": e["emergency"]})
    for n in r["notifications"]:
        if not n["sent"]:
            log.warning("emergency %s not notified by %s: %s", refs.ref("emergency", n["emergency"]), n["channel"],
                        n["error"], extra={"event": "notification_failed", "emergency": n["emergency"],
                                           "contract": n["contract"], "channel": n["channel"]})


def emergency(ctx: Context, text: str | int) -> dict[str, Any]:
    """One emergency (E5 or 5) exactly as `emergency list` shows it; another site's is named with its `--site`."""
    with ctx.store.session() as s:
        scoped(s, Emergency, "emergency", text)
    return refs.pick(incidents(ctx, False), "emergency", text)
