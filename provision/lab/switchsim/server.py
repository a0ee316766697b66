"""asyncssh front of the simulators: one process, one listener per switch, one shell per session.

Input is taken line by line and echoed like a terminal (netmiko checks the echo);
after every change the switch's state file is rewritten, and at every login it is
reloaded if a test or another tool changed it in between.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from dataclasses import dataclass
from typing import Any

import asyncssh

from provision.lab.switchsim.cisco_ios import CiscoIos
from provision.lab.switchsim.dialect import Dialect, Session
from provision.lab.switchsim.hp_comware import HpComware
from provision.lab.switchsim.huawei_vrp import HuaweiVrp
from provision.lab.switchsim.model import Device, StateFile, link

log = logging.getLogger(__name__)
DIALECTS: dict[str, type[Dialect]] = {d.platform: d for d in (CiscoIos, HuaweiVrp, HpComware)}


@dataclass
class Switch:
    config: dict[str, Any]
    dialect: Dialect
    state: StateFile
    device: Device | None = None

    def load(self) -> Device:
        """The device as its state file says, or factory-new when there is none."""
        if self.device is not None and not self.state.changed_elsewhere():
            return self.device
        data = self.state.load()
        device = Device(self.config["name"], self.config["platform"], list(self.config["interfaces"]),
                        uplinks=list(self.config.get("uplinks", [])))
        if data and "model" in data:
            device.blocks = {k: list(v) for k, v in data["model"]["blocks"].items()}
            device.saved = data["model"].get("saved")
        else:
            self.dialect.new_device(device)
        self.device = device
        if not data or "model" not in data:
            self.persist()
        return device

    def faults(self) -> dict[str, Any]:
        data = self.state.load() or {}
        return dict(data.get("faults", {}))

    def persist(self) -> None:
        assert self.device is not None
        d = self.device
        faults = self.faults()
        ports: dict[str, dict[str, Any]] = {}
        for i, name in enumerate(d.interfaces):
            admin = "down" if "shutdown" in d.blocks.get(f"interface {name}", []) else "up"
            ports[name] = {"ifindex": i + 1, "admin": admin, "oper": link(admin, name, faults)}
        self.state.save({"platform": d.platform, "running": self.dialect.render(d), "saved": d.saved,
                         "interfaces": ports, "model": d.as_dict()})


async def shell(switch: Switch, process: asyncssh.SSHServerProcess[str]) -> None:
    device = switch.load()
    s = Session(device, switch.dialect.start_mode(), enable_secret=switch.config.get("enable", ""),
                faults=switch.faults())
    out = process.stdout
    s.prompt_shown = switch.dialect.prompt(s)
    out.write(s.prompt_shown)
    buffer = ""
    pending_logs: list[asyncio.TimerHandle] = []
    try:
        while not s.closed:
            chunk = await process.stdin.read(4096)
            if not chunk:
                break
            buffer += chunk.replace("\x00", "")  # terminals ignore NUL padding; netmiko sometimes sends it
            while not s.closed:
                m = re.search(r"\r\n|\n|\r", buffer)
                if m is None:
                    break
                line, buffer = buffer[:m.start()], buffer[m.end():]
                log.debug("%s < %r", device.name, line)
                if s.echo:
                    out.write(switch.dialect.echo(s, line))
                out.write("\r\n")
                for rule in s.faults.get("delay", []):
                    if re.search(rule["match"], line):
                        await asyncio.sleep(float(rule["seconds"]))
                result = switch.dialect.handle(s, line)
                if s.changed:
                    switch.persist()
                    s.changed = False
                if s.saved:
                    device.saved = switch.dialect.render(device)
                    switch.persist()
                    s.saved = False
                if result:
                    out.write(result.rstrip("\n").replace("\n", "\r\n") + "\r\n")
                if not s.closed:
                    s.prompt_shown = switch.dialect.prompt(s)
                    out.write(s.prompt_shown)
                if s.logs and not s.closed:
                    # a real switch logs a moment after the command, wherever the terminal's cursor is
                    text, s.logs = "".join(s.logs), []
                    pending_logs.append(asyncio.get_running_loop().call_later(LOG_DELAY, _write, out, text))
    except (asyncssh.BreakReceived, asyncssh.TerminalSizeChanged, ConnectionError):
        pass
    finally:
        for handle in pending_logs:
            handle.cancel()
        process.exit(0)


LOG_DELAY = 0.05  # seconds between a port's change and its log line on the session


def _write(out: asyncssh.SSHWriter[str], text: str) -> None:
    with contextlib.suppress(OSError, asyncssh.Error):  # the session ended before its log line was due
        out.write(text)


class _Auth(asyncssh.SSHServer):
    def __init__(self, username: str, password: str) -> None:
        self.username, self.password = username, password

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return username == self.username and password == self.password


async def serve(config: dict[str, Any]) -> list[asyncssh.SSHAcceptor]:
    """Start a listener for every switch in `config`; the caller keeps the loop running."""
    key = asyncssh.generate_private_key("ssh-ed25519")
    servers = []
    for sw in config["switches"]:
        switch = Switch(sw, DIALECTS[sw["platform"]](sw.get("personality")), StateFile(config["state_dir"], sw["name"]))
        switch.load()

        def factory(sw: dict[str, Any] = sw) -> asyncssh.SSHServer:
            return _Auth(sw["username"], sw["password"])

        async def handler(process: asyncssh.SSHServerProcess[str], switch: Switch = switch) -> None:
            await shell(switch, process)

        servers.append(await asyncssh.create_server(
            factory, sw.get("host", "127.0.0.1"), sw["port"], server_host_keys=[key], process_factory=handler,
            line_editor=False, encoding="utf-8", keepalive_interval=0))
    return servers
