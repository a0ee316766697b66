"""`colo install` — install steps of a rental contract (hardware, OS) that stop its install clock."""

from __future__ import annotations

from typing import Any

import click

from provision.cli.common import Options, emit, json_option, pass_options, rendered


@click.group()
def install() -> None:
    """A rental contract's install (SLA §3.1-3.2): hardware and OS, both needed to meet the 3-working-day guarantee."""


@install.command("record")
@click.argument("contract_id", metavar="ID")
@click.option("--step", required=True, type=click.Choice(["hardware", "os"]),
              help="hardware: the provider's server installed; os: its operating system installed.")
@click.option("--note", help="What was installed, e.g. 'Ubuntu 24.04 LTS'.")
@json_option
@pass_options
def install_record(opts: Options, contract_id: str, step: str, note: str | None, as_json: bool) -> None:
    """Record an install step done (at now or --at); the install clock stops when both are recorded."""
    def human(d: dict[str, Any]) -> None:
        click.echo(f"{d['contract']}: {d['step']} install recorded {d['at']}; install guarantee by {d['deadline']}: "
                   f"{d['status']}" + (f" — {d['install_refund']}" if d["install_refund"] else ""))

    emit(opts.api().record_install(contract_id, step, note), as_json, human)


@install.command("list")
@click.argument("contract_id", metavar="ID")
@json_option
@pass_options
def install_list(opts: Options, contract_id: str, as_json: bool) -> None:
    """Contract ID's install guarantee (3 working days, SLA §3.2) and the install steps recorded."""
    emit(opts.api().install_steps(contract_id), as_json, rendered("install_steps"))
