"""What staff type while building a session: dates, times, places, numbers, step by step."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.core.errors import InvalidInput
from bot.core.models import TrainingSession
from bot.services import session_input as si
from bot.services.sessions import check_draft

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # Tuesday 1 December 2026, 09.00 WIB


@pytest.mark.parametrize("typed", ["12-12-2026", "12/12/2026", " 12.12.2026 ", "12 - 12 - 2026"])
def test_dates_day_first(typed: str) -> None:
    assert si.parse_date(typed) == date(2026, 12, 12)


@pytest.mark.parametrize("typed", ["2026-12-12", "besok", "12-12-26", ""])
def test_bad_dates_are_refused(typed: str) -> None:
    with pytest.raises(InvalidInput) as refusal:
        si.parse_date(typed)
    assert refusal.value.key == "staff.invalid.date"


@pytest.mark.parametrize(
    "typed", ["09.00-11.00", "09:00–11:00", "9.00 - 11.00", "09.00 sampai 11.00", "09:00—11:00"]
)
def test_time_ranges(typed: str) -> None:
    assert si.parse_time_range(typed) == (time(9), time(11))


def test_time_range_refusals() -> None:
    with pytest.raises(InvalidInput, match=r"^staff\.invalid\.time$"):
        si.parse_time_range("jam 9")
    with pytest.raises(InvalidInput, match=r"^staff\.invalid\.time$"):
        si.parse_time_range("25.00-26.00")
    with pytest.raises(InvalidInput, match=r"^session\.invalid\.end_before_start$"):
        si.parse_time_range("11.00-09.00")


def test_coordinates_capacity_hours_url() -> None:
    assert si.parse_coordinates("-7.98, 112.63") == (-7.98, 112.63)
    assert si.parse_coordinates("-7.98 112.63") == (-7.98, 112.63)
    for bad in ("-97.9, 112.6", "di sini", "7,98"):
        with pytest.raises(InvalidInput, match=r"^staff\.invalid\.coordinates$"):
            si.parse_coordinates(bad)
    assert si.parse_capacity(" 15 ") == 15
    with pytest.raises(InvalidInput, match=r"^staff\.invalid\.number$"):
        si.parse_capacity("lima belas")
    with pytest.raises(InvalidInput) as refusal:
        si.parse_capacity("0")
    assert refusal.value.key == "session.invalid.capacity" and refusal.value.params == {"max": 500}
    assert si.parse_hours("24") == 24 and si.parse_hours("3 jam") == 3
    with pytest.raises(InvalidInput, match=r"^staff\.invalid\.hours$"):
        si.parse_hours("200")
    with pytest.raises(InvalidInput, match=r"^session\.invalid\.url$"):
        si.parse_url("meet.google.com/abc")


def test_offered_days_start_tomorrow_in_local_time() -> None:
    days = si.offered_days(NOW, WIB)
    assert days[0] == date(2026, 12, 2) and len(days) == 14


def test_a_whole_venue_session_yields_a_valid_draft() -> None:
    step, data = si.answer_text("title", "Belajar foto produk", {}, NOW, WIB)
    step, data = si.answer_choice(step, "2026-12-12", data, NOW, WIB)
    step, data = si.answer_text(step, "09.00-11.00", data, NOW, WIB)
    assert step == "place"
    step, data = si.answer_choice(step, "venue", data, NOW, WIB)
    step, data = si.answer_text(step, "Aula Dinas", data, NOW, WIB)
    step, data = si.answer_text(step, "Jl. Panji Suroso 18", data, NOW, WIB)
    assert step == "coords"
    step, data = si.answer_location(step, -7.98, 112.63, data)
    step, data = si.answer_choice(step, "20", data, NOW, WIB)
    step, data = si.answer_choice(step, "none", data, NOW, WIB)
    step, data = si.answer_text(step, "24", data, NOW, WIB)
    assert step == "confirm"
    draft = si.draft_of(data, WIB)
    assert draft.starts_at == datetime(2026, 12, 12, 2, 0, tzinfo=UTC)
    assert draft.cutoff_at == datetime(2026, 12, 11, 2, 0, tzinfo=UTC)
    values = check_draft(draft, NOW)
    assert values["venue_name"] == "Aula Dinas" and values["latitude"] == -7.98


def test_online_session_and_steps_refusing_the_wrong_kind_of_answer() -> None:
    data = {"title": "x", "date": "2026-12-12", "start": "09:00", "end": "11:00"}
    step, data = si.answer_choice("place", "online", data, NOW, WIB)
    assert step == "online_url"
    step, data = si.answer_text(step, "https://meet.google.com/abc", data, NOW, WIB)
    assert step == "capacity" and data["online_url"] == "https://meet.google.com/abc"
    with pytest.raises(InvalidInput, match=r"^input.use_buttons$"):
        si.answer_text("place", "di aula", data, NOW, WIB)
    with pytest.raises(InvalidInput, match=r"^input.unknown_option$"):
        si.answer_choice("capacity", "999", data, NOW, WIB)
    with pytest.raises(InvalidInput, match=r"^input.unknown_option$"):
        si.answer_choice("date", "2027-06-01", data, NOW, WIB)  # not among the offered days
    with pytest.raises(InvalidInput, match=r"^staff\.invalid\.need_text$"):
        si.answer_location("title", 1.0, 1.0, data)


def test_past_dates_and_times_are_refused_early() -> None:
    with pytest.raises(InvalidInput, match=r"^session\.invalid\.past$"):
        si.answer_text("date", "30-11-2026", {"title": "x"}, NOW, WIB)
    data = {"title": "x", "date": "2026-12-01"}
    with pytest.raises(InvalidInput, match=r"^session\.invalid\.past$"):
        si.answer_text("time", "08.00-10.00", data, NOW, WIB)
    assert si.answer_text("time", "13.00-15.00", data, NOW, WIB)[0] == "place"


def _session(starts: datetime, ends: datetime) -> TrainingSession:
    return TrainingSession(
        id=1,
        code="abcdefgh",
        title="Foto produk",
        starts_at=starts,
        ends_at=ends,
        venue_name="Aula",
        venue_address=None,
        latitude=None,
        longitude=None,
        online_url=None,
        capacity=20,
        trainer_id=None,
        cutoff_at=starts,
        status="open",
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12-12-2026", si.When(date(2026, 12, 12))),
        ("13:00 - 15:30", si.When(None, time(13), time(15, 30))),
        ("jam 13.00-15.30 WIB", si.When(None, time(13), time(15, 30))),
        ("12-12-2026 09.00-11.00", si.When(date(2026, 12, 12), time(9), time(11))),
        ("12/12/2026, 13:00 - 15:30", si.When(date(2026, 12, 12), time(13), time(15, 30))),
        ("12.12.2026 pukul 9.00 s/d 11.00", si.When(date(2026, 12, 12), time(9), time(11))),
        ("12 - 12 - 2026 09:00–11:00", si.When(date(2026, 12, 12), time(9), time(11))),
    ],
)
def test_one_reader_for_dates_and_times(typed: str, expected: si.When) -> None:
    assert si.parse_when(typed) == expected


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("besok", "staff.invalid.when"),
        ("9 to 11", "staff.invalid.when"),
        ("", "staff.invalid.when"),
        ("31-02-2026 09.00-11.00", "staff.invalid.no_such_date"),
        ("12-12-2026 jam sembilan", "staff.invalid.time"),
        ("12-12-2026 11.00-09.00", "session.invalid.end_before_start"),
    ],
)
def test_what_the_reader_refuses(typed: str, key: str) -> None:
    with pytest.raises(InvalidInput) as refusal:
        si.parse_when(typed)
    assert refusal.value.key == key


def test_new_session_steps_accept_the_same_forms_as_the_change() -> None:
    data = {"title": "x"}
    assert si.answer_text("date", "12-12-2026", data, NOW, WIB)[0] == "time"
    step, both = si.answer_text("date", "12-12-2026 13:00 - 15:30", data, NOW, WIB)
    assert step == "place" and (both["date"], both["start"], both["end"]) == (
        "2026-12-12",
        "13:00",
        "15:30",
    )
    step, moved = si.answer_text("time", "13-12-2026 09.00-11.00", both, NOW, WIB)
    assert step == "place" and (moved["date"], moved["start"]) == ("2026-12-13", "09:00")
    with pytest.raises(InvalidInput, match=r"^staff\.invalid\.date$"):
        si.answer_text("date", "13:00 - 15:30", data, NOW, WIB)
    with pytest.raises(InvalidInput, match=r"^staff\.invalid\.time$"):
        si.answer_text("time", "13-12-2026", both, NOW, WIB)


def test_a_field_edited_from_the_summary_returns_to_the_summary() -> None:
    data = {
        "title": "x",
        "date": "2026-12-12",
        "start": "09:00",
        "end": "11:00",
        "venue_name": "Aula",
        "capacity": 20,
        "trainer_id": None,
    }
    step, editing = si.edit_field("when", data)
    assert step == "date"
    step, editing = si.answer_choice(step, "2026-12-13", editing, NOW, WIB)
    assert step == "time"
    step, done = si.answer_text(step, "13:00 - 15:30", editing, NOW, WIB)
    assert step == "confirm" and "editing" not in done
    assert (done["date"], done["start"], done["capacity"]) == ("2026-12-13", "13:00", 20)
    step, editing = si.edit_field("place", data)
    step, editing = si.answer_choice(step, "online", editing, NOW, WIB)
    step, done = si.answer_text(step, "https://meet.google.com/abc", editing, NOW, WIB)
    assert step == "confirm" and "venue_name" not in done
    step, editing = si.edit_field("capacity", data)
    assert si.answer_text(step, "25", editing, NOW, WIB)[0] == "confirm"
    with pytest.raises(InvalidInput, match=r"^input\.unknown_option$"):
        si.edit_field("venue_name", data)


def test_edit_changes() -> None:
    current = _session(
        datetime(2026, 12, 12, 9, 0, tzinfo=WIB), datetime(2026, 12, 12, 11, 0, tzinfo=WIB)
    )
    changes = si.edit_changes("time", "12-12-2026 13.00-15.00", WIB, current)
    assert changes == {
        "starts_at": datetime(2026, 12, 12, 13, 0, tzinfo=WIB),
        "ends_at": datetime(2026, 12, 12, 15, 0, tzinfo=WIB),
    }
    assert si.edit_changes("time", "13-12-2026", WIB, current) == {
        "starts_at": datetime(2026, 12, 13, 9, 0, tzinfo=WIB),
        "ends_at": datetime(2026, 12, 13, 11, 0, tzinfo=WIB),
    }
    assert si.edit_changes("time", "13:00 - 15:30", WIB, current) == {
        "starts_at": datetime(2026, 12, 12, 13, 0, tzinfo=WIB),
        "ends_at": datetime(2026, 12, 12, 15, 30, tzinfo=WIB),
    }
    place = si.edit_changes("place", "Balai Kota\nJl. Tugu 1", WIB, current)
    assert place["venue_name"] == "Balai Kota" and place["venue_address"] == "Jl. Tugu 1"
    assert place["online_url"] is None
    online = si.edit_changes("place", "https://zoom.us/j/1", WIB, current)
    assert online["online_url"] == "https://zoom.us/j/1" and online["venue_name"] is None
    assert si.edit_changes("cap", "40", WIB, current) == {"capacity": 40}
    with pytest.raises(InvalidInput, match=r"^staff\.invalid\.when$"):
        si.edit_changes("time", "besok pagi", WIB, current)


def test_a_date_that_is_not_in_the_calendar_is_named_as_such() -> None:
    with pytest.raises(InvalidInput) as refusal:
        si.parse_date("31-02-2026")
    assert refusal.value.key == "staff.invalid.no_such_date"
    assert refusal.value.params == {"date": "31-02-2026"}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("besok", si.When(date(2026, 12, 2))),
        ("Lusa", si.When(date(2026, 12, 3))),
        ("sabtu", si.When(date(2026, 12, 5))),
        ("selasa 09.00-11.00", si.When(date(2026, 12, 8), time(9), time(11))),  # next week's
        ("besok 9 pagi - 12 siang", si.When(date(2026, 12, 2), time(9), time(12))),
        ("besok, jam 1 siang sampai 3 sore", si.When(date(2026, 12, 2), time(13), time(15))),
        ("7 malam - 9 malam", si.When(None, time(19), time(21))),
        ("12 Desember 2026", si.When(date(2026, 12, 12))),
        ("12 des 2026 13.00-15.00", si.When(date(2026, 12, 12), time(13), time(15))),
        (  # the way the bot itself writes a session's time
            "Sabtu, 12 Desember 2026, 09.00–11.00 WIB",
            si.When(date(2026, 12, 12), time(9), time(11)),
        ),
    ],
)
def test_words_people_use_for_days_and_hours(typed: str, expected: si.When) -> None:
    assert si.parse_when(typed, NOW.astimezone(WIB).date()) == expected


@pytest.mark.parametrize("typed", ["9-12", "besok 9 - 11", "jam 9"])
def test_bare_hours_are_not_guessed(typed: str) -> None:
    with pytest.raises(InvalidInput):
        si.parse_when(typed, NOW.astimezone(WIB).date())


def test_the_new_session_date_step_reads_besok_from_the_clock() -> None:
    step, data = si.answer_text("date", "besok 9 pagi - 12 siang", {"title": "x"}, NOW, WIB)
    assert step == "place"
    assert (data["date"], data["start"], data["end"]) == ("2026-12-02", "09:00", "12:00")
