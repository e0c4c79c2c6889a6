"""The owners' session and booking screens, channel-free: data in, a Notice out.

The session card with book (or waitlist), the schedule, the booking card with what can be
done about it (take or pass on an offer, leave the waitlist, move, cancel), "really cancel?"
and the sessions a seat can move to. Choice ids are the ``bk:v1:…`` and ``wl:v1:…`` of
:mod:`bot.core.choices`. Each view fits its choices to the channel's
:class:`~bot.services.owner_screens.Room`: a button text longer than the room's titles gives
way to its short catalog form (``wab.button.*``), and sessions to choose from come as
numbered buttons when they fit as buttons, else as list rows ("Sab 12/12 09.00 · Foto…")
whose description keeps the full title and the place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.core import choices as ids
from bot.core.markup import plain, shorten
from bot.core.models import BookingStatus, SessionStatus, TrainingSession
from bot.core.notices import Choice, Notice
from bot.formatting import format_clock, format_datetime
from bot.i18n import Catalog, Html
from bot.services.booking import BookingView
from bot.services.owner_screens import WIDE, Room
from bot.services.session_texts import place, seats, session_card, when

T = TypeVar("T")
PAGE_SIZE = 8  # sessions on one page: with "previous" and "next", a WhatsApp list's 10 rows
LABEL_TITLE = 40  # characters of a session's title on a button ("12/12 09.00 · Foto…")
SHORT_FORMS = {  # catalog texts with a shorter form for narrow buttons
    "booking.join_waitlist": "wab.button.join_waitlist",
    "booking.leave_waitlist": "wab.button.leave_waitlist",
    "booking.move": "wab.button.move",
}


def button_title(catalog: Catalog, language: str, key: str, room: Room = WIDE) -> str:
    """The text of ``key``, or its short form when the room's buttons cannot show it."""
    text = catalog.text(language, key)
    short = SHORT_FORMS.get(key)
    return catalog.text(language, short) if short and len(text) > room.title else text


def _choice(
    catalog: Catalog, language: str, key: str, *parts: str, room: Room = WIDE, kind: str = ""
) -> Choice:
    return Choice(
        ids.pack(kind or ids.BOOKING, *parts), button_title(catalog, language, key, room)
    )


def is_bookable(session: TrainingSession, now: datetime) -> bool:
    """Whether an owner can still book (or wait for) a seat in the session."""
    return session.status == SessionStatus.OPEN and session.cutoff_at > now


def session_screen(
    catalog: Catalog,
    language: str,
    session: TrainingSession,
    tz: ZoneInfo,
    trainers: Mapping[int, str],
    *,
    now: datetime,
    from_list: bool = False,
    room: Room = WIDE,
) -> Notice:
    """The session's card with book (waitlist when full) while it can be booked.

    ``from_list``: opened from the schedule, with the choice that goes back to it.
    """
    choices: list[Choice] = []
    if is_bookable(session, now):
        full = session.seats_left < 1
        key, action = ("booking.join_waitlist", "wait") if full else ("booking.book", "book")
        choices.append(_choice(catalog, language, key, action, str(session.id), room=room))
    if from_list:
        choices.append(_choice(catalog, language, "booking.back_to_list", "list", "0", room=room))
    return Notice(session_card(catalog, language, session, tz, trainers), tuple(choices))


def short_label(session: TrainingSession, tz: ZoneInfo, language: str) -> str:
    """A session on a button: "12/12 09.00 · Foto Produk Pakai HP" (the title cut at 40)."""
    start = session.starts_at.astimezone(tz)
    stamp = start.strftime("%d/%m %H.%M" if language == "id" else "%d/%m %H:%M")
    title = session.title
    if len(title) > LABEL_TITLE:
        title = title[: LABEL_TITLE - 1] + "…"
    return f"{stamp} · {title}"


def session_row(
    catalog: Catalog, language: str, session: TrainingSession, tz: ZoneInfo, room: Room
) -> tuple[str, str]:
    """A session as a list row: its title, then "Sab 12/12 09.00 · place" under it.

    A row title holds only 24 characters on WhatsApp: spent on the date, it left
    "Jum 11/12 09.00 ·…" and no title; the description (72) has room for when and where.
    """
    start = session.starts_at.astimezone(tz)
    day = format_date(start, "EEE dd/MM", locale=language)
    about = (
        f"{day} {format_clock(start, tz, language)} · {plain(place(catalog, language, session))}"
    )
    return shorten(session.title, room.row_title), about


