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
_CLOCK = r"(\d{1,2})\s*[.:]\s*(\d{2})"
_ZONE = r"(?:\s*WIB)?"
_TO = r"(?:-|–|—|s/?d|sampai|hingga|to|until)"
# A date at the start of the text, then optionally "," and "jam"/"pukul"/"at" before the time.
_LEADING_DATE_RE = re.compile(rf"^\s*{_DATE}(?=[\s,]|$)[\s,]*(?:(?:jam|pukul|at)\s+)?", re.I)
_CLOCK_RE = re.compile(rf"^\s*{_CLOCK}{_ZONE}\s*$", re.I)
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
#   date:        12-12-2026, 12/12/2026, 12.12.2026 (day first, four-digit year)
#   time range:  09.00-11.00, 13:00 - 15:30, 9.00 s/d 11.00, 09.00 sampai 11.00 (WIB optional)
#   both:        12-12-2026 09.00-11.00, 12-12-2026, jam 13:00 - 15:30
def split_date(text: str) -> tuple[date | None, str]:
    """Read a leading day-first date; return it (or None) and the rest of the text."""
    match = _LEADING_DATE_RE.match(text)
    if not match:
        return None, text.strip()
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day), text[match.end() :].strip()
    except ValueError:
        raise InvalidInput("staff.invalid.date") from None


def parse_date(text: str) -> date:
    """Read ``12-12-2026``, ``12/12/2026`` or ``12.12.2026`` (day first)."""
    day, rest = split_date(text)
    if day is None or rest:
        raise InvalidInput("staff.invalid.date")
    return day


def parse_clock(text: str) -> time:
    """Read one clock time, ``09.00`` or ``9:00`` (``WIB`` may follow)."""
    match = _CLOCK_RE.match(text)
    if not match:
        raise InvalidInput("staff.invalid.time")
    return _clock(match[1], match[2])


def parse_time_range(text: str) -> tuple[time, time]:
    """Read ``09.00-11.00`` or ``13:00 - 15:30``; the end must come after the start."""
    match = _RANGE_RE.match(text)
    if not match:
        raise InvalidInput("staff.invalid.time")
    start, end = _clock(match[1], match[2]), _clock(match[3], match[4])
    if end <= start:
        raise InvalidInput("session.invalid.end_before_start")
    return start, end


def parse_when(text: str) -> When:
    """Read a date, a time range, or both on one line (see the forms above)."""
    day, rest = split_date(text)
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


def _clock(hours: str, minutes: str) -> time:
    try:
        return time(int(hours), int(minutes))
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


def _typed(
    step: str, text: str, new: dict[str, Any], now: datetime, tz: ZoneInfo
) -> tuple[str, dict[str, Any]]:
    match step:
        case "title":
            new["title"] = clean_text(text, max_length=TITLE_MAX)
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
        when = parse_when(text)
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


def edit_changes(step: str, text: str, tz: ZoneInfo, current: TrainingSession) -> dict[str, Any]:
    """Turn what staff typed to change a session (``time``, ``place``, ``cap``) into columns.

    A new time may be a date, a time range or both (:func:`parse_when`); what is left out
    stays as it was.
    """
    match step:
        case "time":
            when = parse_when(text)
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
