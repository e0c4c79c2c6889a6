"""What staff type or tap while building a session, turned into a draft step by step.

Pure functions only: the dialog data (JSON in SQLite) goes in with the answer, the next step
and the new data come out, or :class:`InvalidInput` names the catalog text explaining why not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.errors import InvalidInput
from bot.core.models import TrainingSession
from bot.services.sessions import MAX_CAPACITY, TITLE_MAX, SessionDraft
from bot.services.validation import clean_text

FLOW = "newsession"
EDIT_FLOW = "editsession"
STEPS = (
    "title",
    "date",
    "time",
    "place",
    "venue_name",
    "venue_address",
    "coords",
    "online_url",
    "capacity",
    "trainer",
    "cutoff",
    "confirm",
)
DAYS_OFFERED = 14
CAPACITY_CHOICES = (10, 20, 30)
MAX_CUTOFF_HOURS = 168
PLACE_MAX = 200

_DATE = r"(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})"
_MONTHS = {
    **dict.fromkeys(("januari", "january", "jan"), 1),
    **dict.fromkeys(("februari", "february", "feb", "pebruari"), 2),
    **dict.fromkeys(("maret", "march", "mar"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    **dict.fromkeys(("mei", "may"), 5),
    **dict.fromkeys(("juni", "june", "jun"), 6),
    **dict.fromkeys(("juli", "july", "jul"), 7),
    **dict.fromkeys(("agustus", "august", "agu", "agt", "aug"), 8),
    **dict.fromkeys(("september", "sep", "sept"), 9),
    **dict.fromkeys(("oktober", "october", "okt", "oct"), 10),
    **dict.fromkeys(("november", "nov", "nop"), 11),
    **dict.fromkeys(("desember", "december", "des", "dec"), 12),
}
_MONTH_NAME = "|".join(sorted(_MONTHS, key=len, reverse=True))
_NAMED_DATE = rf"(\d{{1,2}})\s+({_MONTH_NAME})\.?\s+(\d{{4}})"
_DAYS_AHEAD = {"hari ini": 0, "today": 0, "besok": 1, "tomorrow": 1, "lusa": 2}
_WEEKDAYS = {
    **dict.fromkeys(("senin", "monday"), 0),
    **dict.fromkeys(("selasa", "tuesday"), 1),
    **dict.fromkeys(("rabu", "wednesday"), 2),
    **dict.fromkeys(("kamis", "thursday"), 3),
    **dict.fromkeys(("jumat", "jum'at", "friday"), 4),
    **dict.fromkeys(("sabtu", "saturday"), 5),
    **dict.fromkeys(("minggu", "ahad", "sunday"), 6),
}
_RELATIVE = "|".join(sorted([*_DAYS_AHEAD, *_WEEKDAYS], key=len, reverse=True))
# "9.00", "09:00", or an hour with a part of the day as people say it: "9 pagi", "1 siang".
_CLOCK = r"(\d{1,2})(?:\s*[.:]\s*(\d{2}))?(?:\s*(pagi|siang|sore|malam))?"
_ZONE = r"(?:\s*WIB)?"
_TO = r"(?:-|–|—|s/?d|sampai|hingga|to|until)"
_DATE_END = r"(?=[\s,]|$)[\s,]*(?:(?:jam|pukul|at)\s+)?"
# A date at the start of the text, then optionally "," and "jam"/"pukul"/"at" before the time.
_LEADING_DATE_RE = re.compile(rf"^\s*{_DATE}{_DATE_END}", re.I)
_LEADING_NAMED_RE = re.compile(rf"^\s*(?:(?:{_RELATIVE}),?\s+)?{_NAMED_DATE}{_DATE_END}", re.I)
_LEADING_RELATIVE_RE = re.compile(rf"^\s*({_RELATIVE}){_DATE_END}", re.I)
_CLOCK_RE = re.compile(rf"^\s*(?:(?:jam|pukul|at)\s+)?{_CLOCK}{_ZONE}\s*$", re.I)
_RANGE_RE = re.compile(
    rf"^\s*(?:(?:jam|pukul|at)\s+)?{_CLOCK}{_ZONE}\s*{_TO}\s*{_CLOCK}{_ZONE}\s*$", re.I
)
_NUMBER = r"([-+]?\d{1,3}\.\d+)"  # map points always have decimals: "7,98" is not one
_COORDS_RE = re.compile(rf"^\s*{_NUMBER}\s*[,;\s]\s*{_NUMBER}\s*$")


@dataclass(frozen=True)
class When:
    """What staff typed about a session's time: a date, a time range, or both."""

    day: date | None = None
    start: time | None = None
    end: time | None = None


