"""`colo outage` — outages of a contract's network or power."""

from __future__ import annotations

import click

from provision.cli.common import Options, RecordNumber, emit, json_option, pass_options, rendered


@click.group()
def outage() -> None:
    """Outages of a contract's network or power, for the SLA."""


@outage.command("record")
@click.argument("contract_id")
@click.option("--kind", required=True, type=click.Choice(["network", "power"]))
@click.option("--start", required=True, metavar="ISO-TIME")
@click.option("--end", metavar="ISO-TIME", help="Omit while it lasts.")
@click.option("--cause", required=True)
@click.option("--reported-at", metavar="ISO-TIME", help="When the customer reported it (5 days at most to count).")
@click.option("--exclude", metavar="REASON", help="agreed-maintenance | customer-equipment | customer-application | "
              "customer-negligence | customer-other | force-majeure; power: agreed-maintenance | customer-negligence | "
              "customer-other | force-majeure (you are recorded as who classified it)")
@json_option
@pass_options
def outage_record(opts: Options, contract_id: str, kind: str, start: str, end: str | None, cause: str,
                  reported_at: str | None, exclude: str | None, as_json: bool) -> None:
    """Record an outage and, where the contract says so, why it does not count."""
    emit(opts.api().record_outage(contract_id, kind, start, end, cause, reported_at, exclude), as_json, rendered("outage"))


@outage.command("report")
@click.argument("outage_id", type=RecordNumber("outage"), metavar="O")
@json_option
@pass_options
def outage_report(opts: Options, outage_id: int, as_json: bool) -> None:
    """The customer reported this outage (now or --at); unreported within 5 days it does not count."""
    emit(opts.api().report_outage(outage_id), as_json, rendered("outage"))


@outage.command("classify")
@click.argument("outage_id", type=RecordNumber("outage"), metavar="O")
@click.option("--exclude", required=True, metavar="REASON", help="agreed-maintenance | customer-equipment | "
              "customer-application | customer-negligence | customer-other | force-majeure; power: agreed-maintenance | "
              "customer-negligence | customer-other | force-majeure (you are recorded as who classified it)")
@json_option
@pass_options
def outage_classify(opts: Options, outage_id: int, exclude: str, as_json: bool) -> None:
    """Exclude an outage from the SLA for one of the contract's reasons."""
    emit(opts.api().classify_outage(outage_id, exclude), as_json, rendered("outage"))


@outage.command("list")
@click.option("--contract", "contract_id", metavar="ID", help="Only this contract's outages.")
@click.option("--open", "open_only", is_flag=True, help="Only outages still going on (and not voided).")
@json_option
@pass_options
def outage_list(opts: Options, contract_id: str | None, open_only: bool, as_json: bool) -> None:
    """Outages begun by now (or --at): reported, excluded from the SLA, or voided."""
    emit(opts.api().outages(contract_id, open_only), as_json, rendered("outage_list"))


@outage.command("show")
@click.argument("outage_id", type=RecordNumber("outage"), metavar="O")
@json_option
@pass_options
def outage_show(opts: Options, outage_id: int, as_json: bool) -> None:
    """One outage (O4 or 4): its report, classification and void."""
    emit(opts.api().outage(outage_id), as_json, rendered("outage_detail"))


@outage.command("void")
@click.argument("outage_id", type=RecordNumber("outage"), metavar="O")
@click.option("--reason", required=True, help="Why the record is void (recorded on the wrong contract, never happened).")
@json_option
@pass_options
def outage_void(opts: Options, outage_id: int, reason: str, as_json: bool) -> None:
    """Void an outage recorded in error: a reversing record with the reason; the outage stays listed and no longer
    counts in the SLA."""
    emit(opts.api().void_outage(outage_id, reason), as_json, rendered("outage_void"))
