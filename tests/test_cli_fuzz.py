"""The command line under generated input: whatever is typed, colo answers with an exit code it means.

Hypothesis draws commands of the technician's daily work (sign, pay, outages, emergencies,
tickets, visits, holds, monitoring, authorizations, reports) with contract ids, amounts,
times, months, names and URLs from the plausible, the absurd and the malformed. For every
one: exit 0, 2 or 3 (1 is a device or the store failing, and none is reached here); a
failure is exactly one `error:` line and no traceback; and a refusal (2 or 3) leaves the
SQLite store byte for byte as it was.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provision.api import Colo
from provision.domain.lifecycle import State
from tests.conftest import EXAMPLE, order
from tests.lab_contracts import walk_to

SIGNED = "2026-11-24T10:00"
ACTIVE, SIGNED_ONLY = "C2026-0001", "C2026-0002"


def digest(db: Path) -> str:
    """The store as bytes: the database file and its write-ahead log."""
    h = hashlib.sha256()
    for part in (db, db.with_name(db.name + "-wal")):
        h.update(part.read_bytes() if part.exists() else b"")
    return h.hexdigest()


# --- what a technician may type: mostly plausible (to reach past the first check), often absurd, sometimes garbage


def mostly(plausible: st.SearchStrategy[Any], *odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`plausible` about nine times in ten, else one of `odd`: a command has several inputs, and one odd
    input stops it at its first check."""
    return st.sampled_from([True] * 9 + [False]).flatmap(lambda usual: plausible if usual else st.one_of(*odd))


contract_ids = mostly(st.sampled_from([ACTIVE, ACTIVE, SIGNED_ONLY, "c2026-0001", " C2026-0001 "]),
                      st.sampled_from(["C2026-9999", "C1999-0001", "", "C" + "9" * 40, "'; DROP TABLE contracts"]),
                      st.text(max_size=20))
near_times = st.builds(lambda y, mo, d, h, mi, tz: f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}{tz}",
                       st.sampled_from([2026, 2027]), st.integers(1, 12), st.integers(1, 28), st.integers(0, 23),
                       st.integers(0, 59), st.sampled_from(["", "", "", "Z", "+08:00", "-12:00", "+14:00"]))
times = mostly(near_times,
               st.builds(lambda y: f"{y:04d}-06-01T10:00", st.sampled_from([1, 1900, 1999, 2000, 2099, 2100, 9999])),
               st.sampled_from(["2026-02-30T10:00", "2026-13-01T00:00", "tomorrow", "", "2026-12-01 10:00", "9" * 30]),
               st.text(max_size=30))
amounts = mostly(st.decimals(min_value="0.01", max_value=100_000, places=2).map(str),
                 st.decimals(min_value=-10, max_value=10**13, places=2, allow_nan=False).map(str),
                 st.sampled_from(["1e400", "NaN", "Infinity", "-5", "0", "12,000", "1.234", "9" * 40, "1.2E+3"]),
                 st.text(max_size=15))
months = mostly(st.builds(lambda y, m: f"{y}-{m:02d}", st.sampled_from([2026, 2027]), st.integers(1, 12)),
                st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(0, 9999), st.integers(0, 13)),
                st.text(max_size=10))
words = st.text(st.characters(whitelist_categories=["L", "N", "P", "Zs"]), min_size=1, max_size=40)
names = mostly(st.one_of(words, st.just("Li Wei")),
               st.sampled_from(["", "   ", "A\nB", "\x1b[2J", "csi \x9b31m", "x" * 10_000]),
               st.text(max_size=60))
urls = mostly(st.sampled_from(["http://203.0.113.10/", "https://www.acme.example/", "mail.acme.example:25",
                               "noc@acme.example", "+86 21 5555 0100"]),
              st.sampled_from(["http://169.254.169.254/", "http://2130706433/", "http://localhost:8080/",
                               "http://[::1]/", "http://[/", "gopher://x/", "http://" + "a" * 10_000 + ".example/",
                               "http://host:99999/", "10.0.0.1:25"]),
              st.builds(lambda host, path: f"http://{host}/{path}", st.text(max_size=30), st.text(max_size=30)))
# A refusal to an unknown person is recorded on purpose (SLA §4.3, tests/test_authorization.py): the person is
# the active contract's authorized one or not a name at all.
authorizers = mostly(st.just("Li Wei"), st.sampled_from(["", "   ", "Li\nWei", "\x1b[2J", "x" * 10_000]))
small_ints = mostly(st.integers(1, 3), st.integers(-5, 300), st.sampled_from([2**31, 2**63, 10**30])).map(str)


