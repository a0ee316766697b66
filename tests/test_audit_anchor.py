"""`colo audit verify --anchor FILE`: the chain's head kept outside the store, so truncation shows.

Without an anchor, deleting the newest audit records leaves a shorter chain that still
verifies. With one, the next verify requires the anchored record, with its hash.
Stores are real SQLite and PostgreSQL (`db_url`); records are deleted with SQL.
"""

from __future__ import annotations

import json
import socket
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from provision.api import Colo
from provision.services import audit_log
from provision.store.engine import open_store
from tests.conftest import order

AT = "2026-11-25T09:00"  # the anchoring time the messages show


@pytest.fixture
def logged(site_db: str) -> str:
    """A store with a few audit records (one per signing)."""
    for i, day in enumerate(("2026-11-24T10:00", "2026-11-24T11:00", "2026-11-24T12:00")):
        Colo(db=site_db, at=day).sign(order(f"Customer {i}"))
    return site_db


def verify(colo, db: str, *args: str) -> Any:  # type: ignore[no-untyped-def]
    return colo("--db", db, "--at", AT, "audit", "verify", *args)


def verified(colo, db: str, *args: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    r = verify(colo, db, *args, "--json")
    assert r.code == 0, r.err
    return json.loads(r.out)  # type: ignore[no-any-return]


def cut(db: str, first: int) -> None:
    """Delete the audit records from `first` on, as someone with write access to the store could."""
    with open_store(db).engine.begin() as conn:
        conn.execute(text("DELETE FROM audit WHERE id >= :first"), {"first": first})


def newest(db: str) -> int:
    with open_store(db).engine.connect() as conn:
        return int(conn.execute(text("SELECT max(id) FROM audit")).scalar_one())


def test_an_untouched_store_verifies_and_its_head_is_anchored(logged: str, tmp_path: Path, colo) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "anchors").mkdir()
    anchor = tmp_path / "anchors" / "anchor.json"
    first = verified(colo, logged, "--anchor", str(anchor))
    head = newest(logged)
    assert first["intact"] and first["head"]["id"] == head and first["anchor"]["recorded"]
    assert first["anchor"]["checked"] is None and "note" not in first
    assert stat.S_IMODE(anchor.stat().st_mode) == 0o600
    entry = json.loads(anchor.read_text())["anchors"][0]
    assert (entry["record"], entry["hash"], entry["anchored_at"]) == (head, first["head"]["hash"],
                                                                       "2026-11-25T09:00:00+08:00")

    again = verified(colo, logged, "--anchor", str(anchor))  # nothing new: checked, not written again
    assert again["anchor"] == {"file": str(anchor), "recorded": False,
                               "checked": {"record": head, "anchored_at": "2026-11-25T09:00:00+08:00"}}
    Colo(db=logged, at="2026-11-26T10:00").sign(order("Later Ltd"))
    later = verified(colo, logged, "--anchor", str(anchor))
    assert later["anchor"]["recorded"] and later["head"]["id"] == newest(logged) > head
    assert [a["record"] for a in json.loads(anchor.read_text())["anchors"]] == [head, newest(logged)]
    assert [p.name for p in anchor.parent.iterdir()] == ["anchor.json"]  # no temporary file left behind

    human = verify(colo, logged, "--anchor", str(anchor))
    assert human.code == 0 and f"anchored record {newest(logged)}" in human.out and "still there" in human.out


def test_removing_the_newest_records_fails_verify_when_anchored(logged: str, tmp_path: Path, colo) -> None:  # type: ignore[no-untyped-def]
    anchor = tmp_path / "anchor.json"
    verified(colo, logged, "--anchor", str(anchor))
    head = newest(logged)
    cut(logged, head - 1)
    kept = anchor.read_bytes()

    unanchored = verify(colo, logged)  # the chain alone cannot tell: it says so
    assert unanchored.code == 0 and "note: without an anchor" in unanchored.out and "cannot be detected" in unanchored.out

    r = verify(colo, logged, "--anchor", str(anchor))
    assert r.code == 1
    assert r.err == (f"error: audit record {head} (anchored 2026-11-25 09:00) is missing: "
                     f"the newest records were removed\n")
    assert anchor.read_bytes() == kept  # a failed verify does not move the anchor


