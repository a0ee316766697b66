"""Traffic statistics: poll every provisioned port's IF-MIB counters, keep MRTG's tiers, show a contract's month.

A poll reads the targets in one short transaction, asks every switch at once over
SNMP with the store closed, then writes rates and consolidated points in one
transaction. Traffic belongs to the contract that held the port when it flowed: a
rate is only drawn between two readings taken for the same contract, and points are
keyed by contract.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from provision.domain.portconfig import port_speed_mbps
from provision.domain.sla import month_window
from provision.domain.traffic import (
    PERIOD,
    TIERS,
    MonthFigures,
    Point,
    Rate,
    Reading,
    consolidate,
    merge,
    month_figures,
    rate,
)
from provision.drivers.ifmib import Counters, counters_async
from provision.drivers.snmp import run
from provision.errors import BadInput, DeviceError
from provision.services.context import Context, SiteInfo, load_site
from provision.services.contracts import get_contract
from provision.services.provisioning import devices
from provision.store.schema import (
    Contract,
    Customer,
    Placement,
    Port,
    Switch,
    TrafficMonth,
    TrafficPoint,
    TrafficPort,
)

POLLED_STATES = ("provisioned", "active", "suspended")
GRAPHS = {"day": ("5m", timedelta(days=1)), "week": ("30m", timedelta(days=7)),
          "month": ("2h", timedelta(days=31)), "year": ("1d", timedelta(days=365))}


@dataclass(frozen=True)
class Target:
    port_id: int
    switch: str
    interface: str
    contract: str


def _targets(s: Session, site_id: int) -> list[Target]:
    rows = s.execute(select(Port.id, Switch.name, Port.name, Placement.contract_id)
                     .join(Switch, Switch.id == Port.switch_id)
                     .join(Placement, Placement.id == Port.placement_id)
                     .join(Contract, Contract.id == Placement.contract_id)
                     .where(Contract.state.in_(POLLED_STATES), Switch.site_id == site_id)
                     .order_by(Switch.name, Port.position))
    return [Target(*r) for r in rows]


def poll(ctx: Context) -> dict[str, Any]:
    """One round of counters for every provisioned port; a silent switch is reported, the others still count."""
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        targets = _targets(s, site.id)
        known = {tp.port_id: tp.if_index for tp in s.scalars(select(TrafficPort))}
        info = devices.switches(s, sorted({t.switch for t in targets}))
    by_switch: dict[str, list[Target]] = {}
    for t in targets:
        by_switch.setdefault(t.switch, []).append(t)
    unreadable = [name for name in by_switch if info[name].snmp_port is None]
    asked = {name: ts for name, ts in by_switch.items() if name not in unreadable}
    answers = _read_all({name: (info[name], ts) for name, ts in asked.items()}, known)
    failed = [{"switch": name, "error": str(a)} for name, a in answers.items() if isinstance(a, DeviceError)]
    failed += [{"switch": name, "error": f"{name} has no `snmp:` in the inventory: its ports' traffic cannot be read"}
               for name in unreadable]
    rates = gaps = 0
    with ctx.store.session() as s:
        for name, answer in answers.items():
            if isinstance(answer, DeviceError):
                continue
            uptime, counters = answer
            for t in asked[name]:
                drawn = _record(s, t, now, uptime, counters[t.interface], site)
                rates, gaps = rates + drawn, gaps + (not drawn)
        _prune(s, now, site)
    return {"at": now.isoformat(timespec="seconds"), "ports": len(targets), "rates": rates,
            "first_or_gap": gaps, "failed": failed}


def _read_all(asked: dict[str, tuple[devices.SwitchInfo, list[Target]]],
              known: dict[int, int | None]) -> dict[str, Any]:
    """Every switch's counters at once on this thread's SNMP loop; a failing switch gets its error as its answer."""

    async def one(sw: devices.SwitchInfo, ts: list[Target]) -> Any:
        try:
            return await counters_async(sw.snmp(), {t.interface: known.get(t.port_id) for t in ts})
        except DeviceError as e:
            return e

    async def everyone() -> list[Any]:
        return await asyncio.gather(*(one(sw, ts) for sw, ts in asked.values()))

    return dict(zip(asked, run(everyone()), strict=True)) if asked else {}


def _record(s: Session, t: Target, now: datetime, uptime: int, c: Counters, site: SiteInfo) -> bool:
    """Store the reading; if the last one was this contract's and trustworthy, add the rate to every tier."""
    last = s.get(TrafficPort, t.port_id)
    reading = Reading(now, uptime, c.in_octets, c.out_octets)
    drawn = False
    if last is not None and last.at is not None and last.contract_id == t.contract:
        previous = Reading(last.at, int(last.uptime_cs or 0), int(last.in_octets or 0), int(last.out_octets or 0))
        r = rate(previous, reading, port_speed_mbps(t.interface) * 1_000_000)
        if r is not None:
            _add(s, t, r, site)
            drawn = True
    if last is None:
        last = TrafficPort(port_id=t.port_id)
        s.add(last)
    last.if_index, last.contract_id, last.at, last.uptime_cs = c.if_index, t.contract, now, uptime
    last.in_octets, last.out_octets = Decimal(c.in_octets), Decimal(c.out_octets)
    last.in_errors, last.out_errors, last.oper_up = c.in_errors, c.out_errors, c.oper_up
    return drawn


