"""Machine-room visits (SLA §9): announced with reason and times, escorted, badged, signed out.

Only visits the customer's authorized people ask for (§9.3): the visitor is one of them, or
is named in the request by one (`--requested-by`), who is kept with the visit. A request
comes before the entry it announces, also when either is back-dated with `--at`.

An overdue exit (a visitor still inside after the expected exit) is what the night
shift must see first, so `visit list --overdue` shows exactly those.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from provision.domain.bounds import not_before, one_line, within_reach
from provision.domain.people import announced_in_advance, entry_after_request, visit_sponsor
from provision.errors import BadInput, NotFound, Refused
from provision.services.context import Context, load_site, parse_time
from provision.services.contracts import get_contract, iso
from provision.services.site_scope import of_site, own, scoped
from provision.store.schema import AuthorizedPerson, ContractEvent, Visit


def request(ctx: Context, contract_id: str, visitor: str, reason: str, activity: str, enter: str, leave: str,
            support: str | None = None, requested_by: str | None = None) -> dict[str, Any]:
    sponsor = None if requested_by is None else one_line("--requested-by", requested_by,
                                                         "give the authorized person who asked for the visit", 120)
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        contract = get_contract(s, contract_id)
        start, end = parse_time(enter, site.tz, "--enter"), parse_time(leave, site.tz, "--exit")
        if end <= start:
            raise BadInput(f"--exit {leave} is not after --enter {enter}")
        not_before(start, contract.signed_at, "--enter", "a visit", f"the signing of {contract.id}")
        within_reach(end, now, "--exit")
        visit = Visit(contract_id=contract.id, visitor=one_line("--visitor", visitor, "give the visitor's name", 120),
                      reason=one_line("--reason", reason, "say why they come"),
                      activity=one_line("--activity", activity, "say what will be done inside"),
                      support="" if support is None else one_line("--support", support, "say what help is needed"),
                      expected_enter=start, expected_exit=end, requested_at=now, requested_by=ctx.actor)
        announced_in_advance(now, start)
        authorized = list(s.scalars(select(AuthorizedPerson.name).where(
            AuthorizedPerson.customer_id == contract.customer_id, AuthorizedPerson.active.is_(True))
            .order_by(AuthorizedPerson.name)))
        visit.authorized_by = visit_sponsor(visit.visitor, sponsor, authorized)
        s.add(visit)
        s.flush()
        s.add(ContractEvent(contract_id=contract.id, kind="visit_requested", at=now, actor=ctx.actor, months=0,
                            ref=str(visit.id), detail=f"{visit.visitor}: {visit.reason} ({iso(start, site)} to "
                                                      f"{iso(end, site)})"
                            + ("" if visit.authorized_by == visit.visitor
                               else f", requested by {visit.authorized_by}")))
        return _view(visit, site, now)


def enter(ctx: Context, visit_id: int, escort: str, badge: str) -> dict[str, Any]:
    if not re.fullmatch(r"[A-Za-z0-9-]{1,32}", badge):
        raise BadInput(f"--badge {badge!r}: give the badge number (letters, digits, -)")
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        visit = _visit(s, visit_id)
        if visit.entered_at is not None:
            raise Refused(f"visit #{visit.id}: {visit.visitor} already entered at {iso(visit.entered_at, site)}")
        entry_after_request(visit.requested_at.astimezone(site.tz), now, f"visit #{visit.id}")
        visit.escort, visit.badge, visit.entered_at = one_line("--escort", escort, "give the escort's name"), badge, now
        s.add(ContractEvent(contract_id=visit.contract_id, kind="visit_entered", at=now, actor=ctx.actor, months=0,
                            ref=str(visit.id), detail=f"{visit.visitor}, badge {badge}, escorted by {visit.escort}"))
        return _view(visit, site, now)


def leave(ctx: Context, visit_id: int) -> dict[str, Any]:
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        visit = _visit(s, visit_id)
        if visit.entered_at is None or visit.left_at is not None:
            raise Refused(f"visit #{visit.id}: {visit.visitor} is not inside")
        visit.left_at = now
        s.add(ContractEvent(contract_id=visit.contract_id, kind="visit_left", at=now, actor=ctx.actor, months=0,
                            ref=str(visit.id), detail=f"{visit.visitor} left, badge {visit.badge} returned"))
        return _view(visit, site, now)


def listing(ctx: Context, overdue_only: bool = False, contract_id: str | None = None) -> list[dict[str, Any]]:
    """This site's visits not yet over (`contract_id`'s only, when given), by expected entry."""
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        query = select(Visit).where(Visit.left_at.is_(None), of_site(s, Visit.contract_id, contract_id))
        rows = [_view(v, site, now) for v in s.scalars(query.order_by(Visit.expected_enter))]
        return [r for r in rows if r["overdue_exit"]] if overdue_only else rows


def _visit(s: Any, visit_id: int) -> Visit:
    visit = s.get(Visit, visit_id)
    if visit is None:
        raise NotFound(f"visit #{visit_id} does not exist: see `colo visit list`")
    return own(s, visit, "visit")


def _view(v: Visit, site: Any, now: Any) -> dict[str, Any]:
    inside = v.entered_at is not None and v.left_at is None
    return {"visit": v.id, "contract": v.contract_id, "visitor": v.visitor, "reason": v.reason, "activity": v.activity,
            "support": v.support or None, "expected_enter": iso(v.expected_enter, site),
            "expected_exit": iso(v.expected_exit, site), "escort": v.escort, "badge": v.badge,
            "requested_at": iso(v.requested_at, site), "requested_by": v.authorized_by,
            "entered_at": iso(v.entered_at, site), "left_at": iso(v.left_at, site), "inside": inside,
            "overdue_exit": inside and now > v.expected_exit}


def show(ctx: Context, text: str | int) -> dict[str, Any]:
    """One visit (V5 or 5), also one that is over (`visit list` shows those not yet left)."""
    with ctx.store.session() as s:
        site = load_site(s)
        return _view(scoped(s, Visit, "visit", text), site, ctx.now(site))
