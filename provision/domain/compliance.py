"""Licences, the annual review, the authorities and abuse (hosting §5.7-5.9, user undertaking 5.2).

Pure rules over plain data: which licences a customer must have on file, when the
next annual review is due, which stop holds a suspended contract and what is left
holding it once one is lifted, and when a spam warning is due.

Stops other than non-payment carry an authority of their own (a failed review, an
order of the authorities, abuse that went on after a warning). Several may hold one
contract at once; the contract keeps the strongest as its `stop_reason`, and the
service comes back only when none is left and nothing is owed — a stop lifted while
the customer is in debt leaves the contract stopped for non-payment, which payment
lifts as usual.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from provision.domain.lifecycle import State, StopReason
from provision.errors import Refused


class LicenceKind(StrEnum):
    BUSINESS = "business"        # the business licence (营业执照) copy: every customer
    ADVERTISING = "advertising"  # an advertising licence: where the customer declares advertising business
    ICP = "icp"                  # a value-added telecom (ICP) licence: where the customer declares such business


DECLARABLE = (LicenceKind.ADVERTISING, LicenceKind.ICP)


def required_licences(declared: Iterable[LicenceKind]) -> tuple[LicenceKind, ...]:
    """The business licence always; an advertising or ICP licence only for business the customer declared."""
    chosen = set(declared)
    return (LicenceKind.BUSINESS, *(k for k in DECLARABLE if k in chosen))


def missing_licences(declared: Iterable[LicenceKind], on_file: Iterable[LicenceKind]) -> tuple[LicenceKind, ...]:
    have = set(on_file)
    return tuple(k for k in required_licences(declared) if k not in have)


# --- the annual review (hosting §5.8) -------------------------------------------------

# A review counts for the first anniversary of activation at least this far after it: a
# review held a little before or after an anniversary covers that year, and the next one
# falls due a year on, not a few weeks later.
REVIEW_WINDOW = relativedelta(months=6)


def review_due(activated: datetime, after: datetime) -> datetime:
    """End (23:59:59 local) of the first anniversary of `activated` at least six months after `after`.

    `after` is the activation itself (the first review is due on the first anniversary)
    or the last review held. 29 February anniversaries fall on 28 February in other years.
    """
    years = 1
    while True:
        day = (activated + relativedelta(years=years)).date()
        due = datetime.combine(day, time(23, 59, 59), tzinfo=activated.tzinfo)
        if due >= after + REVIEW_WINDOW:
            return due
        years += 1


# --- stops and what lifts them --------------------------------------------------------

# Which stop a contract is shown as stopped for when several hold it. Lifting any one
# leaves the others in force whatever the order; the ranking only names the strongest.
STRENGTH = {StopReason.NONPAYMENT: 0, StopReason.ABUSE: 1, StopReason.REVIEW: 2, StopReason.AUTHORITIES: 3}
AUTHORITY_STOPS = (StopReason.REVIEW, StopReason.AUTHORITIES, StopReason.ABUSE)


def strongest(reasons: Iterable[StopReason | None]) -> StopReason | None:
    present = [r for r in reasons if r is not None]
    return max(present, key=STRENGTH.__getitem__) if present else None


class Imposed(StrEnum):
    SHUT = "shut"          # the service runs: its ports are shut (a suspension)
    RESTAMP = "restamp"    # already suspended, ports already shut: only the reason changes, no device is touched


IN_SERVICE = (State.ACTIVE.value, State.SUSPENDED.value)


def in_service(contract_id: str, state: str, what: str) -> None:
    """Reviews and stops concern a service that runs (active) or is stopped (suspended).

    Before activation the customer has no service yet; after the end it has none left.
    """
    if state not in IN_SERVICE:
        raise Refused(f"contract {contract_id} is {state}: {what} needs a running (active) or stopped (suspended) "
                      f"service")


def impose(contract_id: str, state: str, current: StopReason | None, new: StopReason) -> tuple[Imposed, StopReason]:
    """How a stop ordered now takes effect, and the reason the contract is then stopped for.

    A running service is shut; a suspended one already is, so only its reason changes,
    to the stronger of the two (a stop for non-payment becomes one a payment cannot lift).
    """
    in_service(contract_id, state, f"stopping the service ({new.value})")
    if state == State.ACTIVE.value:
        return Imposed.SHUT, new
    held = strongest([current or StopReason.NONPAYMENT, new])
    assert held is not None
    return Imposed.RESTAMP, held


def after_lift(still_open: Iterable[StopReason], in_debt: bool) -> StopReason | None:
    """What still holds a suspended contract once a stop is lifted; None: nothing, the service resumes.

    Another open stop keeps it stopped; otherwise a debt does (non-payment, which a
    payment lifts); otherwise nothing.
    """
    remaining = strongest(still_open)
    if remaining is not None:
        return remaining
    return StopReason.NONPAYMENT if in_debt else None


# --- spam complaints (user undertaking 5.2) -------------------------------------------

# A warning is due "within 3 working days" of the complaint: read as the install guarantee
# is, to the end (23:59:59 local) of the 3rd working day after the complaint's date, the
# day itself never counting (the clock "abuse-warning" in clocks.RULES).
WARNING_WORKING_DAYS = 3


def may_shut_for_abuse(case: str, warned_at: datetime | None, closed: bool) -> None:
    """A shutdown for spam only after the customer was warned and the spam went on (undertaking 5.2)."""
    if closed:
        raise Refused(f"abuse case {case} is closed: report a new complaint (`colo abuse report`) if spam is back")
    if warned_at is None:
        raise Refused(f"abuse case {case} has no warning on record: the service is shut only if the spam goes on "
                      f"after a warning — warn the customer first (`colo abuse warn {case} --ref DOC`)")
