"""The lab's simulated switches behave like the real models they claim to be.

Each test drives a simulator over real SSH with netmiko and compares what it prints with
real device output (sources in the simulator modules' docstrings and tests/corpus/QUIRKS.md).
The lab runs from a relocated copy of the example site plus two switches for the personalities
the example does not use (Catalyst 9300 IOS-XE 16, S5700 VRP V100R).
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from netmiko import ConnectHandler
from netmiko.base_connection import BaseConnection
from pydantic import ValidationError

from provision.inventory.model import PERSONALITIES, Switch
from tests.conftest import EXAMPLE

IOS15, XE16, V200R, V100R, CW7 = "sw-a101-1", "sw-xe", "sw-a101-2", "sw-v100r", "sw-b201-1"
EXTRA = [
    {"name": "sw-xe", "platform": "cisco_ios", "personality": "catalyst-9300-iosxe16", "host": "127.0.0.1",
     "port": 2291, "credentials": "lab-switch", "access_ports": "GigabitEthernet1/0/1-8",
     "uplinks": "GigabitEthernet1/1/1-4", "racks": ["A01"]},
    {"name": "sw-v100r", "platform": "huawei_vrp", "personality": "s5700-v100r", "host": "127.0.0.1",
     "port": 2292, "credentials": "lab-switch", "access_ports": "GigabitEthernet0/0/1-8",
     "uplinks": "XGigabitEthernet0/0/1-2", "racks": ["A03"]},
]
DEVICE_TYPE = {"cisco_ios": "cisco_ios", "huawei_vrp": "huawei", "hp_comware": "hp_comware"}


class Lab:
    def __init__(self, inventory: Path, directory: Path) -> None:
        self.inventory, self.dir = inventory, directory
        self.switches = {s["name"]: s for s in yaml.safe_load((inventory / "network.yaml").read_text())["switches"]}
        self.creds = yaml.safe_load((directory / "secrets.yaml").read_text())

    @property
    def state(self) -> Path:
        return self.dir / "state"

    def factory(self, name: str, faults: dict[str, Any] | None = None) -> None:
        """Factory defaults at the next login, with `faults` from the start."""
        from provision.lab.switchsim import write_faults

        (self.state / f"{name}.json").unlink(missing_ok=True)
        if faults:
            write_faults(str(self.state), name, faults)

    def connect(self, name: str) -> BaseConnection:
        sw = self.switches[name]
        login = self.creds[sw["credentials"]]
        conn = ConnectHandler(device_type=DEVICE_TYPE[sw["platform"]], host="127.0.0.1", port=sw["port"],
                              username=login["username"], password=login["password"], secret=login["enable"],
                              fast_cli=False, conn_timeout=10)
        if sw["platform"] == "cisco_ios":
            conn.enable()
        return conn

    def running(self, name: str) -> str:
        return str(json.loads((self.state / f"{name}.json").read_text())["running"])


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    from provision.lab import control

    base = tmp_path_factory.mktemp("personalities")
    source = base / "source"
    shutil.copytree(EXAMPLE, source)
    network = yaml.safe_load((source / "network.yaml").read_text())
    network["switches"] += EXTRA
    (source / "network.yaml").write_text(yaml.safe_dump(network, sort_keys=False))
    inventory = control.relocated(source, base / "inventory")
    directory = base / "lab"
    control.up(str(inventory), str(directory))
    try:
        yield Lab(inventory, directory)
    finally:
        control.down(str(directory))


def block(running: str, header: str) -> list[str]:
    """A block's lines as printed (indent kept, trailing blanks dropped), up to the next `!`/`#`/top-level line."""
    lines = running.splitlines()
    start = lines.index(header)
    out = []
    for line in lines[start + 1:]:
        if not line.startswith(" ") or line.strip() in ("!", "#"):
            break
        out.append(line.rstrip())
    return out


def cisco(conn: BaseConnection, lines: list[str]) -> str:
    return str(conn.send_config_set(lines, read_timeout=10))


def read_for(conn: BaseConnection, seconds: float) -> str:
    time.sleep(seconds)
    return str(conn.read_channel())


# ---- inventory ---------------------------------------------------------------------------------------------


