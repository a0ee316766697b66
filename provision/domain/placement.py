"""Where servers go inside a rack, and range notation for units, outlets and ports.

Pure policy, no store: given what is free, pick deterministically. Adjacent units
are preferred so a customer's servers share a stretch of the rack (shorter cables,
one place for the technician to look).
"""

from __future__ import annotations

import re
from collections.abc import Sequence


def runs(units: Sequence[int]) -> list[list[int]]:
    """Split sorted unit numbers into maximal runs of consecutive units."""
    result: list[list[int]] = []
    for u in sorted(units):
        if result and result[-1][-1] == u - 1:
            result[-1].append(u)
        else:
            result.append([u])
    return result


def choose_units(free: Sequence[int], n: int) -> list[int]:
    """Pick `n` of the free units, adjacent where possible.

    The lowest run long enough wins; when no run is long enough, the longest runs are
    used first (ties: lowest), so the servers stay in as few stretches as possible.
    """
    if n > len(free):
        raise ValueError(f"asked for {n} units, only {len(free)} free")
    stretches = runs(free)
    fitting = [r for r in stretches if len(r) >= n]
    if fitting:
        return fitting[0][:n]
    chosen: list[int] = []
    for run in sorted(stretches, key=lambda r: (-len(r), r[0])):
        chosen.extend(run[: n - len(chosen)])
        if len(chosen) == n:
            break
    return sorted(chosen)


_RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")


def expand_numbers(spec: int | str) -> list[int]:
    """'1-3, 7' -> [1, 2, 3, 7]; raise ValueError naming the bad piece."""
    if isinstance(spec, int):
        return [spec]
    numbers: list[int] = []
    for piece in str(spec).split(","):
        m = _RANGE.match(piece)
        if not m:
            raise ValueError(f"{piece.strip()!r} is not a number or a range like 3-40")
        first, last = int(m.group(1)), int(m.group(2) or m.group(1))
        if last < first:
            raise ValueError(f"range {piece.strip()!r} runs backwards: write it low-high")
        numbers.extend(range(first, last + 1))
    return numbers


_IFRANGE = re.compile(r"^(?P<stem>[A-Za-z][A-Za-z-]*[\d/]*?)(?P<first>\d+)(?:-(?P<last>\d+))?$")


def expand_interfaces(spec: str) -> list[str]:
    """'GigabitEthernet1/0/1-4' -> GigabitEthernet1/0/1 … 1/0/4 (only the last number ranges)."""
    m = _IFRANGE.match(spec.strip())
    if not m:
        raise ValueError(f"{spec!r} is not an interface name or range like GigabitEthernet1/0/1-44")
    first = int(m.group("first"))
    last = int(m.group("last") or first)
    if last < first:
        raise ValueError(f"interface range {spec!r} runs backwards: write it low-high")
    return [f"{m.group('stem')}{n}" for n in range(first, last + 1)]


# --- why a rack was chosen ------------------------------------------------------------

NO_UNIT, NO_POWER, NO_PORT, NO_ADDRESS, NOT_EMPTY = (
    "no free fed unit", "at its power budget", "no free access port", "no free address", "not empty")


def rack_capacity(free_units: int, free_ports: int, headroom_w: int, power_w: int, addresses_free: int,
                  address_needs: Sequence[int], whole_rack: bool = False, empty: bool = True) -> tuple[int, str | None]:
    """How many of the servers (needing `address_needs` addresses each) a rack takes, and what stops more.

    The reason names the resource that ran out first, so a technician reading "first fit;
    A01 at its power budget" knows what to add; None when the rack takes them all.
    A whole-rack order takes one empty rack: any placement or missing unit disqualifies it.
    """
    wanted = len(address_needs)
    if whole_rack:
        wanted = min(wanted, 1)
        limits = [(NOT_EMPTY, wanted if empty else 0)]
    else:
        limits = [(NO_POWER, headroom_w // power_w if power_w > 0 else wanted)]
    limits += [(NO_UNIT, free_units), (NO_PORT, free_ports)]
    need, fit = 0, wanted
    for k, n in enumerate(address_needs[:wanted]):
        need += n
        if need > addresses_free:
            fit = k
            break
    limits.append((NO_ADDRESS, fit))
    take = max(0, min([wanted] + [n for _, n in limits]))
    if take == wanted:
        return take, None
    return take, next(why for why, n in limits if n == take)


def units_text(units: Sequence[int]) -> str:
    """U5-U6, U9 for people: runs of adjacent units as ranges."""
    return ", ".join(f"U{r[0]}" if len(r) == 1 else f"U{r[0]}-U{r[-1]}" for r in runs(units))


def rack_reason(held_for: str | None, beside: str | None, chosen: bool, passed: Sequence[tuple[str, str]],
                shown: int = 3) -> str:
    """Why the allocator put servers in a rack, in the order the policy weighs it.

    `passed` are the racks looked at before it, each with what kept it out; a few are
    named (the rest counted) so a full site does not print a thousand racks.
    """
    if chosen:
        return "the rack asked for (--rack)"
    if held_for is not None:
        return f"held for {held_for}"
    if beside is not None:
        return f"next to the customer's {beside}"
    why = "first fit"
    if passed:
        named = ", ".join(f"{rack} {what}" for rack, what in passed[:shown])
        more = f" (+{len(passed) - shown} more)" if len(passed) > shown else ""
        why += f"; {named}{more}"
    return why