# The one reader of dates and clock times for everything staff type (/sesibaru, /sesi and
# scheduled broadcasts), so every prompt can promise the same forms:
#   date:        12-12-2026, 12/12/2026, 12.12.2026 (day first, four-digit year),
#                12 Desember 2026, and, when today is known, besok, lusa, hari ini, Sabtu
#   time range:  09.00-11.00, 13:00 - 15:30, 9.00 s/d 11.00, 09.00 sampai 11.00 (WIB optional),
#                9 pagi - 12 siang, 1 siang - 3 sore
#   both:        12-12-2026 09.00-11.00, 12-12-2026, jam 13:00 - 15:30, besok 9 pagi - 12 siang
def split_date(text: str, today: date | None = None) -> tuple[date | None, str]:
    """Read a leading date; return it (or None) and the rest of the text.

    Relative words ("besok", "Sabtu") are read only when ``today`` is given; a weekday means
    the next such day after today. A date that is not in the calendar (31-02-2026) is refused
    as such, not as unreadable.
    """
    match = _LEADING_DATE_RE.match(text)
    named = None if match else _LEADING_NAMED_RE.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    elif named:
        day, month, year = int(named[1]), _MONTHS[named[2].lower()], int(named[3])
        match = named
    else:
        return _relative(text, today)
    try:
        return date(year, month, day), text[match.end() :].strip()
    except ValueError:
        raise InvalidInput("staff.invalid.no_such_date", date=match[0].strip(" ,")) from None


def _relative(text: str, today: date | None) -> tuple[date | None, str]:
    match = _LEADING_RELATIVE_RE.match(text) if today is not None else None
    if match is None or today is None:
        return None, text.strip()
    word = match[1].lower()
    if word in _DAYS_AHEAD:
        day = today + timedelta(days=_DAYS_AHEAD[word])
    else:
        day = today + timedelta(days=(_WEEKDAYS[word] - today.weekday() - 1) % 7 + 1)
    return day, text[match.end() :].strip()


def parse_date(text: str, today: date | None = None) -> date:
    """Read ``12-12-2026``, ``12/12/2026`` or ``12.12.2026`` (day first), or a named date."""
    day, rest = split_date(text, today)
    if day is None or rest:
        raise InvalidInput("staff.invalid.date")
    return day


def parse_clock(text: str) -> time:
    """Read one clock time, ``09.00`` or ``9:00`` (``WIB`` may follow)."""
    match = _CLOCK_RE.match(text)
    if not match or (match[2] is None and match[3] is None):  # a bare "9" is not a time
        raise InvalidInput("staff.invalid.time")
    return _clock(match[1], match[2], match[3])


def parse_time_range(text: str) -> tuple[time, time]:
    """Read ``09.00-11.00`` or ``13:00 - 15:30``; the end must come after the start."""
    match = _RANGE_RE.match(text)
    if not match or not any(match[i] for i in (2, 3, 5, 6)):  # "9-12" alone is not a time
        raise InvalidInput("staff.invalid.time")
    start, end = _clock(match[1], match[2], match[3]), _clock(match[4], match[5], match[6])
    if end <= start:
        raise InvalidInput("session.invalid.end_before_start")
    return start, end


def parse_when(text: str, today: date | None = None) -> When:
    """Read a date, a time range, or both on one line (see the forms above)."""
    day, rest = split_date(text, today)
    if not rest:
        if day is None:
            raise InvalidInput("staff.invalid.when")
        return When(day)
    try:
        start, end = parse_time_range(rest)
    except InvalidInput as refusal:
        if day is None and refusal.key == "staff.invalid.time":
            raise InvalidInput("staff.invalid.when") from None
        raise
    return When(day, start, end)


def _clock(hours: str, minutes: str | None, part: str | None = None) -> time:
    hour = int(hours)
    match (part or "").lower():
        case "pagi" if hour == 12:
            hour = 0
        case "siang" if 1 <= hour <= 5:  # "1 siang" is 13.00; "11 siang", "12 siang" stay
            hour += 12
        case "sore" | "malam" if 1 <= hour <= 11:
            hour += 12
        case "malam" if hour == 12:
            hour = 0
    try:
        return time(hour, int(minutes or 0))
    except ValueError:
        raise InvalidInput("staff.invalid.time") from None


def parse_coordinates(text: str) -> tuple[float, float]:
    """Read ``-7.98, 112.63`` (latitude, longitude)."""
    match = _COORDS_RE.match(text)
    if not match:
        raise InvalidInput("staff.invalid.coordinates")
    latitude, longitude = float(match.group(1)), float(match.group(2))
    return check_coordinates(latitude, longitude)


