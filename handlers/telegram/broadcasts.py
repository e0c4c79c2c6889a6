"""/umumkan: staff compose an announcement (audience → message → buttons → preview → send or
schedule); trainers use the same flow for follow-ups to their own session. Also /riwayat,
/berhenti and /mulai, and the live status message.

Each tap or message is one call to :class:`BroadcastComposer`, which holds the rules (who may
send what, which step comes next); this module reads the update and shows the result. A tapped
choice edits its own message into the answer and asks the next question there, so a step costs
one rate-limited call where it can.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from telegram import CallbackQuery, Document, InlineKeyboardMarkup, Message, PhotoSize, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.core.errors import BookingRefused, InvalidInput, NotAllowed, Refusal, StaleAction
from bot.core.models import (
    LIVE_BROADCAST,
    Audience,
    Broadcast,
    BroadcastStatus,
    Dialog,
    StoredFile,
)
from bot.core.notices import ChannelName, Recipient, SentRef
from bot.formatting import format_datetime
from bot.i18n import Html
from bot.services.broadcast_composer import (
    AUDIENCE_CHOSEN,
    BEFORE_AUDIENCE,
    FLOW,
    BroadcastComposer,
    BroadcastDraft,
    Composition,
    Content,
    MediaKind,
    Step,
)
from bot.services.broadcast_input import MAX_BUTTONS
from bot.services.facade import Services
from handlers.telegram import broadcast_views as bv
from handlers.telegram import callbacks as cb
from handlers.telegram import delivery
from handlers.telegram.auth import refuse
from handlers.telegram.channel import TelegramChannel
from handlers.telegram.common import explain, stale
from handlers.telegram.context import SERVICES_KEY, DodolanApplication, DodolanContext
from handlers.telegram.dialogs import TEXT_FLOWS
from handlers.telegram.views import recap_lines

logger = logging.getLogger(__name__)

FILTER_FIELDS = {"kec": "kecamatan", "cat": "category"}  # callback data → audience filter
Outcome = Composition | Broadcast | None  # where a tap led: a next question, a send, nothing


async def _label(services: Services, language: str, audience: Audience) -> Html:
    session = await services.sessions.get(audience.session_id) if audience.session_id else None
    return bv.audience_label(services.catalog, language, audience, session)


async def announce(update: Update, context: DodolanContext) -> None:
    """Start composing an announcement."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    composer = context.services.broadcast_composer
    try:
        await composer.begin(context.me)
    except NotAllowed:
        logger.warning("refused /umumkan to user %s", context.me)
        await refuse(update, context)
        return
    text, markup = bv.audience_picker(context.services.catalog, context.language)
    picker = await context.bot.send_message(chat.id, text, reply_markup=markup)
    await composer.shown(context.me, str(picker.message_id))


async def start_followup(
    context: DodolanContext, user_id: int, session_id: int, base: str
) -> None:
    """Begin a trainer follow-up to their own session (``base``: attended or booked)."""
    await context.services.broadcast_composer.begin_followup(user_id, session_id, base)
    await context.bot.send_message(context.chat, context.t("broadcast.ask_message"))


