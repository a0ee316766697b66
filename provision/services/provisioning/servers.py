"""Recording the hardware of a racked server (`colo server record`).

A MAC may belong to one placed server only: the switch binds the customer's
address to it, so two records with one MAC would bind one customer's address to
another customer's machine.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from provision.domain.hardware import ServerRecord, mac_colons
from provision.domain.lifecycle import HOLDS_RESOURCES, State
from provision.domain.terms import Kind
from provision.errors import NotFound, Refused
from provision.services.context import Context, load_site
from provision.services.contract_view import contract_view, placements_view
from provision.services.contracts import get_contract
from provision.sot import outbox
from provision.store.schema import ContractEvent, Placement, Server


def record_server(ctx: Context, contract_id: str, position: int, record: ServerRecord) -> dict[str, Any]:
    """Create or replace the record of server `position` (1-based) of a contract."""
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        contract = get_contract(s, contract_id)
        if contract.kind == Kind.RACK.value:
            raise Refused(f"contract {contract.id} rents whole racks: the customer's servers in them are not "
                          f"recorded per slot")
        if State(contract.state) not in HOLDS_RESOURCES:
            raise Refused(f"contract {contract.id} is {contract.state}: its servers are no longer placed")
        placement = s.scalar(select(Placement).where(Placement.contract_id == contract.id,
                                                     Placement.position == position - 1,
                                                     Placement.released_at.is_(None)))
        if placement is None:
            raise NotFound(f"--server {position}: contract {contract.id} has servers 1 to {contract.quantity}")
        other = s.execute(select(Placement.contract_id, Placement.position).join(Server)
                          .where(Server.mac == record.mac, Server.placement_id != placement.id,
                                 Placement.released_at.is_(None))).first()
        if other is not None:
            raise Refused(f"--mac {mac_colons(record.mac)} is already recorded for server {other[1] + 1} of "
                          f"contract {other[0]}: check the label on the NIC")
        row = s.get(Server, placement.id)
        values = {"serial": record.serial, "mac": record.mac, "board": str(record.board) if record.board else None,
                  "cpu": str(record.cpu) if record.cpu else None,
                  "memory": str(record.memory) if record.memory else None,
                  "disks": "; ".join(str(d) for d in record.disks), "recorded_at": now, "recorded_by": ctx.actor}
        if row is None:
            s.add(Server(placement_id=placement.id, **values))
        else:
            for key, value in values.items():
                setattr(row, key, value)
        s.add(ContractEvent(contract_id=contract.id, kind="server_recorded", at=now, actor=ctx.actor, months=0,
                            ref=str(position), detail=f"serial {record.serial} mac {mac_colons(record.mac)}"
                            + (" (replaces the earlier record)" if row is not None else "")))
        s.flush()
        outbox.enqueue(s, contract, "server_recorded", now)
        return contract_view(s, site, contract, now)


def servers(ctx: Context, contract_id: str) -> list[dict[str, Any]]:
    """A contract's servers, numbered from 1 as --server counts: where each sits and its recorded hardware."""
    with ctx.store.session() as s:
        site = load_site(s)
        cid = get_contract(s, contract_id).id
        return [{"contract": cid, "number": p["position"] + 1} | p for p in placements_view(s, site, cid)]


def server(ctx: Context, contract_id: str, number: int) -> dict[str, Any]:
    """Server `number` (1-based) of a contract."""
    listed = servers(ctx, contract_id)
    for row in listed:
        if row["number"] == number:
            return row
    cid = listed[0]["contract"] if listed else contract_id
    raise NotFound(f"--server {number}: contract {cid} has servers 1 to {len(listed)}: see `colo server list {cid}`")