def _add(s: Session, t: Target, r: Rate, site: SiteInfo) -> None:
    for tier in TIERS:
        for point in consolidate([r], tier.step, site.tz):
            row = s.scalars(select(TrafficPoint).where(
                TrafficPoint.port_id == t.port_id, TrafficPoint.contract_id == t.contract,
                TrafficPoint.tier == tier.name, TrafficPoint.start == point.start)).one_or_none()
            old = None if row is None else Point(row.start, row.avg_in, row.avg_out, row.max_in, row.max_out,
                                                 row.covered_s)
            new = merge(old, point)
            if row is None:
                row = TrafficPoint(port_id=t.port_id, contract_id=t.contract, tier=tier.name, start=new.start)
                s.add(row)
            row.avg_in, row.avg_out, row.max_in, row.max_out, row.covered_s = (
                new.avg_in, new.avg_out, new.max_in, new.max_out, new.covered_s)


def _fine_keep_from(now: datetime, site: SiteInfo) -> datetime:
    """5-minute points stay for 2 days, and for the current and the previous month (the 95th percentile's)."""
    local = now.astimezone(site.tz)
    previous_month = (local.replace(day=1, hour=0, minute=0, second=0, microsecond=0) - relativedelta(months=1))
    return min(now - TIERS[0].keep, previous_month)


def _prune(s: Session, now: datetime, site: SiteInfo) -> None:
    """Bounded rows per port: every tier past its keep goes, a month's 5-minute points summarised first."""
    keep_from = _fine_keep_from(now, site)
    old = s.execute(select(TrafficPoint.port_id, TrafficPoint.contract_id, TrafficPoint.start)
                    .where(TrafficPoint.tier == TIERS[0].name, TrafficPoint.start < keep_from,
                           TrafficPoint.contract_id.in_(select(Contract.id).where(Contract.site_id == site.id)))).all()
    months = {(port, contract, start.astimezone(site.tz).strftime("%Y-%m")) for port, contract, start in old}
    for port, contract, month in sorted(months):
        exists = s.scalars(select(TrafficMonth.id).where(TrafficMonth.port_id == port, TrafficMonth.contract_id == contract,
                                                         TrafficMonth.month == month)).first()
        if exists is None:
            f = month_figures(_fine_rates(s, port, contract, month_window(month, site.tz)), month_window(month, site.tz))
            s.add(TrafficMonth(port_id=port, contract_id=contract, month=month, avg_in=f.avg_in, avg_out=f.avg_out,
                               peak_in=f.peak_in, peak_out=f.peak_out, p95_in=f.p95_in, p95_out=f.p95_out,
                               samples=f.samples, expected=f.expected))
    s.execute(delete(TrafficPoint).where(TrafficPoint.tier == TIERS[0].name, TrafficPoint.start < keep_from))
    for tier in TIERS[1:]:
        s.execute(delete(TrafficPoint).where(TrafficPoint.tier == tier.name, TrafficPoint.start < now - tier.keep))
    oldest = (now - TIERS[-1].keep).astimezone(site.tz).strftime("%Y-%m")
    s.execute(delete(TrafficMonth).where(TrafficMonth.month < oldest))


