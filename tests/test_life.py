"""A contract's whole life against the device lab, with `--at` moving time, and its audit trail."""

from __future__ import annotations

import json
import sqlite3

from provision.api import Colo
from provision.domain.portfacts import PortFacts
from tests.conftest import Lab
from tests.lab_contracts import active_contract
from tests.lab_devices import port_block, port_reading


def test_sign_to_abandoned_with_an_intact_audit_log(lab: Lab, lab_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid, iface = active_contract(lab_db, "huawei_vrp")  # signed 11-24, provisioned 11-25, active 11-26

    def run(at: str, *args: str) -> dict:  # type: ignore[type-arg]
        r = colo("--db", lab_db, "--at", at, *args, "--json")
        assert r.code == 0, r.err
        return json.loads(r.out)  # type: ignore[no-any-return]

    def actions(at: str) -> list[str]:
        return [a["action"] for a in run(at, "enforce")["actions"]]

    assert actions("2026-12-01T09:00") == ["issue_notice"]          # payment 3 days overdue
    assert actions("2026-12-02T09:00") == ["suspend"]               # the notice's stop time
    assert "shutdown" in port_block(lab, "sw-a101-2", iface)
    paid = run("2026-12-02T15:00", "payment", "record", cid, "12000.00", "--ref", "BANK-77")
    assert paid["resumed"]["state"] == "active" and "shutdown" not in port_block(lab, "sw-a101-2", iface)
    notice = run("2027-01-10T10:00", "contract", "terminate", cid)              # customer's written notice
    assert notice["ends_at"] == "2027-02-10T10:00:00+08:00"
    assert actions("2027-02-10T09:59") == []
    assert actions("2027-02-10T10:00") == ["end", "decommission"]
    assert port_reading(lab, "sw-a101-2", iface).facts == PortFacts(mode="access", shutdown=True)
    assert run("2027-02-10T10:01", "storage", "list")[0]["abandon_after"] == "2027-02-17T10:00:00+08:00"
    assert actions("2027-02-17T10:00") == ["abandon"]
    assert actions("2027-02-17T10:01") == []
    assert Colo(db=lab_db).contract(cid)["state"] == "abandoned"

    log = run("2027-02-18T00:00", "audit", "list", "--contract", cid)
    kinds = [r["action"] for r in log]
    for expected in ("contract.signed", "device.provision.done", "contract.provisioned", "contract.activated",
                     "contract.stop_notice_issued", "device.suspend.done", "contract.suspended", "contract.payment",
                     "contract.resumed", "contract.termination_notice", "contract.ended", "device.decommission.done",
                     "contract.stored", "contract.abandoned"):
        assert expected in kinds, expected
    assert next(r for r in log if r["action"] == "contract.suspended")["authorization"] == "contract enforcement (§6)"
    assert run("2027-02-18T00:00", "audit", "verify")["intact"]

    with sqlite3.connect(lab_db) as c:  # somebody edits history
        c.execute("UPDATE audit SET detail = 'nothing happened' WHERE action = 'contract.suspended'")
    r = colo("--db", lab_db, "audit", "verify")
    assert r.code == 1 and "was altered after it was written" in r.err
    with sqlite3.connect(lab_db) as c:
        c.execute("DELETE FROM audit WHERE action = 'contract.suspended'")
    r = colo("--db", lab_db, "audit", "verify")
    assert r.code == 1 and "a record was removed" in r.err
