"""The practice tasks file (``content/tasks.yaml``): load it, check it with line numbers.

Staff edit the file by hand, so every problem names its line (the same checks as the tips
file: ids, tags and texts in the bot's markup). The running bot re-reads the file when its
modification time changes; ``dodolan tasks check`` lists the problems of an edit.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

import yaml

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

logger = logging.getLogger(__name__)

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


class TasksFileError(Exception):
    """The tasks file has problems; ``problems`` lists them with line numbers."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def load_tasks(text: str) -> tuple[Task, ...]:
    """Parse a tasks file, or raise TasksFileError listing every problem."""
    tasks, problems = parse_tasks(text)
    if problems:
        raise TasksFileError(problems)
    return tasks


def parse_tasks(text: str) -> tuple[tuple[Task, ...], list[Problem]]:
    """Parse a tasks file into tasks and problems (with line numbers)."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return (), [Problem(mark.line + 1 if mark else 1, f"not valid YAML: {exc}")]
    items = _task_nodes(root)
    if isinstance(items, Problem):
        return (), [items]
    tasks: list[Task] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for node in items:
        task, found = _parse_task(node)
        problems += found
        if task is None:
            continue
        if task.id in seen:
            problems.append(Problem(task.line, f"id {task.id!r} repeats line {seen[task.id]}"))
            continue
        seen[task.id] = task.line
        tasks.append(task)
    return tuple(tasks), sorted(problems, key=lambda p: p.line)


def _task_nodes(root: yaml.Node | None) -> list[yaml.MappingNode] | Problem:
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "tasks" and isinstance(value, yaml.SequenceNode):
                bad = [n for n in value.value if not isinstance(n, yaml.MappingNode)]
                if bad:
                    return Problem(_line(bad[0]), "each task must be a mapping of fields")
                return list(value.value)
    return Problem(1, "the file must have 'tasks:' with a list of tasks")


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


class TaskLibrary:
    """The tasks of one file, re-read when the file changes; a broken edit keeps the old ones."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tasks: tuple[Task, ...] = ()
        self._mtime: float | None = None
        self._lock = asyncio.Lock()

    async def tasks(self) -> tuple[Task, ...]:
        """Return the current tasks, re-reading the file if it changed since the last read."""
        async with self._lock:
            mtime = await asyncio.to_thread(_mtime, self.path)
            if mtime != self._mtime:
                self._mtime = mtime
                await self._reload()
            return self._tasks

    async def get(self, task_id: str) -> Task | None:
        """One task by id, or None if the file no longer has it."""
        return next((t for t in await self.tasks() if t.id == task_id), None)

    async def _reload(self) -> None:
        try:
            text = await asyncio.to_thread(self.path.read_text, "utf-8")
            tasks = load_tasks(text)
        except (OSError, TasksFileError) as exc:
            kept = len(self._tasks)
            logger.error("tasks file %s not (re)loaded, keeping %d: %s", self.path, kept, exc)
            return
        self._tasks = tasks
        logger.info("loaded %d practice tasks from %s", len(tasks), self.path)


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


_LIBRARIES: dict[Path, TaskLibrary] = {}


def task_library(path: Path = DEFAULT_TASKS_FILE) -> TaskLibrary:
    """The shared library of one tasks file (one per path for the whole process)."""
    return _LIBRARIES.setdefault(path.resolve(), TaskLibrary(path))
