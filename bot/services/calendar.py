"""A session as an iCalendar (.ics) invitation that phones and calendar apps can add.

Every file is an iTIP message (RFC 5546) from the Dinas programme (``ORGANIZER``) to one
person (``ATTENDEE``): ``REQUEST`` adds the event or replaces it (from the very first file on,
so later files update what the first one added), ``CANCEL`` removes it and marks it
``STATUS:CANCELLED``.

* **One entry per place.** An owner's entry has the UID of their booking
  (:func:`booking_uid`), the trainer's that of the session (:func:`session_uid`); a UID never
  changes, so every file about a booking speaks of the same calendar entry, and an owner who
  cancels and books the same session again gets a new entry rather than a cancelled one.
* **Increasing SEQUENCE.** A ``REQUEST`` carries the session's stored revision, raised with
  each change people are told of. A ``CANCEL`` must be newer than every file before it (RFC
  5546, 3.2.5): staff cancelling a session raise the revision; an owner leaving a session
  (cancelling or moving away) does not change it, so their ``CANCEL`` is one above it.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vCalAddress

from bot.core.models import SessionStatus, TrainingSession
from bot.i18n import Catalog

PRODID = "-//Dinas Koperasi Kota Malang//Dodolan//ID"
REMIND_BEFORE = timedelta(hours=2)
REQUEST, CANCEL = "REQUEST", "CANCEL"  # iTIP methods (RFC 5546)
# Where the invitations say they come from when DODOLAN_CALENDAR_ORGANIZER is not set. The
# ".invalid" top-level domain is reserved (RFC 2606): it never receives mail, which is honest,
# since the files ask for no reply (RSVP=FALSE) and the bot reads no mailbox.
DEFAULT_ORGANIZER = "mailto:dodolan@noreply.invalid"
# The namespace of the people's calendar addresses (see :func:`person_address`).
_PEOPLE = uuid.uuid5(uuid.NAMESPACE_DNS, "people.dodolan.invalid")
PARTICIPANT, CHAIR = "REQ-PARTICIPANT", "CHAIR"  # ATTENDEE roles: an owner, the trainer


@functools.cache
def _catalog() -> Catalog:
    return Catalog.load()


@dataclass(frozen=True)
class Invitation:
    """Which calendar entry a file speaks of, from whom, and to whom."""

    uid: str
    attendee: str  # the recipient's calendar address, see person_address()
    organizer: str = DEFAULT_ORGANIZER
    role: str = PARTICIPANT


def place_of(session: TrainingSession) -> str:
    """Venue name and address, else the online link."""
    venue = ", ".join(p for p in (session.venue_name, session.venue_address) if p)
    return venue or session.online_url or ""


def session_uid(session_id: int) -> str:
    """The stable UID of a session's entry in its trainer's calendar."""
    return f"sesi-{session_id}@dodolan"


def booking_uid(booking_id: int) -> str:
    """The stable UID of an owner's entry for one booking (kept across session changes)."""
    return f"booking-{booking_id}@dodolan"


def person_address(user_id: int) -> str:
    """The calendar address (RFC 5545 CAL-ADDRESS, a URI) of a person in a file sent to them.

    iTIP needs an ATTENDEE, but owners chat with the bot and give it no e-mail address, and
    their phone number must not travel in a file that may be forwarded. A ``urn:uuid:`` (RFC
    4122, a registered URN namespace) is a URI that names without being an address: derived
    from the internal user id, it stays the same in every file to that person and says
    nothing about them.
    """
    return f"urn:uuid:{uuid.uuid5(_PEOPLE, str(user_id))}"


def organizer_address(email: str | None) -> str:
    """The ORGANIZER's ``mailto:`` URI for a configured e-mail address, else the default."""
    return f"mailto:{email}" if email else DEFAULT_ORGANIZER


def session_ics(
    session: TrainingSession,
    tz: ZoneInfo,
    language: str,
    invitation: Invitation,
    *,
    catalog: Catalog | None = None,
    now: datetime | None = None,
    method: str = REQUEST,
    sequence: int | None = None,
) -> bytes:
    """Return a VCALENDAR with one VEVENT (times in ``tz``) and a reminder 2 hours before.

    ``method`` is REQUEST (add or update the entry) or CANCEL (remove it: the event is marked
    cancelled and has no reminder); ``sequence`` defaults to the session's revision.
    """
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"unknown iCalendar method {method!r}")
    texts = catalog or _catalog()
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    revision = session.sequence if sequence is None else sequence
    event = _event(session, tz, language, texts, now or datetime.now(UTC), method, revision)
    _address(event, texts, language, invitation)
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
    sequence: int,
) -> Event:
    cancelled = method == CANCEL or session.status == SessionStatus.CANCELLED
    event = Event()
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", session.starts_at.astimezone(tz))
    event.add("dtend", session.ends_at.astimezone(tz))
    event.add("summary", session.title)
    event.add("location", place_of(session))
    event.add("description", texts.text(language, "exports.ics.description"))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("sequence", sequence)
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


def _address(event: Event, texts: Catalog, language: str, invitation: Invitation) -> None:
    """Add the UID, the Dinas as ORGANIZER and the recipient as the one ATTENDEE."""
    event.add("uid", invitation.uid)
    organizer = vCalAddress(invitation.organizer)
    organizer.params["CN"] = texts.text(language, "calendar_export.organizer")
    event.add("organizer", organizer)
    attendee = vCalAddress(invitation.attendee)
    who = "trainer" if invitation.role == CHAIR else "participant"
    attendee.params["CN"] = texts.text(language, f"calendar_export.{who}")
    attendee.params["CUTYPE"] = "INDIVIDUAL"
    attendee.params["ROLE"] = invitation.role
    attendee.params["PARTSTAT"] = "ACCEPTED"  # they booked, or agreed to train
    attendee.params["RSVP"] = "FALSE"  # no reply is asked for: the bot reads no mailbox
    event.add("attendee", attendee)
