"""A fake-switches Cisco switch in a subprocess, for tests that drive it through real netmiko.

    with fake_cisco_switch() as sw:
        conn = ConnectHandler(**sw.netmiko())
        conn.enable()

fake-switches 1.5.0 (PyPI; an independent simulator nobody here wrote) pins Twisted<17,
which no longer builds, so it is installed with --no-deps beside a current Twisted; see
INSTALL. If it is not importable, fake_cisco_switch() raises FakeSwitchesMissing saying
how to install it: it never skips silently.

What netmiko needs against it (cisco_ios): it has no `end`, so send_config_set() must
get exit_config_mode=False, every stanza must close with `exit`, and the session leaves
configuration with conn.exit_config_mode(exit_config="exit"); cmd_verify works as is;
an unknown command answers "No such command : <line>", which only an explicit
error_pattern (ERROR_PATTERN) turns into ConfigInvalidException.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LAUNCHER = Path(__file__).with_name("fakeswitches_launcher.py")

INSTALL = ("pip install 'twisted[conch]>=24' tftpy netaddr lxml && "
           "pip install --no-deps fake-switches==1.5.0")

# Every rejection fake-switches' Cisco core writes (the line is matched, so the message is kept whole).
ERROR_PATTERN = r"No such command.*|% ?(Invalid|Incomplete|Ambiguous|Unknown|Bad|Error).*|Command rejected.*"


class FakeSwitchesMissing(RuntimeError):
    """fake-switches or one of its dependencies cannot be imported."""


@dataclass(frozen=True)
class FakeSwitch:
    host: str
    port: int
    username: str
    password: str
    enable: str
    hostname: str = "fake-sw"

    def netmiko(self, **extra: Any) -> dict[str, Any]:
        """ConnectHandler arguments; short time-outs so a wedged simulator fails fast."""
        params: dict[str, Any] = {
            "device_type": "cisco_ios", "host": self.host, "port": self.port, "username": self.username,
            "password": self.password, "secret": self.enable, "conn_timeout": 5, "auth_timeout": 5,
            "banner_timeout": 5, "timeout": 10, "allow_agent": False, "use_keys": False,
        }
        return params | extra


def require_fake_switches() -> None:
    """Raise FakeSwitchesMissing, with the install lines, unless the launcher's imports work here."""
    try:
        import fake_switches.switch_factory
        import fake_switches.transports.ssh_service  # noqa: F401
        import twisted.internet.reactor  # noqa: F401
    except ImportError as e:
        raise FakeSwitchesMissing(
            f"fake-switches cannot be imported ({e}). Install it into this interpreter ({sys.executable}) with: "
            f"{INSTALL}  (fake-switches pins a Twisted that no longer builds, hence --no-deps; see .ci/run)") from e


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ssh_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            return s.recv(8).startswith(b"SSH-")
    except OSError:
        return False


@contextlib.contextmanager
def fake_cisco_switch(*, username: str = "tech", password: str = "s3cret", enable: str = "en4ble",
                      hostname: str = "fake-sw", model: str = "cisco_generic", gigabit_ports: int = 8,
                      start_timeout: float = 20.0) -> Iterator[FakeSwitch]:
    """A fake-switches Cisco switch on a free 127.0.0.1 port, up until the block ends.

    Ports: GigabitEthernet1/0/1..gigabit_ports, then the model's own (cisco_generic:
    FastEthernet0/1-12). Its configuration lives in memory, shared by every session.
    """
    require_fake_switches()
    with tempfile.TemporaryFile() as log:  # a file, not a pipe: a full pipe would stall the simulator
        for attempt in range(3):  # the free port can be taken between choosing and binding it
            port = _free_port()
            proc = subprocess.Popen(
                [sys.executable, str(LAUNCHER), "--port", str(port), "--username", username, "--password", password,
                 "--enable", enable, "--hostname", hostname, "--model", model, "--gigabit-ports", str(gigabit_ports)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log)
            deadline = time.monotonic() + start_timeout
            while not _ssh_answers(port) and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
            if proc.poll() is None and _ssh_answers(port):
                break
            exited = proc.poll()
            _stop(proc)
            log.seek(0)
            output = log.read().decode(errors="replace")
            if "Address already in use" in output and attempt < 2:
                log.seek(0)
                log.truncate()
                continue
            why = f"exited with code {exited}" if exited is not None else f"did not answer SSH within {start_timeout:.0f} s"
            raise RuntimeError(f"fake-switches on 127.0.0.1:{port} {why}; its output:\n{output[-3000:]}")
        try:
            yield FakeSwitch("127.0.0.1", port, username, password, enable, hostname)
        finally:
            _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
