"""/umumkan: staff compose an announcement (audience → message → buttons → preview → send or
schedule); trainers use the same flow for follow-ups to their own session. Also /riwayat,
/berhenti and /mulai, and the live status message."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.app.container import Services
from bot.core.errors import BookingRefused, InvalidInput, NotAllowed, Refusal, StaleAction
from bot.core.models import Broadcast, Dialog, OutboxMessage, Role
from bot.formatting import format_datetime
from bot.i18n import Html
from bot.services.broadcast_input import MAX_BUTTONS, parse_button, parse_moment
from bot.services.broadcasts import ANNOUNCEMENT, FOLLOWUP, OUTBOX_KIND
from bot.services.broadcasts import Message as Draft
from handlers.telegram import broadcast_views as bv
from handlers.telegram import callbacks as cb
from handlers.telegram import delivery
from handlers.telegram.auth import refuse, requires
from handlers.telegram.common import clear_buttons, explain
from handlers.telegram.context import SERVICES_KEY, DodolanApplication, DodolanContext
from handlers.telegram.dialogs import TEXT_FLOWS
from storage.broadcasts import Audience

logger = logging.getLogger(__name__)

FLOW = "broadcast"
FILTER_FIELDS = {"kec": "kecamatan", "cat": "category"}
PICKER = "picker"  # dialog data: the id of the message with the audience buttons
AUDIENCE_CHOSEN = ("refine", "kecamatan", "category")  # steps where the audience is known


def _audience(data: dict[str, Any]) -> Audience:
    return Audience(
        data["base"],
        data.get("session_id"),
        tuple(data.get("kecamatan", ())),
        tuple(data.get("category", ())),
    )


async def _label(services: Services, language: str, audience: Audience) -> Html:
    session = await services.sessions.get(audience.session_id) if audience.session_id else None
    return bv.audience_label(services.catalog, language, audience, session)


@requires(Role.STAFF)
async def announce(update: Update, context: DodolanContext) -> None:
    """Start composing an announcement."""
    assert update.effective_user is not None and update.effective_chat is not None
    text, markup = bv.audience_picker(context.services.catalog, context.language)
    picker = await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)
    await context.services.dialogs.move(
        update.effective_user.id,
        FLOW,
        "audience",
        {"kind": ANNOUNCEMENT, PICKER: picker.message_id},
    )


async def start_followup(
    context: DodolanContext, user_id: int, session_id: int, base: str
) -> None:
    """Begin a trainer follow-up to their own session (``base``: attended or booked)."""
    audience = Audience(base, session_id)
    await context.services.broadcasts.check(user_id, FOLLOWUP, audience)
    data = {"kind": FOLLOWUP, "base": base, "session_id": session_id}
    await context.services.dialogs.move(user_id, FLOW, "message", data)
    await context.bot.send_message(user_id, context.t("broadcast.ask_message"))


async def _allowed(context: DodolanContext, user_id: int, dialog: Dialog | None) -> bool:
    """Staff for announcements; for a follow-up, whoever may run its session now.

    A refused user's follow-up draft is dropped, so their next message is not refused again.
    """
    roles = await context.services.users.roles(user_id)
    if Role.STAFF in roles:
        return True
    if dialog is None or dialog.flow != FLOW or dialog.data.get("kind") != FOLLOWUP:
        return False
    try:
        await context.services.broadcasts.check(user_id, FOLLOWUP, _audience(dialog.data))
    except NotAllowed:
        await context.services.dialogs.end(user_id)
        return False
    return True


async def tapped(update: Update, context: DodolanContext) -> None:
    """Route every broadcast button; each re-checks the role and the step."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    parts = cb.parse(query.data, cb.BROADCAST, 1) or cb.parse(query.data, cb.BROADCAST, 2)
    dialog = await context.services.dialogs.current(user.id)
    if parts and parts[0] in ("stop", "unsched"):
        await _stop(update, context, parts)
        return
    if not await _allowed(context, user.id, dialog):
        await refuse(update, context)
        return
    try:
        if parts is None or dialog is None or dialog.flow != FLOW:
            raise StaleAction(query.data)
        await _step(update, context, dialog, parts)
    except (StaleAction, Refusal) as error:
        await explain(query, context, error)
    except NotAllowed:
        await refuse(update, context)


