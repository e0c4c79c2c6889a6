"""Outcome check-ins on Telegram: the buttons and the free-text obstacle. The service decides
the next question; this edge clears the tapped buttons and sends it."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.core.errors import StaleAction
from bot.core.models import Dialog
from bot.core.notices import ChannelName
from bot.services import outcomes as rules
from bot.services.unexpected import CLOSED
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
    """Keep what stops the owner; anything but text is refused and the question asked again."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    services = context.services
    if not message.text:
        checkin = await services.outcomes.awaited_obstacle(context.me)
        if checkin is not None:
            again = rules.obstacle_again(
                services.catalog, context.language, checkin, received(message)
            )
            text, markup = views.render(again)
            await message.reply_text(text, reply_markup=markup)
            context.prompted = True
        return
    try:
        promise = await services.outcomes.received_obstacle(
            context.me, message.text, channel=ChannelName.TELEGRAM, language=context.language
        )
    except StaleAction:
        await message.reply_text(context.t(CLOSED))
        return
    saved = rules.obstacle_saved(services.catalog, context.language, promise)
    await message.reply_text(saved.text)


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
