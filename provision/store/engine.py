"""Opening the store: where it is, which back end, and how transactions behave.

SQLite is the zero-set-up default; every transaction starts with BEGIN IMMEDIATE so
concurrent technicians queue for the write lock instead of failing half-way with
"database is locked". PostgreSQL is for a team: allocation takes a row lock on the
site row (see services.allocation) so concurrent signings serialise there.

A what-if run opens the store read-only in the database itself (SQLite `mode=ro`,
PostgreSQL `default_transaction_read_only`), so no code path — ORM or raw SQL — can
write; the attempt is turned into one refusal that names the command.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from provision.errors import BadInput, OperationFailed, Refused
from provision.store.rows import Reader, sqlite_connect

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

SCHEMA_HEAD = "0023"  # the newest migration; tests check it matches migrations/versions


def default_url() -> str:
    if os.environ.get("COLO_DB"):
        return os.environ["COLO_DB"]
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return f"sqlite:///{data_home / 'colo' / 'colo.db'}"


def normalise_url(raw: str) -> str:
    """Accept a plain file path or a postgresql:// URL; pick the psycopg 3 driver."""
    if "://" not in raw:
        return f"sqlite:///{Path(raw).expanduser().resolve()}"
    if raw.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + raw.split("://", 1)[1]
    return raw


def mask_password(url: str) -> str:
    """`url` with its password shown as ***, as SQLAlchemy renders it: the only form that may be printed."""
    return re.sub(r"^([^/?#]*://[^/?#:@]*):[^/?#@]*@", r"\1:***@", url)


READ_ONLY_KEY = "colo_read_only"  # Session.info key: the refusal a write attempt raises in a what-if run
SITE_KEY = "colo_site"  # Session.info key: the site name the run was given (--site), None: the store's only site


def _is_read_only_error(e: Any) -> bool:
    """The database refused a write because the connection is read-only (SQLite SQLITE_READONLY, PG 25006)."""
    return (getattr(e.orig, "sqlite_errorname", None) == "SQLITE_READONLY"
            or getattr(e.orig, "sqlstate", None) == "25006")


