"""DingTalk (钉钉) and WeCom (企业微信) group robots: the chat groups Chinese operators and customers watch.

A robot is a webhook URL whose query carries its key (DingTalk `access_token`, WeCom
`key`); a DingTalk robot whose security setting is 加签 also needs a signing secret,
which is never stored: the contact names it (`URL secret=NAME`) and its value comes from
`COLO_SECRET_<NAME>_PASSWORD` or the COLO_SECRETS file, like any device secret.

Both services answer HTTP 200 to almost everything and put the verdict in the body's
`errcode`: only `errcode` 0 is delivery. Anything else — a bad signature, a missing
keyword, an unknown token, an HTML page from a proxy — is a failed delivery, retried
next round, so the 15-minute report clock is never stopped by a message nobody saw.

Each robot takes at most 20 messages a minute; DingTalk mutes one that sends more for
10 minutes. So messages to one robot are paced here (`Pace`): a message beyond the limit
waits for its slot while the round allows (`Pace.wait`), else it is *queued* — not
delivered, not notified, tried again next round. A robot that answers "too fast" anyway
(another process used it) is left alone for its mute period rather than kept muted.
Messages are plain `text`: names and URLs from the store reach the group verbatim,
where markdown would turn a `*` or `[...]` in them into formatting or links.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from provision.errors import BadInput
from provision.secrets import env_name, resolve

ROBOTS = ("dingtalk", "wecom")
NAMES = {"dingtalk": "DingTalk", "wecom": "WeCom"}
_KEY = {"dingtalk": "access_token", "wecom": "key"}  # the query parameter that identifies the robot
_EXAMPLE = {"dingtalk": "https://oapi.dingtalk.com/robot/send?access_token=...",
            "wecom": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=..."}
_SECRET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_SECRET_VALUE = re.compile(r"SEC[0-9a-f]{32,}")  # what DingTalk's 加签 setting shows: the value, not a name
CONTENT_BYTES = 2048  # WeCom's limit for a text message (DingTalk's is larger); our messages are well under it
KEYWORD = "[colo]"  # every message starts with it: a robot secured by keyword (自定义关键词) can be set to "colo"
# Answers that say the robot itself is gone or never was: the contact on record is wrong (SLA §4.7).
GONE = {"dingtalk": {300001}, "wecom": {93000}}  # "token is not exist", "invalid webhook url"
TOO_FAST = {"dingtalk": 130101, "wecom": 45009}


@dataclass(frozen=True)
class Robot:
    """One group robot as a contact: its webhook URL and, for a signed DingTalk robot, its secret's name."""

    kind: str
    url: str
    secret: str | None = None

    @classmethod
    def parse(cls, kind: str, target: str, secret: str | None = None) -> Robot:
        """A robot as given (`--dingtalk URL --dingtalk-secret NAME`) or as stored (`URL secret=NAME`)."""
        url, _, rest = target.strip().partition(" ")
        if rest:
            if secret is not None or not rest.startswith("secret=") or " " in rest:
                raise BadInput(f"--{kind} {_masked(url)!r}: give the robot's URL alone; name its signing secret with "
                               f"--{kind}-secret NAME")
            secret = rest.removeprefix("secret=")
        robot = cls(kind, url, secret)
        robot._check()
        return robot

    def _check(self) -> None:
        try:
            parts = urlsplit(self.url)
            host = parts.hostname if parts.port != 0 else None  # .port raises on a port out of range
        except ValueError:  # an unclosed [IPv6 literal, a bad port
            parts, host = urlsplit(""), None
        keys = dict(parse_qsl(parts.query))
        if (parts.scheme not in ("http", "https") or not host or "@" in parts.netloc or not self.url.isascii()
                or not self.url.isprintable() or not keys.get(_KEY[self.kind])):
            raise BadInput(f"--{self.kind} {_masked(self.url)!r}: give the robot's webhook address as the group's "
                           f"robot settings show it, e.g. {_EXAMPLE[self.kind]}")
        if self.secret is None:
            return
        if self.kind != "dingtalk":
            raise BadInput(f"--{self.kind}-secret: {NAMES[self.kind]} robots are not signed; give the URL alone")
        if _SECRET_VALUE.fullmatch(self.secret):
            raise BadInput("--dingtalk-secret: give the NAME of a secret, not the SEC... value itself: put the value "
                           "in COLO_SECRET_<NAME>_PASSWORD (or under NAME in the COLO_SECRETS file)")
        if not _SECRET_NAME.fullmatch(self.secret):
            raise BadInput(f"--dingtalk-secret {self.secret!r}: give a secret's name, letters, digits, . _ - "
                           f"(its value goes in COLO_SECRET_<NAME>_PASSWORD)")

    def stored(self) -> str:
        """The contact as the store keeps it: the URL, and the secret's name (never its value)."""
        return self.url if self.secret is None else f"{self.url} secret={self.secret}"

    def shown(self) -> str:
        """The robot as output and the audit trail may show it: its key masked, the secret's name kept."""
        return _masked(self.url) + (f" secret={self.secret}" if self.secret else "")

    @property
    def key(self) -> str:
        """Which robot this is, for pacing: its key (two contacts may share one group's robot)."""
        return f"{self.kind}:{dict(parse_qsl(urlsplit(self.url).query)).get(_KEY[self.kind], '')}"


