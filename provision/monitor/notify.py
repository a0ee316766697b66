"""Telling the customer's contact about an emergency: email over SMTP, a webhook for SMS/IM gateways, or a
DingTalk / WeCom group robot (provision.monitor.im_robots).

A phone call cannot be automated here: the monitor lists it and a technician logs the
call (`colo emergency notified`). Delivery is "accepted by the next hop" — the SMTP
server's 250, the gateway's 2xx, the robot service's `errcode` 0 — which is what the
15-minute report clock can honestly prove. Headers are built by `email.message`, which
refuses line breaks, so nothing from the store can inject a header; the SMTP password
never leaves its Secret except on the wire.
"""

from __future__ import annotations

import base64
import json
import re
import smtplib
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from provision.errors import BadInput
from provision.monitor import im_robots
from provision.secrets import Credentials

CHANNELS = ("email", "webhook", *im_robots.ROBOTS, "phone")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}")
_PHONE = re.compile(r"\+?[0-9][0-9 -]{4,30}")


def check_target(channel: str, target: str) -> str:
    """A contact as given on the command line; the error names the option and the fix."""
    target = target.strip()
    if channel == "email" and not _EMAIL.fullmatch(target):
        raise BadInput(f"--email {target!r}: give one address like noc@example.com")
    if channel == "webhook":
        url = urlsplit(target)
        if url.scheme not in ("http", "https") or not url.hostname or any(c in target for c in " \r\n\t"):
            raise BadInput(f"--webhook {shown(channel, target)!r}: give an http:// or https:// URL of the SMS/IM "
                           f"gateway")
    if channel == "phone" and not _PHONE.fullmatch(target):
        raise BadInput(f"--phone {target!r}: give a phone number, digits with an optional leading +")
    if channel in im_robots.ROBOTS:
        return im_robots.Robot.parse(channel, target).stored()
    if channel not in CHANNELS:
        raise BadInput(f"channel {channel!r}: give one of {', '.join(CHANNELS)}")
    return target


def shown(channel: str, target: str | None) -> str | None:
    """A contact as output, logs and the audit trail may show it.

    SMS/IM gateways take their API key in the webhook URL's query or user part, so those
    are masked (query names kept, to tell gateways apart); the store keeps the URL whole,
    to deliver. A key in the URL's path stays visible: give such gateways a key by query.
    """
    if channel in im_robots.ROBOTS and target is not None:
        return im_robots.shown(target)
    if channel != "webhook" or target is None:
        return target
    url = urlsplit(target.replace("\n", " ").replace("\r", " "))
    host = url.netloc.rpartition("@")[2]
    query = "&".join(f"{part.partition('=')[0]}=***" if "=" in part else "***" for part in url.query.split("&") if part)
    return urlunsplit((url.scheme, ("***@" if "@" in url.netloc else "") + host, url.path, query, ""))


@dataclass(frozen=True)
class Mailer:
    """Where emergency mail goes out: `host:port`, the sender, optional login (STARTTLS first)."""

    host: str
    port: int
    sender: str
    login: Credentials | None = None
    timeout: float = 10.0

    @classmethod
    def parse(cls, server: str, sender: str, login: Credentials | None = None) -> Mailer:
        host, _, port = server.rpartition(":")
        if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
            raise BadInput(f"--smtp {server!r}: give host:port of the mail relay, e.g. 127.0.0.1:25")
        if not sender.strip():  # a relay refuses a made-up sender, and customers reply to it
            raise BadInput("--smtp needs --mail-from ADDR (or COLO_MAIL_FROM): the sender customers see and reply to")
        if not _EMAIL.fullmatch(sender.strip()):
            raise BadInput(f"--mail-from {sender!r}: give one sender address like noc@example.com")
        return cls(host, int(port), sender.strip(), login)

    def send(self, to: str, subject: str, body: str) -> None:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self.sender, to, subject
        msg["Date"], msg["Message-ID"] = formatdate(localtime=True), make_msgid(domain="colo.monitor")
        msg.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.login is not None:
                smtp.starttls(context=ssl.create_default_context())
                user, password = self.login.require("username", "password").username, self.login.password
                assert user is not None and password is not None
                smtp.login(user, password.reveal())
            smtp.send_message(msg)


