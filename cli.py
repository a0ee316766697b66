"""`colo`: the technician's command line over provision.api.

Only click is imported at start-up; each command imports what it needs, so
`colo --help` stays fast and never loads SQLAlchemy, netmiko or ansible.
Exit codes: 0 ok, 1 operation failed, 2 bad input, 3 refused by a rule.
Every command takes --json: stable keys, ISO 8601 times with offsets.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click


@dataclass
class Options:
    db: str | None
    at: str | None

    def api(self):  # type: ignore[no-untyped-def]
        from provision.api import Colo

        return Colo(db=self.db, at=self.at)


# A record's or server's number (hold, outage, visit, --server) as the store can hold it: PostgreSQL's
# integer keys are 32-bit.
RECORD = click.IntRange(1, 2**31 - 1)


def json_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of tables.")(f)


def mail_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """The mail relay of commands that tell customers (monitor, enforce): --smtp, --mail-from, --smtp-login."""
    for option in reversed([
        click.option("--smtp", envvar="COLO_SMTP", metavar="HOST:PORT", help="Mail relay for email notifications "
                     "[env COLO_SMTP]."),
        click.option("--mail-from", envvar="COLO_MAIL_FROM", metavar="ADDR", help="[env COLO_MAIL_FROM]"),
        click.option("--smtp-login", envvar="COLO_SMTP_LOGIN", metavar="SECRET",
                     help="Name of the secret holding the relay's username/password (STARTTLS) [env COLO_SMTP_LOGIN]."),
    ]):
        f = option(f)
    return f


def emit(data: Any, as_json: bool, human: Callable[[Any], None]) -> None:
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    else:
        human(data)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--db", metavar="URL", help="Store: a file path, sqlite:///PATH or postgresql://… "
              "[env COLO_DB; default ~/.local/share/colo/colo.db]")
@click.option("--at", metavar="ISO-TIME", help="Run as of this time (what-if, deterministic CI); "
              "without offset it is the site's local time.")
@click.pass_context
def cli(ctx: click.Context, db: str | None, at: str | None) -> None:
    """Colocation provisioning toolkit: inventory, contracts, clocks, allocation."""
    if at is not None:  # refused before any command runs, also those that never ask the time
        from zoneinfo import ZoneInfo

        from provision.services.context import parse_time

        parse_time(at, ZoneInfo("UTC"), "--at")
    ctx.obj = Options(db or os.environ.get("COLO_DB") or None, at)


pass_options = click.make_pass_decorator(Options)


@cli.group()
def inventory() -> None:
    """Validate a site inventory."""


@inventory.command("check")
@click.argument("path", type=click.Path())
@json_option
def inventory_check(path: str, as_json: bool) -> None:
    """Validate PATH (a site YAML file or a directory of them) without touching any store."""
    from provision.api import Colo

    summary = Colo.check_inventory(path)
    emit(summary, as_json, lambda d: click.echo(
        f"{path}: ok — site {d['site']}: {d['rooms']} rooms, {d['racks']} racks, {d['switches']} switches "
        f"({d['access_ports']} access ports), {d['pdus']} PDUs, {d['pools']} pools ({d['addresses']} addresses)"))


@cli.command()
@click.option("--inventory", "inventory_path", required=True, type=click.Path(), help="Site YAML file or directory.")
@json_option
@pass_options
def init(opts: Options, inventory_path: str, as_json: bool) -> None:
    """Create or upgrade the store, then sync the inventory into it (idempotent)."""
    from provision import render

    emit(opts.api().init(inventory_path), as_json, render.sync_report)


@cli.group()
def contract() -> None:
    """Sign, show and list hosting contracts."""


@contract.command("sign")
@click.option("--customer", required=True, help="Company or person name.")
@click.option("--kind", default="colocation", show_default=True, help="colocation | rental | rack")
@click.option("--slots", type=int, help="1U servers (colocation, rental).")
@click.option("--racks", type=int, help="Whole racks (kind rack).")
@click.option("--bandwidth", type=int, required=True, metavar="MBPS", help="Dedicated port bandwidth, Mbit/s.")
@click.option("--ips", type=int, help="Static IPv4 addresses in all [default: one per server].")
@click.option("--fee", required=True, metavar="AMOUNT", help="Fee per payment period (CNY), e.g. 12000.00.")
@click.option("--install-fee", metavar="AMOUNT", help="One-off install fee (CNY), refunded if the 3-working-day "
              "install guarantee is missed [default: 0.00, none].")
@click.option("--payment", default="yearly", show_default=True, help="yearly | monthly")
@click.option("--term-months", type=int, default=12, show_default=True)
@click.option("--power-w", type=int, default=300, show_default=True, help="Expected draw per server, W.")
@click.option("--signed-at", metavar="ISO-TIME", help="When it was signed [default: now].")
@click.option("--room", help="Place only in this machine room.")
@click.option("--request-id", help="Idempotency key: a retry with the same key returns the first contract.")
@click.option("--id-number", help="Customer ID or business licence number.")
@click.option("--address")
@click.option("--phone")
@click.option("--mobile")
@click.option("--im", help="IM handle.")
@click.option("--email")
@click.option("--admin-name", help="Server administrator (may be a third party).")
@click.option("--admin-id-number")
@click.option("--admin-phone")
@click.option("--purpose", help="What the server is for.")
@json_option
@pass_options
def contract_sign(opts: Options, as_json: bool, customer: str, kind: str, slots: int | None, racks: int | None,
                  bandwidth: int, ips: int | None, fee: str, install_fee: str | None, payment: str, term_months: int,
                  power_w: int, signed_at: str | None, room: str | None, request_id: str | None,
                  **record: str | None) -> None:
    """Sign a contract and allocate slot, port, address and outlet for each server."""
    from provision import render
    from provision.api import SignOrder
    from provision.domain.terms import Customer
    from provision.errors import BadInput

    if kind == "rack":
        if slots is not None:
            raise BadInput("--slots is for 1U servers: a rack contract counts whole racks, use --racks N")
        quantity = 1 if racks is None else racks
    else:
        if racks is not None:
            raise BadInput(f"--racks is for kind rack: a {kind} contract counts 1U servers, use --slots N")
        if slots is None:
            raise BadInput("--slots is required: give the number of 1U servers, e.g. --slots 1")
        quantity = slots
    order = SignOrder(customer=Customer(name=customer, **record), kind=kind, quantity=quantity,
                      bandwidth_mbps=bandwidth, fee=fee, payment=payment, ips=ips, term_months=term_months,
                      power_w=power_w, signed_at=signed_at, room=room, request_id=request_id,
                      install_fee=install_fee)
    emit(opts.api().sign(order), as_json, render.contract)


@contract.command("show")
@click.argument("contract_id")
@json_option
@pass_options
def contract_show(opts: Options, contract_id: str, as_json: bool) -> None:
    """Show a contract: terms, placement, clocks and history."""
    from provision import render

    emit(opts.api().contract(contract_id), as_json, render.contract)


@contract.command("notify")
@click.argument("contract_id")
@click.option("--email", metavar="ADDR")
@click.option("--webhook", metavar="URL", help="An SMS/IM gateway that takes the emergency as JSON.")
@click.option("--phone", metavar="NUMBER", help="A technician calls it and logs the call.")
@json_option
@pass_options
def contract_notify(opts: Options, contract_id: str, email: str | None, webhook: str | None, phone: str | None,
                    as_json: bool) -> None:
    """How the customer's contact is told of an emergency (default: the customer's email)."""
    given = [(c, t) for c, t in (("email", email), ("webhook", webhook), ("phone", phone)) if t is not None]
    if len(given) != 1:
        raise click.UsageError("give exactly one of --email, --webhook, --phone")
    emit(opts.api().set_contact(contract_id, *given[0]), as_json, _show)


@contract.command("assign")
@click.argument("contract_id")
@click.option("--rep", metavar="NAME", help="The customer-service representative (SLA §5).")
@click.option("--engineer", metavar="NAME", help="The engineer assigned to the contract (SLA §6.2).")
@json_option
@pass_options
def contract_assign(opts: Options, contract_id: str, rep: str | None, engineer: str | None, as_json: bool) -> None:
    """Name the contract's customer-service representative and engineer (each change is in the history)."""
    emit(opts.api().assign(contract_id, rep, engineer), as_json, _show)