def session_choices(
    catalog: Catalog,
    language: str,
    sessions: Sequence[TrainingSession],
    tz: ZoneInfo,
    choice_id: Callable[[TrainingSession], str],
    *,
    numbered: bool,
    room: Room = WIDE,
    first: int = 1,
    extra: int = 0,
) -> tuple[tuple[Choice, ...], bool]:
    """One choice per session, and whether they are buttons (else list rows).

    Buttons ("1. 12/12 09.00 · Foto…", ``numbered`` from ``first`` like the lines of the text)
    when all fit the room's buttons with ``extra`` more choices; else rows with a description.
    """
    labels = [short_label(s, tz, language) for s in sessions]
    if numbered:
        labels = [f"{n}. {label}"[:64] for n, label in enumerate(labels, start=first)]
    if len(sessions) + extra <= room.buttons and all(len(label) <= room.title for label in labels):
        full = [s.title if len(s.title) > LABEL_TITLE else None for s in sessions]
        buttons = zip(sessions, labels, full, strict=True)
        return tuple(Choice(choice_id(s), label, about) for s, label, about in buttons), True
    rows = (session_row(catalog, language, s, tz, room) for s in sessions)
    return tuple(Choice(choice_id(s), *row) for s, row in zip(sessions, rows, strict=True)), False


