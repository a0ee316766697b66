"""`poll_outlet_states` against the device lab: every PDU at once, one failing PDU never hides the others.

The lab serves APC (pdu-a01..a04, 42 outlets: two GETs each) and Raritan (pdu-b01..b03,
36 outlets: one GET) from real snmpsim agents on 127.0.0.1. Faults are what the monitor
meets on a real site: a hung agent, a state that is neither on nor off, an outlet the
PDU does not have.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from provision.drivers.pdu import PduDriver, pdu_driver, poll_outlet_states
from provision.drivers.snmp import SnmpTarget
from provision.errors import DeviceError
from provision.lab.snmpagent import agent_paused, write_pdu_faults
from provision.secrets import Secret
from tests.conftest import ROOT, Lab


def _target(driver: PduDriver, timeout: float, retries: int) -> PduDriver:
    """The same PDU behind a target with other timeouts: a hung agent's test sets how long it is waited for."""
    t = driver.target
    return pdu_driver(driver.platform, SnmpTarget(t.name, t.host, t.port, t.community, timeout=timeout, retries=retries))


@pytest.fixture
def pdus(lab: Lab) -> Iterator[dict[str, tuple[PduDriver, list[int]]]]:
    """Each lab PDU's driver and all its outlets; factory state.

    The timeout is generous on purpose: a healthy agent sharing two loaded CI cores with
    the other test worker took over 0.3 s to answer, and that is not what these tests are
    about. Tests of a silent agent set its own short timeout with `_target`.
    """
    lab.reset()
    config = json.loads((lab.dir / "config.json").read_text(encoding="utf-8"))
    yield {p["name"]: (pdu_driver(p["platform"], SnmpTarget(p["name"], "127.0.0.1", p["port"], Secret(p["community"]),
                                                            timeout=3.0, retries=1)),
                       list(range(1, p["outlets"] + 1))) for p in config["pdus"]}
    lab.reset()  # no fault leaks into later tests on this worker's lab


def test_all_pdus_in_one_poll_and_a_switched_off_outlet_reads_off(pdus: dict[str, tuple[PduDriver, list[int]]]) -> None:
    pdus["pdu-a01"][0].set_outlets({3: False})
    pdus["pdu-b01"][0].set_outlets({36: False})
    got = poll_outlet_states(list(pdus.values()))
    assert set(got) == {"pdu-a01", "pdu-a02", "pdu-a03", "pdu-a04", "pdu-b01", "pdu-b02", "pdu-b03"}
    for name, (driver, outlets) in pdus.items():
        assert got[name] == driver.outlet_states(outlets), f"{name}: the poll and the one-PDU read disagree"
    assert got["pdu-a01"] == {n: n != 3 for n in range(1, 43)}  # APC: 42 outlets, past one GET's 40 varbinds
    assert got["pdu-b01"] == {n: n != 36 for n in range(1, 37)}


def test_only_the_outlets_asked(pdus: dict[str, tuple[PduDriver, list[int]]]) -> None:
    got = poll_outlet_states([(pdus["pdu-a02"][0], [7, 1]), (pdus["pdu-b02"][0], [])])
    assert got == {"pdu-a02": {7: True, 1: True}, "pdu-b02": {}}


def test_stopped_agents_are_error_entries_and_the_others_answer(lab: Lab,
                                                                pdus: dict[str, tuple[PduDriver, list[int]]]) -> None:
    hung = ["pdu-a02", "pdu-a04", "pdu-b02"]  # both platforms; each waited for 1 s, once
    requests = [(_target(driver, 1.0, 0), outlets) if name in hung else (driver, outlets)
                for name, (driver, outlets) in pdus.items()]
    with ExitStack() as stack:
        for name in hung:
            stack.enter_context(agent_paused(str(lab.state), name))
        start = time.perf_counter()
        got = poll_outlet_states(requests)
        elapsed = time.perf_counter() - start
    for name in hung:
        failed = got[name]
        assert isinstance(failed, DeviceError) and failed.device == name
        assert "no SNMP answer" in str(failed) and "within 1s x1" in str(failed)
    assert {name: states for name, states in got.items() if name not in hung} == {
        name: dict.fromkeys(outlets, True) for name, (_, outlets) in pdus.items() if name not in hung}
    # Asked one after another, the three silent PDUs alone would take 3 s.
    assert elapsed < 3.0, f"the silent PDUs' timeouts run at the same time; took {elapsed:.2f} s"


def test_the_poll_deadline_bounds_a_slow_pdu(lab: Lab, pdus: dict[str, tuple[PduDriver, list[int]]]) -> None:
    slow = _target(pdus["pdu-b03"][0], 2.0, 2)  # 6 s of tries on its own
    with agent_paused(str(lab.state), "pdu-b03"):
        start = time.perf_counter()
        got = poll_outlet_states([pdus["pdu-a01"], (slow, [1, 2])], timeout=2.0)
        elapsed = time.perf_counter() - start
    assert isinstance(got["pdu-b03"], DeviceError)
    assert "within the poll's 2s" in str(got["pdu-b03"])
    assert got["pdu-a01"] == dict.fromkeys(range(1, 43), True)
    assert elapsed < 6.0, f"the deadline, not the target's 2 s x 3 tries, ends the poll; took {elapsed:.2f} s"


@pytest.mark.parametrize(("faulty", "raw"), [("pdu-a03", 3), ("pdu-b03", -1)])  # APC: not off(1)/on(2); PX2: unavailable
def test_a_state_neither_on_nor_off_is_an_error_entry(lab: Lab, pdus: dict[str, tuple[PduDriver, list[int]]],
                                                      faulty: str, raw: int) -> None:
    write_pdu_faults(str(lab.state), faulty, {"reads": {"4": raw}})
    got = poll_outlet_states(list(pdus.values()))
    assert isinstance(got[faulty], DeviceError)
    assert f"outlet 4 reports state {raw}, neither on nor off" in str(got[faulty])
    assert all(isinstance(states, dict) for name, states in got.items() if name != faulty)


def test_an_outlet_the_pdu_does_not_have_is_an_error_entry(pdus: dict[str, tuple[PduDriver, list[int]]]) -> None:
    got = poll_outlet_states([(pdus["pdu-b01"][0], [1, 37]), pdus["pdu-a04"]])
    assert isinstance(got["pdu-b01"], DeviceError) and "NoSuchInstance" in str(got["pdu-b01"])
    assert got["pdu-a04"] == dict.fromkeys(range(1, 43), True)


def test_a_pdu_asked_twice_is_refused(pdus: dict[str, tuple[PduDriver, list[int]]]) -> None:
    driver = pdus["pdu-a01"][0]
    with pytest.raises(ValueError, match="pdu-a01 asked more than once"):
        poll_outlet_states([(driver, [1]), (driver, [2])])


def test_requests_a_deadline_gave_up_on_end_quietly_at_exit() -> None:
    """A monitor that stops after a poll's deadline still has requests in flight: the process
    must exit cleanly, not print a traceback from the SNMP layer's shutdown."""
    code = ("import socket\n"
            "from provision.drivers.pdu import pdu_driver, poll_outlet_states\n"
            "from provision.drivers.snmp import SnmpTarget\n"
            "from provision.secrets import Secret\n"
            "silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            "silent.bind(('127.0.0.1', 0))\n"
            "target = SnmpTarget('pdu-x', '127.0.0.1', silent.getsockname()[1], Secret('c'), timeout=5, retries=0)\n"
            "got = poll_outlet_states([(pdu_driver('apc_rpdu2', target), [1])], timeout=0.2)\n"
            "print(type(got['pdu-x']).__name__)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "DeviceError", "")
