"""Outcome check-ins on Telegram: the buttons and the free-text obstacle. The service decides
the next question; this edge clears the tapped buttons and sends it."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.core.errors import StaleAction
from bot.core.models import Dialog
from bot.core.notices import ChannelName
from bot.services import outcomes as rules
from handlers.telegram import callbacks as cb
from handlers.telegram import views
from handlers.telegram.common import clear_buttons, received, stale
from handlers.telegram.context import DodolanApplication, DodolanContext
from handlers.telegram.dialogs import RESUMES, TEXT_FLOWS


async def tapped(update: Update, context: DodolanContext) -> None:
    """Take one answer and ask the next question."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    try:
        row_id, kind, value = rules.tapped(query.data)
        checkin, step = await context.services.outcomes.answer(context.me, row_id, kind, value)
    except StaleAction:
        await stale(query, context)
        return
    await query.answer()
    await clear_buttons(query)
    notice = rules.question(context.services.catalog, context.language, checkin, step)
    text, markup = views.render(notice)
    await context.bot.send_message(context.chat, text, reply_markup=markup)
    context.prompted = step is rules.Step.OBSTACLE


async def received_obstacle(update: Update, context: DodolanContext, _: Dialog) -> None:
    """Keep what stops the owner, or refuse it and ask again (the service decides)."""
    message = update.effective_message
    assert message is not None
    reply = await context.services.outcomes.obstacle_step(
        context.me,
        received(message),
        message.text,
        channel=ChannelName.TELEGRAM,
        language=context.language,
    )
    if reply is not None:
        text, markup = views.render(reply.notice)
        await message.reply_text(text, reply_markup=markup)
        context.prompted = reply.asks


async def ask_obstacle(context: DodolanContext, chat_id: int, dialog: Dialog) -> None:
    """Ask again after a command interrupted it."""
    checkin = await context.services.outcomes.awaited_obstacle(dialog.user_id)
    if checkin is not None:
        notice = rules.question(
            context.services.catalog, context.language, checkin, rules.Step.OBSTACLE
        )
        text, markup = views.render(notice)
        await context.bot.send_message(chat_id, text, reply_markup=markup)
        context.prompted = True


def register(application: DodolanApplication) -> None:
    """Add the check-in buttons and the obstacle flow."""
    application.add_handler(CallbackQueryHandler(tapped, pattern=cb.pattern(cb.OUTCOME)))
    TEXT_FLOWS[rules.FLOW] = received_obstacle
    RESUMES[rules.FLOW] = ask_obstacle
