"""`colo payment` — money received and the account of a contract."""

from __future__ import annotations

import click

from provision.cli.common import RECORD, Options, emit, json_option, pass_options, rendered


@click.group()
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


@payment.command("list")
@click.argument("contract_id", metavar="ID")
@json_option
@pass_options
def payment_list(opts: Options, contract_id: str, as_json: bool) -> None:
    """Contract ID's payments, each with its void if it was voided (`payment show` adds the balance)."""
    emit(opts.api().payments(contract_id), as_json, rendered("payment_list"))


@payment.command("void")
@click.argument("payment_id", type=RECORD, metavar="PAYMENT")
@click.option("--reason", required=True, help="Why the payment is void (a bounced cheque, booked on the wrong contract).")
@json_option
@pass_options
def payment_void(opts: Options, payment_id: int, reason: str, as_json: bool) -> None:
    """Void a payment booked in error: a reversing record with the reason; the payment stays listed, the balance
    leaves it out, and enforcement treats any debt it leaves like any other."""
    emit(opts.api().void_payment(payment_id, reason), as_json, rendered("payment_void"))


@payment.command("refunded")
@click.argument("contract_id")
@click.option("--ref", required=True, help="The payout document (bank transfer, voucher).")
@json_option
@pass_options
def payment_refunded(opts: Options, contract_id: str, ref: str, as_json: bool) -> None:
    """Record the refund due on a contract as paid (a forced termination's sheet, a missed install guarantee's fee);
    refused when nothing is due."""
    emit(opts.api().refunded(contract_id, ref), as_json, rendered("refunded"))
