"""`colo notice` — stop-service notices and their delivery."""

from __future__ import annotations

import click

from provision.cli.common import Options, RecordNumber, emit, json_option, pass_options, rendered


@click.group()
def notice() -> None:
    """Stop-service notices (hosting §6.6): how each was delivered; phone calls logged by hand."""


@notice.command("list")
@click.option("--contract", "contract_id", metavar="ID", help="Only this contract's notices.")
@click.option("--open", "open_only", is_flag=True, help="Only notices not yet closed by payment.")
@json_option
@pass_options
def notice_list(opts: Options, contract_id: str | None, open_only: bool, as_json: bool) -> None:
    """Notices: issued, stop time, delivery (pending, delivered, failed), attempts and the last error."""
    from provision import render

    emit(opts.api().notices(open_only, contract_id), as_json, render.notices)


@notice.command("delivered")
@click.argument("notice_id", type=RecordNumber("notice"), metavar="N")
@click.option("--by", "channel", type=click.Choice(["phone", "email", "webhook", "dingtalk", "wecom"]), default="phone",
              show_default=True)
@json_option
@pass_options
def notice_delivered(opts: Options, notice_id: int, channel: str, as_json: bool) -> None:
    """Log that the customer was told (a phone call), at now or --at."""
    from provision import render

    emit(opts.api().notice_delivered(notice_id, channel), as_json, lambda d: render.notices([d]))


@notice.command("failed")
@click.argument("notice_id", type=RecordNumber("notice"), metavar="N")
@click.option("--reason", required=True, help="Why the customer could not be told, e.g. 'number not in service'.")
@json_option
@pass_options
def notice_failed(opts: Options, notice_id: int, reason: str, as_json: bool) -> None:
    """Log that the notice did not reach the customer: service may then stop at the time it lists."""
    from provision import render

    emit(opts.api().notice_failed(notice_id, reason), as_json, lambda d: render.notices([d]))


@notice.command("show")
@click.argument("notice_id", type=RecordNumber("notice"), metavar="N")
@json_option
@pass_options
def notice_show(opts: Options, notice_id: int, as_json: bool) -> None:
    """One stop-service notice (N7 or 7): the stop time it lists and how its delivery stands."""
    emit(opts.api().notice(notice_id), as_json, rendered("notice_detail"))
