"""`colo switch` — a switch port as the toolkit reads it."""

from __future__ import annotations

import click

from provision.cli.common import Options, emit, json_option, pass_options


@click.group()
def switch() -> None:
    """A switch port as the toolkit reads it: managed facts and the site's own lines."""


@switch.command("parse")
@click.option("--platform", required=True, type=click.Choice(["cisco_ios", "huawei_vrp", "hp_comware"]),
              help="The platform the configuration was saved from.")
@click.option("--interface", required=True, metavar="NAME", help="The port, full or abbreviated (Gi1/0/1, GE0/0/1).")
@click.argument("config_file", metavar="FILE")
@json_option
def switch_parse(platform: str, interface: str, config_file: str, as_json: bool) -> None:
    """Read one port's facts from a saved configuration (a backup, `show running-config` output).

    \b
    Example: colo switch parse --platform huawei_vrp --interface GE0/0/3 backup.cfg --json
    """
    from provision import render
    from provision.api import Colo

    emit(Colo.parse_switch_config(platform, interface, config_file), as_json, render.switch_port)


@switch.command("show")
@click.argument("switch_name", metavar="SWITCH")
@click.argument("interface", metavar="PORT")
@json_option
@pass_options
def switch_show(opts: Options, switch_name: str, interface: str, as_json: bool) -> None:
    """Read one port's facts live from the switch, over the same session the provisioning uses."""
    from provision import render

    emit(opts.api().switch_port(switch_name, interface), as_json, render.switch_port)
