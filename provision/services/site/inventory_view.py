"""The site as an Ansible inventory: devices with their platform and address, servers grouped.

Group names are made from room, rack, customer and contract state; customer names are
reduced to letters, digits and underscores, the only characters Ansible group names take.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from provision.domain.lifecycle import HOLDS_RESOURCES
from provision.services.context import Context, load_site
from provision.services.contract_view import placements_view
from provision.store.schema import Contract, Customer, Pdu, Switch


def group(prefix: str, name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower() or "unnamed"
    return f"{prefix}_{slug}"


def inventory(ctx: Context) -> dict[str, Any]:
    with ctx.store.session() as s:
        site = load_site(s)
        out: dict[str, Any] = {"switches": [], "pdus": [], "servers": []}
        for sw in s.scalars(select(Switch).order_by(Switch.name)):
            out["switches"].append({"name": sw.name, "platform": sw.platform, "host": sw.host, "port": sw.port,
                                    "snmp_port": sw.snmp_port, "credentials": sw.credentials})
        for pdu in s.scalars(select(Pdu).order_by(Pdu.name)):
            out["pdus"].append({"name": pdu.name, "platform": pdu.platform, "host": pdu.host, "port": pdu.port,
                                "credentials": pdu.credentials})
        live = [st.value for st in HOLDS_RESOURCES]
        for contract, customer in s.execute(select(Contract, Customer.name).join(Customer)
                                            .where(Contract.state.in_(live)).order_by(Contract.year, Contract.seq)):
            for p in placements_view(s, site, contract.id):
                if p["released_at"] is not None:
                    continue
                out["servers"].append({
                    "name": f"{contract.id}-s{p['position'] + 1}", "contract": contract.id, "state": contract.state,
                    "customer": customer, "room": p["room"], "rack": p["rack"], "units": p["units"],
                    "address": p["addresses"][0]["ip"] if p["addresses"] else None,
                    "switch": p["port"]["switch"] if p["port"] else None,
                    "interface": p["port"]["interface"] if p["port"] else None,
                    "groups": [group("room", p["room"]), group("rack", p["rack"]), group("customer", customer),
                               group("state", contract.state)]})
        return out
