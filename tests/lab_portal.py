"""The customer portal as tests drive it: two customers' scene, the real server in its own process, an HTTP client."""

from __future__ import annotations

import http.client
import os
import re
import select
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from sqlalchemy import select as sql_select

from provision.api import Colo
from provision.store.schema import PortalCredential
from tests.conftest import order

COLO = Path(sys.executable).with_name("colo")
AT = "2026-12-15T12:00"
ACME, OTHER = "ACME <b>Hosting</b>", "Other Customer Ltd"
SECRET, OTHER_SECRET = "correct horse battery", "other customer's secret"
OTHER_TICKET = "OTHER-CUSTOMER-PRIVATE fault"
HOSTILE = "<script>alert(1)</script>"


@dataclass
class Scene:
    db: str
    acme: list[str]  # two contracts of one customer
    other: str  # another customer's


def make_scene(db: str) -> Scene:
    """Two customers with a portal credential each; ACME has two contracts and an open fault."""
    api = Colo(db=db, at="2026-11-24T10:00")
    acme = [api.sign(order(ACME))["id"] for _ in range(2)]
    other = api.sign(order(OTHER))["id"]
    api.set_portal_secret(acme[0], SECRET)
    api.set_portal_secret(other, OTHER_SECRET)
    api.open_ticket(acme[0], f"port flapping {HOSTILE}")
    api.open_ticket(other, OTHER_TICKET)
    return Scene(db, acme, other)


@contextmanager
def portal(db: str, tmp_path: Path, *extra: str, at: str = AT) -> Iterator[str]:
    """`colo portal serve` on a free port, in its own process; yields its base URL."""
    errors = (tmp_path / "portal.err").open("w")
    proc = subprocess.Popen([str(COLO), "--db", db, "--at", at, "portal", "serve", "--listen", "127.0.0.1:0",
                             "--key-file", str(tmp_path / "portal.key"), *extra],
                            stdout=subprocess.PIPE, stderr=errors, stdin=subprocess.DEVNULL, text=True,
                            env=os.environ | {"COLO_USER": "tester"})
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        line = proc.stdout.readline() if ready else ""
        started = re.search(r"listening on (http://\S+) ", line)
        assert started, f"portal did not start: {line!r} {(tmp_path / 'portal.err').read_text()}"
        yield started.group(1)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        errors.close()


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: str

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    @property
    def everything(self) -> str:
        return "\n".join(f"{k}: {v}" for k, v in self.headers) + "\n" + self.body


@dataclass
class Client:
    """A browser's cookie jar over http.client, from one loopback address; every reply kept in `seen`."""

    base: str
    source: str = "127.0.0.1"
    cookies: dict[str, str] = field(default_factory=dict)
    seen: list[Reply] = field(default_factory=list)

    def request(self, method: str, path: str, form: dict[str, str] | None = None,
                headers: dict[str, str] | None = None) -> Reply:
        url = urlsplit(self.base)
        conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=60, source_address=(self.source, 0))
        sent = {"Content-Type": "application/x-www-form-urlencoded"} if form is not None else {}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, None if form is None else urlencode(form), sent | (headers or {}))
            response = conn.getresponse()
            reply = Reply(response.status, response.getheaders(), response.read().decode())
        finally:
            conn.close()
        for name, value in reply.headers:
            if name.lower() == "set-cookie":
                self._keep(value)
        self.seen.append(reply)
        return reply

    def _keep(self, header: str) -> None:
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            if morsel.value and morsel["max-age"] != "0":
                self.cookies[name] = morsel.value
            else:
                self.cookies.pop(name, None)

    def get(self, path: str, **headers: str) -> Reply:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, form: dict[str, str], **headers: str) -> Reply:
        return self.request("POST", path, form, headers)

    def token(self, path: str = "/login") -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.get(path).body)
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def login(self, username: str, password: str, **headers: str) -> Reply:
        return self.post("/login", {"csrf_token": self.token(), "username": username, "password": password}, **headers)


def audit(db: str, action: str) -> list[dict[str, Any]]:
    return [r for r in Colo(db=db).audit() if r["action"] == action]


def stored_secrets(db: str) -> list[str]:
    with Colo(db=db).context.store.session() as s:
        return [v for c in s.scalars(sql_select(PortalCredential)) for v in (c.salt, c.hash)]
