"""/profil, /bahasa, /datasaya and /hapusdata: an owner's own data."""

from __future__ import annotations

from io import BytesIO

from telegram import InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.core.errors import NotRegistered, StaleAction
from bot.services.owner_home import data_screen, erase_answer
from handlers.telegram import callbacks as cb
from handlers.telegram import views
from handlers.telegram.common import clear_buttons, refresh_menu, refuse_tap, repeated, stale
from handlers.telegram.context import DodolanApplication, DodolanContext
from handlers.telegram.dialogs import send_prompt, show_profile, steps


async def profile(update: Update, context: DodolanContext) -> None:
    """Show the owner's stored profile with edit buttons."""
    assert update.effective_user is not None and update.effective_chat is not None
    await show_profile(context, update.effective_chat.id, context.me)


async def tapped_profile(update: Update, context: DodolanContext) -> None:
    """Open the editor of the field whose button was tapped."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    try:
        step = await steps(context).tapped_profile(context.me, query.data)
    except StaleAction:
        await stale(query, context)
        return
    except NotRegistered:
        await refuse_tap(query, context, context.t("profile.not_registered"))
        return
    await query.answer()
    if step.dialog is not None:
        await send_prompt(context, context.chat, step.dialog)
    elif step.notice is not None:
        text, markup = views.render(step.notice)
        await context.bot.send_message(context.chat, text, reply_markup=markup)


async def choose_language(update: Update, context: DodolanContext) -> None:
    """Offer the two languages."""
    assert update.effective_chat is not None
    text, markup = views.render(steps(context).language_picker())
    await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


async def tapped_language(update: Update, context: DodolanContext) -> None:
    """Switch language; the reply and the command menu change at once."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    try:
        step = await steps(context).tapped_language(
            context.me, query.data, repeated=repeated(query, context)
        )
    except StaleAction:
        await stale(query, context)
        return
    await query.answer()
    if step.switched is not None:
        context.account = await context.services.users.get(context.me)
        await clear_buttons(query)
        roles = await context.services.users.roles(context.me)
        await refresh_menu(context, context.chat, roles, force=True)
    text, markup = views.render(step.screen)
    await context.bot.send_message(context.chat, text, reply_markup=markup)


async def my_data(update: Update, context: DodolanContext) -> None:
    """Send everything stored about the owner: a readable message and a JSON file."""
    assert update.effective_chat is not None and context.account is not None
    services, chat_id = context.services, update.effective_chat.id
    export = await services.profile.export(context.account)
    notice = data_screen(services.catalog, context.language, export, services.settings.timezone)
    await context.bot.send_message(chat_id, notice.text)
    for follow_up in notice.follow_ups:
        file = follow_up.attachment
        assert file is not None and file.content is not None
        document = InputFile(BytesIO(file.content), filename=file.name)
        await context.bot.send_document(chat_id, document, caption=follow_up.text)


async def erase_data(update: Update, context: DodolanContext) -> None:
    """Ask for confirmation before deleting the owner's data."""
    assert update.effective_chat is not None
    text, markup = views.erase_prompt(context.services.catalog, context.language)
    await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


async def tapped_erase(update: Update, context: DodolanContext) -> None:
    """Delete the owner's data after a "yes"; a "no" keeps everything."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    try:
        erase = erase_answer(query.data, first_contact=context.first_contact)
    except StaleAction:
        await stale(query, context)
        return
    await query.answer()
    await clear_buttons(query)
    if not erase:
        await context.bot.send_message(context.chat, context.t("data.erase_kept"))
        return
    text = context.t("data.erased")  # in the owner's language, before it is erased too
    erased = await context.services.profile.erase(context.me)
    await context.bot.send_message(
        context.chat, text if erased else context.t("data.erase_nothing")
    )


def register(application: DodolanApplication) -> None:
    """Add the profile and personal-data commands and buttons."""
    only_private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler(["profil", "profile"], profile, only_private))
    application.add_handler(CommandHandler(["bahasa", "language"], choose_language, only_private))
    application.add_handler(CommandHandler(["datasaya", "mydata"], my_data, only_private))
    application.add_handler(CommandHandler(["hapusdata", "deletedata"], erase_data, only_private))
    application.add_handler(CallbackQueryHandler(tapped_profile, pattern=cb.pattern(cb.PROFILE)))
    application.add_handler(CallbackQueryHandler(tapped_language, pattern=cb.pattern(cb.LANGUAGE)))
    application.add_handler(CallbackQueryHandler(tapped_erase, pattern=cb.pattern(cb.ERASE)))
