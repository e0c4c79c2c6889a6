"""/sesi: staff change, close, reopen and cancel upcoming sessions."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.errors import BookingRefused, InvalidInput
from bot.formatting import format_time_range
from bot.services import session_input
from handlers import callbacks as cb
from handlers import dialogs
from handlers import staff_views as views
from handlers.auth import requires
from handlers.context import DodolanApplication, DodolanContext
from storage.models import Dialog, Role, TrainingSession

EDIT_FLOW = session_input.EDIT_FLOW
MAX_LISTED = 20


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
            case "cancelyes":
                affected = await services.sessions.cancel(session.id)
                await query.edit_message_text(
                    context.t("staff.manage.cancelled", title=session.title, count=affected)
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
    await query.answer()


async def _ask_change(
    context: DodolanContext, user_id: int, action: str, session: TrainingSession
) -> None:
    services = context.services
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
    text = context.t(
        "staff.manage.cancel_confirm",
        title=session.title,
        count=session.confirmed + session.offered + session.waitlisted,
    )
    keyboard = views.cancel_confirm_keyboard(
        context.services.catalog, context.language, session.id
    )
    await context.bot.send_message(user_id, text, reply_markup=keyboard)


async def received_edit_input(update: Update, context: DodolanContext, _: Dialog) -> None:
    """Route typed text to the change-a-session conversation."""
    await _take_change(update, context)


@requires(Role.STAFF)
async def _take_change(update: Update, context: DodolanContext) -> None:
    """Apply the typed new time, place or capacity; owners booked are notified by the service."""
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
        session = await services.sessions.change(current.id, changes)
    except (InvalidInput, BookingRefused) as refusal:
        await message.reply_text(context.t(refusal.key, **refusal.params))
        if refusal.key == "session.gone":
            await services.dialogs.end(user.id)
        return
    await services.dialogs.end(user.id)
    await message.reply_text(context.t("staff.edit.saved"))
    await send_session(context, message.chat_id, session)


def register(application: DodolanApplication) -> None:
    """Add /sesi and its buttons."""
    dialogs.TEXT_FLOWS[EDIT_FLOW] = received_edit_input
    application.add_handler(
        CommandHandler(["sesi", "managesessions"], manage_sessions, filters.ChatType.PRIVATE)
    )
    application.add_handler(
        CallbackQueryHandler(tapped_manage, pattern=cb.pattern(cb.SESSION_ADMIN))
    )
