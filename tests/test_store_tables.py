"""The reads' light tables name exactly what the schema defines, with the types that decode stored values."""

from __future__ import annotations

import pytest
from sqlalchemy import Boolean, Date
from sqlalchemy.sql import TableClause

from provision.store import tables
from provision.store.schema import Base
from provision.store.types import Money, UTCDateTime

LIGHT = {t.name: t for t in vars(tables).values() if isinstance(t, TableClause)}
DECODED = (UTCDateTime, Money, Date, Boolean)  # stored differently from the value on SQLite


def test_the_reads_cover_their_tables() -> None:
    assert {"contracts", "contract_events", "racks", "units", "site", "calendar_days"} <= set(LIGHT)


@pytest.mark.parametrize("name", sorted(LIGHT))
def test_light_table_matches_schema(name: str) -> None:
    real = Base.metadata.tables[name]
    light = LIGHT[name]
    assert [c.name for c in light.columns] == [c.name for c in real.columns], f"{name}: columns differ from schema"
    for c in real.columns:
        wanted = next((t for t in DECODED if isinstance(c.type, t)), None)
        got = light.c[c.name].type
        if wanted is None:
            assert got._type_affinity is None or not isinstance(got, DECODED), f"{name}.{c.name}: plain value"
        else:
            assert isinstance(got, wanted), f"{name}.{c.name}: declare it {wanted.__name__}=… in provision/store/tables.py"


def test_reads_do_not_load_the_orm() -> None:
    """The point of the light tables: the read path never imports SQLAlchemy's ORM or the schema."""
    import subprocess
    import sys

    code = ("import sys, provision.store.tables, provision.services.context, provision.services.deadlines, "
            "provision.services.contract_view, provision.services.site.rack_view, provision.services.find; "
            "print(sorted(m for m in ('sqlalchemy.orm', 'provision.store.schema', 'holidays') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
