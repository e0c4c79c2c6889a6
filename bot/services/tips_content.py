"""The tips file (``content/tips.yaml``): load it, check it with line numbers, reload on change.

Staff edit the file by hand, so every problem names its line. Tip texts are Telegram HTML
(``<b>``, ``<i>``), checked with the emulator's strict parser, and measured after parsing.
The running bot re-reads the file when its modification time changes (see :class:`TipLibrary`);
``dodolan tips reload`` checks the file and then touches it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.core.markup import MarkupError, visible_length
from bot.services.content_files import (
    ContentFile,
    ContentFileError,
    Problem,
    entries_under,
    parse_entries,
)
from bot.services.content_files import line_of as _line
from bot.services.validation import CATEGORIES, MARKETPLACES

DEFAULT_TIPS_FILE = Path(__file__).resolve().parents[2] / "content" / "tips.yaml"
MAX_CHARS = 500
MAX_ID = 40
ALL = "all"
BEGINNER, SELLING = "beginner", "selling"
LEVELS = (BEGINNER, SELLING)
PREP = "prep"  # the "get ready for your session" series, in file order
TOPICS = (
    "shop",
    "photos",
    "listing",
    "pricing",
    "shipping",
    "security",
    "chat",
    "reviews",
    "promotion",
    "ads",
    "social",
    "legal",
    "bookkeeping",
    PREP,
)
TIP_MARKETPLACES = tuple(m for m in MARKETPLACES if m != "none")
LANGUAGES = {"indonesia": "id", "english": "en"}  # field name -> language code
FIELDS = {"id", "topic", "marketplaces", "categories", "level", *LANGUAGES}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Tip:
    """One tip with its tags; ``marketplaces``/``categories`` empty means every one fits."""

    id: str
    topic: str
    marketplaces: frozenset[str]
    categories: frozenset[str]
    level: str
    text: dict[str, str]
    line: int


class TipsFileError(ContentFileError):
    """The tips file has problems; ``problems`` lists them with line numbers."""


def load_tips(text: str) -> tuple[Tip, ...]:
    """Parse a tips file, or raise TipsFileError listing every problem."""
    tips, problems = parse_tips(text)
    if problems:
        raise TipsFileError(problems)
    return tips


def parse_tips(text: str) -> tuple[tuple[Tip, ...], list[Problem]]:
    """Parse a tips file into tips and problems (with line numbers)."""
    return parse_entries(text, _tip_nodes, _parse_tip)


def _tip_nodes(root: yaml.Node | None) -> list[yaml.MappingNode] | Problem:
    return entries_under(root, "tips", "tip", "tips")


def _fields(node: yaml.MappingNode) -> Iterator[tuple[str, yaml.Node, int]]:
    for key, value in node.value:
        yield str(key.value), value, _line(key)


def _parse_tip(node: yaml.MappingNode) -> tuple[Tip | None, list[Problem]]:
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
    topic = _scalar(values.get("topic"))
    if topic not in TOPICS:
        problems.append(Problem(start, f"topic {topic!r} is not one of {', '.join(TOPICS)}"))
    level = _scalar(values.get("level")) or ALL
    if level not in (*LEVELS, ALL):
        problems.append(Problem(start, f"level {level!r} is not beginner, selling or all"))
    markets = _tags(values.get("marketplaces"), TIP_MARKETPLACES, "marketplace", problems)
    categories = _tags(values.get("categories"), CATEGORIES, "category", problems)
    texts = {code: _text(values.get(f), f, start, problems) for f, code in LANGUAGES.items()}
    if problems:
        return None, problems
    tip = Tip(ident, topic, markets, categories, level, texts, start)
    return tip, problems


def _scalar(node: yaml.Node | None) -> str:
    return str(node.value).strip() if isinstance(node, yaml.ScalarNode) else ""


def _tags(
    node: yaml.Node | None, known: tuple[str, ...], what: str, problems: list[Problem]
) -> frozenset[str]:
    if node is None or (isinstance(node, yaml.ScalarNode) and node.value == ALL):
        return frozenset()
    if not isinstance(node, yaml.SequenceNode):
        problems.append(Problem(_line(node), f"{what} tags must be a list like [a, b] or all"))
        return frozenset()
    tags = [_scalar(n) for n in node.value]
    for tag in tags:
        if tag not in known:
            problems.append(Problem(_line(node), f"unknown {what} {tag!r}"))
    return frozenset(tags)


def _text(node: yaml.Node | None, lang: str, start: int, problems: list[Problem]) -> str:
    if node is None or not _scalar(node):
        problems.append(Problem(start, f"missing text in {lang!r}"))
        return ""
    raw = _scalar(node)
    line = _line(node) + (1 if getattr(node, "style", None) in ("|", ">") else 0)
    try:
        length = visible_length(raw)
    except MarkupError as exc:
        where = raw[: exc.offset].count("\n")
        problems.append(Problem(line + where, f"{lang}: formatting the bot cannot send: {exc}"))
        return raw
    if length > MAX_CHARS:
        problems.append(Problem(line, f"{lang}: {length} characters, at most {MAX_CHARS}"))
    return raw


class TipLibrary(ContentFile[Tip]):
    """The tips of one file, re-read when the file changes; a broken edit keeps the old tips."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, load_tips, "tips")

    async def tips(self) -> tuple[Tip, ...]:
        """Return the current tips, re-reading the file if it changed since the last read."""
        return await self.entries()


_LIBRARIES: dict[Path, TipLibrary] = {}


def library(path: Path = DEFAULT_TIPS_FILE) -> TipLibrary:
    """The shared library of one tips file (one per path for the whole process)."""
    return _LIBRARIES.setdefault(path.resolve(), TipLibrary(path))
