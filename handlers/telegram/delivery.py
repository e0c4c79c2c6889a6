"""The outbox in the Telegram edge: replies sent at once, and periodic work.

How rows are sent (building, channels, retries, at-least-once, replies owed) is
:mod:`bot.services.delivery`, run by :class:`bot.app.delivery.DeliveryRunner` for every
channel. What stays here is Telegram's:

* :func:`send_now` sends a reply owed (a committed change) at once, at reply priority.
* **Ticks.** Short periodic work of Telegram features (refreshing a broadcast's status
  message, admitting queued newcomers), every ``TICK_SECONDS``.

Every notice, the busy-hour welcome too, is built in ``bot/services`` and sent by the
Telegram channel (:mod:`handlers.telegram.channel`); nothing here renders one.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, cast

from telegram.ext import Application

from bot.core.notices import Notice
from bot.services.notice_builders import maps_link as maps_link
from handlers.telegram.context import DodolanContext

logger = logging.getLogger(__name__)

SENDER_KEY = "outbox_sender"
TICK_SECONDS = 3.0


AnyApplication = Application[Any, Any, Any, Any, Any, Any]

# Short periodic work of feature modules (e.g. refreshing a broadcast's status message), run
# every TICK_SECONDS by a JobQueue job, and by tests through RunningBot.tick().
TickHook = Callable[[AnyApplication], Awaitable[None]]
TICKS_KEY = "telegram_ticks"  # bot_data: each feature's periodic work, by name


PROBLEMS_KEY = "channel_problems"  # bot_data: what another channel cannot send now


def channel_problems(application: AnyApplication) -> list[str]:
    """What the other channels say they cannot send now (WhatsApp templates not approved)."""
    problems = application.bot_data.get(PROBLEMS_KEY)
    return list(problems()) if callable(problems) else []


ESTIMATE_KEY = "whatsapp_estimate"  # bot_data: the WhatsApp side of a planned announcement


class Estimate(Protocol):
    """What another channel says a planned announcement would take there."""

    recipients: int
    templates: int
    tier_left: int
    days: int


async def whatsapp_estimate(application: AnyApplication, user_ids: list[int]) -> Estimate | None:
    """The WhatsApp side of sending to these users, when WhatsApp is configured."""
    estimate = application.bot_data.get(ESTIMATE_KEY)
    if estimate is None:
        return None
    return cast(Estimate, await estimate(user_ids))


WHATSAPP_TEXT_KEY = "whatsapp_text"  # bot_data: a notice's text as a WhatsApp owner reads it


def whatsapp_text(application: AnyApplication, notice: Notice, language: str) -> str | None:
    """What a WhatsApp owner reads of ``notice``, when WhatsApp is configured."""
    render = application.bot_data.get(WHATSAPP_TEXT_KEY)
    return cast(str, render(notice, language)) if callable(render) else None


def add_tick(application: AnyApplication, name: str, hook: TickHook) -> None:
    """Run ``hook`` every ``TICK_SECONDS`` while the bot runs."""
    application.bot_data.setdefault(TICKS_KEY, {})[name] = hook


class Sender(Protocol):
    """The running delivery, as the Telegram handlers use it."""

    async def send_now(self, message_id: int) -> None:
        """Send one promised reply now, unless a worker took it already."""
        ...


async def send_now(application: AnyApplication, message_id: int | None) -> None:
    """Send a just-promised reply at once (left to the workers if delivery is not running)."""
    sender = application.bot_data.get(SENDER_KEY)
    if message_id is not None and sender is not None:
        await cast(Sender, sender).send_now(message_id)


async def run_tick_hooks(application: AnyApplication) -> None:
    """Run every feature's periodic work once; one failing hook does not stop the others."""
    hooks: dict[str, TickHook] = application.bot_data.get(TICKS_KEY, {})
    for name, hook in list(hooks.items()):
        try:
            await hook(application)
        except Exception:
            logger.exception("periodic work %s failed", name)


async def _ticks(context: DodolanContext) -> None:
    await run_tick_hooks(context.application)


def start_ticks(application: AnyApplication) -> None:
    """Run the features' periodic work every ``TICK_SECONDS`` while the bot runs."""
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            _ticks, interval=TICK_SECONDS, first=TICK_SECONDS, name="ticks"
        )
