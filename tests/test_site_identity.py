"""Which site an inventory is: the same site re-syncs, a new one is added, a misspelt or clashing one is refused.

Before several sites, `colo init` with another site's inventory renamed the first site and
kept its contracts; then it was refused outright. Now a store holds several sites, so a new
site's inventory adds that site — but an inventory that reuses another site's devices,
pools or addresses, or a name that differs from a held site's only in case, is bad input
and changes nothing. Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from provision.api import Colo
from provision.errors import BadInput
from provision.inventory.load import load_inventory
from provision.services.site.sync import sync_inventory
from provision.store.engine import open_store
from provision.store.migrate import upgrade
from tests.conftest import EXAMPLE, order


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
    """The example site's inventory under another site's name (NB-1): the same devices and pools."""
    return example_copy(tmp_path, "name: SH-WGQ-1", "name: NB-1")


def snapshot(db: str) -> dict[str, Any]:
    """What a wrong init could lose or change: the site rows, the contracts, the audit log, the inventory."""
    with open_store(db).engine.connect() as conn:
        def rows(sql: str) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in conn.execute(text(sql))]
        return {"site": rows("SELECT id, name, timezone, dns FROM site ORDER BY id"),
                "contracts": rows("SELECT id, state, site_id FROM contracts ORDER BY id"),
                "audit": rows("SELECT id, hash FROM audit ORDER BY id"),
                "racks": rows("SELECT id, name, site_id FROM racks ORDER BY id"),
                "switches": rows("SELECT id, name, site_id FROM switches ORDER BY id"),
                "schema": rows("SELECT version_num FROM alembic_version")}


def test_a_site_reusing_anothers_devices_is_refused_and_changes_nothing(site_db: str, other_site: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid = Colo(db=site_db, at="2026-11-24T10:00").sign(order("ACME"))["id"]
    before = snapshot(site_db)

    r = colo("--db", site_db, "init", "--inventory", other_site)

    assert r.code == 2 and r.err.count("\n") == 1
    assert r.err.startswith("error: inventory of site NB-1: PDU pdu-a01 is site SH-WGQ-1's; ")
    assert "switch sw-a101-1 is site SH-WGQ-1's" in r.err
    assert "pool pub-a101 (203.0.113.0/24) overlaps site SH-WGQ-1's pool pub-a101 (203.0.113.0/24)" in r.err
    assert r.err.endswith("unique across the store: rename them; nothing changed\n")
    assert snapshot(site_db) == before and [s[1] for s in before["site"]] == ["SH-WGQ-1"]
    assert Colo(db=site_db).contract(cid)["state"] == "signed"


def test_a_name_differing_only_in_case_is_refused_before_anything(site_db: str, tmp_path: Path, colo) -> None:  # type: ignore[no-untyped-def]
    misspelt = example_copy(tmp_path, "name: SH-WGQ-1", "name: sh-wgq-1")
    before = snapshot(site_db)
    r = colo("--db", site_db, "init", "--inventory", misspelt, "--json")
    assert r.code == 2 and '"kind": "bad-input"' in r.out
    assert "site 'sh-wgq-1' differs from this store's site 'SH-WGQ-1' only in case or spacing" in r.out
    assert snapshot(site_db) == before


def test_the_same_sites_inventory_still_syncs(site_db: str, tmp_path: Path) -> None:
    again = Colo(db=site_db).init(str(EXAMPLE))
    assert again["unchanged"] and again["site"] == "SH-WGQ-1"
    edited = example_copy(tmp_path, "calendar: {}", "calendar: {2027-02-20: workday}")
    report = Colo(db=site_db).init(edited)
    assert report["added"] == {"calendar day": 1} and not report["changed"]


def test_an_older_store_refuses_a_misspelt_site_before_its_migration(db_url: str, tmp_path: Path) -> None:
    store = open_store(db_url, create=True)
    upgrade(store, "0001")
    with store.engine.begin() as conn:
        conn.execute(text("INSERT INTO site (id, name, timezone, dns, quarantine_days) "
                          "VALUES (1, 'SH-WGQ-1', 'Asia/Shanghai', '', 30)"))
    with pytest.raises(BadInput, match="differs from this store's site 'SH-WGQ-1' only in case"):
        Colo(db=db_url).init(example_copy(tmp_path, "name: SH-WGQ-1", "name: Sh-Wgq-1"))
    assert store.schema_version() == "0001"  # not upgraded either


def test_the_sync_itself_refuses_another_sites_devices(site_db: str, other_site: str) -> None:
    """The guard sits in the sync too, inside its transaction, for any caller and a concurrent init."""
    store = open_store(site_db)
    with pytest.raises(BadInput, match="switch sw-a101-1 is site SH-WGQ-1's"), store.session() as s:
        sync_inventory(s, load_inventory(other_site))
    assert [s[1] for s in snapshot(site_db)["site"]] == ["SH-WGQ-1"]
