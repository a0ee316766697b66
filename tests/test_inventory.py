"""The inventory loader: the example validates, and every fault is reported as
`FILE:LINE: dotted.path: what is wrong — how to fix`, with the line computed from the text written.
"""

from __future__ import annotations

import ipaddress
import shutil
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from provision.errors import BadInput
from provision.inventory.load import InventoryError, load_inventory
from tests.conftest import EXAMPLE, ROOT

# --------------------------------------------------------------------------- helpers


def copy_example(tmp_path: Path) -> Path:
    inv = tmp_path / "inv"
    shutil.copytree(EXAMPLE, inv)
    return inv


def replace(inv: Path, file: str, old: str, new: str) -> None:
    """Replace `old`, which must occur exactly once in inv/file, by `new`."""
    body = (inv / file).read_text(encoding="utf-8")
    assert body.count(old) == 1, f"{old!r} occurs {body.count(old)} times in {file}"
    (inv / file).write_text(body.replace(old, new), encoding="utf-8")


def line_of(file: Path, needle: str) -> int:
    """1-based line on which `needle` (unique in the file) starts."""
    body = file.read_text(encoding="utf-8")
    assert body.count(needle) == 1, f"{needle!r} occurs {body.count(needle)} times in {file}"
    return body[: body.index(needle)].count("\n") + 1


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InventoryError) as caught:
        load_inventory(path)
    err = caught.value
    assert isinstance(err, BadInput) and err.exit_code == 2
    assert err.problems, "an InventoryError must list at least one problem"
    assert str(err) == "\n".join(err.problems)
    for p in err.problems:
        assert "\n" not in p, f"each problem is one line: {p!r}"
    return err.problems


def located(problems: list[str], file: Path, line: int, dotted: str) -> list[str]:
    """The problems reported at exactly file:line for the dotted path; fail showing all if none."""
    prefix = f"{file}:{line}: {dotted}: "
    found = [p for p in problems if p.startswith(prefix)]
    assert found, f"nothing starts with {prefix!r}; got:\n" + "\n".join(problems)
    return found


def only_problem(problems: list[str], file: Path, line: int, dotted: str) -> str:
    (found,) = located(problems, file, line, dotted)
    return found


MINIMAL = textwrap.dedent("""\
    # a one-file site
    site:
      name: TEST-1
      timezone: Europe/Berlin
    rooms:
      - name: R1
        racks:
          - name: K1
            height_u: 42
            reserved_units: 1
            power_budget_w: 4000
            feeds: [{pdu: pdu-k1, outlets: "1-10", units: "2-11"}]
          - name: K2
            height_u: 42
            power_budget_w: 4000
    switches:
      - name: sw1
        platform: cisco_ios
        host: sw1.mgmt.example
        credentials: lab-switch
        access_ports: GigabitEthernet1/0/1-4
        uplinks: GigabitEthernet1/0/48
        racks: [K1, K2]
    pdus:
      - name: pdu-k1
        platform: apc_rpdu2
        host: 10.9.9.9
        credentials: lab-snmp
        outlets: 24
    pools:
      - name: p1
        prefix: 10.0.0.0/24
        gateway: 10.0.0.1
        vlan: 100
        reserved: ["10.0.0.2-10.0.0.9"]
        racks: [K1]
      - name: p2
        prefix: 10.0.1.0/24
        gateway: 10.0.1.1
        vlan: 101
        racks: [K2]
    """)


def minimal(tmp_path: Path, old: str = "", new: str = "") -> Path:
    """Write the one-file inventory (with `old` replaced once by `new`) and return the file."""
    file = tmp_path / "site.yaml"
    if old:
        assert MINIMAL.count(old) == 1, old
    file.write_text(MINIMAL.replace(old, new) if old else MINIMAL, encoding="utf-8")
    return file


# --------------------------------------------------------------------------- valid inventories


def test_example_validates() -> None:
    inv = load_inventory(EXAMPLE)
    assert inv.site.name == "SH-WGQ-1"
    assert inv.site.timezone == "Asia/Shanghai"
    assert [str(a) for a in inv.site.dns] == ["192.0.2.53", "192.0.2.54"]
    assert [room.name for room in inv.rooms] == ["A101", "B201"]
    racks = [rack.name for _, rack in inv.racks()]
    assert len(racks) >= 6 and len(set(racks)) == len(racks)
    assert {s.platform for s in inv.switches} == {"cisco_ios", "huawei_vrp", "hp_comware"}
    served = {name for s in inv.switches for name in s.racks}
    assert served == set(racks), "every rack has an access switch"
    assert len(inv.pdus) == 7 and {p.platform for p in inv.pdus} == {"apc_rpdu2", "raritan_px2"}
    assert {f.pdu for _, rack in inv.racks() for f in rack.feeds} == {p.name for p in inv.pdus}
    assert [p.name for p in inv.pools] == ["pub-a101", "pub-b201"]
    assert inv.pools[0].prefix == ipaddress.IPv4Network("203.0.113.0/24")
    # network, broadcast, gateway and the operator's 203.0.113.2-9
    assert len(inv.pools[0].reserved_addresses()) == 11


