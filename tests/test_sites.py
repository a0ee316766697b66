"""Several sites in one store: each allocates from its own inventory, shows its own time, lists its own contracts.

Every test runs on SQLite and PostgreSQL. NB-1 is the example inventory moved to Urumqi
time with its own device names, pools and addresses but the same room and rack names, so
a leak between sites shows up as a wrong address, a wrong offset or a wrong list.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import Integer, column, insert, inspect, select, text
from sqlalchemy import table as sa_table

from provision.api import Colo
from provision.domain.lifecycle import State
from provision.errors import BadInput, NotFound
from provision.store.engine import SCHEMA_HEAD, open_store
from provision.store.migrate import upgrade
from provision.store.schema import Base
from tests.conftest import EXAMPLE, order
from tests.lab_contracts import walk_to

NB_RENAMES = (("SH-WGQ-1", "NB-1"), ("Asia/Shanghai", "Asia/Urumqi"), ("sw-", "nb-sw-"), ("pdu-", "nb-pdu-"),
              ("pub-", "nb-pub-"), ("203.0.113.", "100.64.0."), ("198.51.100.", "100.64.1."))


def second_site(tmp_path: Path, renames: tuple[tuple[str, str], ...] = NB_RENAMES) -> str:
    """The example inventory as another site: every file with `renames` applied."""
    copy = tmp_path / "inventory-nb"
    shutil.copytree(EXAMPLE, copy)
    for f in copy.iterdir():
        body = f.read_text()
        for old, new in renames:
            body = body.replace(old, new)
        f.write_text(body)
    return str(copy)


@pytest.fixture
def two_sites(site_db: str, tmp_path: Path) -> str:
    report = Colo(db=site_db).init(second_site(tmp_path))
    assert report["site"] == "NB-1" and report["added"]["site"] == 1 and report["added"]["rack"] == 7
    return site_db


def at(db: str, site: str) -> Colo:
    return Colo(db=db, site=site, at="2026-11-24T10:00")


def test_a_second_sites_inventory_adds_the_site_and_re_init_changes_nothing(two_sites: str, tmp_path: Path) -> None:
    assert Colo(db=two_sites).init(second_site(tmp_path / "again"))["unchanged"]
    assert Colo(db=two_sites).init(str(EXAMPLE))["unchanged"]
    with open_store(two_sites).engine.connect() as conn:
        sites = conn.execute(text("SELECT name, timezone FROM site ORDER BY name")).all()
        per_site = conn.execute(text("SELECT site_id, count(*) FROM racks GROUP BY site_id ORDER BY site_id")).all()
    assert [tuple(s) for s in sites] == [("NB-1", "Asia/Urumqi"), ("SH-WGQ-1", "Asia/Shanghai")]
    assert [n for _, n in per_site] == [7, 7]


def test_several_sites_need_site_and_the_message_names_them(two_sites: str, colo) -> None:  # type: ignore[no-untyped-def]
    r = colo("--db", two_sites, "contract", "list")
    assert r.code == 2 and r.err == ("error: the store holds sites NB-1, SH-WGQ-1: give --site NAME (or COLO_SITE) "
                                     "to say which\n")
    r = colo("--db", two_sites, "--site", "Ningbo", "rack", "list")
    assert r.code == 2 and r.err == "error: --site 'Ningbo' is not a site of this store: use one of NB-1, SH-WGQ-1\n"
    assert colo("--db", two_sites, "--site", "NB-1", "rack", "list", "--json").code == 0
    with pytest.raises(BadInput, match="holds sites NB-1, SH-WGQ-1"):
        Colo(db=two_sites).deadlines()


def test_each_site_allocates_from_its_own_inventory_with_store_wide_ids(two_sites: str) -> None:
    sh = at(two_sites, "SH-WGQ-1").sign(order("ACME"))
    nb = at(two_sites, "NB-1").sign(order("ACME"))
    nb2 = at(two_sites, "NB-1").sign(order("Beta Cloud", quantity=2))
    assert [sh["id"], nb["id"], nb2["id"]] == ["C2026-0001", "C2026-0002", "C2026-0003"]  # one numbering
    assert sh["placements"][0]["rack"] == nb["placements"][0]["rack"] == "A01"  # same rack name, two racks
    assert sh["placements"][0]["addresses"][0]["ip"].startswith("203.0.113.")
    assert all(p["addresses"][0]["ip"].startswith("100.64.") for p in nb["placements"] + nb2["placements"])
    assert all(p["port"]["switch"].startswith("nb-sw-") for p in nb["placements"] + nb2["placements"])
    # each site's own local time: 10:00 in Shanghai is +08:00, in Urumqi +06:00
    assert sh["signed_at"] == "2026-11-24T10:00:00+08:00" and nb["signed_at"] == "2026-11-24T10:00:00+06:00"

    assert [c["id"] for c in Colo(db=two_sites, site="NB-1").contracts()] == ["C2026-0002", "C2026-0003"]
    assert [c["id"] for c in Colo(db=two_sites, site="SH-WGQ-1").contracts()] == ["C2026-0001"]
    assert {d["contract"] for d in Colo(db=two_sites, site="SH-WGQ-1", at="2026-11-25T10:00").deadlines()} == {
        "C2026-0001"}
    with pytest.raises(NotFound, match="contract C2026-0001 is site SH-WGQ-1's, not this site's: give --site SH-WGQ-1"):
        Colo(db=two_sites, site="NB-1").contract("C2026-0001")

    sh_a01 = Colo(db=two_sites, site="SH-WGQ-1").rack("A01")
    nb_a01 = Colo(db=two_sites, site="NB-1").rack("A01")
    assert sh_a01 != nb_a01
    found = Colo(db=two_sites, site="NB-1").find(nb["placements"][0]["addresses"][0]["ip"])
    assert [m["contract"] for m in found["matches"]] == ["C2026-0002"]
    assert Colo(db=two_sites, site="NB-1").find(sh["placements"][0]["addresses"][0]["ip"])["matches"] == []
    assert [m["contract"] for m in Colo(db=two_sites, site="SH-WGQ-1").find("ACME")["matches"]] == ["C2026-0001"]


# --- a one-site store migrates with nothing lost -------------------------------------------------------------

def _filled_store(tmp_path: Path) -> tuple[str, str]:
    """A head store with a little of everything: contracts in several states, payments, outages, tickets, a hold."""
    calendar = tmp_path / "inv"
    shutil.copytree(EXAMPLE, calendar)
    site = calendar / "site.yaml"
    site.write_text(site.read_text().replace("calendar: {}", "calendar: {2027-02-20: workday, 2027-10-08: holiday}"))
    db = str(tmp_path / "source.db")
    Colo(db=db).init(str(calendar))
    api = Colo(db=db, at="2026-11-24T10:00")
    first = api.sign(order("ACME", quantity=2))["id"]
    second = api.sign(order("Beta Cloud"))["id"]
    walk_to(api, second, [State.PROVISIONED, State.ACTIVE], "2026-11-24T12:00:00+08:00")  # in service
    later = Colo(db=db, at="2026-11-25T09:00")
    later.payment(first, "12000.00", ref="BANK-1")
    later.record_outage(second, "network", "2026-11-25T01:00", "2026-11-25T01:30", "upstream fibre cut")
    later.open_ticket(first, "slow network")
    later.reserve("B01", 2, "Gamma Ltd", "2026-12-01T00:00")
    return db, str(calendar)


def _rows(db: str) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows (as the ORM reads them), the site's id and the lease table aside."""
    store = open_store(db)
    out = {}
    with store.engine.connect() as conn:
        present = set(inspect(conn).get_table_names())
        for table in Base.metadata.sorted_tables:
            if table.name not in present or table.name == "monitor_leases":
                continue
            columns = [c for c in table.c if c.name != "site_id"]
            out[table.name] = sorted((tuple(r) for r in conn.execute(select(*columns))), key=repr)
    return out


