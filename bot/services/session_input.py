"""What staff type or tap while building a session, turned into a draft step by step.

Pure functions only: the dialog data (JSON in SQLite) goes in with the answer, the next step
and the new data come out, or :class:`InvalidInput` names the catalog text explaining why not.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.errors import InvalidInput
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

_DATE_RE = re.compile(r"^\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})\s*$")
_CLOCK = r"(\d{1,2})\s*[.:]\s*(\d{2})"
_RANGE_RE = re.compile(rf"^\s*{_CLOCK}\s*(?:-|–|—|s/?d|sampai|to)\s*{_CLOCK}\s*$", re.IGNORECASE)
_NUMBER = r"([-+]?\d{1,3}\.\d+)"  # map points always have decimals: "7,98" is not one
_COORDS_RE = re.compile(rf"^\s*{_NUMBER}\s*[,;\s]\s*{_NUMBER}\s*$")


def parse_date(text: str) -> date:
    """Read ``12-12-2026``, ``12/12/2026`` or ``12.12.2026`` (day first)."""
    match = _DATE_RE.match(text)
    if not match:
        raise InvalidInput("staff.invalid.date")
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidInput("staff.invalid.date") from None


def parse_time_range(text: str) -> tuple[time, time]:
    """Read ``09.00-11.00`` or ``09:00–11:00``; the end must come after the start."""
    match = _RANGE_RE.match(text)
    if not match:
        raise InvalidInput("staff.invalid.time")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    try:
        start, end = time(h1, m1), time(h2, m2)
    except ValueError:
        raise InvalidInput("staff.invalid.time") from None
    if end <= start:
        raise InvalidInput("session.invalid.end_before_start")
    return start, end


def parse_when(text: str) -> tuple[date, time, time]:
    """Read a date and a time range on one line: ``12-12-2026 09.00-11.00``."""
    pieces = text.strip().split(maxsplit=1)
    if len(pieces) != 2:
        raise InvalidInput("staff.invalid.when")
    return parse_date(pieces[0]), *parse_time_range(pieces[1])


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


def answer_text(
    step: str, text: str, data: dict[str, Any], now: datetime, tz: ZoneInfo
) -> tuple[str, dict[str, Any]]:
    """Take typed text for ``step``; return the next step and the answers so far."""
    new = dict(data)
    match step:
        case "title":
            new["title"] = clean_text(text, max_length=TITLE_MAX)
            return "date", new
        case "date":
            new["date"] = parse_date(text).isoformat()
            _check_start(new, now, tz)
            return "time", new
        case "time":
            start, end = parse_time_range(text)
            new.update(start=start.isoformat("minutes"), end=end.isoformat("minutes"))
            _check_start(new, now, tz)
            return "place", new
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


def answer_choice(
    step: str, code: str, data: dict[str, Any], now: datetime, tz: ZoneInfo
) -> tuple[str, dict[str, Any]]:
    """Take a tapped option for ``step``; return the next step and the answers so far."""
    new = dict(data)
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


def answer_location(step: str, latitude: float, longitude: float, data: dict[str, Any]) -> dict:
    """Take a shared Telegram location as the venue's map point."""
    if step != "coords":
        raise InvalidInput("staff.invalid.need_text")
    new = dict(data)
    new["latitude"], new["longitude"] = check_coordinates(latitude, longitude)
    return new


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


def edit_changes(step: str, text: str, tz: ZoneInfo) -> dict[str, Any]:
    """Turn what staff typed to change a session (``time``, ``place``, ``cap``) into columns."""
    match step:
        case "time":
            day, start, end = parse_when(text)
            return {
                "starts_at": local_moment(day, start, tz),
                "ends_at": local_moment(day, end, tz),
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