async def tapped(update: Update, context: DodolanContext) -> None:
    """Take a broadcast button: one service call, then show where it led."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    parts = cb.parse(query.data, cb.BROADCAST, 1) or cb.parse(query.data, cb.BROADCAST, 2) or []
    if parts and parts[0] in ("stop", "unsched"):
        await _stop(update, context, parts)
        return
    try:
        outcome = await _apply(context.services.broadcast_composer, context.me, parts)
    except (StaleAction, Refusal) as error:
        await explain(query, context, error)
        return
    except NotAllowed:
        await refuse(update, context)
        return
    await query.answer()
    if isinstance(outcome, Composition):
        await _ask_next(query, context, outcome)
    elif isinstance(outcome, Broadcast):
        await _sending(query, context, outcome)
    else:
        await _cancelled(query, context)


async def _apply(composer: BroadcastComposer, user_id: int, parts: list[str]) -> Outcome:
    """Make the service call a tapped choice stands for."""
    match parts:
        case ["base", base]:
            return await composer.choose_audience(user_id, base)
        case ["sess", ident] if ident.isdigit():
            return await composer.choose_session(user_id, int(ident))
        case ["filter", short] if short in FILTER_FIELDS:
            return await composer.open_filter(user_id, FILTER_FIELDS[short])
        case [short, code] if short in FILTER_FIELDS:
            return await composer.refine(user_id, FILTER_FIELDS[short], code)
        case ["fdone"]:
            return await composer.close_filter(user_id)
        case ["next"]:
            return await composer.finish_audience(user_id)
        case ["btndone"]:
            return await composer.finish_buttons(user_id)
        case ["send"]:
            return await composer.confirm(user_id)
        case ["sched"]:
            return await composer.schedule(user_id)
        case ["cancel"]:
            await composer.cancel(user_id)
            return None
    await composer.current(user_id)  # the role first: an owner's forged button is refused
    raise StaleAction(parts)


async def _ask_next(
    query: CallbackQuery, context: DodolanContext, composition: Composition
) -> None:
    """Show the answer and the next question in the message tapped on."""
    services, language = context.services, context.language
    if composition.step in (Step.KECAMATAN, Step.CATEGORY):
        choices = bv.filter_choices(services.catalog, language, composition)
        await query.edit_message_reply_markup(choices)
        return
    if composition.step == Step.PREVIEW:
        await _preview(query, context, composition)
        return
    tz = services.settings.timezone
    text, markup = bv.next_question(services.catalog, language, composition, tz)
    shown = str(await _edit_or_send(query, context, text, markup))
    if composition.step == Step.REFINE and shown != composition.draft.prompt:
        await services.broadcast_composer.shown(context.me, shown)  # sent anew


async def _edit_or_send(
    query: CallbackQuery,
    context: DodolanContext,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> int:
    """Show ``text`` in the message tapped on (a new one if it cannot be edited); its id."""
    message = query.message
    if isinstance(message, Message):
        try:
            await query.edit_message_text(text, reply_markup=markup)
            return message.message_id
        except BadRequest as exc:  # too old to edit
            logger.debug("broadcast message %s not edited: %s", message.message_id, exc)
    sent = await context.bot.send_message(context.chat, text, reply_markup=markup)
    return sent.message_id


async def _preview(
    query: CallbackQuery, context: DodolanContext, composition: Composition
) -> None:
    """Show the message as recipients on Telegram will get it, then (when some are on
    WhatsApp) the text WhatsApp owners will read, then the choices."""
    user_id, catalog = context.me, context.services.catalog
    await _edit_or_send(query, context, context.t("broadcast.preview_intro"))
    content = composition.draft.content
    sha256 = content.media_sha256 if content else None
    kept = await context.services.files.get(sha256) if sha256 else None
    notice = bv.draft_notice(catalog, context.language, composition.draft, kept)
    preview_to = Recipient(user_id, ChannelName.TELEGRAM, str(context.chat), context.language)
    channel = TelegramChannel(context.bot, context.services.files)
    await channel.send(preview_to, notice, bulk=False)
    reachable = list(composition.recipients.reachable) if composition.recipients else []
    estimate = await delivery.whatsapp_estimate(context.application, reachable)
    if estimate is not None and estimate.recipients:
        text = delivery.whatsapp_text(context.application, notice, context.language)
        if text is not None:
            shown = bv.whatsapp_preview(catalog, context.language, text)
            await context.bot.send_message(context.chat, shown)
    await _preview_choices(context, composition)


async def _preview_choices(context: DodolanContext, composition: Composition) -> None:
    """Who will get it (and what it costs on WhatsApp), with send now, schedule and cancel."""
    reachable = list(composition.recipients.reachable) if composition.recipients else []
    estimate = await delivery.whatsapp_estimate(context.application, reachable)
    text, markup = bv.preview_choices(
        context.services.catalog, context.language, composition, estimate
    )
    await context.bot.send_message(context.chat, text, reply_markup=markup)


async def _sending(query: CallbackQuery, context: DodolanContext, broadcast: Broadcast) -> None:
    """Turn the preview's choices into the live status message of the queued broadcast."""
    services = context.services
    text, markup = await _status(services, context.language, broadcast)
    status = await _edit_or_send(query, context, text, markup)
    where = status_ref(context.chat, status)
    await services.broadcasts.remember_status_message(broadcast.id, where)
    # Delivery may have finished meanwhile, and the periodic work marked the broadcast done
    # while it had no status message to edit; it refreshes live broadcasts only: report now.
    current = await services.broadcasts.get(broadcast.id)
    if current is not None and current.status not in LIVE_BROADCAST:
        text, markup = await _status(services, context.language, current)
        await _edit_or_send(query, context, text, markup)


