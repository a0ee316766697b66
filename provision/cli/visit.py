"""`colo visit` — machine-room visits."""

from __future__ import annotations

import click

from provision.cli.common import Options, RecordNumber, emit, json_option, pass_options, rendered


@click.group()
def visit() -> None:
    """Machine-room visits (SLA §9)."""


@visit.command("request")
@click.argument("contract_id")
@click.option("--visitor", required=True)
@click.option("--reason", required=True)
@click.option("--activity", required=True, help="What will be done inside.")
@click.option("--enter", "enter_at", required=True, metavar="ISO-TIME", help="Expected entry.")
@click.option("--exit", "exit_at", required=True, metavar="ISO-TIME", help="Expected exit.")
@click.option("--support", help="Support needed from the datacenter.")
@click.option("--requested-by", metavar="PERSON", help="The customer's authorized person who asks for the visit "
              "(needed when the visitor is not one).")
@json_option
@pass_options
def visit_request(opts: Options, contract_id: str, visitor: str, reason: str, activity: str, enter_at: str,
                  exit_at: str, support: str | None, requested_by: str | None, as_json: bool) -> None:
    """Announce a visit in advance, by or for one of the customer's authorized persons (SLA §9.3)."""
    emit(opts.api().visit_request(contract_id, visitor, reason, activity, enter_at, exit_at, support, requested_by),
         as_json, rendered("visit"))


@visit.command("enter")
@click.argument("visit_id", type=RecordNumber("visit"), metavar="V")
@click.option("--escort", required=True)
@click.option("--badge", required=True)
@json_option
@pass_options
def visit_enter(opts: Options, visit_id: int, escort: str, badge: str, as_json: bool) -> None:
    """The visitor enters, escorted, badge shown."""
    emit(opts.api().visit_enter(visit_id, escort, badge), as_json, rendered("visit"))


@visit.command("leave")
@click.argument("visit_id", type=RecordNumber("visit"), metavar="V")
@json_option
@pass_options
def visit_leave(opts: Options, visit_id: int, as_json: bool) -> None:
    """The visitor leaves and returns the badge."""
    emit(opts.api().visit_leave(visit_id), as_json, rendered("visit"))


@visit.command("list")
@click.option("--contract", "contract_id", metavar="ID", help="Only this contract's visits.")
@click.option("--overdue", is_flag=True, help="Only visitors still inside after their expected exit.")
@json_option
@pass_options
def visit_list(opts: Options, contract_id: str | None, overdue: bool, as_json: bool) -> None:
    """Visits not yet closed."""
    emit(opts.api().visits(overdue, contract_id), as_json, rendered("visits"))


@visit.command("show")
@click.argument("visit_id", type=RecordNumber("visit"), metavar="V")
@json_option
@pass_options
def visit_show(opts: Options, visit_id: int, as_json: bool) -> None:
    """One visit (V2 or 2), also one that is over: who, why, expected and actual entry and exit."""
    emit(opts.api().visit(visit_id), as_json, rendered("visit"))
