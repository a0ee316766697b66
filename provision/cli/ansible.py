"""`colo ansible` — playbooks through ansible-runner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from provision.cli.common import Options, emit, json_option, pass_options


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


@click.command("run")
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
