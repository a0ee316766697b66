"""Absurd input is bad input: exit 2, one line naming the input and the fix, nothing changed.

Each case was exit 0 (an absurd record stored) or an "unexpected …" exit 1 before the
bounds of provision/domain/bounds.py. Cases run against one store per back end; the
store's every row (and on SQLite its file) is compared before and after each.
A full disk is the machine's failure, not the input's: exit 1, in one line.
"""

from __future__ import annotations

import hashlib
import json
import re
import resource
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine

from provision.api import Colo
from provision.domain.lifecycle import State
from provision.store.engine import open_store
from tests.conftest import EXAMPLE, ROOT, Result, order
from tests.lab_contracts import walk_to

SIGNED = "2026-11-24T10:00"
NOW = "2026-12-10T10:00"
LONG = "x" * 10_000


def snapshot(db: str) -> str:
    """Every row of every table, and on SQLite the file's bytes too: equal snapshots, nothing changed."""
    digest = hashlib.sha256()
    if "://" not in db:
        for part in (Path(db), Path(db + "-wal")):
            digest.update(part.read_bytes() if part.exists() else b"")
    engine = open_store(db).engine
    try:
        with engine.connect() as conn:
            for table in sorted(inspect(conn).get_table_names()):
                digest.update(table.encode())
                for row in conn.execute(text(f'SELECT * FROM "{table}"')).all():
                    digest.update(repr(sorted(map(repr, row))).encode())
    finally:
        engine.dispose()
    return digest.hexdigest()


@contextmanager
def kept_open(db: str) -> Iterator[None]:
    """On SQLite, a connection open throughout: the last connection to close moves the write-ahead log
    into the file, which a command's engine does whenever it is collected; with this one open, the
    file's bytes change only when something is written."""
    if "://" in db:
        yield
        return
    keeper = sqlite3.connect(db)
    keeper.execute("SELECT count(*) FROM sqlite_master").fetchall()
    try:
        yield
    finally:
        keeper.close()


@pytest.fixture
def scene(site_db: str) -> Iterator[dict[str, str]]:
    """An active contract with an authorized person and an authorization (#1) by them, and a contract only signed."""
    api = Colo(db=site_db, at=SIGNED)
    active = api.sign(order("ACME"))["id"]
    signed = api.sign(order("Only Signed"))["id"]
    walk_to(api, active, [State.PROVISIONED, State.ACTIVE], "2026-11-25T10:00:00+08:00")
    api.add_authorized(active, "Li Wei")
    assert Colo(db=site_db, at=NOW).authorize(active, "Li Wei", "port-bounce", "written", "DOC-1")["authorization"] == 1
    with kept_open(site_db):
        yield {"db": site_db, "active": active, "signed": signed}


def _sign(*extra: str) -> list[str]:
    return ["contract", "sign", "--customer", "New Co", "--slots", "1", "--bandwidth", "100", "--fee", "1000", *extra]


def _with_fee(fee: str) -> list[str]:
    args = _sign()
    args[args.index("--fee") + 1] = fee
    return args


