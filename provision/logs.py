"""Where `-v` sends the device conversation: one handler, secrets masked.

Without it the library's loggers have no handler and a technician asking "what did it
send to sw-a01?" gets nothing. Verbosity 0 keeps warnings (a retried connection), 1
(`-v`) shows each command sent and how long it took, 2 (`-vv`) also what the device
answered, the prompts waited for, and netmiko's and paramiko's own debug lines.

Every record passes a filter that replaces each secret value the process has read
(provision.secrets) by `***`: netmiko's channel log writes the password it types, and a
traceback may quote a connection string.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from provision.secrets import known_values

LEVELS = {0: logging.WARNING, 1: logging.INFO, 2: logging.DEBUG}
# Libraries whose own chatter only -vv shows: their INFO is noise next to ours.
LIBRARIES = ("netmiko", "paramiko")
FORMAT = "%(asctime)s.%(msecs)03d %(levelname)-7s %(name)s: %(message)s"


def mask(text: str) -> str:
    """`text` with every known secret value replaced by ***; longest first, so a secret inside another goes too."""
    for value in sorted(known_values(), key=len, reverse=True):
        text = text.replace(value, "***")
    return text


class MaskSecrets(logging.Filter):
    """Rewrites the record's message with secrets masked (arguments merged in first, so none slips through them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask(record.getMessage())
        record.args = None
        return True


class MaskingFormatter(logging.Formatter):
    """Masks the whole formatted line too: exception text is added after the filter ran."""

    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))


_installed: list[tuple[logging.Logger, logging.Handler, int, bool]] = []


def configure(verbosity: int, stream: TextIO | None = None) -> logging.Handler:
    """Send the toolkit's log records (and at 2+ the SSH libraries') to `stream` (default stderr).

    Calling it again replaces the handler it installed before, so tests and a long-lived
    process can change their mind.
    """
    reset()
    handler = logging.StreamHandler(sys.stderr if stream is None else stream)
    handler.setFormatter(MaskingFormatter(FORMAT, datefmt="%H:%M:%S"))
    handler.addFilter(MaskSecrets())
    _attach(logging.getLogger("provision"), handler, LEVELS[max(0, min(verbosity, 2))])
    for name in LIBRARIES:
        _attach(logging.getLogger(name), handler, logging.DEBUG if verbosity >= 2 else logging.WARNING)
    return handler


def _attach(logger: logging.Logger, handler: logging.Handler, level: int) -> None:
    _installed.append((logger, handler, logger.level, logger.propagate))
    logger.setLevel(level)
    logger.addHandler(handler)
    logger.propagate = False  # shown here, once, not again by a root handler someone else installed


def reset() -> None:
    """Take the handler away again and give each logger back its level: as before `configure`."""
    while _installed:
        logger, handler, level, propagate = _installed.pop()
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate
