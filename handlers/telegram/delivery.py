"""The outbox in the Telegram bot: the delivery service's loop, waker, jobs and builders.

How rows are sent (building, channels, retries, at-least-once, replies owed) is
:mod:`bot.services.delivery`. This module runs it inside PTB:

* **Waking up.** APScheduler (PTB's JobQueue) holds one date job per distinct pending due
  time (:class:`JobQueueWaker`); a repeating safety job (every ``SAFETY_SECONDS``) also
  expires waitlist offers, and a tick job runs features' short periodic work.
* **Pacing.** The Telegram channel sends through
  ``handlers.telegram.ratelimit.PriorityRateLimiter`` as bulk traffic, so replies to people
  chatting with the bot always go first and Telegram's limits hold.
* **Builders.** Each outbox kind has one renderer (reminders and waitlist notices here, the
  rest in their feature's module); :func:`builders` turns what they return into neutral
  :class:`~bot.core.notices.Notice` values for the delivery service.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from io import BytesIO
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.ext import Application, ExtBot

from bot.app.container import Services
from bot.core.models import OutboxMessage
from bot.core.notices import Attachment, ChannelName, Choice, Notice
from bot.formatting import format_datetime
from bot.i18n import Html
from bot.services import notices
from bot.services.delivery import AfterSent, Builders, DeliveryService
from bot.services.reminders import lead_time
from handlers.telegram import callbacks as cb
from handlers.telegram import session_views as sv
from handlers.telegram.channel import TelegramChannel
from handlers.telegram.context import SERVICES_KEY, DodolanContext
from storage.identities import IdentityRepository

logger = logging.getLogger(__name__)

SAFETY_SECONDS = 30.0
LATE_AFTER = timedelta(minutes=10)
SENDER_KEY = "outbox_sender"


@dataclass(frozen=True)
class Outgoing:
    """One message to send: text (or caption), buttons, and optionally a photo, a document
    (a file id or URL) or a file made at send time (``upload``: name and bytes)."""

    text: str
    markup: InlineKeyboardMarkup | None = None
    photo: str | None = None
    document: str | None = None
    upload: tuple[str, bytes] | None = None


# A renderer may return several messages for one row (a confirmation, its calendar file and
# its map pin); the first is the one that counts, the others are sent after it if they can be.
Rendered = tuple[str, InlineKeyboardMarkup | None] | Outgoing | list[Outgoing]
AnyApplication = Application[Any, Any, Any, Any, Any, Any]
Renderer = Callable[[Services, str, OutboxMessage, datetime], Awaitable[Rendered | None]]

# Renderers of kinds owned by other feature modules, registered in their ``register()``.
RENDERERS: dict[str, Renderer] = {}
# Kinds rendered in this module.
BUILT_HERE = (
    notices.REMINDER,
    notices.TRAINER_REMINDER,
    notices.SEAT_OFFER,
    notices.WAITLIST_MOVED,
    notices.OFFER_EXPIRED,
    notices.WAITLIST_ENDED,
)
# What to record once a kind has been sent (registered like the renderers).
AfterSentHook = Callable[[Services, OutboxMessage, datetime], Awaitable[None]]
AFTER_SENT: dict[str, AfterSentHook] = {}

# Short periodic work of feature modules (e.g. refreshing a broadcast's status message), run
# every TICK_SECONDS by a JobQueue job, and by tests through RunningBot.tick().
TickHook = Callable[[AnyApplication], Awaitable[None]]
TICK_HOOKS: dict[str, TickHook] = {}
TICK_SECONDS = 3.0


def maps_link(latitude: float, longitude: float) -> str:
    """A map link that opens in any phone's browser or maps app."""
    return f"https://www.google.com/maps/search/?api=1&query={latitude},{longitude}"


async def render(
    services: Services, language: str, message: OutboxMessage, now: datetime
) -> Rendered | None:
    """Build the text and buttons of a notice from current data; None if it no longer applies."""
    params = message.params
    if message.kind in RENDERERS:
        return await RENDERERS[message.kind](services, language, message, now)
    if message.kind == notices.REMINDER:
        return await _reminder(services, language, message, now)
    if message.kind == notices.TRAINER_REMINDER:
        return await _trainer_reminder(services, language, message, now)
    if message.kind in (notices.SEAT_OFFER, notices.WAITLIST_MOVED):
        return await _waitlist(services, language, message)
    session = await services.sessions.get(int(params["session_id"]))
    if session is None:
        return None
    catalog, tz = services.catalog, services.settings.timezone
    key = {
        notices.OFFER_EXPIRED: "notice.offer_expired",
        notices.WAITLIST_ENDED: "notice.waitlist_ended",
    }.get(message.kind)
    if key is None:
        logger.error("outbox message %s has unknown kind %s", message.id, message.kind)
        return None
    text = catalog.text(language, key, title=session.title, when=sv.when(session, tz, language))
    return text, None


