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
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from provision.errors import BadInput, OperationFailed, Refused

if TYPE_CHECKING:
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


READ_ONLY_KEY = "colo_read_only"  # Session.info key: the refusal a write attempt raises in a what-if run
SITE_KEY = "colo_site"  # Session.info key and connection option: the site name the run was given (--site), None:
# the store's only site
READING_KEY = "colo_reading"  # connection option: a read-only transaction (Store.reading)


def _is_read_only_error(e: DBAPIError) -> bool:
    """The database refused a write because the connection is read-only (SQLite SQLITE_READONLY, PG 25006)."""
    return (getattr(e.orig, "sqlite_errorname", None) == "SQLITE_READONLY"
            or getattr(e.orig, "sqlstate", None) == "25006")


@dataclass
class Store:
    engine: Engine
    read_only: str | None = None  # a what-if store: the refusal any write attempt raises
    site: str | None = None  # the site this run works on (--site); services.context resolves it per session

    @property
    def safe_url(self) -> str:
        """The URL with any password masked: the only form that may be printed."""
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One ORM transaction, for use cases that write: committed when the block ends cleanly, rolled back
        otherwise."""
        from provision.store.sessions import orm_session  # the ORM and the schema load only for writers

        with self._failures(), orm_session(self.engine, self.read_only, self.site) as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """One read-only transaction without the ORM, for the everyday reads (store.tables): on SQLite a plain
        BEGIN, so a read never queues for the write lock."""
        with self._failures(), self.engine.connect() as conn:
            conn.execution_options(**{READING_KEY: True, SITE_KEY: self.site})
            with conn.begin():
                yield conn

    @contextmanager
    def _failures(self) -> Iterator[None]:
        """A database failure as the one line the CLI prints; a write in a what-if run as its refusal."""
        try:
            yield
        except DBAPIError as e:
            if self.read_only and _is_read_only_error(e):
                raise Refused(self.read_only) from None
            if not isinstance(e, OperationalError):
                raise
            raise OperationFailed(f"store {self.safe_url} failed: {e.orig}") from None

    def schema_version(self) -> str | None:
        with self.engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

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
    """Connect; a missing SQLite file is an error unless `create` (only `colo init` creates).

    `read_only` (a what-if run) is the refusal raised when anything tries to write.
    """
    url_text = normalise_url(raw_url or default_url())
    try:
        url = make_url(url_text)
    except ArgumentError:
        raise BadInput(f"--db {raw_url!r} is not a database URL: give a file path, sqlite:///PATH "
                       f"or postgresql://user@host/db") from None
    if url.get_backend_name() == "sqlite":
        return Store(_sqlite_engine(url.database or "", create, read_only is not None), read_only)
    if url.get_backend_name() == "postgresql":
        if read_only:  # added to the URL's own options (a search_path, say), not in their place
            url = url.update_query_dict({"options": " ".join(filter(None, (
                str(url.query.get("options") or ""), "-c default_transaction_read_only=on")))})
        try:
            engine = create_engine(url, pool_pre_ping=True)
            with engine.connect():
                pass
        except ModuleNotFoundError:
            raise BadInput("PostgreSQL needs the driver: pip install 'colo[postgres]'") from None
        except OperationalError as e:
            masked = url.render_as_string(hide_password=True)
            reason = str(e.orig).strip().splitlines()[0] if e.orig else "connection failed"
            raise OperationFailed(f"cannot reach store {masked}: {reason}") from None
        return Store(engine, read_only)
    raise BadInput(f"--db {url.render_as_string(hide_password=True)}: unsupported back end "
                   f"{url.get_backend_name()!r}; use SQLite or PostgreSQL")


def _create_private(path: Path) -> None:
    """An empty store file, 0600, in directories made 0700 where missing: the store holds
    customers' personal data and credential hashes. SQLite gives its -wal and -shm files the
    database file's mode. An existing file or directory keeps its mode (README says so)."""
    for directory in reversed([d for d in (path.parent, *path.parent.parents) if not d.exists()]):
        directory.mkdir(mode=0o700, exist_ok=True)
    with suppress(FileExistsError):  # another `colo init` got there first: its file, its mode
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _sqlite_engine(database: str, create: bool, read_only: bool = False) -> Engine:
    path = Path(database)
    if not path.exists():
        if not create:
            raise BadInput(f"no store at {path}: run `colo init --inventory PATH` first, or give --db / COLO_DB")
        _create_private(path)
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
        # a read-only connection cannot take the write lock, and a what-if run or a read need not queue for it
        reading = read_only or conn.get_execution_options().get(READING_KEY)
        conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")

    return engine