def _opt(name: str, values: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    """An option given or left out."""
    return st.one_of(st.just([]), values.map(lambda v: [name, v]))


def _command(*parts: str | st.SearchStrategy[Any]) -> st.SearchStrategy[list[str]]:
    """Literal words and drawn pieces (a str is one word, a list several) as one argv."""
    def flat(drawn: tuple[Any, ...]) -> list[str]:
        return [w for piece in drawn for w in (piece if isinstance(piece, list) else [piece])]
    return st.tuples(*(p if isinstance(p, st.SearchStrategy) else st.just(p) for p in parts)).map(flat)


COMMANDS = st.one_of(
    _command("contract", "sign", "--customer", names, "--slots", small_ints, "--bandwidth", small_ints,
             "--fee", amounts, _opt("--ips", small_ints), _opt("--signed-at", times),
             _opt("--payment", st.sampled_from(["yearly", "monthly", "weekly"]))),
    _command("contract", "show", contract_ids),
    _command("payment", "record", contract_ids, amounts, _opt("--ref", names)),
    _command("payment", "show", contract_ids),
    _command("outage", "record", contract_ids, "--kind", st.sampled_from(["network", "power"]), "--start", times,
             _opt("--end", times), "--cause", names, _opt("--reported-at", times),
             _opt("--exclude", st.sampled_from(["force-majeure", "agreed-maintenance", "bad-luck"]))),
    _command("emergency", "record", contract_ids, "--declared", times, _opt("--notified", times)),
    _command("sla", "report", st.one_of(st.just([]), contract_ids.map(lambda c: [c])), "--month", months),
    _command("ticket", "open", contract_ids, "--summary", names, _opt("--reported-by", names)),
    _command("complaint", "record", contract_ids, "--summary", names, "--category",
             st.sampled_from(["network-quality", "customer-service", "technical-support", "billing"]),
             _opt("--employee", names)),
    _command("hold", "add", st.sampled_from(["A03", "B02", "Z99"]), "--units", small_ints, "--for", names,
             "--until", times),
    _command("hold", "release", small_ints),
    _command("visit", "request", contract_ids, "--visitor", names, "--reason", names, "--activity", names,
             "--enter", times, "--exit", times),
    _command("monitor", "watch", contract_ids, st.sampled_from(["www", "email", "ftp"]), urls),
    _command("contract", "notify", contract_ids, st.sampled_from(["--webhook", "--email", "--phone"]), urls),
    _command("authorization", "record", st.sampled_from([ACTIVE, "c2026-0001", "C2026-9999", ""]), "--by", authorizers,
             "--operation", st.sampled_from(["port-bounce", "outlet-cycle", "reboot"]),
             st.sampled_from([["--written"], ["--written", "--phone"]]), _opt("--ref", names)),
    _command("outage", "report", small_ints),
    _command("emergency", "notified", small_ints),
    _command("emergency", "waive", small_ints, "--reason",
             st.sampled_from(["contact-invalid", "force-majeure", "bad-luck"]), _opt("--note", names)),
    _command("install", "record", contract_ids, "--step", st.sampled_from(["hardware", "os", "rack"]),
             _opt("--note", names)),
    _command("notice", "delivered", small_ints, "--by", st.sampled_from(["phone", "email", "pigeon"])),
    _command("notice", "failed", small_ints, "--reason", names),
    _command("contract", "assign", contract_ids, _opt("--rep", names), _opt("--engineer", names)),
    _command("person", "add", contract_ids, "--name", authorizers, _opt("--email", urls), _opt("--pager", names),
             _opt("--emergency", st.sampled_from(["email", "pager", "fax", "carrier-pigeon", "none"]))),
    _command("ticket", "major", small_ints, _opt("--consulted-by", names), _opt("--note", names)),
    _command("licence", "record", contract_ids, "--kind", st.sampled_from(["business", "icp", "fishing"]),
             "--number", names, "--filed", names, "--received", times),
    _command("abuse", "report", contract_ids, "--summary", names, _opt("--source", names)),
    _command("abuse", "warn", st.sampled_from(["A1", "1", "A0", "x"]), "--ref", names),
)
INVOCATIONS = st.tuples(_opt("--at", times), COMMANDS, st.booleans())


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Path]:
    """The example site with an active contract (one authorized person) and one only signed.

    A connection stays open throughout: SQLite moves the write-ahead log into the file when
    the last connection closes, which a command's engine does whenever it is collected; with
    this one open, the files change only when something is written.
    """
    db = tmp_path / "colo.db"
    api = Colo(db=str(db), at=SIGNED)
    api.init(str(EXAMPLE))
    assert api.sign(order("ACME"))["id"] == ACTIVE and api.sign(order("Only Signed"))["id"] == SIGNED_ONLY
    walk_to(api, ACTIVE, [State.PROVISIONED, State.ACTIVE], "2026-11-25T10:00:00+08:00")
    api.add_authorized(ACTIVE, "Li Wei")
    keeper = sqlite3.connect(db)
    keeper.execute("SELECT count(*) FROM sqlite_master").fetchall()
    try:
        yield db
    finally:
        keeper.close()


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(INVOCATIONS)
def test_every_input_gets_an_exit_code_one_error_line_and_refusals_change_nothing(  # type: ignore[no-untyped-def]
        store: Path, colo, invocation: tuple[list[str], list[str], bool]) -> None:
    at, command, as_json = invocation
    before = digest(store)
    r = colo("--db", str(store), *at, *command, *(["--json"] if as_json else []))
    assert r.code in (0, 2, 3), r
    assert "Traceback" not in r.err and "unexpected" not in r.err, r.err
    if r.code:
        assert r.err.startswith("error: ") and r.err.count("error: ") == 1 and r.err.count("\n") == 1, r.err
        assert digest(store) == before, (command, r.err)
