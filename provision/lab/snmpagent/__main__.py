"""`python -m provision.lab.snmpagent CONFIG.json`: run snmpsim for every PDU and switch IF-MIB until SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from provision.lab.snmpagent.data import device_rows, render

VARIATIONS = Path(__file__).resolve().parent / "variation"


def main(config_file: str) -> int:
    config = json.loads(Path(config_file).read_text(encoding="utf-8"))
    state = Path(config["state_dir"])
    root = state.parent / "snmp"
    agents = [(p, "pdu", p["port"]) for p in config["pdus"]]
    agents += [(s, "switch", s["snmp_port"]) for s in config["switches"] if s.get("snmp_port")]
    responder = str(Path(sys.executable).with_name("snmpsim-command-responder"))
    env = os.environ | {"SNMPSIM_ALLOW_ROOT": "true", "COLO_LAB_STATE": str(state)}
    children = []
    for device, kind, port in agents:
        data_dir = root / device["name"] / "data"
        data_dir.mkdir(parents=True, exist_ok=True)
        for old in data_dir.glob("*.snmprec"):
            old.unlink()
        (data_dir / f"{device['community']}.snmprec").write_text(render(device_rows(device, kind)), encoding="utf-8")
        children.append(subprocess.Popen(
            [responder, f"--data-dir={data_dir}", f"--cache-dir={root / device['name'] / 'cache'}",
             f"--agent-udpv4-endpoint=127.0.0.1:{port}", f"--variation-modules-dir={VARIATIONS}",
             "--log-level=error"], env=env, stdin=subprocess.DEVNULL))

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
