"""`colo apply plan.json` a second time says the plan was applied, by which operation, and changes nothing (issue 16).

Against the device lab; the switch's saved state is the witness that nothing was sent again.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provision.api import Colo
from provision.errors import Refused
from tests.conftest import Lab
from tests.lab_contracts import sign_on

AT = "2026-11-25T09:00"


def test_a_plan_applied_twice_names_its_operation(lab: Lab, lab_db: str, tmp_path: Path) -> None:
    cid = sign_on(lab_db, "hp_comware")["id"]
    plan = tmp_path / "plan.json"
    api = Colo(db=lab_db, at=AT)
    api.provision([cid], dry_run=True, out=str(plan))
    first = api.apply(str(plan))
    assert first["applied"] and not first["already_applied"]
    switch = lab.device("sw-b201-1")
    again = Colo(db=lab_db, at="2026-11-25T10:00").apply(str(plan))
    assert (again["applied"], again["already_applied"], again["operation"]) == (False, True, first["operation"])
    assert again["message"].startswith(f"already applied as operation #{first['operation']} at 2026-11-25T09:00:00+08:00")
    assert lab.device("sw-b201-1") == switch  # nothing sent, nothing saved
    assert [op["operation"] for op in api.operations(cid)] == [first["operation"]]  # no second operation journaled


def test_a_different_plan_for_the_same_contract_is_still_checked_for_drift(lab: Lab, lab_db: str,
                                                                           tmp_path: Path) -> None:
    cid = sign_on(lab_db, "hp_comware")["id"]
    api = Colo(db=lab_db, at=AT)
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    api.provision([cid], dry_run=True, out=str(old))
    later = Colo(db=lab_db, at="2026-11-25T09:05")
    later.provision([cid], dry_run=True, out=str(new))  # the same change planned again later: another plan
    later.apply(str(new))
    with pytest.raises(Refused, match="no longer matches what it was planned against"):
        api.apply(str(old))


def test_apply_twice_on_the_command_line(lab: Lab, lab_db: str, tmp_path: Path, colo) -> None:  # type: ignore[no-untyped-def]
    cid = sign_on(lab_db, "cisco_ios")["id"]
    plan = tmp_path / "plan.json"
    r = colo("--db", lab_db, "--at", AT, "provision", cid, "--dry-run", "--out", str(plan))
    assert r.code == 0, r.err
    r = colo("--db", lab_db, "--at", AT, "apply", str(plan), "--json")
    assert r.code == 0, r.err
    op = json.loads(r.out)["operation"]
    r = colo("--db", lab_db, "--at", AT, "apply", str(plan))
    assert r.code == 0, r.err
    assert f"already applied as operation #{op}" in r.out
    r = colo("--db", lab_db, "--at", AT, "apply", str(plan), "--json")
    assert r.code == 0 and json.loads(r.out)["already_applied"] is True
