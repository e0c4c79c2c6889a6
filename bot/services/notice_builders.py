"""Notice builders: one function per outbox kind turns a row into a Notice from current data.

Each returns None when the row no longer applies (the booking moved on, the session started
or was cancelled, the owner opted out), so the delivery service skips it. They read, never
write: what a send changes is recorded by the kind's ``after_sent`` hook.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core import choices as ids
from bot.core.models import (
    BookingStatus,
    Broadcast,
    BroadcastStatus,
    LinkRows,
    OutboxMessage,
    SessionStatus,
    TrainingSession,
)
from bot.core.notices import Attachment, Category, Choice, Notice
from bot.formatting import format_datetime
from bot.i18n import Catalog, Html
from bot.services import notices
from bot.services.booking import BookingService
from bot.services.broadcasts import ANNOUNCEMENT, OUTBOX_KIND, BroadcastService
from bot.services.delivery import Builders
from bot.services.files import FileService
from bot.services.reminders import lead_time
from bot.services.session_screens import offer_choices
from bot.services.session_texts import place, preparation, when
from bot.services.sessions import SessionService

LATE_AFTER = timedelta(minutes=10)


def maps_link(latitude: float, longitude: float) -> str:
    """A map link that opens in any phone's browser or maps app."""
    return f"https://www.google.com/maps/search/?api=1&query={latitude},{longitude}"


def framed(catalog: Catalog, lang: str, kind: str, text: str) -> str:
    """What a broadcast's recipients read: an announcement says it comes from the Dinas and
    how to stop receiving them; a trainer's follow-up is the trainer's text alone."""
    if kind != ANNOUNCEMENT:
        return text
    header = catalog.text(lang, "broadcast.header")
    footer = catalog.text(lang, "broadcast.footer")
    return "\n\n".join(part for part in (header, text, footer) if part)


def broadcast_notice(
    catalog: Catalog,
    lang: str,
    kind: str,
    text: str,
    buttons: LinkRows,
    attachment: Attachment | None,
) -> Notice:
    """A broadcast as its recipients get it: framed text, its link buttons in their rows, its
    file. Each copy is built by it, and so is the sender's preview, which is therefore exact."""
    links = [
        Choice(f"link:{i}", b.label, url=b.url)
        for i, b in enumerate(b for row in buttons for b in row)
    ]
    return Notice(
        framed(catalog, lang, kind, text),
        tuple(links),
        rows=tuple(len(row) for row in buttons) or None,
        attachment=attachment,
    )


