"""Faults the provider finds start the fault clocks (hosting §5.6, §6.3): respond within 1 hour, resolve within 1
working day, tell the customer first; a major fault is handled after consulting the customer (§6.3
「特大故障…征求甲方意见」).

The end-to-end test takes a lab server down for real (a network namespace, tests/labhost.py) and drives the
monitor's rounds through the CLI, as cron would.
"""

from __future__ import annotations

import json
from typing import Any

from provision.api import Colo
from tests.conftest import Lab, order
from tests.lab_contracts import active_contract
from tests.labhost import lab_host


def _run(colo, db: str):  # type: ignore[no-untyped-def]
    def run(at: str, *args: str) -> Any:
        r = colo("--db", db, "--at", at, *args, "--json")
        assert r.code == 0, r.err
        return json.loads(r.out)

    return run


def test_a_major_fault_is_resolved_only_after_consulting_the_customer(site_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    run = _run(colo, site_db)
    cid = str(Colo(db=site_db, at="2026-12-01T10:00").sign(order("ACME"))["id"])
    run("2026-12-03T10:00", "ticket", "open", cid, "--summary", "whole row A without network")
    major = run("2026-12-03T10:05", "ticket", "major", "T1")
    assert major["major"] == {"at": "2026-12-03T10:05:00+08:00", "by": "tester"} and major["consultation"] is None
    refused = colo("--db", site_db, "--at", "2026-12-03T11:00", "ticket", "resolve", "T1", "--resolution", "fixed")
    assert refused.code == 3 and "major fault: consult the customer before resolving it (§6.3)" in refused.err
    half = colo("--db", site_db, "--at", "2026-12-03T10:20", "ticket", "major", "T1", "--consulted-by", "Li Wei")
    assert half.code == 2 and "--consulted-by and --note go together" in half.err
    twice = colo("--db", site_db, "--at", "2026-12-03T10:20", "ticket", "major", "T1")
    assert twice.code == 3 and "already a major fault" in twice.err
    consulted = run("2026-12-03T10:20", "ticket", "major", "T1", "--consulted-by", "Li Wei", "--note",
                    "agreed: move the servers to row B tonight")
    assert consulted["consultation"] == {"at": "2026-12-03T10:20:00+08:00", "with": "Li Wei",
                                         "note": "agreed: move the servers to row B tonight", "by": "tester"}
    text = colo("--db", site_db, "--at", "2026-12-03T10:30", "ticket", "list").out
    assert "MAJOR fault since 2026-12-03T10:05:00+08:00: customer consulted 2026-12-03T10:20:00+08:00 (Li Wei)" in text
    again = colo("--db", site_db, "--at", "2026-12-03T10:25", "ticket", "major", "T1", "--consulted-by", "Li Wei",
                 "--note", "again")
    assert again.code == 3 and "already consulted" in again.err
    done = run("2026-12-03T16:00", "ticket", "resolve", "T1", "--resolution", "servers moved to row B")
    assert done["clocks"]["resolution"]["status"] == "met"
    actions = [r["action"] for r in json.loads(colo("--db", site_db, "audit", "list", "--contract", cid, "--json").out)]
    assert "contract.fault_major" in actions and "contract.fault_consulted" in actions


def _tick(colo, db: str, at: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    r = colo("--db", db, "--at", at, "monitor", "tick", "--ping-timeout", "0.5", "--json")
    assert r.code == 0, r.err
    return dict(json.loads(r.out))


def test_a_declared_emergency_opens_a_fault_ticket_with_both_clocks(lab: Lab, lab_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    run = _run(colo, lab_db)
    cid, _ = active_contract(lab_db)
    address = run("2026-12-01T09:00", "contract", "show", cid)["placements"][0]["addresses"][0]["ip"]
    run("2026-12-01T09:00", "person", "add", cid, "--name", "Li Wei", "--pager", "96000 1234", "--emergency",
        "pager")
    with lab_host(address, "faults") as server:
        _tick(colo, lab_db, "2026-12-04T16:50")
        server.down()
        _tick(colo, lab_db, "2026-12-04T16:55")
        declared = _tick(colo, lab_db, "2026-12-04T17:00")  # Friday 17:00
        (emergency,) = [d["emergency"] for d in declared["declared"]]
        (task,) = declared["notifications"]
        assert task["person"] == "Li Wei" and task["error"].startswith("page 96000 1234 (pager of Li Wei")

        (ticket,) = run("2026-12-04T17:01", "ticket", "list", "--open")
        assert (ticket["source"], ticket["emergency"], ticket["reported_at"]) == (
            "provider", emergency, "2026-12-04T17:00:00+08:00")
        assert ticket["summary"].startswith(f"monitor: network {address}: no ping reply")
        assert ticket["clocks"]["response"]["deadline"] == "2026-12-04T18:00:00+08:00"
        assert ticket["clocks"]["resolution"]["deadline"] == "2026-12-07T17:00:00+08:00"  # 1 working day: Monday
        clocks = {(d["clock"], d["ref"]): d for d in run("2026-12-04T17:01", "deadlines")}
        assert clocks[("fault-response", "T1")]["status"] == "running"
        assert clocks[("fault-resolution", "T1")]["deadline"] == "2026-12-07T17:00:00+08:00"
        assert "found by the provider (emergency" in colo("--db", lab_db, "--at", "2026-12-04T17:01", "ticket",
                                                          "list").out

        # the technician pages Li Wei: telling the customer is the response
        run("2026-12-04T17:10", "emergency", "notified", str(emergency), "--by", "pager")
        (ticket,) = run("2026-12-04T17:11", "ticket", "list")
        assert ticket["responded_at"] == "2026-12-04T17:10:00+08:00"
        assert ticket["clocks"]["response"]["status"] == "met"

        server.up()
        back = _tick(colo, lab_db, "2026-12-04T17:30")
        assert [(r["emergency"], r["ticket_resolved"]) for r in back["recovered"]] == [(emergency, "T1")]
    (ticket,) = run("2026-12-04T17:31", "ticket", "list")
    assert ticket["resolved_at"] == "2026-12-04T17:30:00+08:00"
    assert ticket["clocks"]["resolution"]["status"] == "met"
    assert ticket["resolution"] == f"service restored: the monitor saw network {address} answer again"
    assert run("2026-12-04T17:31", "ticket", "list", "--open") == []


def test_a_major_provider_fault_stays_open_after_recovery_until_consulted(lab: Lab, lab_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    run = _run(colo, lab_db)
    cid, _ = active_contract(lab_db)
    address = run("2026-12-01T09:00", "contract", "show", cid)["placements"][0]["addresses"][0]["ip"]
    with lab_host(address, "major") as server:
        _tick(colo, lab_db, "2026-12-07T10:00")
        server.down()
        _tick(colo, lab_db, "2026-12-07T10:05")
        _tick(colo, lab_db, "2026-12-07T10:10")
        run("2026-12-07T10:12", "ticket", "major", "T1")
        server.up()
        back = _tick(colo, lab_db, "2026-12-07T10:15")
        assert [r["ticket_resolved"] for r in back["recovered"]] == [None]  # not without the consultation
    (ticket,) = run("2026-12-07T10:16", "ticket", "list", "--open")
    assert ticket["major"] is not None and ticket["resolved_at"] is None
    run("2026-12-07T11:00", "ticket", "major", "T1", "--consulted-by", "Li Wei", "--note", "replace the uplink")
    done = run("2026-12-07T15:00", "ticket", "resolve", "T1", "--resolution", "uplink replaced")
    assert done["clocks"]["resolution"]["status"] == "met"
