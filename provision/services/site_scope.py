"""Which site a record is: a contract's records (tickets, complaints, abuse cases, emergencies, outages, notices,
visits, authorizations, reviews, stops, payments, audit records) are its contract's site's; a record without a
contract (a hold, a drift fix's operation, a switch) is its rack's or devices' site's.

A list shows only the chosen site's records; a show or a write of another site's record
is not found here, naming its site and the `--site` that reaches it — the same answer
`colo contract show` gives for another site's contract, so a technician on site A never
acts on site B's record by its number alone.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from provision.domain import refs
from provision.errors import NotFound
from provision.services.context import numbered, reader, site_id
from provision.services.contract_view import other_site
from provision.services.contracts import get_contract
from provision.store.schema import Contract, Pdu, SiteRow, Switch

Row = TypeVar("Row")


def of_site(s: Session, contract_column: InstrumentedAttribute[Any], contract_id: str | None = None,
            ) -> ColumnElement[bool]:
    """The filter keeping a listing to this site's records, and to `contract_id`'s alone when given (`--contract`;
    another site's contract is refused as `get_contract` refuses it)."""
    if contract_id is not None:
        return contract_column == get_contract(s, contract_id).id
    return contract_column.in_(select(Contract.id).where(Contract.site_id == site_id(s)))


def own(s: Session, row: Row, kind: str, noun: str | None = None) -> Row:
    """`row` (with `id` and `contract_id`) if its contract is this site's (or it names none); another site's is
    not found here."""
    cid = row.contract_id  # type: ignore[attr-defined]
    contract = None if cid is None else s.get(Contract, cid)
    if contract is not None and contract.site_id != site_id(s):
        number = row.id  # type: ignore[attr-defined]
        label = f"{noun or kind} {refs.ref(kind, number) if kind in refs.PREFIX else number}"
        raise NotFound(f"{label}: {other_site(reader(s), contract)}")
    return row


def elsewhere(s: Session, label: str, other: int) -> NotFound:
    """A record that is site `other`'s by its devices or racks (no contract to name), refused as `other_site`
    refuses a contract."""
    name = s.scalar(select(SiteRow.name).where(SiteRow.id == other)) or other
    return NotFound(f"{label} is site {name}'s, not this site's: give --site {name}")


def device_sites(s: Session, names: list[str]) -> set[int]:
    """The sites of the switches and PDUs named (their names are unique across the store)."""
    return {sid for model in (Switch, Pdu) for sid in s.scalars(select(model.site_id).where(model.name.in_(names)))}


def scoped(s: Session, model: type[Row], kind: str, text: str | int, noun: str | None = None) -> Row:
    """The `model` row numbered `text` (E5 or 5), if it is this site's: `numbered` and `own` together."""
    return own(s, numbered(s, model, kind, text, noun), kind, noun)
