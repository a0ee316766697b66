"""`colo port` — operations on a customer's switch port."""

from __future__ import annotations

import click

from provision.cli.common import RECORD, Options, emit, json_option, pass_options, rendered


@click.group()
def port() -> None:
    """Operations on a customer's switch port (need an authorization)."""


@port.command("bounce")
@click.argument("contract_id")
@click.option("--server", "position", type=RECORD, default=1, show_default=True)
@json_option
@pass_options
def port_bounce(opts: Options, contract_id: str, position: int, as_json: bool) -> None:
    """Shut and re-enable a server's port (read back); refused and recorded without an authorization."""
    emit(opts.api().operate(contract_id, "port-bounce", position), as_json, rendered("operated"))
