"""The outbox in the Telegram edge: replies sent at once, periodic work, legacy renderers.

How rows are sent (building, channels, retries, at-least-once, replies owed) is
:mod:`bot.services.delivery`, run by :class:`bot.app.delivery.DeliveryRunner` for every
channel. What stays here is Telegram's:

* :func:`send_now` sends a reply owed (a committed change) at once, at reply priority.
* **Ticks.** Short periodic work of Telegram features (refreshing a broadcast's status
  message, admitting queued newcomers), every ``TICK_SECONDS``.
* **Telegram-only notices** (the welcome of a newcomer queued in a busy hour) are rendered
  by their feature module (:func:`add_renderer`); :func:`add_telegram_renderers` turns what
  they return into neutral :class:`~bot.core.notices.Notice` values for delivery.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from io import BytesIO
from typing import Any, Protocol, cast

from telegram import InlineKeyboardMarkup, InputFile
from telegram.ext import Application, ExtBot

from bot.app.container import Services
from bot.core.models import OutboxMessage
from bot.core.notices import Attachment, ChannelName, Choice, Notice
from bot.services.delivery import AfterSent, Builders
from bot.services.notice_builders import maps_link as maps_link
from handlers.telegram.context import DodolanContext

logger = logging.getLogger(__name__)

SENDER_KEY = "outbox_sender"
TICK_SECONDS = 3.0


@dataclass(frozen=True)
class Outgoing:
    """One message to send: text (or caption), buttons, and optionally a photo, a document
    (a file id or URL) or a file made at send time (``upload``: name and bytes)."""

    text: str
    markup: InlineKeyboardMarkup | None = None
    photo: str | None = None
    document: str | None = None
    upload: tuple[str, bytes] | None = None


# A renderer may return several messages for one row; the first is the one that counts.
Rendered = tuple[str, InlineKeyboardMarkup | None] | Outgoing | list[Outgoing]
AnyApplication = Application[Any, Any, Any, Any, Any, Any]
Renderer = Callable[[Services, str, OutboxMessage, datetime], Awaitable[Rendered | None]]
# What a Telegram-only kind records once its row was sent (never before).
AfterRendered = Callable[[Services, OutboxMessage, datetime], Awaitable[None]]

# Short periodic work of feature modules (e.g. refreshing a broadcast's status message), run
# every TICK_SECONDS by a JobQueue job, and by tests through RunningBot.tick().
TickHook = Callable[[AnyApplication], Awaitable[None]]
RENDERERS_KEY = "telegram_renderers"  # bot_data: outbox kinds rendered by a Telegram module
AFTER_SENT_KEY = "telegram_after_sent"  # bot_data: what those kinds record once sent
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


def add_renderer(
    application: AnyApplication,
    kind: str,
    renderer: Renderer,
    *,
    after_sent: AfterRendered | None = None,
) -> None:
    """Let a Telegram feature module render one outbox kind of its own (and record what a
    sent row changes, ``after_sent``)."""
    renderers = application.bot_data.setdefault(RENDERERS_KEY, {})
    if kind in renderers:
        raise ValueError(f"outbox kind {kind!r} has a renderer already")
    renderers[kind] = renderer
    if after_sent is not None:
        application.bot_data.setdefault(AFTER_SENT_KEY, {})[kind] = after_sent


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


def add_telegram_renderers(
    builders: Builders, application: AnyApplication, services: Services
) -> None:
    """Add the kinds only the Telegram edge sends (the busy-hour welcome) to ``builders``."""
    renderers: dict[str, Renderer] = application.bot_data.get(RENDERERS_KEY, {})
    afters: dict[str, AfterRendered] = application.bot_data.get(AFTER_SENT_KEY, {})
    for kind, renderer in sorted(renderers.items()):

        async def build(
            message: OutboxMessage, language: str, now: datetime, renderer: Renderer = renderer
        ) -> Notice | None:
            rendered = await renderer(services, language, message, now)
            return None if rendered is None else notice_of(rendered)

        builders.add(kind, build, _bound(afters.get(kind), services))


def _bound(after: AfterRendered | None, services: Services) -> AfterSent | None:
    if after is None:
        return None

    async def after_sent(message: OutboxMessage, now: datetime) -> None:
        await after(services, message, now)

    return after_sent


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


def _parts(rendered: Rendered) -> list[Outgoing]:
    if isinstance(rendered, list):
        return rendered
    return [rendered if isinstance(rendered, Outgoing) else Outgoing(*rendered)]


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
