"""The customer portal on a store of two sites, over real HTTP against `colo portal serve` in its own process.

SH-WGQ-1 keeps Shanghai time (+08:00), NB-1 Urumqi time (+06:00). The portal runs as of
2026-11-30T17:00Z: already December 1st, 01:00 in Shanghai, still November 30th, 23:00 in
Urumqi — so a page read in the wrong site's time shows the wrong month, the wrong clock or
the wrong offset. ACME has a contract at each site (one customer, one credential); Beta
only at NB-1, with a fault ticket of its own that nobody else may see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from provision.api import Colo
from tests.conftest import order
from tests.lab_portal import ACME, SECRET, Client, Reply, portal
from tests.test_sites import second_site

SH, NB = "SH-WGQ-1", "NB-1"
INSTANT = "2026-11-30T17:00Z"
BETA, BETA_SECRET, BETA_TICKET = "Beta Cloud Ltd", "beta's own portal secret", "BETA-PRIVATE fault at NB"


@dataclass
class Sites:
    db: str
    acme_sh: str
    acme_nb: str
    beta_nb: str


@pytest.fixture
def sites(site_db: str, tmp_path: Path) -> Sites:
    """On SQLite and on PostgreSQL: the example site plus NB-1, contracts and open faults at both."""
    Colo(db=site_db).init(second_site(tmp_path))
    sh, nb = (Colo(db=site_db, site=name, at="2026-11-24T10:00") for name in (SH, NB))
    scene = Sites(site_db, sh.sign(order(ACME))["id"], nb.sign(order(ACME))["id"], nb.sign(order(BETA))["id"])
    sh.set_portal_secret(scene.acme_sh, SECRET)
    nb.set_portal_secret(scene.beta_nb, BETA_SECRET)
    sh.open_ticket(scene.acme_sh, "ACME fault at SH")
    nb.open_ticket(scene.acme_nb, "ACME fault at NB")
    nb.open_ticket(scene.beta_nb, BETA_TICKET)
    return scene


def _row(home: Reply, contract_id: str) -> list[str]:
    """A contract's row on the home page, cell by cell."""
    found = re.search(rf'<tr data-contract="{contract_id}">(.*?)</tr>', home.body, re.S)
    assert found, f"{contract_id} not listed"
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", found.group(1), re.S)]


def _ticket_reported(page: Reply) -> str:
    found = re.search(r'<tr data-ticket="T\d+"><td>T\d+</td><td>([^<]+)</td>', page.body)
    assert found, "no open ticket shown"
    return found.group(1)


