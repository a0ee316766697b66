"""`colo person` — the customer's authorized persons and their channels."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from provision.cli.common import Options, emit, json_option, pass_options, rendered


@click.group()
def person() -> None:
    """The customer's authorized persons (SLA §6.5)."""


EMERGENCY_CHANNELS = ["office-phone", "mobile", "email", "fax", "pager", "webhook", "dingtalk", "wecom"]


def person_channels(f: Callable[..., Any]) -> Callable[..., Any]:
    """An authorized person's contact channels (SLA §4.2), and the one this contract's emergencies use."""
    for option in reversed([
        click.option("--mobile", metavar="NUMBER"),
        click.option("--email", metavar="ADDR"),
        click.option("--fax", metavar="NUMBER"),
        click.option("--pager", metavar="NUMBER"),
        click.option("--webhook", metavar="URL", help="An SMS/IM gateway that takes the emergency as JSON."),
        click.option("--emergency", metavar="CHANNEL", help=f"Designate this person for the contract's emergencies, "
                     f"by one of their channels: {' | '.join(EMERGENCY_CHANNELS)} (set: or none). Fax, pager and "
                     f"phones are listed for a technician; dingtalk/wecom post in the contract's group robot "
                     f"(`colo contract notify`), @-mentioning the person's mobile."),
    ]):
        f = option(f)
    return f


@person.command("add")
@click.argument("contract_id")
@click.option("--name", required=True)
@click.option("--phone", help="Office phone.")
@person_channels
@json_option
@pass_options
def person_add(opts: Options, contract_id: str, name: str, phone: str | None, emergency: str | None,
                   as_json: bool, **channels: str | None) -> None:
    """Register a person who may order operations on the customer's equipment."""
    emit(opts.api().add_authorized(contract_id, name, phone, channels, emergency), as_json, rendered("person"))


@person.command("set")
@click.argument("contract_id")
@click.option("--name", required=True, help="An authorized person of the customer.")
@click.option("--phone", help="Office phone.")
@person_channels
@json_option
@pass_options
def person_set(opts: Options, contract_id: str, name: str, phone: str | None, emergency: str | None,
                   as_json: bool, **channels: str | None) -> None:
    """Change a person's channels, or designate them for the contract's emergencies (--emergency)."""
    emit(opts.api().set_authorized(contract_id, name, {"office-phone": phone, **channels}, emergency), as_json, rendered("person"))


@person.command("list")
@click.argument("contract_id")
@json_option
@pass_options
def person_list(opts: Options, contract_id: str, as_json: bool) -> None:
    """The customer's authorized persons, their channels, and whom the contract's emergencies reach."""
    from provision import render

    emit(opts.api().authorized(contract_id), as_json, render.authorized)


@person.command("show")
@click.argument("contract_id")
@click.argument("name")
@json_option
@pass_options
def person_show(opts: Options, contract_id: str, name: str, as_json: bool) -> None:
    """One authorized person of the customer of contract ID, by NAME: channels, and whether emergencies go to them."""
    emit(opts.api().authorized_person(contract_id, name), as_json, rendered("person_detail"))
