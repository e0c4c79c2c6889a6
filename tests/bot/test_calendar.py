"""The session calendar file: a valid iTIP invitation, local times in Asia/Jakarta, reminder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.core.models import TrainingSession
from bot.services.calendar import (
    CANCEL,
    CHAIR,
    REQUEST,
    Invitation,
    booking_uid,
    person_address,
    session_ics,
    session_uid,
)
from tests import itip

WIB = ZoneInfo("Asia/Jakarta")
OWNER = Invitation(booking_uid(7), person_address(3))
START = datetime(2026, 12, 12, 2, 0, tzinfo=UTC)


def session(**changes: object) -> TrainingSession:
    values: dict[str, object] = {
        "id": 42,
        "code": "abcd2345",
        "title": "Foto produk pakai HP",
        "starts_at": START,
        "ends_at": START + timedelta(hours=2),
        "venue_name": "Balai Kota Malang",
        "venue_address": "Jl. Tugu No. 1",
        "latitude": -7.9771,
        "longitude": 112.634,
        "online_url": None,
        "capacity": 20,
        "trainer_id": None,
        "cutoff_at": START - timedelta(hours=2),
        "status": "open",
        **changes,
    }
    return TrainingSession(**values)  # type: ignore[arg-type]


def unfold(data: bytes) -> bytes:
    """The file with its long lines joined again (RFC 5545, 3.1)."""
    return data.replace(b"\r\n ", b"")


def event_of(data: bytes, method: str = "REQUEST") -> Calendar:
    calendar = Calendar.from_ical(data)
    assert calendar["VERSION"] == "2.0"
    assert calendar["METHOD"] == method
    assert calendar["PRODID"]
    (event,) = calendar.walk("VEVENT")
    itip.check(data)  # and valid by RFC 5546, read by another library
    return event


def test_event_starts_at_nine_wib_with_uid_location_and_geo() -> None:
    now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    data = session_ics(session(), WIB, "id", OWNER, now=now)
    event = event_of(data)
    start = event.decoded("DTSTART")
    assert (start.hour, start.minute, str(start.tzinfo)) == (9, 0, "Asia/Jakarta")
    assert b"DTSTART;TZID=Asia/Jakarta:20261212T090000" in data
    assert event.decoded("DTEND") == START + timedelta(hours=2)
    assert event.decoded("DTSTAMP") == now
    assert str(event["UID"]) == "booking-7@dodolan"
    assert str(event["SUMMARY"]) == "Foto produk pakai HP"
    assert str(event["LOCATION"]) == "Balai Kota Malang, Jl. Tugu No. 1"
    assert (event["GEO"].latitude, event["GEO"].longitude) == (-7.9771, 112.634)
    assert "Foto-foto produk" in str(event["DESCRIPTION"])
    assert "URL" not in event


def test_reminder_two_hours_before() -> None:
    event = event_of(session_ics(session(), WIB, "en", OWNER))
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == -timedelta(hours=2)
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert "charged phone" in str(event["DESCRIPTION"])


def test_online_session_has_the_link_as_location_and_url() -> None:
    link = "https://meet.example.org/dodolan"
    online = session(
        venue_name=None, venue_address=None, latitude=None, longitude=None, online_url=link
    )
    event = event_of(session_ics(online, WIB, "id", OWNER))
    assert str(event["LOCATION"]) == link
    assert str(event["URL"]) == link
    assert "GEO" not in event


def test_a_new_entry_has_the_session_revision_as_sequence() -> None:
    assert event_of(session_ics(session(), WIB, "id", OWNER)).decoded("SEQUENCE") == 0
    assert event_of(session_ics(session(sequence=3), WIB, "id", OWNER)).decoded("SEQUENCE") == 3


def test_a_change_is_a_request_for_the_same_uid_with_the_higher_sequence() -> None:
    later = START + timedelta(days=1)
    moved = session(starts_at=later, ends_at=later + timedelta(hours=2), sequence=2)
    event = event_of(session_ics(moved, WIB, "id", OWNER, method=REQUEST))
    assert str(event["UID"]) == "booking-7@dodolan"
    assert event.decoded("SEQUENCE") == 2
    assert event.decoded("DTSTART") == later and str(event["STATUS"]) == "CONFIRMED"
    assert len(event.walk("VALARM")) == 1


def test_a_cancel_marks_the_same_event_cancelled_without_a_reminder() -> None:
    event = event_of(session_ics(session(sequence=1), WIB, "en", OWNER, method=CANCEL), "CANCEL")
    assert str(event["UID"]) == "booking-7@dodolan"
    assert event.decoded("SEQUENCE") == 1
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.walk("VALARM") == []


def test_an_unknown_method_fails_loudly() -> None:
    with pytest.raises(ValueError, match="PUBLISH"):
        session_ics(session(), WIB, "id", OWNER, method="PUBLISH")


def test_every_file_is_an_invitation_from_the_dinas_to_one_person_who_stays_anonymous() -> None:
    for method in (REQUEST, CANCEL):
        data = session_ics(session(), WIB, "id", OWNER, method=method)
        message = itip.check(data)
        data = unfold(data)
        assert message.method == method
        assert message.organizer == "mailto:dodolan@noreply.invalid"
        assert message.attendees == (person_address(3),)
        assert message.attendees[0].startswith("urn:uuid:")
        assert b'ORGANIZER;CN="Dinas Koperasi, Perindustrian dan Perdagangan Kota Malang"' in (
            data
        )
        (attendee,) = [line for line in data.split(b"\r\n") if line.startswith(b"ATTENDEE")]
        assert b"RSVP=FALSE" in attendee and b"mailto:" not in attendee
    assert person_address(3) == person_address(3) != person_address(4)


def test_the_first_file_is_already_a_request_and_a_cancel_is_newer_than_it() -> None:
    first = itip.check(session_ics(session(sequence=2), WIB, "id", OWNER))
    cancel = itip.check(
        session_ics(session(sequence=2), WIB, "id", OWNER, method=CANCEL, sequence=3)
    )
    assert (first.method, cancel.method) == ("REQUEST", "CANCEL")
    assert first.uid == cancel.uid and cancel.sequence > first.sequence
    assert (cancel.status, cancel.alarms) == ("CANCELLED", 0)


def test_the_trainer_chairs_the_session_entry_and_the_organizer_can_be_configured() -> None:
    trainer = Invitation(session_uid(42), person_address(9), "mailto:dodolan@example.org", CHAIR)
    data = session_ics(session(), WIB, "en", trainer)
    message = itip.check(data)
    data = unfold(data)
    assert (message.uid, message.organizer) == ("sesi-42@dodolan", "mailto:dodolan@example.org")
    assert b"ROLE=CHAIR" in data and b'CN="Dodolan trainer"' in data


def test_the_checker_refuses_what_the_old_files_were() -> None:
    old = session_ics(session(), WIB, "id", OWNER).replace(b"METHOD:REQUEST", b"METHOD:PUBLISH")
    with pytest.raises(AssertionError):
        itip.check(old)
    lines = unfold(session_ics(session(), WIB, "id", OWNER, method=CANCEL)).split(b"\r\n")
    anonymous = b"\r\n".join(x for x in lines if not x.startswith((b"ORGANIZER", b"ATTENDEE")))
    with pytest.raises(AssertionError):
        itip.check(anonymous)
