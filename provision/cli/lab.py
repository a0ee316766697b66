"""`colo lab` — the device lab, and the demo that runs the main job in it."""

from __future__ import annotations

import os
from typing import Any

import click

from provision.cli.common import Options, emit, json_option, pass_options


@click.group()
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


@click.command()
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
