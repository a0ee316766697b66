"""The ORM side of the store: sessions for the use cases that write.

Imported on the first `Store.session()`, so the everyday reads (Store.reading through
store.rows) never load SQLAlchemy, the schema or the audit hook.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from provision.errors import Refused
from provision.store import audit  # noqa: F401 - registers the flush hook that writes the audit log
from provision.store.engine import READ_ONLY_KEY, SITE_KEY


@contextmanager
def orm_session(engine: Engine, read_only: str | None, site: str | None) -> Iterator[Session]:
    """One transaction: committed when the block ends cleanly, rolled back otherwise."""
    info: dict[str, Any] = {SITE_KEY: site}
    if read_only:
        info[READ_ONLY_KEY] = read_only
    with Session(engine, expire_on_commit=False, info=info) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@event.listens_for(Session, "before_flush")
def _refuse_read_only(s: Session, flush_context: Any, instances: Any) -> None:
    """A what-if session refuses a change before any SQL, so the refusal is the same on every back end."""
    refusal = s.info.get(READ_ONLY_KEY)
    if refusal and (s.new or s.deleted or any(s.is_modified(o) for o in s.dirty)):
        raise Refused(refusal)
