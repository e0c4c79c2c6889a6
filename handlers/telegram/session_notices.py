"""Notices about a session staff changed or cancelled, for its owners and its trainer.

The service queues one row per person with the session's values before and after and the
new calendar revision (``bot.services.sessions``). Each is rendered here when it is sent:
"was → is now", what it means for the recipient's own place, and, for those who hold a seat
or run the session, a calendar file with the same UID and the new SEQUENCE that updates
(``REQUEST``) or removes (``CANCEL``) the entry the booking confirmation added.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.app.container import Services
from bot.core.models import ACTIVE_BOOKING, OutboxMessage, TrainingSession
from bot.formatting import format_datetime
from bot.i18n import Html
from bot.services import notices, session_changes
from bot.services.booking import BookingView
from bot.services.calendar import CANCEL, REQUEST, session_ics
from handlers.telegram import change_views, delivery
from handlers.telegram import session_views as sv

TRAINER = "trainer"


async def render_changed(
    services: Services, language: str, message: OutboxMessage, now: datetime
) -> delivery.Rendered | None:
    """ "Was → is now" for one owner or the trainer; None if it no longer concerns them."""
    params, catalog, tz = message.params, services.catalog, services.settings.timezone
    session = await services.sessions.get(int(params["session_id"]))
    if session is None or session.status == "cancelled" or session.ends_at <= now:
        return None
    mine = await _recipient(services, message, session)
    if mine is None:
        return None
    fields = list(params.get("changes", []))
    before = session_changes.restore(session, params.get("before", {}))
    after = replace(
        session_changes.restore(session, params.get("after", {})),
        sequence=int(params.get("sequence", session.sequence)),
    )
    names = await services.users.display_names([before.trainer_id or 0, after.trainer_id or 0])
    changes = change_views.differences(catalog, language, tz, before, after, fields, names)
    if not isinstance(mine, BookingView):
        text = catalog.text(
            language, "session_change.changed_trainer", title=after.title, changes=changes
        )
    else:
        status = Html(_standing(services, language, mine))
        text = catalog.text(
            language,
            "session_change.changed_owner",
            title=after.title,
            changes=changes,
            status=status,
        )
    parts = [delivery.Outgoing(text)]
    if not isinstance(mine, BookingView) or mine.booking.status == "confirmed":
        ics = session_ics(after, tz, language, catalog=catalog, now=now, method=REQUEST)
        caption = catalog.text(language, "session_change.calendar_updated")
        parts.append(delivery.Outgoing(caption, upload=(f"sesi-{session.id}.ics", ics)))
    return parts


async def render_cancelled(
    services: Services, language: str, message: OutboxMessage, now: datetime
) -> delivery.Rendered | None:
    """The cancellation, with a file that removes the entry for a seat holder or the trainer."""
    params, catalog, tz = message.params, services.catalog, services.settings.timezone
    session = await services.sessions.get(int(params["session_id"]))
    if session is None:
        return None
    trainer = bool(params.get("trainer"))
    if trainer and session.trainer_id != message.user_id:
        return None
    key = "session_change.cancelled_trainer" if trainer else "session_change.cancelled_owner"
    text = catalog.text(language, key, title=session.title, when=sv.when(session, tz, language))
    parts = [delivery.Outgoing(text)]
    if trainer or params.get("was") == "confirmed":
        revision = replace(session, sequence=int(params.get("sequence", session.sequence)))
        ics = session_ics(revision, tz, language, catalog=catalog, now=now, method=CANCEL)
        caption = catalog.text(language, "session_change.calendar_removed")
        parts.append(delivery.Outgoing(caption, upload=(f"sesi-{session.id}.ics", ics)))
    return parts


async def _recipient(
    services: Services, message: OutboxMessage, session: TrainingSession
) -> BookingView | str | None:
    """The owner's place in the session now, TRAINER, or None if they have left it."""
    if message.params.get("trainer"):
        return TRAINER if session.trainer_id == message.user_id else None
    if "booking_id" in message.params:
        view = await services.booking.view_by_id(int(message.params["booking_id"]))
    else:  # queued before notices named the booking
        current = await services.booking.current(message.user_id)
        view = next((v for v in current if v.session.id == session.id), None)
    if view is None or view.booking.session_id != session.id:
        return None
    return view if view.booking.status in ACTIVE_BOOKING else None


def _standing(services: Services, language: str, view: BookingView) -> str:
    """What the change means for the owner's own place: seat, offer or waitlist."""
    catalog, booking = services.catalog, view.booking
    if booking.status == "offered" and booking.offer_expires_at is not None:
        until = format_datetime(booking.offer_expires_at, services.settings.timezone, language)
        return catalog.text(language, "session_change.keep_offer", until=until)
    if booking.status == "waitlisted":
        return catalog.text(language, "session_change.keep_waiting", rank=view.rank or 0)
    return catalog.text(language, "session_change.keep_seat")


def register() -> None:
    """Let the outbox sender render session changes and cancellations."""
    delivery.RENDERERS[notices.SESSION_CHANGED] = render_changed
    delivery.RENDERERS[notices.SESSION_CANCELLED] = render_cancelled
