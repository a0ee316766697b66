"""`colo inventory` — the site inventory: check it, and `colo init` to sync it into the store."""

from __future__ import annotations

import click

from provision.cli.common import Options, emit, json_option, pass_options


@click.group()
def inventory() -> None:
    """Validate a site inventory."""


@inventory.command("check")
@click.argument("path", type=click.Path())
@json_option
def inventory_check(path: str, as_json: bool) -> None:
    """Validate PATH (a site YAML file or a directory of them) without touching any store."""
    from provision.api import Colo

    summary = Colo.check_inventory(path)
    emit(summary, as_json, lambda d: click.echo(
        f"{path}: ok — site {d['site']}: {d['rooms']} rooms, {d['racks']} racks, {d['switches']} switches "
        f"({d['access_ports']} access ports), {d['pdus']} PDUs, {d['pools']} pools ({d['addresses']} addresses)"))


@click.command()
@click.option("--inventory", "inventory_path", required=True, type=click.Path(), help="Site YAML file or directory.")
@json_option
@pass_options
def init(opts: Options, inventory_path: str, as_json: bool) -> None:
    """Create or upgrade the store, then sync the inventory into it (idempotent)."""
    from provision import render

    emit(opts.api().init(inventory_path), as_json, render.sync_report)
