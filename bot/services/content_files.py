"""The shape every staff-editable content file shares (tips, FAQ): a YAML list of entries,
each with an ``id``, read into entries and problems with 1-based line numbers.

Each file's module says where its entries are (``entry_nodes``) and how one entry is read
(``parse_entry``); the YAML errors, repeated ids and ordering of problems are handled here
once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

import yaml


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the file, at a line (1-based)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class Entry(Protocol):
    """What every content entry has: its id and the line it starts on."""

    @property
    def id(self) -> str: ...

    @property
    def line(self) -> int: ...


E = TypeVar("E", bound=Entry)


def parse_entries(
    text: str,
    entry_nodes: Callable[[yaml.Node | None], list[yaml.MappingNode] | Problem],
    parse_entry: Callable[[yaml.MappingNode], tuple[E | None, list[Problem]]],
) -> tuple[tuple[E, ...], list[Problem]]:
    """Read ``text`` into entries and every problem found, sorted by line."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return (), [Problem(mark.line + 1 if mark else 1, f"not valid YAML: {exc}")]
    nodes = entry_nodes(root)
    if isinstance(nodes, Problem):
        return (), [nodes]
    entries: list[E] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for node in nodes:
        entry, found = parse_entry(node)
        problems += found
        if entry is None:
            continue
        if entry.id in seen:
            problems.append(Problem(entry.line, f"id {entry.id!r} repeats line {seen[entry.id]}"))
            continue
        seen[entry.id] = entry.line
        entries.append(entry)
    return tuple(entries), sorted(problems, key=lambda p: p.line)


def entries_under(
    root: yaml.Node | None, key: str, one: str, many: str
) -> list[yaml.MappingNode] | Problem:
    """The mapping nodes listed under ``key:`` at the top of the file ("tip", "tips")."""
    if isinstance(root, yaml.MappingNode):
        for name, value in root.value:
            if name.value == key and isinstance(value, yaml.SequenceNode):
                bad = [n for n in value.value if not isinstance(n, yaml.MappingNode)]
                if bad:
                    return Problem(line_of(bad[0]), f"each {one} must be a mapping of fields")
                return list(value.value)
    line = line_of(root) if root is not None else 1
    return Problem(line, f"the file must have '{key}:' with a list of {many}")


def line_of(node: yaml.Node) -> int:
    """The 1-based line a YAML node starts on."""
    return int(node.start_mark.line) + 1
