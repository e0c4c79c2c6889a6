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

from telegram import InlineKeyboardMarkup, InputFile
from telegram.ext import Application, ExtBot

from bot.app.container import Services
from bot.core.models import OutboxMessage
from bot.core.notices import Attachment, ChannelName, Choice, Notice
from bot.services.booking_notices import BookingNotices
from bot.services.delivery import Builders, DeliveryService
from bot.services.notice_builders import NoticeBuilders
from bot.services.notice_builders import maps_link as maps_link
from bot.services.owner_notices import OwnerNotices
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

# Short periodic work of feature modules (e.g. refreshing a broadcast's status message), run
# every TICK_SECONDS by a JobQueue job, and by tests through RunningBot.tick().
TickHook = Callable[[AnyApplication], Awaitable[None]]
TICK_HOOKS: dict[str, TickHook] = {}
TICK_SECONDS = 3.0


async def render(
    services: Services, language: str, message: OutboxMessage, now: datetime
) -> Rendered | None:
    """Render a row of a kind whose feature module still renders it for Telegram."""
    return await RENDERERS[message.kind](services, language, message, now)


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
    NoticeBuilders(
        services.catalog,
        services.settings.timezone,
        services.booking,
        services.sessions,
        services.broadcasts,
    ).register(registry)
    BookingNotices(
        services.catalog,
        services.settings.timezone,
        services.booking,
        services.sessions,
        services.users,
    ).register(registry)
    OwnerNotices(
        services.catalog, services.settings.timezone, services.booking, services.tips
    ).register(registry)
    for kind in sorted(set(RENDERERS) - set(registry.build)):

        async def build(message: OutboxMessage, language: str, now: datetime) -> Notice | None:
            rendered = await render(services, language, message, now)
            return None if rendered is None else notice_of(rendered)

        registry.add(kind, build)
    return registry


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