async def _waitlist(services: Services, language: str, message: OutboxMessage) -> Rendered | None:
    catalog, tz = services.catalog, services.settings.timezone
    view = await services.booking.view_by_id(int(message.params["booking_id"]))
    if view is None:
        return None
    session = view.session
    if message.kind == notices.WAITLIST_MOVED:
        if view.booking.status != "waitlisted" or view.rank is None:
            return None
        text = catalog.text(language, "notice.waitlist_moved", title=session.title, rank=view.rank)
        return text, None
    if view.booking.status != "offered" or view.booking.offer_expires_at is None:
        return None
    text = catalog.text(
        language,
        "notice.seat_offer",
        title=session.title,
        when=sv.when(session, tz, language),
        until=format_datetime(view.booking.offer_expires_at, tz, language),
    )
    return text, InlineKeyboardMarkup([sv.offer_buttons(catalog, language, view.booking.id)])


def _late_note(services: Services, language: str, message: OutboxMessage, now: datetime) -> str:
    if now - message.due_at <= LATE_AFTER:
        return ""
    return services.catalog.text(language, "reminder.late") + "\n"


def _where(services: Services, language: str, session: Any) -> str:
    """The place line of a reminder (HTML: the place is escaped once, by ``sv.place``)."""
    place = Html(sv.place(services.catalog, language, session))
    if session.latitude is not None and session.longitude is not None:
        link = maps_link(session.latitude, session.longitude)
        return services.catalog.text(language, "reminder.where_map", place=place, url=link)
    return services.catalog.text(language, "reminder.where", place=place)


def _heading(
    services: Services,
    language: str,
    key: str,
    message: OutboxMessage,
    starts_at: datetime,
    now: datetime,
) -> Html:
    """A reminder's first line; one sent a fixed time before the start says how soon."""
    catalog = services.catalog
    if lead_time(str(message.params.get("rule", ""))) is None:
        return Html(catalog.text(language, key))
    minutes = max(1, round((starts_at - now).total_seconds() / 60))
    hours, rest = divmod(minutes, 60)
    unit, count = ("hour", hours) if hours and not rest else ("minute", minutes)
    soon = catalog.text(language, f"reminder.in_{unit}{'' if count == 1 else 's'}", count=count)
    return Html(catalog.text(language, f"{key}_soon", soon=soon))


async def _reminder(
    services: Services, language: str, message: OutboxMessage, now: datetime
) -> Rendered | None:
    """The owner's reminder; it asks "will you come?" only if they have not said so."""
    view = await services.booking.view_by_id(int(message.params["booking_id"]))
    if view is None or view.booking.status != "confirmed" or view.booking.attended_at:
        return None  # over, or checked in already: they are there
    session, catalog, tz = view.session, services.catalog, services.settings.timezone
    if session.status == "cancelled" or session.starts_at <= now:
        return None
    said_coming = await services.booking.said_coming(view.booking.id)
    text = _late_note(services, language, message, now) + catalog.text(
        language,
        "reminder.owner",
        heading=_heading(services, language, "reminder.heading", message, session.starts_at, now),
        title=session.title,
        when=sv.when(session, tz, language),
        where=Html(_where(services, language, session)),
        prep=Html(sv.preparation(catalog, language, "reminder", session)),
        closing=Html(
            catalog.text(language, "reminder.see_you" if said_coming else "reminder.ask")
        ),
    )
    if said_coming:
        return text, None
    ident = str(view.booking.id)
    buttons = [
        InlineKeyboardButton(
            catalog.text(language, "reminder.coming"),
            callback_data=cb.pack(cb.REMINDER, "yes", ident),
        ),
        InlineKeyboardButton(
            catalog.text(language, "reminder.not_coming"),
            callback_data=cb.pack(cb.REMINDER, "no", ident),
        ),
    ]
    return text, InlineKeyboardMarkup([buttons])


