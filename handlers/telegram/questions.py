"""Tanya Dinas on Telegram: an owner's free text goes to the question desk; staff and
trainers answer a ticket by replying to it, or with its buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.core import choices as ids
from bot.core.errors import InvalidInput, NotAllowed, StaleAction
from bot.core.notices import ChannelName
from bot.services.question_intent import BOOKINGS, TIPS
from bot.services.questions import Reply
from handlers.telegram import booking, dialogs, tips
from handlers.telegram.context import DodolanApplication, DodolanContext
from handlers.telegram.views import render


async def show(update: Update, context: DodolanContext, reply: Reply) -> None:
    """Show what answers the question: a menu screen, or the desk's notices."""
    if reply.own == BOOKINGS:
        await booking.my_bookings(update, context)
    elif reply.own == TIPS:
        await tips.daily_settings(update, context)
    assert update.effective_message is not None
    for notice in reply.notices:
        text, markup = render(notice)
        await update.effective_message.reply_text(text, reply_markup=markup)


async def ask(update: Update, context: DodolanContext) -> None:
    """Answer a question an owner typed."""
    assert update.effective_user is not None and update.effective_message is not None
    text = update.effective_message.text or ""
    reply = await context.services.questions.ask(
        update.effective_user.id, text, ChannelName.TELEGRAM, context.language
    )
    if not reply.asked:
        await update.effective_message.reply_text(context.t("fallback.stray"))
        return
    await show(update, context, reply)


async def received_reply(update: Update, context: DodolanContext) -> None:
    """A reply to one of the bot's messages: a ticket's answer, else what text always is."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None and message.reply_to_message is not None
    desk, text, lang = context.services.questions, message.text or "", context.language
    ticket = await desk.ticket_for_reply(user.id, str(message.reply_to_message.message_id))
    if ticket is None:
        await dialogs.received_text(update, context)
        return
    try:
        if await desk.asked_by(user.id, ticket):  # the owner wrote back to an answer
            await show(update, context, await desk.follow_up(user.id, ticket, text, lang))
            return
        await desk.answer(user.id, ticket, text)
    except NotAllowed:
        await message.reply_text(context.t("questions.ticket.not_allowed"))
        return
    except StaleAction:
        await message.reply_text(context.t("questions.closed"))
        return
    except InvalidInput as refusal:
        await message.reply_text(context.t(refusal.key, **refusal.params))
        return
    await message.reply_text(context.t("questions.ticket.sent", id=str(ticket)))


async def tapped_question(update: Update, context: DodolanContext) -> None:
    """An owner's 👍, 🙋 or FAQ pick; a forged or stale one changes nothing."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    desk, lang = context.services.questions, context.language
    data = query.data or ""
    pick = ids.parse(data, ids.QUESTION, 3)
    parts = ids.parse(data, ids.QUESTION, 2)
    try:
        if pick is not None and pick[0] == "pick" and pick[1].isdigit():
            reply = await desk.pick(user.id, int(pick[1]), pick[2], lang)
        elif parts is not None and parts[1].isdigit() and parts[0] == "ok":
            await desk.helpful(user.id, int(parts[1]))
            await query.answer(context.t("questions.thanks"))
            await query.edit_message_reply_markup(None)
            return
        elif parts is not None and parts[1].isdigit() and parts[0] == "ask":
            reply = await desk.hand_over(user.id, int(parts[1]), lang)
        else:
            raise StaleAction(data)
    except StaleAction:
        await query.answer(context.t("questions.stale"), show_alert=True)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    await show(update, context, reply)


async def tapped_ticket(update: Update, context: DodolanContext) -> None:
    """Staff or a trainer tapped ✅ Selesai or ↪️ Alihkan; re-checked on the server."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    parts = ids.parse(query.data, ids.TICKET, 2)
    desk = context.services.questions
    try:
        if parts is None or not parts[1].isdigit() or parts[0] not in ("done", "fwd"):
            raise StaleAction(query.data)
        ticket = int(parts[1])
        if parts[0] == "done":
            await desk.close(user.id, ticket)
            text = context.t("questions.ticket.done", id=str(ticket))
        elif await desk.forward(user.id, ticket):
            text = context.t("questions.ticket.forwarded", id=str(ticket))
        else:
            text = context.t("questions.ticket.forward_staff")
    except NotAllowed:
        await query.answer(context.t("questions.ticket.not_allowed"), show_alert=True)
        return
    except StaleAction:
        await query.answer(context.t("questions.closed"), show_alert=True)
        return
    await query.answer(text)
    await query.edit_message_reply_markup(None)


def register(application: DodolanApplication) -> None:
    """Add ticket replies (before the dialogs) and the question buttons; free text comes
    through the fallback (``common.stray_message``)."""
    replies = filters.ChatType.PRIVATE & filters.REPLY & filters.TEXT & ~filters.COMMAND
    application.add_handler(MessageHandler(replies, received_reply))
    application.add_handler(
        CallbackQueryHandler(tapped_question, pattern=ids.pattern(ids.QUESTION))
    )
    application.add_handler(CallbackQueryHandler(tapped_ticket, pattern=ids.pattern(ids.TICKET)))