def status_ref(chat_id: int, message_id: int) -> SentRef:
    """This edge's reference to a status message (the domain keeps it, opaque)."""
    return SentRef(ChannelName.TELEGRAM, f"{chat_id}:{message_id}")


def status_place(ref: SentRef | None) -> tuple[int, int] | None:
    """The chat and message of a status message this edge showed (None: not one of ours)."""
    if ref is None or ref.channel != ChannelName.TELEGRAM:
        return None
    chat, _, message = ref.message_id.partition(":")
    try:
        return int(chat), int(message)
    except ValueError:
        logger.warning("unreadable status message reference %r", ref.message_id)
        return None


async def _cancelled(query: CallbackQuery, context: DodolanContext) -> None:
    """Say, in the message tapped on, that the draft is dropped."""
    head = "\n".join(recap_lines(query.message))
    cancelled = context.t("broadcast.cancelled")
    await _edit_or_send(query, context, f"{head}\n\n{cancelled}" if head else cancelled)


async def received(update: Update, context: DodolanContext, dialog: Dialog) -> None:
    """Take the message (text, photo or document), a link button, or a schedule time."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    try:
        await _take(context, message, context.me, dialog.step)
    except (InvalidInput, BookingRefused) as refusal:
        await message.reply_text(context.t(refusal.key, **refusal.params))
        draft = BroadcastDraft.of(dialog)
        if draft.step == Step.BUTTONS and len(draft.buttons) < MAX_BUTTONS:
            await _ask_buttons(context, draft)  # the prompt again, below
    except NotAllowed:
        await refuse(update, context)
    except StaleAction:
        await message.reply_text(context.t("broadcast.draft_lost"))


async def _take(context: DodolanContext, message: Message, user_id: int, step: str) -> None:
    """Give what was typed to the step the draft is at, and answer."""
    composer = context.services.broadcast_composer
    match step:
        case Step.BUTTONS:
            added = await composer.received_button(user_id, message.text or "")
            await _ask_buttons(context, added.draft)
        case Step.SCHEDULE:
            broadcast = await composer.received_time(user_id, message.text or "")
            await _scheduled(context, broadcast)
        case Step.PREVIEW:
            current = await composer.current(user_id)
            await message.reply_text(context.t("broadcast.use_preview_buttons"))
            await _preview_choices(context, current)
        case _:
            measure = functools.partial(bv.overflow, context.services.catalog)
            await composer.expects_content(user_id)  # role first: a file is kept only then
            content = await _content(context, message)
            took = await composer.received_content(user_id, content, measure)
            await _took_content(context, message, step, took)


async def _content(context: DodolanContext, message: Message) -> Content | None:
    """The text, photo or document (with its caption) of a message; None for anything else.

    A photo or document is checked and kept by the bot (``services.files``) before it is
    taken, so every channel can send it; its Telegram file id is kept as this edge's cache
    of the stored file, so Telegram copies go by it and nothing is uploaded again.
    """
    caption = message.caption_html or ""
    if message.photo:
        photo = message.photo[-1]
        kept = await _keep(context, photo, None, photo.file_size)
        return Content(caption, MediaKind.PHOTO, kept.sha256)
    if message.document:
        document = message.document
        kept = await _keep(context, document, document.mime_type, document.file_size)
        name = document.file_name or None
        return Content(caption, MediaKind.DOCUMENT, kept.sha256, name)
    if message.text:
        return Content(message.text_html)
    return None


async def _keep(
    context: DodolanContext, media: PhotoSize | Document, mime: str | None, size: int | None
) -> StoredFile:
    """Check the file as declared, download it from Telegram, and keep it (InvalidInput if not)."""
    files = context.services.files
    files.check(mime or "image/jpeg", size)  # a photo: Telegram sends JPEG; its bytes tell
    telegram_file = await media.get_file()
    content = bytes(await telegram_file.download_as_bytearray())
    kept = await files.keep(content, mime)
    await files.remember_ref(ChannelName.TELEGRAM, kept.sha256, media.file_id)
    return kept


async def _took_content(
    context: DodolanContext, message: Message, before: str, took: Composition
) -> None:
    """Ask for buttons; a message sent before the audience is kept, and the audience asked."""
    if took.step in BEFORE_AUDIENCE:
        await _ask_audience_again(context, message, took)
        return
    if before in AUDIENCE_CHOSEN:  # typed instead of tapping "write the message"
        record = bv.audience_answer(context.services.catalog, context.language, took)
        await _close_picker(context, message.chat_id, took.draft.prompt, record)
    await _ask_buttons(context, took.draft)


async def _ask_audience_again(
    context: DodolanContext, message: Message, took: Composition
) -> None:
    """Say the message is kept, and show the audience buttons again below it."""
    services = context.services
    await _close_picker(context, message.chat_id, took.draft.prompt)
    await message.reply_text(context.t("broadcast.kept"))
    tz = services.settings.timezone
    text, markup = bv.next_question(services.catalog, context.language, took, tz)
    picker = await message.reply_text(text, reply_markup=markup)
    await services.broadcast_composer.shown(context.me, str(picker.message_id))


async def _close_picker(
    context: DodolanContext, chat_id: int, prompt: str | None, record: str | None = None
) -> None:
    """Take the buttons off the audience picker a typed message answered (showing ``record``)."""
    if prompt is None:
        return
    try:
        if record is None:
            await context.bot.edit_message_reply_markup(chat_id, int(prompt), reply_markup=None)
        else:
            await context.bot.edit_message_text(record, chat_id=chat_id, message_id=int(prompt))
    except BadRequest as exc:  # too old to edit: its buttons are stale anyway
        logger.debug("broadcast picker %s not closed: %s", prompt, exc)


async def _ask_buttons(context: DodolanContext, draft: BroadcastDraft) -> None:
    """Ask for link buttons (the message is composed)."""
    text, markup = bv.buttons_prompt(
        context.services.catalog, context.language, len(draft.buttons)
    )
    await context.bot.send_message(context.chat, text, reply_markup=markup)


async def _scheduled(context: DodolanContext, broadcast: Broadcast) -> None:
    """Confirm when a scheduled broadcast goes out, and to how many."""
    when = format_datetime(broadcast.send_at, context.services.settings.timezone, context.language)
    text = context.t("broadcast.scheduled", when=when, count=broadcast.recipients)
    await context.bot.send_message(context.chat, text)


async def _status(services: Services, language: str, broadcast: Broadcast) -> tuple[str, Any]:
    progress = await services.broadcasts.progress(broadcast.id)
    label = await _label(services, language, Audience.of(broadcast.audience))
    return bv.status_view(services.catalog, language, broadcast, progress, label)


async def _stop(update: Update, context: DodolanContext, parts: list[str]) -> None:
    """Stop a broadcast being sent, or cancel a scheduled one."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    try:
        if len(parts) != 2 or not parts[1].isdigit():
            raise StaleAction(parts)
        broadcast = await context.services.broadcasts.stop(context.me, int(parts[1]))
    except StaleAction:
        await stale(query, context)
        return
    except NotAllowed:
        await refuse(update, context)
        return
    await query.answer(context.t("broadcast.stopped"))
    text, markup = await _status(context.services, context.language, broadcast)
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:
        logger.info("could not update the stopped broadcast's message: %s", exc)


