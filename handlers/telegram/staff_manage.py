"""/sesi: staff change, close, reopen and cancel upcoming sessions.

A new time or place is first shown as "was → now" with who will be told; it is saved, and
everyone told, only when staff tap to confirm (see :class:`SessionEditor`). A cancellation,
likewise, says who will be told before it is confirmed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.core.errors import BookingRefused, InvalidInput, NotAllowed, Refusal, StaleAction
from bot.core.models import Dialog, SessionStatus, TrainingSession
from bot.formatting import format_time_range
from bot.i18n import Html
from bot.services import session_editor
from bot.services.session_changes import Audience
from bot.services.session_editor import Cancellation, ChangeShown, SessionCard
from handlers.telegram import callbacks as cb
from handlers.telegram import change_views, dialogs
from handlers.telegram import session_admin_views as admin_views
from handlers.telegram import staff_views as views
from handlers.telegram.auth import refuse
from handlers.telegram.common import explain
from handlers.telegram.context import DodolanApplication, DodolanContext

EDIT_FLOW = session_editor.EDIT_FLOW


def _card(context: DodolanContext, session: TrainingSession, names: Mapping[int, str]) -> str:
    services = context.services
    return views.session_card(
        services.catalog, context.language, services.settings.timezone, session, names
    )


def _manage_keyboard(
    context: DodolanContext, session: TrainingSession
) -> InlineKeyboardMarkup | None:
    """Return the session's buttons, none once it is cancelled."""
    if session.status == SessionStatus.CANCELLED:
        return None
    return admin_views.manage_keyboard(context.services.catalog, context.language, session)


async def send_session(context: DodolanContext, chat_id: int, card: SessionCard) -> None:
    """Send one session with its management buttons."""
    text = _card(context, card.session, card.names)
    await context.bot.send_message(
        chat_id, text, reply_markup=_manage_keyboard(context, card.session)
    )


async def manage_sessions(update: Update, context: DodolanContext) -> None:
    """List upcoming sessions, one message each, with buttons to change them."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    try:
        sessions, names = await context.services.session_editor.upcoming(context.me)
    except NotAllowed:
        await refuse(update, context)
        return
    if not sessions:
        await message.reply_text(context.t("staff.manage.none"))
        return
    services = context.services
    note = views.no_trainer_note(
        services.catalog, context.language, services.settings.timezone, sessions
    )
    if len(sessions) == 1:  # nothing to choose between: the card itself
        if note:
            await message.reply_text(note)
        await send_session(context, message.chat_id, SessionCard(sessions[0], names))
        return
    text, markup = _listing(context, sessions, 0)
    await message.reply_text(f"{text}\n\n{note}" if note else text, reply_markup=markup)


def _listing(
    context: DodolanContext, sessions: list[TrainingSession], page: int
) -> tuple[str, InlineKeyboardMarkup]:
    """One page of the upcoming sessions, under its intro."""
    services = context.services
    listed, markup = views.session_list(
        services.catalog,
        context.language,
        services.settings.timezone,
        sessions,
        cb.SESSION_ADMIN,
        page,
    )
    return f"{context.t('staff.manage.list', count=len(sessions))}\n\n{listed}", markup


async def tapped_manage(update: Update, context: DodolanContext) -> None:
    """Handle a session's buttons: ask for a change, close, reopen, cancel (after confirming)."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    parts = cb.parse(query.data, cb.SESSION_ADMIN, 2)
    try:
        if parts is None or not parts[1].isdecimal():
            raise StaleAction(query.data)
        await _act(query, context, context.me, parts[0], int(parts[1]))
    except NotAllowed:
        await refuse(update, context)
        return
    except (StaleAction, Refusal) as error:
        await explain(query, context, error)
        return
    await query.answer()


async def _act(
    query: CallbackQuery, context: DodolanContext, user_id: int, action: str, session_id: int
) -> None:
    """Do what one /sesi button says, through the session editor."""
    editor = context.services.session_editor
    match action:
        case "page":  # session_id is the page here; the staff role is checked again
            sessions, _ = await editor.upcoming(user_id)
            text, markup = _listing(context, sessions, session_id)
            await query.edit_message_text(text, reply_markup=markup)
        case "show":
            session = await editor.session(user_id, session_id)
            names = await context.services.users.display_names([session.trainer_id or 0])
            await send_session(context, context.chat, SessionCard(session, names))
        case "time" | "place" | "cap":
            session = await editor.ask_change(user_id, session_id, action)
            await _ask_change(context, action, session)
        case "close" | "open":
            card = await editor.set_open(user_id, session_id, is_open=action == "open")
            await query.edit_message_text(
                _card(context, card.session, card.names),
                reply_markup=_manage_keyboard(context, card.session),
            )
        case "cancel":
            await _ask_cancel(context, await editor.ask_cancel(user_id, session_id))
        case "apply":
            await _apply_change(query, context, user_id, session_id)
        case "keep":
            session = await editor.keep(user_id, session_id)
            text = context.t("session_change.discarded", title=session.title)
            await query.edit_message_text(text)
        case "cancelyes":
            done = await editor.cancel(user_id, session_id)
            who = _who(context, done.audience, "session_change.being_told", done.names)
            text = context.t("staff.manage.cancelled", title=done.session.title, who=who)
            await query.edit_message_text(text)
        case "cancelno":
            session = await editor.session(user_id, session_id)
            await query.edit_message_text(
                context.t("staff.manage.cancel_kept", title=session.title)
            )
        case _:
            await editor.session(user_id, session_id)  # staff learn it is stale, others not
            raise StaleAction(action)