def test_removal_is_caught_even_when_the_log_went_on_after_it(logged: str, tmp_path: Path, colo) -> None:  # type: ignore[no-untyped-def]
    anchor = tmp_path / "anchor.json"
    verified(colo, logged, "--anchor", str(anchor))
    head = newest(logged)
    cut(logged, head - 1)
    for name in ("After The Cut Ltd", "Later Still Ltd"):  # a valid chain again, as long as before
        Colo(db=logged, at="2026-11-26T10:00").sign(order(name))
    assert newest(logged) >= head
    assert verified(colo, logged)["intact"]

    r = verify(colo, logged, "--anchor", str(anchor))
    # SQLite reuses the deleted ids (another record now has id `head`); PostgreSQL's sequence leaves a gap.
    problem = ("is missing: records were removed and the log continued without them" if "://" in logged else
               "is not the record that was anchored: records from it on were removed and the log continued")
    assert r.code == 1 and r.err.startswith(f"error: audit record {head} (anchored 2026-11-25 09:00) {problem}")


def test_the_environment_names_the_anchor(logged: str, tmp_path: Path, colo, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    anchor = tmp_path / "env-anchor.json"
    monkeypatch.setenv("COLO_AUDIT_ANCHOR", str(anchor))
    assert verified(colo, logged)["anchor"]["recorded"] and anchor.exists()


def _edit_hash(doc: dict[str, Any]) -> None:
    doc["anchors"][0]["hash"] = "f" * 64


def _edit_record(doc: dict[str, Any]) -> None:
    doc["anchors"][0]["record"] -= 1


def _drop_field(doc: dict[str, Any]) -> None:
    del doc["anchors"][0]["seal"]


@pytest.mark.parametrize(("edit", "message"), [
    (_edit_hash, "entry 1 was edited (its seal does not match)"),
    (_edit_record, "entry 1 was edited (its seal does not match)"),
    (_drop_field, "entry 1 was edited (its seal does not match)"),
    ("not json {", "cannot be read as an anchor file"),
    ('{"anchors": []}', "is not a colo audit anchor file"),
])
def test_a_tampered_anchor_file_is_bad_input(logged: str, tmp_path: Path, colo, edit: Any, message: str) -> None:  # type: ignore[no-untyped-def]
    anchor = tmp_path / "anchor.json"
    verified(colo, logged, "--anchor", str(anchor))
    if isinstance(edit, str):
        anchor.write_text(edit)
    else:
        doc = json.loads(anchor.read_text())
        edit(doc)
        anchor.write_text(json.dumps(doc))
    kept = anchor.read_bytes()
    r = verify(colo, logged, "--anchor", str(anchor))
    assert r.code == 2 and f"error: anchor file {anchor} {message}" in r.err and "restore it from a backup" in r.err
    assert len(r.err.splitlines()) == 1 and anchor.read_bytes() == kept


def test_an_unusable_anchor_path_is_bad_input(logged: str, tmp_path: Path, colo) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "no-such-dir" / "anchor.json"
    r = verify(colo, logged, "--anchor", str(missing))
    assert r.code == 2 and f"directory {missing.parent} does not exist" in r.err and not missing.parent.exists()
    r = verify(colo, logged, "--anchor", str(tmp_path))
    assert r.code == 2 and "is a directory" in r.err


@pytest.fixture
def syslog_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    """A real datagram socket where the syslog handler sends, standing in for /dev/log."""
    path = tmp_path / "log"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(str(path))
    server.settimeout(5)
    monkeypatch.setattr(audit_log, "SYSLOG_SOCKET", str(path))
    try:
        yield server
    finally:
        server.close()


def test_syslog_gets_the_head(logged: str, syslog_socket: socket.socket, colo) -> None:  # type: ignore[no-untyped-def]
    result = verified(colo, logged, "--syslog")
    assert result["syslog"]
    line = syslog_socket.recv(4096).decode()
    assert line.startswith("<14>colo: audit head record ")  # facility user, severity info
    assert f"record {result['head']['id']} hash {result['head']['hash']}" in line


def test_syslog_without_a_daemon_is_bad_input(logged: str, tmp_path: Path, colo, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(audit_log, "SYSLOG_SOCKET", str(tmp_path / "absent"))
    r = verify(colo, logged, "--syslog")
    assert r.code == 2 and "--syslog:" in r.err and "does not exist" in r.err
