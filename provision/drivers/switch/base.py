"""The one switch driver: netmiko sessions, locking, retries, push, read-back and save.

Platforms subclass it and declare syntax only (NAPALM's shape; networking-generic-
switch's per-vendor command tuples over one mechanism). Nothing here knows about
contracts or the store: a driver is told a port's intended state and reports what the
device holds.
"""

from __future__ import annotations

import difflib
import fcntl
import functools
import logging
import os
import re
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from netutils.constants import BASE_INTERFACES

from provision.domain.portconfig import PortIntent
from provision.domain.portfacts import Bound, PortFacts
from provision.drivers.switch.config import RunningConfig, Stanza, clean, stanza_commands
from provision.drivers.switch.portsyntax import Desired, PortReading, PortSyntax
from provision.errors import BadInput, DeviceError
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
    syntax: ClassVar[PortSyntax]         # how the port's facts print and are typed
    enters_mode: ClassVar[re.Pattern[str]]   # global commands that open a sub-mode
    # Errors only in the platform's own error forms: log lines (`%Jan 1 ... IFNET/3/...` on
    # Comware, `%LINK-3-UPDOWN` on IOS) and informational `%` lines are not errors.
    error_pattern: ClassVar[str]
    needs_enable: ClassVar[bool] = False
    # Entering and leaving configuration explicitly, with the prompt to wait for: netmiko's
    # own mode check on VRP/Comware waits for output to settle, ~4 s each way.
    config_enter: ClassVar[tuple[str, str]]
    config_leave: ClassVar[tuple[str, str]]
    # any configuration-mode prompt, amid a stream of replies: each line's reply ends at it; {base} is the device's name
    config_prompt_inline: ClassVar[str]
    # stanzas written ahead of the replies being read (push): enough to keep the switch busy, few enough that a
    # rejected line leaves little sent after it; a few hundred bytes, well inside any SSH window and VTY buffer
    stanzas_in_flight: ClassVar[int] = 4
    session_setup: ClassVar[tuple[tuple[str, str], ...]] = ()  # (command, prompt) after login: log lines off
    save_command: ClassVar[str]
    save_prompts: ClassVar[tuple[tuple[str, str], ...]] = ()   # (question, answer) the save may ask
    save_done: ClassVar[str]             # what the device prints when the configuration was written
    interface_abbreviations: ClassVar[dict[str, str]] = {}    # this platform's short names, for netutils
    foreign_lines: ClassVar[re.Pattern[str]]  # lines only other platforms print (telling a wrong file)
    netmiko_options: ClassVar[dict[str, Any]] = {}

    def __init__(self, access: SwitchAccess | None) -> None:
        """`access` None: a driver that only reads saved configurations (`colo switch parse`)."""
        self.access = access
        self.name = access.name if access else f"a {self.platform} configuration"
        self._conn: Any = None

    # ---- syntax (pure) -------------------------------------------------------------

    def render(self, intent: PortIntent) -> Desired:
        """The port's intended facts on this platform, the shared objects they need, and the caveats."""
        needs = [self.vlan_stanza(intent.vlan)]
        notes: list[str] = []
        limits = self.rate_limits(intent, needs, notes)
        bindings = self.bindings(intent, needs, notes)
        facts = PortFacts(description=intent.description, mode="access", vlan=intent.vlan, **limits,
                          guard=self.guard(bindings) if bindings else None, bindings=bindings,
                          shutdown=not intent.enabled)
        return Desired(facts, tuple(needs), tuple(notes))

    @abstractmethod
    def vlan_stanza(self, vlan: int) -> Stanza:
        """How the platform creates a VLAN."""

    @abstractmethod
    def rate_limits(self, intent: PortIntent, needs: list[Stanza], notes: list[str]) -> dict[str, int | None]:
        """The rate facts enforcing the contract's bandwidth, adding the objects they need and what they cannot do."""

    @abstractmethod
    def guard(self, bindings: tuple[Bound, ...]) -> str:
        """The anti-spoofing check that enforces `bindings`, as this platform names it."""

    def bindings(self, intent: PortIntent, needs: list[Stanza], notes: list[str]) -> tuple[Bound, ...]:
        if any(b.mac is None for b in intent.bindings):
            notes.append("address bound to the port without a MAC until the server is recorded; activation adds it")
        return tuple(Bound(str(b.address), b.mac, intent.vlan) for b in intent.bindings)

    def parse(self, text: str) -> RunningConfig:
        return RunningConfig.parse(text, self.skip_line)

    def port_key(self, name: str) -> tuple[str, str]:
        """What makes two spellings one port: `Gi1/0/30`, `gigabitethernet 1/0/30` and `GigabitEthernet1/0/30`.

        The platform's own abbreviations win over netutils' (Huawei's XGE is XGigabitEthernet,
        H3C's is Ten-GigabitEthernet), and case and hyphens do not count.
        """
        m = re.fullmatch(r"(.*?[A-Za-z-])([\d/:.]+)", re.sub(r"\s+", "", name))
        if m is None:
            return (name.lower(), "")
        prefix = m.group(1).lower()
        full = _abbreviations(type(self)).get(prefix, prefix)
        return (full.lower().replace("-", ""), m.group(2))

    def read(self, running: RunningConfig, interface: str) -> PortReading:
        """The port's facts as the device holds them, under the name the device prints; an unknown port is bad input."""
        wanted = self.port_key(interface)
        printed = {self.port_key(name): name for name in running.interface_headers()}
        name = printed.get(wanted)
        if name is None:
            near = difflib.get_close_matches(interface, list(printed.values()), n=3, cutoff=0.6)
            hint = f"; nearest: {', '.join(near)}" if near else ""
            raise BadInput(f"{self.name} has no interface {interface}{hint}: check the interface name "
                           f"(for a switch of the site, its access_ports in the inventory)")
        return self.syntax.read(running, f"interface {name}", name, lambda other: self.port_key(other) == wanted)

    def change(self, reading: PortReading, wanted: PortFacts) -> list[str]:
        return self.syntax.commands(reading, wanted)

    def prerequisite_form(self, child: str) -> str:
        """A shared object's child line as compared: the platform drops or adds words real devices vary in."""
        return child.strip()

    def has_prerequisite(self, running: RunningConfig, stanza: Stanza) -> bool:
        return running.has(stanza, self.prerequisite_form)

    def ensure(self, running: RunningConfig, stanzas: Sequence[Stanza]) -> list[str]:
        missing = [st for st in stanzas if not self.has_prerequisite(running, st)]
        return stanza_commands(missing, self.syntax.exit_command, self.enters_mode)

    def check_file(self, text: str, source: str) -> RunningConfig:
        """A saved configuration of this platform, parsed; another platform's or no configuration is bad input."""
        running = self.parse(text)
        foreign = next((line for line in text.splitlines() if self.foreign_lines.search(line)), None)
        if not running.interface_headers() or foreign is not None:
            why = f"it has {foreign.strip()!r}" if foreign else "it has no interface blocks"
            raise BadInput(f"{source} is not a {self.platform} configuration ({why}); give the --platform the "
                           f"file was saved from")
        return running

    # ---- session (I/O) -------------------------------------------------------------

    def open(self) -> None:
        """Connect, retrying transient failures with exponential backoff; never retry a refused login."""
        if self._conn is not None and self._conn.is_alive():
            return
        if self.access is None:
            raise DeviceError(self.name, "this driver only parses saved configurations; it has no device to open")
        access = self.access
        from netmiko import ConnectHandler
        from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException

        creds = access.credentials.require("username", "password")
        params: dict[str, Any] = {
            "device_type": self.device_type, "host": access.host, "port": access.port,
            "username": creds.username, "password": creds.password.reveal() if creds.password else "",
            "conn_timeout": access.connect_timeout, "auth_timeout": access.connect_timeout,
            "fast_cli": True, "allow_agent": False, "use_keys": False,
            "ssh_config_file": None, "session_log": None,
        }
        params |= self.netmiko_options
        if self.needs_enable:
            params["secret"] = creds.enable.reveal() if creds.enable else ""
        delay = access.backoff_s
        for attempt in range(1, access.attempts + 1):
            try:
                started = time.monotonic()
                self._conn = ConnectHandler(**params)
                log.info("%s: SSH session to %s:%d as %s (%s) in %.2fs", self.name, access.host, access.port,
                         creds.username, self.device_type, time.monotonic() - started)
                if self.needs_enable:
                    self._conn.enable()
                for command, prompt in self.session_setup:
                    _said(self.name, command, prompt, time.monotonic(),  # arguments run in order: timed first
                          self._conn.send_command(command, expect_string=prompt, cmd_verify=False))
                return
            except NetmikoAuthenticationException:
                raise DeviceError(self.name, f"login refused at {access.host}:{access.port}: check the "
                                             f"secret {creds.name!r} (COLO_SECRETS or COLO_SECRET_* variables)") from None
            except (NetmikoTimeoutException, OSError, EOFError) as e:
                reason = _scrub(str(e).splitlines()[0] if str(e) else type(e).__name__, creds)
                if attempt == access.attempts:
                    raise DeviceError(self.name, f"no SSH session to {access.host}:{access.port} after "
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
            raise DeviceError(self.name, f"{what}: session lost ({type(e).__name__}); nothing more was sent") from None

    def show(self, what: str, command: str) -> str:
        """An exec-mode command's output, read up to this device's own prompt after the command's echo.

        The same exchange as netmiko's `send_command` with the prompt given (the echo first,
        so a stale prompt never ends the read early; then the output; cleaned the same way),
        but polled every 2 ms: send_command sleeps 25 ms between reads, which made every
        show cost ~70 ms however short its output, five of them in each provisioning.
        """
        def run(c: Any) -> str:
            prompt = rf"{re.escape(c.base_prompt)}[^\r\n]*[>#]\s*$"
            started, sent = time.monotonic(), c.normalize_cmd(command)
            c.write_channel(sent)
            raw = _Replies(c, prompt, timeout=60).after(re.escape(command.strip()))
            return _said(self.name, command, prompt, started,
                         c.strip_prompt(c.strip_command(sent, c.normalize_linefeeds(c.strip_ansi_escape_codes(raw)))))

        return str(self._call(what, run))

    def running(self) -> RunningConfig:
        return self.parse(self.show("reading the running config", self.show_running))

    def push(self, commands: Sequence[str]) -> str:
        """Send one batch in one configuration session, a few stanzas ahead, stopping after the first error.

        A stanza's lines (up to the line that leaves it) go out in one write, and up to
        `stanzas_in_flight` stanzas are written before the oldest one's replies are read,
        so the switch works through the next stanzas while ours are checked: a batch costs
        neither a round trip per line nor one per stanza. The replies are read one by one,
        each up to the configuration prompt that follows it, so every error is still tied to
        its line. Each reply ends at the prompt, not at the echo: Comware wraps the echo of
        a long line. After a rejected line nothing more is written; the lines already
        written after it (its stanza's rest and at most `stanzas_in_flight - 1` stanzas)
        were sent, and the caller's undo works from what the device then holds. Every
        byte read is checked for errors, leaving the configuration included: a log line
        that reprints the prompt (terminal monitor on) only moves an error to a later reply.
        """
        if not commands:
            return ""

        def run(c: Any) -> str:
            out = _said(self.name, self.config_enter[0], self.config_enter[1], time.monotonic(),
                        c.send_command(self.config_enter[0], expect_string=self.config_enter[1], cmd_verify=False))
            prompt = self.config_prompt_inline.replace("{base}", re.escape(c.base_prompt))
            replies = _Replies(c, prompt, timeout=60)
            written: deque[tuple[list[str], float]] = deque()

            def answered(stanza: list[str], started: float) -> str:
                return "".join(self._checked(line, _said(self.name, line, prompt, started, replies.next()))
                               for line in stanza)

            for stanza in _stanzas(commands, self.syntax.exit_command):
                if len(written) == self.stanzas_in_flight:
                    out += answered(*written.popleft())
                written.append((stanza, time.monotonic()))
                c.write_channel("".join(f"{line}{c.RETURN}" for line in stanza))
            while written:
                out += answered(*written.popleft())
            return out + self._checked(self.config_leave[0], replies.rest() + _said(
                self.name, self.config_leave[0], self.config_leave[1], time.monotonic(),
                c.send_command(self.config_leave[0], expect_string=self.config_leave[1], cmd_verify=False)))

        return str(self._call("configuration", run))

    def _checked(self, line: str, reply: str) -> str:
        from netmiko.exceptions import ConfigInvalidException

        error = re.search(self.error_pattern, clean(reply), re.M)
        if error:
            raise ConfigInvalidException(f"Invalid input detected at command: {line}, matched error: {error.group(0)}")
        return reply

    def save(self) -> None:
        """Write the configuration, answering each question the platform asks, and insist on its success text."""

        def run(c: Any) -> str:
            waits = "|".join([self.config_leave[1], *(q for q, _ in self.save_prompts)])
            out = _said(self.name, self.save_command, waits, time.monotonic(),
                        c.send_command(self.save_command, expect_string=waits, cmd_verify=False, read_timeout=120))
            for _ in range(len(self.save_prompts) + 1):
                tail = clean(out).rstrip().splitlines()[-1:] or [""]
                answer = next((a for q, a in self.save_prompts if re.search(q, tail[0])), None)
                if answer is None:
                    break
                out += _said(self.name, answer, waits, time.monotonic(),
                             c.send_command(answer, expect_string=waits, cmd_verify=False, read_timeout=120))
            return out

        out = clean(str(self._call("saving the configuration", run)))
        if not re.search(self.save_done, out, re.M):
            last = next((line.strip() for line in reversed(out.splitlines()) if line.strip()), "no output")
            raise DeviceError(self.name, f"saving the configuration was not confirmed (device said {last!r}); "
                                         f"the change is live but unsaved: save it by hand")


@functools.cache
def _abbreviations(driver: type[SwitchDriver]) -> dict[str, str]:
    """Lower-case spelling → full name: netutils' table, then the platform's own over it."""
    table = {k.lower(): v for k, v in BASE_INTERFACES.items()}
    table |= {v.lower(): v for v in driver.interface_abbreviations.values()}
    return table | {k.lower(): v for k, v in driver.interface_abbreviations.items()}


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


def _said(device: str, command: str, prompt: str, started: float, reply: Any) -> str:
    """Log one exchange of the device conversation (-v: the command and its time; -vv: the prompt and the reply)."""
    reply = str(reply)
    log.info("%s > %s  (%.2fs)", device, command, time.monotonic() - started)
    if log.isEnabledFor(logging.DEBUG):
        log.debug("%s waited for %r; replied:\n%s", device, prompt, "\n".join(f"  < {line}" for line in
                                                                             clean(reply).splitlines()))
    return reply


class _Replies:
    """The replies to lines written ahead, cut at each prompt.

    The channel is polled every 2 ms: a stanza's replies are ready a few milliseconds after
    it is written, and netmiko's own read loop sleeps 10 ms at a time.
    """

    def __init__(self, conn: Any, prompt: str, timeout: float) -> None:
        self.conn, self.prompt, self.timeout, self.pending = conn, re.compile(prompt), timeout, ""

    def next(self) -> str:
        """Everything up to and including the next prompt."""
        deadline = time.monotonic() + self.timeout
        while (m := self.prompt.search(self.pending)) is None:
            self._wait(deadline)
        reply, self.pending = self.pending[:m.end()], self.pending[m.end():]
        return reply

    def after(self, echo: str) -> str:
        """Everything up to the first prompt that follows `echo` (a pattern): what an exec command printed."""
        deadline, seen = time.monotonic() + self.timeout, re.compile(echo)
        while (e := seen.search(self.pending)) is None or (m := self.prompt.search(self.pending, e.end())) is None:
            self._wait(deadline)
        reply, self.pending = self.pending[:m.end()], self.pending[m.end():]
        return reply

    def _wait(self, deadline: float) -> None:
        if time.monotonic() > deadline:
            from netmiko.exceptions import ReadTimeout

            raise ReadTimeout(f"no prompt within {self.timeout:.0f} s")
        new = self.conn.read_channel()
        if not new:
            time.sleep(0.002)
        self.pending += new

    def rest(self) -> str:
        """What was read past the last prompt (a late log line): checked like every reply."""
        rest, self.pending = self.pending, ""
        return rest


def _stanzas(commands: Sequence[str], leave: str) -> Iterator[list[str]]:
    """The batch cut after each line that leaves a section: what one write sends."""
    stanza: list[str] = []
    for line in commands:
        stanza.append(line)
        if line == leave:
            yield stanza
            stanza = []
    if stanza:
        yield stanza


def _rejection(message: str) -> str:
    """netmiko's 'Invalid input detected at command: X, matched error: Y' as "'X': Y"."""
    m = re.match(r"Invalid input detected at command: (.*), matched error: (.*)", message, re.S)
    return f"{m.group(1)!r}: {m.group(2).strip()}" if m else message.strip()


def _scrub(text: str, creds: Credentials) -> str:
    for secret in (creds.password, creds.enable):
        if secret is not None and secret.reveal():
            text = text.replace(secret.reveal(), "***")
    return text
