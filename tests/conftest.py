"""Shared fixtures: a store on each back end, the example site, and an in-process CLI runner.

PostgreSQL tests use a fresh schema per test in the server named by COLO_TEST_PG
(default: 127.0.0.1:5432, database test, trust auth). When no server answers they
are skipped with the reason shown in pytest's summary (-ra).
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from provision.api import SignOrder
from provision.domain.terms import Customer

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "inventory" / "example"
PG_URL = os.environ.get("COLO_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_admin():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)


def _pg_reason() -> str | None:
    try:
        with _pg_admin():
            return None
    except Exception as e:
        return f"PostgreSQL not reachable at {PG_URL}: {str(e).strip().splitlines()[0]}"


PG_SKIP = _pg_reason()


@pytest.fixture
def pg_url() -> Iterator[str]:
    if PG_SKIP:
        pytest.skip(PG_SKIP)
    schema = f"colo_t_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with _pg_admin() as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "colo.db")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def site_db(db_url: str) -> str:
    """A store initialised with the example inventory."""
    from provision.api import Colo

    Colo(db=db_url).init(str(EXAMPLE))
    return db_url


def order(name: str = "ACME", **terms: Any) -> SignOrder:
    """A one-server colocation order; keyword arguments override any term."""
    fields: dict[str, Any] = {"customer": Customer(name=name), "kind": "colocation", "quantity": 1,
                              "bandwidth_mbps": 100, "fee": "12000.00", "payment": "yearly"}
    return SignOrder(**(fields | terms))


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def colo(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run the real CLI entry point in-process: exit code, stdout, stderr."""
    import cli

    monkeypatch.setenv("COLO_USER", "tester")

    def run(*args: str) -> Result:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["colo", *args])
        try:
            cli.main()
            code = 0
        except SystemExit as e:
            code = int(e.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