def test_example_validates_as_a_path_string_too() -> None:
    assert load_inventory(str(EXAMPLE)).site.name == "SH-WGQ-1"


def test_minimal_one_file_inventory_validates_with_defaults(tmp_path: Path) -> None:
    inv = load_inventory(minimal(tmp_path))
    assert inv.site.timezone == "Europe/Berlin"
    assert inv.site.address_quarantine_days == 30 and inv.calendar == {}
    assert inv.switches[0].port == 22 and inv.pdus[0].port == 161
    assert inv.rooms[0].racks[1].reserved_units == [] and inv.rooms[0].racks[1].feeds == []


def test_yml_suffix_and_empty_files_are_accepted_in_a_directory(tmp_path: Path) -> None:
    inv = copy_example(tmp_path)
    (inv / "power.yaml").rename(inv / "power.yml")
    (inv / "notes.yaml").write_text("# nothing here yet\n")
    (inv / "README.txt").write_text("not: [yaml")
    assert len(load_inventory(inv).pdus) == 7


# --------------------------------------------------------------------------- ranges


def test_unit_and_outlet_ranges_expand() -> None:
    inv = load_inventory(EXAMPLE)
    a01 = inv.rooms[0].racks[0]
    assert a01.reserved_units == [1, 2, 41, 42]          # "1-2, 41-42"
    assert a01.feeds[0].units == list(range(3, 41))       # "3-40"
    assert a01.feeds[0].outlets == list(range(1, 39))     # "1-38"
    b01 = inv.rooms[1].racks[0]
    assert b01.reserved_units == [1, 46, 47]              # "1, 46-47"
    assert b01.feeds[0].units == list(range(2, 38))


def test_interface_ranges_expand() -> None:
    cisco, huawei, comware = load_inventory(EXAMPLE).switches
    assert cisco.access_ports == [f"GigabitEthernet1/0/{n}" for n in range(1, 45)]
    assert cisco.uplinks == [f"GigabitEthernet1/0/{n}" for n in range(49, 53)]
    assert huawei.access_ports[0] == "GigabitEthernet0/0/1" and len(huawei.access_ports) == 44
    assert huawei.uplinks == [f"XGigabitEthernet0/0/{n}" for n in range(1, 5)]
    assert comware.access_ports[-1] == "GigabitEthernet1/0/48" and len(comware.access_ports) == 48
    assert comware.uplinks == [f"Ten-GigabitEthernet1/0/{n}" for n in range(49, 53)]


def test_ranges_may_be_given_as_lists_of_pieces(tmp_path: Path) -> None:
    file = minimal(tmp_path, "reserved_units: 1\n", 'reserved_units: [1-2, 41, "42"]\n')
    text = file.read_text().replace("access_ports: GigabitEthernet1/0/1-4",
                                    "access_ports: [GigabitEthernet1/0/1-2, GigabitEthernet1/0/10]")
    file.write_text(text)
    inv = load_inventory(file)
    assert inv.rooms[0].racks[0].reserved_units == [1, 2, 41, 42]
    assert inv.switches[0].access_ports == ["GigabitEthernet1/0/1", "GigabitEthernet1/0/2", "GigabitEthernet1/0/10"]
    assert inv.switches[0].uplinks == ["GigabitEthernet1/0/48"]


def test_backwards_unit_range_is_located(tmp_path: Path) -> None:
    file = minimal(tmp_path, "reserved_units: 1\n", 'reserved_units: "1-2, 9-4"\n')
    msg = only_problem(problems_of(file), file, line_of(file, "reserved_units:"), "rooms[0].racks[0].reserved_units")
    assert "'9-4' runs backwards" in msg and "write it low-high" in msg


def test_backwards_interface_range_is_located(tmp_path: Path) -> None:
    file = minimal(tmp_path, "access_ports: GigabitEthernet1/0/1-4", "access_ports: GigabitEthernet1/0/4-1")
    msg = only_problem(problems_of(file), file, line_of(file, "access_ports:"), "switches[0].access_ports")
    assert "runs backwards" in msg and "low-high" in msg