def test_inventory_personality_is_validated_per_platform() -> None:
    base: dict[str, Any] = {"name": "s", "host": "127.0.0.1", "credentials": "c",
                            "access_ports": "GigabitEthernet0/0/1",
            "racks": ["A01"]}
    assert Switch(**base, platform="huawei_vrp").effective_personality() == "s5720-v200r"
    assert Switch(**base, platform="cisco_ios").effective_personality() == "catalyst-3560-ios15"
    assert Switch(**base, platform="hp_comware").effective_personality() == "s5130-comware7"
    assert Switch(**base, platform="cisco_ios", personality="catalyst-9300-iosxe16").effective_personality() \
        == "catalyst-9300-iosxe16"
    with pytest.raises(ValidationError, match="s5720-v200r, s5700-v100r"):
        Switch(**base, platform="huawei_vrp", personality="catalyst-9300-iosxe16")


def test_example_inventory_names_every_personality_explicitly() -> None:
    switches = yaml.safe_load((EXAMPLE / "network.yaml").read_text())["switches"]
    for sw in switches:
        assert sw["personality"] in PERSONALITIES[sw["platform"]]


# ---- Catalyst 3560, IOS 15 -----------------------------------------------------------------------------------


def test_ios15_vlans_live_in_the_vlan_database_not_the_running_config(lab: Lab) -> None:
    lab.factory(IOS15)
    conn = lab.connect(IOS15)
    try:
        out = cisco(conn, ["vlan 110", "name CUST-ACME", "exit", "interface GigabitEthernet1/0/5",
                           "switchport access vlan 120", "exit"])
        assert "% Access VLAN does not exist. Creating vlan 120" in out
        running = str(conn.send_command("show running-config"))
        assert "\nvlan " not in running and running.startswith("Building configuration...")
        brief = str(conn.send_command("show vlan brief"))
        lines = brief.splitlines()
        assert "VLAN Name                             Status    Ports" in lines
        assert lines[lines.index("VLAN Name                             Status    Ports") + 1] == \
            "---- -------------------------------- --------- -------------------------------"
        # three GiX/0/N per line as a real 3750 wraps them (fs:4816549199)
        assert "1    default                          active    Gi1/0/1, Gi1/0/2, Gi1/0/3" in lines
        assert f"{'':48}Gi1/0/4, Gi1/0/6, Gi1/0/7" in lines
        assert "110  CUST-ACME                        active    " in lines
        assert "120  VLAN0120                         active    Gi1/0/5" in lines
        assert "1002 fddi-default                     act/unsup " in lines
        vtp = str(conn.send_command("show vtp status"))
        assert "VTP Operating Mode                : Server" in vtp
        assert "Number of existing VLANs          : 7" in vtp
        assert "Configuration Revision            : 3" in vtp  # vlan 110, its name, vlan 120
        cisco(conn, ["no vlan 110"])
        assert "110  CUST-ACME" not in str(conn.send_command("show vlan brief"))
        assert str(conn.send_command("write memory")) == "Building configuration...\n[OK]"
    finally:
        conn.disconnect()


def test_ios15_a_vtp_client_refuses_vlans(lab: Lab) -> None:
    lab.factory(IOS15, {"vtp_client": True})
    conn = lab.connect(IOS15)
    try:
        out = cisco(conn, ["vlan 130", "exit"])
        assert "VTP VLAN configuration not allowed when device is in CLIENT mode." in out
        assert "VTP Operating Mode                : Client" in str(conn.send_command("show vtp status"))
        assert "130 " not in str(conn.send_command("show vlan brief"))
    finally:
        conn.disconnect()
        lab.factory(IOS15)


def test_ios15_dhcp_snooping_vlans_merge_into_one_ranged_line(lab: Lab) -> None:
    lab.factory(IOS15)
    conn = lab.connect(IOS15)
    try:
        cisco(conn, ["ip dhcp snooping", "ip dhcp snooping vlan 100", "ip dhcp snooping vlan 110",
                     "ip dhcp snooping vlan 111-113", "no ip dhcp snooping vlan 113"])
        running = str(conn.send_command("show running-config"))
        # real: `ip dhcp snooping vlan 1-999,1001-4094` before `ip dhcp snooping` (fs:22908331897)
        assert "\nip dhcp snooping vlan 100,110-112\nip dhcp snooping\n" in running
        cisco(conn, ["no ip dhcp snooping"])
        assert "ip dhcp snooping vlan 100,110-112" in str(conn.send_command("show running-config"))
    finally:
        conn.disconnect()


