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
from provision.inventory.model import SECRET_KEYS, Budget, Inventory, Loc, cross_check

# What one inventory (all its files) may be; the 2,000-rack benchmark site is 0.9 MB and 92,000 values.
MAX_BYTES = 4 * 2**20   # PyYAML holds ~75 bytes of nodes per byte read
MAX_DEPTH = 32          # nesting of mappings and lists; a site uses 8
MAX_VALUES = 500_000    # values once every alias is written out
MAX_PROBLEMS = 100      # problems told at once: a file of 500,000 bad values is fixed from its first ones


class InventoryError(BadInput):
    """All problems found in an inventory (the first MAX_PROBLEMS); str() is one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        if len(problems) > MAX_PROBLEMS:
            problems = [*problems[:MAX_PROBLEMS], f"… and {len(problems) - MAX_PROBLEMS:,} more: fix these first"]
        self.problems = problems
        super().__init__("\n".join(problems))


class _Limit(yaml.MarkedYAMLError):
    """The document is valid YAML but beyond what an inventory may be; says which limit."""


class _Loader(yaml.SafeLoader):
    """SafeLoader that bounds nesting and the document's size with its aliases written out.

    A 912-byte "billion laughs" file names one list nine times at each of nine levels: the
    parser holds a few dozen nodes, but every walk over them (lines, validation) visits 9^9.
    Sizes are counted as the nodes are composed, so such a file stops at the level that
    crosses the limit, before anything walks it. An impossible date ('2027-02-30') is kept
    as text, for validation to report with its path and line.
    """

    def __init__(self, text: str, values_left: int) -> None:
        super().__init__(text)
        self._values_left = values_left
        self._depth = 0
        self._sizes: dict[int, int] = {}  # id(node) -> values under it, aliases written out

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            node: yaml.Node = super().compose_node(parent, index)
            if id(node) not in self._sizes:
                raise _Limit(None, None, f"alias *{event.anchor} refers to a node that contains it: an inventory "
                                         f"cannot be recursive", event.start_mark)
            return node
        if self._depth == MAX_DEPTH:
            raise _Limit(None, None, f"nested deeper than {MAX_DEPTH} levels of mappings and lists: flatten it",
                         event.start_mark)
        self._depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        size = 1 + sum(self._sizes[id(child)] for child in _children(node))
        if size > self._values_left:
            raise _Limit(None, None, f"holds more than {MAX_VALUES:,} values with its aliases (*name) written "
                                     f"out: list repeated parts once, or use ranges", node.start_mark)
        self._sizes[id(node)] = size
        return node

    def values(self, node: yaml.Node) -> int:
        return self._sizes[id(node)]

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> object:  # type: ignore[override]
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return node.value


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _parse(text: str, values_left: int) -> tuple[yaml.Node | None, Any, int]:
    """The file's node tree (for lines), its data, and the values it holds."""
    loader = _Loader(text, values_left)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None, 0
        return root, loader.construct_document(root), loader.values(root)
    finally:
        loader.dispose()


def _read(file: Path, bytes_left: int) -> bytes:
    """The file's bytes, read no further than the inventory's size limit."""
    try:
        with file.open("rb") as f:
            data = f.read(bytes_left + 1)
    except OSError as e:
        raise InventoryError([f"{file}: cannot read it ({e.strerror}): give a readable YAML file"]) from None
    if len(data) > bytes_left:
        raise InventoryError([f"{file}: (inventory limit) the inventory is larger than {MAX_BYTES // 2**20} MiB in "
                              f"all: it describes a site, not its data; use ranges for units, outlets and ports"])
    return data


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
    bytes_left, values_left = MAX_BYTES, MAX_VALUES
    for file in _files(path):
        raw = _read(file, bytes_left)
        try:
            root, data, values = _parse(raw.decode("utf-8"), values_left)
        except (yaml.YAMLError, UnicodeDecodeError) as e:
            raise InventoryError([_yaml_problem(file, e)]) from None
        bytes_left, values_left = bytes_left - len(raw), values_left - values
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
        inventory = Inventory.model_validate(merged, context={"listed": Budget()})
    except ValidationError as e:
        raise InventoryError([_describe(err, source) for err in e.errors()]) from None
    cross = cross_check(inventory)
    if cross:
        raise InventoryError([f"{source.where(loc)}: {_path_text(loc)}: {msg}" for loc, msg in cross])
    return inventory


def _yaml_problem(file: Path, e: Exception) -> str:
    """Where the parser stopped, and where the construct it was reading began (an unclosed '[')."""
    mark = getattr(e, "problem_mark", None)
    if isinstance(e, _Limit) and mark is not None:
        return f"{file}:{mark.line + 1}: (inventory limit) {e.problem}"
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
