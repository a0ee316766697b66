"""The store: migrations, schema agreement, and inventory sync, on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from provision.api import Colo
from provision.errors import BadInput, Refused
from provision.store.engine import SCHEMA_HEAD, open_store
from provision.store.migrate import upgrade
from provision.store.schema import Address, Base, Port, Unit
from tests.conftest import EXAMPLE, order


def sign(db: str, **terms: object) -> dict:
    return Colo(db=db, at="2026-11-24T10:00").sign(order(**terms))  # type: ignore[arg-type]


def test_head_constant_matches_the_migrations() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    import provision.store.migrate as migrate

    config = Config()
    config.set_main_option("script_location", str(Path(migrate.__file__).with_name("migrations")))
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_HEAD


def test_migrations_build_exactly_the_declared_schema(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    store = open_store(db_url, create=True)
    upgrade(store)
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_older_store_upgrades_without_loss(db_url: str) -> None:
    store = open_store(db_url, create=True)
    upgrade(store, "0001")
    # An 0001 store has inventory tables only: sync what 0001 knows through raw SQL, as an old toolkit did.
    with store.engine.begin() as conn:
        conn.execute(text("INSERT INTO site (id, name, timezone, dns, quarantine_days) "
                          "VALUES (1, 'SH-WGQ-1', 'Asia/Shanghai', '', 30)"))
        conn.execute(text("INSERT INTO rooms (id, name, position) VALUES (7, 'A101', 0)"))
        conn.execute(text("INSERT INTO racks (id, name, room_id, position, height_u, power_budget_w) "
                          "VALUES (9, 'A01', 7, 0, 42, 4400)"))
    with pytest.raises(Refused, match=f"has schema 0001, this toolkit needs {SCHEMA_HEAD}"):
        Colo(db=db_url).contracts()
    result = Colo(db=db_url).init(str(EXAMPLE))
    assert (result["schema_from"], result["schema"]) == ("0001", SCHEMA_HEAD)
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT id FROM racks WHERE name = 'A01'")).scalar() == 9  # same row kept
    assert sign(db_url)["placements"][0]["rack"] == "A01"


def test_newer_store_is_refused(site_db: str) -> None:
    store = open_store(site_db)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    with pytest.raises(Refused, match="newer than this toolkit's"):
        Colo(db=site_db).contracts()


def test_missing_sqlite_store_is_not_created(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="no store at .*run `colo init --inventory PATH` first"):
        Colo(db=str(tmp_path / "nope.db")).contracts()
    assert not (tmp_path / "nope.db").exists()


def test_init_is_idempotent(db_url: str) -> None:
    first = Colo(db=db_url).init(str(EXAMPLE))
    assert first["added"]["rack"] == 7 and first["added"]["port"] == 136 and first["added"]["address"] == 512
    again = Colo(db=db_url).init(str(EXAMPLE))
    assert again["unchanged"] and not again["added"] and not again["changed"] and not again["removed"]


def _edit(tmp_path: Path, file: str, old: str, new: str) -> Path:
    inv = tmp_path / "inv"
    if not inv.exists():
        shutil.copytree(EXAMPLE, inv)
    path = inv / file
    body = path.read_text()
    assert old in body, old
    path.write_text(body.replace(old, new, 1))
    return inv


def test_sync_applies_changes_to_free_things(site_db: str, tmp_path: Path) -> None:
    inv = _edit(tmp_path, "network.yaml", "access_ports: GigabitEthernet1/0/1-48", "access_ports: GigabitEthernet1/0/1-40")
    _edit(tmp_path, "rooms.yaml", "power_budget_w: 6600", "power_budget_w: 7000")
    _edit(tmp_path, "site.yaml", "calendar: {}", "calendar: {2027-02-20: workday}")
    report = Colo(db=site_db).init(str(inv))
    assert report["removed"] == {"port": 8}
    assert report["changed"] == {"rack": 1}
    assert report["added"] == {"calendar day": 1}
    api = Colo(db=site_db, at="2026-11-24T10:00")
    with api.context.store.session() as s:
        assert s.scalar(select(func.count()).select_from(Port)) == 128


A01_BLOCK = ("      - name: A01\n        height_u: 42\n        reserved_units: \"1-2, 41-42\"\n"
             "        power_budget_w: 4400\n        feeds: [{pdu: pdu-a01, outlets: \"1-38\", units: \"3-40\"}]\n")


@pytest.mark.parametrize("edits, message", [
    ([("rooms.yaml", A01_BLOCK, ""), ("network.yaml", "racks: [A01, A02]", "racks: [A02]"),
      ("network.yaml", "racks: [A01, A02, A03, A04]", "racks: [A02, A03, A04]")],
     "unit A01 U3 cannot be removed: contract C2026-0001 holds it"),
    ([("network.yaml", "access_ports: GigabitEthernet1/0/1-44", "access_ports: GigabitEthernet1/0/2-44")],
     "port sw-a101-1 GigabitEthernet1/0/1 cannot be removed: contract C2026-0001 holds it"),
    ([("network.yaml", "uplinks: GigabitEthernet1/0/49-52", "uplinks: [GigabitEthernet1/0/49-52]"),
      ("network.yaml", "access_ports: GigabitEthernet1/0/1-44", "access_ports: GigabitEthernet1/0/2-44")],
     "port sw-a101-1 GigabitEthernet1/0/1 cannot be removed"),
    ([("network.yaml", 'reserved: ["203.0.113.2-203.0.113.9"]', 'reserved: ["203.0.113.2-203.0.113.10"]')],
     "address 203.0.113.10 cannot become reserved: contract C2026-0001 holds it"),
    ([("network.yaml", "prefix: 203.0.113.0/24", "prefix: 203.0.113.128/25"),
      ("network.yaml", "gateway: 203.0.113.1", "gateway: 203.0.113.129"),
      ("network.yaml", 'reserved: ["203.0.113.2-203.0.113.9"]', "reserved: []")],
     "address 203.0.113.10 cannot be removed: contract C2026-0001 holds it"),
    ([("rooms.yaml", 'reserved_units: "1-2, 41-42"', 'reserved_units: "1-3, 41-42"')],
     "unit A01 U3 cannot become reserved: contract C2026-0001 holds it"),
])
def test_sync_refuses_to_drop_what_a_contract_holds(site_db: str, tmp_path: Path, edits: list[tuple[str, str, str]],
                                                     message: str) -> None:
    placed = sign(site_db)["placements"][0]
    assert (placed["rack"], placed["units"], placed["port"]["interface"]) == ("A01", [3], "GigabitEthernet1/0/1")
    for file, old, new in edits:
        inv = _edit(tmp_path, file, old, new)
    store = open_store(site_db)

    def snapshot() -> tuple[int | None, ...]:
        with store.session() as s:
            return tuple(s.scalar(select(func.count()).select_from(t)) for t in (Unit, Port, Address)) + (
                s.scalar(select(func.count()).select_from(Address).where(Address.reserved.is_(True))),)

    before = snapshot()
    with pytest.raises(Refused, match=message) as refused:
        Colo(db=site_db).init(str(inv))
    assert refused.value.exit_code == 3 and "nothing changed" in str(refused.value)
    assert snapshot() == before


def test_rack_with_contract_history_cannot_be_removed(site_db: str, tmp_path: Path) -> None:
    from datetime import datetime

    from provision.domain.lifecycle import State
    from provision.services.contracts import get_contract, transition

    cid = sign(site_db)["id"]
    api = Colo(db=site_db, at="2026-11-24T10:00")
    with api.context.store.session() as s:
        contract = get_contract(s, cid)
        for state in (State.PROVISIONED, State.ACTIVE, State.ENDED, State.DECOMMISSIONED):
            transition(s, contract, state, datetime.fromisoformat("2026-11-24T12:00:00+08:00"), "tester")
    for file, old, new in [("rooms.yaml", A01_BLOCK, ""), ("network.yaml", "racks: [A01, A02]", "racks: [A02]"),
                           ("network.yaml", "racks: [A01, A02, A03, A04]", "racks: [A02, A03, A04]")]:
        inv = _edit(tmp_path, file, old, new)
    with pytest.raises(Refused, match=f"rack A01 cannot be removed: contract {cid}'s record holds it"):
        Colo(db=site_db).init(str(inv))
