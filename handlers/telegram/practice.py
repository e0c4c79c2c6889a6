"""Practice tasks on Telegram: the owner's answers and proof, the trainer's review, and
/berhentitugas and /lanjuttugas. Every decision is the practice service's; this edge parses
(a tapped id, a text, a photo kept through ``services.files``) and renders."""

from __future__ import annotations

import functools

from telegram import Document, Message, PhotoSize, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.core.errors import InvalidInput, StaleAction
from bot.core.models import Dialog
from bot.core.notices import ChannelName
from bot.services import practice as rules
from bot.services.practice_notices import answer_reply, proof_question
from bot.services.unexpected import CLOSED
from handlers.telegram import callbacks as cb
from handlers.telegram.common import clear_buttons, stale
from handlers.telegram.context import DodolanApplication, DodolanContext
from handlers.telegram.dialogs import RESUMES, TEXT_FLOWS


async def tapped_task(update: Update, context: DodolanContext) -> None:
    """Take an owner's "done", "later" or "help", or a reviewer's "accept" or "fix"."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    service = context.services.practice
    try:
        row_id, action = rules.tapped(query.data)
        if action in rules.REVIEWS:
            await service.review(context.me, row_id, action)
            reply = context.t(
                "practice.reviewed_ok" if action == rules.ACCEPT else "practice.ask_note"
            )
        else:
            answered = await service.answer(
                context.me, row_id, action, channel=ChannelName.TELEGRAM, language=context.language
            )
            services = context.services
            tz = services.settings.timezone
            reply = answer_reply(services.catalog, context.language, tz, answered)
    except StaleAction:
        await stale(query, context)
        return
    await query.answer()
    await clear_buttons(query)
    await context.bot.send_message(context.chat, reply)
    context.prompted = True


async def _kept_photo(context: DodolanContext, message: Message) -> str | None:
    """The sha256 of a photo (or image document) the message carries, kept by the bot."""
    files = context.services.files
    media: PhotoSize | Document
    if message.photo:
        media, mime, size = message.photo[-1], None, message.photo[-1].file_size
    elif message.document:
        media, mime, size = (
            message.document,
            message.document.mime_type,
            message.document.file_size,
        )
    else:
        return None
    rules.check_proof_photo(files, mime or "image/jpeg", size)
    content = bytes(await (await media.get_file()).download_as_bytearray())
    return await rules.keep_proof_photo(files, content, mime)


async def received_proof(update: Update, context: DodolanContext, _: Dialog) -> None:
    """Take the store link or the photo the task asked for (the service answers)."""
    message = update.effective_message
    assert message is not None
    reply = await context.services.practice.proof_step(
        context.me,
        message.text,
        photo=functools.partial(_kept_photo, context, message),
        language=context.language,
    )
    await message.reply_text(reply.notice.text)
    context.prompted = reply.asks


async def ask_proof(context: DodolanContext, chat_id: int, dialog: Dialog) -> None:
    """Ask for the proof again after a command interrupted it."""
    services = context.services
    awaited = await services.practice.awaited_proof(dialog.user_id)
    question = proof_question(services.catalog, context.language, awaited)
    if question is not None:
        await context.bot.send_message(chat_id, question)
        context.prompted = True


async def received_note(update: Update, context: DodolanContext, _: Dialog) -> None:
    """Send the reviewer's comment to the owner."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    if not message.text:
        await message.reply_text(context.t("practice.ask_note"))
        return
    try:
        await context.services.practice.received_note(context.me, message.text)
    except InvalidInput as refusal:
        await message.reply_text(context.t(refusal.key, **refusal.params))
        return
    except StaleAction:
        await message.reply_text(context.t(CLOSED))
        return
    await message.reply_text(context.t("practice.note_sent"))


async def ask_note(context: DodolanContext, chat_id: int, dialog: Dialog) -> None:
    """Ask for the comment again after a command interrupted it."""
    await context.bot.send_message(chat_id, context.t("practice.ask_note"))
    context.prompted = True


async def stop_tasks(update: Update, context: DodolanContext) -> None:
    """An owner stops the practice tasks (announcements stay as they are)."""
    assert update.effective_user is not None and update.effective_message is not None
    await context.services.practice.set_stopped(context.me, True)
    await update.effective_message.reply_text(context.t("practice.stopped"))


async def resume_tasks(update: Update, context: DodolanContext) -> None:
    """An owner receives the practice tasks again."""
    assert update.effective_user is not None and update.effective_message is not None
    await context.services.practice.set_stopped(context.me, False)
    await update.effective_message.reply_text(context.t("practice.resumed"))


def register(application: DodolanApplication) -> None:
    """Add the task answers, proof and review flows, and the stop/resume commands."""
    only_private = filters.ChatType.PRIVATE
    application.add_handler(CallbackQueryHandler(tapped_task, pattern=cb.pattern(cb.PRACTICE)))
    application.add_handler(
        CommandHandler(["berhentitugas", "stoptasks"], stop_tasks, only_private)
    )
    application.add_handler(
        CommandHandler(["lanjuttugas", "resumetasks"], resume_tasks, only_private)
    )
    TEXT_FLOWS[rules.FLOW] = received_proof
    RESUMES[rules.FLOW] = ask_proof
    TEXT_FLOWS[rules.FIX_FLOW] = received_note
    RESUMES[rules.FIX_FLOW] = ask_note
