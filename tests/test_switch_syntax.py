"""The pure half of the switch drivers: descriptions, intended lines, diffs, undo. No devices."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provision.domain.portconfig import DESCRIPTION_MAX, Binding, PortIntent, port_description, port_speed_mbps
from provision.domain.portfacts import Bound, PortFacts, released
from provision.drivers.switch import PLATFORMS, SwitchAccess, switch_driver
from provision.drivers.switch.config import RunningConfig, Stanza
from provision.drivers.switch.vrp_family import vlans
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


def blank(d, iface: str, extra: str = ""):  # type: ignore[no-untyped-def]
    """A port with nothing configured, read the way the driver reads a device."""
    sep = "!" if d.platform == "cisco_ios" else "#"
    return d.read(d.parse(f"{sep}\ninterface {iface}\n{extra}{sep}\n"), iface)


def test_cisco_render_with_mac() -> None:
    d = driver("cisco_ios")
    want = d.render(intent())
    assert want.facts == PortFacts(description="C2026-0001 s1 ACME", mode="access", vlan=110, rate_in_kbps=100_000,
                                   egress_percent=10, guard="ip",
                                   bindings=(Bound("203.0.113.10", "001122334455", 110),))
    headers = [s.header for s in want.prerequisites]
    assert headers == ["vlan 110", "mls qos", "ip access-list extended COLO-ANY", "class-map match-all COLO-ANY",
                       "policy-map COLO-IN-100M", "ip dhcp snooping", "ip dhcp snooping vlan 110"]
    assert Stanza("policy-map COLO-IN-100M", ("class COLO-ANY", " police 100000000 1000000 exceed-action drop")) \
        in want.prerequisites
    assert want.notes == ()
    # the binding exists before the guard that checks it is turned on
    assert d.change(blank(d, "GigabitEthernet1/0/1"), want.facts) == [
        "ip source binding 0011.2233.4455 vlan 110 203.0.113.10 interface GigabitEthernet1/0/1",
        "interface GigabitEthernet1/0/1", "description C2026-0001 s1 ACME", "switchport mode access",
        "switchport access vlan 110", "service-policy input COLO-IN-100M", "srr-queue bandwidth limit 10",
        "ip verify source", "exit"]


def test_cisco_says_what_it_cannot_enforce() -> None:
    d = driver("cisco_ios").render(intent(mac=None, mbps=10))
    assert d.facts.egress_percent is None
    assert d.facts.guard is None and d.facts.bindings == ()  # no binding yet: IPSG would drop everything
    assert any("egress NOT limited" in n for n in d.notes)
    assert any("IP source guard pending" in n for n in d.notes)
    d = driver("cisco_ios").render(intent(mbps=155))
    assert d.facts.egress_percent == 16
    assert any("egress limited to 160 Mbit/s" in n for n in d.notes)


def test_huawei_render_and_units() -> None:
    d = driver("huawei_vrp")
    want = d.render(intent(mac=None, iface="GigabitEthernet0/0/1"))
    assert d.change(blank(d, "GigabitEthernet0/0/1"), want.facts) == [
        "user-bind static ip-address 203.0.113.10 interface GigabitEthernet0/0/1 vlan 110",
        "interface GigabitEthernet0/0/1", "description C2026-0001 s1 ACME", "port link-type access",
        "port default vlan 110", "qos lr inbound cir 100000", "qos lr outbound cir 100000",
        "ip source check user-bind enable", "quit"]
    with_mac = d.render(intent(iface="GigabitEthernet0/0/1")).facts
    assert with_mac.bindings == (Bound("203.0.113.10", "001122334455", 110),)


def test_comware_render() -> None:
    d = driver("hp_comware")
    want = d.render(intent())
    assert d.change(blank(d, "GigabitEthernet1/0/1"), want.facts) == [
        "interface GigabitEthernet1/0/1", "description C2026-0001 s1 ACME", "port access vlan 110",
        "qos lr inbound cir 100000", "qos lr outbound cir 100000",
        "ip source binding ip-address 203.0.113.10 mac-address 0011-2233-4455 vlan 110",
        "ip verify source ip-address mac-address", "quit"]


@pytest.mark.parametrize(("platform", "iface", "expected"), [
    ("cisco_ios", "GigabitEthernet1/0/1", [
        "ip source binding 0011.2233.4455 vlan 110 203.0.113.10 interface GigabitEthernet1/0/1",
        "interface GigabitEthernet1/0/1", "ip verify source", "exit"]),
    ("huawei_vrp", "GigabitEthernet0/0/1", [
        "user-bind static ip-address 203.0.113.10 mac-address 0011-2233-4455 interface GigabitEthernet0/0/1 vlan 110",
        "undo user-bind static ip-address 203.0.113.10 interface GigabitEthernet0/0/1 vlan 110"]),
    ("hp_comware", "GigabitEthernet1/0/1", [
        "interface GigabitEthernet1/0/1",
        "ip source binding ip-address 203.0.113.10 mac-address 0011-2233-4455 vlan 110",
        "ip verify source ip-address mac-address",
        "undo ip source binding ip-address 203.0.113.10 vlan 110", "quit"]),
])
def test_activation_binds_the_mac_without_a_gap(platform: str, iface: str, expected: list[str]) -> None:
    """The MAC-bound entry goes in before the IP-only one leaves; on Cisco the binding before `ip verify source`."""
    d = driver(platform)
    before = d.render(intent(mac=None, iface=iface, mbps=1000)).facts
    sep = "!" if platform == "cisco_ios" else "#"
    text = "\n".join([sep, f"interface {iface}", *(f" {c}" for c in d.change(blank(d, iface), before)
                                                    if c.startswith(("description", "port", "switchport", "qos", "ip ",
                                                                     "service", "srr"))),
                       sep, *(c for c in d.change(blank(d, iface), before) if c.startswith("user-bind")), sep])
    reading = d.read(d.parse(text), iface)
    assert reading.facts == before
    assert d.change(reading, d.render(intent(iface=iface, mbps=1000)).facts) == expected


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
 spanning-tree portfast
 shutdown
!
interface GigabitEthernet1/0/2
!
ip source binding 0011.2233.4455 vlan 120 203.0.113.99 interface Gi1/0/1
!
end
"""