# (case, argv after --db with {a} = the active contract and {s} = the signed one, words the error must say)
BAD: list[tuple[str, list[str], str]] = [
    ("fee 1e400", _with_fee("1e400"), "--fee '1e400' is not a number"),
    ("fee of 40 digits", _with_fee("9" * 40), "out of range: give 0.01 to 999,999,999.99"),
    ("negative fee", _with_fee("-5"), "--fee '-5'"),
    ("zero fee", _with_fee("0.00"), "--fee 0.00 is out of range"),
    ("fee in fractions of a fen", _with_fee("10.001"), "at most 2 decimals"),
    ("zero payment", ["payment", "record", "{a}", "0"], "amount 0 is out of range"),
    ("payment of 1e400", ["payment", "record", "{a}", "1e400"], "amount '1e400'"),
    ("no addresses", _sign("--ips", "0"), "--ips 0 is out of range: give 1 to 256"),
    ("signed in year 1", _sign("--signed-at", "0001-01-01T00:00"), "--signed-at 0001-01-01 is outside the years"),
    ("what-if in 9999", ["--at", "9999-12-31T00:00", "contract", "list"], "--at 9999-12-31 is outside the years"),
    ("outage in year 1", ["outage", "record", "{a}", "--kind", "network", "--start", "0001-01-01T00:00",
                          "--cause", "x"], "--start 0001-01-01 is outside the years 2000-2099"),
    ("outage in 9999", ["outage", "record", "{a}", "--kind", "network", "--start", "9999-01-01T00:00",
                        "--cause", "x"], "--start 9999-01-01"),
    ("outage years ahead", ["outage", "record", "{a}", "--kind", "power", "--start", "2029-01-01T00:00",
                            "--cause", "x"], "--start 2029-01-01T00:00:00+08:00 is more than 366 days after now"),
    ("outage before the service", ["outage", "record", "{a}", "--kind", "network", "--start", "2026-11-20T00:00",
                                   "--cause", "x"], "an outage cannot come before the provisioning of"),
    ("outage of a contract never provisioned", ["outage", "record", "{s}", "--kind", "network",
                                                "--start", "2026-12-01T00:00", "--cause", "x"],
     "was never provisioned"),
    ("reported before the outage", ["outage", "record", "{a}", "--kind", "network", "--start", "2026-12-03T10:00",
                                    "--end", "2026-12-03T10:30", "--cause", "x", "--reported-at", "2026-12-03T09:00"],
     "--reported-at 2026-12-03T09:00:00+08:00: the customer's report cannot come before the outage's start"),
    ("reported in the future", ["outage", "record", "{a}", "--kind", "network", "--start", "2026-12-03T10:00",
                                "--cause", "x", "--reported-at", "2026-12-20T09:00"], "is in the future"),
    ("month 0000", ["sla", "report", "--month", "0000-01"], "--month '0000-01': give YYYY-MM of the years"),
    ("month 9999 of a contract", ["sla", "report", "{a}", "--month", "9999-12"], "--month '9999-12'"),
    ("payment in 1900", ["--at", "1900-01-01T10:00", "payment", "record", "{a}", "100"], "--at 1900-01-01"),
    ("payment before signing", ["--at", "2026-11-20T10:00", "payment", "record", "{a}", "100"],
     "a payment cannot come before the signing of"),
    ("ticket in 1999", ["--at", "1999-06-01T10:00", "ticket", "open", "{a}", "--summary", "down"], "--at 1999-06-01"),
    ("ticket before signing", ["--at", "2026-11-01T10:00", "ticket", "open", "{a}", "--summary", "down"],
     "a fault report cannot come before the signing of"),
    ("complaint before signing", ["--at", "2026-11-01T10:00", "complaint", "record", "{a}", "--summary", "slow",
                                  "--category", "network-quality"],
     "a complaint cannot come before"),
    ("visit in 9999", ["visit", "request", "{a}", "--visitor", "Zhang San", "--reason", "disk", "--activity", "swap",
                       "--enter", "9999-01-01T10:00", "--exit", "9999-01-01T11:00"], "--enter 9999-01-01"),
    ("visit years ahead", ["visit", "request", "{a}", "--visitor", "Zhang San", "--reason", "disk", "--activity",
                           "swap", "--enter", "2030-01-01T10:00", "--exit", "2030-01-01T11:00"],
     "--exit 2030-01-01T11:00:00+08:00 is more than 366 days after now"),
    ("visit before signing", ["visit", "request", "{a}", "--visitor", "Zhang San", "--reason", "disk", "--activity",
                              "swap", "--enter", "2026-11-01T10:00", "--exit", "2026-11-01T11:00"],
     "a visit cannot come before the signing of"),
    ("visitor of 10,000 characters", ["visit", "request", "{a}", "--visitor", LONG, "--reason", "disk", "--activity",
                                      "swap", "--enter", "2026-12-11T10:00", "--exit", "2026-12-11T11:00"],
     "--visitor is 10000 characters long"),
    ("emergency in 9999", ["emergency", "record", "{a}", "--declared", "9999-01-01T00:00"], "--declared 9999-01-01"),
    ("notified before declared", ["emergency", "record", "{a}", "--declared", "2026-12-03T10:00", "--notified",
                                  "2026-12-03T09:00"], "the notification cannot come before the emergency's declaration"),
    ("emergency before signing", ["emergency", "record", "{a}", "--declared", "2026-11-01T10:00"],
     "an emergency cannot come before the signing of"),
    ("hold until 9999", ["hold", "add", "A03", "--units", "1", "--for", "Prospect", "--until", "9999-01-01T00:00"],
     "--until 9999-01-01"),
    ("hold for years", ["hold", "add", "A03", "--units", "1", "--for", "Prospect", "--until", "2030-01-01T00:00"],
     "--until 2030-01-01T00:00:00+08:00 is more than 366 days after now"),
    ("hold for a 10,000-character name", ["hold", "add", "A03", "--units", "1", "--for", LONG, "--until",
                                          "2026-12-20T00:00"], "--for is 10000 characters long"),
    ("watch the metadata service", ["monitor", "watch", "{a}", "www", "http://169.254.169.254/latest/meta-data/"],
     "169.254.169.254 is not an address of contract"),
    ("watch the monitor's own machine", ["monitor", "watch", "{a}", "email", "127.0.0.1:25"],
     "127.0.0.1 is not an address of contract"),
    ("watch an address in disguise", ["monitor", "watch", "{a}", "www", "http://2130706433/"],
     "'2130706433' is not a public host name"),
    ("watch localhost", ["monitor", "watch", "{a}", "ftp", "localhost:21"], "'localhost' is not a public host name"),
    ("watch a 10,000-character URL", ["monitor", "watch", "{a}", "www", f"http://{LONG}.example/"],
     "characters long: give at most 300"),
    ("webhook of 10,000 characters", ["contract", "notify", "{a}", "--webhook", f"https://sms.example/{LONG}"],
     "--webhook is 10020 characters long"),
    ("written and phone at once", ["authorization", "record", "{a}", "--by", "Li Wei", "--operation", "port-bounce",
                                   "--written", "--phone", "--ref", "DOC-1"], "--written and --phone exclude each other"),
    ("authorizer of 10,000 characters", ["authorization", "record", "{a}", "--by", LONG, "--operation", "port-bounce",
                                         "--written", "--ref", "DOC-1"], "--by is 10000 characters long"),
    ("written form of 10,000 characters", ["authorization", "written", "1", "--ref", LONG], "--ref 'xxxx"),
    ("feedback of 10,000 characters", ["authorization", "feedback", "1", "--note", LONG], "--note is 10000 characters"),
    ("server number beyond any key", ["server", "record", "{a}", "--server", "9" * 20, "--serial", "SN1", "--mac",
                                      "001122334455"], "'--server': 99999999999999999999 is not in the range"),
    ("outage number beyond any key", ["outage", "report", str(2**63)], "is not an outage id: give e.g. O12 or 12"),
]


