"""`colo rack list`: every rack's units free/used/held and its power against the budget (issue 16).

The counts must agree with `rack show`'s unit by unit view, whatever mix of
placements, holds (live and lapsed), reserved and unfed units the rack has.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from provision.api import Colo
from provision.errors import NotFound
from tests.conftest import order

AT = "2026-11-24T10:00"


def test_units_and_power_per_rack(site_db: str) -> None:
    api = Colo(db=site_db, at=AT)
    api.sign(order("ACME", quantity=2, power_w=500))
    api.reserve("A03", 2, "Beta Cloud", "2026-12-15T18:00")
    api.reserve("A04", 3, "Lapsing", "2026-11-25T18:00")
    racks = {r["rack"]: r for r in api.racks()}
    assert list(racks) == ["A01", "A02", "A03", "A04", "B01", "B02", "B03"]  # room by room, inventory order
    assert racks["A01"] == {"rack": "A01", "room": "A101", "height_u": 42,
                            "units": {"free": 36, "used": 2, "held": 0, "reserved": 4, "unfed": 0},
                            "power_budget_w": 4400, "power_committed_w": 1000, "power_measured_w": None,
                            "power_headroom_w": 3400}
    assert racks["A03"]["units"]["held"] == 2 and racks["A04"]["units"]["held"] == 3
    assert racks["B01"]["units"] == {"free": 36, "used": 0, "held": 0, "reserved": 3, "unfed": 8}  # U38-U45 unfed

    later = {r["rack"]: r for r in Colo(db=site_db, at="2026-11-26T10:00").racks("A101")}
    assert list(later) == ["A01", "A02", "A03", "A04"]
    assert later["A04"]["units"] == {"free": 38, "used": 0, "held": 0, "reserved": 4, "unfed": 0}  # the hold lapsed


def test_counts_agree_with_rack_show(site_db: str) -> None:
    api = Colo(db=site_db, at=AT)
    api.reserve("B02", 4, "Prospect", "2026-12-01T00:00")
    api.sign(order("Beta", room="B201", quantity=3))
    api.sign(order("Gamma", rack="B02", quantity=2))
    for rack in api.racks():
        shown = Counter(u["state"] for u in api.rack(rack["rack"])["units"])
        assert rack["units"] == {"free": shown["free"], "used": shown["occupied"], "held": shown["held"],
                                 "reserved": shown["reserved"], "unfed": shown["unfed"]}
        assert rack["power_committed_w"] == api.rack(rack["rack"])["power_committed_w"]


def test_unknown_room_is_named(site_db: str) -> None:
    with pytest.raises(NotFound, match="--room 'Z9' is not a room of this site: use one of A101, B201"):
        Colo(db=site_db).racks("Z9")


def test_rack_list_cli(site_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    Colo(db=site_db, at=AT).sign(order("ACME", quantity=2))
    r = colo("--db", site_db, "--at", AT, "rack", "list", "--json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data[0]["rack"] == "A01" and data[0]["units"]["used"] == 2 and data[0]["power_measured_w"] is None
    r = colo("--db", site_db, "--at", AT, "rack", "list")
    assert r.code == 0, r.err
    assert "A01" in r.out and "600 / 4400 W" in r.out and "not measured" in r.out
    r = colo("--db", site_db, "rack", "list", "--room", "Z9")
    assert r.code == 2 and "--room 'Z9'" in r.err
