"""Reading an inventory from YAML, with errors a technician can act on.

An inventory is one YAML file or a directory of them; each top-level key (site,
rooms, switches, …) lives in exactly one file. Every problem is reported as
`file:line: path.in.file: what is wrong — how to fix it`, all the problems of a
stage together (YAML structure, then fields, then cross-references, since each
stage needs the one before to be sound), because fixing a site file one error per
run is miserable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from provision.errors import BadInput
from provision.inventory.model import SECRET_KEYS, Inventory, Loc, cross_check


class InventoryError(BadInput):
    """All problems found in an inventory; str() is one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class _Source:
    """Where each node of the merged document came from: file and line by path."""

    files: dict[str, Path] = field(default_factory=dict)   # top-level key -> file
    lines: dict[Loc, int] = field(default_factory=dict)

    def where(self, loc: Loc) -> str:
        file = self.files.get(str(loc[0])) if loc else None
        for cut in range(len(loc), 0, -1):
            if loc[:cut] in self.lines:
                return f"{file}:{self.lines[loc[:cut]]}"
        return str(file or "inventory")


def _path_text(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top)"


def _walk(node: yaml.Node, loc: Loc, lines: dict[Loc, int], file: Path, problems: list[str],
          line: int | None = None) -> None:
    """Record the line of every path; a mapping entry is located at its key, not its value."""
    lines[loc] = line or node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                problems.append(f"{file}:{key_node.start_mark.line + 1}: {_path_text(loc + (key,))}: "
                                f"key {key!r} appears twice — keep one")
            seen.add(key)
            _walk(value_node, loc + (key,), lines, file, problems, key_node.start_mark.line + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, loc + (i,), lines, file, problems)


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        found = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
        if not found:
            raise BadInput(f"inventory {path} has no .yaml files: point at a site file or a directory of them")
        return found
    if path.is_file():
        return [path]
    raise BadInput(f"inventory {path} does not exist: give a YAML file or a directory such as inventory/example")


def load_inventory(path: str | Path) -> Inventory:
    """Parse, validate and cross-check; raise InventoryError listing every problem."""
    path = Path(path)
    merged: dict[str, Any] = {}
    source = _Source()
    problems: list[str] = []
    for file in _files(path):
        try:
            text = file.read_text(encoding="utf-8")
            root = yaml.compose(text, Loader=yaml.SafeLoader)
            data = yaml.safe_load(text)
        except (yaml.YAMLError, UnicodeDecodeError) as e:
            raise InventoryError([_yaml_problem(file, e)]) from None
        if data is None or root is None:
            continue
        if not isinstance(data, dict):
            raise InventoryError([f"{file}:{root.start_mark.line + 1}: (top): the file holds a {type(data).__name__}; "
                                  f"it must be a mapping — write it as keys site:, rooms:, switches:, pdus:, pools:"])
        lines: dict[Loc, int] = {}
        _walk(root, (), lines, file, problems)
        for key, value in data.items():
            if key in merged:
                problems.append(f"{file}:{lines.get((str(key),), 1)}: {key}: top-level key {key!r} is also in "
                                f"{source.files[key]} — keep it in one file")
                continue
            merged[key] = value
            source.files[key] = file
            source.lines.update((loc, n) for loc, n in lines.items() if loc[:1] == (str(key),))
    if problems:
        raise InventoryError(problems)
    if isinstance(merged.get("calendar"), dict):
        # YAML reads 2027-02-20 as a date; pydantic would then name it datetime.date(...) in errors
        merged["calendar"] = {str(day): kind for day, kind in merged["calendar"].items()}
    try:
        inventory = Inventory.model_validate(merged)
    except ValidationError as e:
        raise InventoryError([_describe(err, source) for err in e.errors()]) from None
    cross = cross_check(inventory)
    if cross:
        raise InventoryError([f"{source.where(loc)}: {_path_text(loc)}: {msg}" for loc, msg in cross])
    return inventory


def _yaml_problem(file: Path, e: Exception) -> str:
    """Where the parser stopped, and where the construct it was reading began (an unclosed '[')."""
    mark = getattr(e, "problem_mark", None)
    context, context_mark = getattr(e, "context", None), getattr(e, "context_mark", None)
    where = f"{file}:{mark.line + 1}" if mark else str(file)
    opened = f"; {context} that began on line {context_mark.line + 1}" if context and context_mark else ""
    return f"{where}: not valid YAML ({getattr(e, 'problem', None) or e}{opened}) — fix the syntax"


def _describe(err: Any, source: _Source) -> str:
    loc: Loc = tuple(err["loc"])
    where = source.where(loc)
    path = _path_text(loc)
    kind = err["type"]
    if kind == "missing":
        return f"{where}: {path}: required — add it"
    if kind == "extra_forbidden":
        key = str(loc[-1])
        if key.lower() in SECRET_KEYS:
            return (f"{where}: {path}: secrets do not belong in the inventory — name the secret with "
                    f"'credentials:' and put its value in COLO_SECRETS or the environment")
        return f"{where}: {path}: unknown key {key!r} — remove it or fix the spelling"
    message = err["msg"].removeprefix("Value error, ")
    return f"{where}: {path}: {err.get('input')!r} — {message}"
