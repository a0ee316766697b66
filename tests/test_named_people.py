"""Named people (SLA §5, §6.2) and complaint categories (SLA §8.1), on both back ends.

§5/§6.2: the customer has a customer-service representative and an assigned engineer.
§8.1: complaints are about network quality (网络质量), customer service (客户服务) or technical
support (技术支持), and may name the employee complained about.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provision.api import Colo
from provision.domain.people import COMPLAINT_CATEGORIES, complaint_category
from provision.errors import BadInput
from tests.conftest import order


def test_the_three_complaint_categories_of_the_agreement() -> None:
    assert set(COMPLAINT_CATEGORIES) == {"network-quality", "customer-service", "technical-support"}
    assert complaint_category(" Customer-Service ") == "customer-service"
    with pytest.raises(BadInput, match="--category 'billing': give one of network-quality, customer-service"):
        complaint_category("billing")


def test_contract_assign_names_the_representative_and_engineer(site_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid = str(Colo(db=site_db, at="2026-11-24T10:00").sign(order("ACME"))["id"])
    assert json.loads(colo("--db", site_db, "contract", "show", cid, "--json").out)["service_rep"] is None

    r = colo("--db", site_db, "--at", "2026-11-24T11:00", "contract", "assign", cid, "--rep", "Chen Jing",
             "--engineer", "Zhao Lei", "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out) | {"at": None} == {"contract": cid, "service_rep": "Chen Jing", "engineer": "Zhao Lei",
                                                "changed": True, "at": None}
    r = colo("--db", site_db, "--at", "2026-11-25T11:00", "contract", "assign", cid.lower(), "--engineer", "Sun Li",
             "--json")
    assert json.loads(r.out)["engineer"] == "Sun Li" and json.loads(r.out)["service_rep"] == "Chen Jing"
    r = colo("--db", site_db, "contract", "assign", cid, "--engineer", "Sun Li", "--json")
    assert json.loads(r.out)["changed"] is False, "the same name again changes nothing"

    shown = json.loads(colo("--db", site_db, "contract", "show", cid, "--json").out)
    assert (shown["service_rep"], shown["engineer"]) == ("Chen Jing", "Sun Li")
    human = colo("--db", site_db, "contract", "show", cid).out
    assert "customer-service representative Chen Jing; engineer Sun Li" in human
    actions = [(a["action"], a["detail"]) for a in Colo(db=site_db).audit(cid) if a["action"] == "contract.people_assigned"]
    assert actions == [("contract.people_assigned", "customer-service representative Chen Jing; engineer Zhao Lei"),
                       ("contract.people_assigned", "engineer Sun Li (was Zhao Lei)")]


@pytest.mark.parametrize("args, says", [
    ((), "give --rep NAME, --engineer NAME or both"),
    (("--rep", "   "), "--rep is empty"),
    (("--engineer", "a\x1b[2Jb"), "--engineer contains the control character U+001B"),
    (("--rep", "x" * 121), "--rep is 121 characters long"),
])
def test_assign_bad_input_changes_nothing(site_db: str, colo, args: tuple[str, ...],  # type: ignore[no-untyped-def]
                                          says: str) -> None:
    cid = str(Colo(db=site_db, at="2026-11-24T10:00").sign(order("ACME"))["id"])
    before = Path(site_db).read_bytes() if Path(site_db).exists() else None
    r = colo("--db", site_db, "contract", "assign", cid, *args)
    assert r.code == 2 and says in r.err
    if before is not None:
        assert Path(site_db).read_bytes() == before
    assert colo("--db", site_db, "contract", "assign", "C2099-0001", "--rep", "X").code == 2


def test_complaints_carry_a_category_and_the_employee(site_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid = str(Colo(db=site_db, at="2026-11-24T10:00").sign(order("ACME"))["id"])
    r = colo("--db", site_db, "--at", "2026-12-04T10:00", "complaint", "record", cid, "--summary", "rude on the phone",
             "--category", "customer-service", "--employee", "Chen Jing", "--json")
    assert r.code == 0, r.err
    k = json.loads(r.out)
    assert (k["category"], k["employee"]) == ("customer-service", "Chen Jing")
    r = colo("--db", site_db, "--at", "2026-12-04T11:00", "complaint", "record", cid, "--summary", "packet loss",
             "--category", "network-quality", "--json")
    assert json.loads(r.out)["employee"] is None

    rows = json.loads(colo("--db", site_db, "--at", "2026-12-04T12:00", "complaint", "list", "--json").out)
    assert [(k["complaint"], k["category"], k["employee"]) for k in rows] == [
        ("K1", "customer-service", "Chen Jing"), ("K2", "network-quality", None)]
    human = colo("--db", site_db, "--at", "2026-12-04T12:00", "complaint", "list").out
    assert "(customer-service, about Chen Jing): rude on the phone" in human and "(network-quality): packet loss" in human
    detail = next(e["detail"] for e in Colo(db=site_db).contract(cid)["events"] if e["kind"] == "complaint_received")
    assert detail == "complaint K1 (customer service, about Chen Jing): rude on the phone"

    for args, says in ((("--category", "billing"), "--category"), ((), "--category"),
                       (("--category", "network-quality", "--employee", "a\nb"), "--employee contains")):
        r = colo("--db", site_db, "--at", "2026-12-04T12:00", "complaint", "record", cid, "--summary", "x", *args)
        assert r.code == 2 and says in r.err
    assert len(json.loads(colo("--db", site_db, "complaint", "list", "--json").out)) == 2
