"""`colo monitor` — the monitor: probe rounds, pings, watched services."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from provision.cli.common import Options, emit, json_option, mail_options, pass_options, rendered


@click.group()
def monitor() -> None:
    """Probes every 5 minutes: ping, PDU power, www/email/ftp; two failed rounds declare an emergency."""


def monitor_options(f: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed([
        click.option("--icmp", type=click.Choice(["auto", "unprivileged", "privileged"]), default="auto",
                     show_default=True, help="auto: unprivileged ping sockets, else a raw socket (root/CAP_NET_RAW)."),
        click.option("--ping-timeout", type=float, default=1.0, show_default=True, metavar="SECONDS"),
        click.option("--ping-attempts", type=click.IntRange(1, 10), default=2, show_default=True),
        click.option("--check-timeout", type=float, default=5.0, show_default=True, metavar="SECONDS"),
    ]):
        f = option(f)
    return mail_options(f)


@monitor.command("tick")
@monitor_options
@json_option
@pass_options
def monitor_tick(opts: Options, as_json: bool, **probe: Any) -> None:
    """One probe round (for cron and tests)."""
    api = opts.api()
    emit(api.monitor_tick(api.monitor_options(**probe)), as_json, rendered("monitor_round"))


@monitor.command("run")
@monitor_options
@click.option("--period", type=float, default=300.0, show_default=True, metavar="SECONDS")
@click.option("--rounds", type=click.IntRange(1), help="Stop after this many rounds (default: run until stopped).")
@click.option("--metrics", metavar="HOST:PORT", help="Serve Prometheus metrics of the rounds at http://HOST:PORT/metrics, "
              "e.g. 127.0.0.1:9464 (needs prometheus-client).")
@click.option("--lease", type=click.FloatRange(min=1), metavar="SECONDS", help="How long this monitor holds the "
              "site's rounds between renewals; a second monitor of the site stands by and takes over once it lapses "
              "[default: two periods].")
@json_option
@pass_options
def monitor_run(opts: Options, period: float, rounds: int | None, metrics: str | None, lease: float | None,
                as_json: bool, **probe: Any) -> None:
    """Probe rounds every --period seconds until stopped (for systemd): SIGTERM lets the round in
    progress finish and be recorded, then exits 0. One monitor per site runs the rounds at a time
    (a lease in the store); start one per site, and a standby anywhere else."""
    import signal

    from provision.services.monitoring.rounds import SignalStop

    api = opts.api()
    with SignalStop(signal.SIGTERM) as stop:
        for result in api.monitor_run(api.monitor_options(**probe), period, rounds, stop, metrics, lease):
            emit(result, as_json, rendered("monitor_round"))
            sys.stdout.flush()
    if stop.is_set():
        click.echo("SIGTERM: stopped after recording the round in progress", err=True)


@monitor.command("ping")
@click.argument("addresses", nargs=-1, required=True)
@click.option("--icmp", type=click.Choice(["auto", "unprivileged", "privileged"]), default="auto", show_default=True)
@click.option("--timeout", type=float, default=1.0, show_default=True, metavar="SECONDS")
@click.option("--attempts", type=click.IntRange(1, 10), default=2, show_default=True)
@json_option
def monitor_ping(addresses: tuple[str, ...], icmp: str, timeout: float, attempts: int, as_json: bool) -> None:
    """Ping addresses the way the monitor does; exit 1 if any stays silent. Shows which ICMP mode works here."""
    from provision.api import Colo

    result = Colo.ping(list(addresses), icmp, timeout, attempts)

    def human(d: dict[str, Any]) -> None:
        click.echo(f"icmp: {d['icmp']}" + (f" ({d['note']})" if d["note"] else ""))
        for a, ms in d["replies"].items():
            click.echo(f"{a}: {'no reply' if ms is None else f'{ms:.3f} ms'}")

    emit(result, as_json, human)
    if any(ms is None for ms in result["replies"].values()):
        sys.exit(1)


@monitor.command("watch")
@click.argument("contract_id", metavar="ID")
@click.argument("kind", type=click.Choice(["www", "email", "ftp"]))
@click.argument("target")
@click.option("--remove", is_flag=True, help="Stop checking it.")
@json_option
@pass_options
def monitor_watch(opts: Options, contract_id: str, kind: str, target: str, remove: bool, as_json: bool) -> None:
    """Also check a customer service: www by URL, email (SMTP) and ftp by host[:port] (SLA §4.4)."""
    emit(opts.api().watch_service(contract_id, kind, target, remove), as_json, rendered("watch"))


@monitor.command("show")
@click.argument("contract_id", metavar="ID")
@json_option
@pass_options
def monitor_show(opts: Options, contract_id: str, as_json: bool) -> None:
    """Whom the contract's emergencies are told, and which of its services are checked."""
    from provision import render

    emit(opts.api().monitoring(contract_id), as_json, render.monitoring)
