"""The standard network collections reach the lab: ansible.netcommon.network_cli to each simulated switch.

A network engineer adopting `colo` points cisco.ios, community.network and a Comware cliconf at the
same switches the toolkit drives. Those plugins open the session their own way (privilege check,
`show version`/`display version`, paging and width commands) and only work if the simulators answer
as the real models do (tests/corpus/QUIRKS.md, "Session commands network_cli sends").

community.network left the `ansible` package in release 12 (the only one for ansible-core 2.19–2.21);
Debian's `ansible` package still carries it, so CI installs that package and the test links just
that collection in. Comware has no collection on PyPI or Debian: tests/network_cli/ holds a small
terminal and cliconf stand-in for H3C's Galaxy-only h3c_open.comware.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from provision.lab.switchsim.cisco_ios import CiscoIos
from provision.lab.switchsim.huawei_vrp import HuaweiVrp
from provision.lab.switchsim.model import Device
from tests.conftest import Lab

HERE = Path(__file__).parent / "network_cli"
COMMUNITY_NETWORK = Path(os.environ.get("COLO_COMMUNITY_NETWORK",
                                        "/usr/lib/python3/dist-packages/ansible_collections/community/network"))
NETWORK_OS = {"cisco_ios": "cisco.ios.ios", "huawei_vrp": "community.network.ce", "hp_comware": "colo_lab.comware.comware"}


def inventory(lab: Lab) -> dict[str, Any]:
    """One group per platform; the lab's own credentials, enable secret as the become password."""
    network = yaml.safe_load((lab.inventory / "network.yaml").read_text(encoding="utf-8"))
    secrets = yaml.safe_load(Path(lab.secrets).read_text(encoding="utf-8"))
    groups: dict[str, Any] = {}
    for sw in network["switches"]:
        login = secrets[sw["credentials"]]
        host = {"ansible_host": "127.0.0.1", "ansible_port": sw["port"], "ansible_user": login["username"],
                "ansible_password": login["password"], "ansible_network_os": NETWORK_OS[sw["platform"]],
                "ansible_connection": "ansible.netcommon.network_cli", "ansible_host_key_checking": False,
                "ansible_python_interpreter": sys.executable}
        if sw["platform"] == "cisco_ios":
            host |= {"ansible_become": True, "ansible_become_method": "enable", "ansible_become_password": login["enable"]}
        groups.setdefault(sw["platform"], {"hosts": {}})["hosts"][sw["name"]] = host
    return {"all": {"children": groups}}


def runner_env(home: Path, collections: Path | None = None) -> dict[str, str]:
    """This venv's ansible-playbook first, Ansible's files under `home`, extra collections from `collections`."""
    env = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}", "ANSIBLE_HOME": str(home),
           "ANSIBLE_LOCAL_TEMP": str(home / "tmp"), "ANSIBLE_PERSISTENT_COMMAND_TIMEOUT": "60",
           "ANSIBLE_PERSISTENT_CONNECT_TIMEOUT": "60", "ANSIBLE_NOCOLOR": "1", "ANSIBLE_RETRY_FILES_ENABLED": "0"}
    return env | ({"ANSIBLE_COLLECTIONS_PATH": str(collections)} if collections else {})


