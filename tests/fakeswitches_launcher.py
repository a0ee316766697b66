"""Start one fake-switches Cisco switch on 127.0.0.1 until killed.

fake-switches (PyPI, by Internap) is an independent Cisco CLI simulator: our Cisco
driver is cross-checked against it so the lab's own simulator cannot hide a bug both
share. Its stock launcher hands the enable password over as bytes, which its Cisco
core then never matches; this launcher passes a str.
"""

from __future__ import annotations

import argparse
import logging

from fake_switches import switch_factory
from fake_switches.transports.ssh_service import SwitchSshService
from twisted.internet import reactor


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--hostname", default="fake-sw")
    parser.add_argument("--model", default="cisco_generic")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    core = switch_factory.SwitchFactory().get(args.model, args.hostname, args.password)
    SwitchSshService(ip="127.0.0.1", port=args.port, switch_core=core,
                     users={args.username: args.password.encode()}).hook_to_reactor(reactor)
    reactor.run()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
