"""The owner's bookings screen as channel-free Notices: what is coming, then what is past."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.markup import plain
from bot.core.models import Booking, BookingStatus, SessionStatus, TrainingSession
from bot.i18n import Catalog
from bot.services.booking import BookingView, MyBookings
from bot.services.my_bookings import bookings_screen
from bot.services.session_screens import booking_screen

TZ = ZoneInfo("Asia/Jakarta")
SATURDAY_9 = datetime(2026, 12, 12, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def _view(
    booking_id: int, title: str, weeks: int, *, attended: bool = False, ended: bool = True
) -> BookingView:
    starts = SATURDAY_9 + timedelta(weeks=weeks)
    session = TrainingSession(
        id=booking_id,
        code=f"s{booking_id}",
        title=title,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        venue_name="Aula Dinas",
        venue_address=None,
        latitude=None,
        longitude=None,
        online_url=None,
        capacity=20,
        trainer_id=None,
        cutoff_at=starts - timedelta(hours=1),
        status=SessionStatus.OPEN,
        confirmed=1,
    )
    booking = Booking(
        id=booking_id,
        session_id=booking_id,
        user_id=1,
        status=BookingStatus.CONFIRMED,
        seq=booking_id,
        offer_expires_at=None,
        created_at=starts - timedelta(days=3),
        attended_at=starts if attended else None,
    )
    return BookingView(booking, session, None, ended=ended)


def test_upcoming_cards_come_first_with_their_choices_then_past_sessions_without(
    catalog: Catalog,
) -> None:
    upcoming = _view(3, "Iklan di Shopee", 2, ended=False)
    past = [_view(2, "Judul <produk> & foto", 1), _view(1, "Foto produk", 0, attended=True)]
    card, history = bookings_screen(catalog, "id", MyBookings([upcoming], past), TZ, {})
    assert plain(card.text).startswith("✅ Booking Anda\nIklan di Shopee")
    assert [c.id for c in card.choices] == ["bk:v1:movelist:3", "bk:v1:cancelask:3"]
    assert history.choices == ()
    assert plain(history.text).split("\n") == [
        "🗂 Sesi yang sudah lewat",
        "▫️ Judul <produk> & foto – Sabtu, 19 Desember 2026 · kehadiran tidak tercatat",
        "✅ Foto produk – Sabtu, 12 Desember 2026 · hadir",
    ]
    assert "Judul &lt;produk&gt; &amp; foto" in history.text  # escaped once


def test_only_past_sessions_say_nothing_is_booked_ahead_and_count_older_ones(
    catalog: Catalog,
) -> None:
    mine = MyBookings([], [_view(1, "Foto produk", 0, attended=True)], older=1)
    (only,) = bookings_screen(catalog, "en", mine, TZ, {})
    lines = plain(only.text).split("\n")
    assert (
        lines[0] == "You have no booking for an upcoming session. See the sessions with /sessions."
    )
    assert lines[2:] == [
        "🗂 Past sessions",
        "✅ Foto produk – Saturday, 12 December 2026 · attended",
        "…and 1 earlier session.",
    ]
    (more,) = bookings_screen(catalog, "en", MyBookings([], mine.past, older=4), TZ, {})
    assert plain(more.text).endswith("…and 4 earlier sessions.")


def test_no_booking_at_all(catalog: Catalog) -> None:
    (none,) = bookings_screen(catalog, "id", MyBookings([], []), TZ, {})
    assert plain(none.text) == "Anda belum punya booking. Lihat jadwal sesi di /jadwal."


def test_an_old_card_of_an_ended_session_is_redrawn_without_choices(catalog: Catalog) -> None:
    missed = booking_screen(catalog, "id", _view(1, "Foto produk", 0), TZ, {})
    assert plain(missed.text).startswith("🗂 Sesi ini sudah selesai – kehadiran Anda tidak")
    assert missed.choices == ()
    came = booking_screen(catalog, "en", _view(1, "Foto produk", 0, attended=True), TZ, {})
    assert plain(came.text).split("\n") == [
        "🗂 This session is over – you attended ✅",
        "Foto produk",
        "🗓 Saturday, 12 December 2026, 09:00–11:00 WIB",
    ]
    assert came.choices == ()
