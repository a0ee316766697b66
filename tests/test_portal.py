"""The customer portal (issue 14), over real HTTP against `colo portal serve` in its own process.

Each test starts the real server (Flask on waitress) on a free loopback port and talks to it
with the standard library's HTTP client, cookies kept by hand so every Set-Cookie attribute
is visible. Logins come from several loopback addresses (127.0.0.2, …) to tell the
per-address lockout from the per-user one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select as sql_select

from provision.api import Colo
from provision.store.schema import PortalCredential
from tests.conftest import EXAMPLE, Result, order
from tests.lab_portal import (
    OTHER,
    OTHER_SECRET,
    OTHER_TICKET,
    SECRET,
    Client,
    Scene,
    audit,
    make_scene,
    portal,
    stored_secrets,
)


@pytest.fixture
def scene(site_db: str) -> Scene:
    """On SQLite and on PostgreSQL."""
    return make_scene(site_db)


@pytest.fixture
def lite(tmp_path: Path) -> Scene:
    """On SQLite only: for what does not depend on the back end."""
    db = str(tmp_path / "colo.db")
    Colo(db=db).init(str(EXAMPLE))
    return make_scene(db)


def test_a_customer_sees_its_own_contracts_and_nothing_of_anyone_else(scene: Scene, tmp_path: Path) -> None:
    with portal(scene.db, tmp_path) as base:
        c = Client(base)
        assert (c.get("/").status, c.seen[-1].header("Location")) == (303, "/login")
        r = c.login(scene.acme[0], SECRET)
        assert (r.status, r.header("Location")) == (303, "/")
        cookie = r.header("Set-Cookie") or ""
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie  # plain HTTP: not Secure

        home = c.get("/")
        assert home.status == 200 and all(f'href="/contract/{cid}"' in home.body for cid in scene.acme)
        assert "ACME &lt;b&gt;Hosting&lt;/b&gt;" in home.body

        # the credential is the customer's: each of its contracts opens, with graphs, SLA and open faults
        for cid in scene.acme:
            page = c.get(f"/contract/{cid}")
            assert page.status == 200
            spans = re.findall(r'<svg [^>]*class="traffic" data-span="(\w+)"', page.body)
            assert spans == ["day", "week", "month", "year"]  # one port each, MRTG's four graphs
            assert f'data-contract="{cid}"' in page.body and "within 99.9 %" in page.body  # the month's SLA report
        first = c.seen[-2].body
        assert "port flapping &lt;script&gt;" in first and "<script" not in first and 'data-ticket="T1"' in first

        theirs, nobody = c.get(f"/contract/{scene.other}"), c.get("/contract/C2099-0042")
        assert theirs.status == nobody.status == 404
        assert theirs.body == nobody.body and scene.other not in theirs.everything  # no tell that it exists

        key = (tmp_path / "portal.key").read_text().strip()
        assert (tmp_path / "portal.key").stat().st_mode & 0o777 == 0o600
        for reply in c.seen:
            for secret in (SECRET, OTHER_SECRET, key, *stored_secrets(scene.db), OTHER, OTHER_TICKET, scene.other):
                assert secret not in reply.everything


def test_wrong_passwords_are_401_then_a_lockout_429_each_audited(scene: Scene, tmp_path: Path) -> None:
    with portal(scene.db, tmp_path) as base:
        c = Client(base)
        for attempt in range(4):
            r = c.login(scene.acme[0], f"guess {attempt}")
            assert r.status == 401 and "Wrong user name or password." in r.body
        r = c.login(scene.acme[0], "guess 4")
        assert r.status == 429 and r.header("Retry-After") == "900" and "try again in 15 minutes" in r.body
        assert c.login(scene.acme[0], SECRET).status == 429  # locked: even the right credential waits
        assert c.get("/").status == 303
    refused, locked = audit(scene.db, "portal.login_refused"), audit(scene.db, "portal.login_locked")
    assert len(refused) == 5 and len(locked) == 1
    assert all(f"user '{scene.acme[0]}' from 127.0.0.1" in r["detail"] for r in refused + locked)
    assert "locked out for 900 s" in refused[-1]["detail"]
    assert not any(f"guess {n}" in r["detail"] or SECRET in r["detail"] for r in refused + locked for n in range(5))
    assert not audit(scene.db, "portal.login")


def test_lockout_counts_per_user_name_and_per_address(lite: Scene, tmp_path: Path) -> None:
    with portal(lite.db, tmp_path) as base:
        # one user name guessed from five addresses: that name is locked wherever the next attempt comes from
        for n in range(5):
            assert Client(base, f"127.0.0.{10 + n}").login(lite.other, "guess").status in (401, 429)
        assert Client(base, "127.0.0.20").login(lite.other, OTHER_SECRET).status == 429
        # one address guessing five user names: that address is locked, for every user name
        for n in range(5):
            Client(base, "127.0.0.30").login(f"nobody-{n}", "guess")
        assert Client(base, "127.0.0.30").login(lite.acme[0], SECRET).status == 429
        assert Client(base, "127.0.0.31").login(lite.acme[0], SECRET).status == 303  # the customer, elsewhere: fine
    assert len(audit(lite.db, "portal.login_locked")) == 2


def test_every_form_needs_the_sessions_csrf_token(lite: Scene, tmp_path: Path) -> None:
    with portal(lite.db, tmp_path) as base:
        c, stranger = Client(base), Client(base)
        form = {"username": lite.acme[0], "password": SECRET}
        assert c.post("/login", form).status == 400  # no token, no session
        c.token()
        assert c.post("/login", form | {"csrf_token": stranger.token()}).status == 400  # another session's token
        assert "came from another site" in c.seen[-1].body
        assert c.login(lite.acme[0], SECRET).status == 303
        assert c.post("/logout", {}).status == 400 and c.get("/").status == 200  # still signed in
        assert c.post("/logout", {"csrf_token": c.token("/")}).status == 303
        assert (c.get("/").status, c.seen[-1].header("Location")) == (303, "/login")
    assert not audit(lite.db, "portal.login_refused")  # a form without its token never reached the password check


def test_unknown_paths_bad_input_and_the_signed_out(lite: Scene, tmp_path: Path) -> None:
    with portal(lite.db, tmp_path) as base:
        c = Client(base)
        for path in (f"/contract/{lite.other}", "/contract/C2099-0042", "/"):  # signed out: the login page, whatever it is
            assert (c.get(path).status, c.seen[-1].header("Location")) == (303, "/login")
        assert c.post("/login", {"csrf_token": c.token(), "username": "", "password": ""}).status == 400
        assert c.login(lite.acme[0], SECRET).status == 303
        assert c.get("/nope").status == 404 and c.get("/contract/not-an-id").status == 404
        bad = c.get(f"/contract/{lite.acme[0]}?month=2026-13")
        assert bad.status == 400 and re.search(r'id="message">month must be YYYY-MM, e.g. 2026-12.<', bad.body)
        assert c.get(f"/contract/{lite.acme[0]}?month=2027-01").status == 400  # not begun yet
        november = c.get(f"/contract/{lite.acme[0]}?month=2026-11")
        assert november.status == 200 and f'href="/contract/{lite.acme[0]}?month=2026-12"' in november.body
        assert c.get("/logout").status == 405
        for reply in c.seen:
            assert reply.header("Content-Security-Policy") and reply.header("X-Frame-Options") == "DENY"
            assert "Traceback" not in reply.body


def test_a_new_credential_ends_the_sessions_of_the_old_one(lite: Scene, tmp_path: Path) -> None:
    with portal(lite.db, tmp_path) as base:
        c = Client(base)
        assert c.login(lite.acme[0], SECRET).status == 303 and c.get("/").status == 200
        Colo(db=lite.db).set_portal_secret(lite.acme[1], "a brand new secret")  # any contract of the customer
        assert (c.get("/").status, c.seen[-1].header("Location")) == (303, "/login")
        assert c.login(lite.acme[0], SECRET).status == 401
        assert c.login(lite.acme[1], "a brand new secret").status == 303


def test_cookie_is_secure_and_address_real_only_behind_a_trusted_tls_proxy(lite: Scene, tmp_path: Path) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"}
    with portal(lite.db, tmp_path) as base:  # not behind a proxy: a client's own X-Forwarded-* mean nothing
        r = Client(base).login(lite.acme[0], SECRET, **forwarded)
        assert "Secure" not in (r.header("Set-Cookie") or "") and r.header("Strict-Transport-Security") is None
    with portal(lite.db, tmp_path, "--tls-proxy") as base:
        c = Client(base)
        c.token()
        r = c.post("/login", {"csrf_token": c.token(), "username": lite.acme[0], "password": SECRET}, **forwarded)
        assert "; Secure" in (r.header("Set-Cookie") or "") and r.header("Strict-Transport-Security")
    logins = [r["detail"] for r in audit(lite.db, "portal.login")]
    assert "from 127.0.0.1" in logins[0] and "from 198.51.100.7" in logins[1]


def test_login_name_replaces_the_contract_id(lite: Scene, tmp_path: Path, colo: Callable[..., Result]) -> None:
    r = colo("--db", lite.db, "portal", "set", lite.acme[1], "--login", "acme-noc", "--json")
    assert r.code == 0 and '"login": "acme-noc"' in r.out
    with portal(lite.db, tmp_path) as base:
        assert Client(base).login("acme-noc", SECRET).status == 303
        assert Client(base, "127.0.0.2").login(lite.acme[0], SECRET).status == 401  # the contract ID no longer logs in
        assert Client(base, "127.0.0.3").login(lite.other, OTHER_SECRET).status == 303  # other customers' still do
    assert any(e["kind"] == "portal_login_set" for e in Colo(db=lite.db).contract(lite.acme[1])["events"])


@pytest.mark.parametrize(("name", "why"), [("ab", "3-32 characters"), ("Acme", "3-32 characters"),
                                           ("acme noc", "3-32 characters"), ("a" * 33, "3-32 characters"),
                                           ("c2026-0009", "looks like a contract ID")])
def test_a_bad_login_name_is_one_line_and_changes_nothing(lite: Scene, name: str, why: str,
                                                          colo: Callable[..., Result]) -> None:
    r = colo("--db", lite.db, "portal", "set", lite.acme[0], "--login", name)
    assert (r.code, r.out) == (2, "") and r.err.count("\n") == 1 and why in r.err and "--login" in r.err
    with Colo(db=lite.db).context.store.session() as s:
        assert not [c.login for c in s.scalars(sql_select(PortalCredential)) if c.login]


def test_a_login_name_is_refused_when_taken_or_without_a_credential(lite: Scene, colo: Callable[..., Result]) -> None:
    assert colo("--db", lite.db, "portal", "set", lite.other, "--login", "acme-noc").code == 0
    taken = colo("--db", lite.db, "portal", "set", lite.acme[0], "--login", "acme-noc")
    assert taken.code == 3 and "taken by another customer" in taken.err and OTHER not in taken.err
    third = Colo(db=lite.db, at="2026-11-24T10:00").sign(order("Third"))["id"]
    bare = colo("--db", lite.db, "portal", "set", third, "--login", "third")
    assert bare.code == 3 and f"colo portal set {third}" in bare.err
    both = colo("--db", lite.db, "portal", "set", lite.acme[0], "--login", "acme", "--secret-stdin")
    assert both.code == 2


@pytest.mark.parametrize(("args", "why"), [(("--listen", "portal.example"), "give an IP address and a port"),
                                           (("--listen", "127.0.0.1:70000"), "give an IP address and a port"),
                                           (("--key-file", "{tmp}/missing/key"), "does not exist"),
                                           (("--key-file", "{tmp}/open.key"), "chmod 600"),
                                           (("--key-file", "{tmp}/junk.key"), "holds no portal key")])
def test_serve_refuses_bad_input_in_one_line(lite: Scene, tmp_path: Path, colo: Callable[..., Result],
                                             args: tuple[str, str], why: str) -> None:
    (tmp_path / "open.key").write_text("ab" * 32 + "\n")
    (tmp_path / "open.key").chmod(0o644)
    (tmp_path / "junk.key").write_text("not a key\n")
    (tmp_path / "junk.key").chmod(0o600)
    option, value = args
    r = colo("--db", lite.db, "portal", "serve", option, value.format(tmp=tmp_path))
    assert (r.code, r.out) == (2, "") and r.err.count("\n") == 1 and why in r.err
    assert "ab" * 32 not in r.err
