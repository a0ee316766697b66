"""Names the shell completes from the store: contract IDs, switch and rack names.

Completion runs on every <TAB>, so it asks for at most 50 names starting with what was
typed, and a store it cannot open completes nothing rather than printing an error into
the shell.
"""

from __future__ import annotations

from sqlalchemy import select

from provision.errors import ColoError
from provision.store.engine import open_store
from provision.store.schema import Contract, Rack, Switch

COLUMNS = {"contract": Contract.id, "switch": Switch.name, "rack": Rack.name}
LIMIT = 50


def names(db: str | None, kind: str, prefix: str) -> list[str]:
    column = COLUMNS[kind]
    try:
        store = open_store(db)
        with store.session() as s:
            return list(s.scalars(select(column).where(column.startswith(prefix, autoescape=True))
                                  .order_by(column).limit(LIMIT)))
    except (ColoError, OSError, ValueError):
        return []
