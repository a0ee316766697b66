"""What every use case runs with: the store, the injected clock, the actor, the site.

The clock is injected (`--at` for what-if runs and deterministic CI); nothing below
the faces calls `datetime.now()` except `Context.open` when no time is given.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from provision.domain.bounds import check_year
from provision.domain.calendar import WorkCalendar
from provision.errors import BadInput
from provision.store.engine import Store, open_store
from provision.store.schema import CalendarDay, SiteRow


@dataclass(frozen=True)
class SiteInfo:
    name: str
    tz: ZoneInfo
    dns: tuple[str, ...]
    calendar: WorkCalendar


def load_site(session: Session) -> SiteInfo:
    row = session.get(SiteRow, 1)
    if row is None:
        raise BadInput("the store has no site yet: run `colo init --inventory PATH`")
    overrides = {d.day: d.working for d in session.scalars(select(CalendarDay))}
    return SiteInfo(row.name, ZoneInfo(row.timezone), tuple(filter(None, row.dns.split(","))),
                    WorkCalendar(overrides))


def parse_time(text: str, tz: ZoneInfo, option: str) -> datetime:
    """ISO 8601; a time without offset is the site's local time; years outside the toolkit's range are refused."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(f"{option} {text!r} is not an ISO 8601 time: give e.g. 2026-11-24T09:30 (site time) "
                       f"or 2026-11-24T01:30Z") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return check_year(moment, option)


def parse_day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(f"{option} {text!r} is not a date: give e.g. 2026-11-24") from None


def default_actor() -> str:
    return os.environ.get("COLO_USER") or getpass.getuser()


@dataclass
class Context:
    """A store plus 'now' as this run sees it; `at` text is resolved in the site's timezone."""

    store: Store
    at: str | None = None
    actor: str = ""

    @classmethod
    def open(cls, db: str | None = None, at: str | None = None, actor: str | None = None) -> Context:
        store = open_store(db)
        store.require_current()
        return cls(store, at, actor or default_actor())

    def now(self, site: SiteInfo) -> datetime:
        if self.at is None:
            return datetime.now(UTC).astimezone(site.tz)
        return parse_time(self.at, site.tz, "--at").astimezone(site.tz)
