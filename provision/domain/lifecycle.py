"""The contract's life as an explicit state machine (hosting contract §2, §6, §8).

Keeping the transitions in one table means every use case asks the same question
("may this contract go from A to B?") and every refusal can list what *is* allowed.
"""

from __future__ import annotations

from enum import StrEnum

from provision.errors import Refused


class State(StrEnum):
    SIGNED = "signed"
    PROVISIONED = "provisioned"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    ENDED = "ended"
    DECOMMISSIONED = "decommissioned"
    IN_STORAGE = "in_storage"
    COLLECTED = "collected"
    SHIPPED = "shipped"
    ABANDONED = "abandoned"


TRANSITIONS: dict[State, tuple[State, ...]] = {
    State.SIGNED: (State.PROVISIONED,),
    State.PROVISIONED: (State.ACTIVE,),
    State.ACTIVE: (State.SUSPENDED, State.ENDED),
    State.SUSPENDED: (State.ACTIVE, State.ENDED),
    State.ENDED: (State.DECOMMISSIONED,),
    State.DECOMMISSIONED: (State.IN_STORAGE,),
    State.IN_STORAGE: (State.COLLECTED, State.SHIPPED, State.ABANDONED),
    State.COLLECTED: (),
    State.SHIPPED: (),
    State.ABANDONED: (),
}

class StopReason(StrEnum):
    """Why a suspended contract is stopped: only a stop for non-payment is lifted by payment.

    The others are stops with an authority of their own — a failed annual review (hosting
    §5.8), an order of the authorities (§5.9), abuse that went on after a warning (user
    undertaking 5.2) — and end only when a person records that authority lifted.
    """

    NONPAYMENT = "nonpayment"
    REVIEW = "review"
    AUTHORITIES = "authorities"
    ABUSE = "abuse"


# States in which the contract still holds slot, port and addresses.
HOLDS_RESOURCES = frozenset({State.SIGNED, State.PROVISIONED, State.ACTIVE, State.SUSPENDED, State.ENDED})


def event_kind(current: State, target: State) -> str:
    """The event a transition records, in the vocabulary the clocks listen for."""
    if target is State.ACTIVE:
        return "activated" if current is State.PROVISIONED else "resumed"
    if target is State.IN_STORAGE:
        return "stored"
    return target.value


def check_transition(contract_id: str, current: State, target: State) -> None:
    """Raise Refused (exit 3) naming the allowed next states when `target` is not one."""
    allowed = TRANSITIONS[current]
    if target in allowed:
        return
    if allowed:
        options = ", ".join(s.value for s in allowed)
        hint = f"from {current.value} it may only go to: {options}"
    else:
        hint = f"{current.value} is final; nothing may follow it"
    raise Refused(f"contract {contract_id} cannot go from {current.value} to {target.value}: {hint}")
