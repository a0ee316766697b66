"""The command line's grammar: `colo NOUN VERB`, one spelling per action, examples, --version, completion."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import click
import pytest

from tests.conftest import EXAMPLE, ROOT

COLO = str(ROOT / ".venv" / "bin" / "colo")
# The daily verbs that stay short at the top; everything else is a noun with verbs.
DAILY = {"provision", "apply", "deadlines", "enforce", "find", "init", "run", "demo"}


def _leaves(group: click.Group, path: str = "") -> dict[str, click.Command]:
    out: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        full = f"{path} {name}".strip()
        out |= _leaves(command, full) if isinstance(command, click.Group) else {full: command}
    return out


def test_the_top_level_is_nouns_and_the_daily_verbs_only() -> None:
    import cli

    top = {name for name, c in cli.cli.commands.items() if not isinstance(c, click.Group)}
    assert top <= DAILY, f"verbs at the top that belong under a noun: {sorted(top - DAILY)}"
    for retired in ("activate", "renew", "terminate", "decommission", "reserve", "unreserve", "holds", "authorize",
                    "authorized", "incident", "operations"):
        assert retired not in cli.cli.commands, f"`colo {retired}` has one spelling now, under its noun"


def test_every_command_shows_examples_of_itself_and_no_example_is_stale() -> None:
    import cli
    from provision.cli.examples import EXAMPLES

    leaves = _leaves(cli.cli)
    missing = sorted(set(leaves) - set(EXAMPLES))
    assert not missing, f"commands without an example: {missing}"
    stale = sorted(set(EXAMPLES) - set(leaves))
    assert not stale, f"examples of commands that do not exist: {stale}"
    for name, command in leaves.items():
        assert command.epilog and "Examples:" in command.epilog
        assert all(line.startswith(f"colo {name}") for line in EXAMPLES[name]), name


def test_examples_are_printed_by_help(colo) -> None:  # type: ignore[no-untyped-def]
    r = colo("contract", "change", "--help")
    assert r.code == 0 and "Examples:\n    colo contract change C2026-0001 --bandwidth 200 --dry-run\n" in r.out


def test_version(colo) -> None:  # type: ignore[no-untyped-def]
    from importlib.metadata import version

    r = colo("--version")
    assert r.code == 0 and r.out == f"colo {version('colo')}\n"


def test_choices_are_click_choices(colo) -> None:  # type: ignore[no-untyped-def]
    for option, bad, allowed in (("--payment", "weekly", "'yearly', 'monthly'"),
                                 ("--kind", "cloud", "'colocation', 'rental', 'rack'")):
        r = colo("contract", "sign", "--customer", "A", "--slots", "1", "--bandwidth", "1", "--fee", "1", option, bad)
        assert r.code == 2 and f"'{bad}' is not one of {allowed}" in r.err
        assert f"[{allowed.replace(chr(39), '').replace(', ', '|')}]" in colo("contract", "sign", "--help").out


def _complete(words: str, env: dict[str, str]) -> list[str]:
    """What bash completion offers for the last word of `words` (click's bash protocol)."""
    r = subprocess.run([COLO], env=os.environ | env | {"_COLO_COMPLETE": "bash_complete", "COMP_WORDS": words,
                                                       "COMP_CWORD": str(len(words.split()) - 1)},
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return [line.split(",", 1)[1] for line in r.stdout.splitlines() if line]


def test_the_shell_completes_contract_ids_switch_and_rack_names_from_the_store(tmp_path: Path) -> None:
    db = str(tmp_path / "colo.db")
    for argv in (["init", "--inventory", str(EXAMPLE)],
                 ["--at", "2026-11-24T10:00", "contract", "sign", "--customer", "ACME", "--slots", "1",
                  "--bandwidth", "100", "--fee", "1.00"]):
        subprocess.run([COLO, "--db", db, *argv], check=True, capture_output=True, timeout=120)
    env = {"COLO_DB": db}
    assert _complete("colo contract show C20", env) == ["C2026-0001"]
    assert _complete("colo contract change C2027", env) == []
    assert _complete(f"colo --db {db} rack show B", {}) == ["B01", "B02", "B03"]
    assert _complete("colo hold add A0", env) == ["A01", "A02", "A03", "A04"]
    assert _complete("colo switch show sw-b", env) == ["sw-b201-1"] and _complete("colo switch show sw-a101-", env) == [
        "sw-a101-1", "sw-a101-2"]
    assert _complete("colo contract sh", env) == ["show"]
    # A store that cannot be opened completes nothing and prints nothing into the shell.
    assert _complete("colo contract show C", {"COLO_DB": str(tmp_path / "none" / "x.db")}) == []


def test_completion_script_is_what_the_readme_says() -> None:
    r = subprocess.run([COLO], env=os.environ | {"_COLO_COMPLETE": "bash_source"}, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0 and "_colo_completion()" in r.stdout
    assert "_COLO_COMPLETE=bash_source colo" in (ROOT / "README.md").read_text()


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_completion_for_other_shells(shell: str) -> None:
    r = subprocess.run([COLO], env=os.environ | {"_COLO_COMPLETE": f"{shell}_source"}, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0 and "colo" in r.stdout
