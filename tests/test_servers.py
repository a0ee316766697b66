"""Server hardware records (hosting contract §1): parsing, MAC rules, the CLI and the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provision.api import Colo, ServerRecord
from provision.domain.hardware import Component, normalise_mac, parse_component
from provision.errors import BadInput, NotFound, Refused
from tests.conftest import EXAMPLE, order

AT = "2026-11-24T10:00"


@pytest.mark.parametrize("text, mac", [
    ("00:11:22:33:44:55", "001122334455"), ("0011.2233.4455", "001122334455"),
    ("00-11-22-33-44-55", "001122334455"), ("AABBCCDDEEF0", "aabbccddeef0"),
])
def test_mac_notations(text: str, mac: str) -> None:
    assert normalise_mac(text) == mac


@pytest.mark.parametrize("bad, says", [("00:11:22:33:44", "12 hex digits"), ("01:00:5e:00:00:01", "multicast"),
                                       ("ff:ff:ff:ff:ff:ff", "multicast or broadcast"), ("00:00:00:00:00:00", "zeros"),
                                       ("00:11:22:33:44:5g", "12 hex digits")])
def test_bad_macs(bad: str, says: str) -> None:
    with pytest.raises(BadInput, match=says):
        normalise_mac(bad)


@pytest.mark.parametrize("text, component", [("Intel Xeon Silver 4310 x2", Component("Intel Xeon Silver 4310", 2)),
                                             ("32GB DDR4-3200 X4", Component("32GB DDR4-3200", 4)),
                                             ("Samsung PM893 960GB", Component("Samsung PM893 960GB", 1))])
def test_components(text: str, component: Component) -> None:
    assert parse_component(text, "--cpu") == component


@pytest.mark.parametrize("bad", ["", "Xeon x0", "Xeon x65", "bad\nline"])
def test_bad_components(bad: str) -> None:
    with pytest.raises(BadInput, match="--disk"):
        parse_component(bad, "--disk")


def record(mac: str = "00:11:22:33:44:55", serial: str = "SN-001") -> ServerRecord:
    return ServerRecord(serial=serial, mac=normalise_mac(mac), cpu=Component("Xeon Silver 4310", 2),
                        board=Component("Supermicro X12SPi-TF"), memory=Component("32GB DDR4-3200", 4),
                        disks=(Component("Samsung PM893 960GB", 2), Component("HGST 8TB", 4)))


def sign(api: Colo, name: str, **terms: object) -> str:
    return api.sign(order(name, **({"quantity": 2} | terms)))["id"]


def test_record_shows_on_the_contract_and_can_be_replaced(site_db: str) -> None:
    api = Colo(db=site_db, at=AT)
    cid = sign(api, "ACME")
    shown = api.record_server(cid, 2, record())
    server = shown["placements"][1]["server"]
    assert server == {"serial": "SN-001", "mac": "00:11:22:33:44:55", "cpu": "Xeon Silver 4310 x2",
                      "board": "Supermicro X12SPi-TF", "memory": "32GB DDR4-3200 x4",
                      "disks": ["Samsung PM893 960GB x2", "HGST 8TB x4"], "recorded_by": api.context.actor,
                      "parts": [{"part": "cpu", "model": "Xeon Silver 4310", "count": 2},
                                {"part": "board", "model": "Supermicro X12SPi-TF", "count": 1},
                                {"part": "memory", "model": "32GB DDR4-3200", "count": 4},
                                {"part": "disk", "model": "Samsung PM893 960GB", "count": 2},
                                {"part": "disk", "model": "HGST 8TB", "count": 4}]}
    assert shown["placements"][0]["server"] is None
    again = api.record_server(cid, 2, record(mac="00:11:22:33:44:66", serial="SN-002"))
    assert again["placements"][1]["server"]["serial"] == "SN-002"
    assert again["events"][-1]["detail"].endswith("(replaces the earlier record)")


def test_refusals(site_db: str) -> None:
    api = Colo(db=site_db, at=AT)
    first = sign(api, "ACME")
    other = sign(api, "Beta")
    api.record_server(first, 1, record())
    with pytest.raises(Refused, match=f"already recorded for server 1 of contract {first}"):
        api.record_server(other, 1, record(serial="SN-9"))
    with pytest.raises(NotFound, match="--server 3: contract .* has servers 1 to 2"):
        api.record_server(other, 3, record(mac="00:11:22:33:44:77"))
    whole = sign(api, "Whole", kind="rack", quantity=1)
    with pytest.raises(Refused, match="rents whole racks"):
        api.record_server(whole, 1, record(mac="00:11:22:33:44:88"))


def test_cli_records_and_rejects_bad_input(tmp_path: Path, colo) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "colo.db")
    assert colo("--db", db, "init", "--inventory", str(EXAMPLE)).code == 0
    assert colo("--db", db, "--at", AT, "contract", "sign", "--customer", "ACME", "--slots", "1", "--bandwidth", "100",
                "--fee", "1").code == 0
    before = Path(db).read_bytes()
    bad = colo("--db", db, "--at", AT, "server", "record", "C2026-0001", "--serial", "S1", "--mac", "zz")
    assert bad.code == 2 and "--mac 'zz' is not 12 hex digits" in bad.err and Path(db).read_bytes() == before
    ok = colo("--db", db, "--at", AT, "server", "record", "C2026-0001", "--serial", "S1", "--mac", "0011.2233.4455",
              "--cpu", "EPYC 7313P", "--disk", "960GB SSD x2", "--disk", "4TB HDD x2", "--json")
    assert ok.code == 0, ok
    assert json.loads(ok.out)["placements"][0]["server"]["disks"] == ["960GB SSD x2", "4TB HDD x2"]
    human = colo("--db", db, "--at", AT, "contract", "show", "C2026-0001").out
    assert "server 1: serial S1, MAC 00:11:22:33:44:55; EPYC 7313P, 960GB SSD x2, 4TB HDD x2" in human


def test_the_motherboard_has_a_model_and_a_count(tmp_path: Path, colo) -> None:  # type: ignore[no-untyped-def]
    """Hosting §1.1: CPU, motherboard, memory and disks — model and count of each."""
    from sqlalchemy import update

    from provision.store.schema import Server

    db = str(tmp_path / "colo.db")
    assert colo("--db", db, "init", "--inventory", str(EXAMPLE)).code == 0
    cid = sign(Colo(db=db, at=AT), "ACME", quantity=1)
    before = Path(db).read_bytes()
    for board, says in (("Supermicro X12 x0", "count 0 is out of range"), ("bad\x1bboard", "is not 'MODEL'")):
        bad = colo("--db", db, "--at", AT, "server", "record", cid, "--serial", "S1", "--mac", "00:11:22:33:44:55",
                   "--board", board)
        assert bad.code == 2 and f"--board {board!r}" in bad.err and says in bad.err
    assert Path(db).read_bytes() == before

    def board_part(*board: str) -> dict[str, object]:
        r = colo("--db", db, "--at", AT, "server", "record", cid, "--serial", "S1", "--mac", "00:11:22:33:44:55",
                 *board, "--json")
        assert r.code == 0, r.err
        server = json.loads(r.out)["placements"][0]["server"]
        return next((p for p in server["parts"] if p["part"] == "board"), {}) | {"shown": server["board"]}

    assert board_part("--board", "Gigabyte MZ72-HB0 x2") == {"part": "board", "model": "Gigabyte MZ72-HB0",
                                                             "count": 2, "shown": "Gigabyte MZ72-HB0 x2"}
    assert board_part("--board", "Supermicro X12SPi-TF") == {"part": "board", "model": "Supermicro X12SPi-TF",
                                                             "count": 1, "shown": "Supermicro X12SPi-TF"}
    assert board_part() == {"shown": None}
    human = colo("--db", db, "--at", AT, "server", "record", cid, "--serial", "S1", "--mac", "00:11:22:33:44:55",
                 "--board", "ASUS KRPA-U16 x1")
    assert "MAC 00:11:22:33:44:55; ASUS KRPA-U16" in human.out
    # A record made before the board had a count: its free-text model reads as one board.
    api = Colo(db=db, at=AT)
    with api.context.store.session() as s:
        s.execute(update(Server).values(board="Tyan S8030 (rev 2.0)"))
    part = next(p for p in api.contract(cid)["placements"][0]["server"]["parts"] if p["part"] == "board")
    assert part == {"part": "board", "model": "Tyan S8030 (rev 2.0)", "count": 1}
