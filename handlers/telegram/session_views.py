"""Pure renderers for sessions and bookings: data in, text and keyboards out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.models import TrainingSession
from bot.formatting import format_datetime
from bot.i18n import Catalog, Html
from bot.services.booking import BookingView
from bot.services.session_texts import is_online as is_online
from bot.services.session_texts import preparation as preparation
from bot.services.session_texts import seats, when
from bot.services.session_texts import session_card as session_card
from handlers.telegram import callbacks as cb


def book_keyboard(
    catalog: Catalog, language: str, session: TrainingSession
) -> InlineKeyboardMarkup:
    """The one-tap booking button (or the waitlist button when full)."""
    key, action = (
        ("booking.book", "book")
        if session.seats_left > 0
        else (
            "booking.join_waitlist",
            "wait",
        )
    )
    button = InlineKeyboardButton(
        catalog.text(language, key), callback_data=cb.pack(cb.BOOKING, action, str(session.id))
    )
    return InlineKeyboardMarkup([[button]])


def booking_card(
    catalog: Catalog,
    language: str,
    view: BookingView,
    tz: ZoneInfo,
    trainers: Mapping[int, str],
    *,
    just_cancelled: bool = False,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """An owner's booking, waitlist place or offer as it is now, with what they can do about it.

    A seat they were checked in to, and a booking that is over, have no buttons: there is
    nothing left to do with them (``just_cancelled``: the owner has just cancelled it).
    """
    card = Html(session_card(catalog, language, view.session, tz, trainers))
    booking = view.booking
    ident = str(booking.id)
    if booking.status == "offered":
        until = format_datetime(booking.offer_expires_at or view.session.starts_at, tz, language)
        text = catalog.text(language, "booking.mine_offered", until=until, card=card)
        return text, InlineKeyboardMarkup([offer_buttons(catalog, language, booking.id)])
    if booking.status == "waitlisted":
        text = catalog.text(language, "booking.mine_waitlisted", rank=view.rank or 0, card=card)
        row = [_button(catalog, language, "booking.leave_waitlist", "cancelask", ident)]
        return text, InlineKeyboardMarkup([row])
    if booking.status == "confirmed" and booking.attended_at is not None:
        return catalog.text(language, "booking.mine_attended", card=card), None
    if booking.status == "confirmed":
        text = catalog.text(language, "booking.mine_confirmed", card=card)
        rows = [
            [_button(catalog, language, "booking.move", "movelist", ident)],
            [_button(catalog, language, "booking.cancel", "cancelask", ident)],
        ]
        return text, InlineKeyboardMarkup(rows)
    key = "booking.mine_cancelled" if just_cancelled else "booking.mine_ended"
    return catalog.text(language, key, card=card), None


def offer_buttons(catalog: Catalog, language: str, booking_id: int) -> list[InlineKeyboardButton]:
    """ "Take the seat" / "No, thanks" for a waitlist offer."""
    return [
        InlineKeyboardButton(
            catalog.text(language, "booking.take"),
            callback_data=cb.pack(cb.OFFER, "take", str(booking_id)),
        ),
        InlineKeyboardButton(
            catalog.text(language, "booking.skip"),
            callback_data=cb.pack(cb.OFFER, "skip", str(booking_id)),
        ),
    ]


def cancel_confirmation(
    catalog: Catalog,
    language: str,
    view: BookingView,
    tz: ZoneInfo,
    trainers: Mapping[int, str],
) -> tuple[str, InlineKeyboardMarkup]:
    """The booking's card with "Really cancel?" and yes / no."""
    text = catalog.text(
        language,
        "booking.cancel_ask",
        card=Html(session_card(catalog, language, view.session, tz, trainers)),
        title=view.session.title,
        when=when(view.session, tz, language),
    )
    keyboard = InlineKeyboardMarkup(
        [
            [
                _button(catalog, language, "booking.cancel_yes", "cancel", str(view.booking.id)),
                _button(catalog, language, "booking.cancel_no", "keep", str(view.booking.id)),
            ]
        ]
    )
    return text, keyboard


def move_choices(
    catalog: Catalog,
    language: str,
    booking_id: int,
    targets: list[TrainingSession],
    tz: ZoneInfo,
) -> InlineKeyboardMarkup:
    """One button per session the booking can move to."""
    rows = [
        [
            InlineKeyboardButton(
                _short_label(target, tz, language),
                callback_data=cb.pack(cb.BOOKING, "move", str(booking_id), str(target.id)),
            )
        ]
        for target in targets
    ]
    return InlineKeyboardMarkup(rows)


def schedule_list(
    catalog: Catalog, language: str, sessions: Sequence[TrainingSession], tz: ZoneInfo
) -> tuple[str, InlineKeyboardMarkup]:
    """All bookable sessions in one message, a button per session to open its card."""
    lines = [
        catalog.text(
            language,
            "booking.list_line",
            number=number,
            title=session.title,
            when=when(session, tz, language),
            seats=Html(seats(catalog, language, session)),
        )
        for number, session in enumerate(sessions, start=1)
    ]
    text = "\n\n".join([catalog.text(language, "booking.list_many"), *lines])
    buttons = [
        [
            InlineKeyboardButton(
                f"{number}. {_short_label(session, tz, language)}"[:64],
                callback_data=cb.pack(cb.BOOKING, "show", str(session.id)),
            )
        ]
        for number, session in enumerate(sessions, start=1)
    ]
    return text, InlineKeyboardMarkup(buttons)


def back_to_list(catalog: Catalog, language: str) -> InlineKeyboardButton:
    """The button on a session card opened from the list that goes back to the list."""
    return InlineKeyboardButton(
        catalog.text(language, "booking.back_to_list"),
        callback_data=cb.pack(cb.BOOKING, "list", "0"),
    )


def _short_label(session: TrainingSession, tz: ZoneInfo, language: str) -> str:
    start: datetime = session.starts_at.astimezone(tz)
    stamp = start.strftime("%d/%m %H.%M" if language == "id" else "%d/%m %H:%M")
    title = session.title if len(session.title) <= 40 else session.title[:39] + "…"
    return f"{stamp} · {title}"


def _button(
    catalog: Catalog, language: str, key: str, action: str, ident: str
) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        catalog.text(language, key), callback_data=cb.pack(cb.BOOKING, action, ident)
    )
