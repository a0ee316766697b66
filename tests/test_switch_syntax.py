"""The pure half of the switch drivers: descriptions, intended lines, diffs, undo. No devices."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provision.domain.portconfig import DESCRIPTION_MAX, Binding, PortIntent, port_description, port_speed_mbps
from provision.drivers.switch import PLATFORMS, SwitchAccess, switch_driver
from provision.drivers.switch.config import PortState, RunningConfig, Stanza
from provision.drivers.switch.huawei_vrp import vlans
from provision.errors import BadInput
from provision.secrets import Credentials

HOSTILE = [
    "ACME\nshutdown",
    "ACME\r\ninterface Vlan1\r\n shutdown",
    "Evil! # quit\nreturn\nundo vlan batch 110",
    "x?y",
    "A\x00B\x1b[2J\x07C",
    "北京某某科技有限公司",
    "Société Générale\tHosting",
    '"; reload; "',
    "| include password",
    "quit",
    "a" * 500,
]


def driver(platform: str):  # type: ignore[no-untyped-def]
    return switch_driver(platform, SwitchAccess("sw-test", "127.0.0.1", 22, Credentials("x")))


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_customer_names_give_one_safe_line(name: str) -> None:
    text = port_description("C2026-0001", 1, name)
    assert text.startswith("C2026-0001 s1")
    assert len(text) <= DESCRIPTION_MAX
    assert all(32 <= ord(c) < 127 for c in text)
    assert not set(text) & set("!#?\"'|;\\%$<>[]{}\n\r\t")


@given(st.text())
def test_any_name_is_safe(name: str) -> None:
    text = port_description("C2026-0042", 3, name)
    assert text.isascii() and text.isprintable() and "\n" not in text and "?" not in text
    PortIntent("GigabitEthernet1/0/1", 110, text, 100, ())  # the intent accepts what the builder makes


def test_transliterates_where_unicode_can() -> None:
    assert port_description("C2026-0001", 2, "Société Générale") == "C2026-0001 s2 Societe Generale"
    assert port_description("C2026-0001", 1, "北京某某科技有限公司") == "C2026-0001 s1"


def test_intent_refuses_unsafe_description_and_values() -> None:
    with pytest.raises(BadInput, match="not device-safe"):
        PortIntent("GigabitEthernet1/0/1", 110, "ok\nshutdown", 100, ())
    with pytest.raises(BadInput, match="VLAN"):
        PortIntent("GigabitEthernet1/0/1", 4095, "ok", 100, ())
    with pytest.raises(BadInput, match="interface"):
        PortIntent("Gi1/0/1; reload", 110, "ok", 100, ())
    with pytest.raises(BadInput):
        port_description("C2026-0001\nshutdown", 1, "x")


def test_port_speed_from_name() -> None:
    assert port_speed_mbps("GigabitEthernet1/0/1") == 1000
    assert port_speed_mbps("Ten-GigabitEthernet1/0/49") == 10_000
    assert port_speed_mbps("XGigabitEthernet0/0/1") == 10_000
    assert port_speed_mbps("FastEthernet0/1") == 100


def intent(mac: str | None = "001122334455", mbps: int = 100, iface: str = "GigabitEthernet1/0/1") -> PortIntent:
    return PortIntent(iface, 110, "C2026-0001 s1 ACME", mbps,
                      (Binding(ipaddress.IPv4Address("203.0.113.10"), mac),))


def test_cisco_render_with_mac() -> None:
    d = driver("cisco_ios").render(intent())
    assert d.state.interface == ("description C2026-0001 s1 ACME", "switchport access vlan 110", "switchport mode access",
                                 "service-policy input COLO-IN-100M", "srr-queue bandwidth limit 10", "ip verify source")
    assert d.state.globals == ("ip source binding 0011.2233.4455 vlan 110 203.0.113.10 interface GigabitEthernet1/0/1",)
    headers = [s.header for s in d.prerequisites]
    assert headers == ["vlan 110", "mls qos", "ip access-list extended COLO-ANY", "class-map match-all COLO-ANY",
                       "policy-map COLO-IN-100M", "ip dhcp snooping", "ip dhcp snooping vlan 110"]
    assert Stanza("policy-map COLO-IN-100M", ("class COLO-ANY", " police 100000000 1000000 exceed-action drop")) \
        in d.prerequisites
    assert d.notes == ()


def test_cisco_says_what_it_cannot_enforce() -> None:
    d = driver("cisco_ios").render(intent(mac=None, mbps=10))
    assert not any(line.startswith("srr-queue") for line in d.state.interface)
    assert "ip verify source" not in d.state.interface  # no binding yet: IPSG would drop everything
    assert any("egress NOT limited" in n for n in d.notes)
    assert any("IP source guard pending" in n for n in d.notes)
    d = driver("cisco_ios").render(intent(mbps=155))
    assert "srr-queue bandwidth limit 16" in d.state.interface
    assert any("egress limited to 160 Mbit/s" in n for n in d.notes)


def test_huawei_render_and_units() -> None:
    d = driver("huawei_vrp").render(intent(mac=None, iface="GigabitEthernet0/0/1"))
    assert d.state.interface == ("description C2026-0001 s1 ACME", "port link-type access", "port default vlan 110",
                                 "qos lr inbound cir 100000", "qos lr outbound cir 100000",
                                 "ip source check user-bind enable")
    assert d.state.globals == ("user-bind static ip-address 203.0.113.10 interface GigabitEthernet0/0/1 vlan 110",)
    with_mac = driver("huawei_vrp").render(intent(iface="GigabitEthernet0/0/1"))
    assert "mac-address 0011-2233-4455" in with_mac.state.globals[0]


def test_comware_render() -> None:
    d = driver("hp_comware").render(intent())
    assert d.state.interface == ("description C2026-0001 s1 ACME", "port access vlan 110", "qos lr inbound cir 100000",
                                 "qos lr outbound cir 100000", "ip verify source ip-address mac-address",
                                 "ip source binding ip-address 203.0.113.10 mac-address 0011-2233-4455 vlan 110")
    assert d.state.globals == ()


CISCO_RUNNING = """Building configuration...

