"""The one switch driver: netmiko sessions, locking, retries, push, read-back and save.

Platforms subclass it and declare syntax only (NAPALM's shape; networking-generic-
switch's per-vendor command tuples over one mechanism). Nothing here knows about
contracts or the store: a driver is told a port's intended state and reports what the
device holds.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from provision.domain.portconfig import PortIntent
from provision.drivers.switch.config import Desired, PortState, RunningConfig, Stanza, diff_lines, stanza_commands
from provision.errors import DeviceError
from provision.secrets import Credentials

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SwitchAccess:
    """Where a switch is and what opens it; the secret values stay wrapped."""

    name: str
    host: str
    port: int
    credentials: Credentials
    connect_timeout: float = 10.0
    attempts: int = 3
    backoff_s: float = 0.5


class SwitchDriver(ABC):
    """Mechanism shared by every platform. Subclasses fill in the class attributes and `render`."""

    platform: ClassVar[str]
    device_type: ClassVar[str]           # netmiko's name for the platform
    show_running: ClassVar[str]
    skip_line: ClassVar[re.Pattern[str]]  # banners, separators and trailers of the running config
    exit_command: ClassVar[str]          # one configuration level up
    negate_word: ClassVar[str]           # "no" / "undo"
    single_valued: ClassVar[frozenset[str]]  # line prefixes that hold one value: "no/undo <prefix>" removes it
    removed_with_argument: ClassVar[frozenset[str]] = frozenset()  # ...unless the device wants the value named
    enters_mode: ClassVar[re.Pattern[str]]   # global commands that open a sub-mode
    hidden_defaults: ClassVar[frozenset[str]] = frozenset()  # lines the device always shows
    error_pattern: ClassVar[str]
    needs_enable: ClassVar[bool] = False
    # Entering and leaving configuration explicitly, with the prompt to wait for: netmiko's
    # own mode check on VRP/Comware waits for output to settle, ~4 s each way.
    config_enter: ClassVar[tuple[str, str]]
    config_leave: ClassVar[tuple[str, str]]
    netmiko_options: ClassVar[dict[str, Any]] = {}

    def __init__(self, access: SwitchAccess) -> None:
        self.access = access
        self.name = access.name
        self._conn: Any = None

    # ---- syntax (pure) -------------------------------------------------------------

    @abstractmethod
    def render(self, intent: PortIntent) -> Desired:
        """The port's intended lines on this platform, the shared objects they need, and the caveats."""

    @abstractmethod
    def port_globals(self, running: RunningConfig, interface: str) -> tuple[str, ...]:
        """Global lines that belong to `interface` (bindings kept outside the interface block)."""

    def released(self) -> PortState:
        """A port handed back to the pool: shut down, with no trace of its last tenant (decommission)."""
        return PortState(("shutdown",))

    def parse(self, text: str) -> RunningConfig:
        return RunningConfig.parse(text, self.skip_line)

    def port_state(self, running: RunningConfig, interface: str) -> PortState:
        lines = running.children(f"interface {interface}")
        if lines is None:
            raise DeviceError(self.name, f"has no interface {interface}: check the inventory's access_ports")
        return PortState(tuple(line for line in lines if line not in self.hidden_defaults),
                         self.port_globals(running, interface))

    def has_prerequisite(self, running: RunningConfig, stanza: Stanza) -> bool:
        return running.has(stanza)

    def key(self, line: str) -> str:
        return next((prefix for prefix in self.single_valued if line.startswith(prefix)), line)

    def negate(self, line: str) -> str:
        prefix = self.key(line)
        if prefix == line or prefix in self.removed_with_argument:
            return f"{self.negate_word} {line}"
        return f"{self.negate_word} {prefix}"

    def change(self, interface: str, current: PortState, wanted: PortState) -> list[str]:
        """Commands taking a port from `current` to `wanted`; empty when they already agree.

        Interface lines first (removals before additions, for devices that refuse a
        change while a dependent setting is present), then global lines, added before
        removed so a port's binding is never absent while its filter is on.
        """
        removals, additions = diff_lines(current.interface, wanted.interface, self.key)
        commands: list[str] = []
        if removals or additions:
            commands += [f"interface {interface}", *map(self.negate, removals), *additions, self.exit_command]
        commands += [line for line in wanted.globals if line not in current.globals]
        commands += [f"{self.negate_word} {line}" for line in current.globals if line not in wanted.globals]
        return commands

    def ensure(self, running: RunningConfig, stanzas: Sequence[Stanza]) -> list[str]:
        missing = [st for st in stanzas if not self.has_prerequisite(running, st)]
        return stanza_commands(missing, self.exit_command, self.enters_mode)

    # ---- session (I/O) -------------------------------------------------------------

    def open(self) -> None:
        """Connect, retrying transient failures with exponential backoff; never retry a refused login."""
        if self._conn is not None and self._conn.is_alive():
            return
        from netmiko import ConnectHandler
        from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException

        creds = self.access.credentials.require("username", "password")
        params: dict[str, Any] = {
            "device_type": self.device_type, "host": self.access.host, "port": self.access.port,
            "username": creds.username, "password": creds.password.reveal() if creds.password else "",
            "conn_timeout": self.access.connect_timeout, "auth_timeout": self.access.connect_timeout,
            "fast_cli": True, "allow_agent": False, "use_keys": False,
            "ssh_config_file": None, "session_log": None,
        }
        params |= self.netmiko_options
        if self.needs_enable:
            params["secret"] = creds.enable.reveal() if creds.enable else ""
        delay = self.access.backoff_s
        for attempt in range(1, self.access.attempts + 1):
            try:
                self._conn = ConnectHandler(**params)
                if self.needs_enable:
                    self._conn.enable()
                return
            except NetmikoAuthenticationException:
                raise DeviceError(self.name, f"login refused at {self.access.host}:{self.access.port}: check the "
                                             f"secret {creds.name!r} (COLO_SECRETS or COLO_SECRET_* variables)") from None
            except (NetmikoTimeoutException, OSError, EOFError) as e:
                reason = _scrub(str(e).splitlines()[0] if str(e) else type(e).__name__, creds)
                if attempt == self.access.attempts:
                    raise DeviceError(self.name, f"no SSH session to {self.access.host}:{self.access.port} after "
                                                 f"{attempt} attempts ({reason}); is the switch up?") from None
                log.warning("%s: connect attempt %d failed (%s); retrying in %.1fs", self.name, attempt, reason, delay)
                time.sleep(delay)
                delay *= 2

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.disconnect()
            except Exception:
                log.debug("%s: disconnect failed", self.name, exc_info=True)
            self._conn = None

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        self.open()
        from netmiko.exceptions import ConfigInvalidException, ReadTimeout

        try:
            return fn(self._conn, *args, **kwargs)
        except ConfigInvalidException as e:
            self.close()  # mid-configuration after a rejected line: a fresh session is the only known state
            raise DeviceError(self.name, f"{what} rejected: {_rejection(str(e))}") from None
        except (ReadTimeout, OSError, EOFError) as e:
            self.close()
            raise DeviceError(self.name, f"{what}: session lost ({type(e).__name__}); nothing after it was sent") from None

    def running(self) -> RunningConfig:
        text = self._call("reading the running config",
                          lambda c: c.send_command(self.show_running, read_timeout=60))
        return self.parse(text)

    def push(self, commands: Sequence[str]) -> str:
        """Send one batch in one configuration session; any error line aborts with the device's message."""
        if not commands:
            return ""
        def run(c: Any) -> str:
            out = c.send_command(self.config_enter[0], expect_string=self.config_enter[1])
            out += c.send_config_set(list(commands), error_pattern=self.error_pattern, read_timeout=60,
                                     enter_config_mode=False, exit_config_mode=False)
            return str(out + c.send_command(self.config_leave[0], expect_string=self.config_leave[1]))

        return str(self._call("configuration", run))

    def save(self) -> None:
        self._call("saving the configuration", lambda c: c.save_config())


_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


@contextmanager
def switch_lock(name: str) -> Iterator[None]:
    """One configuration session per switch at a time, across threads and processes.

    Two technicians provisioning on one switch would otherwise interleave their
    configuration sessions and read back each other's half-done changes.
    """
    with _LOCKS_GUARD:
        lock = _LOCKS.setdefault(name, threading.Lock())
    lock_dir = Path(os.environ.get("COLO_LOCK_DIR", tempfile.gettempdir()))
    with lock, open(lock_dir / f"colo-switch-{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _rejection(message: str) -> str:
    """netmiko's 'Invalid input detected at command: X, matched error: Y' as "'X': Y"."""
    m = re.match(r"Invalid input detected at command: (.*), matched error: (.*)", message, re.S)
    return f"{m.group(1)!r}: {m.group(2).strip()}" if m else message.strip()


def _scrub(text: str, creds: Credentials) -> str:
    for secret in (creds.password, creds.enable):
        if secret is not None and secret.reveal():
            text = text.replace(secret.reveal(), "***")
    return text
