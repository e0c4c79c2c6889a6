"""The Telegram edge of the outbox: render due notices in each recipient's language, send them.

Delivery is at-least-once: a message is marked ``sending`` before the call and ``sent`` after
it. If the process dies between the two, ``requeue_interrupted`` at start-up sends it again,
so a crash can duplicate at most the messages that were in flight (one batch), never lose
one. Each notice is re-rendered from current data, and skipped if it no longer applies
(e.g. an offer that was already taken).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import Application, ExtBot

from bot.formatting import format_datetime
from bot.i18n import Html
from bot.services import notices
from bot.services.container import Services
from handlers import session_views as sv
from handlers.context import SERVICES_KEY, DodolanApplication, DodolanContext
from storage.models import OutboxMessage

logger = logging.getLogger(__name__)

BATCH = 20
SEND_GAP = 1 / 25  # stay under Telegram's ~30 messages per second
MAX_ATTEMPTS = 5
TICK_SECONDS = 2.0

Rendered = tuple[str, InlineKeyboardMarkup | None]


async def render(services: Services, language: str, message: OutboxMessage) -> Rendered | None:
    """Build the text and buttons of a notice from current data; None if it no longer applies."""
    catalog, tz, params = services.catalog, services.settings.timezone, message.params
    if message.kind in (notices.SEAT_OFFER, notices.WAITLIST_MOVED):
        view = await services.booking.view_by_id(int(params["booking_id"]))
        if view is None:
            return None
        session = view.session
        if message.kind == notices.SEAT_OFFER:
            if view.booking.status != "offered" or view.booking.offer_expires_at is None:
                return None
            text = catalog.text(
                language,
                "notice.seat_offer",
                title=session.title,
                when=sv.when(session, tz, language),
                until=format_datetime(view.booking.offer_expires_at, tz, language),
            )
            buttons = InlineKeyboardMarkup([sv.offer_buttons(catalog, language, view.booking.id)])
            return text, buttons
        if view.booking.status != "waitlisted" or view.rank is None:
            return None
        return catalog.text(
            language, "notice.waitlist_moved", title=session.title, rank=view.rank
        ), None
    found = await services.sessions.get(int(params["session_id"]))
    if found is None:
        return None
    session = found
    if message.kind == notices.SESSION_CHANGED:
        trainers = await services.users.display_names([session.trainer_id or 0])
        changes = ", ".join(
            dict.fromkeys(catalog.text(language, f"change.{c}") for c in params["changes"])
        )
        card = Html(sv.session_card(catalog, language, session, tz, trainers))
        return catalog.text(language, "notice.session_changed", changes=changes, card=card), None
    key = {
        notices.SESSION_CANCELLED: "notice.session_cancelled",
        notices.OFFER_EXPIRED: "notice.offer_expired",
        notices.WAITLIST_ENDED: "notice.waitlist_ended",
    }.get(message.kind)
    if key is None:
        logger.error("outbox message %s has unknown kind %s", message.id, message.kind)
        return None
    return catalog.text(
        language, key, title=session.title, when=sv.when(session, tz, language)
    ), None


async def send_due(application: Application[Any, Any, Any, Any, Any, Any]) -> int:
    """Send every outbox message that is due now; return how many were attempted."""
    services = application.bot_data[SERVICES_KEY]
    assert isinstance(services, Services)
    attempted = 0
    while batch := await services.outbox.claim_due(services.now(), BATCH):
        for message in batch:
            await _deliver(application.bot, services, message)
            attempted += 1
            await asyncio.sleep(SEND_GAP)
    return attempted


async def _deliver(bot: ExtBot[Any], services: Services, message: OutboxMessage) -> None:
    outbox, now = services.outbox, services.now()
    user = await services.users.get(message.user_id)
    rendered = await render(services, user.language if user else "id", message)
    if rendered is None:
        await outbox.finish(message.id, "skipped", now, error="no longer applies")
        return
    text, markup = rendered
    try:
        sent = await bot.send_message(
            message.user_id, text, reply_markup=markup, rate_limit_args={"bulk": True}
        )
    except RetryAfter as exc:
        wait = (
            exc.retry_after
            if isinstance(exc.retry_after, timedelta)
            else timedelta(seconds=exc.retry_after)
        )
        await outbox.retry_later(message.id, now + wait, "429 retry after")
    except Forbidden as exc:
        await outbox.finish(message.id, "failed", now, error=f"forbidden: {exc.message}")
    except BadRequest as exc:
        logger.error("outbox message %s rejected: %s", message.id, exc.message)
        await outbox.finish(message.id, "failed", now, error=exc.message)
    except NetworkError as exc:
        if message.attempts >= MAX_ATTEMPTS:
            await outbox.finish(message.id, "failed", now, error=f"network: {exc.message}")
        else:
            backoff = timedelta(seconds=2**message.attempts)
            await outbox.retry_later(message.id, now + backoff, f"network: {exc.message}")
    else:
        await outbox.finish(message.id, "sent", now, telegram_message_id=sent.message_id)


async def tick(context: DodolanContext) -> None:
    """The periodic job: end expired offers and started waitlists, then send what is due."""
    await context.services.booking.expire()
    await send_due(context.application)


async def start_delivery(application: DodolanApplication, interval: float | None) -> None:
    """Requeue sends a crash interrupted; schedule the periodic job (``None``: tests tick)."""
    services = application.bot_data[SERVICES_KEY]
    assert isinstance(services, Services)
    requeued = await services.outbox.requeue_interrupted()
    if requeued:
        logger.warning("re-sending %d message(s) interrupted by a stop", requeued)
    if interval is not None and application.job_queue is not None:
        application.job_queue.run_repeating(tick, interval=interval, first=0.5, name="outbox")