@dataclass(frozen=True)
class NoticeBuilders:
    """The builders of the programme's own notices, over the services they read."""

    catalog: Catalog
    tz: ZoneInfo
    booking: BookingService
    sessions: SessionService
    broadcasts: BroadcastService
    files: FileService

    def register(self, builders: Builders) -> None:
        """Add every kind built here to ``builders``."""
        builders.add(notices.REMINDER, self.reminder)
        builders.add(notices.TRAINER_REMINDER, self.trainer_reminder)
        builders.add(notices.SEAT_OFFER, self.seat_offer)
        builders.add(notices.WAITLIST_MOVED, self.waitlist_moved)
        builders.add(notices.OFFER_EXPIRED, self.session_note)
        builders.add(notices.WAITLIST_ENDED, self.session_note)
        builders.add(OUTBOX_KIND, self.broadcast_copy)

    async def reminder(self, message: OutboxMessage, lang: str, now: datetime) -> Notice | None:
        """The owner's reminder; it asks "will you come?" only if they have not said so."""
        view = await self.booking.view_by_id(int(message.params["booking_id"]))
        if (
            view is None
            or view.booking.status != BookingStatus.CONFIRMED
            or view.booking.attended_at
        ):
            return None  # over, or checked in already: they are there
        session, catalog = view.session, self.catalog
        if session.status == SessionStatus.CANCELLED or session.starts_at <= now:
            return None
        said_coming = await self.booking.said_coming(view.booking.id)
        heading = self._heading(lang, "reminder.heading", message, session.starts_at, now)
        text = self._late(lang, message, now) + catalog.text(
            lang,
            "reminder.owner",
            heading=heading,
            title=session.title,
            when=when(session, self.tz, lang),
            where=Html(self._where(lang, session)),
            prep=Html(preparation(catalog, lang, "reminder", session)),
            closing=Html(
                catalog.text(lang, "reminder.see_you" if said_coming else "reminder.ask")
            ),
        )
        answers = () if said_coming else self._will_you_come(lang, view.booking.id)
        return Notice(
            text,
            answers,
            rows=(2,) if answers else None,
            kind=message.kind,
            params=self._about(session, lang),
        )

    def _will_you_come(self, lang: str, booking_id: int) -> tuple[Choice, ...]:
        """ "I'll be there" / "I can't come" under a reminder."""
        ident, catalog = str(booking_id), self.catalog
        return (
            Choice(ids.pack(ids.REMINDER, "yes", ident), catalog.text(lang, "reminder.coming")),
            Choice(ids.pack(ids.REMINDER, "no", ident), catalog.text(lang, "reminder.not_coming")),
        )

    async def trainer_reminder(
        self, message: OutboxMessage, lang: str, now: datetime
    ) -> Notice | None:
        """The trainer's reminder of a session they still lead, with the seats taken."""
        session = await self.sessions.get(int(message.params["session_id"]))
        if (
            session is None
            or session.status == SessionStatus.CANCELLED
            or session.starts_at <= now
        ):
            return None
        if session.trainer_id != message.user_id:
            return None  # the session has another trainer now
        heading = self._heading(lang, "reminder.trainer_heading", message, session.starts_at, now)
        text = self._late(lang, message, now) + self.catalog.text(
            lang,
            "reminder.trainer",
            heading=heading,
            title=session.title,
            when=when(session, self.tz, lang),
            where=Html(self._where(lang, session)),
            count=session.confirmed,
        )
        return Notice(text, kind=message.kind, params=self._about(session, lang))

    async def seat_offer(self, message: OutboxMessage, lang: str, now: datetime) -> Notice | None:
        """A freed seat held for a waiting owner, while the offer stands."""
        view = await self.booking.view_by_id(int(message.params["booking_id"]))
        if view is None or view.booking.status != BookingStatus.OFFERED:
            return None
        expires = view.booking.offer_expires_at
        if expires is None:
            return None
        session, catalog = view.session, self.catalog
        until = format_datetime(expires, self.tz, lang)
        text = catalog.text(
            lang,
            "notice.seat_offer",
            title=session.title,
            when=when(session, self.tz, lang),
            until=until,
        )
        offer = offer_choices(catalog, lang, view.booking.id)
        params = {**self._about(session, lang), "until": until}
        return Notice(text, offer, rows=(2,), kind=message.kind, params=params)

    async def waitlist_moved(
        self, message: OutboxMessage, lang: str, now: datetime
    ) -> Notice | None:
        """The owner's new place on the waitlist, while they still wait."""
        view = await self.booking.view_by_id(int(message.params["booking_id"]))
        if view is None or view.booking.status != BookingStatus.WAITLISTED or view.rank is None:
            return None
        title = view.session.title
        text = self.catalog.text(lang, "notice.waitlist_moved", title=title, rank=view.rank)
        params = {**self._about(view.session, lang), "rank": str(view.rank)}
        return Notice(text, kind=message.kind, params=params)

    async def session_note(
        self, message: OutboxMessage, lang: str, now: datetime
    ) -> Notice | None:
        """An offer that lapsed, or a waitlist that ended when the session began."""
        session = await self.sessions.get(int(message.params["session_id"]))
        if session is None:
            return None
        keys: dict[str, str] = {
            notices.OFFER_EXPIRED: "notice.offer_expired",
            notices.WAITLIST_ENDED: "notice.waitlist_ended",
        }
        key = keys[message.kind]
        text = self.catalog.text(lang, key, title=session.title, when=when(session, self.tz, lang))
        return Notice(text, kind=message.kind, params=self._about(session, lang))

    async def broadcast_copy(
        self, message: OutboxMessage, lang: str, now: datetime
    ) -> Notice | None:
        """One recipient's copy, as previewed; None if stopped or the owner opted out since."""
        broadcast = await self.broadcasts.get(int(message.params["broadcast_id"]))
        if broadcast is None or broadcast.status in (
            BroadcastStatus.STOPPED,
            BroadcastStatus.CANCELLED,
        ):
            return None
        announcement = broadcast.kind == ANNOUNCEMENT
        if announcement and not await self.broadcasts.wants_announcements(message.user_id):
            return None
        copy = broadcast_notice(
            self.catalog,
            lang,
            broadcast.kind,
            broadcast.text,
            broadcast.buttons,
            await self._attachment(broadcast),
        )
        return replace(
            copy,
            category=Category.ANNOUNCEMENT if announcement else Category.LOGISTICS,
            kind=message.kind,
            params={"text": broadcast.text},
        )

    async def _attachment(self, broadcast: Broadcast) -> Attachment | None:
        """The broadcast's file: its kept bytes (any channel sends them), under the key each
        channel caches its own id of the file by. A file from before the bot kept files has
        no bytes: only a channel that cached an id for it (Telegram) can send it."""
        key = broadcast.media_key
        if not broadcast.media_kind or key is None:
            return None
        kept = await self.files.get(broadcast.media_sha256) if broadcast.media_sha256 else None
        return Attachment(
            broadcast.media_kind,
            name=broadcast.media_name,
            content=kept.content if kept is not None else None,
            mime_type=kept.mime_type if kept is not None else None,
            key=key,
        )

    def _about(self, session: TrainingSession, lang: str) -> dict[str, str]:
        """The values a template about this session needs, as plain text (not markup)."""
        return {
            "title": session.title,
            "when": when(session, self.tz, lang),
            "place": html.unescape(place(self.catalog, lang, session)),
        }

    def _late(self, lang: str, message: OutboxMessage, now: datetime) -> str:
        if now - message.due_at <= LATE_AFTER:
            return ""
        return self.catalog.text(lang, "reminder.late") + "\n"

    def _where(self, lang: str, session: TrainingSession) -> str:
        """The place line of a reminder (the place is escaped once, by ``place``)."""
        spot = Html(place(self.catalog, lang, session))
        if session.latitude is not None and session.longitude is not None:
            link = maps_link(session.latitude, session.longitude)
            return self.catalog.text(lang, "reminder.where_map", place=spot, url=link)
        return self.catalog.text(lang, "reminder.where", place=spot)

    def _heading(
        self, lang: str, key: str, message: OutboxMessage, starts_at: datetime, now: datetime
    ) -> Html:
        """A reminder's first line; one sent a fixed time before the start says how soon."""
        catalog = self.catalog
        if lead_time(str(message.params.get("rule", ""))) is None:
            return Html(catalog.text(lang, key))
        minutes = max(1, round((starts_at - now).total_seconds() / 60))
        hours, rest = divmod(minutes, 60)
        unit, count = ("hour", hours) if hours and not rest else ("minute", minutes)
        soon = catalog.text(lang, f"reminder.in_{unit}{'' if count == 1 else 's'}", count=count)
        return Html(catalog.text(lang, f"{key}_soon", soon=soon))
