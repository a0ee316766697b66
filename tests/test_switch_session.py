"""A careful session against simulators with real devices' habits: log lines, wrapped echoes, VTP, save replies."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from provision.api import Colo
from provision.drivers.switch import PLATFORMS, SwitchDriver
from provision.errors import DeviceError, Refused
from provision.services.provisioning.devices import SwitchInfo
from tests.conftest import Lab
from tests.lab_contracts import SWITCH, sign_on


def session(lab: Lab, switch: str, **overrides: Any) -> SwitchDriver:
    """A driver for a lab switch; `overrides` replace class attributes (e.g. no session set-up)."""
    sw = next(s for s in yaml.safe_load((lab.inventory / "network.yaml").read_text())["switches"] if s["name"] == switch)
    info = SwitchInfo(switch, sw["platform"], "127.0.0.1", sw["port"], sw["credentials"], None, None)
    base = PLATFORMS[sw["platform"]]
    cls = type(base.__name__, (base,), overrides) if overrides else base
    from provision.drivers.switch import SwitchAccess
    from provision.secrets import resolve

    return cls(SwitchAccess(info.name, info.host, info.port, resolve(info.credentials)))


@pytest.mark.parametrize("platform", ["huawei_vrp", "hp_comware"])
def test_log_lines_on_the_session_are_not_errors(lab: Lab, lab_db: str, platform: str) -> None:
    """With terminal monitor left on, the port's up/down log lines land amid the replies and fail nothing."""
    from provision.lab.switchsim import write_faults

    iface = "GigabitEthernet0/0/7" if platform == "huawei_vrp" else "GigabitEthernet1/0/7"
    write_faults(str(lab.state), SWITCH[platform], {"delay": [{"match": "^description", "seconds": 0.4}]})
    driver = session(lab, SWITCH[platform], session_setup=())
    try:
        out = driver.push([f"interface {iface}", "shutdown", "description after down", "undo shutdown",
                           "description after up", "quit"])
        assert "IFNET" in out, "the simulator printed its log lines on this session"
        assert driver.read(driver.running(), iface).facts.description == "after up"
    finally:
        driver.close()


def test_comware_long_lines_wrap_and_still_apply(lab: Lab, lab_db: str) -> None:
    iface = "GigabitEthernet1/0/9"
    line = "ip source binding ip-address 198.51.100.200 mac-address 00aa-bbcc-ddee vlan 120"
    driver = session(lab, SWITCH["hp_comware"])
    try:
        assert len(f"[{SWITCH['hp_comware']}-{iface}]" + line) > 80
        driver.push(["vlan 120", "quit", f"interface {iface}", line, "quit"])
        bindings = driver.read(driver.running(), iface).facts.bindings
        assert [(b.ip, b.mac, b.vlan) for b in bindings] == [("198.51.100.200", "00aabbccddee", 120)]
    finally:
        driver.close()


def test_save_is_checked_for_the_devices_success_text(lab: Lab, lab_db: str) -> None:
    from provision.lab.switchsim import write_faults

    write_faults(str(lab.state), SWITCH["huawei_vrp"], {"save_fails": "Error: The system is busy. Please try later."})
    driver = session(lab, SWITCH["huawei_vrp"])
    try:
        with pytest.raises(DeviceError, match="not confirmed .*system is busy"):
            driver.save()
    finally:
        driver.close()
    write_faults(str(lab.state), SWITCH["huawei_vrp"], {})
    driver = session(lab, SWITCH["huawei_vrp"])
    try:
        driver.save()
    finally:
        driver.close()


def test_vlans_are_read_from_the_vlan_database(lab: Lab, lab_db: str) -> None:
    """IOS in VTP server mode prints no `vlan N` block: the second contract must not re-create VLAN 110."""
    first = sign_on(lab_db, "cisco_ios")
    Colo(db=lab_db, at="2026-11-25T09:00").provision([first["id"]])
    assert "\nvlan 110" not in lab.running(SWITCH["cisco_ios"])
    second = sign_on(lab_db, "cisco_ios", name="Beta Ltd")
    plan = Colo(db=lab_db, at="2026-11-25T09:00").provision([second["id"]], dry_run=True)["plan"]
    assert plan["switches"][0]["prerequisite_commands"] == []


def test_a_vtp_client_is_refused_rather_than_pushed(lab: Lab, lab_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    from provision.lab.switchsim import write_faults

    write_faults(str(lab.state), SWITCH["cisco_ios"], {"vtp_client": True})
    cid = sign_on(lab_db, "cisco_ios")["id"]
    before = lab.running(SWITCH["cisco_ios"])
    with pytest.raises(Refused, match="VTP client: vlan 110 cannot be created"):
        Colo(db=lab_db, at="2026-11-25T09:00").provision([cid])
    r = colo("--db", lab_db, "--at", "2026-11-25T09:00", "provision", cid)
    assert r.code == 3 and "VTP server" in r.err
    assert lab.running(SWITCH["cisco_ios"]) == before


def test_switch_show_reads_the_port_live_and_refuses_unknown_names(lab: Lab, lab_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    r = colo("--db", lab_db, "switch", "show", SWITCH["huawei_vrp"], "GE0/0/3", "--json")
    assert r.code == 0, r.err
    shown = json.loads(r.out)
    assert shown["interface"] == "GigabitEthernet0/0/3" and shown["vlan"] is None
    assert shown["unmanaged"], "the S5720's site lines are listed, not hidden"
    r = colo("--db", lab_db, "switch", "show", SWITCH["huawei_vrp"], "GE0/0/3")
    assert r.code == 0 and "unmanaged" in r.out
    r = colo("--db", lab_db, "switch", "show", "sw-nowhere", "GE0/0/3")
    assert r.code == 2 and "no switch 'sw-nowhere'" in r.err and SWITCH["huawei_vrp"] in r.err
    r = colo("--db", lab_db, "switch", "show", SWITCH["huawei_vrp"], "GE0/0/99")
    assert r.code == 2 and "has no interface GE0/0/99" in r.err


@pytest.mark.parametrize("platform", ["cisco_ios", "huawei_vrp", "hp_comware"])
def test_a_rejected_line_stops_the_push_within_its_window(lab: Lab, lab_db: str, platform: str) -> None:
    """Stanzas go out a few ahead of their replies: a rejected line is named, the stanzas already written after it
    were sent (and only those), and nothing more is written."""
    driver = session(lab, SWITCH[platform])
    leave = driver.syntax.exit_command
    first = 33 if platform == "huawei_vrp" else 37
    ports = [f"GigabitEthernet{'0/0' if platform == 'huawei_vrp' else '1/0'}/{first + k}" for k in range(8)]
    batch = [line for k, port in enumerate(ports)
             for line in (f"interface {port}", f"description window-{k}", *(["frobnicate now"] if k == 1 else []), leave)]
    try:
        with pytest.raises(DeviceError, match="'frobnicate now'"):
            driver.push(batch)
        running = driver.running()
        described = [driver.read(running, port).facts.description == f"window-{k}" for k, port in enumerate(ports)]
    finally:
        driver.close()
    # the first two were answered; the next ones were written ahead of the rejection's reply (the switch may or may
    # not have run them before the session closed); none after those
    ahead = driver.stanzas_in_flight - 1
    assert described[:2] == [True, True] and described[2 + ahead:] == [False] * (len(ports) - 2 - ahead)
