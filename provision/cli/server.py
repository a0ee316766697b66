"""`colo server` — the hosted servers' hardware record."""

from __future__ import annotations

import click

from provision.cli.common import RECORD, Options, emit, json_option, pass_options, rendered


@click.group()
def server() -> None:
    """Record the hosted servers' hardware."""


@server.command("record")
@click.argument("contract_id")
@click.option("--server", "position", type=RECORD, default=1, show_default=True, help="Which server of the contract.")
@click.option("--serial", required=True, help="Chassis serial number.")
@click.option("--mac", required=True, help="MAC of the NIC on the customer port (bound to its address).")
@click.option("--cpu", metavar="'MODEL xN'", help="e.g. 'Intel Xeon Silver 4310 x2'.")
@click.option("--board", metavar="'MODEL xN'", help="Motherboard model (count 1 unless given), e.g. "
              "'Supermicro X12SPi-TF'.")
@click.option("--memory", metavar="'MODEL xN'", help="e.g. '32GB DDR4-3200 RDIMM x4'.")
@click.option("--disk", "disks", multiple=True, metavar="'MODEL xN'", help="Repeat per disk model.")
@json_option
@pass_options
def server_record(opts: Options, contract_id: str, position: int, serial: str, mac: str, cpu: str | None,
                  board: str | None, memory: str | None, disks: tuple[str, ...], as_json: bool) -> None:
    """Record server hardware, serial and NIC MAC when it is racked (replaces an earlier record)."""
    from provision import render
    from provision.api import ServerRecord
    from provision.domain.hardware import normalise_mac, parse_component

    record = ServerRecord(serial=serial, mac=normalise_mac(mac),
                          cpu=parse_component(cpu, "--cpu") if cpu else None,
                          board=parse_component(board, "--board") if board else None,
                          memory=parse_component(memory, "--memory") if memory else None,
                          disks=tuple(parse_component(d, "--disk") for d in disks))
    emit(opts.api().record_server(contract_id, position, record), as_json, render.contract)


@server.command("list")
@click.argument("contract_id", metavar="ID")
@json_option
@pass_options
def server_list(opts: Options, contract_id: str, as_json: bool) -> None:
    """Contract ID's servers: rack units, switch port, addresses, and the hardware recorded of each."""
    emit(opts.api().servers(contract_id), as_json, rendered("server_list"))


@server.command("show")
@click.argument("contract_id", metavar="ID")
@click.option("--server", "number", type=RECORD, default=1, show_default=True, help="Which server of the contract.")
@json_option
@pass_options
def server_show(opts: Options, contract_id: str, number: int, as_json: bool) -> None:
    """One server of contract ID: place, port, addresses, outlets, and its serial, MAC and parts."""
    emit(opts.api().server(contract_id, number), as_json, rendered("server_detail"))
