"""Pure rules: the contract state machine and the placement policy."""

from __future__ import annotations

import pytest

from provision.domain.lifecycle import TRANSITIONS, State, check_transition, event_kind
from provision.domain.placement import choose_units, expand_interfaces, expand_numbers
from provision.errors import Refused


@pytest.mark.parametrize("current, target", [(c, t) for c, nxt in TRANSITIONS.items() for t in nxt])
def test_every_allowed_transition_passes(current: State, target: State) -> None:
    check_transition("C2026-0001", current, target)


@pytest.mark.parametrize("current, target, allowed", [
    (State.SIGNED, State.ACTIVE, "provisioned"),
    (State.ACTIVE, State.DECOMMISSIONED, "suspended, ended"),
    (State.IN_STORAGE, State.ACTIVE, "collected, shipped, abandoned"),
])
def test_forbidden_transitions_name_the_allowed_ones(current: State, target: State, allowed: str) -> None:
    with pytest.raises(Refused, match=f"may only go to: {allowed}$") as e:
        check_transition("C2026-0001", current, target)
    assert e.value.exit_code == 3


@pytest.mark.parametrize("final", [State.COLLECTED, State.SHIPPED, State.ABANDONED])
def test_final_states_say_so(final: State) -> None:
    with pytest.raises(Refused, match=f"{final.value} is final"):
        check_transition("C2026-0001", final, State.ACTIVE)


def test_every_state_is_reachable_from_signed() -> None:
    seen, todo = {State.SIGNED}, [State.SIGNED]
    while todo:
        for nxt in TRANSITIONS[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(State)


def test_events_speak_the_clocks_vocabulary() -> None:
    assert event_kind(State.PROVISIONED, State.ACTIVE) == "activated"
    assert event_kind(State.SUSPENDED, State.ACTIVE) == "resumed"
    assert event_kind(State.DECOMMISSIONED, State.IN_STORAGE) == "stored"


@pytest.mark.parametrize("free, n, chosen", [
    ([3, 4, 5, 9, 10], 2, [3, 4]),            # lowest run long enough
    ([3, 5, 6, 7, 9], 3, [5, 6, 7]),          # skip a short run for one that fits
    ([3, 5, 6, 9, 10, 11], 4, [5, 9, 10, 11]),  # none fits: longest runs first (9-11, then 5-6)
    ([7], 1, [7]),
])
def test_choose_units_prefers_adjacent(free: list[int], n: int, chosen: list[int]) -> None:
    assert choose_units(free, n) == chosen


def test_choose_units_refuses_more_than_free() -> None:
    with pytest.raises(ValueError):
        choose_units([1, 2], 3)


@pytest.mark.parametrize("spec, numbers", [("3-5", [3, 4, 5]), ("1-2, 41-42", [1, 2, 41, 42]), (7, [7]), ("8", [8])])
def test_expand_numbers(spec: str | int, numbers: list[int]) -> None:
    assert expand_numbers(spec) == numbers


@pytest.mark.parametrize("bad", ["5-3", "a-b", "3-", ""])
def test_expand_numbers_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        expand_numbers(bad)


@pytest.mark.parametrize("spec, first, last, count", [
    ("GigabitEthernet1/0/1-44", "GigabitEthernet1/0/1", "GigabitEthernet1/0/44", 44),
    ("Ten-GigabitEthernet1/0/49-52", "Ten-GigabitEthernet1/0/49", "Ten-GigabitEthernet1/0/52", 4),
    ("XGigabitEthernet0/0/1-4", "XGigabitEthernet0/0/1", "XGigabitEthernet0/0/4", 4),
    ("GigabitEthernet0/0/7", "GigabitEthernet0/0/7", "GigabitEthernet0/0/7", 1),
])
def test_expand_interfaces(spec: str, first: str, last: str, count: int) -> None:
    names = expand_interfaces(spec)
    assert (names[0], names[-1], len(names)) == (first, last, count)


@pytest.mark.parametrize("bad", ["GigabitEthernet1/0/9-2", "1/0/1", "Gi 1/0/1"])
def test_expand_interfaces_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        expand_interfaces(bad)
