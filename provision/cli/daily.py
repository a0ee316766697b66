"""`colo daily` — the daily top-level verbs: provision, apply, deadlines, enforce."""

from __future__ import annotations

import sys
from typing import Any

import click

from provision.cli.common import Options, emit, json_option, mail_options, pass_options


@click.command()
@click.option("--all", "include_closed", is_flag=True, help="Include clocks already met or closed late.")
@json_option
@pass_options
def deadlines(opts: Options, include_closed: bool, as_json: bool) -> None:
    """Running contract clocks, most urgent first, with time left and breaches."""
    from provision import render

    emit(opts.api().deadlines(include_closed), as_json, render.deadlines)


@click.command()
@click.argument("contract_ids", nargs=-1, metavar="[ID]...")
@click.option("--all-signed", is_flag=True, help="Every contract still waiting for provisioning.")
@click.option("--dry-run", is_flag=True, help="Print the plan (a diff per device); change nothing.")
@click.option("--out", metavar="FILE", help="With --dry-run: save the plan for review and `colo apply FILE`.")
@json_option
@pass_options
def provision(opts: Options, contract_ids: tuple[str, ...], all_signed: bool, dry_run: bool, out: str | None,
              as_json: bool) -> None:
    """Configure the contracts' switch ports and PDU outlets: plan, apply, read back, undo on failure.

    Changes to one switch go in one session; switches are worked in parallel.
    Re-running an applied contract changes nothing; re-running after a crash
    completes (or undoes) the interrupted operation.
    """
    from provision import render

    emit(opts.api().provision(list(contract_ids), dry_run, out, all_signed), as_json, render.plan)


@click.command("apply")
@click.argument("plan_file", metavar="FILE")
@json_option
@pass_options
def apply_plan(opts: Options, plan_file: str, as_json: bool) -> None:
    """Apply a plan saved with `provision --dry-run --out FILE`, exactly as reviewed.

    Refused (exit 3) with what changed if the store or any device drifted since.
    """
    from provision import render

    emit(opts.api().apply(plan_file), as_json, render.plan)


@click.command()
@click.option("--dry-run", is_flag=True, help="Say what would be done; do nothing.")
@click.option("--stop-after", "stop_after", type=float, default=24.0, show_default=True, metavar="HOURS",
              help="Stop time a new stop-service notice lists, after its issue.")
@mail_options
@json_option
@pass_options
def enforce(opts: Options, dry_run: bool, stop_after: float, as_json: bool, **mail: Any) -> None:
    """The reconcile run for cron: notices for 3-day overdue payments, sent to the contract's contact (email,
    webhook, or a phone call to log: `colo notice`) and sent again until delivered; suspension at the notice's
    stop time once it was delivered or its failure recorded; resumption once paid. Running it twice does
    nothing more. Exit 1 if any device action failed."""
    from provision import render

    api = opts.api()
    result = api.enforce(dry_run, stop_after, api.mailer(**mail))
    emit(result, as_json, render.enforcement)
    if result["failed"]:
        sys.exit(1)
