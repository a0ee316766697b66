"""When probe results become an emergency, and what power and ping tell of each other (SLA §1-§4).

Pure rules over one "watch" (a contract's network, power, or a service check) across
rounds. A round that could not tell (`None`: say the PDUs' management network was
down) neither fails nor clears a watch. Two consecutive failed rounds declare the
emergency; the outage is dated from the first failed round, because that is the
earliest moment the provider could have known. The first good round ends it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum

PERIOD = timedelta(minutes=5)
FAILED_ROUNDS = 2


@dataclass(frozen=True)
class Watch:
    failures: int = 0
    first_failed_at: datetime | None = None
    declared: bool = False


class Step(Enum):
    NONE = "none"
    DECLARE = "declare"   # the second consecutive failed round
    RECOVER = "recover"   # a good round after a declared emergency


def step(watch: Watch, ok: bool | None, at: datetime) -> tuple[Watch, Step]:
    if ok is None:
        return watch, Step.NONE
    if ok:
        return Watch(), Step.RECOVER if watch.declared else Step.NONE
    failed = replace(watch, failures=watch.failures + 1, first_failed_at=watch.first_failed_at or at)
    if failed.failures >= FAILED_ROUNDS and not failed.declared:
        return replace(failed, declared=True), Step.DECLARE
    return failed, Step.NONE


@dataclass(frozen=True)
class Feed:
    """One outlet feeding a unit, as the last poll saw it."""

    kind: str            # mains | ups
    on: bool | None      # None: the PDU did not answer


def has_power(feeds: Sequence[Feed], site_answered: bool, server_answers: bool = False) -> bool | None:
    """Whether a unit has power: lost only when mains AND UPS both have none (DOMAIN §3).

    A server that answers ping this round has power, whatever its outlets read: a PDU
    whose management card or network failed, or an outlet mapped wrongly in the store,
    must not become a power outage the provider credits and reports to the customer.
    Otherwise a PDU's management card runs on its own inlet, so a PDU that stops
    answering while others on the site still answer is taken as a feed without power.
    When no PDU answers at all the monitor itself is cut off and cannot tell (`None`).
    """
    if not feeds:
        return None
    if server_answers or any(f.on for f in feeds):
        return True
    if not site_answered and all(f.on is None for f in feeds):
        return None
    return False


def reaches_network(answers_ping: bool, powered: bool) -> bool | None:
    """Whether a server's port reaches the upstream network, as its ping tells.

    A server without power cannot answer, so its silence says nothing of the port
    (DOMAIN §3: network availability is the port reaching upstream) and the time is
    the power outage's: counted once, and the customer told once, of the cause.
    """
    if answers_ping:
        return True
    return False if powered else None
