"""`colo sla` — availability reports and credits."""

from __future__ import annotations

import click

from provision.cli.common import Options, emit, json_option, pass_options


@click.group()
def sla() -> None:
    """Availability reports and credits."""


@sla.command("report")
@click.argument("contract_id", required=False)
@click.option("--month", required=True, metavar="YYYY-MM")
@click.option("--html", "html_path", metavar="FILE", help="Write the report as an HTML page (month timelines, "
              "rack elevations) to FILE and print its path.")
@json_option
@pass_options
def sla_report(opts: Options, contract_id: str | None, month: str, html_path: str | None, as_json: bool) -> None:
    """One contract's month (outages counted and excluded, availability, breach, credits), or the whole site's."""
    from provision import render

    if html_path is not None:
        emit(opts.api().sla_report_html(month, html_path, contract_id), as_json, lambda d: click.echo(d["html"]))
        return
    emit(opts.api().sla_report(month, contract_id), as_json, render.sla)