# --------------------------------------------------------------------------- paths and file shapes


def test_missing_path_is_bad_input(tmp_path: Path) -> None:
    nowhere = tmp_path / "nowhere"
    with pytest.raises(BadInput) as caught:
        load_inventory(nowhere)
    assert caught.value.exit_code == 2
    msg = str(caught.value)
    assert str(nowhere) in msg and "does not exist" in msg and "give a YAML file or a directory" in msg


def test_empty_directory_is_bad_input(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "README.md").write_text("inventory goes here\n")
    with pytest.raises(BadInput) as caught:
        load_inventory(empty)
    assert caught.value.exit_code == 2
    msg = str(caught.value)
    assert str(empty) in msg and "has no .yaml files" in msg and "point at a site file or a directory" in msg


def test_yaml_syntax_error_reports_the_line(tmp_path: Path) -> None:
    inv = copy_example(tmp_path)
    replace(inv, "rooms.yaml", "        height_u: 47\n        reserved_units: \"1, 46-47\"\n        power_budget_w: 6600\n"
                               "        feeds: [{pdu: pdu-b02",
            "        height_u: 47: tall\n        reserved_units: \"1, 46-47\"\n        power_budget_w: 6600\n"
            "        feeds: [{pdu: pdu-b02")
    file = inv / "rooms.yaml"
    (only,) = problems_of(inv)
    assert only.startswith(f"{file}:{line_of(file, 'height_u: 47: tall')}: ")
    assert "not valid YAML" in only and "mapping values are not allowed" in only and "fix the syntax" in only


def test_yaml_syntax_error_in_one_file_of_a_single_file_inventory(tmp_path: Path) -> None:
    file = minimal(tmp_path, "    vlan: 100\n", "    vlan: 100\n   bad: indent\n")
    (only,) = problems_of(file)
    assert only.startswith(f"{file}:{line_of(file, 'bad: indent')}: ") and "not valid YAML" in only


def test_unclosed_bracket_points_at_the_line_that_opened_it(tmp_path: Path) -> None:
    """PyYAML notices the unclosed '[' on the next line; the technician must be sent to the '['."""
    inv = copy_example(tmp_path)
    replace(inv, "rooms.yaml", "  - name: B201", "  - name: [B201")
    file = inv / "rooms.yaml"
    opened = line_of(file, "[B201")
    (only,) = problems_of(inv)
    assert only.startswith(f"{file}:") and "not valid YAML" in only
    assert only.startswith(f"{file}:{opened}:") or f"line {opened}" in only, only


def test_a_list_file_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "site.yaml"
    file.write_text("- site\n- rooms\n")
    (only,) = problems_of(file)
    assert only.startswith(f"{file}:1: ") and "must be a mapping — write it as keys site:, rooms:" in only


def test_a_list_file_is_refused_at_the_line_where_the_list_starts(tmp_path: Path) -> None:
    """Like every shipped file, this one opens with comments; line 1 is a comment, the list is on line 4."""
    inv = copy_example(tmp_path)
    (inv / "network.yaml").write_text("# Access switches.\n# (forgot the `switches:` key)\n\n"
                                      "- name: sw-a101-1\n  platform: cisco_ios\n")
    file = inv / "network.yaml"
    (only,) = problems_of(inv)
    assert only.startswith(f"{file}:{line_of(file, '- name: sw-a101-1')}: ") and "must be a mapping" in only


def test_duplicate_key_inside_a_mapping(tmp_path: Path) -> None:
    inv = copy_example(tmp_path)
    replace(inv, "network.yaml", "    vlan: 120\n", "    vlan: 120\n    vlan: 121\n")
    replace(inv, "site.yaml", "  timezone: Asia/Shanghai\n", "  timezone: Asia/Shanghai\n  name: AGAIN\n")
    found = problems_of(inv)
    vlan = only_problem(found, inv / "network.yaml", line_of(inv / "network.yaml", "vlan: 121"), "pools[1].vlan")
    assert "key 'vlan' appears twice" in vlan and "keep one" in vlan
    name = only_problem(found, inv / "site.yaml", line_of(inv / "site.yaml", "name: AGAIN"), "site.name")
    assert "key 'name' appears twice" in name and "keep one" in name
    assert len(found) == 2