def page_count(items: Sequence[object], size: int = PAGE_SIZE) -> int:
    """How many pages of ``size`` the items fill (one, even when empty)."""
    return max(1, -(-len(items) // size))


def page_of(page: int, items: Sequence[T], size: int = PAGE_SIZE) -> tuple[int, Sequence[T]]:
    """The page asked for (an old one past the end is the last) and its items."""
    page = min(max(page, 0), page_count(items, size) - 1)
    return page, items[page * size : (page + 1) * size]


def _page_choices(
    catalog: Catalog, language: str, page: int, pages: int, choice_id: Callable[[int], str]
) -> tuple[Choice, ...]:
    """ "◀️ Previous" and "Next ▶️" to the pages around ``page`` that exist."""
    shown = []
    if page > 0:
        shown.append(Choice(choice_id(page - 1), catalog.text(language, "owner_lists.previous")))
    if page + 1 < pages:
        shown.append(Choice(choice_id(page + 1), catalog.text(language, "owner_lists.next")))
    return tuple(shown)


def _page_note(catalog: Catalog, language: str, page: int, pages: int) -> list[str]:
    return [catalog.text(language, "owner_lists.page", page=page + 1, pages=pages)] * (pages > 1)


def schedule(
    catalog: Catalog,
    language: str,
    every: Sequence[TrainingSession],
    tz: ZoneInfo,
    room: Room = WIDE,
    *,
    page: int = 0,
) -> Notice:
    """One page of the bookable sessions, a choice per session to open its card, and the
    choices to the pages before and after it (``bk:v1:list:<page>``)."""
    pages = page_count(every)
    page, sessions = page_of(page, every)
    first = page * PAGE_SIZE + 1
    nav = _page_choices(
        catalog, language, page, pages, lambda n: ids.pack(ids.BOOKING, "list", str(n))
    )
    lines = [
        catalog.text(
            language,
            "booking.list_line",
            number=number,
            title=session.title,
            when=when(session, tz, language),
            seats=Html(seats(catalog, language, session)),
        )
        for number, session in enumerate(sessions, start=first)
    ]
    choices, as_buttons = session_choices(
        catalog,
        language,
        sessions,
        tz,
        lambda s: ids.pack(ids.BOOKING, "show", str(s.id)),
        numbered=True,
        room=room,
        first=first,
        extra=len(nav),
    )
    lead = catalog.text(language, "booking.list_many" if as_buttons else "wab.schedule.many")
    note = _page_note(catalog, language, page, pages)
    return Notice("\n\n".join([lead, *lines, *note]), choices + nav)


def offer_choices(catalog: Catalog, language: str, booking_id: int) -> tuple[Choice, Choice]:
    """ "Take the seat" / "No, thanks" for a seat offered from the waitlist."""
    ident = str(booking_id)
    return (
        _choice(catalog, language, "booking.take", "take", ident, kind=ids.OFFER),
        _choice(catalog, language, "booking.skip", "skip", ident, kind=ids.OFFER),
    )


def booking_screen(
    catalog: Catalog,
    language: str,
    view: BookingView,
    tz: ZoneInfo,
    trainers: Mapping[int, str],
    *,
    just_cancelled: bool = False,
    room: Room = WIDE,
) -> Notice:
    """An owner's seat, waitlist place or offer as it is now, with what they can do about it.

    A seat they were checked in to, a booking that is over and one whose session has ended
    have no choices: nothing is left to do with them (``just_cancelled``: the owner has just
    cancelled it).
    """
    t = catalog.text
    card = Html(session_card(catalog, language, view.session, tz, trainers))
    booking, ident = view.booking, str(view.booking.id)
    if view.ended and booking.status == BookingStatus.CONFIRMED:
        key = "past_bookings.card_attended" if booking.attended_at else "past_bookings.card_missed"
        title, at = view.session.title, when(view.session, tz, language)
        return Notice(t(language, key, title=title, when=at))
    if view.ended and not just_cancelled:
        return Notice(t(language, "booking.mine_ended", card=card))
    if booking.status == BookingStatus.OFFERED:
        until = format_datetime(booking.offer_expires_at or view.session.starts_at, tz, language)
        text = t(language, "booking.mine_offered", until=until, card=card)
        return Notice(text, offer_choices(catalog, language, booking.id), (2,))
    if booking.status == BookingStatus.WAITLISTED:
        text = t(language, "booking.mine_waitlisted", rank=view.rank or 0, card=card)
        leave = _choice(catalog, language, "booking.leave_waitlist", "cancelask", ident, room=room)
        return Notice(text, (leave,))
    if booking.status == BookingStatus.CONFIRMED and booking.attended_at is not None:
        return Notice(t(language, "booking.mine_attended", card=card))
    if booking.status == BookingStatus.CONFIRMED:
        move = _choice(catalog, language, "booking.move", "movelist", ident, room=room)
        cancel = _choice(catalog, language, "booking.cancel", "cancelask", ident, room=room)
        return Notice(t(language, "booking.mine_confirmed", card=card), (move, cancel))
    key = "booking.mine_cancelled" if just_cancelled else "booking.mine_ended"
    return Notice(t(language, key, card=card))


def cancel_question(
    catalog: Catalog,
    language: str,
    view: BookingView,
    tz: ZoneInfo,
    trainers: Mapping[int, str],
) -> Notice:
    """The booking's card with "Really cancel?" and yes / no."""
    session, ident = view.session, str(view.booking.id)
    text = catalog.text(
        language,
        "booking.cancel_ask",
        card=Html(session_card(catalog, language, session, tz, trainers)),
        title=session.title,
        when=when(session, tz, language),
    )
    yes = _choice(catalog, language, "booking.cancel_yes", "cancel", ident)
    no = _choice(catalog, language, "booking.cancel_no", "keep", ident)
    return Notice(text, (yes, no), (2,))


def move_choices(
    catalog: Catalog,
    language: str,
    booking_id: int,
    every: Sequence[TrainingSession],
    tz: ZoneInfo,
    room: Room = WIDE,
    *,
    page: int = 0,
) -> Notice:
    """One page of the sessions with a free seat the booking can move to, one choice each,
    and the choices to the pages around it (``bk:v1:movepage:<booking>:<page>``)."""
    pages = page_count(every)
    page, targets = page_of(page, every)
    nav = _page_choices(
        catalog,
        language,
        page,
        pages,
        lambda n: ids.pack(ids.BOOKING, "movepage", str(booking_id), str(n)),
    )
    choices, _ = session_choices(
        catalog,
        language,
        targets,
        tz,
        lambda s: ids.pack(ids.BOOKING, "move", str(booking_id), str(s.id)),
        numbered=False,
        room=room,
        extra=len(nav),
    )
    lead = catalog.text(language, "booking.move_choose")
    text = "\n\n".join([lead, *_page_note(catalog, language, page, pages)])
    return Notice(text, choices + nav)
