"""The Telegram edge of the outbox: send due messages, paced, in each recipient's language.

Every message the bot sends on its own initiative is an outbox row first (see
``storage/outbox.py``). ``OutboxSender`` drains the rows that are due:

* **Waking up.** The database is the source of truth. APScheduler (PTB's JobQueue) holds one
  date job per distinct pending due time, with a stable id (``outbox-due-<epoch>``), so
  re-adding them at start-up never duplicates; ``replace_existing`` and
  ``misfire_grace_time=None`` make a time that passed while the bot was down run at once. A
  repeating safety job (every ``SAFETY_SECONDS``) also expires waitlist offers.
* **Pacing.** Sends go through ``handlers.telegram.ratelimit.PriorityRateLimiter`` as bulk
  traffic, so replies to people chatting with the bot always go first, and Telegram's global,
  per-chat
  and per-group limits hold. ``WORKERS`` workers each claim one due message at a time, so
  at most ``WORKERS`` sends are in flight; one recipient's messages go one after another.
* **Failures.** 429: back in the queue after ``retry_after``. Network errors and 5xx: retried
  with exponential backoff up to ``MAX_ATTEMPTS``. 403: the user blocked the bot; they are
  marked unreachable and later sends to them are skipped (status ``skipped``) until they
  write again. 400: failed, logged.
* **Crashes: at-least-once.** A row is ``sending`` only while its call is in flight. If the
  process dies then, nobody knows whether Telegram delivered it; at start-up such rows go
  back to ``pending`` with ``interrupted`` counted and are sent again. We chose a possible
  duplicate over a lost reminder; the window is bounded to the ``WORKERS`` sends in flight,
  and ``dodolan outbox`` reports them as uncertain. Nothing marked ``sent`` is sent again.
* **Replies owed.** A reply that reports a committed change (a seat, a cancellation; see
  ``bot.services.notices``) is a row committed with the change and due ``REPLY_GRACE``
  later. The handler sends it at once with :func:`send_now`, at reply priority: it claims
  the row first (``pending`` to ``sending``, as a worker does), so whichever of the two
  claims it sends it and the other finds nothing. If the handler fails, or the process dies
  before it claims the row, the workers send it when it falls due; if the process dies while
  it is ``sending``, it is re-sent at start-up like any row in flight.
* **Relevance.** Each row stores ids, not text; it is rendered at send time from current
  data and skipped if it no longer applies (an offer already taken, a reminder for a session
  that has started). A reminder sent late (the bot was down) says so.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from io import BytesIO
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ExtBot

from bot.app.container import Services
from bot.core.models import OutboxMessage
from bot.formatting import format_datetime
from bot.i18n import Html
from bot.services import notices
from bot.services.reminders import lead_time
from handlers.telegram import callbacks as cb
from handlers.telegram import session_views as sv
from handlers.telegram.context import SERVICES_KEY, DodolanContext

logger = logging.getLogger(__name__)

WORKERS = 8
MAX_ATTEMPTS = 5
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


class OutboxSender:
    """Drains due outbox rows; woken by APScheduler at due times and by the safety job."""

    def __init__(self, application: AnyApplication, services: Services) -> None:
        self._application = application
        self._services = services
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._drain_lock = asyncio.Lock()
        self._claim_lock = asyncio.Lock()
        self._in_flight: set[int] = set()
        self._stopping = False

    async def start(self, *, background: bool = True) -> None:
        """Requeue interrupted sends, schedule every pending due time, start the loop."""
        requeued = await self._services.outbox.requeue_interrupted()
        if requeued:
            logger.warning("%d message(s) were in flight at the last stop; re-sending", requeued)
        self._services.outbox.on_enqueue = self.wake_at
        for due in await self._services.outbox.pending_due_times():
            self.wake_at(due)
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
            self._wake.set()

    async def stop(self) -> None:
        """Stop after the sends in flight finish (the rest stays pending for the next start)."""
        self._stopping = True
        self._services.outbox.on_enqueue = None
        if self._task is not None:
            async with self._drain_lock:
                self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def wake_at(self, due: datetime) -> None:
        """Make sure the sender runs at ``due`` (now, if it has passed)."""
        job_queue = self._application.job_queue
        if job_queue is None or due <= self._services.now():
            self._wake.set()
            return
        epoch = int(due.timestamp())
        job_queue.scheduler.add_job(
            self._wake.set,
            "date",
            run_date=due,
            id=f"outbox-due-{epoch}",
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )

    async def _loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self.drain()
            except Exception:
                logger.exception("outbox sender failed; retrying on the next wake-up")

    async def drain(self) -> int:
        """Send every message due now with ``WORKERS`` parallel workers; return how many."""
        async with self._drain_lock:
            counts = await asyncio.gather(*(self._worker() for _ in range(WORKERS)))
        return sum(counts)

    async def send_now(self, message_id: int) -> None:
        """Send one message as a reply, now, unless a worker has already taken it."""
        message = await self._services.outbox.claim(message_id)
        if message is not None:
            await self._handle(message, bulk=False)

    async def _worker(self) -> int:
        """Claim one due message at a time (none for a recipient already in flight)."""
        handled = 0
        while not self._stopping:
            async with self._claim_lock:
                claimed = await self._services.outbox.claim_due(
                    self._services.now(), 1, exclude_users=self._in_flight
                )
                if not claimed:
                    return handled
                (message,) = claimed
                self._in_flight.add(message.user_id)
            try:
                await self._handle(message, bulk=True)
            finally:
                self._in_flight.discard(message.user_id)
            handled += 1
        return handled

    async def _handle(self, message: OutboxMessage, *, bulk: bool) -> None:
        """Deliver one claimed message; whatever goes wrong, record an outcome for it."""
        try:
            await self._deliver(message, bulk=bulk)
        except Exception as exc:  # one bad message must not stop the others
            logger.exception("outbox message %s could not be handled", message.id)
            await self._services.outbox.finish(
                message.id, "failed", self._services.now(), error=type(exc).__name__
            )

    async def _deliver(self, message: OutboxMessage, *, bulk: bool) -> None:
        services = self._services
        outbox, now = services.outbox, services.now()
        user = await services.users.get(message.user_id)
        if user is None or await services.users.is_unreachable(message.user_id):
            await outbox.finish(message.id, "skipped", now, error="unreachable")
            return
        rendered = await render(services, user.language, message, now)
        if rendered is None:
            await outbox.finish(message.id, "skipped", now, error="no longer applies")
            return
        first, *rest = _parts(rendered)
        bot = self._application.bot
        try:
            sent_id = await send_outgoing(bot, message.user_id, first, bulk=bulk)
        except RetryAfter as exc:
            wait = exc.retry_after
            delay = wait if isinstance(wait, timedelta) else timedelta(seconds=wait)
            await outbox.retry_later(message.id, now + delay, "429 retry after")
            self.wake_at(now + delay)
        except Forbidden as exc:
            await services.users.blocked_the_bot(message.user_id)
            await outbox.finish(message.id, "failed", now, error=f"forbidden: {exc.message}")
        except BadRequest as exc:
            logger.error("outbox message %s rejected: %s", message.id, exc.message)
            await outbox.finish(message.id, "failed", now, error=exc.message)
        except NetworkError as exc:
            if message.attempts >= MAX_ATTEMPTS:
                await outbox.finish(message.id, "failed", now, error=f"network: {exc.message}")
                return
            retry_at = now + timedelta(seconds=2**message.attempts)
            await outbox.retry_later(message.id, retry_at, f"network: {exc.message}")
            self.wake_at(retry_at)
        else:
            await _send_extras(bot, message, rest, bulk=bulk)
            await outbox.finish(message.id, "sent", now, telegram_message_id=sent_id)


def _parts(rendered: Rendered) -> list[Outgoing]:
    if isinstance(rendered, list):
        return rendered
    return [rendered if isinstance(rendered, Outgoing) else Outgoing(*rendered)]


async def _send_extras(
    bot: ExtBot[Any], message: OutboxMessage, extras: list[Outgoing], *, bulk: bool
) -> None:
    """Send what follows the main message; a failure there does not undo the main one."""
    for outgoing in extras:
        try:
            await send_outgoing(bot, message.user_id, outgoing, bulk=bulk)
        except TelegramError as exc:
            logger.warning("outbox message %s: a follow-up was not sent: %s", message.id, exc)


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
