"""The owner's replies about their own booking changes, rendered from an outbox row.

The booking service queues each reply with the change (``bot.services.notices``); the
handler sends it at once through :func:`handlers.telegram.delivery.send_now`, and the outbox sender
only if that did not happen. Either way the reply is built here, from current data, and is
skipped if the booking has changed again since (a seat cancelled before its confirmation
went out is not confirmed).
"""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit

from bot.app.container import Services
from bot.core.models import OutboxMessage, TrainingSession
from bot.i18n import Html
from bot.services import notices
from bot.services.booking import BookingView
from bot.services.calendar import CANCEL, session_ics
from handlers.telegram import delivery
from handlers.telegram import session_views as sv

MAX_CAPTION = MessageLimit.CAPTION_LENGTH
# A reply this long after the change says it is late (it was not sent as the reply).
LATE = notices.REPLY_GRACE

# The booking status each reply is about; the reply no longer applies once it is another.
STATUS = {
    notices.BOOKING_CONFIRMED: "confirmed",
    notices.WAITLIST_JOINED: "waitlisted",
    notices.BOOKING_CANCELLED: "cancelled",
    notices.OFFER_DECLINED: "declined",
}


async def render_reply(
    services: Services, language: str, message: OutboxMessage, now: datetime
) -> list[delivery.Outgoing] | None:
    """The reply about a booking change; None if the booking has moved on since."""
    view = await services.booking.view_by_id(int(message.params["booking_id"]))
    if view is None or view.booking.status != STATUS[message.kind]:
        return None
    made_at = datetime.fromisoformat(message.params["at"])
    late = services.catalog.text(language, "notice.late") + "\n" if now - made_at >= LATE else ""
    if message.kind == notices.BOOKING_CONFIRMED:
        moved_from = message.params.get("moved_from")
        left = await services.booking.view_by_id(int(moved_from)) if moved_from else None
        return _confirmation(services, language, view, now, late, left)
    title = view.session.title
    text = {
        notices.WAITLIST_JOINED: lambda: services.catalog.text(
            language, "booking.waitlisted", title=title, rank=view.rank or 0
        ),
        notices.BOOKING_CANCELLED: lambda: services.catalog.text(
            language, "booking.cancelled", title=title
        ),
        notices.OFFER_DECLINED: lambda: services.catalog.text(language, "booking.offer_declined"),
    }[message.kind]()
    return [delivery.Outgoing(late + text)]


def _confirmation(
    services: Services,
    language: str,
    view: BookingView,
    now: datetime,
    late: str,
    left: BookingView | None = None,
) -> list[delivery.Outgoing]:
    """A seat: one message, the confirmation as the caption of its calendar file, with a
    map button when the place is known (one call, where it used to be three).

    After a move (``left``: the booking it released) the confirmation first says the old
    seat is free again, and a second file removes the old session from the calendar.
    """
    catalog, tz, session = services.catalog, services.settings.timezone, view.session
    intro = late
    if left is not None:
        old = left.session
        when = sv.when(old, tz, language)
        intro += catalog.text(language, "session_change.moved", title=old.title, when=when)
        intro += "\n\n"
    text = catalog.text(
        language,
        "booking.confirmed",
        title=session.title,
        when=sv.when(session, tz, language),
        place=Html(sv.place(catalog, language, session)),
        prep=Html(sv.preparation(catalog, language, "booking", session)),
    )
    ics = (f"sesi-{session.id}.ics", session_ics(session, tz, language, catalog=catalog, now=now))
    markup = None
    if session.latitude is not None and session.longitude is not None:
        link = delivery.maps_link(session.latitude, session.longitude)
        button = InlineKeyboardButton(catalog.text(language, "booking.open_map"), url=link)
        markup = InlineKeyboardMarkup([[button]])
    caption = f"{intro}{text}\n{catalog.text(language, 'booking.calendar_caption')}"
    if len(caption) <= MAX_CAPTION:  # the HTML is never shorter than what Telegram counts
        parts = [delivery.Outgoing(caption, markup=markup, upload=ics)]
    else:  # a very long title or address: the text, then the file
        parts = [
            delivery.Outgoing(intro + text, markup=markup),
            delivery.Outgoing(catalog.text(language, "booking.calendar_caption"), upload=ics),
        ]
    if left is not None:
        parts.append(_calendar_removal(services, language, left.session, now))
    return parts


def _calendar_removal(
    services: Services, language: str, old: TrainingSession, now: datetime
) -> delivery.Outgoing:
    """A file that removes a session the owner left from their calendar (same UID)."""
    catalog, tz = services.catalog, services.settings.timezone
    ics = session_ics(old, tz, language, catalog=catalog, now=now, method=CANCEL)
    caption = catalog.text(language, "session_change.old_calendar_removed", title=old.title)
    return delivery.Outgoing(caption, upload=(f"sesi-{old.id}.ics", ics))


def register() -> None:
    """Let the outbox sender render the booking replies."""
    for kind in notices.REPLIES:
        delivery.RENDERERS[kind] = render_reply