def check_coordinates(latitude: float, longitude: float) -> tuple[float, float]:
    """Refuse a point that is not on Earth."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidInput("staff.invalid.coordinates")
    return latitude, longitude


def parse_capacity(text: str) -> int:
    """Read a whole number of seats between 1 and the maximum."""
    digits = text.strip()
    if not digits.isdecimal():
        raise InvalidInput("staff.invalid.number")
    capacity = int(digits)
    if not 1 <= capacity <= MAX_CAPACITY:
        raise InvalidInput("session.invalid.capacity", max=MAX_CAPACITY)
    return capacity


def parse_hours(text: str) -> int:
    """Read the registration cut-off as whole hours before the start (0–168)."""
    digits = text.strip().removesuffix("jam").removesuffix("hours").strip()
    if not digits.isdecimal() or int(digits) > MAX_CUTOFF_HOURS:
        raise InvalidInput("staff.invalid.hours", max=MAX_CUTOFF_HOURS)
    return int(digits)


def parse_url(text: str) -> str:
    """Read a meeting link (http or https, no spaces)."""
    url = text.strip()
    if not url.startswith(("https://", "http://")) or " " in url or len(url) > 300:
        raise InvalidInput("session.invalid.url")
    return url


def local_moment(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """Combine a local date and clock time into an aware datetime."""
    return datetime.combine(day, clock, tzinfo=tz)


def offered_days(now: datetime, tz: ZoneInfo) -> list[date]:
    """The dates offered as buttons: tomorrow and the 13 days after it."""
    today = now.astimezone(tz).date()
    return [today + timedelta(days=n) for n in range(1, DAYS_OFFERED + 1)]


def draft_of(data: dict[str, Any], tz: ZoneInfo) -> SessionDraft:
    """Turn the collected answers into a draft for :func:`check_draft`."""
    day = date.fromisoformat(data["date"])
    starts = local_moment(day, time.fromisoformat(data["start"]), tz)
    ends = local_moment(day, time.fromisoformat(data["end"]), tz)
    hours = data.get("cutoff_hours")
    return SessionDraft(
        title=data["title"],
        starts_at=starts,
        ends_at=ends,
        capacity=data["capacity"],
        venue_name=data.get("venue_name"),
        venue_address=data.get("venue_address"),
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        online_url=data.get("online_url"),
        trainer_id=data.get("trainer_id"),
        cutoff_at=starts - timedelta(hours=hours) if hours is not None else None,
    )


def _check_start(data: dict[str, Any], now: datetime, tz: ZoneInfo) -> None:
    day = date.fromisoformat(data["date"])
    if "start" in data and local_moment(day, time.fromisoformat(data["start"]), tz) <= now:
        raise InvalidInput("session.invalid.past")
    if "start" not in data and day < now.astimezone(tz).date():
        raise InvalidInput("session.invalid.past")


# From the summary, staff may go back to one field; after it, the summary shows again.
EDITABLE = {
    "title": "title",
    "when": "date",
    "place": "place",
    "capacity": "capacity",
    "trainer": "trainer",
    "cutoff": "cutoff",
}
_FIELD_STARTS = frozenset({*EDITABLE.values(), "confirm"})


def edit_field(field: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Go back from the summary to the first step of one field (``EDITABLE``)."""
    if field not in EDITABLE:
        raise InvalidInput("input.unknown_option")
    return EDITABLE[field], {**data, "editing": True}


