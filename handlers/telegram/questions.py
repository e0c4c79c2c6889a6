"""Tanya Dinas on Telegram: an owner's free text goes to the question desk; staff and
trainers answer a ticket by replying to it, or with its buttons."""

from __future__ import annotations

from telegram import Document, Message, PhotoSize, Update, Voice
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.core import choices as ids
from bot.core.errors import InvalidInput, NotAllowed, StaleAction
from bot.core.notices import ChannelName
from bot.services import question_taps
from bot.services.files import QUESTION_TYPES
from bot.services.question_intent import BOOKINGS, TIPS
from bot.services.questions import FileRef, Reply
from handlers.telegram import booking, delivery, dialogs, tips
from handlers.telegram.common import refuse_tap, stale
from handlers.telegram.context import SERVICES_KEY, DodolanApplication, DodolanContext
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


async def received_file(update: Update, context: DodolanContext) -> bool:
    """A photo, document or voice note no conversation expects: with (or right after) a
    question it goes to whoever answers it. False if it belongs to no question."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    found = _media(message)
    desk, caption = context.services.questions, message.caption or ""
    if found is None or not await desk.takes_file(context.me, caption):
        return False
    media, mime, kind, name = found
    files = context.services.files
    try:
        files.check(mime or "image/jpeg", media.file_size, QUESTION_TYPES)
        content = bytes(await (await media.get_file()).download_as_bytearray())
        kept = await files.keep(content, mime, QUESTION_TYPES)
    except InvalidInput:
        await message.reply_text(context.t("questions2.not_kept"))
        return True
    reply = await desk.attach(
        context.me,
        ChannelName.TELEGRAM,
        FileRef(kept.sha256, kind, name),
        caption,
        context.language,
    )
    if not reply.asked:
        return False
    await show(update, context, reply)
    return True


def _media(
    message: Message,
) -> tuple[PhotoSize | Document | Voice, str | None, str, str | None] | None:
    """The file of a message: the object, its declared type, its kind and name."""
    if message.photo:
        return message.photo[-1], None, "photo", None
    if message.document:
        document = message.document
        return document, document.mime_type, "document", document.file_name
    if message.voice:
        return message.voice, message.voice.mime_type or "audio/ogg", "voice", None
    return None


async def received_reply(update: Update, context: DodolanContext) -> None:
    """A reply to one of the bot's messages: a ticket's answer, else what text always is."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None and message.reply_to_message is not None
    desk, text, lang = context.services.questions, message.text or "", context.language
    ticket = await desk.ticket_for_reply(context.me, str(message.reply_to_message.message_id))
    if ticket is None:
        await dialogs.received_text(update, context)
        return
    try:
        if await desk.asked_by(context.me, ticket):  # the owner wrote back to an answer
            context.dialog_before = await context.services.dialogs.current(context.me)
            await show(update, context, await desk.follow_up(context.me, ticket, text, lang))
            await dialogs.ask_again(update, context)  # a question still open comes again
            return
        await desk.answer(context.me, ticket, text)
    except NotAllowed:
        await message.reply_text(context.t("questions.ticket.not_allowed"))
        return
    except StaleAction:
        await message.reply_text(context.t("questions.closed"))
        return
    except InvalidInput as refusal:
        await message.reply_text(context.t(refusal.key, **refusal.params))
        return
    text, markup = render(await context.services.staff_faq.sent_notice(context.me, ticket, lang))
    await message.reply_text(text, reply_markup=markup)


async def tapped_question(update: Update, context: DodolanContext) -> None:
    """An owner's 👍, 🙋 or FAQ pick; a forged or stale one changes nothing."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    desk = context.services.questions
    try:
        taken = await question_taps.tapped(desk, context.me, query.data, context.language)
    except StaleAction:
        await stale(query, context)
        return
    if taken.reply is None:  # 👍: thanked in the toast
        await query.answer(context.t(question_taps.THANKS))
        await query.edit_message_reply_markup(None)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    await show(update, context, taken.reply)


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
            await desk.close(context.me, ticket)
            text = context.t("questions.ticket.done", id=str(ticket))
        elif await desk.forward(context.me, ticket):
            text = context.t("questions.ticket.forwarded", id=str(ticket))
        else:
            text = context.t("questions.ticket.forward_staff")
    except NotAllowed:
        await refuse_tap(query, context, context.t("questions.ticket.not_allowed"))
        return
    except StaleAction:
        await refuse_tap(query, context, context.t("questions.closed"))
        return
    await query.answer(text)
    await query.edit_message_reply_markup(None)


async def tapped_staff_faq(update: Update, context: DodolanContext) -> None:
    """Staff tapped 📚 Jadikan FAQ, ✅ Simpan ke FAQ or ✖️ Batal; the role is re-read."""
    query, user, message = update.callback_query, update.effective_user, update.effective_message
    assert query is not None and user is not None and message is not None
    staff_faq, data = context.services.staff_faq, query.data
    see, add = ids.parse(data, ids.STAFF_FAQ, 2), ids.parse(data, ids.STAFF_FAQ, 3)
    try:
        if see is not None and see[0] == "no" and see[1].isdigit():
            await query.answer(context.t("questions2.cancelled"))
            await query.edit_message_reply_markup(None)
            return
        if see is not None and see[0] == "see" and see[1].isdigit():
            notice = await staff_faq.propose(context.me, int(see[1]), context.language)
            await query.answer()
            await query.edit_message_reply_markup(None)
            text, markup = render(notice)
            await message.reply_text(text, reply_markup=markup)
            return
        if add is None or add[0] != "add" or not (add[1].isdigit() and add[2].isdigit()):
            raise StaleAction(data)
        await staff_faq.adopt(context.me, int(add[1]), int(add[2]))
    except NotAllowed:
        await refuse_tap(query, context, context.t("questions2.staff_only"))
        return
    except StaleAction:
        await refuse_tap(query, context, context.t("questions2.stale"))
        return
    await query.answer(context.t("questions2.saved"))
    await query.edit_message_reply_markup(None)
    await message.reply_text(context.t("questions2.saved"))


async def hand_waiting(application: DodolanApplication) -> None:
    """Periodic work: tickets asked before any staff member could get them reach staff now."""
    services = application.bot_data[SERVICES_KEY]
    await services.questions.hand_waiting()


def register(application: DodolanApplication) -> None:
    """Add ticket replies (before the dialogs) and the question buttons; free text comes
    through the fallback (``common.stray_message``)."""
    delivery.add_tick(application, "questions-waiting", hand_waiting)
    replies = filters.ChatType.PRIVATE & filters.REPLY & filters.TEXT & ~filters.COMMAND
    application.add_handler(MessageHandler(replies, received_reply))
    application.add_handler(
        CallbackQueryHandler(tapped_question, pattern=ids.pattern(ids.QUESTION))
    )
    application.add_handler(CallbackQueryHandler(tapped_ticket, pattern=ids.pattern(ids.TICKET)))
    application.add_handler(
        CallbackQueryHandler(tapped_staff_faq, pattern=ids.pattern(ids.STAFF_FAQ))
    )