def test_absurd_input_is_refused_in_one_line_and_changes_nothing(scene: dict[str, str], colo) -> None:  # type: ignore[no-untyped-def]
    db, wrong = scene["db"], []
    for case, argv, expected in BAD:
        args = [a.format(a=scene["active"], s=scene["signed"]) for a in argv]
        before = snapshot(db)
        r: Result = colo("--db", db, "--at", NOW, *args) if args[0] != "--at" else colo("--db", db, *args)
        one_line = r.err.startswith("error: ") and r.err.count("\n") == 1 and "unexpected" not in r.err
        if r.code != 2 or expected not in r.err or not one_line or snapshot(db) != before:
            wrong.append(f"{case}: exit {r.code}, {r.err.strip()[:300]!r}")
    assert not wrong, "\n".join(wrong)


def test_the_same_records_within_bounds_are_taken(scene: dict[str, str], colo) -> None:  # type: ignore[no-untyped-def]
    """The bounds cut off the absurd, not the ordinary: the nearest sensible versions of the cases pass."""
    db, cid = scene["db"], scene["active"]
    address = Colo(db=db).contract(cid)["placements"][0]["addresses"][0]["ip"]
    for args in (["outage", "record", cid, "--kind", "network", "--start", "2026-12-03T10:00", "--end",
                  "2026-12-03T10:30", "--cause", "uplink", "--reported-at", "2026-12-03T11:00"],
                 ["outage", "record", cid, "--kind", "power", "--start", "2027-03-01T01:00", "--end", "2027-03-01T02:00",
                  "--cause", "agreed maintenance, announced", "--exclude", "agreed-maintenance"],
                 ["emergency", "record", cid, "--declared", "2026-12-03T10:05", "--notified", "2026-12-03T10:15"],
                 ["visit", "request", cid, "--visitor", "Zhang San", "--reason", "disk", "--activity", "swap",
                  "--enter", "2027-06-01T10:00", "--exit", "2027-06-01T11:00", "--requested-by", "Li Wei"],
                 ["hold", "add", "A03", "--units", "1", "--for", "Prospect", "--until", "2027-06-01T00:00"],
                 ["monitor", "watch", cid, "www", f"http://{address}/"],
                 ["monitor", "watch", cid, "www", "https://www.acme.example/"],
                 ["payment", "record", cid, "999999999.99"],
                 _with_fee("999999999.99"),
                 ["sla", "report", cid, "--month", "2026-12"]):
        r = colo("--db", db, "--at", NOW, *args)
        assert r.code == 0, (args, r.err)


