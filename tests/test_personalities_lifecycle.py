"""Provision, activate, suspend, resume and decommission against the site's other real models.

The main lab runs each platform's default personality; this module brings up a second
lab whose Catalyst is a 9300 on IOS-XE 16 (numbered ACL entries, `police cir` form) and
whose Huawei is an S5700 on VRP V100R (indented globals, printed port defaults).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from provision.api import Colo
from provision.domain.portfacts import Bound, PortFacts
from tests.conftest import Lab, lab_inventory
from tests.lab_contracts import SWITCH, activate_signed, sign_on
from tests.lab_devices import port_reading, site_lines

OTHERS = {"cisco_ios": "catalyst-9300-iosxe16", "huawei_vrp": "s5700-v100r"}


@pytest.fixture(scope="module")
def other_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    from provision.lab import control

    base = tmp_path_factory.mktemp("other-lab")
    inventory = lab_inventory(base / "inventory")
    network = yaml.safe_load((inventory / "network.yaml").read_text())
    for sw in network["switches"]:
        sw["personality"] = OTHERS.get(sw["platform"], sw.get("personality"))
    (inventory / "network.yaml").write_text(yaml.safe_dump(network, sort_keys=False))
    control.up(str(inventory), str(base / "lab"))
    saved = {k: os.environ.get(k) for k in ("COLO_SECRETS", "COLO_LOCK_DIR")}
    os.environ |= {"COLO_SECRETS": str(base / "lab" / "secrets.yaml"), "COLO_LOCK_DIR": str(base)}
    try:
        yield Lab(inventory, base / "lab", str(base / "lab" / "secrets.yaml"))
    finally:
        control.down(str(base / "lab"))
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.mark.parametrize("platform", sorted(OTHERS))
def test_whole_life_on_the_other_models(other_lab: Lab, tmp_path: Path, platform: str, colo) -> None:  # type: ignore[no-untyped-def]
    other_lab.reset()
    db = str(tmp_path / "colo.db")
    Colo(db=db).init(str(other_lab.inventory))
    contract = sign_on(db, platform)
    cid, iface = contract["id"], contract["placements"][0]["port"]["interface"]
    ip = contract["placements"][0]["addresses"][0]["ip"]
    switch = SWITCH[platform]
    site = site_lines(other_lab, switch, iface)
    assert site, "the model's ports carry site lines from the factory"

    activate_signed(db, cid)
    facts = port_reading(other_lab, switch, iface).facts
    assert facts.bindings == (Bound(ip, "001122334455", 110),) and not facts.shutdown
    assert site_lines(other_lab, switch, iface) == site
    again = Colo(db=db, at="2026-11-26T10:00").provision([cid], dry_run=True)
    assert again["plan"]["changes"] == 0, "what the model prints reads back as the facts written"

    assert Colo(db=db, at="2026-11-27T10:00").drift()["drift"] == []
    r = colo("--db", db, "switch", "show", switch, iface, "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["unmanaged"] == [line.strip() for line in site]

    assert Colo(db=db, at="2027-03-04T10:00").terminate(cid, forced="carrier")
    done = Colo(db=db, at="2027-03-04T11:00").decommission(cid, location="W1-07")
    assert done["applied"]
    assert port_reading(other_lab, switch, iface).facts == PortFacts(mode="access", shutdown=True)
    assert site_lines(other_lab, switch, iface) == site, "site lines byte-identical after decommission"
    assert ip not in other_lab.running(switch)