def send(channel: str, to: str, mailer: Mailer | None, subject: str, body: str,
         payload: dict[str, Any], mention: str | None = None) -> str | None:
    """Email, webhook or group robot, whatever the news: None when the next hop accepted it, else why not
    (an `im_robots.Queued` reason when a robot's rate limit holds the message back). `mention`: a mobile
    number a group robot's message @-mentions.

    The reason is kept in the store and listed, so a gateway key in the URL is masked in it.
    """
    try:
        if channel == "email":
            if mailer is None:
                return "no mail relay configured: give --smtp HOST:PORT --mail-from ADDR (or COLO_SMTP, COLO_MAIL_FROM)"
            mailer.send(to, subject, body)
        elif channel in im_robots.ROBOTS:
            return im_robots.deliver(channel, to, subject, body, mention)
        else:
            post_webhook(to, payload)
    except BadInput as exc:  # a robot's signing secret not set where the monitor runs: retried once it is
        if channel not in im_robots.ROBOTS:
            raise
        return f"{channel} to {shown(channel, to)} failed: {exc}"
    except (OSError, ValueError) as exc:  # smtplib's errors are OSErrors; so are refused connections
        safe = shown(channel, to) or ""
        why = f"{channel} to {safe} failed: {str(exc).replace(to, safe)}"
        return RecipientRefused(why) if refuses_recipient(exc) else why
    return None


class RecipientRefused(str):
    """A failed delivery's reason when the next hop refused the address itself, for good: the contact on
    record is out of date or wrong (which waives the 15-minute emergency report, SLA §4.7)."""

    __slots__ = ()


_ADDRESS_STATUS = re.compile(rb"\s*5\.1\.\d{1,3}\b")  # RFC 3463 X.1.X: addressing status (5.1.1 no such user, ...)


def refuses_recipient(exc: BaseException) -> bool:
    """Whether a delivery failed because the recipient's address is invalid, as the next hop said so for good.

    SMTP: a 5xx reply to RCPT whose enhanced status is 5.1.x (bad mailbox, bad domain, moved), or a bare
    550/551/553 there (mailbox unavailable, not local, name not allowed: RFC 5321) unless it speaks of relaying;
    at DATA (relays that check recipients late) only 5.1.x. Not 5.7.x ("relaying denied": our relay refuses
    us), nor 4xx (try again). Webhook: HTTP 410 Gone, the gateway's own word that the address
    is no more; a 404 is also what a gateway answers mid-deployment, so it stays an ordinary failure.
    Group robot: the service's errcode for a robot that does not exist (a deleted robot, a wrong token);
    not a bad signature or keyword, which are the sender's set-up.
    """
    if isinstance(exc, im_robots.RobotRefused):
        return exc.gone
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return bool(exc.recipients) and all(
            500 <= code < 600 and (bool(_ADDRESS_STATUS.match(text)) or (
                code in (550, 551, 553) and not re.match(rb"\s*\d\.", text) and b"relay" not in text.lower()))
            for code, text in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPDataError):
        return 500 <= exc.smtp_code < 600 and bool(_ADDRESS_STATUS.match(exc.smtp_error))
    return isinstance(exc, WebhookRefused) and exc.status == 410


class WebhookRefused(OSError):
    """A gateway's non-2xx answer, with its status."""

    def __init__(self, status: int) -> None:
        super().__init__(f"webhook answered HTTP {status}")
        self.status = status


def post_webhook(url: str, payload: dict[str, Any], timeout: float = 10.0) -> None:
    """POST the event (an emergency, a stop-service notice) as JSON; anything but a 2xx answer is a failed delivery."""
    address, authorization = _credentials_apart(url)
    request = urllib.request.Request(address, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "User-Agent": "colo-monitor"})
    if authorization is not None:  # unredirected: a redirect to another host does not take the key along
        request.add_unredirected_header("Authorization", authorization)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # http(s) only: check_target refused the rest
            if not 200 <= answer.status < 300:
                raise WebhookRefused(answer.status)
    except urllib.error.HTTPError as exc:
        raise WebhookRefused(exc.code) from None


def _credentials_apart(url: str) -> tuple[str, str | None]:
    """The URL without its user part, and that part as an HTTP Basic Authorization header.

    Gateways that take their key in the user part (`https://KEY@host/`, `https://user:KEY@host/`)
    read it from Basic auth, as curl sends it; urllib alone would ask the resolver for the
    host name `user:KEY@host`.
    """
    parts = urlsplit(url)
    user, at, host = parts.netloc.rpartition("@")
    if not at:
        return url, None
    name, _, password = user.partition(":")
    token = base64.b64encode(f"{unquote(name)}:{unquote(password)}".encode()).decode("ascii")
    return urlunsplit(parts._replace(netloc=host)), f"Basic {token}"
