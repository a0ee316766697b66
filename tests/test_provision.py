"""Provisioning against the device lab: real netmiko over SSH, real SNMP, on 127.0.0.1.

Every platform is driven through the same use case; the simulators' own state files
are the witness of what reached the devices.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from provision.api import Colo
from provision.domain.portfacts import Bound, PortFacts, released
from provision.errors import OperationFailed, Refused
from tests.conftest import ROOT, Lab, order
from tests.lab_contracts import PLATFORMS, SIGNED, SWITCH, sign_on
from tests.lab_devices import by_hand, journal_operations, journal_steps, port_block, port_reading, site_lines, state_files


@pytest.mark.parametrize("platform", PLATFORMS)
def test_dry_run_changes_nothing_then_apply_verifies_and_rerun_is_a_no_op(lab: Lab, lab_db: str, platform: str) -> None:
    contract = sign_on(lab_db, platform)
    cid, iface = contract["id"], contract["placements"][0]["port"]["interface"]
    api = Colo(db=lab_db, at="2026-11-25T09:00")
    api.provision([cid], dry_run=True)  # the simulators write their factory state at first contact
    before = state_files(lab)

    dry = api.provision([cid], dry_run=True)
    assert not dry["applied"] and dry["plan"]["changes"] >= 1
    assert state_files(lab) == before, "a dry run must not change any device"
    assert Colo(db=lab_db).contract(cid)["state"] == "signed"
    port = dry["plan"]["switches"][0]["ports"][0]
    assert f"description: none → '{cid} s1 ACME Hosting'" in port["diff"]
    site = site_lines(lab, SWITCH[platform], iface)
    sheet = dry["plan"]["ip_sheet"][0]
    assert sheet["address"] == contract["placements"][0]["addresses"][0]["ip"]
    assert sheet["netmask"] == "255.255.255.0" and sheet["dns"]

    done = api.provision([cid])
    assert done["applied"] and done["install"][0]["status"] == "met"
    assert not done["install"][0]["install_fee_refund_due"]
    view = Colo(db=lab_db).contract(cid)
    assert view["state"] == "provisioned"
    block = port_block(lab, SWITCH[platform], iface)
    assert f"description {cid} s1 ACME Hosting" in block
    assert "shutdown" not in block
    reading = port_reading(lab, SWITCH[platform], iface)
    assert reading.facts == PortFacts.from_dict(port["after"])
    assert site_lines(lab, SWITCH[platform], iface) == site, "the site's own lines are untouched"
    device = lab.device(SWITCH[platform])
    assert device["saved"] == device["running"], "a verified change is saved"

    again = api.provision([cid])
    assert not again["applied"] and "nothing changed" in again["message"]


def test_install_guarantee_breached_flags_refund(lab: Lab, lab_db: str) -> None:
    cid = sign_on(lab_db, "cisco_ios")["id"]
    late = Colo(db=lab_db, at="2026-11-30T09:00").provision([cid])  # Monday after the deadline
    assert late["install"][0]["status"] == "late"
    assert late["install"][0]["install_fee_refund_due"]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_hostile_customer_name_adds_no_configuration(lab: Lab, lab_db: str, platform: str) -> None:
    contract = sign_on(lab_db, platform, name="Evil Corp")
    cid, iface = contract["id"], contract["placements"][0]["port"]["interface"]
    site = port_reading(lab, SWITCH[platform], iface).unmanaged
    # Signing already refuses control characters; a record imported around it must still be harmless.
    import sqlite3

    with sqlite3.connect(lab_db) as c:
        c.execute("UPDATE customers SET name = ?", ("Evil\nshutdown\r\nquit\n!# undo vlan batch 110 ? | reload 北京",))
    result = Colo(db=lab_db, at="2026-11-25T09:00").provision([cid])
    block = port_block(lab, SWITCH[platform], iface)
    descriptions = [line for line in block if line.startswith("description")]
    assert descriptions == [f"description {cid} s1 Evil shutdown quit undo vlan batch 110 reload"]
    assert "shutdown" not in block
    reading = port_reading(lab, SWITCH[platform], iface)
    assert reading.facts == PortFacts.from_dict(result["plan"]["switches"][0]["ports"][0]["after"])
    assert reading.unmanaged == site, "nothing but the managed facts was added"


def test_rollback_when_the_pdu_refuses(lab: Lab, lab_db: str) -> None:
    from provision.lab.snmpagent import write_pdu_faults

    contract = sign_on(lab_db, "cisco_ios")
    cid, iface = contract["id"], contract["placements"][0]["port"]["interface"]
    pdu, outlet = contract["placements"][0]["outlets"][0]["pdu"], contract["placements"][0]["outlets"][0]["outlet"]
    _switch_outlet(lab, lab_db, pdu, outlet, on=False)
    write_pdu_faults(str(lab.state), pdu, {"refuse_set": [outlet]})
    before = port_block(lab, "sw-a101-1", iface)
    with pytest.raises(OperationFailed, match=rf"{pdu}.*undone: sw-a101-1 {iface}"):
        Colo(db=lab_db).provision([cid])
    assert port_block(lab, "sw-a101-1", iface) == before
    assert Colo(db=lab_db).contract(cid)["state"] == "signed"
    assert journal_operations(lab_db)[-1]["state"] == "rolled_back"


def test_rollback_when_the_switch_rejects_a_line(lab: Lab, lab_db: str) -> None:
    from provision.lab.switchsim import write_faults

    contract = sign_on(lab_db, "huawei_vrp")
    cid, iface = contract["id"], contract["placements"][0]["port"]["interface"]
    before = port_block(lab, "sw-a101-2", iface)
    write_faults(str(lab.state), "sw-a101-2", {"reject": ["qos lr outbound"]})
    with pytest.raises(OperationFailed, match=r"qos lr outbound cir 100000.*Error"):
        Colo(db=lab_db).provision([cid])
    assert port_block(lab, "sw-a101-2", iface) == before, "the lines sent before the rejected one are undone"
    assert Colo(db=lab_db).contract(cid)["state"] == "signed"
    write_faults(str(lab.state), "sw-a101-2", {})
    assert Colo(db=lab_db).provision([cid])["applied"]


def test_power_budget_refuses_before_touching_devices(lab: Lab, lab_db: str) -> None:
    from provision.lab.snmpagent import set_outlet_watts

    set_outlet_watts(str(lab.state), "pdu-b01", {n: 185.0 for n in range(1, 37)})  # 35 other outlets: 6475 W of 6600
    cid = sign_on(lab_db, "hp_comware", power_w=300)["id"]
    before = lab.device("sw-b201-1")
    with pytest.raises(Refused, match="rack B01 power budget 6600 W"):
        Colo(db=lab_db).provision([cid])
    assert lab.device("sw-b201-1") == before


def test_saved_plan_applies_as_reviewed_and_refuses_drift(lab: Lab, lab_db: str, tmp_path: Path, colo) -> None:  # type: ignore[no-untyped-def]
    first = sign_on(lab_db, "hp_comware", name="First")["id"]
    second = Colo(db=lab_db, at=SIGNED).sign(order("Second", room="B201"))["id"]
    plan_a, plan_b = tmp_path / "a.json", tmp_path / "b.json"
    r = colo("--db", lab_db, "provision", first, "--dry-run", "--out", str(plan_a))
    assert r.code == 0, r.err
    r = colo("--db", lab_db, "provision", second, "--dry-run", "--out", str(plan_b))
    assert r.code == 0, r.err

    edited = json.loads(plan_a.read_text())
    edited["switches"][0]["ports"][0]["commands"].append("undo vlan 120")
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(edited))
    r = colo("--db", lab_db, "apply", str(tampered))
    assert r.code == 3 and "changed after it was written" in r.err

    r = colo("--db", lab_db, "apply", str(plan_a))
    assert r.code == 0, r.err
    assert Colo(db=lab_db).contract(first)["state"] == "provisioned"
    # Applying `first` created VLAN 120 on the switch, which plan B expected to create itself.
    r = colo("--db", lab_db, "apply", str(plan_b))
    assert r.code == 3 and "vlan 120' exists now but did not when planned" in r.err
    assert Colo(db=lab_db).contract(second)["state"] == "signed"


def test_plan_refused_when_the_port_was_changed_by_hand(lab: Lab, lab_db: str, tmp_path: Path, colo) -> None:  # type: ignore[no-untyped-def]
    contract = sign_on(lab_db, "cisco_ios")
    cid, iface = contract["id"], contract["placements"][0]["port"]["interface"]
    plan = tmp_path / "plan.json"
    assert colo("--db", lab_db, "provision", cid, "--dry-run", "--out", str(plan)).code == 0
    by_hand(lab, "sw-a101-1", [f"interface {iface}", "description patched at 3am", "exit"])
    r = colo("--db", lab_db, "apply", str(plan))
    assert r.code == 3
    assert f"sw-a101-1 {iface} changed since the plan: description: none → 'patched at 3am'" in r.err


def test_killed_mid_apply_is_completed_by_the_next_run(lab: Lab, lab_db: str) -> None:
    from provision.lab.switchsim import write_faults

    contract = sign_on(lab_db, "cisco_ios")
    cid, iface = contract["id"], contract["placements"][0]["port"]["interface"]
    write_faults(str(lab.state), "sw-a101-1", {"delay": [{"match": "^write", "seconds": 30}]})
    env = os.environ | {"COLO_USER": "tester"}
    proc = subprocess.Popen([sys.executable, "-c", "import cli; cli.main()", "--db", lab_db, "provision", cid],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            steps = journal_steps(lab_db)
            if steps and steps[0]["state"] == "applied":
                break
            time.sleep(0.1)
        else:
            pytest.fail("the change never reached the read-back stage")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert journal_operations(lab_db)[-1]["state"] == "applying", "the journal shows the interrupted operation"
    shown = Colo(db=lab_db).operations(cid)[0]
    assert shown["state"] == "interrupted (re-run to recover)" and shown["steps"][0]["state"] == "applied"
    assert Colo(db=lab_db).contract(cid)["state"] == "signed"
    write_faults(str(lab.state), "sw-a101-1", {})

    result = Colo(db=lab_db).provision([cid])
    assert "resumed interrupted operation #1" in result["message"]
    assert Colo(db=lab_db).contract(cid)["state"] == "provisioned"
    assert [op["state"] for op in journal_operations(lab_db)] == ["interrupted", "done"]
    assert f"description {cid} s1 ACME Hosting" in port_block(lab, "sw-a101-1", iface)
    assert lab.device("sw-a101-1")["saved"] == lab.device("sw-a101-1")["running"]


def test_activation_completes_the_binding_and_starts_the_term(lab: Lab, lab_db: str) -> None:
    contract = sign_on(lab_db, "cisco_ios")
    cid, iface = contract["id"], contract["placements"][0]["port"]["interface"]
    api = Colo(db=lab_db, at="2026-11-25T09:00")
    provisioned = api.provision([cid])
    assert any("IP source guard pending" in n for n in provisioned["plan"]["switches"][0]["ports"][0]["notes"])
    with pytest.raises(Refused, match="no hardware record"):
        api.activate(cid)
    from provision.api import ServerRecord

    api.record_server(cid, 1, ServerRecord(serial="SN1", mac="001122334455"))
    ip = contract["placements"][0]["addresses"][0]["ip"]
    activated = Colo(db=lab_db, at="2026-11-26T09:00").activate(cid)
    assert activated["state"] == "active" and activated["links"][0]["link"] == "up"
    assert activated["term_end"].startswith("2027-11-26")
    facts = port_reading(lab, "sw-a101-1", iface).facts
    assert facts.bindings == (Bound(ip, "001122334455", 110),) and facts.guard == "ip"
    assert "ip verify source" in port_block(lab, "sw-a101-1", iface)


def test_activation_refused_while_the_link_is_down(lab: Lab, lab_db: str) -> None:
    contract = sign_on(lab_db, "hp_comware")
    cid, iface = contract["id"], contract["placements"][0]["port"]["interface"]
    api = Colo(db=lab_db, at="2026-11-25T09:00")
    api.provision([cid])
    from provision.api import ServerRecord

    api.record_server(cid, 1, ServerRecord(serial="SN2", mac="001122334466"))
    from provision.lab.switchsim import write_faults

    write_faults(str(lab.state), "sw-b201-1", {"unplugged": [iface]})  # the server's cable is not in
    with pytest.raises(OperationFailed, match=f"link not up on sw-b201-1 {iface}"):
        api.activate(cid)
    assert Colo(db=lab_db).contract(cid)["state"] == "provisioned"
    write_faults(str(lab.state), "sw-b201-1", {})
    assert api.activate(cid)["state"] == "active"


def test_secrets_never_leave_the_secrets_file(lab: Lab, lab_db: str, tmp_path: Path, colo) -> None:  # type: ignore[no-untyped-def]
    cid = sign_on(lab_db, "huawei_vrp")["id"]
    plan = tmp_path / "plan.json"
    outputs = [colo("--db", lab_db, "provision", cid, "--dry-run", "--json", "--out", str(plan)),
               colo("--db", lab_db, "apply", str(plan), "--json")]
    secrets = [v for entry in yaml.safe_load(Path(lab.secrets).read_text()).values() for k, v in entry.items()
               if k != "username"]
    journal = json.dumps(journal_operations(lab_db)) + json.dumps(journal_steps(lab_db))
    for text in [o.out + o.err for o in outputs] + [plan.read_text(), journal]:
        for secret in secrets:
            assert secret not in text


def _switch_outlet(lab: Lab, db: str, pdu: str, outlet: int, on: bool) -> None:
    from provision.services.context import Context
    from provision.services.provisioning.devices import pdus

    with Context.open(db).store.session() as s:
        pdus(s, [pdu])[pdu].driver().set_outlets({outlet: on})


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_provisioned_port_can_be_returned_to_a_clean_default(lab: Lab, lab_db: str, platform: str) -> None:
    """Decommission-ready: the driver's diff removes every trace, bindings outside the interface included."""
    from provision.api import ServerRecord
    from provision.services.context import Context
    from provision.services.provisioning.devices import switches

    contract = sign_on(lab_db, platform)
    cid, iface = contract["id"], contract["placements"][0]["port"]["interface"]
    api = Colo(db=lab_db, at="2026-11-25T09:00")
    api.record_server(cid, 1, ServerRecord(serial="SN9", mac="001122334499"))
    api.provision([cid])
    ip = contract["placements"][0]["addresses"][0]["ip"]
    assert ip in lab.running(SWITCH[platform])
    with Context.open(lab_db).store.session() as s:
        driver = switches(s, [SWITCH[platform]])[SWITCH[platform]].driver()
    try:
        current = driver.read(driver.running(), iface)
        driver.push(driver.change(current, released(current.facts)))
        assert driver.read(driver.running(), iface).facts == released(current.facts) == PortFacts(mode="access",
                                                                                                 shutdown=True)
    finally:
        driver.close()
    assert ip not in lab.running(SWITCH[platform])


