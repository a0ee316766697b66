"""`colo authorization` — authorizations to operate a customer's equipment."""

from __future__ import annotations

import sys

import click

from provision.cli.common import Options, RecordNumber, emit, json_option, pass_options, rendered


@click.group()
def authorization() -> None:
    """Authorizations to operate a customer's equipment (written, or by phone with the portal credential)."""


@authorization.command("record")
@click.argument("contract_id")
@click.option("--by", "person", required=True, metavar="NAME", help="The authorized person.")
@click.option("--operation", required=True, type=click.Choice(["outlet-cycle", "port-bounce", "config-change"]))
@click.option("--written", is_flag=True, help="A signed written authorization (give --ref).")
@click.option("--phone", is_flag=True, help="By phone: the caller's portal user name and credential are asked for.")
@click.option("--ref", metavar="DOC", help="Number of the signed written authorization.")
@click.option("--portal-login", metavar="NAME", help="With --phone: the portal user name the caller gave (the login "
              "name, or a contract ID while none is set) [default: asked].")
@click.option("--portal-secret-stdin", is_flag=True, help="With --phone: read the credential from standard input.")
@click.option("--valid-hours", type=float, default=24.0, show_default=True)
@json_option
@pass_options
def authorization_record(opts: Options, contract_id: str, person: str, operation: str, written: bool, phone: bool,
                     ref: str | None, portal_login: str | None, portal_secret_stdin: bool, valid_hours: float,
                     as_json: bool) -> None:
    """Record an authorization; it starts the 30-minute feedback clock (SLA §7.2), and by phone the written form's."""
    if written and phone:
        raise click.UsageError("--written and --phone exclude each other: give the one way the authorization came")
    channel = "written" if written else "phone" if phone else None
    secret = None
    if channel != "phone" and (portal_login is not None or portal_secret_stdin):
        raise click.UsageError("--portal-login and --portal-secret-stdin go with --phone: a written authorization "
                               "is proved by its document (--ref)")
    if channel == "phone":
        if portal_login is None and portal_secret_stdin:
            raise click.UsageError("--portal-secret-stdin needs --portal-login NAME: the user name the caller gave")
        if portal_login is None:
            portal_login = click.prompt("caller's portal user name")
        secret = sys.stdin.readline().rstrip("\n") if portal_secret_stdin else click.prompt(
            "caller's portal credential", hide_input=True)
    emit(opts.api().authorize(contract_id, person, operation, channel or "", ref, secret, valid_hours, portal_login),
         as_json, rendered("authorization"))


@authorization.command("written")
@click.argument("auth_id", type=RecordNumber("authorization"), metavar="AU")
@click.option("--ref", required=True, metavar="DOC")
@json_option
@pass_options
def authorization_written(opts: Options, auth_id: int, ref: str, as_json: bool) -> None:
    """The written form of a phone authorization arrived."""
    emit(opts.api().authorization_written(auth_id, ref), as_json, rendered("authorization"))


@authorization.command("feedback")
@click.argument("auth_id", type=RecordNumber("authorization"), metavar="AU")
@click.option("--note", required=True, help="What was done, as told to the customer.")
@json_option
@pass_options
def authorization_feedback(opts: Options, auth_id: int, note: str, as_json: bool) -> None:
    """First feedback to the customer on an authorized operation (due within 30 minutes)."""
    emit(opts.api().authorization_feedback(auth_id, note), as_json, rendered("authorization"))


@authorization.command("report")
@click.argument("auth_id", type=RecordNumber("authorization"), metavar="AU")
@click.option("--ref", required=True, metavar="DOC", help="Number of the written report sent to the customer.")
@json_option
@pass_options
def authorization_report(opts: Options, auth_id: int, ref: str, as_json: bool) -> None:
    """The written report on an authorized operation went out (due 1 working day after it, SLA §7.2)."""
    emit(opts.api().authorization_report(auth_id, ref), as_json, rendered("authorization"))


@authorization.command("list")
@click.option("--contract", "contract_id", metavar="ID", help="Only this contract's authorizations.")
@click.option("--open", "open_only", is_flag=True, help="Only those still usable or with a written form or report owed.")
@json_option
@pass_options
def authorization_list(opts: Options, contract_id: str | None, open_only: bool, as_json: bool) -> None:
    """Authorizations: who gave them, for what, used or not, and the paperwork still owed (SLA §6.6, §7.2)."""
    emit(opts.api().authorizations(contract_id, open_only), as_json, rendered("authorization_list"))


@authorization.command("show")
@click.argument("auth_id", type=RecordNumber("authorization"), metavar="AU")
@json_option
@pass_options
def authorization_show(opts: Options, auth_id: int, as_json: bool) -> None:
    """One authorization (AU3 or 3): its use, written form and written report."""
    emit(opts.api().authorization(auth_id), as_json, rendered("authorization_detail"))
