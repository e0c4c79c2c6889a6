"""Telegram side of admission: decide when the bot is too busy, tell newcomers their place.

The bot is busy when a reply asked now would wait more than :data:`ADMIT_AFTER` seconds for
Telegram's sending budget, or more than :data:`ADMIT_UTILISATION` of that budget has been in
use for the last few seconds (``PriorityRateLimiter``), or others are already waiting (first
come, first served). The note with the place and the promised minutes goes out as an
``urgent`` call, ahead of the queue it describes; the welcome itself is an outbox row that
:func:`admit_waiting` sends, oldest first, while the bot is not busy: owners already in a
conversation keep their quick answers, and newcomers come in as fast as room frees up. Each
welcome sent is noted, so the promises follow the pace measured; whoever's promise slips is
told once, honestly, what to expect now: that notice is an outbox row too (``admission_slip``),
sent at once and recorded as told only after Telegram accepted it.

:class:`AdmissionLoop` is one long-running task (not a repeating job, whose runs would
overlap while a welcome waits for its slot and be skipped): admit, then wait
:data:`ADMIT_EVERY`, again. Tests run the same work through the delivery ticks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.ext import ExtBot

from bot.services.admission import welcome_notice
from bot.services.facade import Services
from handlers.telegram import delivery, views
from handlers.telegram.context import SERVICES_KEY, DodolanApplication, DodolanContext
from handlers.telegram.ratelimit import PriorityRateLimiter

logger = logging.getLogger(__name__)

# Seconds of reply backlog above which newcomers are queued instead of answered.
ADMIT_AFTER = 1.0
# Share of Telegram's sending budget in use above which nobody new is admitted: those
# already in a conversation need the rest to keep their answers quick.
ADMIT_UTILISATION = 0.7
# How long the admission loop rests between rounds, and how many it welcomes at most in one.
ADMIT_EVERY = 0.5
ADMIT_BATCH = 2
LOOP_KEY = "admission_loop"  # bot_data: the running AdmissionLoop


def _saturated(bot: object) -> bool:
    limiter = getattr(bot, "rate_limiter", None)
    return isinstance(limiter, PriorityRateLimiter) and (
        limiter.reply_backlog > ADMIT_AFTER or limiter.utilisation > ADMIT_UTILISATION
    )


async def is_busy(context: DodolanContext) -> bool:
    """Whether a newcomer should wait in the queue rather than be answered now."""
    return _saturated(context.bot) or await context.services.admission.waiting() > 0


async def admit_waiting(application: DodolanApplication) -> None:
    """Welcome the longest-waiting newcomers while there is room; tell those whose promise
    slipped what to expect now."""
    services = application.bot_data.get(SERVICES_KEY)
    if not isinstance(services, Services):
        return
    for _ in range(ADMIT_BATCH):
        if _saturated(application.bot):
            break
        message_id = await services.admission.next_waiting()
        if message_id is None:
            break
        await delivery.send_now(application, message_id)
        services.admission.welcomed()
    await tell_slipped(application)


async def tell_slipped(application: DodolanApplication) -> None:
    """Queue a notice to each newcomer whose promised moment passed, and send it now."""
    services = application.bot_data.get(SERVICES_KEY)
    if not isinstance(services, Services):
        return
    for renewed in await services.admission.slipped():
        await delivery.send_now(application, renewed.notice_id)


async def _admit_unless_looping(application: DodolanApplication) -> None:
    """The tick's round of admission, when no admission loop runs (tests drive it so)."""
    if LOOP_KEY not in application.bot_data:
        await admit_waiting(application)


async def _rest() -> None:
    await asyncio.sleep(ADMIT_EVERY)


class AdmissionLoop:
    """One task that admits waiting newcomers round after round, never two rounds at once:
    it rests (``rest``, :data:`ADMIT_EVERY` by default) only after a round has ended."""

    def __init__(
        self,
        application: DodolanApplication,
        rest: Callable[[], Awaitable[None]] = _rest,
    ) -> None:
        self._application = application
        self._rest = rest
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the rounds."""
        self._task = asyncio.create_task(self._run(), name="admission")

    async def stop(self) -> None:
        """Stop after the round in progress is cancelled (queued welcomes stay queued)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await admit_waiting(self._application)
            except Exception:
                logger.exception("admitting queued newcomers failed; trying again")
            await self._rest()


def start_loop(application: DodolanApplication) -> None:
    """Admit queued newcomers in the background while the bot runs."""
    loop = AdmissionLoop(application)
    application.bot_data[LOOP_KEY] = loop
    loop.start()


async def stop_loop(application: DodolanApplication) -> None:
    """Stop admitting (before delivery stops)."""
    loop = application.bot_data.pop(LOOP_KEY, None)
    if isinstance(loop, AdmissionLoop):
        await loop.stop()


async def queue_newcomer(context: DodolanContext, chat_id: int, name: str) -> None:
    """Put the newcomer in the queue and tell them their place, ahead of everyone waiting."""
    queued = await context.services.admission.queue(context.me, name)
    bot: ExtBot[Any] = context.bot  # typed with rate_limit_args, as the outbox sender's
    await bot.send_message(
        chat_id,
        context.t("admission.queued", place=queued.place, minutes=queued.minutes),
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
    """Admit waiting newcomers on every tick (tests) and in the admission loop
    (:func:`start_loop`, while delivery runs in the background). The queued welcome is built
    by ``bot.services.admission.WelcomeNotices``, like every other notice."""
    delivery.add_tick(application, "admission", _admit_unless_looping)
