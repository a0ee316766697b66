"""A store belongs to one site: `colo init` with another site's inventory is refused and changes nothing.

Before the fix the sync renamed the site and kept its contracts (`changed: 1 site`).
Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from provision.api import Colo
from provision.errors import Refused
from provision.inventory.load import load_inventory
from provision.services.site.sync import sync_inventory
from provision.store.engine import open_store
from provision.store.migrate import upgrade
from tests.conftest import EXAMPLE, order

REFUSAL = ("this store holds site SH-WGQ-1; the inventory is site NB-1: use another store (--db) for NB-1, "
           "or give SH-WGQ-1's inventory; nothing changed")


def example_copy(tmp_path: Path, old: str, new: str) -> str:
    """The example inventory with one line of site.yaml changed."""
    copy = tmp_path / "inventory"
    shutil.copytree(EXAMPLE, copy)
    site = copy / "site.yaml"
    body = site.read_text()
    assert old in body
    site.write_text(body.replace(old, new, 1))
    return str(copy)


@pytest.fixture
def other_site(tmp_path: Path) -> str:
    """The example site's inventory under another site's name (NB-1)."""
    return example_copy(tmp_path, "name: SH-WGQ-1", "name: NB-1")


def snapshot(db: str) -> dict[str, Any]:
    """What a wrong init could lose or change: the site row, the contracts, the audit log, the schema."""
    with open_store(db).engine.connect() as conn:
        def rows(sql: str) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in conn.execute(text(sql))]
        return {"site": rows("SELECT name, timezone, dns FROM site"),
                "contracts": rows("SELECT id, state FROM contracts ORDER BY id"),
                "audit": rows("SELECT id, hash FROM audit ORDER BY id"),
                "racks": rows("SELECT id, name FROM racks ORDER BY id"),
                "schema": rows("SELECT version_num FROM alembic_version")}


def test_another_sites_inventory_is_refused_and_changes_nothing(site_db: str, other_site: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid = Colo(db=site_db, at="2026-11-24T10:00").sign(order("ACME"))["id"]
    before = snapshot(site_db)
    file_before = Path(site_db).read_bytes() if Path(site_db).exists() else None  # SQLite: byte for byte

    r = colo("--db", site_db, "init", "--inventory", other_site)

    assert r.code == 3 and r.err == f"error: {REFUSAL}\n"
    assert snapshot(site_db) == before and before["site"][0][0] == "SH-WGQ-1"
    if file_before is not None:
        assert Path(site_db).read_bytes() == file_before
    assert Colo(db=site_db).contract(cid)["state"] == "signed"


def test_refusal_in_json_names_both_sites(site_db: str, other_site: str, colo) -> None:  # type: ignore[no-untyped-def]
    r = colo("--db", site_db, "init", "--inventory", other_site, "--json")
    assert r.code == 3 and '"kind": "refused"' in r.out and "holds site SH-WGQ-1" in r.out and "site NB-1" in r.out


def test_the_same_sites_inventory_still_syncs(site_db: str, tmp_path: Path) -> None:
    again = Colo(db=site_db).init(str(EXAMPLE))
    assert again["unchanged"] and again["site"] == "SH-WGQ-1"
    edited = example_copy(tmp_path, "calendar: {}", "calendar: {2027-02-20: workday}")
    report = Colo(db=site_db).init(edited)
    assert report["added"] == {"calendar day": 1} and not report["changed"]


def test_an_older_store_of_another_site_is_refused_before_its_migration(db_url: str, other_site: str) -> None:
    store = open_store(db_url, create=True)
    upgrade(store, "0001")
    with store.engine.begin() as conn:
        conn.execute(text("INSERT INTO site (id, name, timezone, dns, quarantine_days) "
                          "VALUES (1, 'SH-WGQ-1', 'Asia/Shanghai', '', 30)"))
    with pytest.raises(Refused, match="this store holds site SH-WGQ-1; the inventory is site NB-1"):
        Colo(db=db_url).init(other_site)
    assert store.schema_version() == "0001"  # not upgraded either


def test_the_sync_itself_refuses_another_site(site_db: str, other_site: str) -> None:
    """The guard sits in the sync too, under the site row lock, for any caller and a concurrent init."""
    store = open_store(site_db)
    with pytest.raises(Refused, match="holds site SH-WGQ-1"), store.session() as s:
        sync_inventory(s, load_inventory(other_site))
    assert snapshot(site_db)["site"][0][0] == "SH-WGQ-1"
