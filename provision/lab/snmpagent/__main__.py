"""`python -m provision.lab.snmpagent CONFIG.json`: run snmpsim for every PDU and switch IF-MIB until SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from provision.lab.snmpagent.data import device_rows, render

VARIATIONS = Path(__file__).resolve().parent / "variation"


def responder(data_dir: Path, cache_dir: Path, ports: Sequence[int], state_dir: Path,
              log: IO[bytes] | None = None) -> subprocess.Popen[bytes]:
    """One snmpsim process serving every `.snmprec` in `data_dir` (picked by community) on 127.0.0.1 at each port.

    The lab runs one per device, logging where the lab process does; the PDU poll
    benchmark puts many devices in one and keeps its start-up chatter in `log`.
    """
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("snmpsim-command-responder")), f"--data-dir={data_dir}",
         f"--cache-dir={cache_dir}", *(f"--agent-udpv4-endpoint=127.0.0.1:{port}" for port in ports),
         f"--variation-modules-dir={VARIATIONS}", "--log-level=error"],
        env=os.environ | {"SNMPSIM_ALLOW_ROOT": "true", "COLO_LAB_STATE": str(state_dir)}, stdin=subprocess.DEVNULL,
        stdout=log, stderr=None if log is None else subprocess.STDOUT)


def main(config_file: str) -> int:
    config = json.loads(Path(config_file).read_text(encoding="utf-8"))
    state = Path(config["state_dir"])
    root = state.parent / "snmp"
    agents = [(p, "pdu", p["port"]) for p in config["pdus"]]
    agents += [(s, "switch", s["snmp_port"]) for s in config["switches"] if s.get("snmp_port")]
    children = []
    for device, kind, port in agents:
        data_dir = root / device["name"] / "data"
        data_dir.mkdir(parents=True, exist_ok=True)
        for old in data_dir.glob("*.snmprec"):
            old.unlink()
        (data_dir / f"{device['community']}.snmprec").write_text(render(device_rows(device, kind)), encoding="utf-8")
        children.append(responder(data_dir, root / device["name"] / "cache", [port], state))
        (root / device["name"] / "agent.pid").write_text(str(children[-1].pid), encoding="utf-8")  # see agent_paused

    def stop(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        dead = [c for c in children if c.poll() is not None]
        if dead:
            print(f"snmpsim exited with {dead[0].returncode}; stopping the SNMP lab", file=sys.stderr)
            stop()
        time.sleep(0.5)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
