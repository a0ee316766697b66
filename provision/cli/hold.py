"""`colo hold` — holds: units kept for a prospective customer until a time."""

from __future__ import annotations

import click

from provision.cli.common import Options, RecordNumber, emit, json_option, pass_options, rendered


@click.group()
def hold() -> None:
    """Units held for a prospective customer until a time; nobody else is placed there."""


@hold.command("add")
@click.argument("rack_name", metavar="RACK")
@click.option("--units", type=int, required=True, help="How many adjacent units to hold.")
@click.option("--for", "for_name", required=True, metavar="NAME", help="The prospective customer.")
@click.option("--until", required=True, metavar="ISO-TIME", help="When the hold lapses by itself.")
@json_option
@pass_options
def hold_add(opts: Options, rack_name: str, units: int, for_name: str, until: str, as_json: bool) -> None:
    """Hold units of RACK for a prospective customer; nobody else is placed there until it lapses."""
    from provision import render

    emit(opts.api().reserve(rack_name, units, for_name, until), as_json, render.hold)


@hold.command("list")
@click.option("--all", "include_expired", is_flag=True, help="Include lapsed holds.")
@json_option
@pass_options
def hold_list(opts: Options, include_expired: bool, as_json: bool) -> None:
    """List unit holds."""
    from provision import render

    emit(opts.api().holds(include_expired), as_json, render.holds)


@hold.command("release")
@click.argument("hold_id", type=RecordNumber("hold"), metavar="H")
@json_option
@pass_options
def hold_release(opts: Options, hold_id: int, as_json: bool) -> None:
    """End hold HOLD_ID now and free its units."""
    from provision import render

    emit(opts.api().release_hold(hold_id), as_json, render.hold)


@hold.command("show")
@click.argument("hold_id", type=RecordNumber("hold"), metavar="H")
@json_option
@pass_options
def hold_show(opts: Options, hold_id: int, as_json: bool) -> None:
    """One hold (H1 or 1), lapsed or not: its rack, units, prospect and end."""
    emit(opts.api().hold(hold_id), as_json, rendered("hold"))
