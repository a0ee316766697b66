"""A new SQLite store is private: 0600 file (and -wal/-shm), 0700 directories the toolkit makes.

The store holds customers' personal data (names, ID numbers, phones) and credential hashes;
under the usual umask 022 a plain create would leave it readable by every local user.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE


@pytest.fixture(autouse=True)
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_default_store_and_the_directories_it_needs_are_private(tmp_path: Path, colo,  # type: ignore[no-untyped-def]
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from provision.store.engine import open_store

    tmp_path.chmod(0o755)
    monkeypatch.delenv("COLO_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    r = colo("init", "--inventory", str(EXAMPLE))
    assert r.code == 0, r.err
    store = tmp_path / "share" / "colo" / "colo.db"
    assert {p.name: mode(p) for p in (tmp_path / "share", store.parent, store)} == \
        {"share": 0o700, "colo": 0o700, "colo.db": 0o600}
    engine = open_store(str(store)).engine
    with engine.begin() as conn:  # a write in progress: WAL and shared memory exist
        conn.exec_driver_sql("UPDATE site SET name = name")
        sidecars = {p.name: mode(p) for p in store.parent.iterdir() if p != store}
    engine.dispose()
    assert sidecars == {"colo.db-wal": 0o600, "colo.db-shm": 0o600}
    assert mode(tmp_path) == 0o755, "a directory the toolkit did not make keeps its mode"


def test_an_existing_store_keeps_its_mode(tmp_path: Path, colo) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "deep" / "er" / "colo.db"
    assert colo("--db", str(db), "init", "--inventory", str(EXAMPLE)).code == 0
    assert (mode(db.parent.parent), mode(db.parent), mode(db)) == (0o700, 0o700, 0o600)
    db.chmod(0o640)  # the operator's choice, e.g. a backup group
    assert colo("--db", str(db), "init", "--inventory", str(EXAMPLE)).code == 0
    assert mode(db) == 0o640
