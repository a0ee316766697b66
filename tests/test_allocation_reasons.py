"""Allocation says why it chose a rack, and `contract sign --rack` chooses it (issue 16).

The rule (domain.placement) is tested on plain data; the service on both back ends,
through the public API, with the store as the witness that a refusal allocated nothing.
"""

from __future__ import annotations

import pytest

from provision.api import Colo
from provision.domain.placement import (
    NO_ADDRESS,
    NO_PORT,
    NO_POWER,
    NO_UNIT,
    NOT_EMPTY,
    rack_capacity,
    rack_reason,
    units_text,
)
from provision.errors import BadInput, NotFound, Refused
from tests.conftest import order

AT = "2026-11-24T10:00:00+08:00"


# --- the rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(("units", "ports", "headroom", "addresses", "expected"), [
    (10, 10, 3000, 10, (2, None)),
    (1, 10, 3000, 10, (1, NO_UNIT)),
    (10, 0, 3000, 10, (0, NO_PORT)),
    (10, 10, 299, 10, (0, NO_POWER)),
    (10, 10, 3000, 2, (1, NO_ADDRESS)),  # the first server needs 2 addresses, the second 1 more
    (0, 0, 0, 0, (0, NO_POWER)),  # everything short: power is named first, what a technician adds last
])
def test_capacity_names_what_ran_out(units: int, ports: int, headroom: int, addresses: int,
                                     expected: tuple[int, str | None]) -> None:
    assert rack_capacity(units, ports, headroom, 300, addresses, [2, 1]) == expected


def test_a_whole_rack_order_takes_one_empty_rack_whatever_its_power() -> None:
    assert rack_capacity(38, 1, 0, 300, 1, [1], whole_rack=True) == (1, None)
    assert rack_capacity(38, 1, 4400, 300, 1, [1], whole_rack=True, empty=False) == (0, NOT_EMPTY)
    assert rack_capacity(38, 2, 4400, 300, 2, [1, 1], whole_rack=True) == (1, None)  # one rack at a time


def test_units_read_as_runs() -> None:
    assert units_text([5, 6]) == "U5-U6"
    assert units_text([9, 3, 4]) == "U3-U4, U9"
    assert units_text([12]) == "U12"


def test_reason_weighs_choice_then_hold_then_neighbour_then_first_fit() -> None:
    passed = [("A01", NO_POWER), ("A02", NO_PORT), ("A03", NO_UNIT), ("A04", NO_ADDRESS)]
    assert rack_reason("Beta Cloud", "C2026-0001", True, passed) == "the rack asked for (--rack)"
    assert rack_reason("Beta Cloud", "C2026-0001", False, passed) == "held for Beta Cloud"
    assert rack_reason(None, "C2026-0001", False, passed) == "next to the customer's C2026-0001"
    assert rack_reason(None, None, False, []) == "first fit"
    assert rack_reason(None, None, False, passed[:1]) == "first fit; A01 at its power budget"
    assert rack_reason(None, None, False, passed) == ("first fit; A01 at its power budget, A02 no free access port, "
                                                      "A03 no free fed unit (+1 more)")


# --- the service ---------------------------------------------------------------------------


def _where(contract: dict) -> list[str]:  # type: ignore[type-arg]
    assert contract["events"][0]["detail"] == " / ".join(contract["allocation"])  # kept in the contract's history
    return contract["allocation"]


def test_sign_says_why_each_rack(site_db: str) -> None:
    api = Colo(db=site_db, at=AT)
    first = api.sign(order("ACME", quantity=2))
    assert _where(first) == ["A01 U3-U4: first fit"]

    api.reserve("A03", 2, "Beta Cloud", "2026-12-15T18:00")
    beta = api.sign(order("beta  cloud", quantity=2))  # the hold's name, folded as customers are
    assert _where(beta) == ["A03 U3-U4: held for Beta Cloud"]

    again = api.sign(order("ACME"))
    assert _where(again) == ["A01 U5: next to the customer's C2026-0001"]

    big = api.sign(order("Heavy", power_w=3400))  # A01 has 900 W of 4400 W committed: 3400 W more fits
    assert _where(big) == ["A01 U6: first fit"]
    after = api.sign(order("Heavier", power_w=300))
    assert _where(after) == ["A02 U3: first fit; A01 at its power budget"]