@contract.command("list")
@click.option("--state", help="Only contracts in this state.")
@json_option
@pass_options
def contract_list(opts: Options, state: str | None, as_json: bool) -> None:
    """List contracts in signing order."""
    from provision import render

    emit(opts.api().contracts(state), as_json, render.contract_list)


@contract.command("change")
@click.argument("contract_id")
@click.option("--bandwidth", type=int, metavar="MBPS", help="New dedicated bandwidth, Mbit/s (up or down).")
@click.option("--add-ips", type=int, default=0, metavar="N", help="More static addresses, from the contract's pool.")
@click.option("--add-slots", type=int, default=0, metavar="N", help="More 1U slots (whole racks for a rack contract).")
@click.option("--fee", metavar="AMOUNT", help="New fee per payment period (CNY), owed from the next period.")
@click.option("--request-id", help="Idempotency key: a retry with the same key reports the change already made.")
@click.option("--dry-run", is_flag=True, help="Print the plan (a diff per device); change nothing.")
@json_option
@pass_options
def contract_change(opts: Options, contract_id: str, bandwidth: int | None, add_ips: int, add_slots: int,
                    fee: str | None, request_id: str | None, dry_run: bool, as_json: bool) -> None:
    """Change a running service (SLA §5): plan, apply, read back, undo on failure; record each term's change.

    A signed contract only changes its order (provisioning configures it); a suspended
    one is refused until its suspension is lifted.
    """
    from provision import render

    emit(opts.api().change_service(contract_id, bandwidth, add_ips, add_slots, fee, request_id, dry_run), as_json,
         render.service_change)


@cli.group()
def install() -> None:
    """A rental contract's install (SLA §3.1-3.2): hardware and OS, both needed to meet the 3-working-day guarantee."""


@install.command("record")
@click.argument("contract_id", metavar="ID")
@click.option("--step", required=True, type=click.Choice(["hardware", "os"]),
              help="hardware: the provider's server installed; os: its operating system installed.")
@click.option("--note", help="What was installed, e.g. 'Ubuntu 24.04 LTS'.")
@json_option
@pass_options
def install_record(opts: Options, contract_id: str, step: str, note: str | None, as_json: bool) -> None:
    """Record an install step done (at now or --at); the install clock stops when both are recorded."""
    def human(d: dict[str, Any]) -> None:
        click.echo(f"{d['contract']}: {d['step']} install recorded {d['at']}; install guarantee by {d['deadline']}: "
                   f"{d['status']}" + (f" — {d['install_refund']}" if d["install_refund"] else ""))

    emit(opts.api().record_install(contract_id, step, note), as_json, human)


@cli.group()
def server() -> None:
    """Record the hosted servers' hardware."""


@server.command("record")
@click.argument("contract_id")
@click.option("--server", "position", type=RECORD, default=1, show_default=True, help="Which server of the contract.")
@click.option("--serial", required=True, help="Chassis serial number.")
@click.option("--mac", required=True, help="MAC of the NIC on the customer port (bound to its address).")
@click.option("--cpu", metavar="'MODEL xN'", help="e.g. 'Intel Xeon Silver 4310 x2'.")
@click.option("--board", metavar="'MODEL xN'", help="Motherboard model (count 1 unless given), e.g. "
              "'Supermicro X12SPi-TF'.")
@click.option("--memory", metavar="'MODEL xN'", help="e.g. '32GB DDR4-3200 RDIMM x4'.")
@click.option("--disk", "disks", multiple=True, metavar="'MODEL xN'", help="Repeat per disk model.")
@json_option
@pass_options
def server_record(opts: Options, contract_id: str, position: int, serial: str, mac: str, cpu: str | None,
                  board: str | None, memory: str | None, disks: tuple[str, ...], as_json: bool) -> None:
    """Record server hardware, serial and NIC MAC when it is racked (replaces an earlier record)."""
    from provision import render
    from provision.api import ServerRecord
    from provision.domain.hardware import normalise_mac, parse_component

    record = ServerRecord(serial=serial, mac=normalise_mac(mac),
                          cpu=parse_component(cpu, "--cpu") if cpu else None,
                          board=parse_component(board, "--board") if board else None,
                          memory=parse_component(memory, "--memory") if memory else None,
                          disks=tuple(parse_component(d, "--disk") for d in disks))
    emit(opts.api().record_server(contract_id, position, record), as_json, render.contract)


@cli.command()
@click.option("--all", "include_closed", is_flag=True, help="Include clocks already met or closed late.")
@json_option
@pass_options
def deadlines(opts: Options, include_closed: bool, as_json: bool) -> None:
    """Running contract clocks, most urgent first, with time left and breaches."""
    from provision import render

    emit(opts.api().deadlines(include_closed), as_json, render.deadlines)


@cli.group()
def rack() -> None:
    """Look at racks."""


@rack.command("show")
@click.argument("name")
@json_option
@pass_options
def rack_show(opts: Options, name: str, as_json: bool) -> None:
    """A text elevation of rack NAME: who sits in each unit, holds, power."""
    from provision import render

    emit(opts.api().rack(name), as_json, render.elevation)


@cli.command()
@click.argument("rack_name", metavar="RACK")
@click.option("--units", type=int, required=True, help="How many adjacent units to hold.")
@click.option("--for", "for_name", required=True, metavar="NAME", help="The prospective customer.")
@click.option("--until", required=True, metavar="ISO-TIME", help="When the hold lapses by itself.")
@json_option
@pass_options
def reserve(opts: Options, rack_name: str, units: int, for_name: str, until: str, as_json: bool) -> None:
    """Hold units of RACK for a prospective customer; nobody else is placed there until it lapses."""
    from provision import render

    emit(opts.api().reserve(rack_name, units, for_name, until), as_json, render.hold)


