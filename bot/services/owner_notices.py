"""Notices that keep an owner learning: the daily tip, the preparation series, feedback.

Tips are chosen when their row is built (a retry gets the same tip) and recorded as sent by
``after_sent`` once the channel accepted them; the feedback question goes to attendees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core import choices as ids
from bot.core.models import BookingStatus, OutboxMessage, SessionStatus
from bot.core.notices import Choice, Notice
from bot.i18n import Catalog, Html
from bot.services.attendance import FEEDBACK_KIND
from bot.services.booking import BookingService
from bot.services.delivery import Builders
from bot.services.session_texts import when
from bot.services.tips import DAILY_TIP, PREP_TIP, TipsService
from bot.services.tips_content import Tip

ANY = "-"
PREP_STALE = timedelta(hours=6)  # a preparation tip this late is dropped: the next one follows


def tip_text(catalog: Catalog, language: str, tip: Tip, heading: str = "tips.heading") -> str:
    """A tip under its heading, in the reader's language."""
    topic = catalog.text(language, f"tips.topic.{tip.topic}")
    body = Html(tip.text.get(language) or tip.text["id"])
    return catalog.text(language, heading, topic=topic, tip=body)


def tip_choices(catalog: Catalog, language: str, tip: Tip) -> tuple[Choice, ...]:
    """Feedback on the tip, another tip, the topic picker (two rows of two)."""

    def choice(key: str, action: str, arg: str = ANY) -> Choice:
        return Choice(ids.pack(ids.TIPS, action, arg), catalog.text(language, key))

    return (
        choice("tips.button.helpful", "fy", tip.id),
        choice("tips.button.not_helpful", "fn", tip.id),
        choice("tips.button.another", "more"),
        choice("tips.button.topics", "topics"),
    )


TIP_ROWS = (2, 2)


@dataclass(frozen=True)
class OwnerNotices:
    """Builders of tips and the feedback question."""

    catalog: Catalog
    tz: ZoneInfo
    booking: BookingService
    tips: TipsService

    def register(self, builders: Builders) -> None:
        """Add the tip and feedback kinds to ``builders``."""
        builders.add(DAILY_TIP, self.daily_tip, self.daily_sent)
        builders.add(PREP_TIP, self.prep_tip, self.prep_sent)
        builders.add(FEEDBACK_KIND, self.feedback)

    async def daily_tip(self, message: OutboxMessage, lang: str, now: datetime) -> Notice | None:
        """Today's tip (chosen now, tomorrow's queued); None if paused or in quiet hours."""
        tip = await self.tips.take_daily(message.user_id, _day(message))
        if tip is None:
            return None
        text = tip_text(self.catalog, lang, tip, "tips.daily.heading")
        choices = tip_choices(self.catalog, lang, tip)
        return Notice(text, choices, rows=TIP_ROWS, kind=message.kind)

    async def daily_sent(self, message: OutboxMessage, now: datetime) -> None:
        """Record that today's tip reached the owner."""
        await self.tips.daily_sent(message.user_id, _day(message))

    async def prep_tip(self, message: OutboxMessage, lang: str, now: datetime) -> Notice | None:
        """One "get ready for your session" tip, while the booking still stands."""
        view = await self.booking.view_by_id(int(message.params["booking_id"]))
        if view is None or view.booking.status != BookingStatus.CONFIRMED:
            return None
        session = view.session
        if session.status == SessionStatus.CANCELLED or session.starts_at <= now:
            return None
        if now - message.due_at > PREP_STALE:
            return None  # the bot was down past that day: the next step or the reminder follows
        tip = await self.tips.prep_tip(message.user_id, int(message.params["step"]))
        if tip is None:
            return None
        intro = self.catalog.text(
            lang, "tips.prep.intro", title=session.title, when=when(session, self.tz, lang)
        )
        text = intro + "\n\n" + tip_text(self.catalog, lang, tip)
        choices = tip_choices(self.catalog, lang, tip)
        return Notice(text, choices, rows=TIP_ROWS, kind=message.kind)

    async def prep_sent(self, message: OutboxMessage, now: datetime) -> None:
        """Record that a preparation tip reached the owner."""
        await self.tips.prep_sent(message.user_id, int(message.params["step"]))

    async def feedback(self, message: OutboxMessage, lang: str, now: datetime) -> Notice | None:
        """The 1-5 star question after a session (only for attendees)."""
        booking_id = str(message.params["booking_id"])
        view = await self.booking.view_by_id(int(booking_id))
        if view is None:
            return None
        stars = tuple(
            Choice(ids.pack(ids.FEEDBACK, booking_id, str(n)), "⭐" * n) for n in range(1, 6)
        )
        text = self.catalog.text(lang, "feedback.ask", title=view.session.title)
        return Notice(text, stars, rows=(3, 2), kind=message.kind)


def _day(message: OutboxMessage) -> date:
    return date.fromisoformat(str(message.params["day"]))
