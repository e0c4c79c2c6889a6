"""Session import from a CSV or YAML file: read every row, report every problem with its line
and column, then create all sessions in one transaction, or none.

Parsing is pure (:func:`parse_sessions`); :class:`SessionImporter` adds the domain checks that
need the clock and the database, and applies a clean plan through ``SessionService.create_many``.
Problems are plain English for the operator running ``dodolan sessions import``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

from bot.core.clock import Clock
from bot.core.errors import InvalidInput
from bot.core.models import Role, TrainingSession
from bot.core.notices import ChannelName
from bot.core.ports import Identities
from bot.services.session_files import ALIASES, Cell, Problem, Record, read_csv, read_yaml
from bot.services.sessions import TITLE_MAX, SessionDraft, SessionService, check_draft
from bot.services.users import UserService
from bot.services.validation import clean_text

Format = Literal["csv", "yaml"]
T = TypeVar("T")

MAX_FILE_BYTES = 1_000_000  # some thousands of sessions; a programme plans dozens
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_CLOCK = re.compile(r"^(\d{1,2})[.:](\d{2})$")

# check_draft's refusals, as the column to blame and an operator-facing message.
_DOMAIN: dict[str, tuple[str | None, str]] = {
    "session.invalid.past": ("date", "the session would start in the past"),
    "session.invalid.end_before_start": ("end", "the session ends before it starts"),
    "session.invalid.capacity": ("capacity", "capacity must be between 1 and {max}"),
    "session.invalid.no_place": ("venue", "give a venue (tempat) or an online link"),
    "session.invalid.url": ("link", "the link must start with https:// or http://"),
    "session.invalid.coordinates": ("lat", "give both lat and lon (-90..90, -180..180)"),
    "session.invalid.cutoff": ("cutoff_hours", "registration cannot close after the start"),
}
_TEXT: dict[str, str] = {
    "input.empty": "is empty",
    "input.no_letters": "has no letters or digits",
    "input.control_characters": "contains control characters",
    "input.too_long": "is longer than {max} characters",
}


@dataclass(frozen=True)
class PlannedSession:
    """A session the import would create, and where each of its values came from."""

    line: int
    draft: SessionDraft
    source: Mapping[str, Cell] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class ImportPlan:
    """What a file would create, and every problem found; applicable only when clean."""

    sessions: tuple[PlannedSession, ...]
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """True if there is something to create and nothing is wrong."""
        return bool(self.sessions) and not self.problems


def format_for(filename: str) -> Format:
    """Pick the format from a file name; raise ValueError for anything else."""
    lower = filename.lower()
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith((".yaml", ".yml")):
        return "yaml"
    raise ValueError(f"{filename}: use a .csv, .yaml or .yml file")


def parse_sessions(text: str, fmt: Format, tz: ZoneInfo) -> ImportPlan:
    """Read the file into drafts (times in ``tz``); domain rules are not checked here."""
    records, problems = read_csv(text) if fmt == "csv" else read_yaml(text)
    planned: list[PlannedSession] = []
    for record in records:
        draft, found = to_draft(record, tz)
        problems.extend(found)
        if draft is not None:
            planned.append(PlannedSession(record.line, draft, record.cells))
    if not records and not problems:
        problems.append(Problem(1, None, "the file holds no sessions"))
    return ImportPlan(tuple(planned), tuple(problems))


# --- reading the two formats into records ---


def to_draft(record: Record, tz: ZoneInfo) -> tuple[SessionDraft | None, list[Problem]]:
    """Convert raw values; return the draft (None if any value is unusable) and problems."""
    reader = _Values(record)
    title = reader.text("title", TITLE_MAX)
    day = reader.parse("date", _date, "write the date as 2026-12-12 or 12-12-2026")
    start = reader.parse("start", _clock, "write the time as 09.00")
    end = reader.parse("end", _clock, "write the time as 11.00")
    capacity = reader.parse("capacity", int, "write a whole number")
    venue = reader.text("venue", 200, required=False)
    address = reader.text("address", 200, required=False)
    lat = reader.parse("lat", _decimal, "write a decimal number such as -7.9666", False)
    lon = reader.parse("lon", _decimal, "write a decimal number such as 112.6326", False)
    link = reader.text("link", 500, required=False)
    trainer = reader.parse("trainer_id", _telegram_id, "write the trainer's Telegram id", False)
    cutoff = reader.parse("cutoff_hours", _decimal, "write hours, e.g. 2 or 1.5", False)
    if reader.problems or None in (title, day, start, end, capacity):
        return None, reader.problems
    assert title and day and start and end and capacity is not None
    starts_at = datetime.combine(day, start, tzinfo=tz)
    draft = SessionDraft(
        title=title,
        starts_at=starts_at,
        ends_at=datetime.combine(day, end, tzinfo=tz),
        capacity=capacity,
        venue_name=venue,
        venue_address=address,
        latitude=lat,
        longitude=lon,
        online_url=link,
        trainer_id=trainer,
        cutoff_at=None if cutoff is None else starts_at - timedelta(hours=cutoff),
    )
    return draft, []


class _Values:
    """Reads one record's fields, collecting a problem per unusable value."""

    def __init__(self, record: Record) -> None:
        self.record = record
        self.problems: list[Problem] = []

    def text(self, key: str, max_length: int, *, required: bool = True) -> str | None:
        cell = self._cell(key, required)
        if cell is None:
            return None
        try:
            return clean_text(" ".join(cell.value.split()), max_length=max_length)
        except InvalidInput as exc:
            self._fail(cell, _TEXT.get(exc.key, exc.key).format(**exc.params))
            return None

    def parse(
        self, key: str, convert: Callable[[str], T], hint: str, required: bool = True
    ) -> T | None:
        cell = self._cell(key, required)
        if cell is None:
            return None
        try:
            return convert(cell.value)
        except ValueError:
            self._fail(cell, f"cannot read {cell.value!r}: {hint}")
            return None

    def _cell(self, key: str, required: bool) -> Cell | None:
        cell = self.record.cells.get(key)
        if cell is not None and cell.value:
            return cell
        if required and cell is not None:
            self._fail(cell, "missing value")
        elif required and key not in self.record.reported:
            self.problems.append(Problem(self.record.line, "/".join(ALIASES[key]), "missing"))
        return None

    def _fail(self, cell: Cell, message: str) -> None:
        self.problems.append(Problem(cell.line, cell.column, message))