Current configuration : 300 bytes
!
version 15.2
hostname sw
!
vlan 110
!
policy-map COLO-IN-100M
 class COLO-ANY
  police 100000000 1000000 exceed-action drop
!
interface GigabitEthernet1/0/1
 description old tenant
 switchport access vlan 120
 switchport mode access
 shutdown
!
interface GigabitEthernet1/0/2
!
ip source binding 0011.2233.4455 vlan 120 203.0.113.99 interface GigabitEthernet1/0/1
!
end
"""


def test_parse_and_diff_replace_old_tenant() -> None:
    d = driver("cisco_ios")
    running = d.parse(CISCO_RUNNING)
    assert running.children("interface GigabitEthernet1/0/2") == ()
    assert running.has(Stanza("policy-map COLO-IN-100M", ("class COLO-ANY", " police 100000000 1000000 exceed-action drop")))
    current = d.port_state(running, "GigabitEthernet1/0/1")
    assert current.globals == ("ip source binding 0011.2233.4455 vlan 120 203.0.113.99 interface GigabitEthernet1/0/1",)
    wanted = d.render(intent()).state
    commands = d.change("GigabitEthernet1/0/1", current, wanted)
    assert commands == [
        "interface GigabitEthernet1/0/1", "no shutdown",
        "description C2026-0001 s1 ACME", "switchport access vlan 110", "service-policy input COLO-IN-100M",
        "srr-queue bandwidth limit 10", "ip verify source", "exit",
        "ip source binding 0011.2233.4455 vlan 110 203.0.113.10 interface GigabitEthernet1/0/1",
        "no ip source binding 0011.2233.4455 vlan 120 203.0.113.99 interface GigabitEthernet1/0/1",
    ]
    undo = d.change("GigabitEthernet1/0/1", wanted, current)
    assert "no srr-queue bandwidth limit" in undo and "no service-policy input COLO-IN-100M" in undo
    assert "no ip verify source" in undo and "shutdown" in undo and "description old tenant" in undo
    assert d.change("GigabitEthernet1/0/1", wanted, wanted) == []
    missing = d.ensure(running, d.render(intent()).prerequisites)
    assert "vlan 110" not in missing and "policy-map COLO-IN-100M" not in missing
    assert missing[:1] == ["mls qos"]
    assert missing[-2:] == ["ip dhcp snooping", "ip dhcp snooping vlan 110"]


def test_huawei_removes_in_dependency_order() -> None:
    d = driver("huawei_vrp")
    current = PortState(("port link-type access", "port default vlan 120", "qos lr inbound cir 5000"), ())
    wanted = PortState(("description x",), ())
    assert d.change("GigabitEthernet0/0/1", current, wanted) == [
        "interface GigabitEthernet0/0/1", "undo qos lr inbound", "undo port default vlan", "undo port link-type",
        "description x", "quit"]


def test_huawei_vlan_batch_ranges() -> None:
    running = RunningConfig.parse("#\nvlan batch 10 110 to 112 200\n#\nvlan 300\n description x\n#\nreturn\n",
                                  driver("huawei_vrp").skip_line)
    assert vlans(running) == {10, 110, 111, 112, 200, 300}
    assert driver("huawei_vrp").has_prerequisite(running, Stanza("vlan batch 111"))
    assert not driver("huawei_vrp").has_prerequisite(running, Stanza("vlan batch 120"))


def test_comware_ignores_link_mode_line() -> None:
    d = driver("hp_comware")
    running = d.parse("#\ninterface GigabitEthernet1/0/1\n port link-mode bridge\n description x\n#\nreturn\n")
    assert d.port_state(running, "GigabitEthernet1/0/1") == PortState(("description x",), ())


def test_every_platform_is_registered() -> None:
    assert set(PLATFORMS) == {"cisco_ios", "huawei_vrp", "hp_comware"}
    with pytest.raises(ValueError, match="known"):
        driver("junos")
