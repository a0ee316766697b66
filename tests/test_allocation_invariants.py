"""Allocation invariants under random sequences of signings, holds and releases (hypothesis).

Whatever the order of operations, the store must never show: a rack over its power
budget, a server on a unit held for somebody else or without an outlet, a port on a
switch that does not serve the rack, an address from a pool that does not serve it,
or a contract with fewer placements than it bought.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from provision.api import Colo, SignOrder
from provision.domain.lifecycle import State
from provision.domain.terms import Customer
from provision.errors import Refused
from provision.services.contracts import get_contract, transition
from provision.store.schema import Address, Hold, Placement, PoolRack, Port, Rack, SwitchRack, Unit

SITE = {
    "site": {"name": "PROP"},
    "rooms": [{"name": "R1", "racks": [
        {"name": "K1", "height_u": 8, "reserved_units": "8", "power_budget_w": 1500,
         "feeds": [{"pdu": "p1", "outlets": "1-6", "units": "1-6"}]},
        {"name": "K2", "height_u": 8, "power_budget_w": 2000, "feeds": [{"pdu": "p2", "outlets": "1-8", "units": "1-8"}]},
        {"name": "K3", "height_u": 6, "power_budget_w": 900, "feeds": [{"pdu": "p3", "outlets": "1-6", "units": "1-6"}]},
    ]}],
    "switches": [
        {"name": "s1", "platform": "cisco_ios", "host": "127.0.0.1", "credentials": "c", "access_ports": "Gi0/1-5",
         "racks": ["K1", "K2"]},
        {"name": "s2", "platform": "hp_comware", "host": "127.0.0.1", "credentials": "c", "access_ports": "Gi1/0/1-4",
         "racks": ["K3"]},
    ],
    "pdus": [{"name": f"p{i}", "platform": "apc_rpdu2", "host": "127.0.0.1", "port": 16100 + i, "credentials": "c",
              "outlets": 8} for i in (1, 2, 3)],
    "pools": [
        {"name": "a", "prefix": "192.0.2.0/28", "gateway": "192.0.2.1", "vlan": 10, "racks": ["K1", "K2"]},
        {"name": "b", "prefix": "198.51.100.0/29", "gateway": "198.51.100.1", "vlan": 20, "racks": ["K3"]},
    ],
}

CUSTOMERS = ["Ann", "Bob", "Cai", "Dee"]
sign_op = st.tuples(st.just("sign"), st.sampled_from(CUSTOMERS), st.integers(1, 4), st.integers(1, 5),
                    st.sampled_from([200, 300, 500, 900]), st.sampled_from(["colocation", "rack"]))
hold_op = st.tuples(st.just("hold"), st.sampled_from(["K1", "K2", "K3"]), st.integers(1, 3), st.sampled_from(CUSTOMERS),
                    st.integers(1, 48))
release_op = st.tuples(st.just("release"), st.integers(0, 10))


START = datetime(2026, 11, 24, tzinfo=ZoneInfo("Asia/Shanghai"))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.one_of(sign_op, hold_op, release_op), min_size=3, max_size=14))
def test_invariants_hold_after_any_sequence(tmp_path_factory, ops) -> None:  # type: ignore[no-untyped-def]
    root: Path = tmp_path_factory.mktemp("prop")
    (root / "site.yaml").write_text(yaml.safe_dump(SITE))
    db = str(root / "colo.db")
    Colo(db=db).init(str(root / "site.yaml"))
    signed: list[str] = []
    for step, op in enumerate(ops, start=1):
        now = START + timedelta(hours=step)
        api = Colo(db=db, at=now.isoformat())
        try:
            if op[0] == "sign":
                _, who, qty, ips, watts, kind = op
                blocked = _held_for_others(api, who, now)
                c = api.sign(SignOrder(Customer(who), kind, 1 if kind == "rack" else qty, 100, "1.00", "monthly",
                                       ips=min(ips, 3) if kind == "rack" else ips, power_w=watts,
                                       signed_at=START.isoformat()))
                assert len(c["placements"]) == (1 if kind == "rack" else qty)
                taken = {(p["rack"], u) for p in c["placements"] for u in p["units"]}
                assert not taken & blocked, "placed on units held for somebody else"
                signed.append(c["id"])
            elif op[0] == "hold":
                _, rack, units, who, hours = op
                api.reserve(rack, units, who, (now + timedelta(hours=hours)).isoformat())
            elif op[0] == "release" and signed:
                cid = signed.pop(op[1] % len(signed))
                with api.context.store.session() as s:
                    contract = get_contract(s, cid)
                    for state in (State.PROVISIONED, State.ACTIVE, State.ENDED, State.DECOMMISSIONED):
                        transition(s, contract, state, now, "prop")
        except Refused:
            pass  # a refusal is allowed; the checks below prove it left a consistent store
        _check(api)


def _held_for_others(api: Colo, who: str, now: datetime) -> set[tuple[str, int]]:
    with api.context.store.session() as s:
        rows = s.execute(select(Rack.name, Unit.u).join(Unit, Unit.rack_id == Rack.id).join(Hold, Hold.id == Unit.hold_id)
                         .where(Hold.until > now, Hold.for_key != who.casefold()))
        return {(rack, u) for rack, u in rows}


def _check(api: Colo) -> None:
    with api.context.store.session() as s:
        placements = list(s.scalars(select(Placement).where(Placement.released_at.is_(None))))
        for rack in s.scalars(select(Rack)):
            used = sum(p.power_w for p in placements if p.rack_id == rack.id)
            assert used <= rack.power_budget_w, rack.name
        for p in placements:
            units = list(s.scalars(select(Unit).where(Unit.placement_id == p.id)))
            assert units and all(u.rack_id == p.rack_id and not u.reserved and u.outlet_id for u in units)
            port = s.scalar(select(Port).where(Port.placement_id == p.id))
            assert port is not None
            assert s.scalar(select(SwitchRack).where(SwitchRack.switch_id == port.switch_id,
                                                     SwitchRack.rack_id == p.rack_id)) is not None
            for address in s.scalars(select(Address).where(Address.placement_id == p.id)):
                assert not address.reserved and address.quarantine_until is None
                assert s.scalar(select(PoolRack).where(PoolRack.pool_id == address.pool_id,
                                                       PoolRack.rack_id == p.rack_id)) is not None
        # claiming a held unit (by the hold's own customer) clears the hold mark
        assert s.scalar(select(Unit).where(Unit.placement_id.is_not(None), Unit.hold_id.is_not(None))) is None
