"""The sessions an owner picks from, decided once for every channel: the schedule ("jadwal")
and the sessions a seat can move to ("Pindah sesi"), a page at a time.

Which sessions are shown, whether they come as cards (a few) or as one list (more), which
page a list choice opens and whether that page exists are the programme's, not an edge's:
each edge renders the notices these return (Telegram edits the list's message where it can,
WhatsApp and the text channel send new ones).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.models import SessionStatus, TrainingSession
from bot.core.notices import Notice
from bot.i18n import Catalog
from bot.services import session_screens
from bot.services.booking import BookingService
from bot.services.owner_screens import WIDE, Room, with_lead
from bot.services.sessions import SessionService
from bot.services.users import UserService

MAX_CARDS = 3  # up to this many bookable sessions come as cards; more as one list


def move_targets(bookable: Sequence[TrainingSession], current: int) -> list[TrainingSession]:
    """The sessions a seat in session ``current`` can move to: another one, with a free seat."""
    return [s for s in bookable if s.id != current and s.seats_left > 0]


@dataclass(frozen=True)
class SessionLists:
    """The owners' lists of sessions for one reader, fitted to the reader's channel."""

    sessions: SessionService
    booking: BookingService
    users: UserService
    catalog: Catalog
    tz: ZoneInfo
    now: Callable[[], datetime]
    language: str
    room: Room = WIDE

    async def schedule(self) -> tuple[Notice, ...]:
        """ "jadwal": up to :data:`MAX_CARDS` cards with their book choice (the first under
        the introduction), more as the list's first page; "none open" when there are none."""
        bookable = await self.sessions.bookable()
        if not bookable:
            return (Notice(self.catalog.text(self.language, "booking.none_open")),)
        if len(bookable) > MAX_CARDS:
            return (self._page(bookable, 0),)
        intro = self.catalog.text(self.language, "booking.list_intro")
        cards = [await self.card(s) for s in bookable]
        return (with_lead(intro, cards[0]), *cards[1:])

    async def schedule_page(self, page: int) -> Notice | None:
        """A page of the schedule's list; None when no list of ours had that page."""
        bookable = await self.sessions.bookable()
        if not bookable or not 0 <= page < session_screens.page_count(bookable):
            return None
        return self._page(bookable, page)

    async def card(self, session: TrainingSession, *, from_list: bool = False) -> Notice:
        """One session's card with its book (or waitlist) choice while it can be booked."""
        trainers = await self.users.display_names(
            [session.trainer_id] if session.trainer_id else []
        )
        return session_screens.session_screen(
            self.catalog,
            self.language,
            session,
            self.tz,
            trainers,
            now=self.now(),
            from_list=from_list,
            room=self.room,
        )

    async def opened(self, session_id: int) -> Notice | None:
        """The card of a session opened from the list (with the way back to it); None when
        the session is gone or cancelled."""
        session = await self.sessions.get(session_id)
        if session is None or session.status == SessionStatus.CANCELLED:
            return None
        return await self.card(session, from_list=True)

    async def move_choices(self, user_id: int, booking_id: int, page: int = 0) -> Notice | None:
        """A page of the sessions the owner's seat can move to ("none to move to", without
        choices, when there is none); None when no list of ours had that page.

        Raises what :meth:`BookingService.changeable` raises for a booking that is not the
        owner's to change.
        """
        view = await self.booking.changeable(user_id, booking_id)
        targets = move_targets(await self.sessions.bookable(), view.session.id)
        if not targets:
            return Notice(self.catalog.text(self.language, "booking.move_none"))
        if not 0 <= page < session_screens.page_count(targets):
            return None
        return session_screens.move_choices(
            self.catalog, self.language, booking_id, targets, self.tz, self.room, page=page
        )

    def _page(self, bookable: Sequence[TrainingSession], page: int) -> Notice:
        return session_screens.schedule(
            self.catalog, self.language, bookable, self.tz, self.room, page=page
        )