def _masked(url: str) -> str:
    """A webhook URL with every query value masked (the key is in the query); an unparsable one entirely."""
    try:
        parts = urlsplit(url.replace("\n", " ").replace("\r", " "))
        query = "&".join(f"{p.partition('=')[0]}=***" for p in parts.query.split("&") if p)
        return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}" + (f"?{query}" if query else "")
    except ValueError:
        return "***"


def shown(target: str) -> str:
    """A stored robot contact, masked; a malformed one (edited in the store by hand) masked whole."""
    url, _, rest = target.partition(" ")
    return _masked(url) + (f" {rest}" if rest.startswith("secret=") and " " not in rest else "")


def message(kind: str, subject: str, body: str, mention: str | None = None) -> dict[str, Any]:
    """The robot's JSON body: a `text` message, keyword first, cut to what the service takes, @-mentioning the
    `mention` mobile (DingTalk also wants "@number" in the text, where the mention shows)."""
    mobiles = [] if mention is None else [mobile_number(mention)]
    at = "".join(f"@{m} " for m in mobiles) if kind == "dingtalk" else ""
    content = f"{KEYWORD} {at}{subject}\n\n{body}".encode()
    if len(content) > CONTENT_BYTES:
        content = content[:CONTENT_BYTES - 3].decode("utf-8", "ignore").encode() + "…".encode()
    text: dict[str, Any] = {"content": content.decode()}
    payload: dict[str, Any] = {"msgtype": "text", "text": text}
    if kind == "dingtalk":
        payload["at"] = {"atMobiles": mobiles, "isAtAll": False}
    elif mobiles:
        text["mentioned_mobile_list"] = mobiles
    return payload


def mobile_number(number: str) -> str:
    """A mobile number as the robots match group members by it: digits only, no +86 / 0086 country code."""
    digits = "".join(c for c in number if c.isdigit())
    return digits[2:] if len(digits) == 13 and digits.startswith("86") else digits.removeprefix("0086")


def sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: HMAC-SHA256 keyed by the secret over "timestamp\\nsecret", base64, then URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote(base64.b64encode(digest).decode("ascii"), safe="")


class RobotRefused(OSError):
    """The robot service's verdict on one message: a non-zero `errcode` (or no verdict at all)."""

    def __init__(self, kind: str, errcode: int | None, errmsg: str) -> None:
        super().__init__(f"{NAMES[kind]} answered errcode {errcode}: {errmsg}" if errcode is not None
                         else f"{NAMES[kind]} gave no verdict: {errmsg}")
        self.kind, self.errcode = kind, errcode

    @property
    def gone(self) -> bool:
        return self.errcode in GONE[self.kind]

    @property
    def too_fast(self) -> bool:
        return self.errcode == TOO_FAST[self.kind]


class Queued(str):
    """A message not sent yet because its robot is at its rate limit: retried next round, not a failure of the
    address, and not a notification either (the 15-minute clock runs on)."""

    __slots__ = ()


@dataclass(frozen=True)
class Limit:
    """A robot service's published limit: `count` messages per `window` seconds; `mute`: how long it refuses
    a robot that sent more."""

    count: int
    window: float
    mute: float


LIMITS = {"dingtalk": Limit(20, 60.0, 600.0), "wecom": Limit(20, 60.0, 60.0)}


@dataclass
class _Send:
    """One message's turn: when it may go, and when its answer came (None while in flight)."""

    at: float
    done: float | None = None