def _resume(step: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """After a field edited from the summary is complete, go back to the summary."""
    if data.get("editing") and step in _FIELD_STARTS:
        return "confirm", _drop(data, "editing")
    return step, data


def answer_text(
    step: str, text: str, data: dict[str, Any], now: datetime, tz: ZoneInfo
) -> tuple[str, dict[str, Any]]:
    """Take typed text for ``step``; return the next step and the answers so far."""
    return _resume(*_typed(step, text, dict(data), now, tz))


# Refusals of a title whose example must be a session's title, not a business name.
TITLE_EXAMPLE_KEYS = ("input.empty", "input.no_letters", "input.too_long")


def _title(text: str) -> str:
    """The session's title, or a refusal with a title for its example."""
    try:
        return clean_text(text, max_length=TITLE_MAX)
    except InvalidInput as refusal:
        if refusal.key not in TITLE_EXAMPLE_KEYS:
            raise
        key = "owner_lists.title_" + refusal.key.removeprefix("input.")
        raise InvalidInput(key, **refusal.params) from None


def _typed(
    step: str, text: str, new: dict[str, Any], now: datetime, tz: ZoneInfo
) -> tuple[str, dict[str, Any]]:
    match step:
        case "title":
            new["title"] = _title(text)
            return "date", new
        case "date" | "time":
            return _typed_when(step, text, new, now, tz)
        case "venue_name":
            new["venue_name"] = clean_text(text, max_length=PLACE_MAX)
            return "venue_address", new
        case "venue_address":
            new["venue_address"] = clean_text(text, max_length=PLACE_MAX)
            return "coords", new
        case "coords":
            new["latitude"], new["longitude"] = parse_coordinates(text)
            return "capacity", new
        case "online_url":
            new["online_url"] = parse_url(text)
            return "capacity", new
        case "capacity":
            new["capacity"] = parse_capacity(text)
            return "trainer", new
        case "cutoff":
            new["cutoff_hours"] = parse_hours(text)
            return "confirm", new
    raise InvalidInput("input.use_buttons")


def _typed_when(
    step: str, text: str, new: dict[str, Any], now: datetime, tz: ZoneInfo
) -> tuple[str, dict[str, Any]]:
    """The date step takes a date (or a date and a time range); the time step a time range
    (or a date and a time range)."""
    refusal = f"staff.invalid.{step}"
    try:
        when = parse_when(text, now.astimezone(tz).date())
    except InvalidInput as error:
        if error.key != "staff.invalid.when":
            raise
        raise InvalidInput(refusal) from None
    if (step == "date" and when.day is None) or (step == "time" and when.start is None):
        raise InvalidInput(refusal)
    if when.day is not None:
        new["date"] = when.day.isoformat()
    if when.start is None or when.end is None:
        _check_start(new, now, tz)
        return "time", new
    new.update(start=when.start.isoformat("minutes"), end=when.end.isoformat("minutes"))
    _check_start(new, now, tz)
    return "place", new


def answer_choice(
    step: str, code: str, data: dict[str, Any], now: datetime, tz: ZoneInfo
) -> tuple[str, dict[str, Any]]:
    """Take a tapped option for ``step``; return the next step and the answers so far."""
    return _resume(*_tapped(step, code, dict(data), now, tz))


def _tapped(
    step: str, code: str, new: dict[str, Any], now: datetime, tz: ZoneInfo
) -> tuple[str, dict[str, Any]]:
    match step, code:
        case "date", _:
            new["date"] = _offered(code, now, tz).isoformat()
            return "time", new
        case "place", "venue":
            return "venue_name", _drop(new, "online_url")
        case "place", "online":
            return "online_url", _drop(new, "venue_name", "venue_address", "latitude", "longitude")
        case "coords", "skip":
            return "capacity", _drop(new, "latitude", "longitude")
        case "capacity", _ if code.isdecimal() and int(code) in CAPACITY_CHOICES:
            new["capacity"] = int(code)
            return "trainer", new
        case "trainer", "none":
            new["trainer_id"] = None
            return "cutoff", new
        case "trainer", _ if code.isdecimal():
            new["trainer_id"] = int(code)  # the service checks the role when saving
            return "cutoff", new
        case "cutoff", "default":
            return "confirm", _drop(new, "cutoff_hours")
    raise InvalidInput("input.unknown_option")


def answer_location(
    step: str, latitude: float, longitude: float, data: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    """Take a shared Telegram location as the venue's map point."""
    if step != "coords":
        raise InvalidInput("staff.invalid.need_text")
    new = dict(data)
    new["latitude"], new["longitude"] = check_coordinates(latitude, longitude)
    return _resume("capacity", new)


def _offered(code: str, now: datetime, tz: ZoneInfo) -> date:
    try:
        day = date.fromisoformat(code)
    except ValueError:
        raise InvalidInput("input.unknown_option") from None
    if day not in offered_days(now, tz):
        raise InvalidInput("input.unknown_option")
    return day


def _drop(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in keys}


def edit_changes(
    step: str, text: str, tz: ZoneInfo, current: TrainingSession, today: date | None = None
) -> dict[str, Any]:
    """Turn what staff typed to change a session (``time``, ``place``, ``cap``) into columns.

    A new time may be a date, a time range or both (:func:`parse_when`); what is left out
    stays as it was.
    """
    match step:
        case "time":
            when = parse_when(text, today)
            starts, ends = current.starts_at.astimezone(tz), current.ends_at.astimezone(tz)
            day = when.day or starts.date()
            return {
                "starts_at": local_moment(day, when.start or starts.time(), tz),
                "ends_at": local_moment(day, when.end or ends.time(), tz),
            }
        case "place" if text.strip().startswith(("https://", "http://")):
            return {
                "online_url": parse_url(text),
                "venue_name": None,
                "venue_address": None,
                "latitude": None,
                "longitude": None,
            }
        case "place":
            name, _, address = text.strip().partition("\n")
            return {
                "venue_name": clean_text(name, max_length=PLACE_MAX),
                "venue_address": clean_text(address, max_length=PLACE_MAX)
                if address.strip()
                else None,
                "latitude": None,
                "longitude": None,
                "online_url": None,
            }
        case "cap":
            return {"capacity": parse_capacity(text)}
    raise InvalidInput("input.use_buttons")