async def _ask_change(context: DodolanContext, action: str, session: TrainingSession) -> None:
    """Ask for the new time, place or capacity (the card keeps its buttons)."""
    when = format_time_range(
        session.starts_at, session.ends_at, context.services.settings.timezone, context.language
    )
    await context.bot.send_message(
        context.chat, context.t(f"staff.edit.ask_{action}", title=session.title, when=when)
    )


async def _ask_cancel(context: DodolanContext, asked: Cancellation) -> None:
    """Say who will be told, with the buttons to cancel or keep the session."""
    who = _who(context, asked.audience, "session_change.will_be_told", asked.names)
    text = context.t("staff.manage.cancel_confirm", title=asked.session.title, who=who)
    keyboard = admin_views.cancel_confirm_keyboard(
        context.services.catalog, context.language, asked.session.id
    )
    await context.bot.send_message(context.chat, text, reply_markup=keyboard)


async def received_edit_input(update: Update, context: DodolanContext, _: Dialog) -> None:
    """Preview a typed new time or place for confirming; save a new capacity at once."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    editor = context.services.session_editor
    try:
        if message.text is None:
            raise InvalidInput("staff.invalid.need_text")
        result = await editor.received_text(context.me, message.text)
    except NotAllowed:
        await refuse(update, context)
        return
    except StaleAction:
        return  # the conversation ended meanwhile; the text is no answer
    except (InvalidInput, BookingRefused) as refusal:
        await message.reply_text(context.t(refusal.key, **refusal.params))
        return
    if isinstance(result, SessionCard):
        saved = context.t("staff.edit.saved")
        text = f"{saved}\n\n{_card(context, result.session, result.names)}"
        await message.reply_text(text, reply_markup=_manage_keyboard(context, result.session))
        return
    await _preview(context, message, context.me, result)


async def _preview(
    context: DodolanContext, message: Message, user_id: int, shown: ChangeShown
) -> None:
    """Show "was → now" and who will be told, with Save / Don't change.

    An earlier preview loses its buttons: its Save would now save this change.
    """
    if shown.replaces is not None:
        with contextlib.suppress(BadRequest):  # already gone or unchanged: nothing to take off
            await context.bot.edit_message_reply_markup(
                context.chat, shown.replaces, reply_markup=None
            )
    sent = await message.reply_text(
        _describe(context, shown, "session_change.preview", "session_change.will_be_told"),
        reply_markup=admin_views.change_confirm_keyboard(
            context.services.catalog, context.language, shown.preview.before.id
        ),
    )
    await context.services.session_editor.previewed(user_id, sent.message_id)


async def _apply_change(
    query: CallbackQuery, context: DodolanContext, user_id: int, session_id: int
) -> None:
    """Save the change staff previewed (unless the session changed since) and tell everyone."""
    try:
        applied = await context.services.session_editor.apply(user_id, session_id)
    except (InvalidInput, BookingRefused) as refusal:
        await query.edit_message_text(context.t(refusal.key, **refusal.params))
        return
    await query.edit_message_text(
        _describe(context, applied.change, "session_change.saved", "session_change.being_told")
    )
    await send_session(context, context.chat, applied.card)


def _describe(context: DodolanContext, shown: ChangeShown, key: str, who_key: str) -> str:
    """A previewed or saved change: the session's title, "was → now" and who is told."""
    services, preview = context.services, shown.preview
    changes = change_views.differences(
        services.catalog,
        context.language,
        services.settings.timezone,
        preview.before,
        preview.after,
        preview.fields,
        shown.names,
    )
    who = _who(context, preview.audience, who_key, shown.names)
    return context.t(key, title=preview.after.title, changes=changes, who=who)


def _who(context: DodolanContext, audience: Audience, key: str, names: Mapping[int, str]) -> Html:
    """ "2 peserta terdaftar dan pelatih (…) akan diberi tahu", or that nobody needs to be."""
    who = change_views.told(context.services.catalog, context.language, audience, names)
    if not who:
        return Html(context.t("session_change.nobody"))
    return Html(context.t(key, who=Html(who)))


def register(application: DodolanApplication) -> None:
    """Add /sesi and its buttons, and the notices about changed and cancelled sessions."""
    dialogs.TEXT_FLOWS[EDIT_FLOW] = received_edit_input
    application.add_handler(
        CommandHandler(["sesi", "managesessions"], manage_sessions, filters.ChatType.PRIVATE)
    )
    application.add_handler(
        CallbackQueryHandler(tapped_manage, pattern=cb.pattern(cb.SESSION_ADMIN))
    )
