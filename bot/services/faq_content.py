"""The FAQ file (``content/faq.yaml``): load it and check it with line numbers.

Each entry has an ``id``, the question forms people actually type (``questions`` in ``id``
and ``en``, slang and typos welcome: they are what the search matches) and the ``answer``
in both languages, in the markup tips use (``<b>``, ``<i>``). ``dodolan faq check`` lists
every problem with its line, as ``dodolan tips check`` does for tips.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.core.markup import MarkupError, visible_length
from bot.services.content_files import ContentFileError, Problem, entries_under, parse_entries
from bot.services.content_files import line_of as _line

DEFAULT_FAQ_FILE = Path(__file__).resolve().parents[2] / "content" / "faq.yaml"
LANGUAGES = ("id", "en")
MAX_ANSWER = 900
MAX_ID = 30  # it goes into choice ids ("qa:v1:pick:<question>:<entry>")
MIN_FORMS = 3
FIELDS = {"id", "title", "questions", "answer", "person"}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class FaqEntry:
    """One question the programme answers: its forms, short titles and answers per language."""

    id: str
    title: dict[str, str]  # what a choice button says ("Biaya pelatihan")
    questions: dict[str, tuple[str, ...]]
    answer: dict[str, str]
    line: int
    person: bool = False  # "how do I reach a person": its answer offers one at once


class FaqFileError(ContentFileError):
    """The FAQ file has problems; ``problems`` lists them with line numbers."""


def load_faq(text: str) -> tuple[FaqEntry, ...]:
    """Parse a FAQ file, or raise FaqFileError listing every problem."""
    entries, problems = parse_faq(text)
    if problems:
        raise FaqFileError(problems)
    return entries


def read_faq(path: Path = DEFAULT_FAQ_FILE) -> tuple[FaqEntry, ...]:
    """Load the FAQ file at ``path`` (at start-up; it is small)."""
    return load_faq(path.read_text(encoding="utf-8-sig"))


def parse_faq(text: str) -> tuple[tuple[FaqEntry, ...], list[Problem]]:
    """Parse a FAQ file into entries and problems (with line numbers)."""
    return parse_entries(text, _entry_nodes, _parse_entry)


def _entry_nodes(root: yaml.Node | None) -> list[yaml.MappingNode] | Problem:
    return entries_under(root, "faq", "entry", "entries")


def _scalar(node: yaml.Node | None) -> str:
    return str(node.value).strip() if isinstance(node, yaml.ScalarNode) else ""


def _by_language(node: yaml.Node | None, what: str, start: int) -> dict[str, yaml.Node] | Problem:
    if not isinstance(node, yaml.MappingNode):
        return Problem(start, f"{what} must have 'id:' and 'en:'")
    found = {str(k.value): v for k, v in node.value}
    missing = [lang for lang in LANGUAGES if lang not in found]
    extra = [lang for lang in found if lang not in LANGUAGES]
    if missing or extra:
        return Problem(_line(node), f"{what} needs exactly id and en (missing {missing})")
    return found


def _parse_entry(node: yaml.MappingNode) -> tuple[FaqEntry | None, list[Problem]]:
    problems: list[Problem] = []
    values: dict[str, yaml.Node] = {}
    for key, value in node.value:
        name = str(key.value)
        if name in values:
            problems.append(Problem(_line(key), f"field {name!r} appears twice"))
        elif name not in FIELDS:
            problems.append(Problem(_line(key), f"unknown field {name!r}"))
        values[name] = value
    start = _line(node)
    ident = _scalar(values.get("id"))
    if not ident or not _ID.match(ident) or len(ident) > MAX_ID:
        problems.append(
            Problem(start, f"id must be lower-case letters, digits and '-', ≤ {MAX_ID} long")
        )
    titles = _titles(values.get("title"), start, problems)
    questions = _questions(values.get("questions"), start, problems)
    answers = _answers(values.get("answer"), start, problems)
    person = _scalar(values.get("person")) in ("true", "yes")
    if problems:
        return None, problems
    return FaqEntry(ident, titles, questions, answers, start, person), problems


def _titles(node: yaml.Node | None, start: int, problems: list[Problem]) -> dict[str, str]:
    found = _by_language(node, "title", start)
    if isinstance(found, Problem):
        problems.append(found)
        return {}
    titles = {lang: _scalar(found[lang]) for lang in LANGUAGES}
    for lang, title in titles.items():
        if not title or len(title) > 24:
            problems.append(Problem(_line(found[lang]), f"title {lang}: 1 to 24 characters"))
    return titles


def _questions(
    node: yaml.Node | None, start: int, problems: list[Problem]
) -> dict[str, tuple[str, ...]]:
    found = _by_language(node, "questions", start)
    if isinstance(found, Problem):
        problems.append(found)
        return {}
    forms: dict[str, tuple[str, ...]] = {}
    for lang in LANGUAGES:
        value = found[lang]
        items = value.value if isinstance(value, yaml.SequenceNode) else []
        texts = tuple(_scalar(n) for n in items if _scalar(n))
        if len(texts) < MIN_FORMS:
            problems.append(
                Problem(_line(value), f"questions {lang}: at least {MIN_FORMS} forms, as a list")
            )
        forms[lang] = texts
    return forms


def _answers(node: yaml.Node | None, start: int, problems: list[Problem]) -> dict[str, str]:
    found = _by_language(node, "answer", start)
    if isinstance(found, Problem):
        problems.append(found)
        return {}
    answers: dict[str, str] = {}
    for lang in LANGUAGES:
        raw, line = _scalar(found[lang]), _line(found[lang])
        if not raw:
            problems.append(Problem(line, f"answer {lang}: missing"))
            continue
        try:
            length = visible_length(raw)
        except MarkupError as exc:
            problems.append(Problem(line, f"answer {lang}: formatting the bot cannot send: {exc}"))
            continue
        if length > MAX_ANSWER:
            problems.append(
                Problem(line, f"answer {lang}: {length} characters, at most {MAX_ANSWER}")
            )
        answers[lang] = raw
    return answers