def test_ios15_source_bindings_print_the_abbreviated_interface(lab: Lab) -> None:
    lab.factory(IOS15)
    conn = lab.connect(IOS15)
    try:
        cisco(conn, ["ip source binding 00aa.2233.4455 vlan 110 203.0.113.10 interface GigabitEthernet1/0/30",
                     "ip source binding 00aa.2233.4466 vlan 110 203.0.113.11 interface Gi1/0/31"])
        running = str(conn.send_command("show running-config"))
        # real (fs:1083259875): `ip source binding FCF5.286B.580A vlan 30 10.10.10.1 interface Gi1/47`
        assert "ip source binding 00AA.2233.4455 vlan 110 203.0.113.10 interface Gi1/0/30" in running
        assert "ip source binding 00AA.2233.4466 vlan 110 203.0.113.11 interface Gi1/0/31" in running
        cisco(conn, ["no ip source binding 00aa.2233.4455 vlan 110 203.0.113.10 interface Gi1/0/30",
                     "no ip source binding 00aa.2233.4466 vlan 110 203.0.113.11 interface GigabitEthernet1/0/31"])
        assert "ip source binding" not in str(conn.send_command("show running-config"))
    finally:
        conn.disconnect()


def test_ios15_site_lines_survive_changes_in_print_order(lab: Lab) -> None:
    lab.factory(IOS15)
    conn = lab.connect(IOS15)
    try:
        port = "GigabitEthernet1/0/7"
        assert block(lab.running(IOS15), f"interface {port}") == [" spanning-tree portfast",
                                                                 " spanning-tree bpduguard enable"]
        assert block(lab.running(IOS15), "interface GigabitEthernet1/0/49") == []  # uplink
        cisco(conn, ["interface " + port, "ip verify source", "shutdown", "switchport mode access",
                     "description CUST-ACME rack12", "switchport access vlan 110", "srr-queue bandwidth limit 10"])
        assert block(lab.running(IOS15), f"interface {port}") == [
            " description CUST-ACME rack12", " switchport access vlan 110", " switchport mode access",
            " srr-queue bandwidth limit 10", " shutdown", " spanning-tree portfast",
            " spanning-tree bpduguard enable", " ip verify source"]
        cisco(conn, ["interface " + port, "no description", "no switchport access vlan", "no switchport mode",
                     "no srr-queue bandwidth limit", "no shutdown", "no ip verify source"])
        assert block(lab.running(IOS15), f"interface {port}") == [" spanning-tree portfast",
                                                                 " spanning-tree bpduguard enable"]
    finally:
        conn.disconnect()


# ---- Catalyst 9300, IOS-XE 16 --------------------------------------------------------------------------------


def test_iosxe16_acl_sequence_numbers_police_form_and_poe_site_line(lab: Lab) -> None:
    lab.factory(XE16)
    conn = lab.connect(XE16)
    try:
        cisco(conn, ["ip access-list extended ACL-ANY", "permit ip any any", "deny ip host 192.0.2.1 any", "exit",
                     "class-map match-all CM-ANY", "match access-group name ACL-ANY", "exit",
                     "policy-map PM-10M", "class CM-ANY", "police 10000000 80000 exceed-action drop", "exit", "exit",
                     "interface GigabitEthernet1/0/2", "service-policy input PM-10M", "exit"])
        running = str(conn.send_command("show running-config"))
        assert "version 16.12" in running
        assert block(running, "ip access-list extended ACL-ANY") == [" 10 permit ip any any",
                                                                     " 20 deny ip host 192.0.2.1 any"]
        assert block(running, "policy-map PM-10M") == [" class CM-ANY", "  police cir 10000000 bc 80000",
                                                       "   conform-action transmit", "   exceed-action drop"]
        # the 3850-48P running config (fs:22908331897) prints `power inline never` before spanning-tree
        assert block(running, "interface GigabitEthernet1/0/2") == [
            " power inline never", " spanning-tree portfast", " spanning-tree bpduguard enable",
            " service-policy input PM-10M"]
        assert block(running, "interface GigabitEthernet1/1/1") == []
        assert "\nvlan " not in running
        cisco(conn, ["ip access-list extended ACL-ANY", "no 20", "exit"])
        assert block(str(conn.send_command("show running-config")), "ip access-list extended ACL-ANY") == \
            [" 10 permit ip any any"]
    finally:
        conn.disconnect()


