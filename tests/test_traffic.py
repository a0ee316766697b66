"""Traffic polls against the lab's IF-MIB agents: real SNMP, counters that grow, wrap, reboot and move."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from provision.api import Colo
from provision.lab.snmpagent import set_traffic, traffic
from tests.conftest import Lab
from tests.lab_contracts import SWITCH, active_contract, sign_on

T0 = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def poll(lab: Lab, db: str, minutes: int, switches: tuple[str, ...] = (SWITCH["cisco_ios"],)) -> dict:  # type: ignore[type-arg]
    for sw in switches:
        set_traffic(str(lab.state), sw, clock=at(minutes).timestamp())
    return Colo(db=db, at=at(minutes).isoformat()).traffic_poll()


def expected_bps(lab: Lab, switch: str, iface: str, start: int, end: int, direction: str = "in") -> float:
    """The lab model's mean rate over [start, end), from the same formula its counters integrate."""
    state = {"faults": {"traffic": {"clock": at(end).timestamp()}}}
    before = {"faults": {"traffic": {"clock": at(start).timestamp()}}}
    return (traffic.octets(state, switch, iface, direction) - traffic.octets(before, switch, iface, direction)) * 8 \
        / ((end - start) * 60)


@pytest.fixture
def provisioned(lab: Lab, lab_db: str) -> tuple[str, str]:
    contract = sign_on(lab_db, "cisco_ios")
    Colo(db=lab_db, at="2026-11-25T09:00").provision([contract["id"]])
    return contract["id"], contract["placements"][0]["port"]["interface"]


