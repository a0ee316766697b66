"""What every command module shares: the options object, --json, output, record numbers.

Only click is imported here: each command imports what it needs when it runs, so
`colo --help` stays fast and never loads SQLAlchemy, netmiko or ansible.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click


@dataclass
class Options:
    db: str | None
    at: str | None
    what_if: str | None = None
    site: str | None = None  # --site: which of the store's sites; None where it holds one

    def api(self):  # type: ignore[no-untyped-def]
        from provision.api import Colo

        command = click.get_current_context().command_path.partition(" ")[2]  # "contract decommission"
        return Colo(db=self.db, at=self.at, what_if=self.what_if, command=command or None, site=self.site)


pass_options = click.make_pass_decorator(Options)

class StoreName(click.ParamType):
    """A contract ID, switch or rack name: a plain string that the shell completes from the store."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.name = f"{kind} name"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return value

    def shell_complete(self, ctx: click.Context, param: click.Parameter,
                       incomplete: str) -> list[click.shell_completion.CompletionItem]:
        import os

        from provision.services.completion import names

        db = ctx.find_root().params.get("db") or os.environ.get("COLO_DB")
        return [click.shell_completion.CompletionItem(n) for n in names(db, self.kind, incomplete)]


CONTRACT_ID, SWITCH_NAME, RACK_NAME = StoreName("contract"), StoreName("switch"), StoreName("rack")

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
        from provision.domain.refs import annotate  # "ref": "E5" beside each record's number

        click.echo(json.dumps(annotate(data), indent=2, ensure_ascii=False, default=str))
    else:
        human(data)


def rendered(name: str) -> Callable[[Any], None]:
    """provision.render's `name`, imported only when human output is printed: rich stays out of --json and --help."""
    def show(data: Any) -> None:
        from provision import render

        getattr(render, name)(data)

    return show


class RecordNumber(click.ParamType):
    """A record's number as people write it: `E5` or `5` for an emergency (provision.domain.refs)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.name = kind

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        from provision.domain.refs import number
        from provision.errors import BadInput

        try:
            return number(value, self.kind)
        except BadInput as e:
            self.fail(str(e), param, ctx)


# Parameters whose values the shell completes from the store, by name.
COMPLETED = {"contract_id": CONTRACT_ID, "contract_ids": CONTRACT_ID, "switch_name": SWITCH_NAME,
             "rack_name": RACK_NAME}


def finish(group: click.Group, examples: dict[str, tuple[str, ...]], path: str = "") -> None:
    """Give every command below `group` its examples (as the --help epilog) and store-completed arguments.

    Done once, where the commands are assembled, so a command added to any module gets
    both without repeating them in its decorators.
    """
    for name, command in group.commands.items():
        full = f"{path} {name}".strip()
        if isinstance(command, click.Group):
            finish(command, examples, full)
            continue
        lines = examples.get(full, ())
        if lines:
            command.epilog = "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)
        for param in command.params:
            kind = RACK_NAME if full == "rack show" and param.name == "name" else COMPLETED.get(param.name or "")
            if kind is not None and isinstance(param, click.Argument) and param.type is click.STRING:
                param.type = kind
