"""`colo traffic` — port traffic from IF-MIB counters."""

from __future__ import annotations

from pathlib import Path

import click

from provision.cli.common import Options, emit, json_option, pass_options


@click.group()
def traffic() -> None:
    """Port traffic from IF-MIB counters (MRTG's tiers): poll every 5 minutes, show a contract's month."""


@traffic.command("poll")
@json_option
@pass_options
def traffic_poll(opts: Options, as_json: bool) -> None:
    """Read every provisioned port's counters once (cron every 5 minutes; `colo monitor run` does it too)."""
    from provision import render

    emit(opts.api().traffic_poll(), as_json, render.traffic_poll)


@traffic.command("show")
@click.argument("contract_id")
@click.option("--month", metavar="YYYY-MM", help="The month to report [default: this month].")
@click.option("--svg", "svg_file", metavar="FILE", type=click.Path(dir_okay=False),
              help="Also write MRTG's day/week/month/year graphs per port to FILE (an SVG page).")
@json_option
@pass_options
def traffic_show(opts: Options, contract_id: str, month: str | None, svg_file: str | None, as_json: bool) -> None:
    """Per port: current, average, peak and 95th percentile in and out against the committed bandwidth.

    \b
    Example: colo traffic show C2026-0001 --month 2026-12 --svg c1-traffic.svg
    """
    from provision import render

    data = opts.api().traffic(contract_id, month)
    if svg_file:
        from provision import traffic_svg

        Path(svg_file).write_text(traffic_svg.page(data), encoding="utf-8")
        data = data | {"svg": svg_file}
    emit(data, as_json, render.traffic)
