"""Nautobot as the source of truth, against a real Nautobot server (tests/nautobot_server.py).

The lab's copy of the example site is seeded through Nautobot's REST API once, then:
imported (as YAML equal to the inventory it came from, and re-imported showing a change),
synced into a store and taken through a contract's whole life on the lab's devices with
Nautobot's objects checked after each step, delivered through an outage of the server
stopped mid-sync, and refused for each fault the issue lists, the store unchanged.

Each xdist worker seeds its own server with its own lab (tests/nautobot_server.serving).
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import nautobot_server
from tests.conftest import Lab, order
from tests.lab_contracts import SIGNED

SKIP = nautobot_server.unavailable()
pytestmark = [pytest.mark.nautobot, pytest.mark.skipif(SKIP is not None, reason=SKIP or "")]
TOKEN_SECRET = "nautobot-test"


@pytest.fixture(scope="session")
def nautobot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[nautobot_server.NautobotServer]:
    yield from nautobot_server.serving(tmp_path_factory.mktemp("nautobot"))


@pytest.fixture(scope="session")
def seeded(nautobot: nautobot_server.NautobotServer, lab: Lab) -> dict[str, Any]:
    """The lab's site (its devices on this session's free ports) recorded in Nautobot as the conventions say."""
    from tests.nautobot_seed import seed

    inv: dict[str, Any] = {}
    for f in sorted(lab.inventory.glob("*.yaml")):
        inv.update(yaml.safe_load(f.read_text()))
    return seed(nautobot.api(), inv) | {"inventory": inv}


@pytest.fixture
def token(nautobot: nautobot_server.NautobotServer, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COLO_SECRET_NAUTOBOT_TEST_PASSWORD", nautobot.token)
    return nautobot.token


def _normal(inv: Any) -> dict[str, Any]:
    """An inventory as data, without what Nautobot does not hold (the switch models' CLI personalities)."""
    data = inv.model_dump(mode="json")
    for sw in data["switches"]:
        sw.pop("personality")
    data["pools"] = sorted(data["pools"], key=lambda p: p["name"])
    for pool, model in zip(data["pools"], sorted(inv.pools, key=lambda p: p.name), strict=True):
        pool["reserved"] = sorted(map(str, model.reserved_addresses()))  # ranges or single addresses alike
    return data


def test_import_writes_the_inventory_it_was_seeded_from_and_reimport_shows_changes(
        nautobot, seeded, token, colo, lab, tmp_path: Path) -> None:
    from provision.inventory.load import load_inventory

    out = tmp_path / "site"
    args = ("inventory", "import", "nautobot", "--url", nautobot.url, "--token-secret", TOKEN_SECRET,
            "--location", "SH-WGQ-1", "--out", str(out))
    first = colo(*args, "--json")
    assert first.code == 0, first.err
    assert _normal(load_inventory(out)) == _normal(load_inventory(lab.inventory))
    assert token not in first.out + first.err
    again = colo(*args)
    assert again.code == 0 and "nothing changed" in again.out

    api = nautobot.api()
    user = list(api.users.users.all())[0]
    extra = api.dcim.rack_reservations.create(rack=seeded["racks"]["B03"].id, units=[30], user=user.id,
                                              description="customer demo kit")
    try:
        changed = colo(*args, "--json")
        assert changed.code == 0, changed.err
        lines = json.loads(changed.out)["changes"]
        assert any(line.startswith("rooms.yaml: +") and "30" in line for line in lines), lines
        assert 30 in load_inventory(out).rooms[1].racks[2].reserved_units
    finally:
        extra.delete()


def _store_from_nautobot(nautobot, tmp_path: Path, lab: Lab) -> str:
    from provision.api import Colo

    lab.reset()
    db = str(tmp_path / "colo.db")
    result = Colo(db=db).import_site("nautobot", nautobot.url, TOKEN_SECRET, "SH-WGQ-1")
    assert result["store"]["site"] == "SH-WGQ-1"
    return db


def _server(api, name: str):  # type: ignore[no-untyped-def]
    found = list(api.dcim.devices.filter(name=name, depth=1))
    return found[0] if found else None


def _ip(api, address: str):  # type: ignore[no-untyped-def]
    found = list(api.ipam.ip_addresses.filter(address=address, depth=1))
    return found[0] if found else None


def _port(api, switch: str, name: str):  # type: ignore[no-untyped-def]
    return list(api.dcim.interfaces.filter(device=switch, name=name, depth=1))[0]


def test_a_contract_life_on_an_imported_site_is_written_back_after_each_step(
        nautobot, seeded, token, lab, tmp_path: Path) -> None:
    from provision.api import Colo, ServerRecord

    db = _store_from_nautobot(nautobot, tmp_path, lab)
    api = nautobot.api()
    contract = Colo(db=db, at=SIGNED).sign(order("Nautobot Life Ltd", room="A101"))
    cid, placement = contract["id"], contract["placements"][0]
    ip, switch, iface = placement["addresses"][0]["ip"], placement["port"]["switch"], placement["port"]["interface"]
    name = f"{cid}-s1"

    def sync() -> dict[str, Any]:
        result = Colo(db=db).sot_sync()
        assert result["pending"] == 0
        return result

    sync()
    assert api.tenancy.tenants.get(name="Nautobot Life Ltd") is not None
    server = _server(api, name)
    assert (server.status.name, server.tenant.name, server.rack.name, server.position) == (
        "Planned", "Nautobot Life Ltd", placement["rack"], min(placement["units"]))
    address = _ip(api, ip)
    assert (address.status.name, address.tenant.name, address.description) == ("Reserved", "Nautobot Life Ltd", cid)
    port = _port(api, switch, iface)
    assert (port.description, port.mode.value, port.untagged_vlan.vid, port.enabled) == (
        f"{cid} s1 Nautobot Life Ltd", "access", 110, False)
    assert list(api.ipam.ip_address_to_interface.filter(ip_address=address.id, depth=1))[0].interface.device.name == name

    Colo(db=db, at="2026-11-25T09:00").provision([cid])
    sync()
    assert _server(api, name).status.name == "Active" and _ip(api, ip).status.name == "Active"
    assert _port(api, switch, iface).enabled is True

    Colo(db=db, at="2026-11-25T10:00").record_server(cid, 1, ServerRecord(serial="SN-NB-1", mac="001122334455"))
    sync()
    assert _server(api, name).serial == "SN-NB-1"
    assert api.dcim.interfaces.get(device=name, name="eth0").mac_address.lower() == "00:11:22:33:44:55"

    assert Colo(db=db, at="2026-11-26T09:00").activate(cid)["state"] == "active"
    sync()
    assert Colo(db=db).sot_drift()["differences"] == []

    Colo(db=db, at="2026-11-27T09:00").authority_stop(cid, "GOV-1")
    sync()
    assert _port(api, switch, iface).enabled is False

    Colo(db=db, at="2026-11-28T09:00").terminate(cid, forced="policy")
    Colo(db=db, at="2026-11-28T10:00").decommission(cid)
    report = sync()
    assert report["delivered"] >= 2
    assert _server(api, name) is None and _ip(api, ip) is None
    port = _port(api, switch, iface)
    assert (port.description, port.untagged_vlan, port.enabled) == ("", None, False)
    assert Colo(db=db).sot_drift()["differences"] == []
    assert Colo(db=db).sot_sync()["delivered"] == 0  # idempotent: nothing left, nothing resent


def test_outbox_keeps_write_backs_through_an_outage_and_the_retry_completes(
        nautobot, seeded, token, lab, tmp_path: Path, colo) -> None:
    """A second server process on the same database is stopped in the middle of a one-object-per-request sync."""
    from provision.api import Colo
    from provision.store.engine import open_store
    from provision.store.schema import SotOutbox

    spare = nautobot_server._serve(Path(nautobot.root), nautobot.db, nautobot_server._free_port(), nautobot.token)
    try:
        lab.reset()
        db = str(tmp_path / "colo.db")
        Colo(db=db).import_site("nautobot", spare.url, TOKEN_SECRET, "SH-WGQ-1")
        ids = [Colo(db=db, at="2027-01-05T10:00").sign(order(f"Outage Co {i}", room="B201"))["id"] for i in range(4)]
        store = open_store(db)

        def done() -> int:
            with store.session() as s:
                return sum(1 for e in s.query(SotOutbox) if e.done_at is not None)

        failure: list[BaseException] = []

        def run() -> None:
            try:
                Colo(db=db).sot_sync(batch=1)
            except BaseException as e:
                failure.append(e)

        worker = threading.Thread(target=run)
        worker.start()
        deadline = time.monotonic() + 120
        while done() < 1 and worker.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        spare.stop()
        worker.join(120)
        assert failure and "unreachable" in str(failure[0]) and "left for the retry" in str(failure[0])
        left = colo("--db", db, "sot", "status", "--json")
        status = json.loads(left.out)
        assert 0 < status["pending"] < 4 and status["oldest_pending"]["last_error"]
        down = colo("--db", db, "sot", "sync")
        assert down.code == 1 and len(down.err.strip().splitlines()) == 1 and token not in down.err

        spare = spare.start_again()
        assert Colo(db=db).sot_sync(batch=1)["pending"] == 0
        api = nautobot.api()
        for i, cid in enumerate(ids):
            server = list(api.dcim.devices.filter(name=f"{cid}-s1", depth=1))
            assert len(server) == 1 and server[0].tenant.name == f"Outage Co {i}"
        assert len(list(api.tenancy.tenants.filter(name=[f"Outage Co {i}" for i in range(4)]))) == 4
        assert Colo(db=db).sot_drift()["differences"] == []
    finally:
        spare.stop()


def _bytes(path: Path) -> bytes | None:
    return path.read_bytes() if path.exists() else None


@pytest.fixture(scope="session")
def faulty(nautobot, seeded) -> str:
    """A second location holding each inventory fault: a rack without power feeds, a switch of a platform
    colo has no driver for; and two locations both named TWIN."""
    api = nautobot.api()
    site_type, room_type = api.dcim.location_types.get(name="Site"), api.dcim.location_types.get(name="Room")
    site = api.dcim.locations.create(name="NB-FAULTS", location_type=site_type.id, status="Active")
    room = api.dcim.locations.create(name="F1", location_type=room_type.id, parent=site.id, status="Active")
    rack = api.dcim.racks.create(name="F01", location=room.id, status="Active", u_height=42)
    api.dcim.devices.create(name="sw-f01", role={"name": "colo-switch"}, device_type={"model": "lab-switch"},
                            platform={"name": "juniper_junos"}, location=room.id, rack=rack.id, position=42,
                            face="front", status="Active", secrets_group={"name": "lab-switch"})
    for parent in ("SH-WGQ-1", "NB-FAULTS"):
        api.dcim.locations.create(name="TWIN", location_type=room_type.id, status="Active",
                                  parent=api.dcim.locations.get(name=parent).id)
    return "NB-FAULTS"


@pytest.mark.parametrize(("case", "code", "expected"), [
    ("wrong token", 2, "refused the token in secret 'nautobot-test'"),
    ("unreachable", 1, "is unreachable"),
    ("server error", 1, "failed (HTTP 500)"),
    ("rack without power feeds", 2, "rack F01: has no power feeds"),
    ("platform without driver", 2, "device sw-f01: platform 'juniper_junos' has no colo driver"),
    ("two locations of one name", 2, "2 locations have that name"),
])
def test_import_faults_are_one_line_each_and_change_nothing(case, code, expected, nautobot, faulty, token, colo,
                                                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            request: pytest.FixtureRequest) -> None:
    from tests.conftest import free_port

    url, location = nautobot.url, {"two locations of one name": "TWIN"}.get(case, faulty)
    if case == "wrong token":
        monkeypatch.setenv("COLO_SECRET_NAUTOBOT_TEST_PASSWORD", "0" * 40)
    elif case == "unreachable":
        import socket

        url = f"http://127.0.0.1:{free_port(socket.SOCK_STREAM)}"
    elif case == "server error":
        url = _failing_server(request)
    db, out = tmp_path / "colo.db", tmp_path / "out"
    for target in (("--db", str(db)), ("--db", str(db), "--out", str(out))):
        result = colo("--db", target[1], "inventory", "import", "nautobot", "--url", url, "--token-secret",
                      TOKEN_SECRET, "--location", location, *target[2:])
        assert result.code == code, result.err
        lines = result.err.strip().splitlines()
        assert any(expected in line for line in lines), lines
        if case in ("rack without power feeds", "platform without driver"):  # every fault of the location, a line each
            assert len(lines) >= 2 and all(f"location {faulty}: " in line for line in lines), lines
        else:
            assert len(lines) == 1
        assert nautobot.token not in result.err + result.out
        assert _bytes(db) is None and not out.exists()


def _failing_server(request: pytest.FixtureRequest) -> str:
    """An HTTP server on loopback that answers every request with a 500, as Nautobot does when it breaks."""

    class Failing(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(500)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<h1>Server Error (500)</h1>")

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Failing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    request.addfinalizer(server.shutdown)
    return f"http://127.0.0.1:{server.server_address[1]}"
