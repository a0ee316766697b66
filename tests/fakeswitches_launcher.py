"""Start one fake-switches Cisco switch (SSH) on 127.0.0.1 until SIGTERM.

    python tests/fakeswitches_launcher.py --port N --username U --password P [--enable E]
        [--model cisco_generic] [--hostname fake-sw] [--gigabit-ports 8]

fake-switches (PyPI, by Internap) is an independent Cisco CLI simulator: our Cisco
driver is cross-checked against it so the lab's own simulator cannot hide a bug both
share. Its stock launcher hands the enable password over as bytes, which its Cisco
core then never matches; this launcher passes a str (only the SSH login password is
bytes, as Twisted's checker wants).

Ports: GigabitEthernet1/0/1..N (a stacked Catalyst's names, which no stock model has)
followed by the model's own ports (cisco_generic: FastEthernet0/1-12). Note that
fake-switches resolves an interface name by prefix + suffix, so "Gi0/1" would also
match GigabitEthernet1/0/1: always use full names.

On a line a command handler crashes on (`show ip interface brief`, `copy running-config
startup-config`) fake-switches writes no prompt and the client waits forever; the
traceback goes to this process's stderr.
"""

from __future__ import annotations

import argparse
import logging


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--enable", default=None, help="enable secret (default: the login password)")
    parser.add_argument("--hostname", default="fake-sw")
    parser.add_argument("--model", default="cisco_generic")
    parser.add_argument("--gigabit-ports", type=int, default=8, help="how many GigabitEthernet1/0/N ports to add")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from fake_switches import switch_factory
    from fake_switches.switch_configuration import Port
    from fake_switches.transports.ssh_service import SwitchSshService
    from twisted.internet import reactor

    factory = switch_factory.SwitchFactory()
    core_class = factory.mapping[args.model]
    ports = [Port(f"GigabitEthernet1/0/{n}") for n in range(1, args.gigabit_ports + 1)] + core_class.get_default_ports()
    enable: str = args.enable if args.enable is not None else args.password
    core = factory.get(args.model, args.hostname, enable, ports=ports)
    SwitchSshService(ip="127.0.0.1", port=args.port, switch_core=core,
                     users={args.username: args.password.encode()}).hook_to_reactor(reactor)
    reactor.run()  # type: ignore[attr-defined,misc]  # Twisted stops cleanly on SIGTERM/SIGINT


if __name__ == "__main__":
    main()
