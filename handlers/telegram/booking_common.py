"""Helpers the owners' booking buttons share: names, the reply owed, where a tap landed."""

from __future__ import annotations

from telegram import CallbackQuery, Message

from bot.core.errors import Refusal, StaleAction
from bot.core.models import TrainingSession
from bot.services.booking import BookingView
from bot.services.unexpected import BOOKING_CHANGED, refused_tap
from handlers.telegram.common import repeated
from handlers.telegram.context import DodolanContext
from handlers.telegram.delivery import send_now


async def trainer_names(
    context: DodolanContext, sessions: list[TrainingSession]
) -> dict[int, str]:
    """The display names of the sessions' trainers."""
    ids = [s.trainer_id for s in sessions if s.trainer_id]
    return await context.services.users.display_names(ids)


async def tell(context: DodolanContext, view: BookingView) -> None:
    """Send the reply about the change just committed (the outbox sends it if this fails)."""
    await send_now(context.application, view.notice)


def tapped_here(query: CallbackQuery) -> bool:
    """Whether the tapped button is on the message (not a forged or long-gone one).

    Only then is that message redrawn or cleared: a forged tap arrives on whatever message
    was last, which may be a file or hold nothing of this booking.
    """
    message = query.message
    if not isinstance(message, Message) or message.text is None or message.reply_markup is None:
        return False
    keyboard = message.reply_markup.inline_keyboard
    return any(button.callback_data == query.data for row in keyboard for button in row)


def tapped_label(query: CallbackQuery) -> str | None:
    """The text of the tapped button, if it is on the message (see :func:`tapped_here`)."""
    message = query.message
    if not isinstance(message, Message) or message.reply_markup is None:
        return None
    keyboard = message.reply_markup.inline_keyboard
    return next((b.text for row in keyboard for b in row if b.callback_data == query.data), None)


def why(
    query: CallbackQuery,
    context: DodolanContext,
    error: StaleAction | Refusal,
    stale: str = BOOKING_CHANGED,
) -> str:
    """The rule that said no, or that the button no longer applies (naming /bookingsaya);
    a double tap, that the first was taken (:func:`~bot.services.unexpected.refused_tap`)."""
    context.tap_stale = True
    key, params = refused_tap(error, repeated=repeated(query, context), stale=stale)
    return context.t(key, **params)
