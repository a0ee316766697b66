"""`colo ticket` — fault tickets."""

from __future__ import annotations

import click

from provision.cli.common import Options, RecordNumber, emit, json_option, pass_options, rendered


@click.group()
def ticket() -> None:
    """Fault tickets: respond within 1 hour, resolve within 1 working day (§5.6, §6.3). Time is now or --at."""


@ticket.command("open")
@click.argument("contract_id", metavar="ID")
@click.option("--summary", required=True, help="What the customer reported (one line).")
@click.option("--reported-by", metavar="NAME", help="Who at the customer reported it.")
@json_option
@pass_options
def ticket_open(opts: Options, contract_id: str, summary: str, reported_by: str | None, as_json: bool) -> None:
    """Open a fault ticket; starts the response and resolution clocks."""
    from provision import render

    emit(opts.api().open_ticket(contract_id, summary, reported_by), as_json, render.ticket)


@ticket.command("respond")
@click.argument("ticket_id", metavar="T")
@json_option
@pass_options
def ticket_respond(opts: Options, ticket_id: str, as_json: bool) -> None:
    """The customer was answered (stops the 1-hour response clock)."""
    from provision import render

    emit(opts.api().respond_ticket(ticket_id), as_json, render.ticket)


@ticket.command("resolve")
@click.argument("ticket_id", metavar="T")
@click.option("--resolution", required=True, help="What was done (one line).")
@json_option
@pass_options
def ticket_resolve(opts: Options, ticket_id: str, resolution: str, as_json: bool) -> None:
    """The fault is resolved (stops both clocks)."""
    from provision import render

    emit(opts.api().resolve_ticket(ticket_id, resolution), as_json, render.ticket)


@ticket.command("major")
@click.argument("ticket_id", metavar="T")
@click.option("--consulted-by", metavar="NAME", help="Whom at the customer you consulted (with --note).")
@click.option("--note", help="What was agreed with the customer (one line).")
@json_option
@pass_options
def ticket_major(opts: Options, ticket_id: str, consulted_by: str | None, note: str | None, as_json: bool) -> None:
    """A major fault (§6.3): resolved only after consulting the customer; --consulted-by/--note record that."""
    from provision import render

    emit(opts.api().major_ticket(ticket_id, consulted_by, note), as_json, render.ticket)


@ticket.command("list")
@click.option("--contract", "contract_id", metavar="ID", help="Only this contract's tickets.")
@click.option("--open", "open_only", is_flag=True, help="Only tickets not yet resolved.")
@json_option
@pass_options
def ticket_list(opts: Options, contract_id: str | None, open_only: bool, as_json: bool) -> None:
    """Tickets with their clocks: time left, met, late or breached."""
    from provision import render

    emit(opts.api().tickets(open_only, contract_id), as_json, render.tickets)


@ticket.command("show")
@click.argument("ticket_id", type=RecordNumber("ticket"), metavar="T")
@json_option
@pass_options
def ticket_show(opts: Options, ticket_id: int, as_json: bool) -> None:
    """One ticket with its response and resolution clocks (T3 or 3)."""
    emit(opts.api().ticket(ticket_id), as_json, rendered("ticket"))
