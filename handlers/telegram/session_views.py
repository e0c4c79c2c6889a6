"""Telegram's session and booking screens: ``bot.services.session_screens`` rendered as HTML
text and inline keyboards, in one reader's language. No I/O here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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
