"""The session calendar file: parses, local times in Asia/Jakarta, reminder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.core.models import TrainingSession
from bot.services.calendar import CANCEL, REQUEST, session_ics

WIB = ZoneInfo("Asia/Jakarta")
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


def event_of(data: bytes, method: str = "PUBLISH") -> Calendar:
    calendar = Calendar.from_ical(data)
    assert calendar["VERSION"] == "2.0"
    assert calendar["METHOD"] == method
    assert calendar["PRODID"]
    (event,) = calendar.walk("VEVENT")
    return event


def test_event_starts_at_nine_wib_with_uid_location_and_geo() -> None:
    now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    data = session_ics(session(), WIB, "id", now=now)
    event = event_of(data)
    start = event.decoded("DTSTART")
    assert (start.hour, start.minute, str(start.tzinfo)) == (9, 0, "Asia/Jakarta")
    assert b"DTSTART;TZID=Asia/Jakarta:20261212T090000" in data
    assert event.decoded("DTEND") == START + timedelta(hours=2)
    assert event.decoded("DTSTAMP") == now
    assert str(event["UID"]) == "sesi-42@dodolan"
    assert str(event["SUMMARY"]) == "Foto produk pakai HP"
    assert str(event["LOCATION"]) == "Balai Kota Malang, Jl. Tugu No. 1"
    assert (event["GEO"].latitude, event["GEO"].longitude) == (-7.9771, 112.634)
    assert "Foto-foto produk" in str(event["DESCRIPTION"])
    assert "URL" not in event


def test_reminder_two_hours_before() -> None:
    event = event_of(session_ics(session(), WIB, "en"))
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == -timedelta(hours=2)
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert "charged phone" in str(event["DESCRIPTION"])


def test_online_session_has_the_link_as_location_and_url() -> None:
    link = "https://meet.example.org/dodolan"
    online = session(
        venue_name=None, venue_address=None, latitude=None, longitude=None, online_url=link
    )
    event = event_of(session_ics(online, WIB, "id"))
    assert str(event["LOCATION"]) == link
    assert str(event["URL"]) == link
    assert "GEO" not in event


def test_a_new_entry_has_the_session_revision_as_sequence() -> None:
    assert event_of(session_ics(session(), WIB, "id")).decoded("SEQUENCE") == 0
    assert event_of(session_ics(session(sequence=3), WIB, "id")).decoded("SEQUENCE") == 3


def test_a_change_is_a_request_for_the_same_uid_with_the_higher_sequence() -> None:
    later = START + timedelta(days=1)
    moved = session(starts_at=later, ends_at=later + timedelta(hours=2), sequence=2)
    event = event_of(session_ics(moved, WIB, "id", method=REQUEST), "REQUEST")
    assert str(event["UID"]) == "sesi-42@dodolan"
    assert event.decoded("SEQUENCE") == 2
    assert event.decoded("DTSTART") == later and str(event["STATUS"]) == "CONFIRMED"
    assert len(event.walk("VALARM")) == 1


def test_a_cancel_marks_the_same_event_cancelled_without_a_reminder() -> None:
    event = event_of(session_ics(session(sequence=1), WIB, "en", method=CANCEL), "CANCEL")
    assert str(event["UID"]) == "sesi-42@dodolan"
    assert event.decoded("SEQUENCE") == 1
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.walk("VALARM") == []


def test_an_unknown_method_fails_loudly() -> None:
    with pytest.raises(ValueError, match="ADD"):
        session_ics(session(), WIB, "id", method="ADD")