def test_same_top_level_key_in_two_files_is_refused(tmp_path: Path) -> None:
    inv = copy_example(tmp_path)
    (inv / "zz-extra.yaml").write_text("# more pools\n\npools: []\n")
    (only,) = problems_of(inv)
    assert str(inv / "zz-extra.yaml") in only and str(inv / "network.yaml") in only
    assert "top-level key 'pools'" in only and "keep it in one file" in only


def test_same_top_level_key_in_two_files_has_line_and_path(tmp_path: Path) -> None:
    inv = copy_example(tmp_path)
    extra = inv / "zz-extra.yaml"
    extra.write_text("# more pools\n\npools: []\n")
    (only,) = problems_of(inv)
    assert only.startswith(f"{extra}:{line_of(extra, 'pools:')}: pools: "), only


# --------------------------------------------------------------------------- field errors in the example


@pytest.mark.parametrize("file, old, new, marker, path, says", [
    pytest.param("network.yaml", "platform: huawei_vrp", "platform: junos", "platform: junos",
                 "switches[1].platform", "'junos' — Input should be 'cisco_ios', 'huawei_vrp' or 'hp_comware'",
                 id="platform"),
    pytest.param("rooms.yaml", "        power_budget_w: 6600\n        feeds: [{pdu: pdu-b02",
                 "        power_budget_w: -1\n        feeds: [{pdu: pdu-b02", "power_budget_w: -1",
                 "rooms[1].racks[1].power_budget_w", "-1 — Input should be greater than 0", id="negative-power"),
    pytest.param("network.yaml", "vlan: 110", "vlan: 0", "vlan: 0", "pools[0].vlan",
                 "0 — Input should be greater than or equal to 2", id="vlan-0"),
    pytest.param("network.yaml", "vlan: 120", "vlan: 4095", "vlan: 4095", "pools[1].vlan",
                 "4095 — Input should be less than or equal to 4094", id="vlan-4095"),
    pytest.param("site.yaml", "timezone: Asia/Shanghai", "timezone: Asia/Shanghia", "timezone:", "site.timezone",
                 "'Asia/Shanghia' — not an IANA timezone: give e.g. Asia/Shanghai", id="timezone"),
    pytest.param("power.yaml", "{name: pdu-b02, platform: raritan_px2, host: 127.0.0.1,",
                 "{name: pdu-b02, platform: raritan_px2, host: pdu_b02!,", "pdu_b02!", "pdus[5].host",
                 "'pdu_b02!' — give an IP address or a DNS name", id="pdu-host"),
])
def test_field_error_in_the_example(tmp_path: Path, file: str, old: str, new: str, marker: str, path: str,
                                    says: str) -> None:
    inv = copy_example(tmp_path)
    replace(inv, file, old, new)
    found = problems_of(inv)
    msg = only_problem(found, inv / file, line_of(inv / file, marker), path)
    assert says in msg, msg
    assert len(found) == 1, found


def test_unknown_key_typo(tmp_path: Path) -> None:
    """`heigth_u` is refused by name, and the real `height_u` is then reported missing on the rack's line."""
    inv = copy_example(tmp_path)
    replace(inv, "rooms.yaml", "        height_u: 47\n        reserved_units: \"1, 46-47\"\n        power_budget_w: 6600\n"
                               "        feeds: [{pdu: pdu-b01", "        heigth_u: 47\n        reserved_units: \"1, 46-47\"\n"
                               "        power_budget_w: 6600\n        feeds: [{pdu: pdu-b01")
    file = inv / "rooms.yaml"
    found = problems_of(inv)
    typo = only_problem(found, file, line_of(file, "heigth_u:"), "rooms[1].racks[0].heigth_u")
    assert "unknown key 'heigth_u' — remove it or fix the spelling" in typo
    missing = only_problem(found, file, line_of(file, "- name: B01"), "rooms[1].racks[0].height_u")
    assert "required — add it" in missing
    assert len(found) == 2, found


@pytest.mark.parametrize("key, value", [("password", "hunter2"), ("community", "s3cr3t-public"),
                                        ("Enable_Password", "hunter3")])
def test_secret_key_gets_the_secrets_message_and_the_value_is_not_echoed(tmp_path: Path, key: str, value: str) -> None:
    inv = copy_example(tmp_path)
    replace(inv, "network.yaml", "    port: 2203\n", f"    port: 2203\n    {key}: {value}\n")
    file = inv / "network.yaml"
    (msg,) = problems_of(inv)
    assert msg == only_problem([msg], file, line_of(file, f"{key}:"), f"switches[2].{key}")
    assert "secrets do not belong in the inventory" in msg
    assert "'credentials:'" in msg and "COLO_SECRETS" in msg
    assert value not in msg and "unknown key" not in msg