def _date(value: str) -> date:
    iso, dmy = _ISO_DATE.match(value), _DMY_DATE.match(value)
    if iso:
        return date(int(iso[1]), int(iso[2]), int(iso[3]))
    if dmy:
        return date(int(dmy[3]), int(dmy[2]), int(dmy[1]))
    raise ValueError(value)


def _clock(value: str) -> time:
    match = _CLOCK.match(value)
    if not match:
        raise ValueError(value)
    return time(int(match[1]), int(match[2]))


def _decimal(value: str) -> float:
    if "," in value and "." not in value:
        value = value.replace(",", ".")  # Indonesian decimal comma: -7,9666
    return float(value)


def _telegram_id(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError(value)
    return number


# --- domain checks and applying ---


class SessionImporter:
    """Check an import file against the domain rules and apply it all-or-nothing."""

    def __init__(
        self,
        sessions: SessionService,
        users: UserService,
        tz: ZoneInfo,
        now: Clock,
        identities: Identities,
    ) -> None:
        """``identities`` reads the file's trainer column as Telegram ids (as the operator
        writes them) and turns each into the trainer's internal id."""
        self._sessions = sessions
        self._users = users
        self._tz = tz
        self._now = now
        self._identities = identities

    async def check(self, text: str, fmt: Format) -> ImportPlan:
        """Parse the file and check every session as creating it would; create nothing."""
        plan = parse_sessions(text, fmt, self._tz)
        now = self._now()
        problems = list(plan.problems)
        sessions: list[PlannedSession] = []
        for planned in plan.sessions:
            problems.extend(_domain_problems(planned, now))
            trainer = planned.draft.trainer_id
            if trainer is not None:
                user_id = await self._trainer_user(trainer)
                if user_id is None or Role.TRAINER not in await self._users.roles(user_id):
                    problems.append(
                        _blame(
                            planned, "trainer_id", f"{trainer} is not a trainer of the programme"
                        )
                    )
                else:
                    planned = replace(planned, draft=replace(planned.draft, trainer_id=user_id))
            sessions.append(planned)
        problems.sort(key=lambda p: p.line)
        return ImportPlan(tuple(sessions), tuple(problems))

    async def _trainer_user(self, written: int) -> int | None:
        """The internal id of the trainer the file names (None: no one known by it)."""
        return await self._identities.user_for(ChannelName.TELEGRAM, str(written))

    async def apply(self, plan: ImportPlan, created_by: int | None) -> list[TrainingSession]:
        """Create every planned session in one transaction; refuse a plan with problems."""
        if not plan.ok:
            raise ValueError("the import has problems; nothing was created")
        return await self._sessions.create_many([p.draft for p in plan.sessions], created_by)


def _domain_problems(planned: PlannedSession, now: datetime) -> list[Problem]:
    try:
        check_draft(planned.draft, now)
    except InvalidInput as exc:
        key, message = _DOMAIN.get(exc.key, (None, exc.key))
        return [_blame(planned, key, message.format(**exc.params))]
    return []


def _blame(planned: PlannedSession, key: str | None, message: str) -> Problem:
    cell = planned.source.get(key) if key else None
    if cell is None:
        column = "/".join(ALIASES[key]) if key else None
        return Problem(planned.line, column, message)
    return Problem(cell.line, cell.column, message)
