"""Reading a sessions file (CSV or YAML) into raw records, every problem with its line.

Pure and channel-free; :mod:`bot.services.session_import` turns the records into sessions.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

import yaml

ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("judul", "title"),
    "date": ("tanggal", "date"),
    "start": ("mulai", "start"),
    "end": ("selesai", "end"),
    "capacity": ("kapasitas", "capacity"),
    "venue": ("tempat", "venue"),
    "address": ("alamat", "address"),
    "lat": ("lat", "latitude"),
    "lon": ("lon", "longitude"),
    "link": ("link", "url"),
    "trainer_id": ("pelatih", "trainer_id"),
    "cutoff_hours": ("batas", "cutoff_hours"),
}
REQUIRED = ("title", "date", "start", "end", "capacity")
MAX_DEPTH = 10  # a sessions file nests three deep: sesi → list → session
_NO = "is not allowed (remove it; the file may not be text)"
_BY_ALIAS = {alias: key for key, names in ALIASES.items() for alias in names}
_YAML_NULL = "tag:yaml.org,2002:null"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, where it is and what to do."""

    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        """Return e.g. ``line 3, column tanggal: cannot read the date '31-02-2026'``."""
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Cell:
    """A raw value and where it was written."""

    value: str
    line: int
    column: str


@dataclass(frozen=True)
class Record:
    """One session's raw values keyed by canonical field name."""

    line: int
    cells: Mapping[str, Cell]
    reported: frozenset[str] = frozenset()  # absent columns already reported once


def read_csv(text: str) -> tuple[list[Record], list[Problem]]:
    """Read a CSV with a header row (comma or semicolon separated) into records."""
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[Record] = []
    problems: list[Problem] = []
    header: list[tuple[str, str] | None] | None = None
    absent: frozenset[str] = frozenset()
    try:
        for line, fields in _csv_rows(reader):
            if header is None:
                header = _header(line, fields, problems)
                absent = frozenset(REQUIRED) - {k[0] for k in header if k is not None}
                continue
            if len(fields) > len(header):
                problems.append(
                    Problem(line, None, f"{len(fields)} values but {len(header)} columns")
                )
            cells = {
                known[0]: Cell(value.strip(), line, known[1])
                for known, value in zip(header, fields, strict=False)
                if known is not None
            }
            for key, column in (k for k in header[len(fields) :] if k is not None):
                cells[key] = Cell("", line, column)
            records.append(Record(line, cells, absent))
    except csv.Error as exc:
        problems.append(Problem(reader.line_num, None, f"not valid CSV: {exc}"))
    return records, problems


def _delimiter(text: str) -> str:
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    return ";" if first.count(";") > first.count(",") else ","


class _LineReader(Protocol):
    """What :func:`csv.reader` returns: rows, and the physical line reached so far."""

    @property
    def line_num(self) -> int: ...

    def __iter__(self) -> Iterator[list[str]]: ...


def _csv_rows(reader: _LineReader) -> Iterator[tuple[int, list[str]]]:
    """Yield non-blank rows with the physical line each starts on."""
    ended = 0
    for fields in reader:
        line, ended = ended + 1, reader.line_num
        if any(f.strip() for f in fields):
            yield line, fields


def _header(line: int, fields: list[str], problems: list[Problem]) -> list[tuple[str, str] | None]:
    columns: list[tuple[str, str] | None] = []
    seen: set[str] = set()
    for raw in fields:
        name = raw.strip()
        key = _BY_ALIAS.get(name.lower())
        if key is None:
            problems.append(Problem(line, name or "(empty)", f"unknown column; {_known()}"))
        elif key in seen:
            problems.append(Problem(line, name, "this column appears twice"))
            key = None
        if key is not None:
            seen.add(key)
        columns.append((key, name) if key else None)
    for key in REQUIRED:
        if key not in seen:
            problems.append(Problem(line, "/".join(ALIASES[key]), "missing column"))
    return columns


def _known() -> str:
    return "expected " + ", ".join("/".join(names) for names in ALIASES.values())


def read_yaml(text: str) -> tuple[list[Record], list[Problem]]:
    """Read a YAML list of mappings (or ``sesi:``/``sessions:`` holding one) into records."""
    try:
        _check_depth(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except _TooDeep as exc:
        return [], [Problem(exc.line, None, f"lists and mappings nested over {MAX_DEPTH} deep")]
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        return [], [Problem(line, None, f"not valid YAML: character U+{exc.character:04X} {_NO}")]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return [], [Problem(line, None, f"not valid YAML: {exc.problem or exc}")]
    if root is None:
        return [], []
    if isinstance(root, yaml.MappingNode) and len(root.value) == 1:
        key, value = root.value[0]
        if isinstance(key, yaml.ScalarNode) and key.value in ("sesi", "sessions"):
            root = value
    if not isinstance(root, yaml.SequenceNode):
        return [], [Problem(root.start_mark.line + 1, None, "expected a list of sessions")]
    records: list[Record] = []
    problems: list[Problem] = []
    for item in root.value:
        record = _yaml_record(item, problems)
        if record is not None:
            records.append(record)
    return records, problems


class _TooDeep(Exception):
    """The YAML nests deeper than a sessions file ever needs (and than the composer can)."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def _check_depth(text: str) -> None:
    """Walk the parser's events (no recursion) and stop at the first collection too deep."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _TooDeep(event.start_mark.line + 1 if event.start_mark else 1)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _yaml_record(item: yaml.Node, problems: list[Problem]) -> Record | None:
    line = item.start_mark.line + 1
    if not isinstance(item, yaml.MappingNode):
        problems.append(Problem(line, None, "each session must be a mapping (judul: ...)"))
        return None
    cells: dict[str, Cell] = {}
    for key_node, value_node in item.value:
        name = str(key_node.value).strip()
        key = _BY_ALIAS.get(name.lower())
        at = key_node.start_mark.line + 1
        if key is None:
            problems.append(Problem(at, name, f"unknown key; {_known()}"))
        elif key in cells:
            problems.append(Problem(at, name, "this key appears twice"))
        elif not isinstance(value_node, yaml.ScalarNode):
            problems.append(Problem(at, name, "must be a single value"))
        else:
            value = "" if value_node.tag == _YAML_NULL else str(value_node.value).strip()
            cells[key] = Cell(value, at, name)
    return Record(line, cells)


# --- turning a record into a draft ---