def test_secret_in_a_flow_mapping_pdu(tmp_path: Path) -> None:
    inv = copy_example(tmp_path)
    replace(inv, "power.yaml", "port: 16203, credentials: lab-snmp, outlets: 36}",
            "port: 16203, credentials: lab-snmp, outlets: 36, community: private}")
    file = inv / "power.yaml"
    (msg,) = problems_of(inv)
    only_problem([msg], file, line_of(file, "community: private"), "pdus[6].community")
    assert "secrets do not belong in the inventory" in msg and "private" not in msg


def test_unknown_key_with_a_block_value_points_at_the_key(tmp_path: Path) -> None:
    """A typo'd key whose value is a block list: the line of the key, not of its first item."""
    inv = copy_example(tmp_path)
    replace(inv, "rooms.yaml", '        feeds: [{pdu: pdu-b03, outlets: "1-36", units: "2-37"}]',
            '        feed:\n          - {pdu: pdu-b03, outlets: "1-36", units: "2-37"}')
    file = inv / "rooms.yaml"
    (msg,) = problems_of(inv)
    assert "unknown key 'feed' — remove it or fix the spelling" in msg
    only_problem([msg], file, line_of(file, "feed:"), "rooms[1].racks[2].feed")


def test_missing_required_field_points_at_its_rack(tmp_path: Path) -> None:
    inv = copy_example(tmp_path)
    replace(inv, "rooms.yaml", "        height_u: 47\n        reserved_units: \"1, 46-47\"\n        power_budget_w: 6600\n"
                               "        feeds: [{pdu: pdu-b03", "        reserved_units: \"1, 46-47\"\n"
                               "        power_budget_w: 6600\n        feeds: [{pdu: pdu-b03")
    file = inv / "rooms.yaml"
    msg = only_problem(problems_of(inv), file, line_of(file, "- name: B03"), "rooms[1].racks[2].height_u")
    assert "required — add it" in msg


# --------------------------------------------------------------------------- field errors in a one-file inventory


@pytest.mark.parametrize("host", ["bad_host!", "-sw1.example", "sw1..example", "sw 1.example", "sw1.exa_mple"])
def test_bad_host_name(tmp_path: Path, host: str) -> None:
    file = minimal(tmp_path, "host: sw1.mgmt.example", f"host: '{host}'")
    msg = only_problem(problems_of(file), file, line_of(file, "host: '"), "switches[0].host")
    assert "give an IP address or a DNS name" in msg


@pytest.mark.parametrize("host", ["10.0.0.7", "sw1.mgmt.example", "sw1.mgmt.example.", "fd00::7", "localhost"])
def test_good_host_names(tmp_path: Path, host: str) -> None:
    assert load_inventory(minimal(tmp_path, "host: sw1.mgmt.example", f"host: '{host}'")).switches[0].host == host


def test_mistyped_ipv4_address_is_not_taken_for_a_dns_name(tmp_path: Path) -> None:
    """10.0.0.300 is neither an address nor a usable name (an all-numeric top-level label); refuse it now
    instead of failing at connect time with a DNS error."""
    file = minimal(tmp_path, "host: 10.9.9.9", "host: 10.9.9.300")
    msg = only_problem(problems_of(file), file, line_of(file, "10.9.9.300"), "pdus[0].host")
    assert "give an IP address or a DNS name" in msg


def test_prefix_with_host_bits_set(tmp_path: Path) -> None:
    file = minimal(tmp_path, "prefix: 10.0.0.0/24", "prefix: 10.0.0.1/24")
    msg = only_problem(problems_of(file), file, line_of(file, "10.0.0.1/24"), "pools[0].prefix")
    assert "'10.0.0.1/24'" in msg and "not an IPv4 network with its host bits zero" in msg and "host bits set" in msg


def test_gateway_outside_the_prefix(tmp_path: Path) -> None:
    file = minimal(tmp_path, "gateway: 10.0.1.1", "gateway: 10.0.2.1")
    msg = only_problem(problems_of(file), file, line_of(file, "gateway: 10.0.2.1"), "pools[1].gateway")
    assert "gateway 10.0.2.1 is not a host address of 10.0.1.0/24" in msg