async def _trainer_reminder(
    services: Services, language: str, message: OutboxMessage, now: datetime
) -> Rendered | None:
    session = await services.sessions.get(int(message.params["session_id"]))
    if session is None or session.status == "cancelled" or session.starts_at <= now:
        return None
    if session.trainer_id != message.user_id:
        return None  # the session has another trainer now
    tz = services.settings.timezone
    heading = _heading(
        services, language, "reminder.trainer_heading", message, session.starts_at, now
    )
    text = _late_note(services, language, message, now) + services.catalog.text(
        language,
        "reminder.trainer",
        heading=heading,
        title=session.title,
        when=sv.when(session, tz, language),
        where=Html(_where(services, language, session)),
        count=session.confirmed,
    )
    return text, None


class JobQueueWaker:
    """Wakes the delivery loop at due times: one APScheduler date job per distinct time."""

    def __init__(self, application: AnyApplication, now: Callable[[], datetime]) -> None:
        self._application = application
        self._now = now
        self.event = asyncio.Event()

    def wake_at(self, due: datetime) -> None:
        """Make sure delivery runs at ``due`` (now, if it has passed or no scheduler runs).

        The job id is stable (``outbox-due-<epoch>``), so re-adding the pending times at
        start-up never duplicates, and ``misfire_grace_time=None`` makes a time that passed
        while the bot was down run at once.
        """
        job_queue = self._application.job_queue
        if job_queue is None or due <= self._now():
            self.event.set()
            return
        job_queue.scheduler.add_job(
            self.event.set,
            "date",
            run_date=due,
            id=f"outbox-due-{int(due.timestamp())}",
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )


class OutboxSender:
    """The delivery service at work in the Telegram bot: its loop, waker and jobs."""

    def __init__(self, application: AnyApplication, services: Services) -> None:
        self._application = application
        self._services = services
        self._waker = JobQueueWaker(application, services.now)
        self.delivery = DeliveryService(
            services.outbox,
            services.users,
            builders(services),
            {ChannelName.TELEGRAM: TelegramChannel(application.bot)},
            services.now,
            self._waker,
            IdentityRepository(services.db),
        )
        self._task: asyncio.Task[None] | None = None

    async def start(self, *, background: bool = True) -> None:
        """Requeue interrupted sends, schedule every pending due time, start the loop."""
        await self.delivery.start()
        self._services.outbox.on_enqueue = self.wake_at
        job_queue = self._application.job_queue
        if background:
            self._task = asyncio.create_task(self._loop(), name="outbox-sender")
            if job_queue is not None:
                job_queue.run_repeating(
                    _safety_tick, interval=SAFETY_SECONDS, first=SAFETY_SECONDS, name="outbox"
                )
                job_queue.run_repeating(
                    _ticks, interval=TICK_SECONDS, first=TICK_SECONDS, name="ticks"
                )
            self._waker.event.set()

    async def stop(self) -> None:
        """Stop after the sends in flight finish (the rest stays pending for the next start)."""
        self.delivery.stopping = True
        self._services.outbox.on_enqueue = None
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def wake_at(self, due: datetime) -> None:
        """Make sure the sender runs at ``due`` (now, if it has passed)."""
        self._waker.wake_at(due)

    async def _loop(self) -> None:
        while True:
            await self._waker.event.wait()
            self._waker.event.clear()
            try:
                await self.delivery.drain()
            except Exception:
                logger.exception("outbox sender failed; retrying on the next wake-up")

    async def drain(self) -> int:
        """Send every message due now; return how many."""
        return await self.delivery.drain()

    async def send_now(self, message_id: int) -> None:
        """Send one message as a reply, now, unless a worker has already taken it."""
        await self.delivery.send_now(message_id)


def notice_of(rendered: Rendered) -> Notice:
    """A notice from what a Telegram-shaped renderer returned (until each builds notices)."""
    first, *rest = _parts(rendered)
    main = _notice(first)
    return replace(main, follow_ups=tuple(_notice(part) for part in rest))