@pytest.fixture(scope="module")
def collections(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A collections path with only what the venv's `ansible` package lacks: community.network and the Comware stand-in."""
    if not (COMMUNITY_NETWORK / "plugins" / "cliconf" / "ce.py").is_file():
        pytest.skip(f"community.network is not at {COMMUNITY_NETWORK}: apt-get install ansible (Debian's package carries it)")
    root = tmp_path_factory.mktemp("collections") / "ansible_collections"
    (root / "community").mkdir(parents=True)
    (root / "community" / "network").symlink_to(COMMUNITY_NETWORK)
    (root / "colo_lab").symlink_to(HERE / "collections" / "ansible_collections" / "colo_lab")
    return root.parent


def run_playbook(lab: Lab, collections: Path, tmp_path: Path) -> list[dict[str, Any]]:
    """ansible-runner with this venv's ansible-playbook; every task result as (host, task, status, res)."""
    import ansible_runner

    (tmp_path / "inventory").mkdir()
    (tmp_path / "inventory" / "hosts.yml").write_text(yaml.safe_dump(inventory(lab)), encoding="utf-8")
    results: list[dict[str, Any]] = []

    def on_event(event: dict[str, Any]) -> bool:
        data = event.get("event_data", {})
        if event.get("event", "").startswith("runner_on_") and "res" in data:
            results.append({"host": data["host"], "task": data["task"], "status": event["event"][len("runner_on_"):],
                            "res": data["res"]})
        return True

    r = ansible_runner.run(private_data_dir=str(tmp_path), playbook=str(HERE / "commands.yml"),
                           inventory=str(tmp_path / "inventory" / "hosts.yml"), quiet=True,
                           envvars=runner_env(tmp_path / "home", collections),
                           suppress_env_files=True, event_handler=on_event, timeout=600)
    assert r.rc == 0, [(x["host"], x["task"], x["res"].get("msg")) for x in results if x["status"] != "ok"]
    return results


def test_each_platform_answers_its_collection_through_network_cli(lab: Lab, collections: Path, tmp_path: Path) -> None:
    results = run_playbook(lab, collections, tmp_path)
    by = {(x["host"], x["task"]): x for x in results}

    cisco = by[("sw-a101-1", "Show the version and the privilege level after enable")]
    assert cisco["status"] == "ok"
    version, privilege = cisco["res"]["stdout"]
    assert version.startswith("Cisco IOS Software, C3560E Software (C3560E-UNIVERSALK9-M), Version 15.2(4)E10")
    assert "sw-a101-1 uptime is " in version and "Model number                    : WS-C3560X-48T-S" in version
    assert privilege == "Current privilege level is 15", "become: enable reached level 15"

    rejected = by[("sw-a101-1", "A command the switch rejects fails the task")]
    assert rejected["status"] == "failed" and "% Invalid input detected at '^' marker." in rejected["res"]["msg"]

    huawei = by[("sw-a101-2", "Display the version")]
    assert huawei["status"] == "ok"
    assert huawei["res"]["stdout"][0].splitlines()[:2] == ["Huawei Versatile Routing Platform Software",
                                                          "VRP (R) software, Version 5.170 (S5720 V200R021C10SPC600)"]

    comware = by[("sw-b201-1", "Display the version")]
    assert comware["status"] == "ok"
    assert comware["res"]["stdout"].startswith("H3C Comware Software, Version 7.1.070, Release 6328")
    assert "H3C S5130S-52S-EI uptime is " in comware["res"]["stdout"]


PORTS = [f"GigabitEthernet1/0/{n}" for n in range(1, 49)] + [f"TenGigabitEthernet1/1/{n}" for n in range(1, 5)]


@pytest.mark.parametrize(("personality", "want"), [
    ("catalyst-3560-ios15", {"version": "15.2(4)E10", "software_image": "C3560E-UNIVERSALK9-M",
                             "hardware": ["WS-C3560X-48T-S"], "config_register": "0xF", "hostname": "sw-x"}),
    ("catalyst-9300-iosxe16", {"version": "16.12.4", "software_image": "CAT9K_IOSXE", "hardware": ["C9300-48P"],
                               "running_image": "packages.conf", "config_register": "0x102", "hostname": "sw-x"}),
])
def test_cisco_show_version_reads_like_the_real_one_to_an_independent_parser(personality: str, want: dict[str, Any]) -> None:
    """ntc-templates' parser, written from real captures, takes each personality's `show version` apart."""
    from ntc_templates.parse import parse_output

    dialect = CiscoIos(personality)
    dialect.booted -= 8 * 86400 + 3 * 3600 + 60  # one week, one day, three hours, one minute ago
    text = dialect.show_version(Device("sw-x", "cisco_ios", PORTS))
    [parsed] = parse_output(platform="cisco_ios", command="show version", data=text)
    assert {k: parsed[k] for k in want} == want
    assert "sw-x uptime is 1 week, 1 day, 3 hours, 1 minute\n" in text, "zero units left out, singular for one"
    assert "48 Gigabit Ethernet interfaces\n4 Ten Gigabit Ethernet interfaces\n" in text


@pytest.mark.parametrize(("personality", "want"), [
    ("s5720-v200r", {"vrp_version": "5.170", "product_version": "S5720 V200R021C10SPC600",
                     "model": "S5720S-52X-LI-AC Routing Switch"}),
    ("s5700-v100r", {"vrp_version": "5.70", "product_version": "S3300 V100R005C01SPC100",
                     "model": "S3328TP-EI Routing Switch"}),
])
def test_huawei_display_version_reads_like_the_real_one_to_an_independent_parser(personality: str,
                                                                                  want: dict[str, str]) -> None:
    from ntc_templates.parse import parse_output

    dialect = HuaweiVrp(personality)
    dialect.booted -= 86400 + 2 * 60
    [parsed] = parse_output(platform="huawei_vrp", command="display version",
                            data=dialect.display_version(Device("sw-x", "huawei_vrp", PORTS)))
    assert {k: parsed[k] for k in want} == want
    assert parsed["uptime"] == "0 week, 1 day, 0 hour, 2 minutes"


def test_a_line_the_cisco_sub_mode_does_not_know_runs_in_global_configuration() -> None:
    """As IOS does (tests/corpus/QUIRKS.md: `(config-if)#ip default-gateway …` → `(config)#`); ios_config relies on it."""
    from provision.lab.switchsim.dialect import GLOBAL, Session

    dialect = CiscoIos()
    device = Device("sw-x", "cisco_ios", PORTS)
    dialect.new_device(device)
    s = Session(device, "config")
    assert dialect.dispatch(s, "vlan 300") == "" and s.mode == "vlan"
    assert dialect.dispatch(s, "interface GigabitEthernet1/0/2") == "" and (s.mode, s.block) == (
        "if", "interface GigabitEthernet1/0/2")
    assert dialect.dispatch(s, "mls qos") == "" and (s.mode, s.block) == ("config", GLOBAL)
    assert "mls qos" in device.blocks[GLOBAL]
    dialect.dispatch(s, "interface GigabitEthernet1/0/2")
    assert "% Invalid input detected" in dialect.dispatch(s, "mls nonsense")
    assert (s.mode, s.block) == ("if", "interface GigabitEthernet1/0/2"), "a line no mode knows leaves the session where it was"
    assert dialect.dispatch(s, "description still here") == ""
    assert "description still here" in device.blocks["interface GigabitEthernet1/0/2"]
    s.mode = "user"
    assert dialect.dispatch(s, "show privilege") == "Current privilege level is 1"
