"""The ranges an input may fall in: the dates a record may carry, lengths of text, sums of money.

In one place so every face (CLI, Ansible modules, scripts) refuses the same absurd input
with the same words, before it reaches the store: a payment dated 1900, an outage in
9999 or a fee of 1e400 would otherwise overflow a date type or a column, or sit in the
books as a plausible record nobody can explain.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from decimal import Decimal

from provision.errors import BadInput

FIRST_YEAR, LAST_YEAR = 2000, 2099   # every time the toolkit records or runs at (--at) lies in these years
SKEW = timedelta(minutes=5)          # a fact may be dated this far past 'now': clocks of two machines differ
AHEAD = timedelta(days=366)          # a plan (visit, hold, maintenance) may be recorded at most this far ahead

# Money: positive, whole fen, below a billion CNY. The largest fee times the most periods
# a term spans (120 monthly) still fits the store's NUMERIC(14, 2).
MONEY_MIN = Decimal("0.01")
MONEY_MAX = Decimal("999999999.99")

NAME_MAX = 200      # names and one-line texts the store keeps in 200-character columns
TARGET_MAX = 300    # URLs and host:port targets (the store's column for them)

_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def shown(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def check_year(moment: datetime, option: str) -> datetime:
    """A time of the years the toolkit records; checked on the time as written, so year 1 or 9999 never
    reaches arithmetic that would overflow."""
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise BadInput(f"{option} {moment.date().isoformat()} is outside the years {FIRST_YEAR}-{LAST_YEAR} "
                       f"the toolkit records: give a time in that range")
    return moment


def check_month(text: str, option: str = "--month") -> str:
    """YYYY-MM of a year the toolkit records."""
    m = _MONTH.fullmatch(text.strip())
    if m is None or not FIRST_YEAR <= int(m.group(1)) <= LAST_YEAR:
        raise BadInput(f"{option} {text!r}: give YYYY-MM of the years {FIRST_YEAR}-{LAST_YEAR}, e.g. 2026-12")
    return m.group(0)


def not_before(moment: datetime, earliest: datetime, option: str, what: str, since: str) -> None:
    """`what` (dated `moment`, given as `option`) cannot precede `since`, which happened at `earliest`."""
    if moment < earliest:
        raise BadInput(f"{option} {shown(moment)}: {what} cannot come before {since} at "
                       f"{shown(earliest.astimezone(moment.tzinfo))}; give a later {option}")


def happened(moment: datetime, now: datetime, option: str) -> None:
    """A fact (a report, a notification, a signing) cannot be dated after 'now'."""
    if moment > now + SKEW:
        raise BadInput(f"{option} {shown(moment)} is in the future (now {shown(now.astimezone(moment.tzinfo))}): "
                       f"give when it happened")


def within_reach(moment: datetime, now: datetime, option: str) -> None:
    """A plan may be recorded ahead, but not beyond AHEAD: 9999-12-31 is a typo, not a plan."""
    if moment > now + AHEAD:
        raise BadInput(f"{option} {shown(moment)} is more than {AHEAD.days} days after now "
                       f"({shown(now.astimezone(moment.tzinfo))}): give a nearer time")


def one_line(option: str, value: str | None, what: str, limit: int = NAME_MAX) -> str:
    """One line of printable text, stored as given (outer spaces trimmed); `what` says what to write."""
    text = (value or "").strip()
    if not text:
        raise BadInput(f"{option} is empty: {what}, 1-{limit} characters")
    if len(text) > limit:
        raise BadInput(f"{option} is {len(text)} characters long: {what} in at most {limit}")
    bad = next((ch for ch in text if unicodedata.category(ch) == "Cc"), None)
    if bad is not None:
        raise BadInput(f"{option} contains the control character U+{ord(bad):04X}: {what} on one line, "
                       f"without tabs, newlines or terminal escapes")
    return text
