"""`colo complaint` — complaints."""

from __future__ import annotations

import click

from provision.cli.common import Options, RecordNumber, emit, json_option, pass_options, rendered


@click.group()
def complaint() -> None:
    """Complaints: a written report within 24 hours (SLA §8.3). Time is now or --at."""


@complaint.command("record")
@click.argument("contract_id", metavar="ID")
@click.option("--summary", required=True, help="What the customer complains about (one line).")
@click.option("--category", required=True, type=click.Choice(["network-quality", "customer-service",
                                                               "technical-support"]),
              help="What it is about (SLA §8.1).")
@click.option("--employee", metavar="NAME", help="The employee complained about, where the customer names one.")
@json_option
@pass_options
def complaint_record(opts: Options, contract_id: str, summary: str, category: str, employee: str | None,
                     as_json: bool) -> None:
    """Record a complaint; starts the 24-hour report clock."""
    from provision import render

    emit(opts.api().record_complaint(contract_id, summary, category, employee), as_json, render.complaint)


@complaint.command("report")
@click.argument("complaint_id", metavar="K")
@click.option("--ref", required=True, metavar="DOC", help="Number of the written report sent to the customer.")
@json_option
@pass_options
def complaint_report(opts: Options, complaint_id: str, ref: str, as_json: bool) -> None:
    """The written report went out (stops the 24-hour clock)."""
    from provision import render

    emit(opts.api().report_complaint(complaint_id, ref), as_json, render.complaint)


@complaint.command("list")
@click.option("--contract", "contract_id", metavar="ID", help="Only this contract's complaints.")
@json_option
@pass_options
def complaint_list(opts: Options, contract_id: str | None, as_json: bool) -> None:
    """Complaints with their report clock."""
    from provision import render

    emit(opts.api().complaints(contract_id), as_json, render.complaints)


@complaint.command("show")
@click.argument("complaint_id", type=RecordNumber("complaint"), metavar="K")
@json_option
@pass_options
def complaint_show(opts: Options, complaint_id: int, as_json: bool) -> None:
    """One complaint with its 24-hour written-report clock (K1 or 1)."""
    emit(opts.api().complaint(complaint_id), as_json, rendered("complaint"))
