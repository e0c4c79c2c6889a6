"""Notices about an owner's own place: replies to booking changes, and session changes.

* **Booking replies.** The booking service queues each reply with the change
  (``bot.services.notices``); the edge sends it at once with ``send_now`` and the delivery
  workers only if that did not happen. It is built here from current data and skipped if
  the booking has changed again since (a seat cancelled before its confirmation went out is
  not confirmed). A seat's confirmation is the caption of its calendar file, with a map link.
* **Session changes.** The sessions service queues one row per person with the session's
  values before and after and the new calendar revision. Each reads "was → is now", says
  what it means for the recipient's own place, and, for those who hold a seat or run the
  session, carries a calendar file with the same UID and the new SEQUENCE that updates
  (``REQUEST``) or removes (``CANCEL``) the entry the confirmation added.

An owner who gives up a seat (cancels it, or moves to another session) gets a ``CANCEL``
for its entry too; see :mod:`bot.services.calendar` for UIDs and SEQUENCE.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.markup import visible_length
from bot.core.models import (
    ACTIVE_BOOKING,
    BookingStatus,
    OutboxMessage,
    SessionStatus,
    TrainingSession,
)
from bot.core.notices import Attachment, Choice, Notice
from bot.formatting import format_datetime
from bot.i18n import Catalog, Html
from bot.services import notices, session_changes
from bot.services.booking import BookingService, BookingView
from bot.services.calendar import (
    CANCEL,
    CHAIR,
    DEFAULT_ORGANIZER,
    REQUEST,
    Invitation,
    booking_uid,
    person_address,
    session_ics,
    session_uid,
)
from bot.services.change_texts import differences
from bot.services.delivery import Builders
from bot.services.notice_builders import maps_link
from bot.services.session_texts import place, preparation, when
from bot.services.sessions import SessionService
from bot.services.users import UserService

CAPTION_LIMIT = 1024  # what both Telegram and WhatsApp allow under a file
LATE = notices.REPLY_GRACE  # a reply this long after the change says it is late

# The booking status each reply is about; the reply no longer applies once it is another.
STATUS: dict[str, BookingStatus] = {
    notices.BOOKING_CONFIRMED: BookingStatus.CONFIRMED,
    notices.WAITLIST_JOINED: BookingStatus.WAITLISTED,
    notices.BOOKING_CANCELLED: BookingStatus.CANCELLED,
    notices.OFFER_DECLINED: BookingStatus.DECLINED,
}


@dataclass(frozen=True)
class BookingNotices:
    """Builders of the notices about one owner's place in a session."""

    catalog: Catalog
    tz: ZoneInfo
    booking: BookingService
    sessions: SessionService
    users: UserService
    organizer: str = DEFAULT_ORGANIZER  # the ORGANIZER of every calendar file (a mailto: URI)

    def register(self, builders: Builders) -> None:
        """Add the booking replies and session-change notices to ``builders``."""
        for kind in notices.REPLIES:
            builders.add(kind, self.reply)
        builders.add(notices.SESSION_CHANGED, self.changed)
        builders.add(notices.SESSION_CANCELLED, self.cancelled)

    async def reply(self, message: OutboxMessage, lang: str, now: datetime) -> Notice | None:
        """The reply about a booking change; None if the booking has moved on since."""
        view = await self.booking.view_by_id(int(message.params["booking_id"]))
        if view is None or view.booking.status != STATUS[message.kind]:
            return None
        made_at = datetime.fromisoformat(message.params["at"])
        late = self.catalog.text(lang, "notice.late") + "\n" if now - made_at >= LATE else ""
        if message.kind == notices.BOOKING_CONFIRMED:
            moved_from = message.params.get("moved_from")
            left = await self.booking.view_by_id(int(moved_from)) if moved_from else None
            return self._confirmation(lang, view, now, late, left)
        title = view.session.title
        if message.kind == notices.WAITLIST_JOINED:
            text = self.catalog.text(lang, "booking.waitlisted", title=title, rank=view.rank or 0)
        elif message.kind == notices.BOOKING_CANCELLED:
            text = self.catalog.text(lang, "booking.cancelled", title=title)
            if message.params.get("had_seat"):  # its entry is in the calendar: remove it
                return self._seat_given_up(lang, late + text, view, now)
        else:
            text = self.catalog.text(lang, "booking.offer_declined")
        return Notice(late + text, kind=message.kind)

    def _confirmation(
        self, lang: str, view: BookingView, now: datetime, late: str, left: BookingView | None
    ) -> Notice:
        """A seat: the confirmation as the caption of its calendar file, with a map link.

        After a move (``left``: the booking it released) it first says the old seat is free
        again, and a second file removes the old session from the calendar.
        """
        catalog, session = self.catalog, view.session
        intro = late
        if left is not None:
            old = left.session
            moved = catalog.text(
                lang, "session_change.moved", title=old.title, when=when(old, self.tz, lang)
            )
            intro += moved + "\n\n"
        text = intro + catalog.text(
            lang,
            "booking.confirmed",
            title=session.title,
            when=when(session, self.tz, lang),
            place=Html(place(catalog, lang, session)),
            prep=Html(preparation(catalog, lang, "booking", session)),
        )
        ics = self._ics(session, lang, now, REQUEST, self._owner(view))
        links: tuple[Choice, ...] = ()
        if session.latitude is not None and session.longitude is not None:
            url = maps_link(session.latitude, session.longitude)
            links = (Choice("map", catalog.text(lang, "booking.open_map"), url=url),)
        removal = () if left is None else (self._removal(lang, left, now),)
        # the confirmation itself says a calendar file is attached: the caption is the text
        if visible_length(text) <= CAPTION_LIMIT:
            return Notice(
                text, links, attachment=ics, follow_ups=removal, kind=notices.BOOKING_CONFIRMED
            )
        file_caption = catalog.text(lang, "booking.calendar_caption")
        follow = (Notice(file_caption, attachment=ics), *removal)  # a very long title or address
        return Notice(text, links, follow_ups=follow, kind=notices.BOOKING_CONFIRMED)

    def _ics(
        self,
        session: TrainingSession,
        lang: str,
        now: datetime,
        method: str,
        invitation: Invitation,
        sequence: int | None = None,
    ) -> Attachment:
        content = session_ics(
            session,
            self.tz,
            lang,
            invitation,
            catalog=self.catalog,
            now=now,
            method=method,
            sequence=sequence,
        )
        return Attachment("document", name=f"sesi-{session.id}.ics", content=content)

    def _owner(self, view: BookingView) -> Invitation:
        """The invitation of an owner's entry for one booking."""
        address = person_address(view.booking.user_id)
        return Invitation(booking_uid(view.booking.id), address, self.organizer)

    def _given_up(self, lang: str, view: BookingView, now: datetime) -> Attachment:
        """The CANCEL of a seat its owner gave up: newer than any file sent about it.

        Leaving does not raise the session's revision, so the file is one above it.
        """
        session = view.session
        return self._ics(session, lang, now, CANCEL, self._owner(view), session.sequence + 1)

    def _removal(self, lang: str, left: BookingView, now: datetime) -> Notice:
        """A file that removes a session the owner left from their calendar (same UID)."""
        title = left.session.title
        caption = self.catalog.text(lang, "session_change.old_calendar_removed", title=title)
        return Notice(caption, attachment=self._given_up(lang, left, now))

    def _seat_given_up(self, lang: str, text: str, view: BookingView, now: datetime) -> Notice:
        """The cancellation as the caption of the file that removes its calendar entry."""
        removal = self._given_up(lang, view, now)
        caption = f"{text}\n{self.catalog.text(lang, 'session_change.calendar_removed')}"
        if visible_length(caption) <= CAPTION_LIMIT:
            return Notice(caption, attachment=removal, kind=notices.BOOKING_CANCELLED)
        follow = Notice(
            self.catalog.text(lang, "session_change.calendar_removed"), attachment=removal
        )
        return Notice(text, follow_ups=(follow,), kind=notices.BOOKING_CANCELLED)

    async def changed(self, message: OutboxMessage, lang: str, now: datetime) -> Notice | None:
        """ "Was → is now" for one owner or the trainer; None if it no longer concerns them."""
        params, catalog = message.params, self.catalog
        session = await self.sessions.get(int(params["session_id"]))
        if session is None or session.status == SessionStatus.CANCELLED or session.ends_at <= now:
            return None
        mine = await self._recipient(message, session)
        if mine is None:
            return None
        before = session_changes.restore(session, params.get("before", {}))
        after = replace(
            session_changes.restore(session, params.get("after", {})),
            sequence=int(params.get("sequence", session.sequence)),
        )
        names = await self.users.display_names([before.trainer_id or 0, after.trainer_id or 0])
        fields = list(params.get("changes", []))
        changes = differences(catalog, lang, self.tz, before, after, fields, names)
        if not isinstance(mine, BookingView):
            text = catalog.text(
                lang, "session_change.changed_trainer", title=after.title, changes=changes
            )
        else:
            status = Html(self._standing(lang, mine))
            text = catalog.text(
                lang,
                "session_change.changed_owner",
                title=after.title,
                changes=changes,
                status=status,
            )
        follow: tuple[Notice, ...] = ()
        if not isinstance(mine, BookingView) or mine.booking.status == BookingStatus.CONFIRMED:
            caption = catalog.text(lang, "session_change.calendar_updated")
            ics = self._ics(after, lang, now, REQUEST, self._invitation(message, after, mine))
            follow = (Notice(caption, attachment=ics),)
        return Notice(text, follow_ups=follow, kind=message.kind, params=self._about(after, lang))

    async def cancelled(self, message: OutboxMessage, lang: str, now: datetime) -> Notice | None:
        """The cancellation, with a file that removes the entry for a seat holder or trainer."""
        params, catalog = message.params, self.catalog
        session = await self.sessions.get(int(params["session_id"]))
        if session is None:
            return None
        trainer = bool(params.get("trainer"))
        if trainer and session.trainer_id != message.user_id:
            return None
        key = "session_change.cancelled_trainer" if trainer else "session_change.cancelled_owner"
        text = catalog.text(lang, key, title=session.title, when=when(session, self.tz, lang))
        follow: tuple[Notice, ...] = ()
        if trainer or params.get("was") == BookingStatus.CONFIRMED:
            revision = replace(session, sequence=int(params.get("sequence", session.sequence)))
            caption = catalog.text(lang, "session_change.calendar_removed")
            invitation = self._cancelled_invitation(message, session, trainer)
            follow = (
                Notice(caption, attachment=self._ics(revision, lang, now, CANCEL, invitation)),
            )
        return Notice(
            text, follow_ups=follow, kind=message.kind, params=self._about(session, lang)
        )

    async def _recipient(
        self, message: OutboxMessage, session: TrainingSession
    ) -> BookingView | _Trainer | None:
        """The owner's place in the session now, TRAINER, or None if they have left it."""
        if message.params.get("trainer"):
            return TRAINER if session.trainer_id == message.user_id else None
        if "booking_id" in message.params:
            view = await self.booking.view_by_id(int(message.params["booking_id"]))
        else:  # queued before notices named the booking
            current = await self.booking.current(message.user_id)
            view = next((v for v in current if v.session.id == session.id), None)
        if view is None or view.booking.session_id != session.id:
            return None
        return view if view.booking.status in ACTIVE_BOOKING else None

    def _invitation(
        self, message: OutboxMessage, session: TrainingSession, mine: BookingView | _Trainer
    ) -> Invitation:
        """The entry a change updates: the owner's booking, or the trainer's session."""
        if isinstance(mine, BookingView):
            return self._owner(mine)
        address = person_address(message.user_id)
        return Invitation(session_uid(session.id), address, self.organizer, CHAIR)

    def _cancelled_invitation(
        self, message: OutboxMessage, session: TrainingSession, trainer: bool
    ) -> Invitation:
        """The entry a cancelled session removes: the trainer's, or the owner's booking."""
        address = person_address(message.user_id)
        if trainer:
            return Invitation(session_uid(session.id), address, self.organizer, CHAIR)
        booking_id = message.params.get("booking_id")
        uid = session_uid(session.id) if booking_id is None else booking_uid(int(booking_id))
        return Invitation(uid, address, self.organizer)

    def _standing(self, lang: str, view: BookingView) -> str:
        """What the change means for the owner's own place: seat, offer or waitlist."""
        catalog, booking = self.catalog, view.booking
        if booking.status == BookingStatus.OFFERED and booking.offer_expires_at is not None:
            until = format_datetime(booking.offer_expires_at, self.tz, lang)
            return catalog.text(lang, "session_change.keep_offer", until=until)
        if booking.status == BookingStatus.WAITLISTED:
            return catalog.text(lang, "session_change.keep_waiting", rank=view.rank or 0)
        return catalog.text(lang, "session_change.keep_seat")

    def _about(self, session: TrainingSession, lang: str) -> dict[str, str]:
        return {"title": session.title, "when": when(session, self.tz, lang)}


class _Trainer:
    """The recipient of a change notice is the session's trainer."""


TRAINER = _Trainer()