def test_servers_kept_together_where_a_rack_takes_them_all_else_spread(site_db: str) -> None:
    api = Colo(db=site_db, at=AT)
    together = api.sign(order("Four", quantity=4, power_w=1500))  # an A rack's 4400 W take 2; B01's 6600 W take 4
    assert _where(together) == ["B01 U2-U5: first fit; A01 room for 2 of 4, A02 room for 2 of 4, "
                                "A03 room for 2 of 4 (+1 more)"]
    spread = api.sign(order("Spread", quantity=4, power_w=1500, room="A101"))
    assert _where(spread) == ["A01 U3-U4: first fit", "A02 U3-U4: first fit"]


def test_held_units_are_used_before_the_racks_other_free_units(site_db: str) -> None:
    api = Colo(db=site_db, at=AT)
    api.reserve("A03", 2, "Blocker", "2026-12-15T18:00")  # A03 U3-U4 for somebody else
    api.reserve("A03", 2, "Beta Cloud", "2026-12-15T18:00")  # U5-U6
    api.release_hold(1)  # U3-U4 free again, below Beta's hold
    beta = api.sign(order("Beta Cloud", quantity=2))
    assert _where(beta) == ["A03 U5-U6: held for Beta Cloud"]
    assert [h["units"] for h in api.holds() if h["for"] == "Beta Cloud"] == [[]]  # the hold's units are placed


def test_sign_rack_chooses_the_rack(site_db: str) -> None:
    api = Colo(db=site_db, at=AT)
    c = api.sign(order("ACME", quantity=2, rack="B02"))
    assert _where(c) == ["B02 U2-U3: the rack asked for (--rack)"]
    assert c["placements"][0]["port"]["switch"] == "sw-b201-1"
    # a retry of the same order (request id) is recognised, with or without a rack stated
    first = api.sign(order("Retry", rack="A04", request_id="crm-1"))
    again = api.sign(order("Retry", rack="A04", request_id="crm-1"))
    assert again["replayed"] and again["id"] == first["id"] and again["allocation"] == first["allocation"]
    with pytest.raises(Refused, match="different terms"):
        api.sign(order("Retry", rack="A03", request_id="crm-1"))


def _contracts(api: Colo) -> int:
    return len(api.contracts())


@pytest.mark.parametrize(("setup", "terms", "why"), [
    ("power", {"power_w": 300}, "at its power budget"),
    ("units", {"quantity": 2}, "no free fed unit"),
    ("ports", {}, "no free access port"),
])
def test_sign_rack_refuses_with_what_the_rack_lacks(site_db: str, setup: str, terms: dict, why: str) -> None:  # type: ignore[type-arg]
    api = Colo(db=site_db, at=AT)
    if setup == "power":
        api.sign(order("Heavy", rack="A02", power_w=4400))
    elif setup == "units":
        api.reserve("A02", 37, "Prospect", "2026-12-15T18:00")  # one free unit left
    else:  # sw-a101-1's 44 access ports serve A01 and A02: 38 servers in A01, 6 in A02
        api.sign(order("Ports", rack="A01", quantity=38, power_w=100))
        api.sign(order("More ports", rack="A02", quantity=6, power_w=100))
    before = _contracts(api)
    with pytest.raises(Refused, match=f"--rack A02 cannot take .*: {why} .*nothing was allocated"):
        api.sign(order("Newcomer", rack="A02", **terms))
    assert _contracts(api) == before  # refused whole: no contract, no placement


def test_sign_rack_names_an_unknown_or_misplaced_rack(site_db: str) -> None:
    api = Colo(db=site_db, at=AT)
    with pytest.raises(NotFound, match="--rack 'Z99' is not a rack of this site: use one of A01, A02"):
        api.sign(order(rack="Z99"))
    with pytest.raises(BadInput, match="--rack A01 is not in --room B201"):
        api.sign(order(rack="A01", room="B201"))
    assert _contracts(api) == 0


def test_sign_rack_on_the_command_line(site_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    import json

    common = ("--db", site_db, "--at", AT, "contract", "sign", "--bandwidth", "100", "--fee", "12000.00")
    r = colo(*common, "--customer", "ACME", "--slots", "2", "--rack", "A03", "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["allocation"] == ["A03 U3-U4: the rack asked for (--rack)"]
    r = colo(*common, "--customer", "ACME", "--slots", "1")
    assert r.code == 0, r.err
    assert "placed A03 U5: next to the customer's C2026-0001" in r.out
    r = colo(*common, "--customer", "Heavy", "--slots", "1", "--power-w", "4400", "--rack", "A03")
    assert r.code == 3 and "--rack A03 cannot take 1 server(s): at its power budget" in r.err
    r = colo(*common, "--customer", "Lost", "--slots", "1", "--rack", "Q1")
    assert r.code == 2 and "--rack 'Q1' is not a rack" in r.err
    assert len(Colo(db=site_db).contracts()) == 2
