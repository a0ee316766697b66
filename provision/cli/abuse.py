"""`colo abuse` — spam complaints and the abuse procedure."""

from __future__ import annotations

import click

from provision.cli.common import Options, RecordNumber, emit, json_option, pass_options, rendered


@click.group()
def abuse() -> None:
    """Spam complaints (user undertaking 5.2): warn within 3 working days, shut the service if it goes on."""


@abuse.command("report")
@click.argument("contract_id", metavar="ID")
@click.option("--summary", required=True, help="What was complained of (one line).")
@click.option("--source", metavar="WHO", help="Who complained (a blocklist, a recipient, a CERT).")
@json_option
@pass_options
def abuse_report(opts: Options, contract_id: str, summary: str, source: str | None, as_json: bool) -> None:
    """Record a spam complaint about the customer's server; starts the 3-working-day warning clock."""
    from provision import render

    emit(opts.api().abuse_report(contract_id, summary, source), as_json, render.compliance)


@abuse.command("warn")
@click.argument("case", metavar="CASE")
@click.option("--ref", required=True, metavar="DOC", help="The warning's document number.")
@json_option
@pass_options
def abuse_warn(opts: Options, case: str, ref: str, as_json: bool) -> None:
    """The customer was warned (stops the warning clock)."""
    from provision import render

    emit(opts.api().abuse_warn(case, ref), as_json, render.compliance)


@abuse.command("continued")
@click.argument("case", metavar="CASE")
@click.option("--note", help="One line: the evidence that it went on.")
@json_option
@pass_options
def abuse_continued(opts: Options, case: str, note: str | None, as_json: bool) -> None:
    """The spam went on after the warning: shut the service (refused before a warning)."""
    from provision import render

    emit(opts.api().abuse_continued(case, note), as_json, render.compliance)


@abuse.command("close")
@click.argument("case", metavar="CASE")
@click.option("--note", help="One line: how it ended.")
@json_option
@pass_options
def abuse_close(opts: Options, case: str, note: str | None, as_json: bool) -> None:
    """End the case; a shutdown for it is lifted (unless another stop or a debt holds the contract)."""
    from provision import render

    emit(opts.api().abuse_close(case, note), as_json, render.compliance)


@abuse.command("list")
@click.option("--contract", "contract_id", metavar="ID", help="Only this contract's cases.")
@click.option("--open", "open_only", is_flag=True, help="Only cases not closed.")
@json_option
@pass_options
def abuse_list(opts: Options, contract_id: str | None, open_only: bool, as_json: bool) -> None:
    """Spam complaints with their warning clock and where they stand."""
    from provision import render

    emit(opts.api().abuse_cases(open_only, contract_id), as_json, render.abuse_cases)


@abuse.command("show")
@click.argument("case", type=RecordNumber("case"), metavar="A")
@json_option
@pass_options
def abuse_show(opts: Options, case: int, as_json: bool) -> None:
    """One spam complaint with its 3-working-day warning clock (A1 or 1)."""
    emit(opts.api().abuse_case(case), as_json, rendered("abuse_case"))