def test_exit_codes_and_messages(lab: Lab, lab_db: str, tmp_path: Path, colo) -> None:  # type: ignore[no-untyped-def]
    cid = sign_on(lab_db, "cisco_ios")["id"]
    r = colo("--db", lab_db, "provision", "C2099-0001")
    assert r.code == 2 and "does not exist" in r.err
    r = colo("--db", lab_db, "provision", cid, "--out", str(tmp_path / "p.json"))
    assert r.code == 2 and "--dry-run" in r.err
    r = colo("--db", lab_db, "contract", "activate", cid)
    assert r.code == 3 and "run `colo provision` first" in r.err
    r = colo("--db", lab_db, "apply", str(tmp_path / "missing.json"))
    assert r.code == 2 and "cannot read the plan" in r.err
    (tmp_path / "junk.json").write_text("{not json")
    r = colo("--db", lab_db, "apply", str(tmp_path / "junk.json"))
    assert r.code == 2 and "not a plan file" in r.err
    r = colo("lab", "status", "--dir", str(lab.dir), "--json")
    assert r.code == 0 and json.loads(r.out)["running"]


def test_unreachable_switch_is_retried_then_reported(lab: Lab, lab_db: str) -> None:
    import socket
    import time as clock

    from provision.drivers.switch import SwitchAccess, switch_driver
    from provision.errors import DeviceError
    from provision.secrets import Credentials, Secret
    from tests.conftest import free_port

    port = free_port(socket.SOCK_STREAM)  # nothing listens there
    driver = switch_driver("huawei_vrp", SwitchAccess("sw-gone", "127.0.0.1", port,
                                                      Credentials("x", "u", Secret("p")), backoff_s=0.1))
    start = clock.monotonic()
    with pytest.raises(DeviceError, match=rf"sw-gone: no SSH session to 127.0.0.1:{port} after 3 attempts"):
        driver.running()
    assert clock.monotonic() - start >= 0.3, "two backoff pauses (0.1 s, 0.2 s) between three attempts"


