"""DingTalk (钉钉) and WeCom (企业微信) group robots as emergency channels, against robot services on 127.0.0.1.

`RobotService` answers as the real services do, from what they printed (quoted below with
where they were seen): always HTTP 200, the verdict in `errcode`. DingTalk checks the
加签 signature of a signed robot itself — HMAC-SHA256 keyed by the secret over
"timestamp\\nsecret", base64, in the `sign` query parameter, the timestamp within an
hour — and both take at most 20 messages a minute per robot, DingTalk then refusing the
robot for 10 minutes. The notifications go through a whole monitor round (a lab server
really stops answering), the monitor's own delivery (`notify_pending`, what every round
ends with) and the stop-service notices' delivery (`colo enforce`).
The rate-limit tests shrink the minute (both sides alike) so they take seconds.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from provision.api import Colo
from provision.domain.lifecycle import State
from provision.domain.terms import Customer
from provision.monitor import im_robots
from provision.monitor.im_robots import Limit, Pace
from provision.services.context import Context
from provision.services.monitoring.rounds import notify_pending
from tests.conftest import Lab, order
from tests.lab_contracts import active_contract, walk_to
from tests.lab_mail import http_server
from tests.labhost import lab_host

SIGNED = "2026-11-24T10:00"
DECLARED = "2026-12-03T10:00"
TOKEN = "f3a9c1e0b7d24c5e9a8b6d3c2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f"
KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
SECRET = "SEC" + "5a3ecf88f2b3eb50db30ecfc00f53033ac909c99bf7f88fd612bda89d7f3a9dc"

# The services' answers, verbatim as they printed them:
OK = {"errcode": 0, "errmsg": "ok"}
# github.com/timonwong/prometheus-webhook-dingtalk/issues/91, github.com/Long0x0/ZJU-nCov-Hitcarder-Sample/issues/9
NO_TOKEN = {"errcode": 300001, "errmsg": "token is not exist"}
# github.com/RayWangQvQ/BiliBiliTool/issues/566, github.com/jenkinsci/dingtalk-plugin/issues/88
BAD_SIGN = {"errcode": 310000, "errmsg": "sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"}
NO_KEYWORD = {"errcode": 310000, "errmsg": "keywords not in content, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"}
# DingTalk's robot documentation: 20 messages a minute per robot, then refused for 10 minutes
TOO_FAST = {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}
# WeCom: an unknown or deleted robot's key; over the 20-a-minute limit (github.com/WecomTeam/wecom-openclaw-plugin/issues/48)
BAD_KEY = {"errcode": 93000, "errmsg": "invalid webhook url, hint: [1700000000_93_1a2b3c], from ip: 127.0.0.1"}
FREQ = {"errcode": 45009, "errmsg": "api freq out of limit, hint: [1773643642077182456917975], from ip: 127.0.0.1"}


@dataclass
class RobotService:
    """One robot service: its robots (token or key → DingTalk signing secret, None if unsigned)."""

    kind: str
    robots: dict[str, str | None]
    keyword: str | None = None
    limit: int = 20
    window: float = 60.0
    mute: float = 600.0
    posts: list[dict[str, Any]] = field(default_factory=list)  # every request: query and body
    accepted: list[dict[str, Any]] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    muted_until: dict[str, float] = field(default_factory=dict)
    sent: dict[str, deque[float]] = field(default_factory=dict)
    port: int = 0

    def url(self, robot: str) -> str:
        if self.kind == "dingtalk":
            return f"http://127.0.0.1:{self.port}/robot/send?access_token={robot}"
        return f"http://127.0.0.1:{self.port}/cgi-bin/webhook/send?key={robot}"

    def answer(self, path: str, query: dict[str, list[str]], body: dict[str, Any]) -> dict[str, Any]:
        robot = (query.get("access_token") or query.get("key") or [""])[0]
        if robot not in self.robots:
            return NO_TOKEN if self.kind == "dingtalk" else BAD_KEY
        secret = self.robots[robot]
        if secret is not None:
            stamp, sign = query.get("timestamp", [""])[0], query.get("sign", [""])[0]
            if not stamp.isdigit() or abs(int(stamp) - time.time() * 1000) > 3600_000:
                return BAD_SIGN
            expected = base64.b64encode(hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(),
                                                 hashlib.sha256).digest()).decode()
            if not hmac.compare_digest(sign, expected):  # parse_qs has undone the URL encoding
                return BAD_SIGN
        if body.get("msgtype") != "text" or not body.get("text", {}).get("content"):
            return {"errcode": 40035, "errmsg": "缺少参数 json"}
        if self.keyword and self.keyword not in body["text"]["content"]:
            return NO_KEYWORD
        now = time.monotonic()
        if self.muted_until.get(robot, 0.0) > now:
            return TOO_FAST if self.kind == "dingtalk" else FREQ
        sent = self.sent.setdefault(robot, deque())
        while sent and sent[0] <= now - self.window:
            sent.popleft()
        if len(sent) >= self.limit:
            self.muted_until[robot] = now + self.mute
            return TOO_FAST if self.kind == "dingtalk" else FREQ
        sent.append(now)
        self.accepted.append(body)
        return OK


@contextmanager
def robot_service(service: RobotService, raw: bytes | None = None) -> Iterator[RobotService]:
    """Serve `service` on a free loopback port; `raw`: answer those bytes instead (a proxy's page, say)."""
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            query = parse_qs(parts.query)
            with lock:
                service.posts.append({"path": self.path, "query": query, "body": body})
                verdict = service.answer(parts.path, query, body)
                service.answers.append(verdict["errcode"])
            data = raw if raw is not None else json.dumps(verdict).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json" if raw is None else "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    with http_server(200, Handler) as server:
        service.port = server.server_port
        yield service


@pytest.fixture(autouse=True)
def pace(monkeypatch: pytest.MonkeyPatch) -> Pace:
    """Each test its own robots' pacing (the process keeps one), with the services' real limits."""
    fresh = Pace()
    monkeypatch.setattr(im_robots, "PACE", fresh)
    return fresh


def _contract(db: str, name: str = "ACME") -> str:
    return str(Colo(db=db, at=SIGNED).sign(order(name, customer=Customer(name=name, email="noc@acme.example"),
                                                 fee="3100.00", payment="monthly"))["id"])


def _declare(db: str, cid: str, count: int = 1) -> list[int]:
    return [int(Colo(db=db, at=DECLARED).record_emergency(cid, DECLARED, channel="email")["emergency"])
            for _ in range(count)]


def _notify(db: str, at: str = "2026-12-03T10:05") -> list[dict[str, Any]]:
    return notify_pending(Context.open(db, at, "monitor"), None)


def _cli(colo, db: str):  # type: ignore[no-untyped-def]
    def run(*args: str) -> Any:
        r = colo("--db", db, "--at", "2026-12-03T09:00", *args, "--json")
        assert r.code == 0, r.err
        return json.loads(r.out)

    return run


def _incidents(db: str) -> dict[int, dict[str, Any]]:
    return {i["emergency"]: i for i in Colo(db=db).incidents()}


# --- delivered: errcode 0 --------------------------------------------------------------------------------


def test_a_signed_dingtalk_robot_gets_the_emergency_and_only_then_is_the_customer_told(  # type: ignore[no-untyped-def]
        site_db: str, colo, monkeypatch: pytest.MonkeyPatch) -> None:
    cid = _contract(site_db)
    monkeypatch.setenv("COLO_SECRET_ACME_DING_PASSWORD", SECRET)
    with robot_service(RobotService("dingtalk", {TOKEN: SECRET}, keyword="colo")) as service:
        set_to = _cli(colo, site_db)("contract", "notify", cid, "--dingtalk", service.url(TOKEN),
                                     "--dingtalk-secret", "acme-ding")
        assert set_to["to"] == f"http://127.0.0.1:{service.port}/robot/send?access_token=*** secret=acme-ding"
        (emergency,) = _declare(site_db, cid)
        (sent,) = _notify(site_db)
    assert (sent["sent"], sent["channel"], sent["error"]) == (True, "dingtalk", None)
    ((post,),) = [service.posts]
    assert set(post["query"]) == {"access_token", "timestamp", "sign"}  # signed, checked by the service
    assert post["body"]["msgtype"] == "text" and post["body"]["at"] == {"atMobiles": [], "isAtAll": False}
    content = post["body"]["text"]["content"]
    assert content.startswith(f"[colo] Emergency on contract {cid}") and "declared an emergency at" in content
    incident = _incidents(site_db)[emergency]
    assert (incident["channel"], incident["notified_at"], incident["pending"]) == (
        "dingtalk", "2026-12-03T10:05:00+08:00", None)
    shown = [json.dumps(set_to), json.dumps(sent)] + [colo("--db", site_db, *argv).out for argv in (
        ["emergency", "list", "--json"], ["monitor", "show", cid, "--json"], ["audit", "list", "--json"],
        ["monitor", "show", cid], ["audit", "list"])]
    assert not [out for out in shown if TOKEN in out or SECRET in out]  # neither key nor secret, anywhere
    audit = [r["detail"] for r in json.loads(colo("--db", site_db, "audit", "list", "--contract", cid, "--json").out)]
    assert f"emergencies notified by dingtalk to http://127.0.0.1:{service.port}/robot/send?access_token=*** " \
           f"secret=acme-ding" in audit and "customer notified by dingtalk" in audit


def test_a_wecom_robot_gets_the_emergency_and_the_stop_service_notice(site_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    api = Colo(db=site_db, at=SIGNED)
    cid = api.sign(order("Gateway Co"))["id"]
    with robot_service(RobotService("wecom", {KEY: None})) as service:
        _cli(colo, site_db)("contract", "notify", cid, "--wecom", service.url(KEY))
        walk_to(api, cid, [State.PROVISIONED, State.ACTIVE], "2026-11-26T09:00+08:00")
        (emergency,) = _declare(site_db, cid)
        (sent,) = _notify(site_db)
        assert sent["sent"] and sent["to"] == f"http://127.0.0.1:{service.port}/cgi-bin/webhook/send?key=***"
        enforce = colo("--db", site_db, "--at", "2026-12-01T09:00", "enforce", "--json")  # the fee is overdue
        assert enforce.code == 0, enforce.err
    assert [set(p["query"]) for p in service.posts] == [{"key"}, {"key"}]  # WeCom robots are not signed
    assert set(service.posts[0]["body"]) == {"msgtype", "text"}
    emergency_text, notice_text = (p["body"]["text"]["content"] for p in service.posts)
    assert emergency_text.startswith("[colo] Emergency on contract") and notice_text.startswith(
        f"[colo] Stop-service notice for contract {cid}: service stops 2026-12-02 09:00")
    assert "Amount due: 12000.00 CNY" in notice_text
    assert _incidents(site_db)[emergency]["channel"] == "wecom"
    (notice,) = json.loads(enforce.out)["notices"]
    assert notice["sent"] and notice["channel"] == "wecom" and KEY not in enforce.out


@pytest.mark.parametrize("kind", ["dingtalk", "wecom"])
def test_the_designated_person_is_mentioned_in_the_customers_group(site_db: str, colo, kind: str) -> None:  # type: ignore[no-untyped-def]
    """SLA §4.2: the designated authorized person by the channel they chose; a robot posts in the customer's
    group, so the person is @-mentioned there by mobile number."""
    cid = _contract(site_db)
    robot = TOKEN if kind == "dingtalk" else KEY
    run = _cli(colo, site_db)
    run("person", "add", cid, "--name", "Li Wei", "--mobile", "+86 139 0000 0001")
    run("person", "add", cid, "--name", "Zhang San", "--phone", "+86 21 5555 0101")
    no_robot = colo("--db", site_db, "person", "set", cid, "--name", "Li Wei", "--emergency", kind)
    assert no_robot.code == 2 and f"`colo contract notify {cid} --{kind} URL`" in no_robot.err
    with robot_service(RobotService(kind, {robot: None})) as service:
        run("contract", "notify", cid, f"--{kind}", service.url(robot))
        no_mobile = colo("--db", site_db, "person", "set", cid, "--name", "Zhang San", "--emergency", kind)
        assert no_mobile.code == 2 and "Zhang San has no mobile on record" in no_mobile.err
        assert run("person", "set", cid, "--name", "Li Wei", "--emergency", kind)["emergency"] == kind
        assert run("person", "list", cid)["emergencies_to"] == {"person": "Li Wei", "channel": kind,
                                                                "to": Colo(db=site_db).monitoring(cid)["contact"]["to"]}
        (emergency,) = _declare(site_db, cid)
        (sent,) = _notify(site_db)
    assert (sent["sent"], sent["person"], sent["channel"]) == (True, "Li Wei", kind)
    ((post,),) = [service.posts]
    content = post["body"]["text"]["content"]
    assert "For Li Wei, designated authorized person for emergencies." in content
    if kind == "dingtalk":
        assert post["body"]["at"] == {"atMobiles": ["13900000001"], "isAtAll": False} and "@13900000001" in content
    else:
        assert post["body"]["text"]["mentioned_mobile_list"] == ["13900000001"]
    assert _incidents(site_db)[emergency]["person"] == "Li Wei"


def test_a_monitor_round_declares_the_emergency_and_tells_the_robot_only_once_it_says_errcode_0(  # type: ignore[no-untyped-def]
        lab: Lab, lab_db: str, colo, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole round: a lab server really stops answering ping; two rounds declare the emergency and the same
    round posts it to the signed robot, whose first verdict (the secret set here is not the robot's) keeps the
    clock running until a later round is accepted."""
    cid, _ = active_contract(lab_db)
    address = Colo(db=lab_db).contract(cid)["placements"][0]["addresses"][0]["ip"]
    monkeypatch.setenv("COLO_SECRET_ACME_DING_PASSWORD", "SEC" + "1" * 64)

    def tick(at: str) -> dict[str, Any]:
        r = colo("--db", lab_db, "--at", at, "monitor", "tick", "--ping-timeout", "0.5", "--json")
        assert r.code == 0, r.err
        assert TOKEN not in r.out and "SEC" + "1" * 64 not in r.out
        return dict(json.loads(r.out))

    with lab_host(address, "robot") as server, \
            robot_service(RobotService("dingtalk", {TOKEN: SECRET}, keyword="colo")) as service:
        _cli(colo, lab_db)("contract", "notify", cid, "--dingtalk", service.url(TOKEN), "--dingtalk-secret", "acme-ding")
        tick("2026-12-07T10:00")
        server.down()
        tick("2026-12-07T10:05")
        declared = tick("2026-12-07T10:10")
        ((emergency, check),) = [(d["emergency"], d["check"]) for d in declared["declared"]]
        (refused,) = declared["notifications"]
        assert check == "network" and not refused["sent"] and "sign not match" in refused["error"]
        monkeypatch.setenv("COLO_SECRET_ACME_DING_PASSWORD", SECRET)  # the technician fixes the secret
        (told,) = tick("2026-12-07T10:15")["notifications"]
        server.up()
        recovered = tick("2026-12-07T10:20")
    assert told["sent"] and told["emergency"] == emergency and recovered["notifications"] == []
    assert [d["emergency"] for d in recovered["recovered"]] == [emergency]
    assert service.answers == [310000, 0] and f"network check of {address}" in service.accepted[0]["text"]["content"]
    incident = _incidents(lab_db)[emergency]
    assert (incident["notified_at"], incident["channel"]) == ("2026-12-07T10:15:00+08:00", "dingtalk")


# --- an answer that is not errcode 0 is not a delivery --------------------------------------------------


@pytest.mark.parametrize(("kind", "robots", "keyword", "secret", "says", "waived"), [
    ("dingtalk", {TOKEN: SECRET}, None, "SEC" + "0" * 64, "errcode 310000: sign not match", None),
    ("dingtalk", {TOKEN: SECRET}, None, None, "errcode 310000: sign not match", None),
    ("dingtalk", {TOKEN: None}, "告警", None, "errcode 310000: keywords not in content", None),
    ("dingtalk", {"another-robot": None}, None, None, "errcode 300001: token is not exist", "contact-invalid"),
    ("wecom", {"another-key": None}, None, None, "errcode 93000: invalid webhook url", "contact-invalid"),
], ids=["bad-signature", "signed-robot-unsigned-message", "keyword", "no-such-token", "no-such-key"])
def test_a_refusal_in_errcode_leaves_the_emergency_unnotified(  # type: ignore[no-untyped-def]
        site_db: str, colo, monkeypatch: pytest.MonkeyPatch, kind: str, robots: dict[str, str | None],
        keyword: str | None, secret: str | None, says: str, waived: str | None) -> None:
    cid = _contract(site_db)
    robot = TOKEN if kind == "dingtalk" else KEY
    with robot_service(RobotService(kind, robots, keyword=keyword)) as service:
        args = ["--dingtalk-secret", "acme-ding"] if secret else []
        if secret:
            monkeypatch.setenv("COLO_SECRET_ACME_DING_PASSWORD", secret)
        _cli(colo, site_db)("contract", "notify", cid, f"--{kind}", service.url(robot), *args)
        (emergency,) = _declare(site_db, cid)
        (attempt,) = _notify(site_db)
    assert service.answers != [0] and len(service.posts) == 1  # the service was asked, and said no
    assert not attempt["sent"] and says in attempt["error"] and attempt["waived"] == waived
    assert robot not in attempt["error"] and (secret or "SEC") not in attempt["error"]
    incident = _incidents(site_db)[emergency]
    assert incident["notified_at"] is None and says in incident["pending"]  # retried next round, clock running


def test_hints_name_the_fix_and_a_missing_secret_sends_nothing(  # type: ignore[no-untyped-def]
        site_db: str, colo, monkeypatch: pytest.MonkeyPatch) -> None:
    cid = _contract(site_db)
    monkeypatch.delenv("COLO_SECRET_ACME_DING_PASSWORD", raising=False)
    monkeypatch.delenv("COLO_SECRETS", raising=False)
    with robot_service(RobotService("dingtalk", {TOKEN: SECRET}, keyword="告警")) as service:
        run = _cli(colo, site_db)
        run("contract", "notify", cid, "--dingtalk", service.url(TOKEN), "--dingtalk-secret", "acme-ding")
        _declare(site_db, cid)
        (missing,) = _notify(site_db)
        assert service.posts == [] and "set COLO_SECRET_ACME_DING_PASSWORD" in missing["error"]
        monkeypatch.setenv("COLO_SECRET_ACME_DING_PASSWORD", SECRET)
        (keyword,) = _notify(site_db, "2026-12-03T10:10")
        assert "keywords not in content" in keyword["error"] and "add the keyword 'colo'" in keyword["error"]
        run("contract", "notify", cid, "--dingtalk", service.url(TOKEN))  # the secret's name forgotten
        service.keyword = "colo"
        (unsigned,) = _notify(site_db, "2026-12-03T10:15")
        assert "sign not match" in unsigned["error"] and "give --dingtalk-secret NAME" in unsigned["error"]
    assert not any(n["sent"] for n in (missing, keyword, unsigned))


@pytest.mark.parametrize(("raw", "says"), [
    (b"<html><body>502 Bad Gateway</body></html>", "the answer has no errcode"),
    (b'{"errmsg": "ok"}', "the answer has no errcode"),
])
def test_a_200_without_a_verdict_is_not_a_delivery(site_db: str, colo, raw: bytes, says: str) -> None:  # type: ignore[no-untyped-def]
    cid = _contract(site_db)
    with robot_service(RobotService("wecom", {KEY: None}), raw=raw) as service:
        _cli(colo, site_db)("contract", "notify", cid, "--wecom", service.url(KEY))
        (emergency,) = _declare(site_db, cid)
        (attempt,) = _notify(site_db)
    assert not attempt["sent"] and says in attempt["error"] and _incidents(site_db)[emergency]["notified_at"] is None


# --- 20 a minute per robot: queued, never dropped, never over the limit ----------------------------------


@pytest.mark.parametrize("kind", ["dingtalk", "wecom"])
def test_a_burst_beyond_the_limit_is_queued_and_sent_when_the_robot_takes_messages_again(  # type: ignore[no-untyped-def]
        site_db: str, colo, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    window = 2.0  # the services' minute, shrunk alike on both sides
    monkeypatch.setattr(im_robots, "PACE", Pace({kind: Limit(20, window, 10.0)}, wait=0.0))
    cid = _contract(site_db)
    robot = TOKEN if kind == "dingtalk" else KEY
    with robot_service(RobotService(kind, {robot: None}, window=window, mute=10.0)) as service:
        _cli(colo, site_db)("contract", "notify", cid, f"--{kind}", service.url(robot))
        declared = _declare(site_db, cid, 25)
        first = _notify(site_db)
        queued = [n["emergency"] for n in first if not n["sent"]]
        assert len(queued) == 5 and all(n["error"].startswith("queued:") and "not yet notified" in n["error"]
                                        and n["waived"] is None for n in first if not n["sent"])
        incidents = _incidents(site_db)
        assert [i for i in declared if incidents[i]["notified_at"] is None] == queued  # the clock runs on for them
        assert all("is at its limit of 20 messages a minute" in incidents[i]["pending"] for i in queued)
        time.sleep(window + 0.2)
        second = _notify(site_db, "2026-12-03T10:10")  # the next round
    assert [(n["emergency"], n["sent"]) for n in second] == [(e, True) for e in queued]
    assert service.answers == [0] * 25 and len(service.accepted) == 25  # never over the limit, none lost
    assert {_incidents(site_db)[e]["notified_at"] for e in queued} == {"2026-12-03T10:10:00+08:00"}


def test_within_a_round_a_message_waits_for_its_slot(site_db: str, colo, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    window = 1.5
    monkeypatch.setattr(im_robots, "PACE", Pace({"dingtalk": Limit(20, window, 10.0)}, wait=5.0))
    cid = _contract(site_db)
    with robot_service(RobotService("dingtalk", {TOKEN: None}, window=window, mute=10.0)) as service:
        _cli(colo, site_db)("contract", "notify", cid, "--dingtalk", service.url(TOKEN))
        _declare(site_db, cid, 30)
        started = time.monotonic()
        sent = _notify(site_db)
        took = time.monotonic() - started
    assert all(n["sent"] for n in sent) and service.answers == [0] * 30
    assert took >= window - 0.1  # the 21st waited for the first to leave the window


def test_a_robot_that_says_too_fast_is_left_alone_for_its_mute_then_retried(  # type: ignore[no-untyped-def]
        site_db: str, colo, monkeypatch: pytest.MonkeyPatch) -> None:
    mute = 1.5
    monkeypatch.setattr(im_robots, "PACE", Pace({"dingtalk": Limit(20, 60.0, mute)}, wait=0.0))
    cid = _contract(site_db)
    with robot_service(RobotService("dingtalk", {TOKEN: None}, mute=mute)) as service:
        service.muted_until[TOKEN] = time.monotonic() + mute  # another sender exceeded the limit just now
        _cli(colo, site_db)("contract", "notify", cid, "--dingtalk", service.url(TOKEN))
        (emergency,) = _declare(site_db, cid)
        (refused,) = _notify(site_db)
        assert not refused["sent"] and refused["error"].startswith("queued:") and "errcode 130101" in refused["error"]
        assert refused["waived"] is None and _incidents(site_db)[emergency]["notified_at"] is None
        (held,) = _notify(site_db, "2026-12-03T10:06")
        assert not held["sent"] and len(service.posts) == 1  # not asked again while it refuses this robot
        time.sleep(mute + 0.2)
        (sent,) = _notify(site_db, "2026-12-03T10:10")
    assert sent["sent"] and service.answers == [130101, 0]
    assert _incidents(site_db)[emergency]["notified_at"] == "2026-12-03T10:10:00+08:00"


# --- recording the contact: bad input changes nothing ---------------------------------------------------


@pytest.mark.parametrize(("args", "says"), [
    (("--dingtalk", "gopher://oapi.dingtalk.com/robot/send?access_token=T"), "give the robot's webhook address"),
    (("--dingtalk", "https://oapi.dingtalk.com/robot/send"), "e.g. https://oapi.dingtalk.com/robot/send?access_token="),
    (("--dingtalk", "http://[::1/robot/send?access_token=T"), "give the robot's webhook address"),
    (("--dingtalk", "https://me:pw@oapi.dingtalk.com/robot/send?access_token=T"), "give the robot's webhook address"),
    (("--wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?token=K"), "?key=..."),
    (("--dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=T", "--dingtalk-secret", SECRET),
     "the NAME of a secret, not the SEC... value"),
    (("--dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=T", "--dingtalk-secret", "a b"),
     "give a secret's name"),
    (("--wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K", "--dingtalk-secret", "x"),
     "--dingtalk-secret goes with --dingtalk only"),
    (("--dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=T", "--wecom",
      "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K"), "give exactly one of"),
])
def test_bad_robot_contacts_are_refused_and_change_nothing(site_db: str, colo, args: tuple[str, ...],  # type: ignore[no-untyped-def]
                                                           says: str) -> None:
    cid = _contract(site_db)
    before = colo("--db", site_db, "monitor", "show", cid, "--json").out
    r = colo("--db", site_db, "contract", "notify", cid, *args)
    assert r.code == 2 and says in r.err and len(r.err.strip().splitlines()) == 1, r.err
    assert SECRET not in r.err + r.out
    assert colo("--db", site_db, "monitor", "show", cid, "--json").out == before

