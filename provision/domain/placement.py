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
