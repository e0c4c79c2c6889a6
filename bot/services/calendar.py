"""A session as an iCalendar (.ics) file that phones and calendar apps can add."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event

from bot.i18n import Catalog
from storage.models import TrainingSession

PRODID = "-//Dinas Koperasi Kota Malang//Dodolan//ID"
REMIND_BEFORE = timedelta(hours=2)


@functools.cache
def _catalog() -> Catalog:
    return Catalog.load()


def place_of(session: TrainingSession) -> str:
    """Venue name and address, else the online link."""
    venue = ", ".join(p for p in (session.venue_name, session.venue_address) if p)
    return venue or session.online_url or ""


def session_uid(session_id: int) -> str:
    """The stable UID of a session's event, so a re-sent file updates the same entry."""
    return f"sesi-{session_id}@dodolan"


def session_ics(
    session: TrainingSession,
    tz: ZoneInfo,
    language: str,
    *,
    catalog: Catalog | None = None,
    now: datetime | None = None,
) -> bytes:
    """Return a VCALENDAR with one VEVENT (times in ``tz``) and a reminder 2 hours before."""
    texts = catalog or _catalog()
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(_event(session, tz, language, texts, now or datetime.now(UTC)))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _event(
    session: TrainingSession, tz: ZoneInfo, language: str, texts: Catalog, now: datetime
) -> Event:
    event = Event()
    event.add("uid", session_uid(session.id))
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", session.starts_at.astimezone(tz))
    event.add("dtend", session.ends_at.astimezone(tz))
    event.add("summary", session.title)
    event.add("location", place_of(session))
    event.add("description", texts.text(language, "exports.ics.description"))
    event.add("status", "CANCELLED" if session.status == "cancelled" else "CONFIRMED")
    if session.latitude is not None and session.longitude is not None:
        event.add("geo", (session.latitude, session.longitude))
    if session.online_url:
        event.add("url", session.online_url)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", texts.text(language, "exports.ics.alarm"))
    alarm.add("trigger", -REMIND_BEFORE)
    event.add_component(alarm)
    return event
