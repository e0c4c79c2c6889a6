"""Telegram's session and booking screens: ``bot.services.session_screens`` rendered as HTML
text and inline keyboards, in one reader's language. No I/O here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.models import TrainingSession
from bot.i18n import Catalog
from bot.services import session_screens as screens
from bot.services.booking import BookingView, MyBookings
from bot.services.my_bookings import bookings_screen
from bot.services.session_texts import session_card as session_card
from handlers.telegram.context import DodolanContext
from handlers.telegram.views import Rendered, render


@dataclass(frozen=True)
class SessionViews:
    """The session and booking screens for one reader, as Telegram shows them."""

    catalog: Catalog
    language: str
    tz: ZoneInfo

    @classmethod
    def of(cls, context: DodolanContext) -> SessionViews:
        """The screens for the person of ``context``."""
        services = context.services
        return cls(services.catalog, context.language, services.settings.timezone)

    def card(self, session: TrainingSession, trainers: Mapping[int, str]) -> str:
        """A session as owners see it, without buttons."""
        return session_card(self.catalog, self.language, session, self.tz, trainers)

    def session(
        self,
        session: TrainingSession,
        trainers: Mapping[int, str],
        *,
        now: datetime,
        from_list: bool = False,
    ) -> Rendered:
        """The session's card with its booking button while it can be booked."""
        notice = screens.session_screen(
            self.catalog, self.language, session, self.tz, trainers, now=now, from_list=from_list
        )
        return render(notice)

    def schedule(self, sessions: Sequence[TrainingSession], page: int = 0) -> Rendered:
        """A page of the bookable sessions, a button per session to open its card."""
        return render(screens.schedule(self.catalog, self.language, sessions, self.tz, page=page))

    def booking(
        self, view: BookingView, trainers: Mapping[int, str], *, just_cancelled: bool = False
    ) -> Rendered:
        """An owner's booking, waitlist place or offer with what they can do about it."""
        notice = screens.booking_screen(
            self.catalog, self.language, view, self.tz, trainers, just_cancelled=just_cancelled
        )
        return render(notice)

    def my_bookings(self, mine: MyBookings, trainers: Mapping[int, str]) -> list[Rendered]:
        """/bookingsaya: a card per booking ahead with its buttons, then past sessions apart."""
        notices = bookings_screen(self.catalog, self.language, mine, self.tz, trainers)
        return [render(notice) for notice in notices]

    def cancel_question(self, view: BookingView, trainers: Mapping[int, str]) -> Rendered:
        """The booking's card with "Really cancel?" and yes / no."""
        notice = screens.cancel_question(self.catalog, self.language, view, self.tz, trainers)
        return render(notice)

    def move_choices(
        self, booking_id: int, targets: Sequence[TrainingSession], page: int = 0
    ) -> Rendered:
        """ "Choose the new session" with a button per session the booking can move to."""
        return render(
            screens.move_choices(
                self.catalog, self.language, booking_id, targets, self.tz, page=page
            )
        )
