"""`colo contract activate ID...`: each contract verified on its own; one failing does not stop the others (issue 16).

Against the device lab: real SSH to the switch, real IF-MIB link reads over SNMP.
"""

from __future__ import annotations

import json

from provision.api import Colo, ServerRecord
from provision.lab.switchsim import write_faults
from tests.conftest import Lab
from tests.lab_contracts import sign_on

PROVISIONED = "2026-11-25T09:00"
ACTIVATED = "2026-11-26T09:00"


def _three(lab_db: str) -> tuple[str, str, str, str]:
    """Three provisioned contracts on the Cisco switch; the first and third have their server recorded."""
    ids = [sign_on(lab_db, "cisco_ios", name=name)["id"] for name in ("One", "Two", "Three")]
    api = Colo(db=lab_db, at=PROVISIONED)
    api.provision(ids)
    api.record_server(ids[0], 1, ServerRecord(serial="SN1", mac="001122334455"))
    api.record_server(ids[2], 1, ServerRecord(serial="SN3", mac="001122334477"))
    third_port = Colo(db=lab_db).contract(ids[2])["placements"][0]["port"]["interface"]
    return ids[0], ids[1], ids[2], third_port


def test_each_contract_is_activated_on_its_own(lab: Lab, lab_db: str) -> None:
    one, two, three, port = _three(lab_db)
    write_faults(str(lab.state), "sw-a101-1", {"unplugged": [port]})  # the third server's cable is not in
    try:
        results = Colo(db=lab_db, at=ACTIVATED).activate_many([one, two, three, "c2026-0099", one.lower()])
    finally:
        write_faults(str(lab.state), "sw-a101-1", {})
    assert [(r["contract"], r["activated"], r["exit_code"]) for r in results] == [
        (one, True, 0), (two, False, 3), (three, False, 1), ("C2026-0099", False, 2)]  # each id once
    first, second, third, unknown = results
    assert first["state"] == "active" and first["term_end"].startswith("2027-11-26") and first["error"] is None
    assert "server 1 has no hardware record" in second["error"] and second["state"] is None
    assert f"link not up on sw-a101-1 {port}" in third["error"]
    assert "does not exist" in unknown["error"]
    assert set(first) == set(second) == set(third) == set(unknown)  # stable keys, success or not
    states = {cid: Colo(db=lab_db).contract(cid)["state"] for cid in (one, two, three)}
    assert states == {one: "active", two: "provisioned", three: "provisioned"}


def test_activate_several_on_the_command_line(lab: Lab, lab_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    one, two, three, _ = _three(lab_db)
    r = colo("--db", lab_db, "--at", ACTIVATED, "contract", "activate", one, two, three, "--json")
    assert r.code == 1, r.err  # one failed: the run failed, the others were done
    data = json.loads(r.out)
    assert [(x["contract"], x["activated"]) for x in data] == [(one, True), (two, False), (three, True)]
    assert "no hardware record" in r.err
    Colo(db=lab_db, at=ACTIVATED).record_server(two, 1, ServerRecord(serial="SN2", mac="001122334466"))
    r = colo("--db", lab_db, "--at", ACTIVATED, "contract", "activate", two)
    assert r.code == 0, r.err
    assert two in r.out and "active" in r.out
    r = colo("--db", lab_db, "contract", "activate")
    assert r.code == 2
