"""`colo emergency` — emergencies: declared by the monitor or recorded, their notification and waiver."""

from __future__ import annotations

import click

from provision.cli.common import Options, RecordNumber, emit, json_option, pass_options, rendered


@click.group()
def emergency() -> None:
    """Emergencies — declared by the monitor or recorded by hand — their notification (15-minute report) and waiver."""


@emergency.command("list")
@click.option("--contract", "contract_id", metavar="ID", help="Only this contract's emergencies.")
@click.option("--open", "open_only", is_flag=True, help="Only those still down or not yet notified.")
@json_option
@pass_options
def emergency_list(opts: Options, contract_id: str | None, open_only: bool, as_json: bool) -> None:
    """Emergencies: declared, ended, notified, and what is still pending."""
    emit(opts.api().incidents(open_only, contract_id), as_json, rendered("incidents"))


@emergency.command("notified")
@click.argument("emergency_id", type=RecordNumber("emergency"), metavar="E")
@click.option("--by", "channel", type=click.Choice(["phone", "fax", "pager", "email", "webhook", "dingtalk", "wecom"]),
              default="phone",
              show_default=True)
@json_option
@pass_options
def emergency_notified(opts: Options, emergency_id: int, channel: str, as_json: bool) -> None:
    """Log that the customer's contact was told (a phone call, fax or page), at now or --at."""
    emit(opts.api().incident_notified(emergency_id, channel), as_json, rendered("emergency"))


@emergency.command("waive")
@click.argument("emergency_id", type=RecordNumber("emergency"), metavar="E")
@click.option("--reason", required=True, metavar="REASON", help="contact-invalid (the customer's contact details were "
              "out of date or wrong) | force-majeure")
@click.option("--note", help="What happened (one line).")
@json_option
@pass_options
def emergency_waive(opts: Options, emergency_id: int, reason: str, note: str | None, as_json: bool) -> None:
    """The 15-minute report is waived (SLA §4.7): no deduction; you are recorded as who classified it."""
    emit(opts.api().incident_waive(emergency_id, reason, note), as_json, rendered("emergency"))


@emergency.command("record")
@click.argument("contract_id")
@click.option("--declared", required=True, metavar="ISO-TIME")
@click.option("--notified", metavar="ISO-TIME", help="When the customer's contact was told.")
@click.option("--channel", type=click.Choice(["email", "webhook", "dingtalk", "wecom", "phone"]))
@json_option
@pass_options
def emergency_record(opts: Options, contract_id: str, declared: str, notified: str | None, channel: str | None,
                     as_json: bool) -> None:
    """Record an emergency (a phone notification is logged by the technician here)."""
    emit(opts.api().record_emergency(contract_id, declared, notified, channel), as_json, rendered("emergency"))


@emergency.command("show")
@click.argument("emergency_id", type=RecordNumber("emergency"), metavar="E")
@json_option
@pass_options
def emergency_show(opts: Options, emergency_id: int, as_json: bool) -> None:
    """One emergency (E7 or 7): what failed, whether the customer was told in 15 minutes, any waiver."""
    emit(opts.api().emergency(emergency_id), as_json, rendered("emergency_detail"))