@cli.command()
@click.option("--all", "include_expired", is_flag=True, help="Include lapsed holds.")
@json_option
@pass_options
def holds(opts: Options, include_expired: bool, as_json: bool) -> None:
    """List unit holds."""
    from provision import render

    emit(opts.api().holds(include_expired), as_json, render.holds)


@cli.command()
@click.argument("hold_id", type=RECORD)
@json_option
@pass_options
def unreserve(opts: Options, hold_id: int, as_json: bool) -> None:
    """End hold HOLD_ID now and free its units."""
    from provision import render

    emit(opts.api().release_hold(hold_id), as_json, render.hold)


@cli.command()
@click.argument("contract_ids", nargs=-1, metavar="[ID]...")
@click.option("--all-signed", is_flag=True, help="Every contract still waiting for provisioning.")
@click.option("--dry-run", is_flag=True, help="Print the plan (a diff per device); change nothing.")
@click.option("--out", metavar="FILE", help="With --dry-run: save the plan for review and `colo apply FILE`.")
@json_option
@pass_options
def provision(opts: Options, contract_ids: tuple[str, ...], all_signed: bool, dry_run: bool, out: str | None,
              as_json: bool) -> None:
    """Configure the contracts' switch ports and PDU outlets: plan, apply, read back, undo on failure.

    Changes to one switch go in one session; switches are worked in parallel.
    Re-running an applied contract changes nothing; re-running after a crash
    completes (or undoes) the interrupted operation.
    """
    from provision import render

    emit(opts.api().provision(list(contract_ids), dry_run, out, all_signed), as_json, render.plan)


@cli.command("apply")
@click.argument("plan_file", metavar="FILE")
@json_option
@pass_options
def apply_plan(opts: Options, plan_file: str, as_json: bool) -> None:
    """Apply a plan saved with `provision --dry-run --out FILE`, exactly as reviewed.

    Refused (exit 3) with what changed if the store or any device drifted since.
    """
    from provision import render

    emit(opts.api().apply(plan_file), as_json, render.plan)


@cli.command()
@click.argument("contract_id")
@json_option
@pass_options
def activate(opts: Options, contract_id: str, as_json: bool) -> None:
    """Complete the IP binding with the recorded MACs, verify the links up (IF-MIB), start the term."""
    from provision import render

    emit(opts.api().activate(contract_id), as_json, render.activation)


@cli.command()
@click.option("--contract", "contract_id", metavar="ID", help="Only operations on this contract.")
@json_option
@pass_options
def operations(opts: Options, contract_id: str | None, as_json: bool) -> None:
    """The device-change journal: each operation, its steps per port and PDU, and how it ended."""
    from provision import render

    emit(opts.api().operations(contract_id), as_json, render.operations)


@cli.group()
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


@cli.group()
def switch() -> None:
    """A switch port as the toolkit reads it: managed facts and the site's own lines."""


@switch.command("parse")
@click.option("--platform", required=True, type=click.Choice(["cisco_ios", "huawei_vrp", "hp_comware"]),
              help="The platform the configuration was saved from.")
@click.option("--interface", required=True, metavar="NAME", help="The port, full or abbreviated (Gi1/0/1, GE0/0/1).")
@click.argument("config_file", metavar="FILE")
@json_option
def switch_parse(platform: str, interface: str, config_file: str, as_json: bool) -> None:
    """Read one port's facts from a saved configuration (a backup, `show running-config` output).

    \b
    Example: colo switch parse --platform huawei_vrp --interface GE0/0/3 backup.cfg --json
    """
    from provision import render
    from provision.api import Colo

    emit(Colo.parse_switch_config(platform, interface, config_file), as_json, render.switch_port)


@switch.command("show")
@click.argument("switch_name", metavar="SWITCH")
@click.argument("interface", metavar="PORT")
@json_option
@pass_options
def switch_show(opts: Options, switch_name: str, interface: str, as_json: bool) -> None:
    """Read one port's facts live from the switch, over the same session the provisioning uses."""
    from provision import render

    emit(opts.api().switch_port(switch_name, interface), as_json, render.switch_port)


@cli.group()
def payment() -> None:
    """Money received and the account of a contract."""


@payment.command("record")
@click.argument("contract_id")
@click.argument("amount")
@click.option("--ref", help="Bank or receipt reference.")
@json_option
@pass_options
def payment_record(opts: Options, contract_id: str, amount: str, ref: str | None, as_json: bool) -> None:
    """Record AMOUNT (CNY, e.g. 12000.00) paid for a contract; a paid-up suspended contract is resumed."""
    from provision import render

    emit(opts.api().payment(contract_id, amount, ref), as_json, render.payment)


@payment.command("show")
@click.argument("contract_id")
@json_option
@pass_options
def payment_show(opts: Options, contract_id: str, as_json: bool) -> None:
    """Periods started, owed, paid, balance, and any stop-service notice."""
    from provision import render

    emit(opts.api().account(contract_id), as_json, render.account)


@cli.group()
def notice() -> None:
    """Stop-service notices (hosting §6.6): how each was delivered; phone calls logged by hand."""


@notice.command("list")
@click.option("--open", "open_only", is_flag=True, help="Only notices not yet closed by payment.")
@json_option
@pass_options
def notice_list(opts: Options, open_only: bool, as_json: bool) -> None:
    """Notices: issued, stop time, delivery (pending, delivered, failed), attempts and the last error."""
    from provision import render

    emit(opts.api().notices(open_only), as_json, render.notices)


@notice.command("delivered")
@click.argument("notice_id", type=RECORD, metavar="NOTICE")
@click.option("--by", "channel", type=click.Choice(["phone", "email", "webhook"]), default="phone", show_default=True)
@json_option
@pass_options
def notice_delivered(opts: Options, notice_id: int, channel: str, as_json: bool) -> None:
    """Log that the customer was told (a phone call), at now or --at."""
    from provision import render

    emit(opts.api().notice_delivered(notice_id, channel), as_json, lambda d: render.notices([d]))


@notice.command("failed")
@click.argument("notice_id", type=RECORD, metavar="NOTICE")
@click.option("--reason", required=True, help="Why the customer could not be told, e.g. 'number not in service'.")
@json_option
@pass_options
def notice_failed(opts: Options, notice_id: int, reason: str, as_json: bool) -> None:
    """Log that the notice did not reach the customer: service may then stop at the time it lists."""
    from provision import render

    emit(opts.api().notice_failed(notice_id, reason), as_json, lambda d: render.notices([d]))


@cli.command()
@click.option("--dry-run", is_flag=True, help="Say what would be done; do nothing.")
@click.option("--stop-after", "stop_after", type=float, default=24.0, show_default=True, metavar="HOURS",
              help="Stop time a new stop-service notice lists, after its issue.")
@mail_options
@json_option
@pass_options
def enforce(opts: Options, dry_run: bool, stop_after: float, as_json: bool, **mail: Any) -> None:
    """The reconcile run for cron: notices for 3-day overdue payments, sent to the contract's contact (email,
    webhook, or a phone call to log: `colo notice`) and sent again until delivered; suspension at the notice's
    stop time once it was delivered or its failure recorded; resumption once paid. Running it twice does
    nothing more. Exit 1 if any device action failed."""
    from provision import render

    api = opts.api()
    result = api.enforce(dry_run, stop_after, api.mailer(**mail))
    emit(result, as_json, render.enforcement)
    if result["failed"]:
        sys.exit(1)


