"""`colo ci` — checks for continuous integration."""

from __future__ import annotations

import click

from provision.cli.common import emit, json_option


@click.group()
def ci() -> None:
    """Checks for continuous integration."""


@ci.command("dry-run")
@click.option("--inventory", "inventory_path", default="inventory/example", show_default=True, type=click.Path())
@json_option
def ci_dry_run(inventory_path: str, as_json: bool) -> None:
    """Validate the inventory, start a private lab, run every playbook with --check --diff against it;
    fail on any error or on any change check mode applied (lab devices and store compared)."""
    from provision.ci_dry_run import dry_run

    result = dry_run(inventory_path, say=(lambda _: None) if as_json else click.echo)
    emit(result, as_json, lambda d: click.echo(f"dry run ok: {len(d['playbooks'])} playbooks, nothing applied"))
