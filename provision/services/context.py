"""What every use case runs with: the store, the injected clock, the actor, the site.

The clock is injected (`--at` for dated writes and deterministic CI, `--what-if` for a
run that only looks); nothing below the faces calls `datetime.now()` except
`Context.now` when no time is given, and the audit log, which keeps the real time of
each write beside the time it is dated. A what-if context opens the store read-only and
refuses every device (services.devices), so it can show what would be without changing
anything.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from provision.domain import refs
from provision.domain.bounds import check_year
from provision.domain.calendar import WorkCalendar
from provision.errors import BadInput, Refused
from provision.services.calendar_cache import cached_china_year
from provision.store.engine import READ_ONLY_KEY, SITE_KEY, Store, open_store
from provision.store.rows import Reader

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class SiteInfo:
    name: str
    tz: ZoneInfo
    dns: tuple[str, ...]
    calendar: WorkCalendar
    id: int = 1


SITE_ID_KEY = "colo_site_id"  # Session.info key: the resolved site's id, for queries that scope by site


def reader(s: Session | Reader) -> Reader:
    """What a view reads through (store.rows): a read's own reader as it is, or the driver connection under a
    session — its pending changes flushed first, as an ORM query would — so a use case that writes shows what
    it wrote, in its own transaction."""
    if isinstance(s, Reader):
        return s
    s.flush()
    conn = s.connection()
    return Reader(conn.connection.driver_connection, conn.dialect.name, s.info.get(SITE_KEY))


def iso(moment: datetime | None, site: SiteInfo) -> str | None:
    """A stored time as output shows it: ISO 8601 in the site's timezone, to the second."""
    return None if moment is None else moment.astimezone(site.tz).isoformat(timespec="seconds")


def site_row(s: Session | Reader) -> Any:
    """The site this run works on: the one `--site` names, or the store's only site.

    A store with several sites and no `--site` is bad input naming them, so no command
    ever guesses which datacenter a technician meant.
    """
    r = reader(s)
    rows = r.rows("SELECT * FROM site ORDER BY name")
    if not rows:
        raise BadInput("the store has no site yet: run `colo init --inventory PATH`")
    names = ", ".join(row.name for row in rows)
    if r.site is None:
        if len(rows) > 1:
            raise BadInput(f"the store holds sites {names}: give --site NAME (or COLO_SITE) to say which")
        row = rows[0]
    else:
        found = [row for row in rows if row.name == r.site.strip()]
        if not found:
            raise BadInput(f"--site {r.site!r} is not a site of this store: use one of {names}")
        row = found[0]
    if not isinstance(s, Reader):
        s.info[SITE_ID_KEY] = row.id
    return row


def site_id(session: Session) -> int:
    """The resolved site's id (resolving it first if this session has not yet)."""
    known: int | None = session.info.get(SITE_ID_KEY)
    return known if known is not None else int(site_row(session).id)


def lock_site(session: Session) -> None:
    """Queue behind every other allocation or round of this site (not of the others) until the transaction ends."""
    from sqlalchemy import text

    session.execute(text("SELECT id FROM site WHERE id = :id FOR UPDATE"
                         if session.get_bind().dialect.name != "sqlite" else "SELECT id FROM site WHERE id = :id"),
                    {"id": site_id(session)})


def load_site(s: Session | Reader) -> SiteInfo:
    row = site_row(s)
    overrides = {day: working for day, working in reader(s).rows(
        "SELECT day, working FROM calendar_days WHERE site_id = :site", site=row.id)}
    return SiteInfo(row.name, ZoneInfo(row.timezone), tuple(filter(None, row.dns.split(","))),
                    WorkCalendar(overrides, cached_china_year), row.id)


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


def what_if_refusal(command: str | None) -> str:
    named = f"`colo {command}`" if command else "this command"
    return (f"what-if: {named} would write to the store; nothing was written — run it without --what-if "
            f"(add --dry-run to see its plan)")


def refuse_in_what_if(s: Session, devices: str) -> None:
    """Called before any device connection is opened: a what-if run touches no device."""
    if s.info.get(READ_ONLY_KEY):
        raise Refused(f"what-if: this command would contact {devices}; no device is touched in a what-if run — "
                      f"run it without --what-if (add --dry-run to see its plan)")


@dataclass
class Context:
    """A store plus 'now' as this run sees it; `at` text is resolved in the site's timezone.

    `what_if` makes `at` a look only: the store is read-only and devices are refused.
    """

    store: Store
    at: str | None = None
    actor: str = ""
    what_if: bool = False

    @classmethod
    def open(cls, db: str | None = None, at: str | None = None, actor: str | None = None,
             what_if: str | None = None, command: str | None = None, site: str | None = None) -> Context:
        if what_if is not None and at is not None:
            raise BadInput("--at and --what-if both set the time: give --what-if TIME to look, --at TIME to write")
        store = open_store(db, read_only=None if what_if is None else what_if_refusal(command))
        store.require_current()
        store.site = site
        return cls(store, what_if if what_if is not None else at, actor or default_actor(), what_if is not None)

    def now(self, site: SiteInfo) -> datetime:
        if self.at is None:
            return datetime.now(UTC).astimezone(site.tz)
        return parse_time(self.at, site.tz, "--what-if" if self.what_if else "--at").astimezone(site.tz)


Row = TypeVar("Row")


def numbered(s: Session, model: type[Row], kind: str, text: str | int, noun: str | None = None) -> Row:
    """The `model` row numbered `text` (E5 or 5, as `refs` reads it for `kind`), or bad input naming it and the
    listing that shows which exist."""
    n = refs.number(text, kind, noun)
    row: Any = s.get(model, n)
    if row is None:
        raise refs.missing(kind, n, noun)
    return row  # type: ignore[no-any-return]