@cli.command()
@click.argument("contract_id")
@click.option("--months", type=int, required=True, help="Months added to the term.")
@json_option
@pass_options
def renew(opts: Options, contract_id: str, months: int, as_json: bool) -> None:
    """Extend a running contract's term (renewal confirmed before the term ends)."""
    emit(opts.api().renew(contract_id, months), as_json,
         lambda d: click.echo(f"{d['contract']} renewed for {d['renewed_months']} month(s); term ends {d['term_end']}"))


@cli.command()
@click.argument("contract_id")
@click.option("--forced", type=click.Choice(["policy", "carrier", "force-majeure"]),
              help="Ended now by policy or the upstream carrier (§8.5: unused fee refunded plus compensation), "
                   "or by force majeure (§8.3: unused fee refunded, no compensation).")
@json_option
@pass_options
def terminate(opts: Options, contract_id: str, forced: str | None, as_json: bool) -> None:
    """Record the customer's written notice (the contract ends one month later), or a forced termination."""
    from provision import render

    emit(opts.api().terminate(contract_id, forced), as_json, render.termination)


@cli.command()
@click.argument("contract_id")
@click.option("--dry-run", is_flag=True, help="Print the plan (a diff per device); change nothing.")
@click.option("--location", default="warehouse", show_default=True, help="Warehouse shelf the servers go to.")
@json_option
@pass_options
def decommission(opts: Options, contract_id: str, dry_run: bool, location: str, as_json: bool) -> None:
    """Reset an ended contract's ports, switch its outlets off, free its slots, store its servers (7-day clock)."""
    from provision import render

    emit(opts.api().decommission(contract_id, dry_run, location), as_json, render.decommission)


@cli.group()
def storage() -> None:
    """Servers in the warehouse after decommission."""


@storage.command("list")
@click.option("--all", "include_released", is_flag=True, help="Include servers already collected, shipped or abandoned.")
@json_option
@pass_options
def storage_list(opts: Options, include_released: bool, as_json: bool) -> None:
    """Stored servers with the date after which they may be treated as abandoned."""
    from provision import render

    emit(opts.api().storage(include_released), as_json, render.storage)


@storage.command("release")
@click.argument("contract_id")
@click.option("--collected-by", metavar="NAME", help="Who collected the servers.")
@click.option("--ship-to", metavar="ADDRESS", help="Shipping address (at the customer's cost and risk).")
@click.option("--tracking", metavar="NO", help="Carrier tracking number, with --ship-to.")
@json_option
@pass_options
def storage_release(opts: Options, contract_id: str, collected_by: str | None, ship_to: str | None,
                    tracking: str | None, as_json: bool) -> None:
    """Hand a contract's stored servers back: collected in person, or shipped."""
    emit(opts.api().release_storage(contract_id, collected_by, ship_to, tracking), as_json,
         lambda d: click.echo(f"{d['contract']}: {d['state']} at {d['released_at']} ({d['detail']})"))


@cli.group(invoke_without_command=True)
@click.option("--contract", "contract_id", metavar="ID", help="Only records about this contract.")
@json_option
@pass_options
@click.pass_context
def audit(ctx: click.Context, opts: Options, contract_id: str | None, as_json: bool) -> None:
    """The audit log: who did what, when, on whose authorization (hash-chained). `audit verify` checks it."""
    if ctx.invoked_subcommand is not None:
        return
    from provision import render

    emit(opts.api().audit(contract_id), as_json, render.audit)


@audit.command("verify")
@click.option("--anchor", metavar="FILE", envvar="COLO_AUDIT_ANCHOR",
              help="Keep the verified head in FILE (outside the store) and check the last one kept is still "
                   "there, so removal of the newest records is detected [env COLO_AUDIT_ANCHOR].")
@click.option("--syslog", is_flag=True, help="Also log the head to syslog (/dev/log).")
@json_option
@pass_options
def audit_verify(opts: Options, anchor: str | None, syslog: bool, as_json: bool) -> None:
    """Recompute the hash chain; exit 1 naming the first record that was altered or removed."""
    emit(opts.api().audit_verify(anchor, syslog), as_json, _audit_verified)


def _audit_verified(d: dict[str, Any]) -> None:
    head = d["head"]
    click.echo(f"audit log intact: {d['records']} records" + (f", head record {head['id']} ({head['at']})"
                                                              if head else ""))
    anchor = d["anchor"]
    if anchor is None:
        click.echo(f"note: {d['note']}")
    elif anchor["checked"]:
        click.echo(f"anchored record {anchor['checked']['record']} ({anchor['checked']['anchored_at']}) still there")
    if anchor and anchor["recorded"]:
        click.echo(f"head anchored in {anchor['file']}")
    if d["syslog"]:
        click.echo("head logged to syslog")


def _show(d: Any) -> None:
    for key, value in d.items():
        click.echo(f"{key}: {value}")


@cli.group()
def authorized() -> None:
    """The customer's authorized persons (SLA §6.5)."""


EMERGENCY_CHANNELS = ["office-phone", "mobile", "email", "fax", "pager", "webhook"]


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
                     f"phones are listed for a technician."),
    ]):
        f = option(f)
    return f


@authorized.command("add")
@click.argument("contract_id")
@click.option("--name", required=True)
@click.option("--phone", help="Office phone.")
@person_channels
@json_option
@pass_options
def authorized_add(opts: Options, contract_id: str, name: str, phone: str | None, emergency: str | None,
                   as_json: bool, **channels: str | None) -> None:
    """Register a person who may order operations on the customer's equipment."""
    emit(opts.api().add_authorized(contract_id, name, phone, channels, emergency), as_json, _show)


@authorized.command("set")
@click.argument("contract_id")
@click.option("--name", required=True, help="An authorized person of the customer.")
@click.option("--phone", help="Office phone.")
@person_channels
@json_option
@pass_options
def authorized_set(opts: Options, contract_id: str, name: str, phone: str | None, emergency: str | None,
                   as_json: bool, **channels: str | None) -> None:
    """Change a person's channels, or designate them for the contract's emergencies (--emergency)."""
    emit(opts.api().set_authorized(contract_id, name, {"office-phone": phone, **channels}, emergency), as_json, _show)


@authorized.command("list")
@click.argument("contract_id")
@json_option
@pass_options
def authorized_list(opts: Options, contract_id: str, as_json: bool) -> None:
    """The customer's authorized persons, their channels, and whom the contract's emergencies reach."""
    from provision import render

    emit(opts.api().authorized(contract_id), as_json, render.authorized)


@cli.group()
def portal() -> None:
    """The customer portal (traffic, SLA, faults) and its credential, which also verifies phone authorizations."""


