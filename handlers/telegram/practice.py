"""Owners' practice tasks on Telegram: the three answers under a task, /berhentitugas and
/lanjuttugas. Every decision is the practice service's; this edge parses and renders."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.core.errors import StaleAction
from bot.services.practice_notices import answer_reply
from handlers.telegram import callbacks as cb
from handlers.telegram.common import clear_buttons
from handlers.telegram.context import DodolanApplication, DodolanContext


async def tapped_task(update: Update, context: DodolanContext) -> None:
    """Take "done", "later" or "help" on a task; the task keeps its text, loses its buttons."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    parts = cb.parse(query.data, cb.PRACTICE, 2)
    try:
        if parts is None or not parts[0].isdigit():
            raise StaleAction(query.data)
        answered = await context.services.practice.answer(user.id, int(parts[0]), parts[1])
    except StaleAction:
        await query.answer(context.t("fallback.stale_button"), show_alert=True)
        return
    await query.answer()
    await clear_buttons(query)
    services = context.services
    reply = answer_reply(services.catalog, context.language, services.settings.timezone, answered)
    await context.bot.send_message(user.id, reply)


async def stop_tasks(update: Update, context: DodolanContext) -> None:
    """An owner stops the practice tasks (announcements stay as they are)."""
    assert update.effective_user is not None and update.effective_message is not None
    await context.services.practice.set_stopped(update.effective_user.id, True)
    await update.effective_message.reply_text(context.t("practice.stopped"))


async def resume_tasks(update: Update, context: DodolanContext) -> None:
    """An owner receives the practice tasks again."""
    assert update.effective_user is not None and update.effective_message is not None
    await context.services.practice.set_stopped(update.effective_user.id, False)
    await update.effective_message.reply_text(context.t("practice.resumed"))


def register(application: DodolanApplication) -> None:
    """Add the task answers and the stop/resume commands."""
    only_private = filters.ChatType.PRIVATE
    application.add_handler(CallbackQueryHandler(tapped_task, pattern=cb.pattern(cb.PRACTICE)))
    application.add_handler(
        CommandHandler(["berhentitugas", "stoptasks"], stop_tasks, only_private)
    )
    application.add_handler(
        CommandHandler(["lanjuttugas", "resumetasks"], resume_tasks, only_private)
    )
