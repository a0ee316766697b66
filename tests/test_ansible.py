"""Playbooks over the same API: `colo run` (ansible-runner) and plain ansible-playbook, against the lab."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from provision.api import Colo
from provision.domain.portfacts import PortFacts
from tests.conftest import ROOT, Lab
from tests.lab_contracts import active_contract, sign_on
from tests.lab_devices import by_hand, port_block, port_reading, state_files


@pytest.fixture
def run_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COLO_RUN_DIR", str(tmp_path / "runs"))
    return tmp_path / "runs"


def test_check_mode_applies_nothing_and_its_diff_is_the_real_change(lab: Lab, lab_db: str, run_dir: Path, colo) -> None:  # type: ignore[no-untyped-def]
    contract = sign_on(lab_db, "huawei_vrp")
    cid, iface = contract["id"], contract["placements"][0]["port"]["interface"]
    lab.device("sw-a101-2")
    before = state_files(lab)
    args = ("--db", lab_db, "--at", "2026-11-25T09:00", "run", str(ROOT / "playbooks" / "provision.yml"),
            "-e", f"contract={cid}", "--json")
    r = colo(*args, "--check")
    assert r.code == 0, r.err
    checked = json.loads(r.out)
    assert checked["summary"]["localhost"]["changed"] == 1
    assert state_files(lab) == before and Colo(db=lab_db).contract(cid)["state"] == "signed"
    r = colo(*args)
    assert r.code == 0, r.err
    real = json.loads(r.out)
    assert real["summary"]["localhost"]["changed"] == 1 and Colo(db=lab_db).contract(cid)["state"] == "provisioned"
    assert checked["tasks"][0]["diff"] == real["tasks"][0]["diff"] and real["tasks"][0]["diff"]
    assert f"description {cid} s1 ACME Hosting" in port_block(lab, "sw-a101-2", iface)
    again = json.loads(colo(*args).out)
    assert again["summary"]["localhost"]["changed"] == 0, "idempotent"
    assert any(run_dir.joinpath("artifacts").iterdir())


def test_a_failing_module_fails_the_run_with_the_toolkit_message(lab: Lab, lab_db: str, run_dir: Path, colo) -> None:  # type: ignore[no-untyped-def]
    r = colo("--db", lab_db, "run", str(ROOT / "playbooks" / "provision.yml"), "-e", "contract=C2099-0001")
    assert r.code == 1 and "does not exist" in r.err
    assert colo("--db", lab_db, "run", "playbooks/nope.yml").code == 2


def test_ansible_playbook_provisions_and_decommissions_without_the_runner(lab: Lab, lab_db: str, tmp_path: Path) -> None:
    from provision.api import ServerRecord

    contract = sign_on(lab_db, "hp_comware")
    cid, iface = contract["id"], contract["placements"][0]["port"]["interface"]
    env = os.environ | {"ANSIBLE_COLLECTIONS_PATH": str(ROOT / "playbooks" / "collections"),
                        "ANSIBLE_HOME": str(tmp_path / "ansible"), "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible"),
                        "ANSIBLE_NOCOLOR": "1"}

    def playbook(name: str, extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(Path(sys.executable).with_name("ansible-playbook")), "-i", "localhost,", "-c",
                               "local", str(ROOT / "playbooks" / f"{name}.yml"), "-e",
                               f"contract={cid} db={lab_db} {extra}"],
                              env=env, capture_output=True, text=True, timeout=300)

    provisioned = playbook("provision", "at=2026-11-25T09:00")
    assert provisioned.returncode == 0 and "changed=1" in provisioned.stdout, provisioned.stdout[-2000:]
    assert Colo(db=lab_db).contract(cid)["state"] == "provisioned"
    Colo(db=lab_db, at="2026-11-25T10:00").record_server(cid, 1, ServerRecord(serial="SN1", mac="001122334455"))
    Colo(db=lab_db, at="2026-11-26T09:00").activate(cid)
    Colo(db=lab_db, at="2027-01-05T10:00").terminate(cid, forced="policy")
    done = playbook("decommission", "location=W2-01")
    assert done.returncode == 0, done.stdout[-2000:]
    assert "changed=1" in done.stdout
    assert Colo(db=lab_db).contract(cid)["state"] == "in_storage"
    assert port_reading(lab, "sw-b201-1", iface).facts == PortFacts(mode="access", shutdown=True)


def test_outlet_module_needs_an_authorization_and_check_mode_uses_none(lab: Lab, lab_db: str, tmp_path: Path) -> None:
    cid, _ = active_contract(lab_db, "cisco_ios")
    env = os.environ | {"ANSIBLE_COLLECTIONS_PATH": str(ROOT / "playbooks" / "collections"),
                        "ANSIBLE_HOME": str(tmp_path / "ansible"), "ANSIBLE_NOCOLOR": "1"}

    def adhoc(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(Path(sys.executable).with_name("ansible")), "localhost", "-c", "local", "-i",
                               "localhost,", "-e", f"ansible_python_interpreter={sys.executable}", "-m", "colo.dc.outlet",
                               "-a", f"contract={cid} db={lab_db} at=2026-12-01T10:00", *extra],
                              env=env, capture_output=True, text=True, timeout=300)

    refused = adhoc("--check")
    assert refused.returncode != 0 and "no valid authorization" in refused.stdout
    api = Colo(db=lab_db, at="2026-12-01T09:55")
    api.add_authorized(cid, "Li Wei")
    auth = api.authorize(cid, "Li Wei", "outlet-cycle", "written", ref="DOC-5")["authorization"]
    checked = adhoc("--check", "--diff")
    assert checked.returncode == 0 and "CHANGED" in checked.stdout and "outlet-cycle pdu-a01 outlet" in checked.stdout
    real = adhoc("--diff")
    assert real.returncode == 0, real.stdout[-2000:]
    assert [line for line in real.stdout.splitlines() if "outlet-cycle pdu" in line] == \
        [line for line in checked.stdout.splitlines() if "outlet-cycle pdu" in line], "check diff equals the real one"
    assert adhoc().returncode != 0, f"authorization #{auth} is used once"


def test_inventory_plugin_builds_groups_from_the_store(lab: Lab, lab_db: str) -> None:
    cid = sign_on(lab_db, "cisco_ios")["id"]
    env = os.environ | {"COLO_DB": lab_db, "ANSIBLE_HOME": str(Path(lab_db).parent / "ansible")}
    done = subprocess.run([str(Path(sys.executable).with_name("ansible-inventory")), "-i", "inventory/colo.store.yml",
                           "--list"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    inv = json.loads(done.stdout)
    assert set(inv["switches"]["hosts"]) == {"sw-a101-1", "sw-a101-2", "sw-b201-1"}
    assert len(inv["pdus"]["hosts"]) == 7 and "sw-a101-2" in inv["platform_huawei_vrp"]["hosts"]
    server = f"{cid}-s1"
    for name in ("servers", "room_a101", "rack_a01", "customer_acme_hosting", "state_signed"):
        assert server in inv[name]["hosts"], name
    switch = inv["_meta"]["hostvars"][server]["colo_switch"]  # ansible-core 2.19 tags plugin values unsafe
    assert (switch.get("__ansible_unsafe") if isinstance(switch, dict) else switch) == "sw-a101-1"


def test_drift_audit_and_rule_bound_suspend_resume_playbooks(lab: Lab, lab_db: str, run_dir: Path, colo) -> None:  # type: ignore[no-untyped-def]
    cid, iface = active_contract(lab_db, "cisco_ios")

    def play(name: str, at: str, *extra: str, check: bool = False):  # type: ignore[no-untyped-def]
        args = ["--db", lab_db, "--at", at, "run", str(ROOT / "playbooks" / f"{name}.yml"), "--json", *extra]
        return colo(*args, *(["--check"] if check else []))

    by_hand(lab, "sw-a101-1", [f"interface {iface}", "description patched by hand", "exit"])
    r = play("drift", "2026-11-26T12:00", check=True)
    assert r.code == 0, r.err
    report = json.loads(r.out)
    assert report["summary"]["localhost"]["changed"] == 0
    assert "description patched by hand" in port_block(lab, "sw-a101-1", iface)
    r = play("drift", "2026-11-26T12:00", "-e", "fix=true")
    assert r.code == 0 and json.loads(r.out)["summary"]["localhost"]["changed"] == 1
    assert f"description {cid} s1 ACME Hosting" in port_block(lab, "sw-a101-1", iface)

    r = play("suspend", "2026-11-26T12:00", "-e", f"contract={cid}")
    assert r.code == 1 and "rules do not call for suspension" in r.err
    Colo(db=lab_db, at="2026-12-01T09:00").enforce()  # notice; stop time 2026-12-02 09:00
    r = play("suspend", "2026-12-02T09:00", "-e", f"contract={cid}", check=True)
    assert r.code == 0 and json.loads(r.out)["summary"]["localhost"]["changed"] == 1
    assert "shutdown" not in port_block(lab, "sw-a101-1", iface)
    r = play("suspend", "2026-12-02T09:00", "-e", f"contract={cid}")
    assert r.code == 0 and "shutdown" in port_block(lab, "sw-a101-1", iface)
    assert Colo(db=lab_db).contract(cid)["state"] == "suspended"
    Colo(db=lab_db, at="2026-12-02T10:00").payment(cid, "12000.00")  # resumes at once
    r = play("resume", "2026-12-02T10:01", "-e", f"contract={cid}")
    assert r.code == 0 and json.loads(r.out)["summary"]["localhost"]["changed"] == 0


def test_every_module_documents_itself_for_ansible_doc(tmp_path: Path) -> None:
    """`ansible-doc` parses each module's DOCUMENTATION (YAML in a Python string that nothing
    else reads, so a stray colon breaks it unnoticed) and finds its options."""
    modules = sorted(p.stem for p in (ROOT / "playbooks/collections/ansible_collections/colo/dc/plugins/modules")
                     .glob("*.py") if not p.stem.startswith("_"))
    env = os.environ | {"ANSIBLE_COLLECTIONS_PATH": str(ROOT / "playbooks" / "collections"),
                        "ANSIBLE_HOME": str(tmp_path / "ansible")}
    done = subprocess.run([str(Path(sys.executable).with_name("ansible-doc")), "--json", "-t", "module",
                           *(f"colo.dc.{m}" for m in modules)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    docs = json.loads(done.stdout)
    assert sorted(docs) == [f"colo.dc.{m}" for m in modules], done.stderr[-2000:]
    for name, entry in docs.items():
        doc = entry["doc"]
        assert doc["short_description"] and doc["description"] and doc["author"], name
        assert {"db", "at", "actor"} <= set(doc["options"]), name
        assert entry["examples"] and entry["return"], f"{name}: EXAMPLES and RETURN, as Galaxy expects"
        assert all(" e.g" not in option for option in doc["options"]), f"{name}: YAML split a description"
