"""Progress of long runs (provision --all-signed, enforce, ci dry-run, lab up, monitor rounds).

Services call `step("C2026-0001 sw-a01 Gi1/0/1 applied")` as each device or contract is
done; nothing is shown unless the face turned it on with `enable(stream)`, and then only
when that stream is a terminal: a technician watching a 40-contract run sees it move, a
cron job or a pipe gets the result alone. Lines go to stderr so stdout (tables, --json)
stays what scripts read. Device threads call `step` concurrently: one lock per printer.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Protocol, TextIO


class Progress(Protocol):
    def step(self, text: str) -> None: ...


class Silent:
    """The default: services report, nobody listens."""

    def step(self, text: str) -> None:
        pass


class LinePrinter:
    """One line per step on a terminal, with the seconds since the run began."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self._lock = threading.Lock()

    def step(self, text: str) -> None:
        with self._lock:
            self.stream.write(f"[{time.monotonic() - self.started:6.1f}s] {text}\n")
            self.stream.flush()


_current: Progress = Silent()


def enable(stream: TextIO | None = None) -> Progress:
    """Show steps on `stream` (default stderr) if it is a terminal; a pipe or file stays silent."""
    global _current
    stream = sys.stderr if stream is None else stream
    _current = LinePrinter(stream) if stream.isatty() else Silent()
    return _current


def disable() -> None:
    global _current
    _current = Silent()


def step(text: str) -> None:
    _current.step(text)
