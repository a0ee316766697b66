"""Schema migrations (Alembic), run by `colo init` so a newer toolkit opens an older store.

Alembic is imported only here: it costs ~0.3 s, and only `init` needs it.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from provision.errors import OperationFailed
from provision.store.engine import Store


def upgrade(store: Store, revision: str = "head") -> None:
    """Migrate to `revision` in one transaction.

    On SQLite, a migration that changes a constraint rebuilds the table, and dropping the old
    copy of a table others refer to would trip foreign keys half-way; they are switched off
    for the migration (SQLite ignores the switch inside a transaction, hence before BEGIN)
    and every reference is checked before the transaction commits.
    """
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    sqlite = store.engine.dialect.name == "sqlite"
    with store.engine.connect() as conn:
        if sqlite:
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with conn.begin():
                config.attributes["connection"] = conn
                command.upgrade(config, revision)
                if sqlite and (broken := conn.execute(text("PRAGMA foreign_key_check")).first()):
                    raise OperationFailed(f"store {store.safe_url}: migration left a dangling reference in "
                                          f"table {broken[0]}; nothing changed — restore the backup and report it")
        finally:
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
