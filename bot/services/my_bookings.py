"""The owner's own bookings (/bookingsaya), channel-free: what is coming, then what is past.

Each booking still ahead (or under way) is its own card with what can be done about it, the
soonest first (:func:`bot.services.session_screens.booking_screen`). Sessions that have
ended follow as one short list saying whether the owner attended (trainers record it),
without choices: nothing can be changed about them, and they hold no place against
``DODOLAN_MAX_ACTIVE_BOOKINGS``. Telegram and WhatsApp both render these notices.
"""

from __future__ import annotations

from collections.abc import Mapping
from zoneinfo import ZoneInfo

from bot.core.notices import Notice
from bot.formatting import format_day
from bot.i18n import Catalog
from bot.services.booking import BookingView, MyBookings
from bot.services.owner_screens import WIDE, Room, with_lead
from bot.services.session_screens import booking_screen


def past_line(catalog: Catalog, language: str, view: BookingView, tz: ZoneInfo) -> str:
    """One past session: "✅ Foto produk – Sabtu, 12 Desember 2026 · hadir"."""
    key = "past_bookings.attended" if view.booking.attended_at else "past_bookings.missed"
    day = format_day(view.session.starts_at, tz, language)
    return catalog.text(language, key, title=view.session.title, day=day)


def past_list(catalog: Catalog, language: str, mine: MyBookings, tz: ZoneInfo) -> Notice:
    """The sessions that ended, the latest first, as one message without choices."""
    t = catalog.text
    lines = [past_line(catalog, language, view, tz) for view in mine.past]
    if mine.older:
        key = "past_bookings.older_one" if mine.older == 1 else "past_bookings.older"
        lines.append(t(language, key, count=mine.older))
    return Notice("\n".join([t(language, "past_bookings.heading"), *lines]))


def bookings_screen(
    catalog: Catalog,
    language: str,
    mine: MyBookings,
    tz: ZoneInfo,
    trainers: Mapping[int, str],
    room: Room = WIDE,
) -> tuple[Notice, ...]:
    """The owner's bookings as messages: one card per booking ahead, then the past list."""
    if not mine.upcoming and not mine.past:
        return (Notice(catalog.text(language, "booking.mine_none")),)
    cards = tuple(
        booking_screen(catalog, language, view, tz, trainers, room=room) for view in mine.upcoming
    )
    if not mine.past:
        return cards
    past = past_list(catalog, language, mine, tz)
    if not cards:
        past = with_lead(catalog.text(language, "past_bookings.none_ahead"), past)
    return (*cards, past)
