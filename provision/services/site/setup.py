"""Creating or upgrading a store and syncing the inventory into it (`colo init`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, text

from provision.inventory.load import load_inventory
from provision.services.site.sync import require_distinct_name, sync_inventory
from provision.store.engine import Store, open_store
from provision.store.migrate import upgrade

INVENTORY_TABLES = ("racks", "units", "outlets", "switch_racks", "ports", "pool_racks", "addresses")


def init(db: str | None, inventory_path: str) -> dict[str, Any]:
    """Validate first (bad input touches nothing), then migrate, then sync in one transaction.

    Another site's inventory adds that site. A site name that differs from a held one only in
    case is refused before the migration, so that refusal changes nothing either; the sync
    checks again inside its transaction.
    """
    inventory = load_inventory(inventory_path)
    store = open_store(db, create=True)
    require_distinct_name(_held_sites(store), inventory)
    before = store.schema_version()
    upgrade(store)
    with store.session() as s:
        report = sync_inventory(s, inventory)
    if not report.unchanged and store.engine.dialect.name == "postgresql":
        # A sync can bulk-load hundreds of thousands of rows; without fresh statistics
        # PostgreSQL misjudges the allocation queries (a sort of a whole /14 pool: 54 ms
        # instead of 0.03 ms per query). Only the tables the sync loads: statistics taken
        # of still-empty contract tables made prepared statements keep an O(n²) join plan
        # (123 ms per signing after 1,500 contracts). Not on SQLite: its statistics would
        # record placement_id as one value (all NULL at sync time) and turn lookups by
        # placement into full scans (9 -> 30 ms per contract).
        with store.engine.connect() as conn:
            conn.exec_driver_sql(f"ANALYZE {', '.join(INVENTORY_TABLES)}")
            conn.commit()
    return {"store": store.safe_url, "schema_from": before, "schema": store.schema_version(),
            "site": inventory.site.name, "unchanged": report.unchanged, **report.as_dict()}


def _held_sites(store: Store) -> list[str]:
    """The sites a store already holds; plain SQL, because its schema may still be an old one."""
    with store.engine.connect() as conn:
        if not inspect(conn).has_table("site"):
            return []
        return [str(name) for name in conn.execute(text("SELECT name FROM site")).scalars()]
