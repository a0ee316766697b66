"""One exception hierarchy, so every face (CLI, Ansible, scripts) maps failures the same way.

The exit code travels with the exception: the CLI never has to guess what kind of
failure it is looking at, and an Ansible module can report the same category.
Every message names the offending input and says how to fix it.
"""

from __future__ import annotations

import errno
import os


class ColoError(Exception):
    """Base of every error the toolkit raises on purpose."""

    exit_code = 1
    kind = "failed"


class OperationFailed(ColoError):
    """A device, the network or the store failed; the input was fine. Exit 1."""

    exit_code = 1
    kind = "failed"


class BadInput(ColoError):
    """The caller gave something unusable. Exit 2; nothing was changed."""

    exit_code = 2
    kind = "bad-input"


class Refused(ColoError):
    """A rule forbids the operation (state, conflict, authorization). Exit 3."""

    exit_code = 3
    kind = "refused"


class NotFound(BadInput):
    """A named thing (contract, rack, hold) does not exist."""


class DeviceError(OperationFailed):
    """A device refused, timed out or answered something unexpected.

    Carries the device name so a technician knows which box to look at first.
    """

    def __init__(self, device: str, message: str) -> None:
        super().__init__(f"{device}: {message}")
        self.device = device


_DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def machine_failure(error: BaseException) -> OperationFailed | None:
    """A full or failing disk under an error nobody raised on purpose, said in one line; None if it is not one.

    SQLAlchemy wraps the database's complaint with the statement and its parameters (three
    lines, the parameters possibly customer data); the technician needs to know it is the
    disk and what to do about it. The error's causes are searched, since drivers wrap.
    """
    for cause in _causes(error):
        sqlite = getattr(cause, "sqlite_errorname", "") or ""
        if sqlite.startswith("SQLITE_FULL") or getattr(cause, "sqlstate", None) == "53100":
            return OperationFailed("the store's disk is full (database or disk is full): free space on it, "
                                   "then run the command again")
        if sqlite.startswith("SQLITE_IOERR"):
            return OperationFailed("the store's disk failed a write (disk I/O error): check its free space and "
                                   "health, then run the command again")
        if isinstance(cause, OSError) and cause.errno in _DISK_FULL:
            where = f" writing {cause.filename}" if cause.filename else ""
            return OperationFailed(f"no room on the disk{where} ({os.strerror(cause.errno)}): free space, "
                                   f"then run the command again")
    return None


def _causes(error: BaseException) -> list[BaseException]:
    """The error, what it wraps (a DBAPI error's `orig`), and what caused it, each once."""
    seen: list[BaseException] = []
    todo = [error]
    while todo:
        e = todo.pop()
        if not any(e is s for s in seen):
            seen.append(e)
            todo += [c for c in (getattr(e, "orig", None), e.__cause__, e.__context__) if isinstance(c, BaseException)]
    return seen
