"""What fake-switches 1.5.0's Cisco core does under real netmiko (cisco_ios), pinned down.

These are facts about the simulator, not about our driver: which netmiko options it
needs, what it prints back, and which lines it rejects, takes without modelling, or
never answers (those are bounded by short read time-outs, so nothing hangs the suite).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from netmiko import ConnectHandler
from netmiko.base_connection import BaseConnection
from netmiko.exceptions import ConfigInvalidException, ReadTimeout

from tests.fakeswitches import ERROR_PATTERN, FakeSwitch, fake_cisco_switch

PORT = "GigabitEthernet1/0/1"
BINDING = "ip source binding 0011.2233.4455 vlan 110 192.0.2.10 interface GigabitEthernet1/0/3"


@pytest.fixture(scope="module")
def switch() -> Iterator[FakeSwitch]:
    with fake_cisco_switch() as sw:
        yield sw


@pytest.fixture(scope="module")
def conn(switch: FakeSwitch) -> Iterator[BaseConnection]:
    c = ConnectHandler(**switch.netmiko())
    c.enable()
    yield c
    c.disconnect()


def configure(conn: BaseConnection, lines: list[str]) -> str:
    """What works: no netmiko `end`; the batch closes its own stanzas, then `exit` leaves config mode."""
    conn.send_command("configure terminal", expect_string=r"\(config\)#", read_timeout=5)
    try:
        return str(conn.send_config_set(lines, enter_config_mode=False, exit_config_mode=False,
                                        error_pattern=ERROR_PATTERN, read_timeout=5))
    finally:
        leave_config(conn)


def leave_config(conn: BaseConnection) -> None:
    prompt = conn.find_prompt()
    for _ in range(4):
        if "(config" not in prompt:
            return
        prompt = show(conn, "exit", expect_string=r"#", strip_prompt=False).strip()
    raise AssertionError(f"still in configuration mode: {prompt!r}")


def show(conn: BaseConnection, command: str, **kwargs: Any) -> str:
    return str(conn.send_command(command, read_timeout=5, **kwargs))


def running_interface(conn: BaseConnection, name: str) -> list[str]:
    out = show(conn, f"show running-config interface {name}")
    return out[out.index(f"interface {name}"):out.index("\nend")].splitlines()


def test_connect_and_enable(switch: FakeSwitch) -> None:
    c = ConnectHandler(**switch.netmiko())
    try:
        assert c.find_prompt() == "fake-sw>"
        c.enable()
        assert c.find_prompt() == "fake-sw#" and c.check_enable_mode()
    finally:
        c.disconnect()


def test_a_wrong_enable_secret_is_refused_but_an_empty_one_is_accepted(switch: FakeSwitch) -> None:
    wrong = ConnectHandler(**switch.netmiko(secret="wrong"))
    with pytest.raises(ValueError, match="Failed to enter enable mode"):
        wrong.enable()
    wrong.disconnect()
    empty = ConnectHandler(**switch.netmiko(secret=""))
    empty.enable()  # fake-switches quirk: an empty enable password always works
    assert empty.check_enable_mode()
    empty.disconnect()


def test_access_port_configuration_and_read_back(conn: BaseConnection) -> None:
    # netmiko's own config_mode() and cmd_verify work; only its `end` must be replaced by closing `exit`s.
    lines = ["vlan 110", "exit", f"interface {PORT}", "description CUST-C2026-0001 acme", "switchport mode access",
             "switchport access vlan 110", "no shutdown", "exit"]
    out = str(conn.send_config_set(lines, exit_config_mode=False, error_pattern=ERROR_PATTERN, read_timeout=5))
    assert out.startswith("configure terminal\nEnter configuration commands, one per line.  End with CNTL/Z.\n")
    assert "fake-sw(config-if)#switchport access vlan 110\nfake-sw(config-if)#no shutdown\n" in out
    assert out.rstrip().endswith("fake-sw(config-if)#exit\nfake-sw(config)#")
    assert conn.exit_config_mode(exit_config="exit") == "exit\nfake-sw#"
    assert conn.find_prompt() == "fake-sw#" and not conn.check_config_mode()
    assert running_interface(conn, PORT) == [
        f"interface {PORT}", " description CUST-C2026-0001 acme", " switchport access vlan 110", " switchport mode access"]
    full = show(conn, "show running-config")
    assert full.startswith("Building configuration...\n\nCurrent configuration : ")
    assert "version 12.1\n!\nhostname fake-sw\n!\n!\nvlan 1\n!\nvlan 110\n!\n" in full
    assert (f"interface {PORT}\n description CUST-C2026-0001 acme\n switchport access vlan 110\n"
            f" switchport mode access\n!\ninterface GigabitEthernet1/0/2\n") in full
    assert full.rstrip().endswith("interface FastEthernet0/12\n!\nend")
    assert show(conn, "show running-config | include CUST-") == " description CUST-C2026-0001 acme"


def test_netmiko_defaults_fail_on_the_missing_end(conn: BaseConnection) -> None:
    with pytest.raises(ValueError, match="Failed to exit configuration mode"):
        conn.send_config_set(["interface GigabitEthernet1/0/5", "description x"], read_timeout=5)
    assert conn.find_prompt() == "fake-sw(config-if)#"  # netmiko sent `end`: "No such command : end"
    leave_config(conn)


def test_save_config(conn: BaseConnection) -> None:
    assert conn.save_config() == "write mem\nBuilding configuration...\nOK\nfake-sw#"
    assert conn.send_command("write memory") == "Building configuration...\nOK"


def test_shutdown_no_description_and_default_interface(conn: BaseConnection) -> None:
    port = "GigabitEthernet1/0/2"
    configure(conn, [f"interface {port}", "description C", "switchport mode access", "switchport access vlan 110",
                     "shutdown", "exit"])
    assert running_interface(conn, port) == [
        f"interface {port}", " description C", " switchport access vlan 110", " switchport mode access", " shutdown"]
    configure(conn, [f"interface {port}", "no description", "no shutdown", "exit"])
    assert running_interface(conn, port) == [f"interface {port}", " switchport access vlan 110", " switchport mode access"]
    configure(conn, [f"interface {port}", "no switchport access vlan", "no switchport mode", "exit"])
    assert running_interface(conn, port) == [f"interface {port}"]
    configure(conn, [f"interface {port}", "description D", "shutdown", "exit", f"default interface {port}"])
    assert running_interface(conn, port) == [f"interface {port}"]


def test_access_vlan_is_taken_without_creating_the_vlan(conn: BaseConnection) -> None:
    out = configure(conn, ["interface GigabitEthernet1/0/6", "switchport access vlan 120", "exit"])
    assert "Creating vlan" not in out and "% " not in out  # real IOS: "% Access VLAN does not exist. Creating vlan 120"
    assert " switchport access vlan 120" in running_interface(conn, "GigabitEthernet1/0/6")
    assert "vlan 120" not in show(conn, "show running-config | begin vlan 1").split("interface")[0]


REJECTED = [  # (stanza to enter, line, fake-switches' answer)
    ([], "mls qos", "No such command : mls qos"),
    ([], "no mls qos", "No such command : no mls qos"),
    ([], "policy-map COLO-IN-10M", "No such command : policy-map COLO-IN-10M"),
    ([], "class-map match-all COLO-ANY", "No such command : class-map match-all COLO-ANY"),
    ([], "end", "No such command : end"),
    ([], "interface GigabitEthernet1/0/99", "% Invalid input detected at '^' marker (not such interface)"),
    ([], "vlan 5000", "Command rejected: Bad VLAN list - character #X (EOL) delimits a VLAN"),
    (["interface GigabitEthernet1/0/4"], "service-policy input COLO-IN-10M",
     "No such command : service-policy input COLO-IN-10M"),
    (["interface GigabitEthernet1/0/4"], "srr-queue bandwidth limit 10", "No such command : srr-queue bandwidth limit 10"),
    (["interface GigabitEthernet1/0/4"], "rate-limit input 10000000 8000 8000 conform-action transmit exceed-action drop",
     "No such command : rate-limit input 10000000 8000 8000 conform-action transmit exceed-action drop"),
    (["interface GigabitEthernet1/0/4"], "bandwidth 10000", "No such command : bandwidth 10000"),
    (["interface GigabitEthernet1/0/4"], "speed 100", "No such command : speed 100"),
]


def test_rejected(conn: BaseConnection) -> None:
    """Each line alone in one configuration session: fake-switches' answer, as netmiko's ConfigInvalidException reports it."""
    answers = {}
    conn.send_command("configure terminal", expect_string=r"\(config\)#", read_timeout=5)
    try:
        for enter, line, _ in REJECTED:
            with pytest.raises(ConfigInvalidException) as e:
                conn.send_config_set([*enter, line, *(["exit"] if enter else [])], enter_config_mode=False,
                                     exit_config_mode=False, error_pattern=ERROR_PATTERN, read_timeout=5)
            answers[line] = str(e.value)
            if enter:
                conn.send_command("exit", expect_string=r"\(config\)#", read_timeout=5)
            assert conn.find_prompt() == "fake-sw(config)#", line  # a rejected line leaves the mode as it was
    finally:
        leave_config(conn)
    assert answers == {line: f"Invalid input detected at command: {line}, matched error: {answer}"
                       for _, line, answer in REJECTED}


SILENT = [  # taken with no output and no trace in the running config: fake-switches does not model them
    ([], BINDING),
    ([], f"no {BINDING}"),
    ([], "ip access-list extended COLO-ANY"),  # and the prompt stays at (config)#: no ACL mode
    (["interface GigabitEthernet1/0/3"], "ip verify source"),
    (["interface GigabitEthernet1/0/3"], "ip verify source port-security"),
    (["interface GigabitEthernet1/0/3"], "switchport port-security"),
]


def test_accepted_but_not_modelled(conn: BaseConnection) -> None:
    """Taken with no output at all (the next prompt follows the echo), and nothing of them in the running config."""
    before = show(conn, "show running-config")
    conn.send_command("configure terminal", expect_string=r"\(config\)#", read_timeout=5)
    try:
        for enter, line in SILENT:
            out = str(conn.send_config_set([*enter, line], enter_config_mode=False, exit_config_mode=False,
                                           error_pattern=ERROR_PATTERN, read_timeout=5))
            assert out.rstrip().endswith(f"{line}\nfake-sw({'config-if' if enter else 'config'})#"), out
            if enter:
                conn.send_command("exit", expect_string=r"\(config\)#", read_timeout=5)
    finally:
        leave_config(conn)
    after = show(conn, "show running-config")
    assert after == before
    assert not any(word in after for word in ("source", "verify", "port-security", "access-list"))


CRASHING = ["show ip interface brief", "copy running-config startup-config", "configure terminal\nvlan abc"]


def test_crashing_commands_drop_the_session(switch: FakeSwitch) -> None:
    """Its handler raises (a traceback in the launcher's log), so no prompt ever comes and the SSH session closes."""

    def attempt(line: str) -> tuple[str, float, bool]:
        c = ConnectHandler(**switch.netmiko())
        c.enable()
        started = time.monotonic()
        try:
            c.send_command(line, read_timeout=0.5, cmd_verify=False)
            outcome = "answered"
        except ReadTimeout:
            outcome = "ReadTimeout"
        waited = time.monotonic() - started
        alive = c.is_alive()
        c.disconnect()
        return outcome, waited, alive

    with ThreadPoolExecutor(len(CRASHING)) as pool:  # one session each, side by side: 0.5 s instead of 1.5 s
        results = dict(zip(CRASHING, pool.map(attempt, CRASHING), strict=True))
    for line, (outcome, waited, alive) in results.items():
        assert (outcome, alive) == ("ReadTimeout", False), line
        assert waited < 2, line


def test_a_parent_mode_command_from_a_sub_mode_gives_no_prompt(conn: BaseConnection) -> None:
    """`show`, `write` in config mode, `default interface` in interface mode: run, but no prompt until the next line."""
    conn.send_config_set(["interface GigabitEthernet1/0/7", "description E"], exit_config_mode=False)
    with pytest.raises(ReadTimeout):
        conn.send_command("default interface GigabitEthernet1/0/7", read_timeout=0.5, cmd_verify=False)
    conn.write_channel("\n")
    assert conn.read_until_pattern(r"#", read_timeout=5).strip() == "fake-sw(config-if)#"
    leave_config(conn)
    assert running_interface(conn, "GigabitEthernet1/0/7") == ["interface GigabitEthernet1/0/7"]  # it did run