# ---- Huawei S5720, VRP V200R ---------------------------------------------------------------------------------


def test_v200r_qos_lr_prints_the_added_cbs_and_site_lines(lab: Lab) -> None:
    lab.factory(V200R)
    conn = lab.connect(V200R)
    try:
        assert str(conn.send_command("undo terminal monitor")) == "Info: Current terminal monitor is off."
        conn.send_config_set(["vlan batch 110", "interface GigabitEthernet0/0/3", "description CUST-ACME",
                              "port link-type access", "port default vlan 110", "qos lr inbound cir 10240",
                              "qos lr outbound cir 10240", "shutdown", "quit"], read_timeout=10)
        running = lab.running(V200R)
        assert running.startswith("!Software Version V200R")
        assert "\nsysname sw-a101-2\n#\nvlan batch 110\n#\n" in running
        assert block(running, "interface GigabitEthernet0/0/3") == [
            " description CUST-ACME", " shutdown", " port link-type access", " port default vlan 110",
            " stp edged-port enable", " qos lr outbound cir 10240 cbs 1280000", " qos lr inbound cir 10240 cbs 1280000"]
        assert block(running, "interface XGigabitEthernet0/0/1") == []
        conn.send_config_set(["interface GigabitEthernet0/0/3", "undo qos lr inbound", "undo qos lr outbound",
                              "undo shutdown", "quit"], read_timeout=10)
        assert block(lab.running(V200R), "interface GigabitEthernet0/0/3") == [
            " description CUST-ACME", " port link-type access", " port default vlan 110", " stp edged-port enable"]
        vlan = str(conn.send_command("display vlan"))
        assert vlan.startswith("The total number of VLANs is: 2")
        assert "110  common  UT:GE0/0/3(U)" in vlan
    finally:
        conn.disconnect()


def test_v200r_logs_link_changes_until_undo_terminal_monitor(lab: Lab) -> None:
    lab.factory(V200R)
    conn = lab.connect(V200R)
    try:
        conn.config_mode()
        conn.write_channel("interface GigabitEthernet0/0/4\nshutdown\n")
        out = read_for(conn, 1.0)
        assert "%%01IFNET/4/IF_STATE(l)[1]:Interface GigabitEthernet0/0/4 has turned into DOWN state." in out
        conn.write_channel("return\nundo terminal monitor\nsystem-view\ninterface GigabitEthernet0/0/4\n"
                           "undo shutdown\n")
        out = read_for(conn, 1.0)
        assert "Info: Current terminal monitor is off." in out and "IF_STATE" not in out
    finally:
        conn.disconnect()


# ---- Huawei S5700, VRP V100R ---------------------------------------------------------------------------------


def test_v100r_indents_globals_and_prints_its_per_port_lines(lab: Lab) -> None:
    lab.factory(V100R)
    conn = lab.connect(V100R)
    try:
        conn.send_command("undo terminal monitor")
        conn.send_config_set(["vlan batch 3 to 4", "interface GigabitEthernet0/0/2", "port link-type access",
                              "port default vlan 3", "qos lr outbound cir 10240", "qos lr inbound cir 10240", "quit"],
                             read_timeout=10)
        running = lab.running(V100R)
        # the S3328 on V100R005 (fs:24588453667): `#`, `!Software Version`, ` sysname`, ` vlan batch 3 to 4 …`
        assert running.startswith("#\n!Software Version V100R005C01SPC100\n sysname sw-v100r\n#\n vlan batch 3 to 4\n#\n")
        assert block(running, "interface GigabitEthernet0/0/2") == [
            " port link-type access", " port default vlan 3", " loopback-detect enable", " ntdp enable",
            " ndp enable", " bpdu enable", " qos lr outbound cir 10240 cbs 2048000",
            " qos lr inbound cir 10240 cbs 2048000"]
        assert block(running, "interface XGigabitEthernet0/0/1") == [
            " loopback-detect enable", " ntdp enable", " ndp enable", " bpdu enable"]
    finally:
        conn.disconnect()