def test_money_is_shown_in_fen_never_with_an_exponent(scene: dict[str, str], colo) -> None:  # type: ignore[no-untyped-def]
    """'1.2E+3' was a valid Decimal and was stored as written, so every account showed the exponent."""
    db = scene["db"]
    assert colo("--db", db, "--at", NOW, *_with_fee("1.2E+3")).code == 2
    signed = colo("--db", db, "--at", NOW, *_with_fee("1200"), "--payment", "monthly", "--json")
    cid = json.loads(signed.out)["id"]
    assert json.loads(signed.out)["fee"] == "1200.00"
    assert colo("--db", db, "--at", NOW, "payment", "record", cid, "1000").code == 0
    for args in (["payment", "show", cid], ["payment", "show", cid, "--json"], ["contract", "show", cid, "--json"]):
        shown = colo("--db", db, "--at", "2027-03-01T10:00", *args).out
        assert "1200.00" in shown and not re.search(r"\d[eE][+-]?\d", shown), shown


def test_written_and_phone_are_refused_before_the_credential_is_asked(scene: dict[str, str]) -> None:
    """As a technician runs it: a prompt would read the empty stdin and abort (exit 1) instead."""
    r = subprocess.run([str(ROOT / ".venv" / "bin" / "colo"), "--db", scene["db"], "authorization", "record",
                        scene["active"], "--by", "Li Wei", "--operation", "port-bounce", "--written", "--phone",
                        "--ref", "DOC-1"], input="", capture_output=True, text=True, timeout=60)
    assert (r.returncode, r.stdout) == (2, "") and r.stderr.count("\n") == 1, r
    assert r.stderr.startswith("error: --written and --phone exclude each other")


# --- a full disk ----------------------------------------------------------------------------------


@contextmanager
def full_store(pages: Callable[[Any], int]) -> Iterator[None]:
    """Every SQLite connection opened meanwhile may grow its file to `pages(connection)` pages, no further:
    SQLite's own 'database or disk is full', as a full disk gives it."""
    def cap(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute(f"PRAGMA max_page_count={pages(dbapi_conn)}")

    event.listen(Engine, "connect", cap)
    try:
        yield
    finally:
        event.remove(Engine, "connect", cap)


def test_a_full_store_says_so_in_one_line(tmp_path: Path, colo) -> None:  # type: ignore[no-untyped-def]
    """`init` printed three lines of "unexpected OperationalError" with the SQL; a transaction's failure
    keeps its one line, and rolls back."""
    db = str(tmp_path / "colo.db")
    with full_store(lambda conn: 40):  # full while the schema is created, on the migrations' own connection
        r = colo("--db", db, "init", "--inventory", str(EXAMPLE))
    assert r.code == 1 and r.err.count("\n") == 1, r.err
    assert r.err.startswith("error: the store's disk is full") and "free space" in r.err and "[SQL" not in r.err

    assert colo("--db", db, "init", "--inventory", str(EXAMPLE)).code == 0
    with kept_open(db):
        before = snapshot(db)
        with full_store(lambda conn: conn.execute("PRAGMA page_count").fetchone()[0]):
            r = colo("--db", db, "--at", NOW, "contract", "sign", "--customer", "Big " * 40, "--slots", "20",
                     "--bandwidth", "100", "--fee", "1000")
        assert r.code == 1 and r.err.count("\n") == 1 and "database or disk is full" in r.err, r.err
        assert snapshot(db) == before


def test_a_file_size_limit_says_so_in_one_line(tmp_path: Path) -> None:
    """The store's file may not grow past 64 KiB (RLIMIT_FSIZE, as a quota would): SQLite reports a disk I/O error."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    r = subprocess.run([str(ROOT / ".venv" / "bin" / "colo"), "--db", str(tmp_path / "colo.db"), "init",
                        "--inventory", str(EXAMPLE)], preexec_fn=limit, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and r.stderr.count("\n") == 1, r.stderr
    assert r.stderr.startswith("error: the store's disk failed a write (disk I/O error)") and "[SQL" not in r.stderr
