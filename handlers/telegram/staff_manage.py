"""/sesi: staff change, close, reopen and cancel upcoming sessions.

A new time or place is first shown as "was → now" with who will be told; it is saved, and
everyone told, only when staff tap to confirm. Until then the change waits in the staff's
dialog with the session's calendar revision, so a restart keeps it and a change someone else
made in between is refused rather than overwritten. A cancellation, likewise, says who will
be told before it is confirmed.
"""

from __future__ import annotations

import contextlib
from typing import Any

from telegram import CallbackQuery, Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.core.errors import BookingRefused, InvalidInput, StaleAction
from bot.core.models import Dialog, Role, TrainingSession
from bot.formatting import format_time_range
from bot.i18n import Html
from bot.services import session_changes, session_input
from bot.services.session_changes import Audience, ChangePreview
from handlers.telegram import callbacks as cb
from handlers.telegram import change_views, dialogs
from handlers.telegram import staff_views as views
from handlers.telegram.auth import requires
from handlers.telegram.context import DodolanApplication, DodolanContext

EDIT_FLOW = session_input.EDIT_FLOW
MAX_LISTED = 20
PREVIEWED = ("time", "place")  # changes staff confirm after seeing who will be told


async def _card(context: DodolanContext, session: TrainingSession) -> str:
    services = context.services
    names = await services.users.display_names([session.trainer_id or 0])
    return views.session_card(
        services.catalog, context.language, services.settings.timezone, session, names
    )


async def send_session(context: DodolanContext, chat_id: int, session: TrainingSession) -> None:
    """Send one session with its management buttons (none once it is cancelled)."""
    markup = (
        None
        if session.status == "cancelled"
        else views.manage_keyboard(context.services.catalog, context.language, session)
    )
    await context.bot.send_message(chat_id, await _card(context, session), reply_markup=markup)


@requires(Role.STAFF)
async def manage_sessions(update: Update, context: DodolanContext) -> None:
    """List upcoming sessions, one message each, with buttons to change them."""
    message = update.effective_message
    assert message is not None
    services = context.services
    sessions = [s for s in await services.sessions.upcoming() if s.status != "cancelled"]
    if not sessions:
        await message.reply_text(context.t("staff.manage.none"))
        return
    note = views.no_trainer_note(
        services.catalog, context.language, services.settings.timezone, sessions
    )
    intro = context.t("staff.manage.intro", count=len(sessions))
    await message.reply_text(f"{intro}\n{note}" if note else intro)
    for session in sessions[:MAX_LISTED]:
        await send_session(context, message.chat_id, session)


@requires(Role.STAFF)
async def tapped_manage(update: Update, context: DodolanContext) -> None:
    """Handle a session's buttons: ask for a change, close, reopen, cancel (after confirming)."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    services = context.services
    parts = cb.parse(query.data, cb.SESSION_ADMIN, 2)
    session = (
        await services.sessions.get(int(parts[1])) if parts and parts[1].isdecimal() else None
    )
    if parts is None or session is None:
        await query.answer(context.t("fallback.stale_button"), show_alert=True)
        return
    action = parts[0]
    try:
        match action:
            case "time" | "place" | "cap":
                await _ask_change(context, user.id, action, session)
            case "close" | "open":
                changed = await services.sessions.set_status(
                    session.id, "closed" if action == "close" else "open"
                )
                await query.edit_message_text(
                    await _card(context, changed),
                    reply_markup=views.manage_keyboard(
                        services.catalog, context.language, changed
                    ),
                )
            case "cancel":
                await _ask_cancel(context, user.id, session)
            case "apply":
                await _apply_change(query, context, user.id, session)
            case "keep":
                await _keep_session(query, context, user.id, session)
            case "cancelyes":
                told = await services.sessions.cancel(session.id)
                who = await _who(context, told, "session_change.being_told")
                await query.edit_message_text(
                    context.t("staff.manage.cancelled", title=session.title, who=who)
                )
            case "cancelno":
                await query.edit_message_text(
                    context.t("staff.manage.cancel_kept", title=session.title)
                )
            case _:
                await query.answer(context.t("fallback.stale_button"), show_alert=True)
                return
    except BookingRefused as refusal:
        await query.answer(context.t(refusal.key, **refusal.params), show_alert=True)
        return
    except StaleAction:
        await query.answer(context.t("fallback.stale_button"), show_alert=True)
        return
    await query.answer()


async def _ask_change(
    context: DodolanContext, user_id: int, action: str, session: TrainingSession
) -> None:
    services = context.services
    await _drop_preview(context, user_id, await services.dialogs.current(user_id))
    await services.dialogs.move(user_id, EDIT_FLOW, action, {"session_id": session.id})
    when = format_time_range(
        session.starts_at, session.ends_at, services.settings.timezone, context.language
    )
    await context.bot.send_message(
        user_id, context.t(f"staff.edit.ask_{action}", title=session.title, when=when)
    )


async def _ask_cancel(context: DodolanContext, user_id: int, session: TrainingSession) -> None:
    if session.status == "cancelled":
        raise BookingRefused("session.gone")
    audience = await context.services.sessions.audience(session, [])
    who = await _who(context, audience, "session_change.will_be_told")
    text = context.t("staff.manage.cancel_confirm", title=session.title, who=who)
    keyboard = views.cancel_confirm_keyboard(
        context.services.catalog, context.language, session.id
    )
    await context.bot.send_message(user_id, text, reply_markup=keyboard)


async def received_edit_input(update: Update, context: DodolanContext, _: Dialog) -> None:
    """Route typed text to the change-a-session conversation."""
    await _take_change(update, context)


@requires(Role.STAFF)
async def _take_change(update: Update, context: DodolanContext) -> None:
    """Preview a typed new time or place for confirming; apply a new capacity at once."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    services = context.services
    dialog = await services.dialogs.current(user.id)
    if dialog is None or dialog.flow != EDIT_FLOW:
        return
    try:
        if message.text is None:
            raise InvalidInput("staff.invalid.need_text")
        current = await services.sessions.get(dialog.data["session_id"])
        if current is None:
            raise BookingRefused("session.gone")
        tz = services.settings.timezone
        changes = session_input.edit_changes(dialog.step, message.text, tz, current)
        if dialog.step in PREVIEWED:
            await _preview(context, message, dialog, changes)
            return
        session = await services.sessions.change(current.id, changes)
    except (InvalidInput, BookingRefused) as refusal:
        await message.reply_text(context.t(refusal.key, **refusal.params))
        if refusal.key == "session.gone":
            await services.dialogs.end(user.id)
        return
    await services.dialogs.end(user.id)
    await message.reply_text(context.t("staff.edit.saved"))
    await send_session(context, message.chat_id, session)


