"""Start, help, cancel, the fallbacks and the error handler."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Message, ReplyKeyboardRemove, Update
from telegram.constants import ChatType
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.core.errors import DodolanError, Refusal
from bot.core.models import Role
from bot.core.notices import ChannelName
from bot.i18n import DEFAULT_LANGUAGE
from bot.services.owner_home import help_screen
from bot.services.unexpected import Received, Taps, stale_tap
from handlers.telegram.bot_api import DodolanBot
from handlers.telegram.context import SERVICES_KEY, DodolanApplication, DodolanContext
from handlers.telegram.menus import set_user_menu

logger = logging.getLogger(__name__)

# The group of the handler that loads the account: before every other group, as every
# handler reads the person's internal id from it (context.me).
FIRST_GROUP = -10
# The group of the handler that remembers a tap that was taken: after every feature's.
LAST_GROUP = 10
TAPS_KEY = "taps"


async def remember_user(update: Update, context: DodolanContext) -> None:
    """Load (creating on first contact) the account of the user behind a private update."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or user.is_bot or (chat is not None and chat.type != ChatType.PRIVATE):
        return
    context.account, context.first_contact = await context.services.users.arrival(
        ChannelName.TELEGRAM, str(user.id), user.language_code, user.full_name
    )


async def refresh_menu(
    context: DodolanContext, chat_id: int, roles: frozenset[Role], *, force: bool = False
) -> None:
    """Give the private chat of a privileged user (or, with ``force``, anyone) the menu of
    their role and language."""
    if force or roles != {Role.OWNER}:
        await set_user_menu(
            context.bot, context.services.catalog, chat_id, roles, context.language
        )


def _taps(context: DodolanContext) -> Taps:
    taps: Taps = context.bot_data.setdefault(TAPS_KEY, Taps())
    return taps


def _message_of(query: CallbackQuery) -> str | None:
    return str(query.message.message_id) if query.message is not None else None


def repeated(query: CallbackQuery, context: DodolanContext) -> bool:
    """Whether this is the same button, on the same message, as the person's last tap taken."""
    if context.account is None:
        return False
    return _taps(context).repeated(context.me, _message_of(query), query.data)


async def stale(query: CallbackQuery, context: DodolanContext) -> None:
    """Answer a tap that changed nothing, as every channel does
    (:func:`~bot.services.unexpected.stale_tap`): a double tap is told the first was taken;
    an old or forged button, that it is from an old message and nothing changed."""
    context.tap_stale = True
    again = repeated(query, context)
    key = stale_tap(booking_changed=False, question_follows=False, repeated=again)
    await query.answer(context.t(key), show_alert=not again)


async def refuse_tap(query: CallbackQuery, context: DodolanContext, text: str) -> None:
    """Say in an alert why a tap changed nothing (a rule said no); it is not remembered as
    taken, so tapping it again is answered the same way."""
    context.tap_stale = True
    await query.answer(text, show_alert=True)


async def remember_tap(update: Update, context: DodolanContext) -> None:
    """Remember a tap that was taken, so that the same button tapped again reads "noted"."""
    query = update.callback_query
    if query is None or query.data is None or context.tap_stale or context.account is None:
        return
    _taps(context).taken(context.me, _message_of(query), query.data)


async def explain(query: CallbackQuery, context: DodolanContext, error: DodolanError) -> None:
    """Answer a button that changed nothing: the rule that said no, or that it is stale."""
    if not isinstance(error, Refusal):
        await stale(query, context)
        return
    await refuse_tap(query, context, context.t(error.key, **error.params))


async def clear_buttons(query: CallbackQuery) -> None:
    """Remove the inline keyboard from the message a button was tapped on.

    Already gone (a double tap, an old copy) is done: :class:`DodolanBot` absorbs it.
    """
    await query.edit_message_reply_markup(None)


async def show_help(update: Update, context: DodolanContext) -> None:
    """List what the user can do, by role (also the answer to /menu, as on WhatsApp)."""
    assert update.effective_user is not None and update.effective_message is not None
    services = context.services
    roles = await services.users.roles(context.me)
    registered = await services.profile.get(context.me) is not None
    notice = help_screen(services.catalog, context.language, roles, registered=registered)
    await update.effective_message.reply_text(notice.text)


async def cancel(update: Update, context: DodolanContext) -> None:
    """Leave whatever conversation the user is in."""
    assert update.effective_user is not None and update.effective_message is not None
    key = await context.services.dialogs.cancel(context.me)
    await update.effective_message.reply_text(context.t(key), reply_markup=ReplyKeyboardRemove())


async def unknown_command(update: Update, context: DodolanContext) -> None:
    """Point someone who typed an unknown command to the help."""
    assert update.effective_message is not None
    command = (update.effective_message.text or "/").split()[0].split("@")[0]
    await update.effective_message.reply_text(
        context.t("fallback.unknown_command", command=command)
    )


