"""Money as customers read it: sums parsed strictly, lines rounded half-up to the fen."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from provision.domain.bounds import MONEY_MAX, MONEY_MIN
from provision.errors import BadInput

FEN = Decimal("0.01")
_SUM = re.compile(r"\d+(\.\d{1,2})?")


def to_fen(amount: Decimal) -> Decimal:
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def parse_money(text: str, option: str) -> Decimal:
    """A sum of CNY written out in digits, kept to the fen ('1200' -> 1200.00).

    Only plain digits are accepted: Decimal would also take '1e400', 'NaN' or '-5', and a
    sum stored with an exponent prints as one on every account a customer is shown.
    """
    digits = text.strip()
    if not _SUM.fullmatch(digits):
        raise BadInput(f"{option} {_clip(digits)!r} is not a number of CNY in digits with at most 2 decimals: "
                       f"give e.g. 12000.00")
    return check_money(Decimal(digits), option)


def check_money(amount: Decimal, option: str) -> Decimal:
    """A sum of whole fen from MONEY_MIN to MONEY_MAX, returned to the fen; also for sums that arrive as Decimal."""
    whole_fen = amount.is_finite() and amount.as_tuple().exponent >= -2  # type: ignore[operator]
    if not whole_fen or not MONEY_MIN <= amount <= MONEY_MAX:
        raise BadInput(f"{option} {_clip(str(amount))} is out of range: give {MONEY_MIN} to {MONEY_MAX:,}, "
                       f"at most 2 decimals")
    return amount.quantize(FEN)


def _clip(text: str) -> str:
    return text if len(text) <= 24 else f"{text[:12]}… ({len(text)} characters)"


@dataclass(frozen=True)
class Line:
    label: str
    amount: Decimal
