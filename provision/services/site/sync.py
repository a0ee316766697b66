"""Making the store match the inventory, idempotently and without losing anything in use.

The sync computes, per table, what to add, change and remove. Additions and
changes go top-down (rooms before racks before units); removals bottom-up. Removing
or reserving something a contract holds is refused, naming the contract, and the
whole sync rolls back: the store is either the new inventory or the old one. A store
holds one or more sites: an inventory syncs the site it names (adding it when new) and
never touches another site's rows; device and pool names and addresses another site
already uses are refused, as is a name that differs from a site's only in case.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from ipaddress import ip_network
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, func, insert, select, true, update
from sqlalchemy.orm import Session

from provision.errors import BadInput, Refused
from provision.inventory.model import Inventory
from provision.store.schema import (
    Address,
    CalendarDay,
    Hold,
    Outlet,
    Pdu,
    Placement,
    Pool,
    PoolRack,
    Port,
    Rack,
    Room,
    SiteRow,
    Switch,
    SwitchRack,
    Unit,
)

Key = tuple[Any, ...]


@dataclass
class SyncReport:
    added: Counter[str] = field(default_factory=Counter)
    changed: Counter[str] = field(default_factory=Counter)
    removed: Counter[str] = field(default_factory=Counter)

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.changed or self.removed)

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {"added": dict(self.added), "changed": dict(self.changed), "removed": dict(self.removed)}


@dataclass
class _Sync:
    session: Session
    report: SyncReport
    site_id: int
    holder: dict[int, str]                      # placement id -> contract id (active placements)
    conflicts: list[str] = field(default_factory=list)
    removals: list[tuple[Table, list[Any]]] = field(default_factory=list)

    def reconcile(self, what: str, table: Table, key: tuple[str, ...], desired: dict[Key, dict[str, Any]],
                  busy: Callable[[dict[str, Any]], str | None] = lambda row: None,
                  label: Callable[[Key], str] = lambda k: str(k[-1]),
                  scope: ColumnElement[bool] | None = None) -> dict[Key, int]:
        """Insert missing rows, update changed ones, queue removals; return ids by key.

        Only rows of this site are compared: `scope` selects them (default: the table's own
        `site_id`), and new rows get the site's id where the table has one.
        """
        ident = next(iter(table.primary_key.columns))
        mine = self.scope(table) if scope is None else scope
        fixed = {"site_id": self.site_id} if "site_id" in table.c else {}
        existing = {tuple(row[k] for k in key): row
                    for row in self.session.execute(select(table).where(mine)).mappings()}
        new = [dict(zip(key, k, strict=True)) | fixed | values for k, values in desired.items() if k not in existing]
        if new:
            self.session.execute(insert(table), new)
            self.report.added[what] += len(new)
        for k, values in desired.items():
            row = existing.get(k)
            if row is None:
                continue
            changes = {c: v for c, v in values.items() if row[c] != v}
            if not changes:
                continue
            if changes.get("reserved") and (holder := busy(dict(row))):
                self.conflicts.append(f"{what} {label(k)} cannot become reserved: contract {holder} holds it")
                continue
            self.session.execute(update(table).where(ident == row[ident.name]).values(**changes))
            self.report.changed[what] += 1
        gone = [row for k, row in existing.items() if k not in desired]
        for row in gone:
            if holder := busy(dict(row)):
                self.conflicts.append(f"{what} {label(tuple(row[c] for c in key))} cannot be removed: "
                                      f"contract {holder} holds it")
        if gone:
            self.removals.append((table, [row[ident.name] for row in gone]))
            self.report.removed[what] += len(gone)
        return {tuple(row[k] for k in key): row[ident.name]
                for row in self.session.execute(select(ident, *(table.c[k] for k in key)).where(mine)).mappings()}

    def scope(self, table: Table) -> ColumnElement[bool]:
        return table.c.site_id == self.site_id if "site_id" in table.c else true()

    def held_by(self, row: dict[str, Any]) -> str | None:
        placement = row.get("placement_id")
        return self.holder.get(placement) if placement is not None else None

    def link(self, what: str, table: Table, columns: tuple[str, str], pairs: set[tuple[int, int]]) -> None:
        racks = select(Rack.id).where(Rack.site_id == self.site_id)
        existing = {(r[0], r[1]) for r in self.session.execute(
            select(table.c[columns[0]], table.c[columns[1]]).where(table.c.rack_id.in_(racks)))}
        add = pairs - existing
        drop = existing - pairs
        if add:
            self.session.execute(insert(table), [dict(zip(columns, p, strict=True)) for p in sorted(add)])
            self.report.added[what] += len(add)
        for pair in drop:
            self.session.execute(delete(table).where(table.c[columns[0]] == pair[0], table.c[columns[1]] == pair[1]))
        if drop:
            self.report.removed[what] += len(drop)


def require_distinct_name(held: list[str], inv: Inventory) -> None:
    """Two sites whose names differ only in case or spacing are one site misspelt, not a new one."""
    name = inv.site.name
    for other in held:
        if other != name and " ".join(other.split()).casefold() == " ".join(name.split()).casefold():
            raise BadInput(f"the inventory's site {name!r} differs from this store's site {other!r} only in "
                           f"case or spacing: spell it {other!r} to sync that site; nothing changed")


def _require_own_devices(session: Session, inv: Inventory, site_id: int) -> None:
    """Device and pool names and addresses are unique across the store: another site's are refused by name."""
    clashes = []
    for model, names, noun in ((Switch, [s.name for s in inv.switches], "switch"),
                               (Pdu, [p.name for p in inv.pdus], "PDU"), (Pool, [p.name for p in inv.pools], "pool")):
        clashes += [f"{noun} {name} is site {site}'s" for name, site in session.execute(
            select(model.name, SiteRow.name).join(SiteRow, SiteRow.id == model.site_id)
            .where(model.name.in_(names), model.site_id != site_id))]
    others = session.execute(select(Pool.name, Pool.prefix, SiteRow.name).join(SiteRow, SiteRow.id == Pool.site_id)
                             .where(Pool.site_id != site_id)).all()
    clashes += [f"pool {pool.name} ({pool.prefix}) overlaps site {site}'s pool {name} ({prefix})"
                for pool in inv.pools for name, prefix, site in others if pool.prefix.overlaps(ip_network(prefix))]
    if clashes:
        raise BadInput(f"inventory of site {inv.site.name}: {'; '.join(sorted(clashes))} — device and pool names and "
                       f"addresses are unique across the store: rename them; nothing changed")


