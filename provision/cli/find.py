"""`colo find` — the contract behind a name, address, MAC, serial, port, unit, outlet or record id."""

from __future__ import annotations

import click

from provision.cli.common import Options, emit, json_option, pass_options


@click.command("find")
@click.argument("text", nargs=-1, required=True)
@json_option
@pass_options
def find(opts: Options, text: tuple[str, ...], as_json: bool) -> None:
    """Find contracts by customer (part of the name), address, MAC, serial, `SWITCH PORT`, `RACK U12`,
    `PDU:OUTLET`, contract id or record id (T3, K2, A1, E5, O4, V1, AU1, N1)."""
    from provision import render

    emit(opts.api().find(" ".join(text)), as_json, render.found)
