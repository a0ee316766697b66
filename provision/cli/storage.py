"""`colo storage` — servers in the warehouse after decommission."""

from __future__ import annotations

import click

from provision.cli.common import Options, emit, json_option, pass_options, rendered


@click.group()
def storage() -> None:
    """Servers in the warehouse after decommission."""


@storage.command("list")
@click.option("--all", "include_released", is_flag=True, help="Include servers already collected, shipped or abandoned.")
@json_option
@pass_options
def storage_list(opts: Options, include_released: bool, as_json: bool) -> None:
    """Stored servers with the date after which they may be treated as abandoned."""
    from provision import render

    emit(opts.api().storage(include_released), as_json, render.storage)


@storage.command("release")
@click.argument("contract_id")
@click.option("--collected-by", metavar="NAME", help="Who collected the servers.")
@click.option("--ship-to", metavar="ADDRESS", help="Shipping address (at the customer's cost and risk).")
@click.option("--tracking", metavar="NO", help="Carrier tracking number, with --ship-to.")
@json_option
@pass_options
def storage_release(opts: Options, contract_id: str, collected_by: str | None, ship_to: str | None,
                    tracking: str | None, as_json: bool) -> None:
    """Hand a contract's stored servers back: collected in person, or shipped."""
    emit(opts.api().release_storage(contract_id, collected_by, ship_to, tracking), as_json,
         lambda d: click.echo(f"{d['contract']}: {d['state']} at {d['released_at']} ({d['detail']})"))


@storage.command("show")
@click.argument("contract_id", metavar="ID")
@json_option
@pass_options
def storage_show(opts: Options, contract_id: str, as_json: bool) -> None:
    """Contract ID's servers in storage, released or not, with the 7-day abandonment date (§8.4)."""
    emit(opts.api().stored(contract_id), as_json, rendered("stored"))
