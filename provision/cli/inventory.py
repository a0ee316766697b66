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


@inventory.group("import")
def inventory_import() -> None:
    """Build the site inventory from a source of truth."""


@inventory_import.command("nautobot")
@click.option("--url", required=True, metavar="URL", help="Nautobot's base URL, e.g. https://nautobot.example.net")
@click.option("--token-secret", required=True, metavar="NAME",
              help="Name of the secret whose password is the API token (COLO_SECRETS or COLO_SECRET_NAME_PASSWORD).")
@click.option("--location", required=True, metavar="NAME", help="The site's location in Nautobot (name or id).")
@click.option("--out", metavar="DIR", help="Write the YAML inventory here for review instead of syncing the store; "
              "a re-import lists what changed.")
@json_option
@pass_options
def inventory_import_nautobot(opts: Options, url: str, token_secret: str, location: str, out: str | None,
                              as_json: bool) -> None:
    """Import the site under LOCATION from Nautobot: into the store (write-back on) or as YAML with --out."""
    from provision import render

    result = opts.api().import_site("nautobot", url, token_secret, location, out)

    def human(d: dict) -> None:  # type: ignore[type-arg]
        click.echo(f"{d['site']} from {d['url']} location {d['location']}: {d['racks']} racks, {d['switches']} "
                   f"switches, {d['pdus']} PDUs, {d['pools']} pools")
        if "out" in d:
            click.echo(f"written to {d['out']}; " + (f"{len(d['changes'])} line(s) changed:" if d["changes"]
                                                     else "nothing changed"))
            for line in d["changes"]:
                click.echo(f"  {line}")
        else:
            render.sync_report(d["store"])

    emit(result, as_json, human)