async def _step(update: Update, context: DodolanContext, dialog: Dialog, parts: list[str]) -> None:
    query = update.callback_query
    assert query is not None
    services, data, user_id = context.services, dict(dialog.data), dialog.user_id
    match dialog.step, parts:
        case "audience", ["base", base] if base in bv.BASES:
            data.update(base=base, kecamatan=[], category=[], session_id=None)
            if base in bv.SESSION_BASES:
                await services.dialogs.move(user_id, FLOW, "session", data)
                sessions = (await services.sessions.all())[-20:]
                text, markup = bv.session_picker(
                    services.catalog, context.language, sessions, services.settings.timezone
                )
                await query.answer()
                await query.edit_message_text(text, reply_markup=markup)
                return
            await services.dialogs.move(user_id, FLOW, "refine", data)
        case "session", ["sess", ident] if ident.isdigit():
            if await services.sessions.get(int(ident)) is None:
                raise StaleAction(ident)
            data["session_id"] = int(ident)
            await services.dialogs.move(user_id, FLOW, "refine", data)
        case "refine", ["filter", short] if short in FILTER_FIELDS:
            field = FILTER_FIELDS[short]
            await services.dialogs.move(user_id, FLOW, field, data)
            keyboard = bv.filter_keyboard(services.catalog, context.language, field, data[field])
            await query.answer()
            await query.edit_message_reply_markup(keyboard)
            return
        case ("kecamatan" | "category") as field, [short, code] if (
            FILTER_FIELDS.get(short) == field
        ):
            chosen = list(data[field])
            data[field] = [c for c in chosen if c != code] if code in chosen else [*chosen, code]
            await services.dialogs.move(user_id, FLOW, field, data)
            keyboard = bv.filter_keyboard(services.catalog, context.language, field, data[field])
            await query.answer()
            await query.edit_message_reply_markup(keyboard)
            return
        case "kecamatan" | "category", ["fdone"]:
            await services.dialogs.move(user_id, FLOW, "refine", data)
        case "refine", ["next"]:
            if not (await services.broadcasts.count(_audience(data), data["kind"])).reachable:
                raise BookingRefused("broadcast.nobody")
            await query.answer()
            await clear_buttons(query)
            if "text" in data:  # typed before the audience was chosen
                await context.bot.send_message(user_id, context.t("broadcast.using_kept"))
                await _ask_buttons(context, user_id, data)
                return
            await services.dialogs.move(user_id, FLOW, "message", data)
            await context.bot.send_message(user_id, context.t("broadcast.ask_message"))
            return
        case "buttons", ["btndone"]:
            await query.answer()
            await clear_buttons(query)
            await _preview(
                context, user_id, await services.dialogs.move(user_id, FLOW, "preview", data)
            )
            return
        case "preview", ["send"]:
            await query.answer()
            await clear_buttons(query)
            await _send(context, user_id, data, None)
            return
        case "preview", ["sched"]:
            await services.dialogs.move(user_id, FLOW, "schedule", data)
            await query.answer()
            await clear_buttons(query)
            await context.bot.send_message(user_id, context.t("broadcast.ask_schedule"))
            return
        case _, ["cancel"]:
            await services.dialogs.end(user_id)
            await query.answer()
            await clear_buttons(query)
            await context.bot.send_message(user_id, context.t("broadcast.cancelled"))
            return
        case _:
            raise StaleAction(parts)
    await query.answer()
    shown = query.message if isinstance(query.message, Message) else None
    await _show_refine(context, shown, user_id, data)


async def _show_refine(
    context: DodolanContext, message: Message | None, user_id: int, data: dict[str, Any]
) -> None:
    """Show (by editing the picker) the live count and the filters."""
    services = context.services
    audience = _audience(data)
    recipients = await services.broadcasts.count(audience, data["kind"])
    text, markup = bv.refine_prompt(
        services.catalog,
        context.language,
        await _label(services, context.language, audience),
        recipients,
        filters=data["kind"] == ANNOUNCEMENT,
        kept="text" in data,
    )
    if message is not None:
        try:
            await message.edit_text(text, reply_markup=markup)
            return
        except BadRequest:
            pass
    shown = await context.bot.send_message(user_id, text, reply_markup=markup)
    await services.dialogs.move(user_id, FLOW, "refine", {**data, PICKER: shown.message_id})


