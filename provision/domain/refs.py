"""Record numbers as people say them: E5 is an emergency, O5 an outage, never just "5".

Each kind of record counts from 1, so `outage: 5` printed next to `emergency: 5` is two
different things with one name. Human output and --json (`"ref"`) carry the prefixed
form; every command taking a number accepts both `E5` and `5`.
"""

from __future__ import annotations

import re
from typing import Any

from provision.errors import BadInput, NotFound

PREFIX = {"emergency": "E", "outage": "O", "ticket": "T", "complaint": "K", "case": "A", "visit": "V",
          "authorization": "AU", "notice": "N", "hold": "H", "stop": "S", "review": "R"}
# What to list to find a number, per kind, for the error that refuses a malformed one.
LISTING = {"emergency": "colo emergency list", "outage": "colo outage list", "ticket": "colo ticket list",
           "complaint": "colo complaint list", "case": "colo abuse list", "visit": "colo visit list",
           "authorization": "colo authorization list", "notice": "colo notice list", "hold": "colo hold list",
           "stop": "colo authority list", "review": "colo review list"}
LIMIT = 2**31 - 1  # PostgreSQL's integer keys are 32-bit


def ref(kind: str, number: int | str | None) -> str:
    """`ref("emergency", 5)` is "E5"; an already prefixed value or None passes through."""
    if number is None:
        return "-"
    text = str(number)
    return text if not text.isdigit() else f"{PREFIX[kind]}{text}"


def number(text: str | int, kind: str, noun: str | None = None) -> int:
    """The record number in `E5`, `e5` or `5` (for kind "emergency"); anything else is bad input naming the form."""
    prefix = PREFIX[kind]
    m = re.fullmatch(rf"\s*(?:{prefix})?(\d{{1,10}})\s*", str(text), flags=re.IGNORECASE)
    if m is None or not 1 <= int(m.group(1)) <= LIMIT:
        raise BadInput(f"{noun or kind} {str(text)!r} is not a{'n' if kind[0] in 'aeiou' else ''} {kind} id: "
                       f"give e.g. {prefix}12 or 12 (see `{LISTING[kind]}`)")
    return int(m.group(1))


def annotate(data: Any) -> Any:
    """Add `"ref": "E5"` to every record view in `data` whose first key is its own number (`{"emergency": 5, ...}`).

    Only added, never replacing a key: scripts reading the integer keep working.
    """
    if isinstance(data, list):
        for item in data:
            annotate(item)
    elif isinstance(data, dict):
        first = next(iter(data), None)
        if first in PREFIX and isinstance(data[first], int) and not isinstance(data[first], bool) and "ref" not in data:
            data["ref"] = ref(first, data[first])
        for value in data.values():
            if isinstance(value, (dict, list)):
                annotate(value)
    return data


def missing(kind: str, n: int, noun: str | None = None) -> NotFound:
    """A well-formed number with no record behind it: the error names the record and where the existing ones are."""
    return NotFound(f"{noun or kind} {ref(kind, n)} does not exist: see `{LISTING[kind]}`")


def pick(rows: list[dict[str, Any]], kind: str, text: str | int, noun: str | None = None) -> dict[str, Any]:
    """The row numbered `text` (E5 or 5) of a listing whose rows carry their number under `kind`.

    A `show` that picks from its listing shows a record exactly as the listing does.
    """
    n = number(text, kind, noun)
    for row in rows:
        if ref(kind, row[kind]) == ref(kind, n):
            return row
    raise missing(kind, n, noun)