def _fine_rates(s: Session, port: int | None, contract: str, window: tuple[datetime, datetime]) -> list[Rate]:
    query = select(TrafficPoint).where(TrafficPoint.contract_id == contract, TrafficPoint.tier == TIERS[0].name,
                                       TrafficPoint.start >= window[0], TrafficPoint.start < window[1])
    if port is not None:
        query = query.where(TrafficPoint.port_id == port)
    return [Rate(p.start, p.start + PERIOD, p.avg_in, p.avg_out) for p in s.scalars(query.order_by(TrafficPoint.start))]


def show(ctx: Context, contract_id: str, month: str | None = None) -> dict[str, Any]:
    """A contract's traffic per port: the month's figures against its committed bandwidth, and MRTG's four graphs."""
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        contract = get_contract(s, contract_id)
        contract_id = contract.id
        month = month or now.strftime("%Y-%m")
        try:
            window = month_window(month, site.tz)
        except ValueError:
            raise BadInput(f"--month {month!r} is not a month: give YYYY-MM, e.g. {now:%Y-%m}") from None
        committed = contract.bandwidth_mbps * 1_000_000
        measured = set(s.scalars(select(TrafficPoint.port_id).where(TrafficPoint.contract_id == contract_id)))
        held = set(s.scalars(select(Port.id).join(Placement, Placement.id == Port.placement_id)
                             .where(Placement.contract_id == contract_id)))
        ports = s.execute(select(Port.id, Switch.name, Port.name).join(Switch, Switch.id == Port.switch_id)
                          .where(Port.id.in_(measured | held)).order_by(Switch.name, Port.position)).all()
        customer = s.get(Customer, contract.customer_id)
        out = []
        for port_id, switch, interface in ports:
            out.append(_port_view(s, port_id, switch, interface, contract_id, committed, month, window, now, site))
    return {"contract": contract_id, "customer": customer.name if customer else None, "month": month,
            "at": _iso(now, site),
            "committed_bps": committed, "ports": out}


def _port_view(s: Session, port_id: int, switch: str, interface: str, contract_id: str, committed: int, month: str,
               window: tuple[datetime, datetime], now: datetime, site: SiteInfo) -> dict[str, Any]:
    fine = _fine_rates(s, port_id, contract_id, window)
    closed = s.scalars(select(TrafficMonth).where(TrafficMonth.port_id == port_id, TrafficMonth.contract_id == contract_id,
                                                  TrafficMonth.month == month)).one_or_none()
    figures = month_figures(fine, window) if fine or closed is None else MonthFigures(
        closed.avg_in, closed.avg_out, closed.peak_in, closed.peak_out, closed.p95_in, closed.p95_out, closed.samples,
        closed.expected)
    latest = s.scalars(select(TrafficPoint).where(TrafficPoint.port_id == port_id, TrafficPoint.contract_id == contract_id,
                                                  TrafficPoint.tier == TIERS[0].name)
                       .order_by(TrafficPoint.start.desc()).limit(1)).one_or_none()
    graphs = {}
    for name, (tier, span) in GRAPHS.items():
        points = s.scalars(select(TrafficPoint).where(
            TrafficPoint.port_id == port_id, TrafficPoint.contract_id == contract_id, TrafficPoint.tier == tier,
            TrafficPoint.start >= now - span).order_by(TrafficPoint.start))
        graphs[name] = [{"at": _iso(p.start, site), "in_bps": p.avg_in, "out_bps": p.avg_out, "max_in_bps": p.max_in,
                         "max_out_bps": p.max_out, "seconds": p.covered_s} for p in points]
    return {"switch": switch, "interface": interface, "committed_bps": committed,
            "current": None if latest is None else {"at": _iso(latest.start, site), "in_bps": latest.avg_in,
                                                    "out_bps": latest.avg_out},
            "avg_in_bps": figures.avg_in, "avg_out_bps": figures.avg_out, "peak_in_bps": figures.peak_in,
            "peak_out_bps": figures.peak_out, "p95_in_bps": figures.p95_in, "p95_out_bps": figures.p95_out,
            "utilisation_percent": figures.utilisation(committed), "samples_measured": figures.samples,
            "samples_expected": figures.expected,
            "samples": [{"at": _iso(r.start, site), "in_bps": r.in_bps, "out_bps": r.out_bps} for r in fine],
            "graphs": graphs}


def _iso(moment: datetime, site: SiteInfo) -> str:
    return moment.astimezone(site.tz).isoformat(timespec="seconds")