async def history(update: Update, context: DodolanContext) -> None:
    """List recent broadcasts with their reports; scheduled ones can be cancelled."""
    assert update.effective_user is not None and update.effective_chat is not None
    services, chat_id = context.services, update.effective_chat.id
    try:
        items = await services.broadcasts.history(context.me)
    except NotAllowed:
        await refuse(update, context)
        return
    if not items:
        await context.bot.send_message(chat_id, context.t("broadcast.history_empty"))
        return
    tz = services.settings.timezone
    for broadcast in items:
        progress = await services.broadcasts.progress(broadcast.id)
        label = await _label(services, context.language, Audience.of(broadcast.audience))
        text = bv.history_line(services.catalog, context.language, broadcast, progress, label, tz)
        markup = (
            bv.unschedule_keyboard(services.catalog, context.language, broadcast.id)
            if broadcast.status == BroadcastStatus.SCHEDULED
            else None
        )
        await context.bot.send_message(chat_id, text, reply_markup=markup)


async def announcements_off(update: Update, context: DodolanContext) -> None:
    """An owner turns general announcements off."""
    assert update.effective_user is not None and update.effective_message is not None
    await context.services.broadcasts.set_announcements(context.me, on=False)
    await update.effective_message.reply_text(context.t("announcements.off"))


