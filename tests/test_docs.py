"""The project stands on its own: its documents link only inside the repository, its code finds it."""

from __future__ import annotations

import re

from tests.conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_every_relative_link_resolves_inside_the_repository() -> None:
    for doc in DOCS:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", doc.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            path = (doc.parent / target).resolve()
            assert path.is_relative_to(ROOT) and path.exists(), f"{doc.name}: link to {target} leads nowhere"


def test_the_contract_rules_and_the_architecture_are_in_the_repository() -> None:
    names = {d.name for d in DOCS}
    assert {"contract-rules.md", "contract-clauses.md", "architecture.md"} <= names
    for doc in DOCS:
        assert "../shared" not in doc.read_text(encoding="utf-8"), doc.name


def test_the_modules_that_find_the_repository_find_it() -> None:
    """`colo run` and `colo ci dry-run` locate playbooks/ from their own file: a move must keep that true."""
    from provision import ci_dry_run
    from provision.services import runner

    for module in (ci_dry_run, runner):
        assert module.ROOT == ROOT and (module.ROOT / "playbooks").is_dir(), module.__name__