def sync_inventory(session: Session, inv: Inventory) -> SyncReport:
    """Apply `inv` to its site inside the caller's transaction (adding the site when new); raise on conflicts."""
    report = SyncReport()
    require_distinct_name(list(session.scalars(select(SiteRow.name))), inv)
    dns = ",".join(str(a) for a in inv.site.dns)
    wanted = {"name": inv.site.name, "timezone": inv.site.timezone, "dns": dns,
              "quarantine_days": inv.site.address_quarantine_days}
    site = session.scalar(select(SiteRow).where(SiteRow.name == inv.site.name).with_for_update())
    if site is None:
        site = SiteRow(**wanted)
        session.add(site)
        session.flush()
        report.added["site"] += 1
    elif any(getattr(site, k) != v for k, v in wanted.items()):
        for k, v in wanted.items():
            setattr(site, k, v)
        report.changed["site"] += 1
    _require_own_devices(session, inv, site.id)
    holder = {pid: cid for pid, cid in session.execute(
        select(Placement.id, Placement.contract_id).where(Placement.released_at.is_(None)))}
    sync = _Sync(session, report, site.id, holder)
    calendar = {(day,): {"working": kind == "workday"} for day, kind in inv.calendar.items()}
    sync.reconcile("calendar day", CalendarDay.__table__, ("day",), calendar)  # type: ignore[arg-type]

    room_ids = sync.reconcile("room", Room.__table__, ("name",),  # type: ignore[arg-type]
                              {(room.name,): {"position": i} for i, room in enumerate(inv.rooms)})
    racks = list(inv.racks())
    history = dict(session.execute(select(Placement.rack_id, func.min(Placement.contract_id))
                                   .group_by(Placement.rack_id)).all())
    rack_ids = sync.reconcile("rack", Rack.__table__, ("name",), {  # type: ignore[arg-type]
        (rack.name,): {"room_id": room_ids[(room.name,)], "position": i, "height_u": rack.height_u,
                       "power_budget_w": rack.power_budget_w} for i, (room, rack) in enumerate(racks)},
        busy=lambda row: f"{history[row['id']]}'s record" if row["id"] in history else None)
    pdu_ids = sync.reconcile("PDU", Pdu.__table__, ("name",), {  # type: ignore[arg-type]
        (p.name,): {"platform": p.platform, "host": p.host, "port": p.port, "credentials": p.credentials}
        for p in inv.pdus})
    outlet_ids = sync.reconcile("outlet", Outlet.__table__, ("pdu_id", "number"), {  # type: ignore[arg-type]
        (pdu_ids[(p.name,)], n): {} for p in inv.pdus for n in range(1, p.outlets + 1)},
        scope=Outlet.pdu_id.in_(select(Pdu.id).where(Pdu.site_id == site.id)))

    rack_names = {v: k[0] for k, v in rack_ids.items()}
    desired_units: dict[Key, dict[str, Any]] = {}
    for _, rack in racks:
        rid = rack_ids[(rack.name,)]
        feeds = {(f.feed, u): outlet_ids[(pdu_ids[(f.pdu,)], o)]
                 for f in rack.feeds for u, o in zip(f.units, f.outlets, strict=True)}
        reserved = set(rack.reserved_units)
        for u in range(1, rack.height_u + 1):
            desired_units[(rid, u)] = {"reserved": u in reserved, "outlet_id": feeds.get(("mains", u)),
                                       "ups_outlet_id": feeds.get(("ups", u))}
    sync.reconcile("unit", Unit.__table__, ("rack_id", "u"), desired_units,  # type: ignore[arg-type]
                   busy=sync.held_by, label=lambda k: f"{rack_names.get(k[0], k[0])} U{k[1]}",
                   scope=Unit.rack_id.in_(select(Rack.id).where(Rack.site_id == site.id)))

    switch_ids = sync.reconcile("switch", Switch.__table__, ("name",), {  # type: ignore[arg-type]
        (s.name,): {"platform": s.platform, "host": s.host, "port": s.port, "credentials": s.credentials,
                    "snmp_port": s.snmp.port if s.snmp else None,
                    "snmp_credentials": s.snmp.credentials if s.snmp else None}
        for s in inv.switches})
    switch_names = {v: k[0] for k, v in switch_ids.items()}
    sync.reconcile("port", Port.__table__, ("switch_id", "name"), {  # type: ignore[arg-type]
        (switch_ids[(s.name,)], name): {"position": i} for s in inv.switches for i, name in enumerate(s.access_ports)},
        busy=sync.held_by, label=lambda k: f"{switch_names.get(k[0], k[0])} {k[1]}",
        scope=Port.switch_id.in_(select(Switch.id).where(Switch.site_id == site.id)))

    pool_ids = sync.reconcile("pool", Pool.__table__, ("name",), {  # type: ignore[arg-type]
        (p.name,): {"prefix": str(p.prefix), "gateway": str(p.gateway), "vlan": p.vlan} for p in inv.pools})
    desired_addresses: dict[Key, dict[str, Any]] = {}
    for pool in inv.pools:
        reserved_ips = pool.reserved_addresses()
        pid = pool_ids[(pool.name,)]
        for address in pool.prefix:
            desired_addresses[(str(address),)] = {"pool_id": pid, "ip_int": int(address),
                                                  "reserved": address in reserved_ips}
    sync.reconcile("address", Address.__table__, ("ip",), desired_addresses,  # type: ignore[arg-type]
                   busy=sync.held_by, scope=Address.pool_id.in_(select(Pool.id).where(Pool.site_id == site.id)))

    sync.link("switch-rack link", SwitchRack.__table__, ("switch_id", "rack_id"),  # type: ignore[arg-type]
              {(switch_ids[(s.name,)], rack_ids[(r,)]) for s in inv.switches for r in s.racks})
    sync.link("pool-rack link", PoolRack.__table__, ("pool_id", "rack_id"),  # type: ignore[arg-type]
              {(pool_ids[(p.name,)], rack_ids[(r,)]) for p in inv.pools for r in p.racks})

    if sync.conflicts:
        raise Refused("inventory sync refused, nothing changed: " + "; ".join(dict.fromkeys(sync.conflicts)))
    _remove(session, sync.removals)
    session.flush()
    return report


def _remove(session: Session, removals: list[tuple[Table, list[Any]]]) -> None:
    """Delete queued rows children-first; holds on removed racks go with them."""
    removed_racks = [rid for table, ids in removals if table is Rack.__table__ for rid in ids]
    if removed_racks:
        session.execute(update(Unit).where(Unit.rack_id.in_(removed_racks)).values(hold_id=None))
        session.execute(delete(Hold).where(Hold.rack_id.in_(removed_racks)))
    for table, ids in reversed(removals):
        for start in range(0, len(ids), 500):
            ident = next(iter(table.primary_key.columns))
            session.execute(delete(table).where(ident.in_(ids[start:start + 500])))

