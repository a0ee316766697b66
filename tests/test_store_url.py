"""Opening a store by URL: what is refused and how, the password never shown (store.engine, no SQLAlchemy)."""

from __future__ import annotations

import socket

import pytest

from provision.errors import BadInput, OperationFailed
from provision.store.engine import mask_password, open_store
from tests.conftest import free_port


def test_a_password_is_masked_and_nothing_else_changes() -> None:
    assert mask_password("postgresql+psycopg://colo:s3cret@db.example:5432/colo?options=-csearch_path%3Dx") == \
        "postgresql+psycopg://colo:***@db.example:5432/colo?options=-csearch_path%3Dx"
    assert mask_password("postgresql+psycopg://colo:p%40ss@db.example/colo") == "postgresql+psycopg://colo:***@db.example/colo"
    assert mask_password("postgresql+psycopg://colo@db.example/colo") == "postgresql+psycopg://colo@db.example/colo"
    assert mask_password("sqlite:////var/lib/colo/colo.db") == "sqlite:////var/lib/colo/colo.db"


@pytest.mark.parametrize(("url", "refusal", "kind"), [
    ("mysql://colo:s3cret@db.example/colo", "unsupported back end 'mysql'; use SQLite or PostgreSQL", BadInput),
    ("1nope://colo:s3cret@x/y", "is not a database URL", BadInput),
])
def test_a_url_that_names_no_usable_store_is_bad_input(url: str, refusal: str, kind: type[Exception]) -> None:
    with pytest.raises(kind, match=refusal) as refused:
        open_store(url)
    assert "s3cret" not in str(refused.value)


def test_an_unreachable_postgresql_server_is_one_line_without_its_password() -> None:
    port = free_port(socket.SOCK_STREAM)  # nothing listens there
    with pytest.raises(OperationFailed) as failed:
        open_store(f"postgresql://colo:s3cret@127.0.0.1:{port}/colo")
    message = str(failed.value)
    assert message.startswith(f"cannot reach store postgresql+psycopg://colo:***@127.0.0.1:{port}/colo: ")
    assert "s3cret" not in message and "\n" not in message


def test_the_cli_reads_an_unreachable_store_as_an_operation_failure(colo) -> None:  # type: ignore[no-untyped-def]
    port = free_port(socket.SOCK_STREAM)
    r = colo("--db", f"postgresql://colo:s3cret@127.0.0.1:{port}/colo", "deadlines")
    assert r.code == 1 and "cannot reach store" in r.err and "s3cret" not in r.err + r.out