async def announcements_on(update: Update, context: DodolanContext) -> None:
    """An owner turns general announcements back on; a newcomer is welcomed into sign-up."""
    assert update.effective_user is not None and update.effective_message is not None
    if await context.services.unprompted.newcomer(context.me):
        from handlers.telegram.signup import start  # it shows screens of this module's users

        await start(update, context)
        return
    await context.services.broadcasts.set_announcements(context.me, on=True)
    await update.effective_message.reply_text(context.t("announcements.on"))


async def refresh_status_messages(application: DodolanApplication) -> None:
    """Advance broadcasts and edit each live status message (the final report when done)."""
    services = application.bot_data[SERVICES_KEY]
    assert isinstance(services, Services)
    for broadcast in await services.broadcasts.advance():
        place = status_place(await services.broadcasts.status_message(broadcast.id))
        if place is None:
            continue
        chat_id, message_id = place
        user = await services.users.get(broadcast.created_by)
        text, markup = await _status(services, user.language if user else "id", broadcast)
        try:
            await application.bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, reply_markup=markup
            )
        except BadRequest as exc:  # not modified, or the message is gone
            logger.debug("status message of broadcast %s not edited: %s", broadcast.id, exc)


def register(application: DodolanApplication) -> None:
    """Add the broadcast commands, buttons, flow, renderer and status refresher."""
    only_private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler(["umumkan", "broadcast"], announce, only_private))
    application.add_handler(CommandHandler(["riwayat", "history"], history, only_private))
    application.add_handler(
        CommandHandler(["berhenti", "unsubscribe"], announcements_off, only_private)
    )
    application.add_handler(CommandHandler(["mulai", "subscribe"], announcements_on, only_private))
    application.add_handler(CallbackQueryHandler(tapped, pattern=cb.pattern(cb.BROADCAST)))
    TEXT_FLOWS[FLOW] = received
    delivery.add_tick(application, "broadcast-status", refresh_status_messages)
