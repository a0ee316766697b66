"""`colo licence` — the customer's licences on file."""

from __future__ import annotations

import click

from provision.cli.common import Options, emit, json_option, pass_options, rendered


@click.group()
def licence() -> None:
    """The customer's licences on file (hosting §5.7): the business licence always, advertising / ICP where declared."""


@licence.command("record")
@click.argument("contract_id", metavar="ID")
@click.option("--kind", required=True, type=click.Choice(["business", "advertising", "icp"], case_sensitive=False))
@click.option("--number", required=True, metavar="NO", help="The licence's number.")
@click.option("--filed", required=True, metavar="WHERE", help="Where the copy is kept (cabinet, folder, document id).")
@click.option("--received", required=True, metavar="DATE", help="When the copy came, e.g. 2026-11-24.")
@json_option
@pass_options
def licence_record(opts: Options, contract_id: str, kind: str, number: str, filed: str, received: str,
                   as_json: bool) -> None:
    """A copy of one of the customer's licences is on file (ID: any of the customer's contracts)."""
    from provision import render

    emit(opts.api().record_licence(contract_id, kind, number, filed, received), as_json, render.licence)


@licence.command("declare")
@click.argument("contract_id", metavar="ID")
@click.option("--advertising/--no-advertising", default=None, help="The customer runs advertising business.")
@click.option("--icp/--no-icp", default=None, help="The customer runs value-added telecom (ICP) business.")
@json_option
@pass_options
def licence_declare(opts: Options, contract_id: str, advertising: bool | None, icp: bool | None,
                    as_json: bool) -> None:
    """The business the customer declares that needs a licence of its own."""
    from provision import render

    emit(opts.api().declare_business(contract_id, advertising, icp), as_json, render.licence)


@licence.command("list")
@click.argument("contract_id", metavar="[ID]", required=False)
@click.option("--missing", "missing_only", is_flag=True, help="Only customers missing a required licence.")
@json_option
@pass_options
def licence_list(opts: Options, contract_id: str | None, missing_only: bool, as_json: bool) -> None:
    """Licences on file against those required, per customer still in the racks (or of contract ID)."""
    from provision import render

    emit(opts.api().licences(contract_id, missing_only), as_json, render.licences)


@licence.command("show")
@click.argument("contract_id", metavar="ID")
@json_option
@pass_options
def licence_show(opts: Options, contract_id: str, as_json: bool) -> None:
    """The licences of contract ID's customer: on file, required by what it declared, missing (§5.7)."""
    emit(opts.api().licence(contract_id), as_json, rendered("licence"))