async def _preview(
    context: DodolanContext, message: Message, dialog: Dialog, changes: dict[str, Any]
) -> None:
    """Show "was → now" and who will be told, with Save / Don't change; keep it pending."""
    services = context.services
    preview = await services.sessions.preview_change(dialog.data["session_id"], changes)
    if not preview.fields:
        await message.reply_text(context.t("session_change.unchanged"))
        return
    await _drop_preview(context, dialog.user_id, dialog)
    sent = await message.reply_text(
        await _describe(context, preview, "session_change.preview", "session_change.will_be_told"),
        reply_markup=views.change_confirm_keyboard(
            services.catalog, context.language, preview.before.id
        ),
    )
    pending = {
        "session_id": preview.before.id,
        "pending": session_changes.encode(changes),
        "sequence": preview.before.sequence,
        "preview_id": sent.message_id,
    }
    await services.dialogs.move(dialog.user_id, EDIT_FLOW, dialog.step, pending)


async def _apply_change(
    query: CallbackQuery, context: DodolanContext, user_id: int, session: TrainingSession
) -> None:
    """Save the change staff previewed (unless the session changed since) and tell everyone."""
    services = context.services
    dialog = await services.dialogs.current(user_id)
    data = dialog.data if dialog is not None and dialog.flow == EDIT_FLOW else {}
    if data.get("session_id") != session.id or "pending" not in data:
        raise StaleAction(session.id)
    changes = session_changes.decode(data["pending"])
    await services.dialogs.end(user_id)
    try:
        preview = await services.sessions.preview_change(session.id, changes)
        await services.sessions.change(session.id, changes, sequence=int(data["sequence"]))
    except (InvalidInput, BookingRefused) as refusal:
        await query.edit_message_text(context.t(refusal.key, **refusal.params))
        return
    await query.edit_message_text(
        await _describe(context, preview, "session_change.saved", "session_change.being_told")
    )
    updated = await services.sessions.get(session.id)
    if updated is not None:
        await send_session(context, user_id, updated)


async def _keep_session(
    query: CallbackQuery, context: DodolanContext, user_id: int, session: TrainingSession
) -> None:
    """Leave the session as it was and end the pending change."""
    dialog = await context.services.dialogs.current(user_id)
    if dialog is not None and dialog.flow == EDIT_FLOW:
        await context.services.dialogs.end(user_id)
    await query.edit_message_text(context.t("session_change.discarded", title=session.title))


async def _describe(
    context: DodolanContext, preview: ChangePreview, key: str, who_key: str
) -> str:
    """A previewed or saved change: the session's title, "was → now" and who is told."""
    services = context.services
    before, after = preview.before, preview.after
    ids = [before.trainer_id or 0, after.trainer_id or 0, preview.audience.trainer_id or 0]
    names = await services.users.display_names(ids)
    changes = change_views.differences(
        services.catalog,
        context.language,
        services.settings.timezone,
        before,
        after,
        preview.fields,
        names,
    )
    who = await _who(context, preview.audience, who_key, names)
    return context.t(key, title=after.title, changes=changes, who=who)


async def _who(
    context: DodolanContext,
    audience: Audience,
    key: str,
    names: dict[int, str] | None = None,
) -> Html:
    """ "2 peserta terdaftar dan pelatih (…) akan diberi tahu", or that nobody needs to be."""
    if names is None:
        names = await context.services.users.display_names([audience.trainer_id or 0])
    who = change_views.told(context.services.catalog, context.language, audience, names)
    if not who:
        return Html(context.t("session_change.nobody"))
    return Html(context.t(key, who=Html(who)))


async def _drop_preview(context: DodolanContext, chat_id: int, dialog: Dialog | None) -> None:
    """Take the buttons off an earlier preview that a new one (or a new question) replaces."""
    if dialog is None or dialog.flow != EDIT_FLOW or "preview_id" not in dialog.data:
        return
    with contextlib.suppress(BadRequest):  # already gone or unchanged: nothing to take off
        await context.bot.edit_message_reply_markup(
            chat_id, int(dialog.data["preview_id"]), reply_markup=None
        )


def register(application: DodolanApplication) -> None:
    """Add /sesi and its buttons, and the notices about changed and cancelled sessions."""
    dialogs.TEXT_FLOWS[EDIT_FLOW] = received_edit_input
    application.add_handler(
        CommandHandler(["sesi", "managesessions"], manage_sessions, filters.ChatType.PRIVATE)
    )
    application.add_handler(
        CallbackQueryHandler(tapped_manage, pattern=cb.pattern(cb.SESSION_ADMIN))
    )