@portal.command("set")
@click.argument("contract_id")
@click.option("--secret-stdin", is_flag=True, help="Read the credential from standard input instead of a prompt.")
@click.option("--login", metavar="NAME", help="Instead: the customer's portal user name (3-32 of a-z 0-9 . _ -), "
              "which replaces the contract IDs as user name; the credential is kept.")
@json_option
@pass_options
def portal_set(opts: Options, contract_id: str, secret_stdin: bool, login: str | None, as_json: bool) -> None:
    """Store the credential as a salted hash (never kept, shown or logged in clear), or with --login the user name."""
    if login is not None:
        if secret_stdin:
            raise click.UsageError("--login sets only the user name: set the credential in its own `colo portal set`")
        emit(opts.api().set_portal_login(contract_id, login), as_json, _show)
        return
    secret = sys.stdin.readline().rstrip("\n") if secret_stdin else click.prompt(
        "portal credential", hide_input=True, confirmation_prompt=True)
    emit(opts.api().set_portal_secret(contract_id, secret), as_json, _show)


@portal.command("serve")
@click.option("--listen", default="127.0.0.1:8080", show_default=True, metavar="HOST:PORT",
              help="Address to serve on (port 0: any free port, printed).")
@click.option("--key-file", metavar="FILE", envvar="COLO_PORTAL_KEY", help="The session-signing key, made (mode 0600) "
              "if absent [env COLO_PORTAL_KEY; default ~/.local/share/colo/portal-session.key].")
@click.option("--tls-proxy", is_flag=True, help="Behind a TLS-terminating reverse proxy: trust its X-Forwarded-For "
              "and X-Forwarded-Proto, so cookies are Secure and logins are throttled per real client address.")
@json_option
@pass_options
def portal_serve(opts: Options, listen: str, key_file: str | None, tls_proxy: bool, as_json: bool) -> None:
    """The customer portal: traffic graphs, SLA report and open faults, read-only, until interrupted."""
    from provision.portal import server

    running = server.bind(opts.db, opts.at, listen, key_file, tls_proxy)
    emit({"listening": running.url, "key_file": str(running.key_file)}, as_json,
         lambda d: click.echo(f"portal listening on {d['listening']} (session key in {d['key_file']}); Ctrl-C stops it"))
    running.run()


@cli.group()
def authorize() -> None:
    """Authorizations to operate a customer's equipment (written, or by phone with the portal credential)."""


@authorize.command("record")
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
def authorize_record(opts: Options, contract_id: str, person: str, operation: str, written: bool, phone: bool,
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
         as_json, _show)


@authorize.command("written")
@click.argument("auth_id", type=RECORD)
@click.option("--ref", required=True, metavar="DOC")
@json_option
@pass_options
def authorize_written(opts: Options, auth_id: int, ref: str, as_json: bool) -> None:
    """The written form of a phone authorization arrived."""
    emit(opts.api().authorization_written(auth_id, ref), as_json, _show)


@authorize.command("feedback")
@click.argument("auth_id", type=RECORD)
@click.option("--note", required=True, help="What was done, as told to the customer.")
@json_option
@pass_options
def authorize_feedback(opts: Options, auth_id: int, note: str, as_json: bool) -> None:
    """First feedback to the customer on an authorized operation (due within 30 minutes)."""
    emit(opts.api().authorization_feedback(auth_id, note), as_json, _show)


@authorize.command("report")
@click.argument("auth_id", type=RECORD)
@click.option("--ref", required=True, metavar="DOC", help="Number of the written report sent to the customer.")
@json_option
@pass_options
def authorize_report(opts: Options, auth_id: int, ref: str, as_json: bool) -> None:
    """The written report on an authorized operation went out (due 1 working day after it, SLA §7.2)."""
    emit(opts.api().authorization_report(auth_id, ref), as_json, _show)


@cli.group()
def outlet() -> None:
    """Operations on a customer's outlets (need an authorization)."""


@outlet.command("cycle")
@click.argument("contract_id")
@click.option("--server", "position", type=RECORD, default=1, show_default=True)
@json_option
@pass_options
def outlet_cycle(opts: Options, contract_id: str, position: int, as_json: bool) -> None:
    """Power-cycle a server's outlets (off, on, read back); refused and recorded without an authorization."""
    emit(opts.api().operate(contract_id, "outlet-cycle", position), as_json, _show)


@cli.group()
def port() -> None:
    """Operations on a customer's switch port (need an authorization)."""


@port.command("bounce")
@click.argument("contract_id")
@click.option("--server", "position", type=RECORD, default=1, show_default=True)
@json_option
@pass_options
def port_bounce(opts: Options, contract_id: str, position: int, as_json: bool) -> None:
    """Shut and re-enable a server's port (read back); refused and recorded without an authorization."""
    emit(opts.api().operate(contract_id, "port-bounce", position), as_json, _show)


@cli.group()
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
         as_json, _show)


@visit.command("enter")
@click.argument("visit_id", type=RECORD)
@click.option("--escort", required=True)
@click.option("--badge", required=True)
@json_option
@pass_options
def visit_enter(opts: Options, visit_id: int, escort: str, badge: str, as_json: bool) -> None:
    """The visitor enters, escorted, badge shown."""
    emit(opts.api().visit_enter(visit_id, escort, badge), as_json, _show)


@visit.command("leave")
@click.argument("visit_id", type=RECORD)
@json_option
@pass_options
def visit_leave(opts: Options, visit_id: int, as_json: bool) -> None:
    """The visitor leaves and returns the badge."""
    emit(opts.api().visit_leave(visit_id), as_json, _show)


@visit.command("list")
@click.option("--overdue", is_flag=True, help="Only visitors still inside after their expected exit.")
@json_option
@pass_options
def visit_list(opts: Options, overdue: bool, as_json: bool) -> None:
    """Visits not yet closed."""
    def human(rows: list[dict[str, Any]]) -> None:
        for r in rows:
            flag = "  OVERDUE EXIT" if r["overdue_exit"] else ""
            click.echo(f"#{r['visit']} {r['contract']} {r['visitor']}: {r['reason']}; expected {r['expected_enter']} "
                       f"to {r['expected_exit']}; inside: {'yes' if r['inside'] else 'no'}{flag}")
        if not rows:
            click.echo("no open visits")

    emit(opts.api().visits(overdue), as_json, human)


def _extra_vars(items: tuple[str, ...]) -> dict[str, Any]:
    import yaml

    from provision.errors import BadInput

    out: dict[str, Any] = {}
    for item in items:
        if item.startswith("@"):
            try:
                loaded = yaml.safe_load(Path(item[1:]).read_text(encoding="utf-8"))
            except OSError as e:
                raise BadInput(f"-e {item}: cannot read it ({e.strerror}); give a YAML file of variables") from None
            except yaml.YAMLError as e:
                raise BadInput(f"-e {item}: not valid YAML ({str(e).splitlines()[0]}); give a YAML mapping of "
                               f"variables") from None
            if not isinstance(loaded, dict) or not all(isinstance(k, str) for k in loaded):
                raise BadInput(f"-e {item}: give a YAML mapping of variable names to values")
            out.update(loaded)
            continue
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise BadInput(f"-e {item!r}: give KEY=VALUE or @FILE")
        out[key] = value
    return out