def test_wrong_password_is_not_retried_and_names_the_secret(lab: Lab, lab_db: str) -> None:
    from provision.drivers.switch import SwitchAccess, switch_driver
    from provision.errors import DeviceError
    from provision.secrets import Credentials, Secret

    sw = next(s for s in yaml.safe_load((lab.inventory / "network.yaml").read_text())["switches"]
              if s["platform"] == "hp_comware")
    driver = switch_driver("hp_comware", SwitchAccess(sw["name"], "127.0.0.1", sw["port"],
                                                      Credentials("lab-switch", "colo", Secret("wrong-pass"))))
    with pytest.raises(DeviceError, match="login refused.*secret 'lab-switch'") as e:
        driver.running()
    assert "wrong-pass" not in str(e.value)


@pytest.mark.postgres
def test_provision_and_journal_on_postgresql(lab: Lab, pg_url: str) -> None:
    lab.reset()
    Colo(db=pg_url).init(str(lab.inventory))
    cid = sign_on(pg_url, "huawei_vrp")["id"]
    result = Colo(db=pg_url, at="2026-11-25T09:00").provision([cid])
    assert result["applied"] and Colo(db=pg_url).contract(cid)["state"] == "provisioned"
    again = Colo(db=pg_url).provision([cid])
    assert not again["applied"]