async def received(update: Update, context: DodolanContext, dialog: Dialog) -> None:
    """Take the message (text, photo or document), a link button, or a schedule time."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    if not await _allowed(context, user.id, dialog):
        await refuse(update, context)
        return
    data = dict(dialog.data)
    try:
        match dialog.step:
            case "message":
                await _take_message(context, message, data)
            case step if step in AUDIENCE_CHOSEN:  # typed without tapping "write the message"
                await _take_message(
                    context, message, await _reachable(context, message.chat_id, data)
                )
            case "audience" | "session":
                await _keep_message(context, message, dialog.step, data)
            case "buttons":
                await _take_button(context, message, data)
            case "schedule":
                tz = context.services.settings.timezone
                await _send(context, user.id, data, parse_moment(message.text or "", tz))
            case _:
                await message.reply_text(context.t("broadcast.use_preview_buttons"))
                await _preview_choices(context, user.id, data)
    except (InvalidInput, BookingRefused) as refusal:
        await message.reply_text(context.t(refusal.key, **refusal.params))
        if dialog.step == "buttons":
            await _ask_buttons(context, user.id, data)
    except NotAllowed:
        await refuse(update, context)


def _content(message: Message) -> dict[str, Any] | None:
    """The text, photo or document (with its caption) of a message; None for anything else."""
    if message.photo:
        return {
            "text": message.caption_html or "",
            "media_kind": "photo",
            "media_file_id": message.photo[-1].file_id,
        }
    if message.document:
        return {
            "text": message.caption_html or "",
            "media_kind": "document",
            "media_file_id": message.document.file_id,
        }
    if message.text:
        return {"text": message.text_html, "media_kind": None, "media_file_id": None}
    return None


def _checked_content(context: DodolanContext, message: Message, kind: str) -> dict[str, Any]:
    """The message's content, if Telegram will take it as sent (an announcement with its
    header and footer); InvalidInput saying why not otherwise."""
    content = _content(message)
    if content is None:
        raise InvalidInput("broadcast.need_content")
    excess = bv.overflow(context.services.catalog, {**content, "kind": kind})
    if excess:
        raise InvalidInput("broadcast.too_long", excess=excess)
    return content


async def _reachable(
    context: DodolanContext, chat_id: int, data: dict[str, Any]
) -> dict[str, Any]:
    """Refuse an audience nobody is in; take the buttons off its picker (the chat moves on)."""
    if not (await context.services.broadcasts.count(_audience(data), data["kind"])).reachable:
        raise BookingRefused("broadcast.nobody")
    await _clear_picker(context, chat_id, data)
    return data


async def _clear_picker(context: DodolanContext, chat_id: int, data: dict[str, Any]) -> None:
    """Take the buttons off the audience picker, which a typed message has answered."""
    picker = data.pop(PICKER, None)
    if picker is None:
        return
    try:
        await context.bot.edit_message_reply_markup(chat_id, picker, reply_markup=None)
    except BadRequest as exc:  # deleted, or too old to edit: its buttons are stale anyway
        logger.debug("broadcast picker %s not cleared: %s", picker, exc)


async def _take_message(context: DodolanContext, message: Message, data: dict[str, Any]) -> None:
    data.update(_checked_content(context, message, data["kind"]), buttons=[])
    await _ask_buttons(context, message.chat_id, data)


async def _keep_message(
    context: DodolanContext, message: Message, step: str, data: dict[str, Any]
) -> None:
    """Keep a message sent before the audience was chosen, and show the audience buttons."""
    data.update(_checked_content(context, message, data["kind"]))
    await _clear_picker(context, message.chat_id, data)
    services = context.services
    await message.reply_text(context.t("broadcast.kept"))
    if step == "session":
        sessions = (await services.sessions.all())[-20:]
        text, markup = bv.session_picker(
            services.catalog, context.language, sessions, services.settings.timezone
        )
    else:
        text, markup = bv.audience_picker(services.catalog, context.language)
    picker = await message.reply_text(text, reply_markup=markup)
    await services.dialogs.move(message.chat_id, FLOW, step, {**data, PICKER: picker.message_id})


async def _ask_buttons(context: DodolanContext, user_id: int, data: dict[str, Any]) -> None:
    """Ask for link buttons (the message is composed)."""
    data.setdefault("buttons", [])  # none yet for a message kept from before the audience
    await context.services.dialogs.move(user_id, FLOW, "buttons", data)
    text, markup = bv.buttons_prompt(
        context.services.catalog, context.language, len(data["buttons"])
    )
    await context.bot.send_message(user_id, text, reply_markup=markup)


async def _take_button(context: DodolanContext, message: Message, data: dict[str, Any]) -> None:
    if len(data["buttons"]) >= MAX_BUTTONS:
        await message.reply_text(context.t("broadcast.max_buttons"))
        return
    label, url = parse_button(message.text or "")
    data["buttons"] = [*data["buttons"], [{"text": label, "url": url}]]
    await _ask_buttons(context, message.chat_id, data)


async def _preview(context: DodolanContext, user_id: int, dialog: Dialog) -> None:
    """Show the message exactly as recipients will get it, then the choices."""
    catalog, data = context.services.catalog, dialog.data
    await context.bot.send_message(user_id, context.t("broadcast.preview_intro"))
    outgoing = bv.message_outgoing(catalog, context.language, data)
    await delivery.send_outgoing(context.bot, user_id, outgoing)
    await _preview_choices(context, user_id, data)


async def _preview_choices(context: DodolanContext, user_id: int, data: dict[str, Any]) -> None:
    """Who will get it, with send now, schedule and cancel."""
    services, audience = context.services, _audience(data)
    count = len((await services.broadcasts.count(audience, data["kind"])).reachable)
    label = await _label(services, context.language, audience)
    text, markup = bv.preview_summary(services.catalog, context.language, label, count)
    await context.bot.send_message(user_id, text, reply_markup=markup)


async def _send(
    context: DodolanContext, user_id: int, data: dict[str, Any], send_at: datetime | None
) -> None:
    """Queue the broadcast; show the live status message, or confirm the schedule."""
    services = context.services
    draft = Draft(
        data["text"],
        data.get("media_kind"),
        data.get("media_file_id"),
        tuple((row[0]["text"], row[0]["url"]) for row in data["buttons"]),
    )
    broadcast = await services.broadcasts.send(
        user_id, data["kind"], _audience(data), draft, send_at
    )
    await services.dialogs.end(user_id)
    if send_at is not None:
        when = format_datetime(send_at, services.settings.timezone, context.language)
        text = context.t("broadcast.scheduled", when=when, count=broadcast.recipients)
        await context.bot.send_message(user_id, text)
        return
    text, markup = await _status(services, context.language, broadcast)
    status = await context.bot.send_message(user_id, text, reply_markup=markup)
    await services.broadcasts.remember_status_message(broadcast.id, user_id, status.message_id)


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
        broadcast = await context.services.broadcasts.stop(user.id, int(parts[1]))
    except StaleAction:
        await query.answer(context.t("fallback.stale_button"), show_alert=True)
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
        items = await services.broadcasts.history(update.effective_user.id)
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
            if broadcast.status == "scheduled"
            else None
        )
        await context.bot.send_message(chat_id, text, reply_markup=markup)


async def announcements_off(update: Update, context: DodolanContext) -> None:
    """An owner turns general announcements off."""
    assert update.effective_user is not None and update.effective_message is not None
    await context.services.broadcasts.set_announcements(update.effective_user.id, on=False)
    await update.effective_message.reply_text(context.t("announcements.off"))


async def announcements_on(update: Update, context: DodolanContext) -> None:
    """An owner turns general announcements back on."""
    assert update.effective_user is not None and update.effective_message is not None
    await context.services.broadcasts.set_announcements(update.effective_user.id, on=True)
    await update.effective_message.reply_text(context.t("announcements.on"))


async def render_copy(
    services: Services, language: str, message: OutboxMessage, now: datetime
) -> delivery.Outgoing | None:
    """One recipient's copy, as previewed; None if stopped or the owner opted out since."""
    broadcast = await services.broadcasts.get(int(message.params["broadcast_id"]))
    if broadcast is None or broadcast.status in ("stopped", "cancelled"):
        return None
    if broadcast.kind == ANNOUNCEMENT and not await services.broadcasts.wants_announcements(
        message.user_id
    ):
        return None
    return bv.message_outgoing(
        services.catalog,
        language,
        {
            "kind": broadcast.kind,
            "text": broadcast.text,
            "buttons": broadcast.buttons,
            "media_kind": broadcast.media_kind,
            "media_file_id": broadcast.media_file_id,
        },
    )


async def refresh_status_messages(application: DodolanApplication) -> None:
    """Advance broadcasts and edit each live status message (the final report when done)."""
    services = application.bot_data[SERVICES_KEY]
    assert isinstance(services, Services)
    for broadcast in await services.broadcasts.advance():
        if broadcast.status_chat_id is None or broadcast.status_message_id is None:
            continue
        user = await services.users.get(broadcast.status_chat_id)
        text, markup = await _status(services, user.language if user else "id", broadcast)
        try:
            await application.bot.edit_message_text(
                text,
                chat_id=broadcast.status_chat_id,
                message_id=broadcast.status_message_id,
                reply_markup=markup,
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
    delivery.RENDERERS[OUTBOX_KIND] = render_copy
    delivery.TICK_HOOKS["broadcast-status"] = refresh_status_messages
