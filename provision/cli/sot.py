"""`colo sot` — the source of truth (Nautobot): deliver the write-back outbox, its status, the drift."""

from __future__ import annotations

from typing import Any

import click

from provision.cli.common import Options, emit, json_option, pass_options


@click.group()
def sot() -> None:
    """Write-back to the source of truth the site was imported from (`colo inventory import nautobot`)."""


@sot.command("sync")
@click.option("--batch", type=click.IntRange(1, 1000), default=100, show_default=True,
              help="Objects per request (1: one request per object).")
@json_option
@pass_options
def sot_sync(opts: Options, batch: int, as_json: bool) -> None:
    """Deliver pending write-backs in order; a failure leaves them pending for the next run (exit 1)."""
    emit(opts.api().sot_sync(batch), as_json, lambda d: click.echo(
        f"{d['delivered']} write-back(s) delivered to {d['url']} in {d['requests']} request(s); {d['pending']} pending"))


@sot.command("status")
@json_option
@pass_options
def sot_status(opts: Options, as_json: bool) -> None:
    """Where write-back goes, and what is still pending (with the last error)."""

    def human(d: dict[str, Any]) -> None:
        click.echo(f"{d['source']} {d['url']} location {d['location']} (token from secret {d['token_secret']}): "
                   f"{d['pending']} pending, {d['delivered']} delivered")
        oldest = d["oldest_pending"]
        if oldest:
            click.echo(f"oldest pending: #{oldest['id']} {oldest['contract']} {oldest['reason']} since "
                       f"{oldest['created_at']}, {oldest['attempts']} attempt(s)"
                       + (f"; last error: {oldest['last_error']}" if oldest["last_error"] else ""))

    emit(opts.api().sot_status(), as_json, human)


@sot.command("drift")
@json_option
@pass_options
def sot_drift(opts: Options, as_json: bool) -> None:
    """Objects whose copy in the source of truth differs from the store (exit 0 either way)."""

    def human(d: dict[str, Any]) -> None:
        click.echo(f"{d['objects']} object(s) compared with {d['url']}: {len(d['differences'])} difference(s)"
                   + (f"; {d['pending']} write-back(s) still pending" if d["pending"] else ""))
        for line in d["differences"]:
            click.echo(f"  {line}")

    emit(opts.api().sot_drift(), as_json, human)
