"""The colo.dc collection measured with Ansible's own tools: ansible-test sanity, ansible-lint's
production profile, a Galaxy tarball installed into an empty collections path, the inventory
plugin's constructed groups and cache, and batched provisioning through one playbook task."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from provision.api import Colo
from tests.conftest import EXAMPLE, ROOT, Lab
from tests.lab_contracts import sign_on
from tests.lab_devices import port_block, state_files

COLLECTION = ROOT / "playbooks" / "collections" / "ansible_collections" / "colo" / "dc"
BIN = Path(sys.executable).parent

# ansible-test bootstraps pip into each sanity venv with a script it downloads from
# ci-files.testing.ansible.com, which a machine with only PyPI cannot reach. It uses a cached
# copy when one exists; this stand-in does the same job with ensurepip and pip from PyPI.
GET_PIP = '''"""Stand-in for get-pip.py (written by tests/test_ansible_collection.py): ensurepip, then the pinned pip."""
import runpy
import subprocess
import sys

subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.argv = ["pip", "install", "--upgrade", "--force-reinstall", *args]
runpy.run_module("pip", run_name="__main__", alter_sys=True)
'''


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return os.environ | {"ANSIBLE_HOME": str(tmp_path / "ansible-home"), "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
                         "ANSIBLE_NOCOLOR": "1", "NO_COLOR": "1", "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"} | extra


def _run(args: list[str], env: dict[str, str], cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def test_collection_passes_ansible_test_sanity_and_ansible_lint_production(tmp_path: Path) -> None:
    """Every sanity test that runs offline, on a copy (ansible-test writes tests/output into the collection)."""
    import ansible_test

    pins = (Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py").read_text(encoding="utf-8")
    pip_version = re.search(r"pip='([0-9.]+)'", pins)
    assert pip_version, "ansible-test no longer pins pip where this test looks: update GET_PIP's file name"
    bootstrap = Path.home() / ".ansible" / "test" / "cache" / f"get_pip_{pip_version[1].replace('.', '_')}.py"
    if not bootstrap.exists():
        bootstrap.parent.mkdir(parents=True, exist_ok=True)
        bootstrap.write_text(GET_PIP, encoding="utf-8")
    copy = tmp_path / "ansible_collections" / "colo" / "dc"
    shutil.copytree(COLLECTION, copy, ignore=shutil.ignore_patterns("__pycache__", "output"))
    env = _env(tmp_path)
    sanity = _run([str(BIN / "ansible-test"), "sanity", "--python", "3.11", "--color", "no"], env, copy, timeout=1200)
    assert sanity.returncode == 0, (sanity.stdout + sanity.stderr)[-4000:]
    assert "validate-modules" in sanity.stdout and "pylint" in sanity.stdout  # ran, not skipped
    lint = _run([str(BIN / "ansible-lint"), "--profile", "production", "--offline", "--nocolor", "playbooks/"], env, ROOT)
    assert lint.returncode == 0, (lint.stdout + lint.stderr)[-4000:]
    assert "Profile 'production' was required, and it passed" in lint.stderr + lint.stdout


def test_galaxy_tarball_installs_into_an_empty_collections_path_and_its_module_runs(tmp_path: Path) -> None:
    env = _env(tmp_path)
    built = _run([str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(tmp_path / "dist"), str(COLLECTION)],
                 env, tmp_path)
    assert built.returncode == 0, built.stderr[-2000:]
    version = yaml.safe_load((COLLECTION / "galaxy.yml").read_text(encoding="utf-8"))["version"]
    tarball = tmp_path / "dist" / f"colo-dc-{version}.tar.gz"
    assert tarball.is_file(), built.stdout
    installed = tmp_path / "collections"
    done = _run([str(BIN / "ansible-galaxy"), "collection", "install", "--offline", "-p", str(installed), str(tarball)],
                env, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (installed / "ansible_collections" / "colo" / "dc" / "MANIFEST.json").is_file()
    assert not (installed / "ansible_collections" / "colo" / "dc" / "tests" / "output").exists()

    db = str(tmp_path / "colo.db")
    Colo(db=db).init(str(EXAMPLE))
    cid = Colo(db=db, at="2026-11-24T10:00").sign(_order())["id"]
    # run from tmp_path, away from the repository's ansible.cfg: only the installed copy is on the path
    only_installed = env | {"ANSIBLE_COLLECTIONS_PATH": str(installed), "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "0"}
    info = _run([str(BIN / "ansible"), "localhost", "-c", "local", "-i", "localhost,", "-e",
                 f"ansible_python_interpreter={sys.executable}", "-m", "colo.dc.contract_info", "-a",
                 f"contract={cid} db={db}", "-vvv"], only_installed, tmp_path)
    assert info.returncode == 0, info.stdout[-2000:]
    assert '"state": "signed"' in info.stdout and str(installed) in info.stdout  # the module file came from there
    listed = _run([str(BIN / "ansible-doc"), "--json", "-t", "inventory", "colo.dc.store"], only_installed, tmp_path)
    assert listed.returncode == 0 and "keyed_groups" in json.loads(listed.stdout)["colo.dc.store"]["doc"]["options"]


def _order():  # type: ignore[no-untyped-def]
    from tests.conftest import order

    return order("Tarball Test", room="A101")


def test_inventory_plugin_keyed_groups_compose_and_cache(lab: Lab, lab_db: str, tmp_path: Path) -> None:
    cid = sign_on(lab_db, "cisco_ios", name="ACME Hosting")["id"]
    source = tmp_path / "site.colo.store.yml"
    config = {
        "plugin": "colo.dc.store", "db": lab_db, "strict": False,
        "cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(tmp_path / "cache"),
        "keyed_groups": [{"key": "colo_customer", "prefix": "tenant"}, {"key": "colo_platform", "prefix": "os"}],
        "compose": {"mgmt": "ansible_host ~ ':' ~ ansible_port", "rack_label": "colo_room ~ '/' ~ colo_rack"},
        "groups": {"cisco_switches": "colo_kind == 'switch' and colo_platform == 'cisco_ios'"}}
    source.write_text(yaml.safe_dump(config), encoding="utf-8")
    env = _env(tmp_path, ANSIBLE_COLLECTIONS_PATH=str(ROOT / "playbooks" / "collections"))

    def inventory(*extra: str) -> dict:  # type: ignore[type-arg]
        done = _run([str(BIN / "ansible-inventory"), "-i", str(source), "--list", *extra], env, tmp_path, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "Unable to parse" not in done.stderr, done.stderr[-3000:]
        return json.loads(done.stdout)  # type: ignore[no-any-return]

    def plain(value):  # type: ignore[no-untyped-def]  # ansible-core 2.19 prints plugin values tagged unsafe
        return value.get("__ansible_unsafe") if isinstance(value, dict) else value

    inv = inventory()
    server = f"{cid}-s1"
    assert inv["tenant_ACME_Hosting"]["hosts"] == [server]
    assert set(inv["os_cisco_ios"]["hosts"]) == set(inv["cisco_switches"]["hosts"]) == {"sw-a101-1"}
    hostvars = inv["_meta"]["hostvars"]
    assert plain(hostvars["sw-a101-1"]["mgmt"]) == f"127.0.0.1:{plain(hostvars['sw-a101-1']['ansible_port'])}"
    assert plain(hostvars[server]["rack_label"]) == "A101/A01"
    switch = {k: plain(v) for k, v in hostvars["sw-a101-2"].items()}
    assert switch["ansible_connection"] == "ansible.netcommon.network_cli"
    assert switch["ansible_network_os"] == "community.network.ce" and switch["colo_credentials"] == "lab-switch"
    secrets = yaml.safe_load(Path(lab.secrets).read_text(encoding="utf-8"))["lab-switch"]
    cached = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "cache").iterdir())
    for text in (json.dumps(inv), cached):
        assert secrets["password"] not in text, "only the secret's name is in the inventory and its cache"

    other = sign_on(lab_db, "cisco_ios", name="Beta Networks")["id"]
    assert "tenant_Beta_Networks" not in inventory(), "the second read came from the cache, not the store"
    assert inventory("--flush-cache")["tenant_Beta_Networks"]["hosts"] == [f"{other}-s1"]

    # the host variables alone take cisco.ios over network_cli to the switch: the login is looked up
    # from the secret when the task connects
    login = _run([str(BIN / "ansible"), "-i", str(source), "sw-a101-1", "-m", "cisco.ios.ios_command", "-a",
                  "commands='show version'"], env | {"ANSIBLE_HOST_KEY_CHECKING": "0"}, tmp_path, timeout=120)
    assert login.returncode == 0, login.stdout[-2000:] + login.stderr[-2000:]
    assert "WS-C3560X" in login.stdout and secrets["password"] not in login.stdout + login.stderr

    source.write_text(yaml.safe_dump(config | {"strict": True}), encoding="utf-8")  # switches have no colo_room
    strict = _run([str(BIN / "ansible-inventory"), "-i", str(source), "--list", "--flush-cache"],
                  env | {"ANSIBLE_INVENTORY_UNPARSED_FAILED": "1"}, tmp_path, timeout=120)
    assert strict.returncode != 0 and "Could not set rack_label for host sw-a101-1" in strict.stderr


def test_one_task_provisions_several_contracts_as_one_batch(lab: Lab, lab_db: str, colo, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                            monkeypatch) -> None:
    monkeypatch.setenv("COLO_RUN_DIR", str(tmp_path / "runs"))
    signed = [sign_on(lab_db, "cisco_ios", name=f"Batch {n}") for n in range(3)]
    ports = {c["id"]: c["placements"][0]["port"]["interface"] for c in signed}
    ids = list(ports)
    lab.device("sw-a101-1")  # the simulator writes its state file on first use
    before = state_files(lab)
    args = ("--db", lab_db, "--at", "2026-11-25T09:00", "run", str(ROOT / "playbooks" / "provision.yml"),
            "-e", f"contract={','.join(ids)}", "--json")
    checked = colo(*args, "--check")
    assert checked.code == 0, checked.err
    assert state_files(lab) == before and {Colo(db=lab_db).contract(c)["state"] for c in ids} == {"signed"}
    r = colo(*args)
    assert r.code == 0, r.err
    out = json.loads(r.out)
    assert out["summary"]["localhost"]["changed"] == 1
    assert json.loads(checked.out)["tasks"][0]["diff"] == out["tasks"][0]["diff"]
    assert len(Colo(db=lab_db).operations()) == 1, "three contracts, one journaled operation"
    for cid, iface in ports.items():
        assert Colo(db=lab_db).contract(cid)["state"] == "provisioned"
        assert any(line.startswith(f"description {cid} s1 Batch") for line in port_block(lab, "sw-a101-1", iface))


def test_provision_in_the_worker_reports_what_the_module_process_does(lab: Lab, lab_db: str, tmp_path: Path) -> None:
    """colo.dc.provision's action plugin runs the module's code in ansible-playbook's worker when the module would
    run in that same Python; a task `environment` sends it to a module process instead. Same plan, same report."""
    cid = sign_on(lab_db, "cisco_ios", name="Worker Or Module")["id"]
    task = {"colo.dc.provision": {"contract": cid, "db": lab_db, "at": "2026-11-25T09:00"}}
    fields = ("changed", "diff", "states", "ip_sheet", "install", "message", "operation")
    same = [f"worker.{k} == module.{k}" for k in fields]
    playbook = tmp_path / "both.yml"
    playbook.write_text(yaml.safe_dump([{
        "name": "Both ways", "hosts": "localhost", "gather_facts": False,
        "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
        "tasks": [{"name": "In the worker", **task, "register": "worker"},
                  {"name": "As a module process", **task, "environment": {"COLO_PROBE": "1"}, "register": "module"},
                  {"name": "Same report", "ansible.builtin.assert": {"that": same}}]}]), encoding="utf-8")
    env = _env(tmp_path, ANSIBLE_COLLECTIONS_PATH=str(ROOT / "playbooks" / "collections"))
    r = _run([str(BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", "--check", "-vvv", str(playbook)],
             env, tmp_path)
    assert r.returncode == 0, r.stdout[-3000:]
    assert r.stdout.count("Using module file") == 1, "only the task with an environment starts a module process"
    assert Colo(db=lab_db).contract(cid)["state"] == "signed"
