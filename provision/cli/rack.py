"""`colo rack` — racks: their units, power and occupants."""

from __future__ import annotations

import click

from provision.cli.common import Options, emit, json_option, pass_options


@click.group()
def rack() -> None:
    """Look at racks."""


@rack.command("show")
@click.argument("name")
@json_option
@pass_options
def rack_show(opts: Options, name: str, as_json: bool) -> None:
    """A text elevation of rack NAME: who sits in each unit, holds, power."""
    from provision import render

    emit(opts.api().rack(name), as_json, render.elevation)


@rack.command("list")
@click.option("--room", help="Only the racks of this machine room.")
@json_option
@pass_options
def rack_list(opts: Options, room: str | None, as_json: bool) -> None:
    """Every rack: units free, used, held, reserved and unfed; power committed against the budget."""
    from provision import render

    emit(opts.api().racks(room), as_json, render.rack_list)
