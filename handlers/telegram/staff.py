"""Staff create sessions with /sesibaru: a guided conversation that survives restarts."""

from __future__ import annotations

from telegram import CallbackQuery, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.core.errors import InvalidInput, NotAllowed, Refusal, StaleAction
from bot.core.models import Dialog
from bot.services import session_editor, session_links
from bot.services.session_editor import NewSessionStep, SaveRefused, SessionCard
from handlers.telegram import callbacks as cb
from handlers.telegram import dialogs, staff_manage, staff_people
from handlers.telegram import session_admin_views as admin_views
from handlers.telegram import staff_views as views
from handlers.telegram.auth import refuse
from handlers.telegram.common import clear_buttons, explain
from handlers.telegram.context import DodolanApplication, DodolanContext
from handlers.telegram.views import recap_lines

FLOW = session_editor.FLOW


def session_link(context: DodolanContext, code: str) -> str:
    """The deep link owners open to book a session."""
    return session_links.telegram_link(context.bot.username, code)


def share_text(context: DodolanContext, code: str) -> str:
    """The session's share links: Telegram's, and WhatsApp's when WhatsApp is set up."""
    text = context.t("staff.new.created", link=session_link(context, code))
    whatsapp = context.services.settings.whatsapp
    if whatsapp is not None and whatsapp.display_number:
        link = session_links.whatsapp_link(whatsapp.display_number, code)
        text += "\n" + context.t("calendar_export.share_whatsapp", link=link)
    return text


def _prompt(context: DodolanContext, step: NewSessionStep) -> views.Screen:
    """Render the question of ``step`` in the reader's language."""
    services = context.services
    return admin_views.new_session_prompt(
        services.catalog, context.language, step, services.settings.timezone
    )


async def send_step(context: DodolanContext, chat_id: int, step: NewSessionStep) -> None:
    """Ask the question of the step staff are at, as a new message."""
    text, markup = _prompt(context, step)
    await context.bot.send_message(chat_id, text, reply_markup=markup)


async def new_session(update: Update, context: DodolanContext) -> None:
    """Start building a new session, one question at a time."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    try:
        step = await context.services.new_session.begin(context.me)
    except NotAllowed:
        await refuse(update, context)
        return
    await message.reply_text(context.t("staff.new.intro"))
    context.prompted = True  # the first question is asked: not again after the command
    await send_step(context, message.chat_id, step)


async def received_session_input(update: Update, context: DodolanContext, _: Dialog) -> None:
    """Take typed text or a shared location as the answer to the current question."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    editor = context.services.new_session
    try:
        if message.location is not None:
            where = message.location
            step = await editor.received_location(context.me, where.latitude, where.longitude)
        elif message.text is not None:
            step = await editor.received_text(context.me, message.text)
        else:
            raise InvalidInput("staff.invalid.need_text")
    except NotAllowed:
        await refuse(update, context)
        return
    except StaleAction:
        return  # the conversation ended meanwhile; the text is no answer
    except InvalidInput as refusal:
        await message.reply_text(context.t(refusal.key, **refusal.params))
        if refusal.key in ("input.use_buttons", "staff.invalid.need_text"):
            await send_step(context, message.chat_id, await editor.question(context.me))
        return
    await send_step(context, message.chat_id, step)


async def resume_new_session(context: DodolanContext, chat_id: int, dialog: Dialog) -> None:
    """Ask the question staff are at again, after a command answered in between."""
    try:
        step = await context.services.new_session.question(dialog.user_id)
    except (NotAllowed, StaleAction):
        return  # no longer staff, or the draft ended meanwhile: nothing to ask
    await send_step(context, chat_id, step)


async def tapped_new_session(update: Update, context: DodolanContext) -> None:
    """Take a tapped option, or a summary button (edit a field, save, discard)."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    parts = cb.parse(query.data, cb.NEW_SESSION, 2)
    try:
        if parts is None:
            raise StaleAction(query.data)
        step, code = parts
        if step == session_editor.CONFIRM:
            await _decide(query, context, context.me, code)
            return
        following = await context.services.new_session.chose(context.me, step, code)
    except NotAllowed:
        await refuse(update, context)
        return
    except (StaleAction, Refusal) as error:
        await explain(query, context, error)
        return
    await query.answer()
    catalog, tz = context.services.catalog, context.services.settings.timezone
    line = admin_views.chosen_line(catalog, context.language, step, code, following.draft, tz)
    await _answered(query, context, line, following)


async def _answered(
    query: CallbackQuery, context: DodolanContext, line: str, following: NewSessionStep
) -> None:
    """Show the tapped answer in its question and ask the next one there: one edit.

    The answers tapped in a row stay on top of the message ("Kapasitas: 20 ✓"), so the chat
    keeps what was chosen; every question of /sesibaru has inline buttons or none.
    """
    head = "\n".join([*recap_lines(query.message), line])
    text, markup = _prompt(context, following)
    await query.edit_message_text(f"{head}\n\n{text}", reply_markup=markup)


async def _decide(query: CallbackQuery, context: DodolanContext, user_id: int, code: str) -> None:
    """Save or discard the summarised draft, or go back to one of its fields."""
    editor = context.services.new_session
    if code == "save":
        await _saved(query, context, await editor.save(user_id))
        return
    if code == "discard":
        await editor.discard(user_id)
        await query.answer()
        await clear_buttons(query)  # a later summary would bring these buttons back to life
        await context.bot.send_message(context.chat, context.t("staff.new.discarded"))
        return
    step = await editor.edit(user_id, code)
    await query.answer()
    await clear_buttons(query)
    await send_step(context, context.chat, step)


async def _saved(
    query: CallbackQuery, context: DodolanContext, result: SessionCard | SaveRefused
) -> None:
    """Turn the summary into the new session's link and card, or into what to fix."""
    await query.answer()
    if isinstance(result, SaveRefused):
        refusal = context.t(result.refusal.key, **result.refusal.params)
        text, markup = _prompt(context, result.step)
        await query.edit_message_text(f"{refusal}\n\n{text}", reply_markup=markup)
        return
    services = context.services
    card = views.session_card(
        services.catalog,
        context.language,
        services.settings.timezone,
        result.session,
        result.names,
    )
    text = share_text(context, result.session.code)
    await query.edit_message_text(text + "\n\n" + card)


def register(application: DodolanApplication) -> None:
    """Add the staff and trainer commands, buttons and conversations."""
    only_private = filters.ChatType.PRIVATE
    dialogs.TEXT_FLOWS[FLOW] = received_session_input
    dialogs.RESUMES[FLOW] = resume_new_session
    application.add_handler(CommandHandler(["sesibaru", "newsession"], new_session, only_private))
    application.add_handler(
        CallbackQueryHandler(tapped_new_session, pattern=cb.pattern(cb.NEW_SESSION))
    )
    staff_manage.register(application)
    staff_people.register(application)


redeem_invite = staff_people.redeem_invite