@dataclass
class Pace:
    """Per robot, its recent messages, so none goes beyond its service's limit.

    The service counts a message when it arrives, somewhere between our request and its
    answer; so a new message goes only a full window after the *answer* to the message
    `count` places back, and waits while that one is still in flight. Process-wide and
    thread-safe: `colo monitor run` delivers several notifications at once and keeps this
    between rounds. `wait` is how long a message may wait for its turn within one delivery
    run (under half a monitor period, so the next round is not held up); beyond it, queued.
    """

    limits: dict[str, Limit] = field(default_factory=lambda: dict(LIMITS))
    wait: float = 120.0
    _sent: dict[str, deque[_Send]] = field(default_factory=dict)
    _muted: dict[str, float] = field(default_factory=dict)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def turn(self, robot: Robot) -> _Send | None:
        """Reserve the robot's next turn within `wait` (call `done` after the answer), else None: queue it."""
        limit = self.limits[robot.kind]
        deadline = time.monotonic() + self.wait
        with self._changed:
            while True:
                at = self._free_at(robot, limit)
                if at is not None and at <= max(deadline, time.monotonic()):  # free now, even with no wait
                    send = _Send(at)
                    self._sent[robot.key].append(send)
                    return send
                now = time.monotonic()
                if at is not None or now >= deadline:
                    return None
                self._changed.wait(deadline - now)  # the message `count` back is in flight: wait for its answer

    def _free_at(self, robot: Robot, limit: Limit) -> float | None:
        """When the robot may take the next message (monotonic); None: not known until an answer comes."""
        now = time.monotonic()
        sent = self._sent.setdefault(robot.key, deque())
        while sent and sent[0].done is not None and sent[0].done <= now - limit.window:
            sent.popleft()
        at = max(now, self._muted.get(robot.key, now))
        if len(sent) < limit.count:
            return at
        done = sent[-limit.count].done
        return None if done is None else max(at, done + limit.window)

    def done(self, send: _Send) -> None:
        with self._changed:
            send.done = time.monotonic()
            self._changed.notify_all()

    def muted(self, robot: Robot) -> None:
        """The robot said "too fast": leave it alone for its mute period."""
        with self._changed:
            self._muted[robot.key] = time.monotonic() + self.limits[robot.kind].mute

    def free_in(self, robot: Robot) -> float:
        """Seconds until the robot takes messages again, for telling a technician."""
        with self._changed:
            limit = self.limits[robot.kind]
            at = self._free_at(robot, limit)
            return limit.window if at is None else at - time.monotonic()


PACE = Pace()


def deliver(kind: str, target: str, subject: str, body: str, mention: str | None = None,
            timeout: float = 10.0) -> str | None:
    """Send one message to a robot (@-mentioning the `mention` mobile): None when its service answered errcode 0,
    a `Queued` reason when its rate limit holds it back; raises RobotRefused / OSError when it failed (the
    caller words and masks that)."""
    robot = Robot.parse(kind, target)
    turn = PACE.turn(robot)
    if turn is None:
        return _queued(robot, f"is at its limit of {PACE.limits[kind].count} messages a minute")
    time.sleep(max(0.0, turn.at - time.monotonic()))
    try:
        _post(robot, message(kind, subject, body, mention), timeout)
    except RobotRefused as exc:
        if not exc.too_fast:
            raise
        PACE.muted(robot)
        return _queued(robot, f"answered errcode {exc.errcode} (sending too fast)")
    finally:
        PACE.done(turn)
    return None


def _queued(robot: Robot, why: str) -> Queued:
    left = max(0, round(PACE.free_in(robot)))
    return Queued(f"queued: {NAMES[robot.kind]} robot {robot.shown()} {why}; sent when it takes messages again "
                  f"(in {left} s), not yet notified")


def _post(robot: Robot, payload: dict[str, Any], timeout: float) -> None:
    url = robot.url
    if robot.secret is not None:
        credentials = resolve(robot.secret)
        if credentials.password is None:
            raise BadInput(f"DingTalk robot {robot.shown()}: secret {robot.secret!r} has no value here: set "
                           f"{env_name(robot.secret, 'password')} to the robot's SEC... signing secret")
        stamp = int(time.time() * 1000)
        url += f"&timestamp={stamp}&sign={sign(credentials.password.reveal(), stamp)}"
    request = urllib.request.Request(url, data=json.dumps(payload, ensure_ascii=False).encode(), method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8",
                                              "User-Agent": "colo-monitor"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # http(s) only: Robot._check refused the rest
            raw = answer.read(65536)
    except urllib.error.HTTPError as exc:
        raise RobotRefused(robot.kind, None, f"HTTP {exc.code}") from None
    try:
        verdict = json.loads(raw)
        errcode, errmsg = int(verdict["errcode"]), str(verdict.get("errmsg", ""))
    except (ValueError, TypeError, KeyError):
        raise RobotRefused(robot.kind, None, "the answer has no errcode (is the URL the robot's webhook?)") from None
    if errcode != 0:
        token = dict(parse_qsl(urlsplit(robot.url).query)).get(_KEY[robot.kind], "")
        raise RobotRefused(robot.kind, errcode, " ".join(errmsg.replace(token, "***").split())[:160]
                           + _hint(robot, errmsg))


def _hint(robot: Robot, errmsg: str) -> str:
    """What to fix for DingTalk's security-setting refusals (errcode 310000 covers all three kinds)."""
    text = errmsg.lower()
    if "sign" in text or "签名" in errmsg or "timestamp" in text:
        return (f" (check that secret {robot.secret!r} holds this robot's SEC... signing secret and the monitor's "
                f"clock is right)" if robot.secret else " (the robot is signed: give --dingtalk-secret NAME)")
    if "keyword" in text or "关键词" in errmsg:
        return f" (add the keyword {KEYWORD.strip('[]')!r} to the robot's security settings)"
    return ""