def test_one_portal_serves_each_sites_customers_in_their_sites_time_and_month(sites: Sites, tmp_path: Path) -> None:
    with portal(sites.db, tmp_path, at=INSTANT) as base:
        acme = Client(base)
        assert acme.login(sites.acme_nb, SECRET).status == 303  # the NB-1 contract's ID logs the customer in
        home = acme.get("/")
        assert home.status == 200 and "<th>site</th>" in home.body
        assert _row(home, sites.acme_sh)[:2] == [sites.acme_sh, SH] and _row(home, sites.acme_nb)[:2] == [
            sites.acme_nb, NB]
        assert _row(home, sites.acme_sh)[-1] == "2026-11-24T10:00:00+08:00"  # signed, in each site's own time
        assert _row(home, sites.acme_nb)[-1] == "2026-11-24T10:00:00+06:00"

        at_sh = acme.get(f"/contract/{sites.acme_sh}")
        assert at_sh.status == 200 and f"{sites.acme_sh} — 2026-12</h1>" in at_sh.body  # Shanghai: December already
        assert "shown as of 2026-12-01 01:00 (site time, SH-WGQ-1)" in at_sh.body
        assert "Availability (SLA) 2026-12" in at_sh.body and 'id="next-month"' not in at_sh.body
        assert _ticket_reported(at_sh).endswith("+08:00") and "ACME fault at SH" in at_sh.body
        assert "ACME fault at NB" not in at_sh.body

        at_nb = acme.get(f"/contract/{sites.acme_nb}")
        assert at_nb.status == 200 and f"{sites.acme_nb} — 2026-11</h1>" in at_nb.body  # Urumqi: still November
        assert "shown as of 2026-11-30 23:00 (site time, NB-1)" in at_nb.body
        assert "Availability (SLA) 2026-11" in at_nb.body and 'id="previous-month">← 2026-10' in at_nb.body
        assert _ticket_reported(at_nb).endswith("+06:00") and "ACME fault at NB" in at_nb.body
        assert "ACME fault at SH" not in at_nb.body
        for page in (at_sh, at_nb):
            assert re.findall(r'<svg [^>]*class="traffic" data-span="(\w+)"', page.body) == [
                "day", "week", "month", "year"]

        # each contract's own site decides which month has begun
        assert acme.get(f"/contract/{sites.acme_sh}?month=2026-12").status == 200
        early = acme.get(f"/contract/{sites.acme_nb}?month=2026-12")
        assert early.status == 400 and "month 2026-12 has not begun yet: give 2026-11" in early.body

        theirs, nobody = acme.get(f"/contract/{sites.beta_nb}"), acme.get("/contract/C2099-0042")
        assert theirs.status == nobody.status == 404 and theirs.body == nobody.body

        beta = Client(base, source="127.0.0.2")
        assert beta.login(sites.beta_nb, BETA_SECRET).status == 303
        beta_home = beta.get("/")
        assert re.findall(r'<tr data-contract="([^"]+)"', beta_home.body) == [sites.beta_nb]
        assert _row(beta_home, sites.beta_nb)[1] == NB
        own = beta.get(f"/contract/{sites.beta_nb}")
        assert own.status == 200 and BETA_TICKET in own.body and _ticket_reported(own).endswith("+06:00")
        assert beta.get(f"/contract/{sites.acme_nb}").status == beta.get(f"/contract/{sites.acme_sh}").status == 404

        for reply in acme.seen:
            for foreign in (BETA, BETA_TICKET, sites.beta_nb, BETA_SECRET):
                assert foreign not in reply.everything
        for reply in beta.seen[2:]:  # after the login page, whose example user name is a contract ID
            for foreign in ("ACME", "ACME fault", sites.acme_sh, sites.acme_nb, SECRET):
                assert foreign not in reply.everything

    logins = [r for r in Colo(db=sites.db, site=NB).audit() if r["action"] == "portal.login"]
    assert [r["at"] for r in logins] == ["2026-11-30T23:00:00+06:00"] * 2  # one instant, shown here in NB-1 time
    assert [r["detail"].split(": ")[0] for r in logins] == [f"user {sites.acme_nb!r} from 127.0.0.1",
                                                             f"user {sites.beta_nb!r} from 127.0.0.2"]


def test_a_portal_for_one_site_serves_only_that_sites_contracts(sites: Sites, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLO_SITE", NB)  # `colo --site NB-1 portal serve`; --at then reads in NB-1's time
    with portal(sites.db, tmp_path, at="2026-11-30T23:00") as base:
        acme = Client(base)
        assert acme.login(sites.acme_sh, SECRET).status == 303  # the credential is the customer's, at any site
        home = acme.get("/")
        assert re.findall(r'<tr data-contract="([^"]+)"', home.body) == [sites.acme_nb]
        assert acme.get(f"/contract/{sites.acme_sh}").status == 404  # its Shanghai contract: not this portal's
        page = acme.get(f"/contract/{sites.acme_nb}")
        assert page.status == 200 and "shown as of 2026-11-30 23:00 (site time, NB-1)" in page.body
        assert "ACME fault at SH" not in page.body and SH not in "".join(r.body for r in acme.seen)


def test_an_ambiguous_time_or_unknown_site_is_refused_before_serving(sites: Sites, tmp_path: Path,
                                                                     colo) -> None:  # type: ignore[no-untyped-def]
    serve = ("portal", "serve", "--listen", "127.0.0.1:0", "--key-file", str(tmp_path / "k"))
    r = colo("--db", sites.db, "--at", "2026-11-30T23:00", *serve)
    assert r.code == 2 and r.out == "" and r.err == (
        "error: --at '2026-11-30T23:00' has no UTC offset, and the store's sites each keep their own time: give one "
        "(e.g. 2026-11-30T23:00+08:00 or 2026-11-30T23:00Z), or serve one site with --site NAME\n")
    r = colo("--db", sites.db, "--site", "Ningbo", *serve)
    assert r.code == 2 and r.err == "error: --site 'Ningbo' is not a site of this store: use one of NB-1, SH-WGQ-1\n"
    assert not (tmp_path / "k").exists()  # refused before the session key was made
