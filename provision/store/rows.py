"""The everyday reads' own connection: the DB-API driver itself (sqlite3, psycopg), no SQLAlchemy.

`colo contract show`, `deadlines`, `rack show` and `find` only select. Importing
SQLAlchemy alone costs more than the rest of such a run (~0.2 s of ~0.38 s here), so these
reads speak plain SQL to the driver the store already uses, through this small reader:
named parameters (`:name`; a sequence becomes an `IN` list), rows with attribute access,
and stored values decoded into what the ORM side returns — aware UTC datetimes, `Decimal`
money, dates and booleans — by column name (store.tables declares which names need it).

A use case that writes passes its ORM session instead (`services.context.reader`): the
same reader then runs on that session's own DB-API connection, inside its transaction,
so what it returns includes what it wrote.
"""

from __future__ import annotations

import re
import sqlite3
from collections import namedtuple
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from provision.store.tables import DECODED

SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy's SQLite DateTime stores a time (UTC, naive)


def _utc(value: Any) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


DECODERS: dict[str, Callable[[Any], Any]] = {
    "utc": _utc,
    "money": lambda v: Decimal(str(v)),
    "date": lambda v: date.fromisoformat(v) if isinstance(v, str) else v,
    "bool": bool,
}
_DECODE = {name: DECODERS[kind] for name, kind in DECODED.items()}
_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


@lru_cache(maxsize=256)
def _row_type(names: tuple[str, ...]) -> type:
    return namedtuple("Row", names, rename=True)  # type: ignore[misc]  # the names come from the query


class Reader:
    """One connection's reads. `site`: the site name the run was given (--site), None for the store's only site."""

    def __init__(self, dbapi: Any, backend: str, site: str | None) -> None:
        self.dbapi = dbapi
        self.backend = backend
        self.site = site

    def rows(self, sql: str, **params: Any) -> list[Any]:
        text, values = self._bind(sql, params)
        cursor = self.dbapi.cursor()
        try:
            cursor.execute(text, values)
            if cursor.description is None:
                return []
            names = tuple(d[0] for d in cursor.description)
            make = _row_type(names)
            decode = [(i, _DECODE[n]) for i, n in enumerate(names) if n in _DECODE]
            out = []
            for raw in cursor.fetchall():
                if decode:
                    raw = list(raw)
                    for i, fn in decode:
                        if raw[i] is not None:
                            raw[i] = fn(raw[i])
                out.append(make(*raw))
            return out
        finally:
            cursor.close()

    def first(self, sql: str, **params: Any) -> Any:
        found = self.rows(sql, **params)
        return found[0] if found else None

    def one(self, sql: str, **params: Any) -> Any:
        found = self.rows(sql, **params)
        if len(found) != 1:
            raise LookupError(f"expected one row, got {len(found)}: {sql}")
        return found[0]

    def scalar(self, sql: str, **params: Any) -> Any:
        row = self.first(sql, **params)
        return None if row is None else row[0]

    def scalars(self, sql: str, **params: Any) -> list[Any]:
        return [row[0] for row in self.rows(sql, **params)]

    def _bind(self, sql: str, params: dict[str, Any]) -> tuple[str, list[Any]]:
        """`:name` placeholders to the driver's positional ones, in order; a sequence to `(?, ?, …)`."""
        mark = "?" if self.backend == "sqlite" else "%s"
        values: list[Any] = []

        def place(m: re.Match[str]) -> str:
            value = params[m.group(1)]
            if isinstance(value, (list, tuple, set, frozenset)):
                items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value)
                if not items:
                    return "(NULL)"  # matches nothing; callers never use NOT IN with an empty list
                values.extend(self._encode(v) for v in items)
                return "(" + ", ".join(mark for _ in items) + ")"
            values.append(self._encode(value))
            return mark

        if self.backend != "sqlite":
            sql = sql.replace("%", "%%")
        return _PARAM.sub(place, sql), values

    def _encode(self, value: Any) -> Any:
        """A parameter as the store keeps it: on SQLite times are UTC text, money text, flags 0/1."""
        if self.backend != "sqlite":
            return value
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError("naive datetime given to the store: localise it first")
            return value.astimezone(UTC).strftime(SQLITE_TIME)
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, bool):
            return int(value)
        return value


def like_fragment(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its own `%`, `_` and `/` taken literally (use ESCAPE '/')."""
    return "%" + re.sub(r"([/%_])", r"/\1", text) + "%"


def sqlite_connect(path: str, read_only: bool) -> sqlite3.Connection:
    """A plain connection that begins its own transactions; a what-if store is opened read-only by SQLite."""
    if read_only:
        from urllib.parse import quote

        conn = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True, timeout=60, isolation_level=None)
    else:
        conn = sqlite3.connect(path, timeout=60, isolation_level=None)
    conn.execute("PRAGMA busy_timeout=60000")
    return conn

