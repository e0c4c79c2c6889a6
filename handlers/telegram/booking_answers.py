"""Answers to what the bot sent on its own: a waitlist seat offer, a reminder's question."""

from __future__ import annotations

from telegram import CallbackQuery, Update
from telegram.ext import CallbackQueryHandler

from bot.core import choices as ids
from bot.core.errors import Refusal, StaleAction
from bot.services.notice_answers import (
    OFFER_STALE,
    answer_offer,
    answer_reminder,
    answered,
    attending_reply,
)
from handlers.telegram import callbacks as cb
from handlers.telegram.booking_common import tapped_here, tell, trainer_names, why
from handlers.telegram.common import clear_buttons, repeated
from handlers.telegram.context import DodolanApplication, DodolanContext
from handlers.telegram.session_views import SessionViews


async def tapped_offer(update: Update, context: DodolanContext) -> None:
    """Take or pass on a seat offered from the waitlist."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    try:
        view = await answer_offer(context.services.booking, context.me, query.data)
    except (StaleAction, Refusal) as error:
        await _refused(query, context, error, ids.OFFER, OFFER_STALE)
        return
    await query.answer()
    await clear_buttons(query)
    await tell(context, view)


async def tapped_reminder(update: Update, context: DodolanContext) -> None:
    """ "I'll be there" is thanked; "I can't come" asks to confirm the cancellation."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    try:
        answer = await answer_reminder(context.services.booking, context.me, query.data)
    except (StaleAction, Refusal) as error:
        await _refused(query, context, error, ids.REMINDER)
        return
    await query.answer()
    if answer.attending:
        await clear_buttons(query)
        thanks = attending_reply(repeated(query, context))
        await context.bot.send_message(context.chat, context.t(thanks))
        return
    trainers = await trainer_names(context, [answer.view.session])
    text, markup = SessionViews.of(context).cancel_question(answer.view, trainers)
    await context.bot.send_message(context.chat, text, reply_markup=markup)


async def _refused(
    query: CallbackQuery,
    context: DodolanContext,
    error: StaleAction | Refusal,
    kind: str,
    stale: str = "booking.stale",
) -> None:
    """Say why the answer changed nothing; a notice of ours has nothing left to answer."""
    await query.answer()
    if answered(query.data, kind) is not None and tapped_here(query):
        await clear_buttons(query)
    await context.bot.send_message(context.chat, why(query, context, error, stale))


def register(application: DodolanApplication) -> None:
    """Add the buttons of seat offers and reminders."""
    application.add_handler(CallbackQueryHandler(tapped_offer, pattern=cb.pattern(cb.OFFER)))
    application.add_handler(CallbackQueryHandler(tapped_reminder, pattern=cb.pattern(cb.REMINDER)))
