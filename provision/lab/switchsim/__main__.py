"""`python -m provision.lab.switchsim CONFIG.json`: serve every switch in CONFIG until SIGTERM."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
from pathlib import Path

from provision.lab.switchsim.server import serve


async def main(config_file: str) -> None:
    if os.environ.get("COLO_LAB_DEBUG"):
        logging.basicConfig(level=logging.DEBUG, format="%(message)s")
    config = json.loads(Path(config_file).read_text(encoding="utf-8"))
    Path(config["state_dir"]).mkdir(parents=True, exist_ok=True)
    servers = await serve(config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"serving {len(servers)} switches", flush=True)
    await stop.wait()
    for server in servers:
        server.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
