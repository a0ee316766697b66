"""`colo outlet` — operations on a customer's outlets."""

from __future__ import annotations

import click

from provision.cli.common import RECORD, Options, emit, json_option, pass_options, rendered


@click.group()
def outlet() -> None:
    """Operations on a customer's outlets (need an authorization)."""


@outlet.command("cycle")
@click.argument("contract_id")
@click.option("--server", "position", type=RECORD, default=1, show_default=True)
@json_option
@pass_options
def outlet_cycle(opts: Options, contract_id: str, position: int, as_json: bool) -> None:
    """Power-cycle a server's outlets (off, on, read back); refused and recorded without an authorization."""
    emit(opts.api().operate(contract_id, "outlet-cycle", position), as_json, rendered("operated"))
