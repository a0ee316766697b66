"""`colo audit` — the hash-chained audit log."""

from __future__ import annotations

from typing import Any

import click

from provision.cli.common import RECORD, Options, emit, json_option, pass_options, rendered


@click.group()
def audit() -> None:
    """The audit log: who did what, when, on whose authorization (hash-chained); `audit verify` checks it."""


@audit.command("list")
@click.option("--contract", "contract_id", metavar="ID", help="Only records about this contract.")
@json_option
@pass_options
def audit_list(opts: Options, contract_id: str | None, as_json: bool) -> None:
    """Every record, oldest first, with its authority."""
    from provision import render

    emit(opts.api().audit(contract_id), as_json, render.audit)


@audit.command("verify")
@click.option("--anchor", metavar="FILE", envvar="COLO_AUDIT_ANCHOR",
              help="Keep the verified head in FILE (outside the store) and check the last one kept is still "
                   "there, so removal of the newest records is detected [env COLO_AUDIT_ANCHOR].")
@click.option("--syslog", is_flag=True, help="Also log the head to syslog (/dev/log).")
@json_option
@pass_options
def audit_verify(opts: Options, anchor: str | None, syslog: bool, as_json: bool) -> None:
    """Recompute the hash chain; exit 1 naming the first record that was altered or removed."""
    emit(opts.api().audit_verify(anchor, syslog), as_json, _audit_verified)


def _audit_verified(d: dict[str, Any]) -> None:
    head = d["head"]
    click.echo(f"audit log intact: {d['records']} records" + (f", head record {head['id']} ({head['at']})"
                                                              if head else ""))
    anchor = d["anchor"]
    if anchor is None:
        click.echo(f"note: {d['note']}")
    elif anchor["checked"]:
        click.echo(f"anchored record {anchor['checked']['record']} ({anchor['checked']['anchored_at']}) still there")
    if anchor and anchor["recorded"]:
        click.echo(f"head anchored in {anchor['file']}")
    if d["syslog"]:
        click.echo("head logged to syslog")


@audit.command("show")
@click.argument("record_id", type=RECORD, metavar="N")
@json_option
@pass_options
def audit_show(opts: Options, record_id: int, as_json: bool) -> None:
    """One audit record and the hash it chains to, to check a link of the log by hand."""
    emit(opts.api().audit_entry(record_id), as_json, rendered("audit_record"))
