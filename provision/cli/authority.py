"""`colo authority` — stops ordered by the authorities."""

from __future__ import annotations

import click

from provision.cli.common import Options, RecordNumber, emit, json_option, pass_options, rendered


@click.group()
def authority() -> None:
    """Shutdowns ordered by the authorities (hosting §5.9): no customer authorization, the document recorded."""


@authority.command("stop")
@click.argument("contract_id", metavar="ID")
@click.option("--ref", required=True, metavar="DOC", help="The authorities' document number.")
@click.option("--note", help="One line: who ordered it, what it says.")
@json_option
@pass_options
def authority_stop(opts: Options, contract_id: str, ref: str, note: str | None, as_json: bool) -> None:
    """Shut the contract's service on the authorities' order (again with the same --ref: retry the devices)."""
    from provision import render

    emit(opts.api().authority_stop(contract_id, ref, note), as_json, render.compliance)


@authority.command("lift")
@click.argument("contract_id", metavar="ID")
@click.option("--ref", required=True, metavar="DOC", help="The document lifting the order.")
@click.option("--note")
@json_option
@pass_options
def authority_lift(opts: Options, contract_id: str, ref: str, note: str | None, as_json: bool) -> None:
    """The order is lifted: the service comes back unless another stop or a debt holds it."""
    from provision import render

    emit(opts.api().authority_lift(contract_id, ref, note), as_json, render.compliance)


@authority.command("list")
@click.option("--contract", "contract_id", metavar="ID", help="Only this contract's stops.")
@click.option("--open", "open_only", is_flag=True, help="Only stops not yet lifted.")
@json_option
@pass_options
def authority_list(opts: Options, contract_id: str | None, open_only: bool, as_json: bool) -> None:
    """Stops with an authority of their own — the authorities (§5.9), a failed review (§5.8), abuse — and their lifting."""
    emit(opts.api().stops(contract_id, open_only), as_json, rendered("stop_list"))


@authority.command("show")
@click.argument("stop_id", type=RecordNumber("stop"), metavar="S")
@json_option
@pass_options
def authority_show(opts: Options, stop_id: int, as_json: bool) -> None:
    """One stop (S1 or 1): the document that ordered it and the one that lifted it."""
    emit(opts.api().stop(stop_id), as_json, rendered("stop_detail"))
