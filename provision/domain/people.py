"""The people the agreement names: who looks after a contract, what a complaint is about, who may visit.

SLA §5 and §6.2 give each customer a customer-service representative and an engineer; §8.1
sorts complaints into three kinds, possibly against a named employee; §9.3 lets into the
machine room only visits announced in advance, by or for the customer's authorized people.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from provision.domain.bounds import shown
from provision.errors import BadInput, Refused

# SLA §8.1: 网络质量 / 客户服务 / 技术支持
COMPLAINT_CATEGORIES = {"network-quality": "network quality", "customer-service": "customer service",
                        "technical-support": "technical support"}


def complaint_category(text: str) -> str:
    category = text.strip().lower()
    if category not in COMPLAINT_CATEGORIES:
        raise BadInput(f"--category {text!r}: give one of {', '.join(COMPLAINT_CATEGORIES)}")
    return category


def announced_in_advance(requested_at: datetime, expected_enter: datetime) -> None:
    """A visit request comes before the entry it announces (§9.3): one for now or the past announces nothing."""
    if expected_enter <= requested_at:
        raise Refused(f"--enter {shown(expected_enter)} is not after the request ({shown(requested_at)}): a visit is "
                      f"announced in advance; give the expected entry ahead of now")


def entry_after_request(requested_at: datetime, entered_at: datetime, visit: str) -> None:
    """The entry comes after its request: a request dated after the visitor came in announced nothing.

    With `--at` both can be back-dated, so the order of the two dates is checked, not the order
    in which they were typed in.
    """
    if entered_at <= requested_at:
        raise Refused(f"{visit} was requested at {shown(requested_at)}, not before this entry at "
                      f"{shown(entered_at.astimezone(requested_at.tzinfo))}: an unannounced visitor is not let in "
                      f"on it; record a new request ahead of the entry")


def visit_sponsor(visitor: str, requested_by: str | None, authorized: Sequence[str]) -> str:
    """The authorized person behind a visit (§9.3): the visitor, or the one who named them in the request."""
    who_may = (f"the customer's authorized persons are {', '.join(repr(n) for n in authorized)}" if authorized
               else "the customer has no authorized person yet (`colo person add`)")
    if requested_by is not None:
        if requested_by not in authorized:
            raise Refused(f"--requested-by {requested_by!r} is not an authorized person of the customer: {who_may}")
        return requested_by
    if visitor not in authorized:
        raise Refused(f"--visitor {visitor!r} is not an authorized person of the customer: a visit is requested by "
                      f"one, who names the visitor (--requested-by NAME); {who_may}")
    return visitor
