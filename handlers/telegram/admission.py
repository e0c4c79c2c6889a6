"""Telegram side of admission: decide when the bot is too busy, tell newcomers their place.

The bot is busy when a reply asked now would wait more than :data:`ADMIT_AFTER` seconds for
Telegram's sending budget, or more than :data:`ADMIT_UTILISATION` of that budget has been in
use for the last few seconds (``PriorityRateLimiter``), or others are already waiting (first
come, first served). The note with the place goes out as an ``urgent`` call, ahead of the
queue it describes; the welcome itself is an outbox row that :func:`admit_waiting` sends,
oldest first, each half second while the bot is not busy: owners already in a conversation
keep their quick answers, and newcomers come in as fast as room frees up.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.ext import ExtBot

from bot.app.container import Services
from bot.services.admission import minutes_to_wait, welcome_notice
from handlers.telegram import delivery, views
from handlers.telegram.context import SERVICES_KEY, DodolanApplication, DodolanContext
from handlers.telegram.ratelimit import PriorityRateLimiter

# Seconds of reply backlog above which newcomers are queued instead of answered.
ADMIT_AFTER = 1.0
# Share of Telegram's sending budget in use above which nobody new is admitted: those
# already in a conversation need the rest to keep their answers quick.
ADMIT_UTILISATION = 0.7
# How often waiting newcomers are considered, and how many at most each time.
ADMIT_EVERY = 0.5
ADMIT_BATCH = 2


def _saturated(bot: object) -> bool:
    limiter = getattr(bot, "rate_limiter", None)
    return isinstance(limiter, PriorityRateLimiter) and (
        limiter.reply_backlog > ADMIT_AFTER or limiter.utilisation > ADMIT_UTILISATION
    )


async def is_busy(context: DodolanContext) -> bool:
    """Whether a newcomer should wait in the queue rather than be answered now."""
    return _saturated(context.bot) or await context.services.admission.waiting() > 0


async def admit_waiting(application: DodolanApplication) -> None:
    """Welcome the longest-waiting newcomers while there is room for them."""
    services = application.bot_data.get(SERVICES_KEY)
    if not isinstance(services, Services):
        return
    for _ in range(ADMIT_BATCH):
        if _saturated(application.bot):
            return
        message_id = await services.admission.next_waiting()
        if message_id is None:
            return
        await delivery.send_now(application, message_id)


async def _admission_job(context: DodolanContext) -> None:
    application: DodolanApplication = context.application  # type: ignore[assignment]
    await admit_waiting(application)


async def queue_newcomer(context: DodolanContext, chat_id: int, name: str) -> None:
    """Put the newcomer in the queue and tell them their place, ahead of everyone waiting."""
    place = await context.services.admission.queue(chat_id, name)
    bot: ExtBot[Any] = context.bot  # typed with rate_limit_args, as the outbox sender's
    await bot.send_message(
        chat_id,
        context.t("admission.queued", place=place, minutes=minutes_to_wait(place)),
        rate_limit_args={"urgent": True},
    )


def welcome_screen(
    services: Services, language: str, name: str
) -> tuple[str, InlineKeyboardMarkup]:
    """The first message a newcomer gets: the greeting and the consent question, in one."""
    text, markup = views.render(welcome_notice(services.catalog, language, name))
    assert markup is not None  # the consent always has its two choices
    return text, markup


def register(application: DodolanApplication) -> None:
    """Admit waiting newcomers every tick (tests) and every half second (the queued welcome is
    built by ``bot.services.admission.WelcomeNotices``, like every other notice)."""
    delivery.add_tick(application, "admission", admit_waiting)
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            _admission_job, interval=ADMIT_EVERY, first=ADMIT_EVERY, name="admission"
        )