@pytest.mark.parametrize("gateway", ["10.0.1.0", "10.0.1.255"])
def test_gateway_on_network_or_broadcast_address(tmp_path: Path, gateway: str) -> None:
    file = minimal(tmp_path, "gateway: 10.0.1.1", f"gateway: {gateway}")
    msg = only_problem(problems_of(file), file, line_of(file, f"gateway: {gateway}"), "pools[1].gateway")
    assert f"gateway {gateway} is not a host address of 10.0.1.0/24" in msg


def test_overlapping_pools(tmp_path: Path) -> None:
    file = minimal(tmp_path, "prefix: 10.0.1.0/24\n    gateway: 10.0.1.1", "prefix: 10.0.0.128/25\n    gateway: 10.0.0.129")
    msg = only_problem(problems_of(file), file, line_of(file, "10.0.0.128/25"), "pools[1].prefix")
    assert "10.0.0.128/25 overlaps pool p1 (10.0.0.0/24)" in msg and "pools must be disjoint" in msg


def test_reserved_range_outside_the_pool(tmp_path: Path) -> None:
    file = minimal(tmp_path, '"10.0.0.2-10.0.0.9"', '"10.0.0.2-10.0.0.9", "10.0.0.250-10.0.1.3"')
    msg = only_problem(problems_of(file), file, line_of(file, "reserved:"), "pools[0].reserved[1]")
    assert "'10.0.0.250-10.0.1.3' reaches outside 10.0.0.0/24 (10.0.1.0)" in msg


def test_reserved_entry_that_is_not_an_address(tmp_path: Path) -> None:
    file = minimal(tmp_path, '"10.0.0.2-10.0.0.9"', '"10.0.0.9-10.0.0.2"')
    msg = only_problem(problems_of(file), file, line_of(file, "reserved:"), "pools[0].reserved[0]")
    assert "runs backwards" in msg and "give an address, a-b range or CIDR" in msg


def test_wide_reserved_cidr_is_reported_promptly(tmp_path: Path) -> None:
    """A /8 typed into `reserved` of a /24 pool is one problem, found in well under a second — not 16 million
    addresses materialised (0.0.0.0/0 would never finish). Run in a child with a time and memory cap."""
    file = minimal(tmp_path, '"10.0.0.2-10.0.0.9"', '"10.0.0.0/8"')
    code = ("import resource, sys\n"
            "resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))\n"
            "from provision.inventory.load import InventoryError, load_inventory\n"
            "try:\n    load_inventory(sys.argv[1])\nexcept InventoryError as e:\n    print('\\n'.join(e.problems))\n")
    try:
        run = subprocess.run([sys.executable, "-c", code, str(file)], cwd=ROOT, capture_output=True, text=True,
                             timeout=8)
    except subprocess.TimeoutExpired:
        pytest.fail("load_inventory took more than 8 s on reserved: ['10.0.0.0/8']")
    assert run.returncode == 0, run.stderr[-2000:]
    assert f"{file}:{line_of(file, 'reserved:')}: pools[0].reserved[0]: '10.0.0.0/8' reaches outside 10.0.0.0/24" \
        in run.stdout


def test_bad_calendar_day_is_located_on_its_own_line(tmp_path: Path) -> None:
    inv = copy_example(tmp_path)
    replace(inv, "site.yaml", "calendar: {}", "calendar:\n  2027-02-20: workday\n  2027-10-07: vacation")
    file = inv / "site.yaml"
    (msg,) = problems_of(inv)
    assert "'vacation' — Input should be 'workday' or 'holiday'" in msg
    only_problem([msg], file, line_of(file, "2027-10-07: vacation"), "calendar.2027-10-07")


def test_calendar_days_load_as_dates(tmp_path: Path) -> None:
    inv = copy_example(tmp_path)
    replace(inv, "site.yaml", "calendar: {}", "calendar:\n  2027-02-20: workday\n  2027-10-07: holiday")
    assert load_inventory(inv).calendar == {date(2027, 2, 20): "workday", date(2027, 10, 7): "holiday"}


# --------------------------------------------------------------------------- cross references


def test_switch_serving_an_unknown_rack(tmp_path: Path) -> None:
    inv = copy_example(tmp_path)
    replace(inv, "network.yaml", "racks: [A03, A04]", "racks: [A03, Z99]")
    file = inv / "network.yaml"
    msg = only_problem(problems_of(inv), file, line_of(file, "Z99"), "switches[1].racks[1]")
    assert "rack 'Z99' is not in any room: add it or fix the name" in msg