def test_parse_and_diff_replace_old_tenant() -> None:
    d = driver("cisco_ios")
    running = d.parse(CISCO_RUNNING)
    assert running.children("interface GigabitEthernet1/0/2") == ()
    assert running.has(Stanza("policy-map COLO-IN-100M", ("class COLO-ANY", " police 100000000 1000000 exceed-action drop")))
    current = d.read(running, "Gi1/0/1")
    assert current.facts.bindings == (Bound("203.0.113.99", "001122334455", 120),)  # found under its abbreviated name
    assert current.unmanaged == ("spanning-tree portfast",)
    wanted = d.render(intent()).facts
    commands = d.change(current, wanted)
    assert commands == [
        "ip source binding 0011.2233.4455 vlan 110 203.0.113.10 interface GigabitEthernet1/0/1",
        "interface GigabitEthernet1/0/1", "no shutdown",
        "description C2026-0001 s1 ACME", "switchport access vlan 110", "service-policy input COLO-IN-100M",
        "srr-queue bandwidth limit 10", "ip verify source", "exit",
        "no ip source binding 0011.2233.4455 vlan 120 203.0.113.99 interface Gi1/0/1",
    ]
    assert not any("spanning-tree" in c for c in commands)  # the site's line is never touched
    missing = d.ensure(running, d.render(intent()).prerequisites)
    assert "vlan 110" not in missing and "policy-map COLO-IN-100M" not in missing
    assert missing[:1] == ["mls qos"]
    assert missing[-2:] == ["ip dhcp snooping", "ip dhcp snooping vlan 110"]


def test_undo_and_release_touch_only_managed_facts() -> None:
    d = driver("cisco_ios")
    current = d.read(d.parse(CISCO_RUNNING), "GigabitEthernet1/0/1")
    undo = d.change(current, released(current.facts))
    assert undo == ["interface GigabitEthernet1/0/1", "no switchport access vlan", "no description", "exit",
                    "no ip source binding 0011.2233.4455 vlan 120 203.0.113.99 interface Gi1/0/1"]
    assert released(current.facts) == PortFacts(mode="access", shutdown=True)


def test_cisco_replaces_a_policy_by_naming_the_old_one() -> None:
    d = driver("cisco_ios")
    running = d.parse(CISCO_RUNNING.replace(" shutdown\n", " service-policy input SITE-QOS\n"))
    current = d.read(running, "GigabitEthernet1/0/1")
    assert current.facts.rate_in_kbps is None  # the site's policy has no policer we can read
    commands = d.change(current, d.render(intent()).facts)
    assert commands.index("no service-policy input SITE-QOS") < commands.index("service-policy input COLO-IN-100M")


