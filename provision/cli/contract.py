"""`colo contract` — hosting contracts: sign, show, list, change, activate, renew, terminate, decommission."""

from __future__ import annotations

import click

from provision.cli.common import Options, emit, json_option, pass_options, rendered


@click.group()
def contract() -> None:
    """Sign, show and list hosting contracts."""


@contract.command("sign")
@click.option("--customer", required=True, help="Company or person name.")
@click.option("--kind", default="colocation", show_default=True, type=click.Choice(["colocation", "rental", "rack"]),
              help="Own server, rented server, or whole racks.")
@click.option("--slots", type=int, help="1U servers (colocation, rental).")
@click.option("--racks", type=int, help="Whole racks (kind rack).")
@click.option("--bandwidth", type=int, required=True, metavar="MBPS", help="Dedicated port bandwidth, Mbit/s.")
@click.option("--ips", type=int, help="Static IPv4 addresses in all [default: one per server].")
@click.option("--fee", required=True, metavar="AMOUNT", help="Fee per payment period (CNY), e.g. 12000.00.")
@click.option("--install-fee", metavar="AMOUNT", help="One-off install fee (CNY), refunded if the 3-working-day "
              "install guarantee is missed [default: 0.00, none].")
@click.option("--payment", default="yearly", show_default=True, type=click.Choice(["yearly", "monthly"]))
@click.option("--term-months", type=int, default=12, show_default=True)
@click.option("--power-w", type=int, default=300, show_default=True, help="Expected draw per server, W.")
@click.option("--signed-at", metavar="ISO-TIME", help="When it was signed [default: now].")
@click.option("--room", help="Place only in this machine room.")
@click.option("--rack", help="Place every server in this rack, or refuse (exit 3) saying what it lacks.")
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
                  power_w: int, signed_at: str | None, room: str | None, rack: str | None, request_id: str | None,
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
                      install_fee=install_fee, rack=rack)
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
@click.option("--dingtalk", metavar="URL", help="A DingTalk (钉钉) group robot's webhook address "
              "(https://oapi.dingtalk.com/robot/send?access_token=...).")
@click.option("--dingtalk-secret", metavar="SECRET-NAME", help="For a robot secured by 加签: the NAME of the secret "
              "holding its SEC... key, set as COLO_SECRET_<NAME>_PASSWORD where the monitor runs.")
@click.option("--wecom", metavar="URL", help="A WeCom (企业微信) group robot's webhook address "
              "(https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...).")
@json_option
@pass_options
def contract_notify(opts: Options, contract_id: str, email: str | None, webhook: str | None, phone: str | None,
                    dingtalk: str | None, dingtalk_secret: str | None, wecom: str | None, as_json: bool) -> None:
    """How the customer's contact is told of an emergency (default: the customer's email).

    A group robot counts as told only when its service answers errcode 0."""
    given = [(c, t) for c, t in (("email", email), ("webhook", webhook), ("phone", phone), ("dingtalk", dingtalk),
                                 ("wecom", wecom)) if t is not None]
    if len(given) != 1:
        raise click.UsageError("give exactly one of --email, --webhook, --phone, --dingtalk, --wecom")
    emit(opts.api().set_contact(contract_id, *given[0], dingtalk_secret), as_json, rendered("contact"))


@contract.command("assign")
@click.argument("contract_id")
@click.option("--rep", metavar="NAME", help="The customer-service representative (SLA §5).")
@click.option("--engineer", metavar="NAME", help="The engineer assigned to the contract (SLA §6.2).")
@json_option
@pass_options
def contract_assign(opts: Options, contract_id: str, rep: str | None, engineer: str | None, as_json: bool) -> None:
    """Name the contract's customer-service representative and engineer (each change is in the history)."""
    emit(opts.api().assign(contract_id, rep, engineer), as_json, rendered("assignment"))


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


@contract.command("activate")
@click.argument("contract_ids", metavar="ID...", nargs=-1, required=True)
@json_option
@pass_options
def contract_activate(opts: Options, contract_ids: tuple[str, ...], as_json: bool) -> None:
    """Complete the IP binding with the recorded MACs, verify the links up (IF-MIB), start the term.

    Several contracts are activated one by one; one that fails does not stop the
    others. JSON is a list, one entry per contract. Exit 1 if any of several failed
    (with one contract, that failure's own code)."""
    import sys

    from provision import render

    results = opts.api().activate_many(list(contract_ids))
    emit(results, as_json, render.activations)
    failed = [r for r in results if not r["activated"]]
    for r in failed:
        click.echo(f"error: {r['error']}", err=True)
    if failed:
        sys.exit(failed[0]["exit_code"] if len(results) == 1 else 1)


@contract.command("renew")
@click.argument("contract_id")
@click.option("--months", type=int, required=True, help="Months added to the term.")
@json_option
@pass_options
def contract_renew(opts: Options, contract_id: str, months: int, as_json: bool) -> None:
    """Extend a running contract's term (renewal confirmed before the term ends)."""
    emit(opts.api().renew(contract_id, months), as_json,
         lambda d: click.echo(f"{d['contract']} renewed for {d['renewed_months']} month(s); term ends {d['term_end']}"))


@contract.command("terminate")
@click.argument("contract_id")
@click.option("--forced", type=click.Choice(["policy", "carrier", "force-majeure"]),
              help="Ended now by policy or the upstream carrier (§8.5: unused fee refunded plus compensation), "
                   "or by force majeure (§8.3: unused fee refunded, no compensation).")
@json_option
@pass_options
def contract_terminate(opts: Options, contract_id: str, forced: str | None, as_json: bool) -> None:
    """Record the customer's written notice (the contract ends one month later), or a forced termination."""
    from provision import render

    emit(opts.api().terminate(contract_id, forced), as_json, render.termination)


@contract.command("decommission")
@click.argument("contract_id")
@click.option("--dry-run", is_flag=True, help="Print the plan (a diff per device); change nothing.")
@click.option("--location", default="warehouse", show_default=True, help="Warehouse shelf the servers go to.")
@json_option
@pass_options
def contract_decommission(opts: Options, contract_id: str, dry_run: bool, location: str, as_json: bool) -> None:
    """Reset an ended contract's ports, switch its outlets off, free its slots, store its servers (7-day clock)."""
    from provision import render

    emit(opts.api().decommission(contract_id, dry_run, location), as_json, render.decommission)
