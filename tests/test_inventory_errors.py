"""Inventory validation: every problem located as file:line: path, with the fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from provision.errors import BadInput
from provision.inventory.load import InventoryError, load_inventory
from tests.conftest import EXAMPLE


def test_example_is_a_valid_small_site() -> None:
    inv = load_inventory(EXAMPLE)
    assert inv.site.name == "SH-WGQ-1" and inv.site.timezone == "Asia/Shanghai"
    assert len(inv.rooms) == 2 and len(list(inv.racks())) >= 6
    assert {s.platform for s in inv.switches} == {"cisco_ios", "huawei_vrp", "hp_comware"}
    assert len(inv.pools) == 2 and inv.pdus
    a01 = inv.rooms[0].racks[0]
    assert a01.reserved_units == [1, 2, 41, 42] and a01.feeds[0].units == list(range(3, 41))
    assert inv.switches[2].access_ports[-1] == "GigabitEthernet1/0/48"


def broken(tmp_path: Path, file: str, old: str, new: str) -> tuple[Path, int]:
    """Copy the example, replace `old` once; return the directory and the 1-based line of the change."""
    inv = tmp_path / "inv"
    if not inv.exists():
        shutil.copytree(EXAMPLE, inv)
    body = (inv / file).read_text()
    assert old in body, old
    line = body[: body.index(old)].count("\n") + 1
    (inv / file).write_text(body.replace(old, new, 1))
    return inv, line


def problems(path: Path) -> list[str]:
    with pytest.raises(InventoryError) as e:
        load_inventory(path)
    assert e.value.exit_code == 2
    return e.value.problems


@pytest.mark.parametrize("file, old, new, path, says", [
    ("network.yaml", "platform: huawei_vrp", "platform: junos", "switches[1].platform",
     "'cisco_ios', 'huawei_vrp' or 'hp_comware'"),
    ("rooms.yaml", "power_budget_w: 6600", "power_budget_w: -1", "rooms[1].racks[0].power_budget_w", "greater than 0"),
    ("network.yaml", "prefix: 203.0.113.0/24", "prefix: 203.0.113.1/24", "pools[0].prefix", "host bits"),
    ("network.yaml", "vlan: 110", "vlan: 4095", "pools[0].vlan", "less than or equal to 4094"),
    ("site.yaml", "timezone: Asia/Shanghai", "timezone: Mars/Olympus", "site.timezone", "IANA timezone"),
    ("network.yaml", "    host: 127.0.0.1\n    port: 2202", "    host: bad_host!\n    port: 2202", "switches[1].host",
     "IP address or a DNS name"),
    ("rooms.yaml", "height_u: 47", "heigth_u: 47", "rooms[1].racks[0].heigth_u", "unknown key 'heigth_u'"),
    ("network.yaml", "    credentials: lab-switch\n    access_ports: GigabitEthernet0/0/1-44",
     "    credentials: lab-switch\n    password: hunter2\n    access_ports: GigabitEthernet0/0/1-44",
     "switches[1].password", "secrets do not belong in the inventory"),
])
def test_field_errors_name_file_line_path_and_fix(tmp_path: Path, file: str, old: str, new: str, path: str,
                                                  says: str) -> None:
    inv, line = broken(tmp_path, file, old, new)
    found = [p for p in problems(inv) if f": {path}:" in p]
    assert found, problems(inv)
    assert says in found[0] and "hunter2" not in found[0]
    location = found[0].split(": ", 1)[0]
    assert location.endswith(file + ":" + str(location.rsplit(":", 1)[1]))
    assert abs(int(location.rsplit(":", 1)[1]) - line) <= 1  # the key's line (or the line after, for multi-line edits)


@pytest.mark.parametrize("file, old, new, says", [
    ("network.yaml", "racks: [A03, A04]", "racks: [A03, Z99]", "switches[1].racks[1]: rack 'Z99' is not in any room"),
    ("network.yaml", "racks: [B01, B02, B03]\n", "racks: [B01, B02, B04]\n", "switches[2].racks[2]: rack 'B04'"),
    ("rooms.yaml", "pdu: pdu-a02", "pdu: pdu-x", "rooms[0].racks[1].feeds[0].pdu: PDU 'pdu-x' is not in pdus"),
    ("rooms.yaml", 'outlets: "1-38", units: "3-40"}]\n      - name: A02', 'outlets: "5-43", units: "3-41"}]\n      - name: A02',
     "outlet 43 does not exist on pdu-a01 (1-42)"),
    ("rooms.yaml", 'units: "3-40"', 'units: "3-39"', "38 outlets for 37 units"),
    ("rooms.yaml", '{pdu: pdu-a02, outlets: "1-38"', '{pdu: pdu-a01, outlets: "1-38"', "outlet pdu-a01:1 already feeds rack A01"),
    ("rooms.yaml", 'reserved_units: "1-2, 41-42"', 'reserved_units: "1-2, 41-43"', "unit 43 is outside the rack's 1-42"),
    ("rooms.yaml", "name: A02", "name: A01", "rack 'A01' is defined twice"),
    ("network.yaml", "uplinks: GigabitEthernet1/0/49-52", "uplinks: GigabitEthernet1/0/44-52",
     "uplink GigabitEthernet1/0/44 is also an access port"),
    ("network.yaml", "gateway: 203.0.113.1", "gateway: 198.51.100.1", "gateway 198.51.100.1 is not a host address"),
    ("network.yaml", "prefix: 198.51.100.0/24", "prefix: 203.0.113.128/25", "overlaps pool pub-a101"),
    ("network.yaml", 'reserved: ["203.0.113.2-203.0.113.9"]', 'reserved: ["203.0.113.2-203.0.114.9"]',
     "reaches outside 203.0.113.0/24"),
])
def test_cross_reference_errors(tmp_path: Path, file: str, old: str, new: str, says: str) -> None:
    inv, _ = broken(tmp_path, file, old, new)
    assert any(says in p and f"{file}:" in p for p in problems(inv)), problems(inv)


def test_yaml_syntax_error_has_its_line(tmp_path: Path) -> None:
    inv, line = broken(tmp_path, "rooms.yaml", "  - name: B201", "  - name: [B201")
    (only,) = problems(inv)
    assert "rooms.yaml:" in only and "not valid YAML" in only


def test_duplicate_keys_and_split_top_level_keys(tmp_path: Path) -> None:
    inv, line = broken(tmp_path, "site.yaml", "  timezone: Asia/Shanghai\n", "  timezone: Asia/Shanghai\n  name: AGAIN\n")
    assert any(f"site.yaml:{line + 1}: site.name: key 'name' appears twice" in p for p in problems(inv))
    (inv / "extra.yaml").write_text("pools: []\n")
    assert any("top-level key 'pools' is also in" in p for p in problems(inv))


def test_several_problems_are_reported_together(tmp_path: Path) -> None:
    inv, _ = broken(tmp_path, "network.yaml", "platform: huawei_vrp", "platform: junos")
    broken(tmp_path, "rooms.yaml", "power_budget_w: 6600", "power_budget_w: 0")
    found = problems(inv)
    assert len(found) == 2 and "network.yaml" in found[1] and "rooms.yaml" in found[0]


def test_missing_and_empty_paths(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="does not exist"):
        load_inventory(tmp_path / "nowhere")
    with pytest.raises(BadInput, match="has no .yaml files"):
        load_inventory(tmp_path)
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    with pytest.raises(InventoryError, match="must be a mapping"):
        load_inventory(tmp_path / "list.yaml")