def test_pool_serving_an_unknown_rack(tmp_path: Path) -> None:
    inv = copy_example(tmp_path)
    replace(inv, "network.yaml", "racks: [A01, A02, A03, A04]", "racks: [A01, A02, A03, A4]")
    file = inv / "network.yaml"
    msg = only_problem(problems_of(inv), file, line_of(file, "A4]"), "pools[0].racks[3]")
    assert "rack 'A4' is not in any room: add it or fix the name" in msg


def test_feed_naming_an_unknown_pdu(tmp_path: Path) -> None:
    inv = copy_example(tmp_path)
    replace(inv, "rooms.yaml", "pdu: pdu-a03", "pdu: pdu-a3")
    file = inv / "rooms.yaml"
    (msg,) = problems_of(inv)
    only_problem([msg], file, line_of(file, "pdu-a3"), "rooms[0].racks[2].feeds[0].pdu")
    assert "PDU 'pdu-a3' is not in pdus: add it or fix the name" in msg


def test_outlet_beyond_the_pdus_count(tmp_path: Path) -> None:
    inv = copy_example(tmp_path)
    replace(inv, "rooms.yaml", '{pdu: pdu-a04, outlets: "1-38", units: "3-40"}', '{pdu: pdu-a04, outlets: "6-43", units: "3-40"}')
    file = inv / "rooms.yaml"
    (msg,) = problems_of(inv)
    only_problem([msg], file, line_of(file, '"6-43"'), "rooms[0].racks[3].feeds[0].outlets")
    assert "outlet 43 does not exist on pdu-a04 (1-42)" in msg


def test_outlets_and_units_count_mismatch(tmp_path: Path) -> None:
    inv = copy_example(tmp_path)
    replace(inv, "rooms.yaml", '{pdu: pdu-b02, outlets: "1-36", units: "2-37"}', '{pdu: pdu-b02, outlets: "1-36", units: "2-36"}')
    file = inv / "rooms.yaml"
    (msg,) = problems_of(inv)
    only_problem([msg], file, line_of(file, '"2-36"'), "rooms[1].racks[1].feeds[0]")
    assert "36 outlets for 35 units: outlets and units pair one to one" in msg


def test_unit_fed_twice(tmp_path: Path) -> None:
    inv = copy_example(tmp_path)
    replace(inv, "rooms.yaml", '{pdu: pdu-b01, outlets: "1-36", units: "2-37"}',
            '{pdu: pdu-b01, outlets: "1-35", units: "2-36"}, {pdu: pdu-b01, outlets: "36", units: "36"}')
    file = inv / "rooms.yaml"
    (msg,) = problems_of(inv)
    only_problem([msg], file, line_of(file, 'outlets: "36", units: "36"'), "rooms[1].racks[0].feeds[1].units")
    assert "unit 36 has two mains feeds: give each unit one mains outlet and at most one ups outlet" in msg


def test_same_outlet_feeding_two_racks(tmp_path: Path) -> None:
    inv = copy_example(tmp_path)
    replace(inv, "rooms.yaml", '{pdu: pdu-a02, outlets: "1-38", units: "3-40"}', '{pdu: pdu-a01, outlets: "38-39", units: "3-4"}')
    file = inv / "rooms.yaml"
    (msg,) = problems_of(inv)
    only_problem([msg], file, line_of(file, '"38-39"'), "rooms[0].racks[1].feeds[0].outlets")
    assert "outlet pdu-a01:38 already feeds rack A01: each outlet feeds one unit" in msg


def test_reserved_unit_outside_the_rack_height(tmp_path: Path) -> None:
    file = minimal(tmp_path, "reserved_units: 1\n", 'reserved_units: "1, 42-43"\n')
    msg = only_problem(problems_of(file), file, line_of(file, "reserved_units:"), "rooms[0].racks[0].reserved_units")
    assert "unit 43 is outside the rack's 1-42" in msg


def test_fed_unit_outside_the_rack_height(tmp_path: Path) -> None:
    file = minimal(tmp_path, 'outlets: "1-10", units: "2-11"', 'outlets: "1-10", units: "34-43"')
    msg = only_problem(problems_of(file), file, line_of(file, '"34-43"'), "rooms[0].racks[0].feeds[0].units")
    assert "unit 43 is outside the rack's 1-42" in msg


def test_duplicate_rack_names_across_rooms(tmp_path: Path) -> None:
    inv = copy_example(tmp_path)
    replace(inv, "rooms.yaml", "      - name: B02\n", "      - name: A02  # was B02\n")
    net = inv / "network.yaml"
    net.write_text(net.read_text().replace("B01, B02, B03", "B01, B03"))
    file = inv / "rooms.yaml"
    (msg,) = problems_of(inv)
    only_problem([msg], file, line_of(file, "# was B02"), "rooms[1].racks[1].name")
    assert "rack 'A02' is defined twice: rename one" in msg