@cli.command("run")
@click.argument("playbook", type=click.Path())
@click.option("--check", is_flag=True, help="Ansible check mode with --diff: nothing is applied.")
@click.option("-e", "--extra-var", "extra", multiple=True, metavar="KEY=VALUE|@FILE",
              help="A string variable, or @FILE: a YAML mapping of variables (lists, dicts), as ansible-playbook takes.")
@json_option
@pass_options
def run_playbook(opts: Options, playbook: str, check: bool, extra: tuple[str, ...], as_json: bool) -> None:
    """Run a playbook through ansible-runner; progress per task, then ok/changed/failed per host.

    Artifacts go to $COLO_RUN_DIR (default ./.colo-runs); the last 20 runs are kept.
    """
    from provision.api import Colo

    extravars = _extra_vars(extra)
    if opts.db:
        extravars.setdefault("db", opts.db)
    if opts.at:
        extravars.setdefault("at", opts.at)
    result = Colo.run_playbook(playbook, check, extravars, None if as_json else click.echo)

    def human(d: dict[str, Any]) -> None:
        for host, s in d["summary"].items():
            click.echo(f"{host}: ok={s['ok']} changed={s['changed']} failed={s['failures']} unreachable={s['dark']}")
        click.echo(f"artifacts: {d['artifacts']}")

    emit(result, as_json, human)


@cli.group()
def ci() -> None:
    """Checks for continuous integration."""


@ci.command("dry-run")
@click.option("--inventory", "inventory_path", default="inventory/example", show_default=True, type=click.Path())
@json_option
def ci_dry_run(inventory_path: str, as_json: bool) -> None:
    """Validate the inventory, start a private lab, run every playbook with --check --diff against it;
    fail on any error or on any change check mode applied (lab devices and store compared)."""
    from provision.services.dry_run import dry_run

    result = dry_run(inventory_path, say=(lambda _: None) if as_json else click.echo)
    emit(result, as_json, lambda d: click.echo(f"dry run ok: {len(d['playbooks'])} playbooks, nothing applied"))


@cli.group()
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


def _round(d: dict[str, Any]) -> None:
    if "error" in d:
        click.echo(f"{d['error']}", err=True)
        return
    click.echo(f"round {d['at']}: {d['watched']} watched, {len(d['failing'])} failing, icmp {d['icmp']}, "
               f"{d['seconds']:.2f}s")
    for note in d["notes"]:
        click.echo(f"  note: {note}")
    for f in d["failing"]:
        click.echo(f"  failing {f['contract']} {f['check']} {f['target']}: {f['why']}")
    for e in d["declared"]:
        click.echo(f"  EMERGENCY {e['emergency']} {e['contract']} {e['check']} {e['target']} (down since {e['since']})")
    for e in d["recovered"]:
        click.echo(f"  ended {e['emergency']} {e['contract']} {e['check']} {e['target']}: {e['how']}")
    for n in d["notifications"]:
        whom = f" ({n['person']})" if n.get("person") else ""
        click.echo(f"  notified emergency {n['emergency']} by {n['channel']} to {n['to']}{whom}" if n["sent"]
                   else f"  NOT notified emergency {n['emergency']}{whom}: {n['error']}"
                   + (f" [15-minute report waived: {n['waived']}]" if n.get("waived") else ""))


@monitor.command("tick")
@monitor_options
@json_option
@pass_options
def monitor_tick(opts: Options, as_json: bool, **probe: Any) -> None:
    """One probe round (for cron and tests)."""
    api = opts.api()
    emit(api.monitor_tick(api.monitor_options(**probe)), as_json, _round)


@monitor.command("run")
@monitor_options
@click.option("--period", type=float, default=300.0, show_default=True, metavar="SECONDS")
@click.option("--rounds", type=click.IntRange(1), help="Stop after this many rounds (default: run until stopped).")
@json_option
@pass_options
def monitor_run(opts: Options, period: float, rounds: int | None, as_json: bool, **probe: Any) -> None:
    """Probe rounds every --period seconds until stopped (for systemd): SIGTERM lets the round in
    progress finish and be recorded, then exits 0."""
    import signal

    from provision.services.monitoring import SignalStop

    api = opts.api()
    with SignalStop(signal.SIGTERM) as stop:
        for result in api.monitor_run(api.monitor_options(**probe), period, rounds, stop):
            emit(result, as_json, _round)
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
    emit(opts.api().watch_service(contract_id, kind, target, remove), as_json, _show)


@monitor.command("show")
@click.argument("contract_id", metavar="ID")
@json_option
@pass_options
def monitor_show(opts: Options, contract_id: str, as_json: bool) -> None:
    """Whom the contract's emergencies are told, and which of its services are checked."""
    from provision import render

    emit(opts.api().monitoring(contract_id), as_json, render.monitoring)


@cli.group()
def incident() -> None:
    """Emergencies the monitor declared, and their notifications (15-minute report, SLA §4.5)."""


@incident.command("list")
@click.option("--open", "open_only", is_flag=True, help="Only those still down or not yet notified.")
@json_option
@pass_options
def incident_list(opts: Options, open_only: bool, as_json: bool) -> None:
    """Emergencies: declared, ended, notified, and what is still pending."""
    def human(rows: list[dict[str, Any]]) -> None:
        for r in rows:
            click.echo(f"{r['emergency']:>5} {r['contract']} {r['check']:<7} {r['target'] or '-'}  declared "
                       f"{r['declared_at']}  ended {r['ended_at'] or '-'}  notified {r['notified_at'] or '-'}"
                       + (f" ({r['person']})" if r["person"] else "")
                       + (f"  waived: {r['waived']} by {r['waived_by']}" if r["waived"] else "")
                       + (f"  pending: {r['pending']}" if r["pending"] and not r["notified_at"] else ""))

    emit(opts.api().incidents(open_only), as_json, human)


@incident.command("notified")
@click.argument("emergency_id", type=RECORD, metavar="E")
@click.option("--by", "channel", type=click.Choice(["phone", "fax", "pager", "email", "webhook"]), default="phone",
              show_default=True)
@json_option
@pass_options
def incident_notified(opts: Options, emergency_id: int, channel: str, as_json: bool) -> None:
    """Log that the customer's contact was told (a phone call, fax or page), at now or --at."""
    emit(opts.api().incident_notified(emergency_id, channel), as_json, _show)


@incident.command("waive")
@click.argument("emergency_id", type=RECORD, metavar="E")
@click.option("--reason", required=True, metavar="REASON", help="contact-invalid (the customer's contact details were "
              "out of date or wrong) | force-majeure")
@click.option("--note", help="What happened (one line).")
@json_option
@pass_options
def incident_waive(opts: Options, emergency_id: int, reason: str, note: str | None, as_json: bool) -> None:
    """The 15-minute report is waived (SLA §4.7): no deduction; you are recorded as who classified it."""
    emit(opts.api().incident_waive(emergency_id, reason, note), as_json, _show)