def test_huawei_removes_in_dependency_order() -> None:
    d = driver("huawei_vrp")
    current = blank(d, "GigabitEthernet0/0/1",
                    " port link-type access\n port default vlan 120\n qos lr inbound cir 5000 cbs 625000\n")
    assert d.change(current, PortFacts(description="x")) == [
        "interface GigabitEthernet0/0/1", "undo qos lr inbound", "undo port default vlan", "undo port link-type",
        "description x", "quit"]


def test_huawei_vlan_batch_ranges() -> None:
    running = RunningConfig.parse("#\nvlan batch 10 110 to 112 200\n#\nvlan 300\n description x\n#\nreturn\n",
                                  driver("huawei_vrp").skip_line)
    assert vlans(running) == {10, 110, 111, 112, 200, 300}
    assert driver("huawei_vrp").has_prerequisite(running, Stanza("vlan batch 111"))
    assert not driver("huawei_vrp").has_prerequisite(running, Stanza("vlan batch 120"))


def test_comware_ignores_link_mode_line_and_reads_access_as_default() -> None:
    d = driver("hp_comware")
    reading = blank(d, "GigabitEthernet1/0/1", " port link-mode bridge\n description x\n combo enable fiber\n")
    assert reading.facts == PortFacts(description="x", mode="access")
    assert reading.unmanaged == ("combo enable fiber",)


def test_real_printing_quirks_read_as_the_same_facts() -> None:
    """cbs added, pager residue and escapes, trailing blanks, indented globals, `#` in a description, empty description."""
    hw = driver("huawei_vrp")
    text = ("#\r\n sysname HW\r\n#\r\n vlan batch 3 to 4 110\r\n#\r\n"
            "interface GigabitEthernet0/0/3   \r\n description rack #12 \r\n port link-type access\r\n"
            "  ---- More ----\x1b[42D                                          \x1b[42D port default vlan 110\r\n"
            " qos lr inbound cir 10240 cbs 2048000\r\n qos lr outbound cir 10240 cbs 2048000\r\n"
            " ntdp enable\r\n#\r\n user-bind static ip-address 203.0.113.10 mac-address 0011-2233-4455 "
            "interface GigabitEthernet0/0/3 vlan 110\r\n#\r\nreturn\r\n")
    running = hw.parse(text)
    assert hw.has_prerequisite(running, Stanza("vlan batch 110"))
    facts = hw.read(running, "GE0/0/3").facts
    assert facts == PortFacts(description="rack #12", mode="access", vlan=110, rate_in_kbps=10240,
                              rate_out_kbps=10240, bindings=(Bound("203.0.113.10", "001122334455", 110),))
    empty = driver("cisco_ios").read(driver("cisco_ios").parse("!\ninterface Gi1/0/5\n description \n!\n"), "Gi1/0/5")
    assert empty.facts.description is None and empty.unmanaged == ()


def test_iosxe_prints_sequence_numbers_and_policer_forms() -> None:
    d = driver("cisco_ios")
    running = d.parse("!\nip access-list extended COLO-ANY\n 10 permit ip any any\n!\npolicy-map COLO-IN-100M\n"
                      " class COLO-ANY\n  police cir 100000000 bc 1000000\n   conform-action transmit \n"
                      "   exceed-action drop \n!\ninterface GigabitEthernet1/0/1\n service-policy input COLO-IN-100M\n!\n"
                      "ip dhcp snooping vlan 1-99,110,200-300\n")
    assert d.read(running, "GigabitEthernet1/0/1").facts.rate_in_kbps == 100_000
    needs = d.render(intent()).prerequisites
    present = {st.header for st in needs if d.has_prerequisite(running, st)}
    assert {"ip access-list extended COLO-ANY", "policy-map COLO-IN-100M", "ip dhcp snooping vlan 110"} <= present
    assert not d.has_prerequisite(running, Stanza("ip dhcp snooping vlan 100"))


def test_unknown_interface_names_the_nearest() -> None:
    d = driver("huawei_vrp")
    with pytest.raises(BadInput, match="nearest: GigabitEthernet0/0/1"):
        d.read(d.parse("#\ninterface GigabitEthernet0/0/1\n#\n"), "GigabitEthernet0/0/11")


def test_every_platform_is_registered() -> None:
    assert set(PLATFORMS) == {"cisco_ios", "huawei_vrp", "hp_comware"}
    with pytest.raises(ValueError, match="known"):
        driver("junos")