@dataclass
class Store:
    """Where the store is and how this run may use it. The SQLAlchemy engine is made on first use (`engine`,
    `session`): the everyday reads (`reading`) talk to the driver directly and never import SQLAlchemy."""

    url: str  # normalised: sqlite:///PATH or postgresql+psycopg://…
    read_only: str | None = None  # a what-if store: the refusal any write attempt raises
    site: str | None = None  # the site this run works on (--site); services.context resolves it per session
    create: bool = False  # opened by `colo init`: SQLite is switched to WAL on the first connection

    @property
    def backend(self) -> str:
        return "sqlite" if self.url.startswith("sqlite:") else "postgresql"

    @property
    def safe_url(self) -> str:
        """The URL with any password masked: the only form that may be printed."""
        return mask_password(self.url)

    @property
    def path(self) -> str:
        """The SQLite file."""
        return unquote(self.url.split(":///", 1)[1].split("?", 1)[0])

    @cached_property
    def engine(self) -> Engine:
        return _sqlite_engine(self.path, self.create, self.read_only is not None) if self.backend == "sqlite" \
            else _pg_engine(self.url, self.read_only is not None)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One ORM transaction, for use cases that write: committed when the block ends cleanly, rolled back
        otherwise."""
        from provision.store.sessions import orm_session  # the ORM and the schema load only for writers

        with self._failures(), orm_session(self.engine, self.read_only, self.site) as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Reader]:
        """One read-only transaction straight on the driver (store.rows), for the everyday reads: on SQLite a
        plain BEGIN, so a read never queues for the write lock; on PostgreSQL a READ ONLY transaction."""
        with self._connected() as r:
            if self.backend == "sqlite":
                r.dbapi.execute("BEGIN")
            else:
                r.dbapi.read_only = True
            try:
                yield r
            finally:
                r.dbapi.rollback()

    @contextmanager
    def _connected(self) -> Iterator[Reader]:
        """A driver connection, closed afterwards; a failure as the one line the CLI prints."""
        if self.backend == "sqlite":
            try:
                conn: Any = sqlite_connect(self.path, self.read_only is not None)
            except sqlite3.Error as e:
                raise OperationFailed(f"store {self.safe_url} failed: {e}") from None
            failures: tuple[type[BaseException], ...] = (sqlite3.OperationalError,)
        else:
            conn = _pg_connect(self.url, self.safe_url)
            import psycopg

            failures = (psycopg.OperationalError,)
        try:
            yield Reader(conn, self.backend, self.site)
        except failures as e:
            raise OperationFailed(f"store {self.safe_url} failed: {str(e).strip()}") from None
        finally:
            conn.close()

    @contextmanager
    def _failures(self) -> Iterator[None]:
        """A database failure as the one line the CLI prints; a write in a what-if run as its refusal."""
        from sqlalchemy.exc import DBAPIError, OperationalError

        try:
            yield
        except DBAPIError as e:
            if self.read_only and _is_read_only_error(e):
                raise Refused(self.read_only) from None
            if not isinstance(e, OperationalError):
                raise
            raise OperationFailed(f"store {self.safe_url} failed: {e.orig}") from None

    def schema_version(self) -> str | None:
        with self._connected() as r:
            present = (r.scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'")
                       if self.backend == "sqlite" else r.scalar("SELECT to_regclass('alembic_version')::text"))
            if present is None:
                return None
            return r.scalar("SELECT version_num FROM alembic_version")  # type: ignore[no-any-return]

    def require_current(self) -> None:
        """Refuse to work on a store that is missing, older or newer than this toolkit."""
        version = self.schema_version()
        if version is None:
            raise BadInput(f"store {self.safe_url} is not initialised: run `colo init --inventory PATH`")
        if version < SCHEMA_HEAD:
            raise Refused(f"store {self.safe_url} has schema {version}, this toolkit needs {SCHEMA_HEAD}: "
                          f"back it up, then run `colo init --inventory PATH` to upgrade it")
        if version > SCHEMA_HEAD:
            raise Refused(f"store {self.safe_url} has schema {version}, newer than this toolkit's {SCHEMA_HEAD}: "
                          f"upgrade colo")


def open_store(raw_url: str | None = None, *, create: bool = False, read_only: str | None = None) -> Store:
    """Check the store is there and reachable; a missing SQLite file is an error unless `create` (only
    `colo init` creates).

    `read_only` (a what-if run) is the refusal raised when anything tries to write.
    """
    url = normalise_url(raw_url or default_url())
    scheme = url.split("://", 1)[0]
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme):
        raise BadInput(f"--db {mask_password(raw_url or url)!r} is not a database URL: give a file path, sqlite:///PATH "
                       f"or postgresql://user@host/db")
    store = Store(url, read_only, create=create)
    if scheme in ("sqlite", "sqlite+pysqlite"):
        path = Path(store.path)
        if not path.exists():
            if not create:
                raise BadInput(f"no store at {path}: run `colo init --inventory PATH` first, or give --db / COLO_DB")
            _create_private(path)
        return store
    if scheme == "postgresql+psycopg":
        _pg_connect(url, store.safe_url).close()
        return store
    raise BadInput(f"--db {mask_password(url)}: unsupported back end {scheme.split('+')[0]!r}; use SQLite or "
                   f"PostgreSQL")


def _pg_connect(url: str, safe_url: str) -> Any:
    try:
        import psycopg
    except ModuleNotFoundError:
        raise BadInput("PostgreSQL needs the driver: pip install 'colo[postgres]'") from None
    try:
        return psycopg.connect("postgresql://" + url.split("://", 1)[1])
    except psycopg.OperationalError as e:
        reason = str(e).strip().splitlines()[0] if str(e).strip() else "connection failed"
        raise OperationFailed(f"cannot reach store {safe_url}: {reason}") from None


def _pg_engine(url: str, read_only: bool) -> Engine:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if read_only:  # added to the URL's own options (a search_path, say), not in their place
        parsed = parsed.update_query_dict({"options": " ".join(filter(None, (
            str(parsed.query.get("options") or ""), "-c default_transaction_read_only=on")))})
    return create_engine(parsed, pool_pre_ping=True)


def _create_private(path: Path) -> None:
    """An empty store file, 0600, in directories made 0700 where missing: the store holds
    customers' personal data and credential hashes. SQLite gives its -wal and -shm files the
    database file's mode. An existing file or directory keeps its mode (README says so)."""
    for directory in reversed([d for d in (path.parent, *path.parent.parents) if not d.exists()]):
        directory.mkdir(mode=0o700, exist_ok=True)
    with suppress(FileExistsError):  # another `colo init` got there first: its file, its mode
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _sqlite_engine(database: str, create: bool, read_only: bool = False) -> Engine:
    from sqlalchemy import create_engine, event

    path = Path(database)
    # A what-if store is opened read-only by SQLite itself (mode=ro): no write, and no checkpoint on close,
    # so the file stays byte for byte as it was.
    target = f"file:{quote(str(path))}?mode=ro&uri=true" if read_only else str(path)
    engine = create_engine(f"sqlite:///{target}", connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        if create:
            cursor.execute("PRAGMA journal_mode=WAL")  # persistent in the file; set once at init
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        # a read-only connection cannot take the write lock, and a what-if run need not queue for it
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine
