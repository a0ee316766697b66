"""`colo operation` — the device-change journal."""

from __future__ import annotations

import click

from provision.cli.common import RECORD, Options, emit, json_option, pass_options, rendered


@click.group()
def operation() -> None:
    """The device-change journal: each operation, its steps per port and PDU, and how it ended."""


@operation.command("list")
@click.option("--contract", "contract_id", metavar="ID", help="Only operations on this contract.")
@json_option
@pass_options
def operation_list(opts: Options, contract_id: str | None, as_json: bool) -> None:
    """The device-change journal: each operation, its steps per port and PDU, and how it ended."""
    from provision import render

    emit(opts.api().operations(contract_id), as_json, render.operations)


@operation.command("show")
@click.argument("operation_id", type=RECORD, metavar="N")
@json_option
@pass_options
def operation_show(opts: Options, operation_id: int, as_json: bool) -> None:
    """One device operation, however old, with each device step's state."""
    emit(opts.api().operation(operation_id), as_json, rendered("operation_detail"))
