"""`colo review` — the annual review."""

from __future__ import annotations

import click

from provision.cli.common import Options, RecordNumber, emit, json_option, pass_options, rendered


@click.group()
def review() -> None:
    """The annual review (hosting §5.8): due each anniversary of activation; a failed one stops the service."""


@review.command("record")
@click.argument("contract_id", metavar="ID")
@click.option("--passed/--failed", "passed", default=None, help="The review's outcome.")
@click.option("--ref", required=True, metavar="DOC", help="The review document's number.")
@click.option("--note", help="One line on the outcome.")
@json_option
@pass_options
def review_record(opts: Options, contract_id: str, passed: bool | None, ref: str, note: str | None,
                  as_json: bool) -> None:
    """Record a review: --failed shuts the service (payment does not lift it), --passed lifts that stop."""
    from provision import render

    if passed is None:
        raise click.UsageError("give the outcome: --passed or --failed")
    emit(opts.api().record_review(contract_id, passed, ref, note), as_json, render.compliance)


@review.command("list")
@click.option("--contract", "contract_id", metavar="ID", help="Only this contract's reviews.")
@json_option
@pass_options
def review_list(opts: Options, contract_id: str | None, as_json: bool) -> None:
    """Annual reviews (hosting §5.8) and their outcomes; a failed one stops the service."""
    emit(opts.api().reviews(contract_id), as_json, rendered("review_list"))


@review.command("show")
@click.argument("review_id", type=RecordNumber("review"), metavar="R")
@json_option
@pass_options
def review_show(opts: Options, review_id: int, as_json: bool) -> None:
    """One annual review (R1 or 1)."""
    emit(opts.api().review(review_id), as_json, rendered("review_detail"))