def test_a_one_site_store_at_0020_migrates_with_nothing_lost(db_url: str, tmp_path: Path) -> None:
    """Every row a head store holds, copied into a store at 0020 (less the columns 0021 adds), upgrades to the
    same rows, each given the store's one site; the upgraded store then signs and lists as before."""
    source, inventory = _filled_store(tmp_path)
    before = _rows(source)
    target = open_store(db_url, create=True)
    upgrade(target, "0020")
    with open_store(source).engine.connect() as src, target.engine.begin() as dst:
        present = set(inspect(dst).get_table_names())
        for table in Base.metadata.sorted_tables:
            if table.name not in present:
                continue
            kept = {c["name"] for c in inspect(dst).get_columns(table.name)}
            columns = [c for c in table.c if c.name in kept]
            rows = [dict(r._mapping) for r in src.execute(select(*columns))]
            if rows:  # into the table as 0020 has it: only its columns
                dst.execute(insert(sa_table(table.name, *(column(c.name, c.type) for c in columns))), rows)
            if dst.dialect.name == "postgresql" and isinstance(getattr(table.c.get("id"), "type", None), Integer):
                # copied ids: move the serial past them
                dst.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                    f"coalesce(max(id), 0) + 1, false) FROM {table.name}")

    result = Colo(db=db_url).init(inventory)  # upgrades, then syncs the same inventory: nothing to change
    assert (result["schema_from"], result["schema"]) == ("0020", SCHEMA_HEAD) and result["unchanged"]
    after = _rows(db_url)
    assert after == before and len(after["calendar_days"]) == 2 and len(after["contracts"]) == 2
    with target.engine.connect() as conn:
        for table in ("rooms", "racks", "pdus", "switches", "pools", "contracts", "calendar_days"):
            assert conn.execute(text(f"SELECT DISTINCT site_id FROM {table}")).scalars().all() == [1], table
    third = Colo(db=db_url, at="2026-11-26T10:00").sign(order("Delta"))
    assert third["id"] == "C2026-0003"
    assert [c["id"] for c in Colo(db=db_url).contracts()] == ["C2026-0001", "C2026-0002", "C2026-0003"]
