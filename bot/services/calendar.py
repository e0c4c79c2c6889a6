"""A session as an iCalendar (.ics) file that phones and calendar apps can add.

One session is one event, whose UID (:func:`session_uid`) never changes, so every file about
it speaks of the same calendar entry: the booking confirmation adds it (``PUBLISH``), a change
replaces it (``REQUEST``) and a cancellation, or an owner moving away, removes it
(``CANCEL``). ``SEQUENCE`` is the session's stored revision, raised with each change owners
are told of, so a calendar app takes the newer file over the entry it already has.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event

from bot.core.models import SessionStatus, TrainingSession
from bot.i18n import Catalog

PRODID = "-//Dinas Koperasi Kota Malang//Dodolan//ID"
REMIND_BEFORE = timedelta(hours=2)
PUBLISH, REQUEST, CANCEL = "PUBLISH", "REQUEST", "CANCEL"  # iTIP methods (RFC 5546)


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
    method: str = PUBLISH,
) -> bytes:
    """Return a VCALENDAR with one VEVENT (times in ``tz``) and a reminder 2 hours before.

    ``method`` is PUBLISH (a new entry), REQUEST (the entry changed) or CANCEL (remove it:
    the event is marked cancelled and has no reminder).
    """
    if method not in (PUBLISH, REQUEST, CANCEL):
        raise ValueError(f"unknown iCalendar method {method!r}")
    texts = catalog or _catalog()
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = _event(session, tz, language, texts, now or datetime.now(UTC), method)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _event(
    session: TrainingSession,
    tz: ZoneInfo,
    language: str,
    texts: Catalog,
    now: datetime,
    method: str,
) -> Event:
    cancelled = method == CANCEL or session.status == SessionStatus.CANCELLED
    event = Event()
    event.add("uid", session_uid(session.id))
    event.add("sequence", session.sequence)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", session.starts_at.astimezone(tz))
    event.add("dtend", session.ends_at.astimezone(tz))
    event.add("summary", session.title)
    event.add("location", place_of(session))
    event.add("description", texts.text(language, "exports.ics.description"))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if session.latitude is not None and session.longitude is not None:
        event.add("geo", (session.latitude, session.longitude))
    if session.online_url:
        event.add("url", session.online_url)
    if cancelled:
        return event
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", texts.text(language, "exports.ics.alarm"))
    alarm.add("trigger", -REMIND_BEFORE)
    event.add_component(alarm)
    return event
