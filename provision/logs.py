"""Where the toolkit's log records go: one handler on stderr, secrets masked, text or JSON lines.

Without it the library's loggers have no handler and a technician asking "what did it
send to sw-a01?" gets nothing. Verbosity 0 keeps warnings (a retried connection), 1
(`-v`) shows each command sent and how long it took, 2 (`-vv`) also what the device
answered, the prompts waited for, and netmiko's and paramiko's own debug lines.
`COLO_LOG_LEVEL` (debug, info, warning, error) sets the same for a service whose command
line is fixed (a systemd unit); `-v` on the command line wins.

Two formats. `text` is for a person at a terminal. `json` writes one object per event
(time, level, logger, message and the record's extra fields) for journald, Loki or
anything that parses lines; it is the default when stderr is not a terminal, so `colo
monitor run` under systemd writes one parseable line per event. Text on a non-terminal is
flattened too: a device reply's newlines are escaped and terminal escape sequences
removed, so one event never spans several journal entries.

Every record passes a filter that replaces each secret value the process has read
(provision.secrets) by `***`: netmiko's channel log writes the password it types, and a
traceback may quote a connection string. JSON's extra fields are masked the same way.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from provision.errors import BadInput
from provision.secrets import known_values

LEVELS = {0: logging.WARNING, 1: logging.INFO, 2: logging.DEBUG}
NAMED = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}
FORMATS = ("text", "json")
# Libraries whose own chatter only -vv shows: their INFO is noise next to ours.
LIBRARIES = ("netmiko", "paramiko")
FORMAT = "%(asctime)s.%(msecs)03d %(levelname)-7s %(name)s: %(message)s"
# What every LogRecord carries; anything else on a record came from `extra=` and is a JSON field.
_STANDARD = {*logging.LogRecord("", 0, "", 0, "", None, None).__dict__, "message", "asctime", "taskName"}
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]")  # CSI sequences (colours, cursor moves), then 2-byte ones
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def mask(text: str) -> str:
    """`text` with every known secret value replaced by ***; longest first, so a secret inside another goes too."""
    for value in sorted(known_values(), key=len, reverse=True):
        text = text.replace(value, "***")
    return text


def _masked(value: Any) -> Any:
    """An extra field's value ready for JSON: strings masked, containers walked, anything else as masked text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        return {str(k): _masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_masked(v) for v in value]
    return mask(str(value))


class MaskSecrets(logging.Filter):
    """Rewrites the record's message with secrets masked (arguments merged in first, so none slips through them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask(record.getMessage())
        record.args = None
        return True


class MaskingFormatter(logging.Formatter):
    """Masks the whole formatted line too: exception text is added after the filter ran.

    `one_line` (a stream that is not a terminal): newlines escaped and escape sequences
    dropped, so a multi-line device reply stays one journal entry with no ANSI in it.
    """

    def __init__(self, one_line: bool) -> None:
        super().__init__(FORMAT, datefmt="%H:%M:%S")
        self.one_line = one_line

    def format(self, record: logging.LogRecord) -> str:
        text = mask(super().format(record))
        if self.one_line:
            text = _CONTROLS.sub("", _ESCAPES.sub("", text).replace("\r", "").replace("\n", "\\n"))
        return text


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (ISO 8601, UTC), level, logger, message, extra fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "message": mask(record.getMessage())}
        event |= {k: _masked(v) for k, v in record.__dict__.items() if k not in _STANDARD and k not in event}
        if record.exc_info:
            event["exception"] = mask(self.formatException(record.exc_info))
        return json.dumps(event, ensure_ascii=False, default=str)


def level_from(verbosity: int, env: str | None) -> int:
    """The level the options ask for: `-v`/`-vv` when given, else COLO_LOG_LEVEL, else warnings."""
    if verbosity or not env:
        return LEVELS[max(0, min(verbosity, 2))]
    try:
        return NAMED[env.strip().lower()]
    except KeyError:
        raise BadInput(f"COLO_LOG_LEVEL={env!r}: give one of {', '.join(NAMED)}") from None


def format_for(choice: str | None, stream: TextIO) -> str:
    """`--log-format` as given, else text on a terminal and JSON lines anywhere else."""
    if choice is not None:
        return choice
    return "text" if stream.isatty() else "json"


class CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to `sys.stderr` as it is when the record arrives, like logging's last resort: an in-process
    caller (a test capturing output, a runner) that swaps stderr later still gets the lines, and a
    replaced stream that was closed is never written to."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _: TextIO) -> None:
        pass


_installed: list[tuple[logging.Logger, logging.Handler, int, bool]] = []


def configure(verbosity: int = 0, stream: TextIO | None = None, fmt: str = "text",
              level: int | None = None) -> logging.Handler:
    """Send the toolkit's log records (and at debug the SSH libraries') to `stream` (default stderr).

    `level` (a logging level) overrides the one `verbosity` stands for. Warnings and errors
    from any other library go through the same handler, so a JSON stream holds nothing but
    JSON. Calling it again replaces the handler it installed before, so tests and a
    long-lived process can change their mind.
    """
    reset()
    if fmt not in FORMATS:
        raise BadInput(f"--log-format {fmt!r}: give one of {', '.join(FORMATS)}")
    handler = CurrentStderr() if stream is None else logging.StreamHandler(stream)
    terminal = (sys.stderr if stream is None else stream).isatty()
    handler.setFormatter(JsonFormatter() if fmt == "json" else MaskingFormatter(one_line=not terminal))
    handler.addFilter(MaskSecrets())
    level = LEVELS[max(0, min(verbosity, 2))] if level is None else level
    _attach(logging.getLogger("provision"), handler, level)
    for name in LIBRARIES:
        _attach(logging.getLogger(name), handler, logging.DEBUG if level <= logging.DEBUG else max(level, logging.WARNING))
    _attach(logging.getLogger(), handler, max(level, logging.WARNING), propagate=True)
    return handler


def _attach(logger: logging.Logger, handler: logging.Handler, level: int, propagate: bool = False) -> None:
    _installed.append((logger, handler, logger.level, logger.propagate))
    logger.setLevel(level)
    logger.addHandler(handler)
    logger.propagate = propagate  # ours and the SSH libraries': shown here, once, not again by the root's handlers


def reset() -> None:
    """Take the handler away again and give each logger back its level: as before `configure`."""
    while _installed:
        logger, handler, level, propagate = _installed.pop()
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate
