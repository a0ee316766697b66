"""The everyday reads' plain SQL (store.rows over store.tables) sees the store as the ORM does.

The tables' names and decoded kinds are checked against `schema`; the values are checked
by writing through the ORM and reading back through the driver, on SQLite and PostgreSQL,
so a time, an amount, a date or a flag comes back as the same Python value either way.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Boolean, Date

from provision.api import Colo
from provision.services.context import reader, site_id
from provision.store import tables
from provision.store.engine import open_store
from provision.store.rows import Reader, like_fragment
from provision.store.schema import Base, CalendarDay, Contract, Hold
from provision.store.types import Money, UTCDateTime
from tests.conftest import order

KINDS = ((UTCDateTime, "utc"), (Money, "money"), (Date, "date"), (Boolean, "bool"))  # stored unlike the value


@pytest.mark.parametrize("light", tables.TABLES, ids=lambda t: t.name)
def test_light_table_matches_schema(light: tables.Table) -> None:
    real = Base.metadata.tables[light.name]
    assert list(light.columns) == [c.name for c in real.columns], f"{light.name}: columns differ from schema"
    for c in real.columns:
        wanted = next((kind for t, kind in KINDS if isinstance(c.type, t)), None)
        assert light.kinds.get(c.name) == wanted, \
            f"{light.name}.{c.name}: declare it {wanted}=… in provision/store/tables.py" if wanted \
            else f"{light.name}.{c.name}: a plain value, declare no kind"


def test_the_reads_cover_their_tables() -> None:
    assert {"contracts", "contract_events", "racks", "units", "site", "calendar_days"} <= {t.name for t in tables.TABLES}


def test_reads_do_not_import_sqlalchemy() -> None:
    """The point of store.rows: the read path imports neither SQLAlchemy nor the schema nor the holidays."""
    code = ("import sys, provision.store.tables, provision.services.context, provision.services.deadlines, "
            "provision.services.contract_view, provision.services.site.rack_view, provision.services.find; "
            "print(sorted(m for m in ('sqlalchemy', 'provision.store.schema', 'holidays') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_driver_reads_what_the_orm_wrote(site_db: str) -> None:
    """Times, money, dates and flags through the plain reader equal the ORM's values, and parameters of each kind
    compare against stored values as the ORM's would."""
    api = Colo(db=site_db, at="2026-11-24T10:00")
    cid = api.sign(order("Driver Check", install_fee="99.50"))["id"]
    api.reserve("A01", 2, "Driver Check", until="2026-12-01T00:00")
    store = open_store(site_db)
    with store.session() as s:
        contract = s.get(Contract, cid)
        hold = s.query(Hold).one()
        r = reader(s)
        row = r.one("SELECT * FROM contracts WHERE id = :id", id=cid)
        assert (row.signed_at, row.fee, row.install_fee) == (contract.signed_at, contract.fee, contract.install_fee)
        assert row.signed_at.tzinfo is UTC and isinstance(row.fee, Decimal)
        assert r.scalar("SELECT until FROM holds WHERE id = :id", id=hold.id) == hold.until
        assert r.scalar("SELECT count(*) FROM holds WHERE until > :t", t=datetime(2026, 11, 30, 15, 59, tzinfo=UTC)) == 1
        assert r.scalar("SELECT count(*) FROM holds WHERE until > :t", t=datetime(2026, 11, 30, 16, 0, tzinfo=UTC)) == 0
        assert r.scalar("SELECT count(*) FROM contracts WHERE fee = :fee", fee=contract.fee) == 1
        units = r.rows("SELECT reserved FROM units WHERE reserved = :yes", yes=True)
        assert units and all(u.reserved is True for u in units)
    with store.reading() as conn:
        assert conn.one("SELECT signed_at, fee FROM contracts WHERE id = :id", id=cid) == (contract.signed_at,
                                                                                          Decimal("12000.00"))
        assert conn.scalars("SELECT id FROM contracts WHERE id IN :ids", ids={cid, "C1999-0001"}) == [cid]
        assert conn.scalars("SELECT id FROM contracts WHERE id IN :ids", ids=[]) == []


def test_calendar_days_decode_as_dates(site_db: str) -> None:
    store = open_store(site_db)
    with store.session() as s:
        s.add(CalendarDay(site_id=site_id(s), day=date(2026, 12, 26), working=True))
    with store.reading() as conn:
        assert conn.rows("SELECT day, working FROM calendar_days") == [(date(2026, 12, 26), True)]
        assert conn.scalar("SELECT count(*) FROM calendar_days WHERE day = :d", d=date(2026, 12, 26)) == 1


def test_like_fragment_takes_wildcards_literally(site_db: str) -> None:
    api = Colo(db=site_db, at="2026-11-24T10:00")
    api.sign(order("100% Uptime_Co"))
    api.sign(order("100X Uptime Co"))
    with open_store(site_db).reading() as conn:
        found = conn.scalars("SELECT name FROM customers WHERE name LIKE :p ESCAPE '/'", p=like_fragment("0% Uptime_"))
    assert found == ["100% Uptime_Co"]


def test_a_reader_binds_for_its_driver() -> None:
    sqlite, pg = Reader(None, "sqlite", None), Reader(None, "postgresql", None)
    t = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert sqlite._bind("SELECT 1 WHERE a = :a AND b IN :b AND c::text = :a", {"a": t, "b": (1, 2)}) == (
        "SELECT 1 WHERE a = ? AND b IN (?, ?) AND c::text = ?", ["2026-11-24 10:00:00.000000", 1, 2,
                                                                 "2026-11-24 10:00:00.000000"])
    assert pg._bind("SELECT '5%' WHERE a = :a", {"a": t}) == ("SELECT '5%%' WHERE a = %s", [t])