@cli.group()
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
    emit(opts.api().record_outage(contract_id, kind, start, end, cause, reported_at, exclude), as_json, _show)


@outage.command("report")
@click.argument("outage_id", type=RECORD, metavar="OUTAGE")
@json_option
@pass_options
def outage_report(opts: Options, outage_id: int, as_json: bool) -> None:
    """The customer reported this outage (now or --at); unreported within 5 days it does not count."""
    emit(opts.api().report_outage(outage_id), as_json, _show)


@outage.command("classify")
@click.argument("outage_id", type=RECORD, metavar="OUTAGE")
@click.option("--exclude", required=True, metavar="REASON", help="agreed-maintenance | customer-equipment | "
              "customer-application | customer-negligence | customer-other | force-majeure; power: agreed-maintenance | "
              "customer-negligence | customer-other | force-majeure (you are recorded as who classified it)")
@json_option
@pass_options
def outage_classify(opts: Options, outage_id: int, exclude: str, as_json: bool) -> None:
    """Exclude an outage from the SLA for one of the contract's reasons."""
    emit(opts.api().classify_outage(outage_id, exclude), as_json, _show)


@cli.group()
def emergency() -> None:
    """Emergencies and when the customer was notified (15-minute report guarantee)."""


@emergency.command("record")
@click.argument("contract_id")
@click.option("--declared", required=True, metavar="ISO-TIME")
@click.option("--notified", metavar="ISO-TIME", help="When the customer's contact was told.")
@click.option("--channel", type=click.Choice(["email", "webhook", "phone"]))
@json_option
@pass_options
def emergency_record(opts: Options, contract_id: str, declared: str, notified: str | None, channel: str | None,
                     as_json: bool) -> None:
    """Record an emergency (a phone notification is logged by the technician here)."""
    emit(opts.api().record_emergency(contract_id, declared, notified, channel), as_json, _show)


@cli.group()
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
@click.option("--open", "open_only", is_flag=True, help="Only tickets not yet resolved.")
@json_option
@pass_options
def ticket_list(opts: Options, open_only: bool, as_json: bool) -> None:
    """Tickets with their clocks: time left, met, late or breached."""
    from provision import render

    emit(opts.api().tickets(open_only), as_json, render.tickets)


@cli.group()
def complaint() -> None:
    """Complaints: a written report within 24 hours (SLA §8.3). Time is now or --at."""


@complaint.command("record")
@click.argument("contract_id", metavar="ID")
@click.option("--summary", required=True, help="What the customer complains about (one line).")
@click.option("--category", required=True, type=click.Choice(["network-quality", "customer-service",
                                                               "technical-support"]),
              help="What it is about (SLA §8.1).")
@click.option("--employee", metavar="NAME", help="The employee complained about, where the customer names one.")
@json_option
@pass_options
def complaint_record(opts: Options, contract_id: str, summary: str, category: str, employee: str | None,
                     as_json: bool) -> None:
    """Record a complaint; starts the 24-hour report clock."""
    from provision import render

    emit(opts.api().record_complaint(contract_id, summary, category, employee), as_json, render.complaint)


@complaint.command("report")
@click.argument("complaint_id", metavar="K")
@click.option("--ref", required=True, metavar="DOC", help="Number of the written report sent to the customer.")
@json_option
@pass_options
def complaint_report(opts: Options, complaint_id: str, ref: str, as_json: bool) -> None:
    """The written report went out (stops the 24-hour clock)."""
    from provision import render

    emit(opts.api().report_complaint(complaint_id, ref), as_json, render.complaint)


@complaint.command("list")
@json_option
@pass_options
def complaint_list(opts: Options, as_json: bool) -> None:
    """Complaints with their report clock."""
    from provision import render

    emit(opts.api().complaints(), as_json, render.complaints)


@cli.group()
def licence() -> None:
    """The customer's licences on file (hosting §5.7): the business licence always, advertising / ICP where declared."""


@licence.command("record")
@click.argument("contract_id", metavar="ID")
@click.option("--kind", required=True, metavar="KIND", help="business | advertising | icp")
@click.option("--number", required=True, metavar="NO", help="The licence's number.")
@click.option("--filed", required=True, metavar="WHERE", help="Where the copy is kept (cabinet, folder, document id).")
@click.option("--received", required=True, metavar="DATE", help="When the copy came, e.g. 2026-11-24.")
@json_option
@pass_options
def licence_record(opts: Options, contract_id: str, kind: str, number: str, filed: str, received: str,
                   as_json: bool) -> None:
    """A copy of one of the customer's licences is on file (ID: any of the customer's contracts)."""
    from provision import render

    emit(opts.api().record_licence(contract_id, kind, number, filed, received), as_json, render.licence)


@licence.command("declare")
@click.argument("contract_id", metavar="ID")
@click.option("--advertising/--no-advertising", default=None, help="The customer runs advertising business.")
@click.option("--icp/--no-icp", default=None, help="The customer runs value-added telecom (ICP) business.")
@json_option
@pass_options
def licence_declare(opts: Options, contract_id: str, advertising: bool | None, icp: bool | None,
                    as_json: bool) -> None:
    """The business the customer declares that needs a licence of its own."""
    from provision import render

    emit(opts.api().declare_business(contract_id, advertising, icp), as_json, render.licence)


@licence.command("list")
@click.argument("contract_id", metavar="[ID]", required=False)
@click.option("--missing", "missing_only", is_flag=True, help="Only customers missing a required licence.")
@json_option
@pass_options
def licence_list(opts: Options, contract_id: str | None, missing_only: bool, as_json: bool) -> None:
    """Licences on file against those required, per customer still in the racks (or of contract ID)."""
    from provision import render

    emit(opts.api().licences(contract_id, missing_only), as_json, render.licences)


@cli.group()
def review() -> None:
    """The annual review (hosting §5.8): due each anniversary of activation; a failed one stops the service."""


@review.command("record")
@click.argument("contract_id", metavar="ID")
@click.option("--passed/--failed", "passed", default=None, help="The review's outcome.")
@click.option("--ref", required=True, metavar="DOC", help="The review document's number.")
@click.option("--note", help="One line on the outcome.")
@json_option
@pass_options
def review_record(opts: Options, contract_id: str, passed: bool | None, ref: str, note: str | None,
                  as_json: bool) -> None:
    """Record a review: --failed shuts the service (payment does not lift it), --passed lifts that stop."""
    from provision import render

    if passed is None:
        raise click.UsageError("give the outcome: --passed or --failed")
    emit(opts.api().record_review(contract_id, passed, ref, note), as_json, render.compliance)


@cli.group()
def authority() -> None:
    """Shutdowns ordered by the authorities (hosting §5.9): no customer authorization, the document recorded."""


@authority.command("stop")
@click.argument("contract_id", metavar="ID")
@click.option("--ref", required=True, metavar="DOC", help="The authorities' document number.")
@click.option("--note", help="One line: who ordered it, what it says.")
@json_option
@pass_options
def authority_stop(opts: Options, contract_id: str, ref: str, note: str | None, as_json: bool) -> None:
    """Shut the contract's service on the authorities' order (again with the same --ref: retry the devices)."""
    from provision import render

    emit(opts.api().authority_stop(contract_id, ref, note), as_json, render.compliance)


