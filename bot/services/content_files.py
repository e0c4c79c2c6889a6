"""The shape every staff-editable content file shares (tips, FAQ): a YAML list of entries,
each with an ``id``, read into entries and problems with 1-based line numbers.

Each file's module says where its entries are (``entry_nodes``) and how one entry is read
(``parse_entry``); the YAML errors, repeated ids and ordering of problems are handled here
once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Protocol, TypeVar

import yaml

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the file, at a line (1-based)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class ContentFileError(Exception):
    """A content file has problems; ``problems`` lists them with line numbers."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


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


class ContentFile(Generic[E]):
    """The entries of one staff-edited file, re-read when its modification time changes.

    A broken edit keeps the entries read before and says so in the log, so a typo in the
    file never takes tips, tasks or answers away from the running bot.
    """

    def __init__(self, path: Path, load: Callable[[str], tuple[E, ...]], noun: str) -> None:
        self.path = path
        self._load = load
        self._noun = noun  # for the log: "tips", "practice tasks", "FAQ entries"
        self._entries: tuple[E, ...] = ()
        self._mtime: float | None = None
        self._lock = asyncio.Lock()
        self.loads = 0  # successful reads of the file, so a reader can rebuild what it derives

    async def entries(self) -> tuple[E, ...]:
        """The current entries, re-reading the file first if it changed since the last read."""
        async with self._lock:
            mtime = await asyncio.to_thread(_mtime, self.path)
            if mtime != self._mtime:
                self._mtime = mtime
                await self._reload()
            return self._entries

    async def get(self, entry_id: str) -> E | None:
        """One entry by id, or None if the file no longer has it."""
        return next((e for e in await self.entries() if e.id == entry_id), None)

    async def _reload(self) -> None:
        try:
            text = await asyncio.to_thread(self.path.read_text, "utf-8-sig")
            entries = self._load(text)
        except (OSError, UnicodeDecodeError, ContentFileError) as exc:
            kept = len(self._entries)
            logger.error(
                "%s file %s not (re)loaded, keeping %d: %s", self._noun, self.path, kept, exc
            )
            return
        self._entries = entries
        self.loads += 1
        logger.info("loaded %d %s from %s", len(entries), self._noun, self.path)


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None