def _notice(outgoing: Outgoing) -> Notice:
    choices: list[Choice] = []
    rows: list[int] = []
    if outgoing.markup is not None:
        for row in outgoing.markup.inline_keyboard:
            rows.append(len(row))
            choices.extend(
                Choice(id=str(b.callback_data or ""), title=b.text, url=b.url) for b in row
            )
    attachment = None
    if outgoing.upload is not None:
        name, content = outgoing.upload
        attachment = Attachment("document", name=name, content=content)
    elif outgoing.photo is not None:
        attachment = Attachment("photo", ref=outgoing.photo, ref_channel=ChannelName.TELEGRAM)
    elif outgoing.document is not None:
        attachment = Attachment(
            "document", ref=outgoing.document, ref_channel=ChannelName.TELEGRAM
        )
    return Notice(outgoing.text, tuple(choices), tuple(rows) or None, attachment)


def builders(services: Services) -> Builders:
    """Every outbox kind's builder, bound to the running services."""
    registry = Builders()
    known = set(RENDERERS) | set(BUILT_HERE)
    for kind in sorted(known):

        async def build(message: OutboxMessage, language: str, now: datetime) -> Notice | None:
            rendered = await render(services, language, message, now)
            return None if rendered is None else notice_of(rendered)

        hook = AFTER_SENT.get(kind)
        registry.add(kind, build, None if hook is None else _bound(hook, services))
    return registry


def _bound(hook: AfterSentHook, services: Services) -> AfterSent:
    async def after(message: OutboxMessage, now: datetime) -> None:
        await hook(services, message, now)

    return after


def _parts(rendered: Rendered) -> list[Outgoing]:
    if isinstance(rendered, list):
        return rendered
    return [rendered if isinstance(rendered, Outgoing) else Outgoing(*rendered)]


async def send_now(application: AnyApplication, message_id: int | None) -> None:
    """Send a just-promised reply at once (left to the workers if the sender is not running)."""
    sender = application.bot_data.get(SENDER_KEY)
    if message_id is not None and isinstance(sender, OutboxSender):
        await sender.send_now(message_id)


async def send_outgoing(
    bot: ExtBot[Any], chat_id: int, outgoing: Outgoing, *, bulk: bool = False
) -> int:
    """Send text, a photo or a document; return the Telegram message id."""
    limits: dict[str, bool] = {"bulk": bulk}
    caption = outgoing.text or None
    if outgoing.upload is not None:
        name, content = outgoing.upload
        sent = await bot.send_document(
            chat_id,
            InputFile(BytesIO(content), filename=name),
            caption=caption,
            reply_markup=outgoing.markup,
            rate_limit_args=limits,
        )
    elif outgoing.photo is not None:
        sent = await bot.send_photo(
            chat_id,
            outgoing.photo,
            caption=caption,
            reply_markup=outgoing.markup,
            rate_limit_args=limits,
        )
    elif outgoing.document is not None:
        sent = await bot.send_document(
            chat_id,
            outgoing.document,
            caption=caption,
            reply_markup=outgoing.markup,
            rate_limit_args=limits,
        )
    else:
        sent = await bot.send_message(
            chat_id, outgoing.text, reply_markup=outgoing.markup, rate_limit_args=limits
        )
    return sent.message_id


async def run_tick_hooks(application: AnyApplication) -> None:
    """Run every feature's periodic work once; one failing hook does not stop the others."""
    for name, hook in list(TICK_HOOKS.items()):
        try:
            await hook(application)
        except Exception:
            logger.exception("periodic work %s failed", name)


async def _ticks(context: DodolanContext) -> None:
    await run_tick_hooks(context.application)


async def _safety_tick(context: DodolanContext) -> None:
    """The periodic job: end expired offers and started waitlists, then wake the sender."""
    await context.services.booking.expire()
    sender = context.bot_data.get(SENDER_KEY)
    if isinstance(sender, OutboxSender):
        sender.wake_at(context.services.now())


async def start_delivery(application: AnyApplication, *, background: bool = True) -> OutboxSender:
    """Create, register and start the sender (``background=False``: tests drain by hand)."""
    services = application.bot_data[SERVICES_KEY]
    assert isinstance(services, Services)
    sender = OutboxSender(application, services)
    application.bot_data[SENDER_KEY] = sender
    await sender.start(background=background)
    return sender


async def stop_delivery(application: AnyApplication) -> None:
    """Stop the sender, letting sends in flight finish."""
    sender = application.bot_data.pop(SENDER_KEY, None)
    if isinstance(sender, OutboxSender):
        await sender.stop()
