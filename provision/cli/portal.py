"""`colo portal` — the customer portal and its credentials."""

from __future__ import annotations

import sys

import click

from provision.cli.common import Options, emit, json_option, pass_options, rendered


@click.group()
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
        emit(opts.api().set_portal_login(contract_id, login), as_json, rendered("portal_login"))
        return
    secret = sys.stdin.readline().rstrip("\n") if secret_stdin else click.prompt(
        "portal credential", hide_input=True, confirmation_prompt=True)
    emit(opts.api().set_portal_secret(contract_id, secret), as_json, rendered("portal_login"))


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

    running = server.bind(opts.db, opts.at, opts.site, listen, key_file, tls_proxy)
    emit({"listening": running.url, "key_file": str(running.key_file)}, as_json,
         lambda d: click.echo(f"portal listening on {d['listening']} (session key in {d['key_file']}); Ctrl-C stops it"))
    running.run()