async def typed_code(update: Update, context: DodolanContext, *, step_open: bool) -> bool:
    """Answer a typed "cek <kode>" (a certificate) or "HADIR-<code>" (a check-in, as the
    WhatsApp link types it); False if the text is neither (with ``step_open``, a question
    waits: a check-in code no session has is its answer, "hadir besok")."""
    message = update.effective_message
    if message is None or not message.text:
        return False
    # imported here: these modules show screens of modules that import this one
    from bot.services.attendance import typed_checkin
    from handlers.telegram.certificates import check_typed
    from handlers.telegram.trainer import check_in

    if await check_typed(update, context):
        return True
    code = typed_checkin(message.text)
    return code is not None and await check_in(update, context, code, step_open=step_open)


def received(message: Message) -> Received:
    """What a message carries, as :mod:`bot.services.unexpected` names it."""
    if message.text:
        return Received.TEXT
    if message.location or message.venue:
        return Received.LOCATION
    if message.effective_attachment is not None:
        return Received.MEDIA
    return Received.OTHER


async def stray_message(update: Update, context: DodolanContext) -> None:
    """Answer what no conversation expects: a file sent with a question is read here (typed
    codes were read before, by :func:`typed_code`); the rest is
    :class:`~bot.services.unprompted.UnpromptedInput`'s, as on every channel (a question, a
    welcome into sign-up, a welcome back, or a pointer and the help)."""
    message = update.effective_message
    assert message is not None
    # imported here: these modules show screens of modules that import this one
    from handlers.telegram.questions import received_file, show
    from handlers.telegram.signup import start

    if not message.text and await received_file(update, context):  # a file with a question
        return
    services = context.services
    answer = await services.unprompted.answer(
        context.me, received(message), message.text, ChannelName.TELEGRAM, context.language
    )
    if answer.reply is not None:
        await show(update, context, answer.reply)
    elif answer.greet:
        await start(update, context)
    elif answer.lead is not None:
        menu = help_screen(
            services.catalog, context.language, answer.roles, registered=answer.registered
        )
        await message.reply_text(f"{answer.lead}\n\n{menu.text}")


async def stray_button(update: Update, context: DodolanContext) -> None:
    """Answer a button no handler recognises: it is stale or forged, so nothing changes."""
    assert update.callback_query is not None
    await stale(update.callback_query, context)


async def on_error(update: object, context: DodolanContext) -> None:
    """Log the traceback first, then stop the button spinning and apologise in their language."""
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("error while handling update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update):
        return
    if update.effective_chat is None:  # nowhere to apologise; no later group runs either
        raise ApplicationHandlerStop
    try:
        if context.account is None and update.effective_user is not None:
            # PTB builds a fresh context for error handlers; reload the user's language
            context.account = await context.services.users.known(
                ChannelName.TELEGRAM, str(update.effective_user.id)
            )
    except Exception:
        logger.exception("could not load the language for update %s", update_id)
    query = update.callback_query
    if query is not None and not _answered(context, query.id):
        try:
            await query.answer()
        except Exception:
            logger.exception("could not answer the callback of update %s", update_id)
    try:
        await context.bot.send_message(update.effective_chat.id, context.t("error.generic"))
    except Exception:
        logger.exception("could not apologise for update %s", update_id)
    # One apology is the whole answer: no later handler group (a fallback, a welcome) runs.
    raise ApplicationHandlerStop


def _answered(context: DodolanContext, query_id: str) -> bool:
    bot = context.bot
    return isinstance(bot, DodolanBot) and bot.was_answered(query_id)


async def flooded(update: Update, note: bool, application: DodolanApplication) -> None:
    """Answer an update skipped because its chat floods: stop the spinner, maybe ask to slow."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    chat = update.effective_chat
    if not note or chat is None or chat.type != ChatType.PRIVATE:
        return
    services = application.bot_data[SERVICES_KEY]
    account = await services.users.known(ChannelName.TELEGRAM, str(chat.id))
    language = account.language if account is not None else DEFAULT_LANGUAGE
    await application.bot.send_message(chat.id, services.catalog.text(language, "flood.slow_down"))


def register_first(application: DodolanApplication) -> None:
    """Add the handlers that run before and after all others: remembering the user, and
    the tap that was taken."""
    application.add_handler(TypeHandler(Update, remember_user), group=FIRST_GROUP)
    application.add_handler(CallbackQueryHandler(remember_tap), group=LAST_GROUP)


def register_commands(application: DodolanApplication) -> None:
    """Add the baseline commands."""
    only_private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler(["help", "bantuan", "menu"], show_help, only_private))
    application.add_handler(CommandHandler(["cancel", "batal"], cancel, only_private))


def register_fallbacks(application: DodolanApplication) -> None:
    """Add the handlers of last resort (after every feature's handlers)."""
    only_private = filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(filters.COMMAND & only_private, unknown_command))
    application.add_handler(MessageHandler(only_private, stray_message))
    application.add_handler(CallbackQueryHandler(stray_button))
    application.add_error_handler(on_error)