def test_rates_from_real_counters_and_the_month(lab: Lab, lab_db: str, provisioned: tuple[str, str], colo) -> None:  # type: ignore[no-untyped-def]
    cid, iface = provisioned
    sw = SWITCH["cisco_ios"]
    first = poll(lab, lab_db, 0)
    assert first["ports"] == 1 and first["rates"] == 0 and first["first_or_gap"] == 1 and not first["failed"]
    for m in (5, 10, 15):
        assert poll(lab, lab_db, m)["rates"] == 1
    shown = Colo(db=lab_db, at=at(15).isoformat()).traffic(cid)
    [port] = shown["ports"]
    assert (port["switch"], port["interface"]) == (sw, iface) and shown["month"] == "2026-12"
    assert len(port["samples"]) == 3
    for sample, start in zip(port["samples"], (0, 5, 10), strict=True):
        assert sample["in_bps"] == pytest.approx(expected_bps(lab, sw, iface, start, start + 5), rel=1e-6)
        assert sample["out_bps"] == pytest.approx(expected_bps(lab, sw, iface, start, start + 5, "out"), rel=1e-6)
    assert port["p95_in_bps"] == max(s["in_bps"] for s in port["samples"])  # 3 samples: nearest rank is the top
    assert port["utilisation_percent"] == pytest.approx(100 * port["p95_in_bps"] / 100e6)
    assert [len(port["graphs"][g]) for g in ("day", "week", "month", "year")][0] == 3

    r = colo("--db", lab_db, "--at", at(15).isoformat(), "traffic", "show", cid, "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["ports"][0]["p95_in_bps"] == port["p95_in_bps"]
    r = colo("--db", lab_db, "--at", at(15).isoformat(), "traffic", "show", cid)
    assert r.code == 0 and iface in r.out


def test_reboot_wrap_and_missed_poll(lab: Lab, lab_db: str, provisioned: tuple[str, str]) -> None:
    cid, iface = provisioned
    sw = SWITCH["cisco_ios"]
    poll(lab, lab_db, 0)
    # a 64-bit wrap a few seconds after the first reading: counted through, no gap
    state = {"faults": {"traffic": {"clock": at(0).timestamp()}}}
    near_top = 2 ** 64 - traffic.octets(state, sw, iface, "in") - 10_000
    set_traffic(str(lab.state), sw, offset={iface: near_top})
    wrapped = poll(lab, lab_db, 5)
    assert wrapped["rates"] == 0, "the offset moved the counter: that reading is a reset, not traffic"
    assert poll(lab, lab_db, 10)["rates"] == 1  # now past the top of the counter: a wrap, counted through
    # a reboot: sysUpTime starts again, counters from zero: no spike, no negative rate
    set_traffic(str(lab.state), sw, boot=at(12).timestamp())
    assert poll(lab, lab_db, 15)["rates"] == 0
    assert poll(lab, lab_db, 20)["rates"] == 1
    # a missed poll: the next reading draws nothing across the hole
    assert poll(lab, lab_db, 40)["rates"] == 0
    assert poll(lab, lab_db, 45)["rates"] == 1
    samples = Colo(db=lab_db, at=at(45).isoformat()).traffic(cid)["ports"][0]["samples"]
    assert all(0 < s["in_bps"] < 100e6 for s in samples), "no spike, no negative rate"
    assert [s["at"][11:16] for s in samples] == ["09:05", "09:15", "09:40"]


def test_bad_input_and_a_switch_without_answer(lab: Lab, lab_db: str, provisioned: tuple[str, str], colo) -> None:  # type: ignore[no-untyped-def]
    cid, _ = provisioned
    r = colo("--db", lab_db, "traffic", "show", "C2099-0001")
    assert r.code == 2 and "does not exist" in r.err
    r = colo("--db", lab_db, "traffic", "show", cid, "--month", "2026-13")
    assert r.code == 2 and "--month" in r.err
    from provision.lab.snmpagent import agent_paused

    with agent_paused(str(lab.state), SWITCH["cisco_ios"]):
        result = Colo(db=lab_db, at=at(0).isoformat()).traffic_poll()
    assert result["failed"] and result["failed"][0]["switch"] == SWITCH["cisco_ios"]


def test_traffic_belongs_to_the_contract_that_held_the_port(lab: Lab, lab_db: str) -> None:
    first, iface = active_contract(lab_db, "cisco_ios")
    poll(lab, lab_db, 0)
    assert poll(lab, lab_db, 5)["rates"] == 1
    Colo(db=lab_db, at="2026-12-02T09:06").terminate(first, forced="policy")
    Colo(db=lab_db, at="2026-12-02T09:07").decommission(first)
    second = sign_on(lab_db, "cisco_ios", name="Beta Ltd", at="2026-12-02T09:08")
    assert second["placements"][0]["port"]["interface"] == iface, "the freed port is the first free one"
    Colo(db=lab_db, at="2026-12-02T09:09").provision([second["id"]])
    moved = poll(lab, lab_db, 10)
    assert moved["rates"] == 0 and moved["first_or_gap"] == 1, "no rate across the change of tenant"
    assert poll(lab, lab_db, 15)["rates"] == 1
    old = Colo(db=lab_db, at=at(15).isoformat()).traffic(first)["ports"][0]["samples"]
    new = Colo(db=lab_db, at=at(15).isoformat()).traffic(second["id"])["ports"][0]["samples"]
    assert [s["at"][11:16] for s in old] == ["09:00"] and [s["at"][11:16] for s in new] == ["09:10"]


def test_the_monitor_round_reads_traffic_too(lab: Lab, lab_db: str, provisioned: tuple[str, str]) -> None:
    cid, _ = provisioned
    options = Colo.monitor_options(ping_timeout=0.1, ping_attempts=1)
    for minutes, drawn in ((0, 0), (5, 1)):
        set_traffic(str(lab.state), SWITCH["cisco_ios"], clock=at(minutes).timestamp())
        result = Colo(db=lab_db, at=at(minutes).isoformat()).monitor_tick(options)
        assert result["traffic"]["ports"] == 1 and result["traffic"]["rates"] == drawn
    assert len(Colo(db=lab_db, at=at(5).isoformat()).traffic(cid)["ports"][0]["samples"]) == 1