@authority.command("lift")
@click.argument("contract_id", metavar="ID")
@click.option("--ref", required=True, metavar="DOC", help="The document lifting the order.")
@click.option("--note")
@json_option
@pass_options
def authority_lift(opts: Options, contract_id: str, ref: str, note: str | None, as_json: bool) -> None:
    """The order is lifted: the service comes back unless another stop or a debt holds it."""
    from provision import render

    emit(opts.api().authority_lift(contract_id, ref, note), as_json, render.compliance)


@cli.group()
def abuse() -> None:
    """Spam complaints (user undertaking 5.2): warn within 3 working days, shut the service if it goes on."""


@abuse.command("report")
@click.argument("contract_id", metavar="ID")
@click.option("--summary", required=True, help="What was complained of (one line).")
@click.option("--source", metavar="WHO", help="Who complained (a blocklist, a recipient, a CERT).")
@json_option
@pass_options
def abuse_report(opts: Options, contract_id: str, summary: str, source: str | None, as_json: bool) -> None:
    """Record a spam complaint about the customer's server; starts the 3-working-day warning clock."""
    from provision import render

    emit(opts.api().abuse_report(contract_id, summary, source), as_json, render.compliance)


@abuse.command("warn")
@click.argument("case", metavar="CASE")
@click.option("--ref", required=True, metavar="DOC", help="The warning's document number.")
@json_option
@pass_options
def abuse_warn(opts: Options, case: str, ref: str, as_json: bool) -> None:
    """The customer was warned (stops the warning clock)."""
    from provision import render

    emit(opts.api().abuse_warn(case, ref), as_json, render.compliance)


@abuse.command("continued")
@click.argument("case", metavar="CASE")
@click.option("--note", help="One line: the evidence that it went on.")
@json_option
@pass_options
def abuse_continued(opts: Options, case: str, note: str | None, as_json: bool) -> None:
    """The spam went on after the warning: shut the service (refused before a warning)."""
    from provision import render

    emit(opts.api().abuse_continued(case, note), as_json, render.compliance)


@abuse.command("close")
@click.argument("case", metavar="CASE")
@click.option("--note", help="One line: how it ended.")
@json_option
@pass_options
def abuse_close(opts: Options, case: str, note: str | None, as_json: bool) -> None:
    """End the case; a shutdown for it is lifted (unless another stop or a debt holds the contract)."""
    from provision import render

    emit(opts.api().abuse_close(case, note), as_json, render.compliance)


@abuse.command("list")
@click.option("--open", "open_only", is_flag=True, help="Only cases not closed.")
@json_option
@pass_options
def abuse_list(opts: Options, open_only: bool, as_json: bool) -> None:
    """Spam complaints with their warning clock and where they stand."""
    from provision import render

    emit(opts.api().abuse_cases(open_only), as_json, render.abuse_cases)


@cli.group()
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


@cli.group()
def lab() -> None:
    """The device lab: simulated switches (SSH) and PDUs (SNMP) on 127.0.0.1."""


@lab.command("up")
@click.option("--inventory", "inventory_path", default="inventory/example", show_default=True, type=click.Path())
@click.option("--dir", "directory", metavar="DIR", help="Lab state directory [env COLO_LAB_DIR; default ./.colo-lab].")
@json_option
def lab_up(inventory_path: str, directory: str | None, as_json: bool) -> None:
    """Start simulators for every switch and PDU of the inventory; writes DIR/secrets.yaml for COLO_SECRETS."""
    from provision import render
    from provision.api import Colo

    emit(Colo.lab("up", inventory_path, directory), as_json, render.lab)


@lab.command("down")
@click.option("--dir", "directory", metavar="DIR")
@json_option
def lab_down(directory: str | None, as_json: bool) -> None:
    """Stop the lab (device state stays in DIR/state for the next `up`)."""
    from provision import render
    from provision.api import Colo

    emit(Colo.lab("down", None, directory), as_json, render.lab)


@lab.command("status")
@click.option("--dir", "directory", metavar="DIR")
@json_option
def lab_status(directory: str | None, as_json: bool) -> None:
    """Which simulators run and answer."""
    from provision import render
    from provision.api import Colo

    emit(Colo.lab("status", None, directory), as_json, render.lab)


@cli.command()
@click.option("--inventory", "inventory_path", default="inventory/example", show_default=True,
              type=click.Path(), help="Site to run the demo on.")
@click.option("--lab-dir", metavar="DIR", help="Device lab directory [env COLO_LAB_DIR; default ./.colo-lab].")
@json_option
@pass_options
def demo(opts: Options, inventory_path: str, lab_dir: str | None, as_json: bool) -> None:
    """The main job end to end: lab up, init, sign, provision, record servers, activate, show.

    Starts the device lab for the inventory if it is not running (./.colo-lab) and
    uses its secrets; everything reaches the simulated devices through real
    netmiko/SSH and SNMP. Uses ./colo-demo.db unless --db is given; re-running it is
    idempotent (the signing carries a request id, provisioning finds nothing to do).
    """
    from provision import render
    from provision.api import Colo, ServerRecord, SignOrder
    from provision.domain.terms import Customer

    lab_state = Colo.lab("up", inventory_path, lab_dir)
    os.environ.setdefault("COLO_SECRETS", lab_state["secrets"])
    api = Colo(db=opts.db or "colo-demo.db", at=opts.at)
    setup = api.init(inventory_path)
    signed = api.sign(SignOrder(
        customer=Customer(name="Shanghai Example Networks Co., Ltd.", email="noc@example.com",
                          admin_name="Li Wei", admin_phone="+86 21 5555 0100", purpose="web hosting"),
        kind="colocation", quantity=2, bandwidth_mbps=100, fee="24000.00", payment="yearly",
        request_id="demo-1"))
    cid = signed["id"]
    provisioned = api.provision([cid])
    for placement in api.contract(cid)["placements"]:
        if placement["server"] is None:  # racked: the technician records the hardware and the NIC's MAC
            position = placement["position"] + 1
            api.record_server(cid, position, ServerRecord(serial=f"DEMO-SN-{position}", mac=f"02005e0000{position:02x}"))
    activated = api.activate(cid) if api.contract(cid)["state"] == "provisioned" else None
    first_rack = signed["placements"][0]["rack"]
    result = {"init": setup, "signed": signed, "provision": provisioned, "activate": activated,
              "contract": api.contract(cid),
              "rack": api.rack(first_rack), "deadlines": api.deadlines()}

    def human(d: dict[str, Any]) -> None:
        render.sync_report(d["init"])
        render.plan(d["provision"])
        if d["activate"]:
            render.activation(d["activate"])
        render.contract(d["contract"])
        render.elevation(d["rack"])
        render.deadlines(d["deadlines"])
        click.echo("the device lab keeps running for you to explore: `colo lab status`, `colo lab down`")

    emit(result, as_json, human)


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