# ---- H3C S5130, Comware 7 ------------------------------------------------------------------------------------


def test_comware7_blocks_combo_ports_and_qos_lr_cbs(lab: Lab) -> None:
    lab.factory(CW7)
    conn = lab.connect(CW7)
    try:
        conn.send_command("undo terminal monitor", cmd_verify=False)
        conn.send_config_set(["vlan 120", "quit", "interface GigabitEthernet1/0/3", "port access vlan 120",
                              "qos lr outbound cir 15360", "qos lr inbound cir 10240", "quit",
                              "interface GigabitEthernet1/0/48", "port access vlan 120", "description LAST", "quit"],
                             read_timeout=10)
        running = lab.running(CW7)
        # H3C's configuration example: `qos lr outbound cir 15360 cbs 960000` (fs:31001531250)
        assert block(running, "interface GigabitEthernet1/0/3") == [
            " port link-mode bridge", " port access vlan 120", " qos lr inbound cir 10240 cbs 640000",
            " qos lr outbound cir 15360 cbs 960000"]
        assert block(running, "interface GigabitEthernet1/0/48") == [
            " port link-mode bridge", " description LAST", " port access vlan 120", " combo enable fiber"]
        assert block(running, "interface GigabitEthernet1/0/44") == [" port link-mode bridge"]
        assert block(running, "interface GigabitEthernet1/0/45") == [" port link-mode bridge", " combo enable fiber"]
        assert block(running, "interface Ten-GigabitEthernet1/0/49") == [" port link-mode bridge"]
        out = str(conn.send_command("save force", cmd_verify=False))
        assert out.strip() == "Validating file. Please wait...\n" \
                              "Saved the current configuration to mainboard device successfully."
    finally:
        conn.disconnect()


def test_comware7_logs_on_the_session_until_undo_terminal_monitor(lab: Lab) -> None:
    lab.factory(CW7)
    conn = lab.connect(CW7)
    try:
        conn.config_mode()
        conn.write_channel("interface GigabitEthernet1/0/5\nshutdown\n")
        out = read_for(conn, 1.0)
        # straight after the prompt, no prompt after ([IFNET-LOG] in hp_comware.py)
        assert "[sw-b201-1-GigabitEthernet1/0/5]%" in out
        assert " sw-b201-1 IFNET/3/PHY_UPDOWN: Physical state on the interface GigabitEthernet1/0/5 changed to down." \
            in out
        assert "IFNET/5/LINK_UPDOWN: Line protocol state on the interface GigabitEthernet1/0/5 changed to down." in out
        conn.write_channel("return\nundo terminal monitor\nsystem-view\ninterface GigabitEthernet1/0/5\n"
                           "undo shutdown\n")
        out = read_for(conn, 1.0)
        assert "The current terminal is disabled to display logs." in out and "IFNET" not in out
    finally:
        conn.disconnect()


def test_comware7_wraps_the_echo_at_80_columns_with_the_prompt(lab: Lab) -> None:
    lab.factory(CW7)
    conn = lab.connect(CW7)
    try:
        conn.send_command("undo terminal monitor", cmd_verify=False)
        conn.config_mode()
        conn.write_channel("interface GigabitEthernet1/0/6\n")
        read_for(conn, 0.5)
        prompt = "[sw-b201-1-GigabitEthernet1/0/6]"
        command = "description " + "x" * 90
        conn.write_channel(command + "\n")
        out = read_for(conn, 0.5)
        first = 80 - len(prompt)
        assert out.startswith(command[:first] + "\n" + command[first:] + "\n" + prompt)
        assert " description " + "x" * 90 in lab.running(CW7)
    finally:
        conn.disconnect()
