"""The Cisco driver against fake-switches, a Cisco simulator nobody here wrote.

It has no QoS or IP source guard, so the cross-check covers what it does model:
VLAN, access mode, description, read-back of the running config, save, and undo.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from provision.domain.portconfig import PortIntent, port_description
from provision.domain.portfacts import PortFacts
from provision.drivers.switch import SwitchAccess, switch_driver
from provision.drivers.switch.base import SwitchDriver
from provision.errors import DeviceError
from provision.secrets import Credentials, Secret
from tests.conftest import free_port

LAUNCHER = Path(__file__).with_name("fakeswitches_launcher.py")


@pytest.fixture(scope="module")
def fake_cisco() -> Iterator[SwitchDriver]:
    try:
        import fake_switches  # noqa: F401
    except ImportError:
        pytest.fail("fake-switches is not installed: pip install --no-deps fake-switches==1.5.0 (see .ci/run)")
    port = free_port(socket.SOCK_STREAM)
    proc = subprocess.Popen([sys.executable, str(LAUNCHER), "--port", str(port), "--username", "tech",
                             "--password", "s3cret"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail("fake-switches did not start listening")
        time.sleep(0.1)
    creds = Credentials("fake", "tech", Secret("s3cret"), Secret("s3cret"))
    driver = switch_driver("cisco_ios", SwitchAccess("fake-sw", "127.0.0.1", port, creds))
    try:
        yield driver
    finally:
        driver.close()
        proc.terminate()
        proc.wait(timeout=10)


def test_port_vlan_and_description_round_trip(fake_cisco: SwitchDriver) -> None:
    iface = "FastEthernet0/3"
    intent = PortIntent(iface, 110, port_description("C2026-0001", 1, "ACME! # quit?"), 100, ())
    running = fake_cisco.running()
    before = fake_cisco.read(running, "Fa0/3")
    wanted = fake_cisco.render(intent)
    assert wanted.notes == ("no rate limit: 100 Mbit/s is the port's full speed",)
    commands = fake_cisco.ensure(running, wanted.prerequisites) + fake_cisco.change(before, wanted.facts)
    assert commands[:2] == ["vlan 110", "exit"]
    fake_cisco.push(commands)
    after = fake_cisco.read(fake_cisco.running(), iface)
    assert after.facts == wanted.facts, after.facts.differences(wanted.facts)
    assert after.facts.description == "C2026-0001 s1 ACME quit"
    fake_cisco.save()
    assert fake_cisco.change(after, wanted.facts) == [], "applying again changes nothing"
    fake_cisco.push(fake_cisco.change(after, before.facts))
    assert fake_cisco.read(fake_cisco.running(), iface).facts == before.facts


def test_a_rejected_line_raises_with_the_device_message(fake_cisco: SwitchDriver) -> None:
    with pytest.raises(DeviceError, match=r"'service-policy input COLO-IN-10M': No such command"):
        fake_cisco.push(["interface FastEthernet0/4", "service-policy input COLO-IN-10M", "exit"])
    assert fake_cisco.read(fake_cisco.running(), "FastEthernet0/4").facts == PortFacts()
