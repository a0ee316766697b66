"""Contracts in the states tests start from, signed through the public API on the lab's site."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from provision.api import Colo, ServerRecord
from provision.domain.lifecycle import State
from provision.services.contracts import get_contract, transition
from tests.conftest import order

PLATFORMS = ["cisco_ios", "huawei_vrp", "hp_comware"]
SWITCH = {"cisco_ios": "sw-a101-1", "huawei_vrp": "sw-a101-2", "hp_comware": "sw-b201-1"}
SIGNED = "2026-11-24T10:00"  # a Tuesday: install deadline is the end of Friday 27th


def sign_on(db: str, platform: str, name: str = "ACME Hosting", at: str = SIGNED, **terms: Any) -> dict[str, Any]:
    """Sign a one-server contract that lands on `platform`'s switch."""
    api = Colo(db=db, at=at)
    if platform == "huawei_vrp":  # A01 and A02 (Cisco) fill first: hold them for somebody else
        for rack in ("A01", "A02"):
            api.reserve(rack, 38, "someone else", "2027-01-01T00:00")
    room = "B201" if platform == "hp_comware" else "A101"
    contract = api.sign(order(name, room=room, **terms))
    assert contract["placements"][0]["port"]["switch"] == SWITCH[platform]
    return contract


def active_contract(db: str, platform: str = "cisco_ios", **terms: Any) -> tuple[str, str]:
    """Signed, provisioned on the lab's devices and activated: (contract id, switch interface)."""
    contract = sign_on(db, platform, **terms)  # signed 2026-11-24 10:00, 12000.00 yearly unless terms say
    cid, iface = contract["id"], contract["placements"][0]["port"]["interface"]
    activate_signed(db, cid)
    return cid, iface


def activate_signed(db: str, cid: str) -> None:
    """Provision a signed contract on the lab's devices, record its server and activate it."""
    Colo(db=db, at="2026-11-25T09:00").provision([cid])
    Colo(db=db, at="2026-11-25T10:00").record_server(cid, 1, ServerRecord(serial="SN1", mac="001122334455"))
    assert Colo(db=db, at="2026-11-26T09:00").activate(cid)["state"] == "active"


def walk_to(api: Colo, cid: str, states: list[State], at: str) -> None:
    """Move a contract through states in the store alone: for tests whose subject is not the devices."""
    with api.context.store.session() as s:
        contract = get_contract(s, cid)
        for state in states:
            transition(s, contract, state, datetime.fromisoformat(at), "tester")
