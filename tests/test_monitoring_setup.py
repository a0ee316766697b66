"""A contract's monitoring set up: by a technician one change at a time, by a playbook all at once.

Both write only what differs, each change an audited contract event; check mode and
dry runs write nothing; a bad contact or service target is refused before anything is
written. The playbook runs through the real ansible-runner.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from provision.api import Colo
from provision.domain.terms import Customer
from provision.errors import BadInput
from tests.conftest import EXAMPLE, order

AT = "2026-11-24T10:00"


def _signed(db: str) -> str:
    customer = Customer(name="Watched Ltd", email="ops@watched.example")
    return str(Colo(db=db, at=AT).sign(order(customer=customer))["id"])


def _events(db: str, cid: str) -> list[str]:
    return [e["kind"] for e in Colo(db=db).contract(cid)["events"]]


def test_technician_changes_one_thing_at_a_time_and_a_repeat_writes_nothing(site_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid = _signed(site_db)
    shown = json.loads(colo("--db", site_db, "monitor", "show", cid, "--json").out)
    assert shown == {"contract": cid, "contact": {"channel": "email", "to": "ops@watched.example", "chosen": False},
                     "emergencies": {"channel": "email", "to": "ops@watched.example", "person": None, "medium": None},
                     "services": []}  # nothing chosen: the customer's own email
    r = colo("--db", site_db, "monitor", "show", cid)
    assert r.code == 0 and "contract contact email ops@watched.example (default" in r.out
    assert "emergencies go to the contract contact (no authorized person designated)" in r.out

    # SLA §4.2: once a person is designated, `monitor show` says emergencies go to them, by their channel
    assert colo("--db", site_db, "person", "add", cid, "--name", "Li Wei", "--pager", "96000 1234",
                "--emergency", "pager").code == 0
    designated = json.loads(colo("--db", site_db, "monitor", "show", cid, "--json").out)["emergencies"]
    assert designated == {"channel": "pager", "to": "96000 1234", "person": "Li Wei", "medium": "pager"}
    assert "emergencies go to Li Wei (designated authorized person) by pager 96000 1234" in \
        colo("--db", site_db, "monitor", "show", cid).out
    assert colo("--db", site_db, "person", "set", cid, "--name", "Li Wei", "--emergency", "none").code == 0

    for _ in range(2):
        assert colo("--db", site_db, "contract", "notify", cid, "--phone", "+8613800000000").code == 0
        assert colo("--db", site_db, "monitor", "watch", cid, "www", "https://www.watched.example/").code == 0
    assert _events(site_db, cid).count("contact_set") == 1
    assert _events(site_db, cid).count("service_watched") == 1
    again = json.loads(colo("--db", site_db, "contract", "notify", cid, "--phone", "+8613800000000", "--json").out)
    assert again["changed"] is False
    shown = Colo(db=site_db).monitoring(cid)
    assert shown["contact"] == {"channel": "phone", "to": "+8613800000000", "chosen": True}
    assert shown["services"] == [{"kind": "www", "target": "https://www.watched.example/"}]

    removed = colo("--db", site_db, "monitor", "watch", cid, "www", "https://www.watched.example/", "--remove", "--json")
    assert json.loads(removed.out) == {"contract": cid, "check": "www", "target": "https://www.watched.example/",
                                           "watched": False, "changed": True}
    again = colo("--db", site_db, "monitor", "watch", cid, "www", "https://www.watched.example/", "--remove")
    assert again.code == 2 and "has no www check of https://www.watched.example/: nothing to remove" in again.err
    assert _events(site_db, cid).count("service_unwatched") == 1 and Colo(db=site_db).monitoring(cid)["services"] == []


def test_declared_monitoring_writes_the_difference_and_a_dry_run_nothing(site_db: str) -> None:
    cid = _signed(site_db)
    api = Colo(db=site_db, at="2026-11-24T11:00")
    api.watch_service(cid, "ftp", "ftp.watched.example")
    wanted = [("www", "https://www.watched.example/"), ("email", "mail.watched.example:25")]
    before_events = _events(site_db, cid)

    plan = api.configure_monitoring(cid, ("email", "noc@watched.example"), wanted, dry_run=True)
    assert plan["changed"] and plan["changes"] == [
        "contact: email noc@watched.example", "watch email mail.watched.example:25",
        "watch www https://www.watched.example/", "unwatch ftp ftp.watched.example"]
    assert _events(site_db, cid) == before_events and api.monitoring(cid) == plan["before"]

    done = api.configure_monitoring(cid, ("email", "noc@watched.example"), wanted)
    assert done["changes"] == plan["changes"] and api.monitoring(cid) == plan["after"] == done["after"]
    assert _events(site_db, cid)[len(before_events):] == [
        "contact_set", "service_unwatched", "service_watched", "service_watched"]
    assert api.configure_monitoring(cid, ("email", "noc@watched.example"), wanted)["changed"] is False

    kept = api.configure_monitoring(cid, None, None)  # neither part declared: both left as they are
    assert kept["changed"] is False and kept["after"] == done["after"]
    assert api.configure_monitoring(cid, None, [])["changes"] == [
        "unwatch email mail.watched.example:25", "unwatch www https://www.watched.example/"]


@pytest.mark.parametrize(("contact", "services", "message"), [
    (("email", "not-an-address"), [], "--email 'not-an-address': give one address"),
    (("pager", "123"), None, "channel 'pager': give one of"),
    (None, [("www", "https://ok.example/"), ("ftp", "bad host:21")], "ftp"),
    (("webhook", "https://sms.example/send?key=TOPSECRET&x=1 2"), None,
     r"--webhook 'https://sms.example/send\?key=\*\*\*&x=\*\*\*': give an http"),  # the gateway's key not echoed
])
def test_bad_input_is_refused_before_anything_is_written(site_db: str, contact: tuple[str, str] | None,
                                                         services: list[tuple[str, str]] | None, message: str) -> None:
    cid = _signed(site_db)
    api = Colo(db=site_db)
    before = (api.monitoring(cid), _events(site_db, cid))
    with pytest.raises(BadInput, match=message) as refused:
        api.configure_monitoring(cid, contact, services)
    assert "TOPSECRET" not in str(refused.value)
    assert (api.monitoring(cid), _events(site_db, cid)) == before


@pytest.fixture
def run_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COLO_RUN_DIR", str(tmp_path / "runs"))
    return tmp_path / "runs"


def test_playbook_declares_monitoring_from_a_vars_file(tmp_path: Path, run_dir: Path, colo) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "colo.db")
    Colo(db=db).init(str(EXAMPLE))
    cid = _signed(db)
    declared: dict[str, Any] = {
        "contact": {"channel": "webhook", "target": "https://sms.watched.example/colo"},
        "services": [{"kind": "www", "target": "https://www.watched.example/"},
                     {"kind": "email", "target": "mail.watched.example"}]}
    vars_file = tmp_path / "watched.yml"
    vars_file.write_text(yaml.safe_dump(declared), encoding="utf-8")

    def play(*extra: str) -> Any:
        r = colo("--db", db, "run", str(EXAMPLE.parents[1] / "playbooks" / "monitoring.yml"), "-e", f"contract={cid}",
                 "-e", f"@{vars_file}", "--json", *extra)
        return r

    untouched = Colo(db=db).monitoring(cid)
    r = play("--check")
    assert r.code == 0, r.err
    assert json.loads(r.out)["summary"]["localhost"]["changed"] == 1
    assert Colo(db=db).monitoring(cid) == untouched  # check mode wrote nothing

    r = play()
    assert r.code == 0 and json.loads(r.out)["summary"]["localhost"]["changed"] == 1, r.err
    assert Colo(db=db).monitoring(cid) == {
        "contract": cid, "contact": {"channel": "webhook", "to": "https://sms.watched.example/colo", "chosen": True},
        "emergencies": {"channel": "webhook", "to": "https://sms.watched.example/colo", "person": None, "medium": None},
        "services": [{"kind": "email", "target": "mail.watched.example"},
                     {"kind": "www", "target": "https://www.watched.example/"}]}
    r = play()
    assert r.code == 0 and json.loads(r.out)["summary"]["localhost"]["changed"] == 0  # as declared: nothing to do

    vars_file.write_text(yaml.safe_dump({"contact": {"channel": "email", "target": "x y@z"}}), encoding="utf-8")
    r = play()
    assert r.code == 1 and "--email 'x y@z': give one address" in r.err
    assert Colo(db=db).monitoring(cid)["contact"]["channel"] == "webhook"

    for content, message in [("- a list\n", "give a YAML mapping"), ("key: [unclosed\n", "not valid YAML")]:
        vars_file.write_text(content, encoding="utf-8")
        r = play()
        assert r.code == 2 and f"-e @{vars_file}: {message}" in r.err
    vars_file.unlink()
    r = play()
    assert r.code == 2 and f"-e @{vars_file}: cannot read it (No such file or directory)" in r.err


def test_declared_contact_may_be_a_group_robot(site_db: str) -> None:
    """DingTalk (a signed robot: its secret by name) and WeCom robots are declared like any contact, keys masked."""
    cid = _signed(site_db)
    api = Colo(db=site_db, at="2026-11-24T11:00")
    robot = ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=TOPSECRET0123")
    done = api.configure_monitoring(cid, robot, None, contact_secret="acme-sign")
    assert done["changes"] == ["contact: dingtalk https://oapi.dingtalk.com/robot/send?access_token=*** secret=acme-sign"]
    assert api.configure_monitoring(cid, robot, None, contact_secret="acme-sign")["changed"] is False
    assert api.configure_monitoring(cid, robot, None)["changes"] == [  # the secret dropped is a change too
        "contact: dingtalk https://oapi.dingtalk.com/robot/send?access_token=***"]
    before = (api.monitoring(cid), _events(site_db, cid))
    with pytest.raises(BadInput, match="goes with --dingtalk only"):
        api.configure_monitoring(cid, ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K1"), None,
                                 contact_secret="acme-sign")
    with pytest.raises(BadInput, match="give the contact too"):
        api.configure_monitoring(cid, None, None, contact_secret="acme-sign")
    assert (api.monitoring(cid), _events(site_db, cid)) == before
    wecom = api.configure_monitoring(cid, ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K1"), None)
    assert wecom["after"]["contact"] == {"channel": "wecom", "to": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***",
                                         "chosen": True}
    assert "TOPSECRET" not in json.dumps([done, wecom])


def test_playbook_declares_a_signed_dingtalk_robot(tmp_path: Path, run_dir: Path, colo) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "colo.db")
    Colo(db=db).init(str(EXAMPLE))
    cid = _signed(db)
    vars_file = tmp_path / "robot.yml"
    vars_file.write_text(yaml.safe_dump({"contact": {
        "channel": "dingtalk", "target": "https://oapi.dingtalk.com/robot/send?access_token=TOPSECRET0123",
        "secret": "acme-sign"}}), encoding="utf-8")
    r = colo("--db", db, "run", str(EXAMPLE.parents[1] / "playbooks" / "monitoring.yml"), "-e", f"contract={cid}",
             "-e", f"@{vars_file}", "--json")
    assert r.code == 0 and json.loads(r.out)["summary"]["localhost"]["changed"] == 1, r.err
    assert "TOPSECRET" not in r.out + r.err  # the robot's token masked as in every output of the toolkit
    assert Colo(db=db).monitoring(cid)["contact"] == {
        "channel": "dingtalk", "to": "https://oapi.dingtalk.com/robot/send?access_token=*** secret=acme-sign",
        "chosen": True}