def test_uplink_also_listed_as_access_port(tmp_path: Path) -> None:
    file = minimal(tmp_path, "uplinks: GigabitEthernet1/0/48", "uplinks: [GigabitEthernet1/0/48, gigabitethernet1/0/4]")
    msg = only_problem(problems_of(file), file, line_of(file, "uplinks:"), "switches[0].uplinks")
    assert "uplink gigabitethernet1/0/4 is also an access port" in msg
    assert "remove it from access_ports" in msg


def test_duplicate_access_port(tmp_path: Path) -> None:
    inv = copy_example(tmp_path)
    replace(inv, "network.yaml", "access_ports: GigabitEthernet0/0/1-44",
            "access_ports: [GigabitEthernet0/0/1-24, GigabitEthernet0/0/20-44]")
    file = inv / "network.yaml"
    found = located(problems_of(inv), file, line_of(file, "GigabitEthernet0/0/1-24"), "switches[1].access_ports")
    assert [m.split(": ", 2)[2] for m in found] == \
        [f"port GigabitEthernet0/0/{n} is listed twice: list each port once" for n in range(20, 25)]


# --------------------------------------------------------------------------- several problems at once


def test_several_field_errors_across_files_are_all_reported(tmp_path: Path) -> None:
    inv = copy_example(tmp_path)
    replace(inv, "site.yaml", "timezone: Asia/Shanghai", "timezone: Shanghai")
    replace(inv, "rooms.yaml", "        height_u: 47\n        reserved_units: \"1, 46-47\"\n        power_budget_w: 6600\n"
                               "        feeds: [{pdu: pdu-b03", "        height_u: 47\n        reserved_units: \"1, 46-47\"\n"
                               "        power_budget_w: -6600\n        feeds: [{pdu: pdu-b03")
    replace(inv, "network.yaml", "platform: hp_comware", "platform: hp_procurve")
    replace(inv, "network.yaml", "vlan: 120", "vlan: 4095")
    found = problems_of(inv)
    assert len(found) == 4, found
    located(found, inv / "site.yaml", line_of(inv / "site.yaml", "timezone:"), "site.timezone")
    located(found, inv / "rooms.yaml", line_of(inv / "rooms.yaml", "-6600"), "rooms[1].racks[2].power_budget_w")
    located(found, inv / "network.yaml", line_of(inv / "network.yaml", "hp_procurve"), "switches[2].platform")
    located(found, inv / "network.yaml", line_of(inv / "network.yaml", "4095"), "pools[1].vlan")


def test_several_cross_reference_errors_are_all_reported(tmp_path: Path) -> None:
    inv = copy_example(tmp_path)
    replace(inv, "network.yaml", "racks: [A01, A02]", "racks: [A01, A20]")
    replace(inv, "network.yaml", "gateway: 198.51.100.1", "gateway: 198.51.101.1")
    replace(inv, "rooms.yaml", "pdu: pdu-b03", "pdu: pdu-b30")
    found = problems_of(inv)
    net, rooms = inv / "network.yaml", inv / "rooms.yaml"
    located(found, net, line_of(net, "A20"), "switches[0].racks[1]")
    located(found, net, line_of(net, "198.51.101.1"), "pools[1].gateway")
    located(found, rooms, line_of(rooms, "pdu-b30"), "rooms[1].racks[2].feeds[0].pdu")
    assert len(found) == 3, found


def test_several_yaml_structure_errors_are_all_reported(tmp_path: Path) -> None:
    inv = copy_example(tmp_path)
    replace(inv, "network.yaml", "    port: 2201\n", "    port: 2201\n    port: 2211\n")
    replace(inv, "site.yaml", "  dns: [192.0.2.53, 192.0.2.54]\n", "  dns: [192.0.2.53, 192.0.2.54]\n  dns: []\n")
    (inv / "zz-more.yaml").write_text("switches: []\n")
    found = problems_of(inv)
    assert len(found) == 3, found
    located(found, inv / "network.yaml", line_of(inv / "network.yaml", "port: 2211"), "switches[0].port")
    located(found, inv / "site.yaml", line_of(inv / "site.yaml", "dns: []"), "site.dns")
    assert any(str(inv / "zz-more.yaml") in p and "top-level key 'switches'" in p for p in found)
