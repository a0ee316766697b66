"""`colo`: the technician's command line over provision.api — the entry point.

The commands read `colo NOUN VERB` (one module per noun in provision/cli/); the daily
verbs `provision`, `apply`, `deadlines`, `enforce`, `init`, `run` and `find` stay short
at the top. Only click is imported at start-up; each command imports what it needs, so
`colo --help` never loads SQLAlchemy, netmiko or ansible.
Exit codes: 0 ok, 1 operation failed, 2 bad input, 3 refused by a rule.
Every command takes --json: stable keys, ISO 8601 times with offsets.
"""

from __future__ import annotations

import json
import os
import sys

import click

from provision.cli import (
    abuse,
    ansible,
    audit,
    authority,
    authorization,
    ci,
    complaint,
    contract,
    daily,
    emergency,
    find,
    hold,
    install,
    inventory,
    lab,
    licence,
    monitor,
    notice,
    operation,
    outage,
    outlet,
    payment,
    person,
    port,
    portal,
    rack,
    review,
    server,
    sla,
    sot,
    storage,
    switch,
    ticket,
    traffic,
    visit,
)
from provision.cli.common import Options, finish
from provision.cli.examples import EXAMPLES


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="colo", prog_name="colo", message="%(prog)s %(version)s")
@click.option("--db", metavar="URL", help="Store: a file path, sqlite:///PATH or postgresql://… "
              "[env COLO_DB; default ~/.local/share/colo/colo.db]")
@click.option("--at", metavar="ISO-TIME", help="Record as of this time (a back-dated entry, deterministic CI): "
              "writes, and the audit log keeps both times. Without offset it is the site's local time.")
@click.option("--what-if", "what_if", metavar="ISO-TIME", help="Look as of this time: writes nothing and touches no "
              "device; a command that would is refused.")
@click.option("--site", envvar="COLO_SITE", metavar="NAME", help="The site to work on, by its inventory's name; "
              "needed only when the store holds several sites. [env COLO_SITE]")
@click.option("-v", "--verbose", count=True, help="-v: every command sent to a device, with its time, and what plans "
              "leave alone; -vv: prompts, replies and the SSH library's own lines. Secrets always show as ***. "
              "[env COLO_LOG_LEVEL: debug, info, warning, error]")
@click.option("--log-format", type=click.Choice(["text", "json"]), help="How log lines on stderr read: text for a "
              "person, json for one object per event (time, level, logger, message, fields). [default: text on a "
              "terminal, json otherwise]")
@click.pass_context
def cli(ctx: click.Context, db: str | None, at: str | None, what_if: str | None, site: str | None, verbose: int,
        log_format: str | None) -> None:
    """Colocation provisioning toolkit: inventory, contracts, clocks, allocation."""
    from provision import logs, progress

    logs.configure(verbose, fmt=logs.format_for(log_format, sys.stderr),
                   level=logs.level_from(verbose, os.environ.get("COLO_LOG_LEVEL")))
    progress.enable()  # one line per device or contract on a terminal; nothing into a pipe
    if verbose:
        from provision import render

        render.set_verbosity(verbose)
    for option, value in (("--at", at), ("--what-if", what_if)):
        if value is not None:  # refused before any command runs, also those that never ask the time
            from zoneinfo import ZoneInfo

            from provision.services.context import parse_time

            parse_time(value, ZoneInfo("UTC"), option)
    if at is not None and what_if is not None:
        raise click.UsageError("--at and --what-if both set the time: give --what-if TIME to look, --at TIME to write")
    ctx.obj = Options(db or os.environ.get("COLO_DB") or None, at, what_if, site or None)


NOUNS = (abuse.abuse, audit.audit, authority.authority, authorization.authorization, ci.ci, complaint.complaint,
         contract.contract, emergency.emergency, hold.hold, install.install, inventory.inventory, lab.lab,
         licence.licence, monitor.monitor, notice.notice, operation.operation, outage.outage, outlet.outlet,
         payment.payment, person.person, port.port, portal.portal, rack.rack, review.review, server.server, sla.sla,
         sot.sot, storage.storage, switch.switch, ticket.ticket, traffic.traffic, visit.visit)
DAILY = (daily.provision, daily.apply_plan, daily.deadlines, daily.enforce, inventory.init, ansible.run_playbook,
         lab.demo, find.find)
for command in (*NOUNS, *DAILY):
    cli.add_command(command)
finish(cli, EXAMPLES)


def main() -> None:
    """Entry point: map every failure to one line on stderr and its exit code."""
    as_json = "--json" in sys.argv
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.exceptions.Abort:
        click.echo("error: aborted", err=True)
        sys.exit(1)
    except click.ClickException as e:
        fail(2, "bad-input", f"{e.format_message()} (see --help)", as_json)
    except Exception as e:
        from provision.errors import ColoError, machine_failure

        if isinstance(e, ColoError):
            fail(e.exit_code, e.kind, str(e), as_json)
        if os.environ.get("COLO_DEBUG"):
            raise
        disk = machine_failure(e)
        if disk is not None:
            fail(disk.exit_code, disk.kind, str(disk), as_json)
        fail(1, "failed", f"unexpected {type(e).__name__}: {e} (set COLO_DEBUG=1 for the traceback)", as_json)
    sys.exit(0)


def fail(code: int, kind: str, message: str, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"error": message, "kind": kind, "exit_code": code}, ensure_ascii=False))
    for line in message.splitlines() or [""]:
        click.echo(f"error: {line}", err=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
