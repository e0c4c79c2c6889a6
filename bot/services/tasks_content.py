"""The practice tasks file (``content/tasks.yaml``): load it, check it with line numbers.

Staff edit the file by hand, so every problem names its line (the same checks as the tips
file: ids, tags and texts in the bot's markup). The running bot re-reads the file when its
modification time changes; ``dodolan tasks check`` lists the problems of an edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.services.content_files import ContentFile, ContentFileError, entries_under, parse_entries
from bot.services.tips_content import (
    _ID,
    ALL,
    LANGUAGES,
    MAX_ID,
    TIP_MARKETPLACES,
    Problem,
    _fields,
    _line,
    _scalar,
    _tags,
    _text,
)
from bot.services.validation import CATEGORIES

DEFAULT_TASKS_FILE = Path(__file__).resolve().parents[2] / "content" / "tasks.yaml"
MAX_DAY = 60
PROOFS = ("none", "link", "photo")
FIELDS = {"id", "day", "required", "proof", "topics", "marketplaces", "categories", *LANGUAGES}


@dataclass(frozen=True)
class Task:
    """One practice task: when it comes after the session, whom it fits, what proves it."""

    id: str
    day: int
    required: bool
    proof: str
    topics: tuple[str, ...]  # words of a session title; empty: every session
    marketplaces: frozenset[str]
    categories: frozenset[str]
    text: dict[str, str]
    line: int


class TasksFileError(ContentFileError):
    """The tasks file has problems; ``problems`` lists them with line numbers."""


def load_tasks(text: str) -> tuple[Task, ...]:
    """Parse a tasks file, or raise TasksFileError listing every problem."""
    tasks, problems = parse_tasks(text)
    if problems:
        raise TasksFileError(problems)
    return tasks


def parse_tasks(text: str) -> tuple[tuple[Task, ...], list[Problem]]:
    """Parse a tasks file into tasks and problems (with line numbers)."""
    return parse_entries(text, _task_nodes, _parse_task)


def _task_nodes(root: yaml.Node | None) -> list[yaml.MappingNode] | Problem:
    return entries_under(root, "tasks", "task", "tasks")


def _parse_task(node: yaml.MappingNode) -> tuple[Task | None, list[Problem]]:
    problems: list[Problem] = []
    values: dict[str, yaml.Node] = {}
    for name, value, line in _fields(node):
        if name in values:
            problems.append(Problem(line, f"field {name!r} appears twice"))
        elif name not in FIELDS:
            problems.append(Problem(line, f"unknown field {name!r}"))
        values[name] = value
    start = _line(node)
    ident = _scalar(values.get("id"))
    if not ident or not _ID.match(ident) or len(ident) > MAX_ID:
        problems.append(
            Problem(start, f"id must be lower-case letters, digits and '-', ≤ {MAX_ID} long")
        )
    day_text = _scalar(values.get("day"))
    day = int(day_text) if day_text.isdigit() else -1
    if not 0 <= day <= MAX_DAY:
        problems.append(Problem(start, f"day must be a whole number from 0 to {MAX_DAY}"))
    required_text = _scalar(values.get("required")) or "true"
    if required_text not in ("true", "false"):
        problems.append(Problem(start, "required must be true or false"))
    proof = _scalar(values.get("proof")) or "none"
    if proof not in PROOFS:
        problems.append(Problem(start, f"proof {proof!r} is not one of {', '.join(PROOFS)}"))
    topics = _topics(values.get("topics"), problems)
    markets = _tags(values.get("marketplaces"), TIP_MARKETPLACES, "marketplace", problems)
    categories = _tags(values.get("categories"), CATEGORIES, "category", problems)
    texts = {code: _text(values.get(f), f, start, problems) for f, code in LANGUAGES.items()}
    if problems:
        return None, problems
    task = Task(
        ident, day, required_text == "true", proof, topics, markets, categories, texts, start
    )
    return task, problems


def _topics(node: yaml.Node | None, problems: list[Problem]) -> tuple[str, ...]:
    if node is None or (isinstance(node, yaml.ScalarNode) and node.value == ALL):
        return ()
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        problems.append(Problem(_line(node), "topics must be a list of words like [foto] or all"))
        return ()
    words = tuple(_scalar(n).lower() for n in node.value)
    if not all(words):
        problems.append(Problem(_line(node), "a topic word is empty"))
    return words


class TaskLibrary(ContentFile[Task]):
    """The tasks of one file, re-read when the file changes; a broken edit keeps the old ones."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, load_tasks, "practice tasks")

    async def tasks(self) -> tuple[Task, ...]:
        """Return the current tasks, re-reading the file if it changed since the last read."""
        return await self.entries()


_LIBRARIES: dict[Path, TaskLibrary] = {}


def task_library(path: Path = DEFAULT_TASKS_FILE) -> TaskLibrary:
    """The shared library of one tasks file (one per path for the whole process)."""
    return _LIBRARIES.setdefault(path.resolve(), TaskLibrary(path))
