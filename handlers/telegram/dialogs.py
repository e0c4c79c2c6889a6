"""Route answers (typed, shared, tapped) to the conversation the user is in."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

from telegram import CallbackQuery, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.core.errors import InvalidInput, NotRegistered, Refusal, StaleAction
from bot.core.models import Dialog
from bot.core.notices import Notice
from bot.services import unexpected
from bot.services.dialogs import ask_again_after
from bot.services.profile_steps import ProfileSteps, Step
from handlers.telegram import callbacks as cb
from handlers.telegram import views
from handlers.telegram.common import explain, stray_message, typed_code
from handlers.telegram.context import DodolanApplication, DodolanContext

# Other conversations (e.g. staff creating a session) register here: flow name → callback
# that takes the typed text, shared location or media while that flow is the user's dialog.
FlowCallback = Callable[[Update, DodolanContext, Dialog], Awaitable[None]]
TEXT_FLOWS: dict[str, FlowCallback] = {}
REFUSALS = "refusals"  # chat_data: refusals sent while the current question was open


async def refuse(message: Message, context: DodolanContext, text: str) -> None:
    """Answer a refused answer, remembering it so it can go once the step is passed."""
    sent = await message.reply_text(text)
    if context.chat_data is not None:
        context.chat_data.setdefault(REFUSALS, []).append(sent.message_id)


async def clear_refusals(context: DodolanContext, chat_id: int) -> None:
    """Delete the refusals of a question that has now been answered.

    An answer tapped on the question above them is shown there, so a refusal left below
    ("NIB terdiri dari 13 angka…") would be the last bubble and contradict it.
    """
    sent = context.chat_data.pop(REFUSALS, []) if context.chat_data is not None else []
    for message_id in sent:
        with contextlib.suppress(TelegramError):  # too old or already gone: nothing to do
            await context.bot.delete_message(chat_id, message_id)


# How a conversation other than sign-up and profile asks its question again after a command
# interrupted it (flow name → callback taking the chat and the dialog).
ResumeCallback = Callable[[DodolanContext, int, Dialog], Awaitable[None]]
RESUMES: dict[str, ResumeCallback] = {}


def steps(context: DodolanContext) -> ProfileSteps:
    """The sign-up, profile and language steps in the reader's language."""
    services = context.services
    return ProfileSteps(
        services.signup,
        services.profile,
        services.dialogs,
        services.users,
        services.sessions,
        services.catalog,
        services.settings.timezone,
        context.language,
    )


def shown(context: DodolanContext, step: str, question: Notice) -> tuple[str, views.Markup]:
    """A step's question as Telegram shows it (the phone's with "share my number")."""
    return views.shown(context.services.catalog, context.language, step, question)


def prompt_for(context: DodolanContext, dialog: Dialog) -> tuple[str, views.Markup]:
    """The question of the step the user is at, with its buttons."""
    return shown(context, dialog.step, steps(context).question(dialog))


async def send_prompt(context: DodolanContext, chat_id: int, dialog: Dialog) -> None:
    """Ask the question of the step the user is at."""
    text, markup = prompt_for(context, dialog)
    await context.bot.send_message(chat_id, text, reply_markup=markup)
    context.prompted = True


async def advance(query: CallbackQuery, context: DodolanContext, step: Step) -> None:
    """Show the tapped answer in its question and ask the next one, in one edit if it can.

    The question becomes a record ("Jenis usaha: Kuliner ✓", under the answers given in
    the same message before); a next question with inline buttons (or none) is asked in the
    same message, so a tap costs one limited call. A question needing a reply keyboard, or
    the end of the flow, is sent as a new message.
    """
    assert query.from_user is not None
    await clear_refusals(context, context.chat)
    head = "\n".join([*views.recap_lines(query.message), step.line or ""])
    if step.dialog is not None and step.notice is not None:
        text, markup = shown(context, step.dialog.step, step.notice)
        if not isinstance(markup, ReplyKeyboardMarkup):
            await query.edit_message_text(f"{head}\n\n{text}", reply_markup=markup)
            return
    await query.edit_message_text(head, reply_markup=None)
    await after_answer(context, context.chat, context.me, step)


async def show_profile(context: DodolanContext, chat_id: int, user_id: int) -> None:
    """Send the owner's profile with its edit buttons (or how to sign up)."""
    text, markup = views.render(await steps(context).profile_screen(user_id))
    await context.bot.send_message(chat_id, text, reply_markup=markup)


async def after_answer(context: DodolanContext, chat_id: int, user_id: int, step: Step) -> None:
    """Acknowledge an accepted answer and ask the next question (or show the saved profile).

    A saved phone number is acknowledged on its own message, which also takes the "share my
    number" keyboard away for good (a one-time keyboard is only hidden after use, and could
    still be opened and tapped at any later step).
    """
    await clear_refusals(context, chat_id)
    if step.answered == "phone":
        data = step.dialog.data if step.dialog is not None else {}
        phone = data.get("phone")
        if phone is None:
            owner = await context.services.profile.get(user_id)
            phone = owner.phone if owner else ""
        await context.bot.send_message(
            chat_id,
            context.t("signup.phone_saved", phone=phone),
            reply_markup=ReplyKeyboardRemove(),
        )
    if step.dialog is None:
        await context.bot.send_message(chat_id, step.lead or context.t("profile.saved"))
        if step.notice is not None:
            text, keyboard = views.render(step.notice)
            await context.bot.send_message(chat_id, text, reply_markup=keyboard)
    elif step.notice is not None:
        text, markup = shown(context, step.dialog.step, step.notice)
        await context.bot.send_message(chat_id, text, reply_markup=markup)
        context.prompted = True


async def received_text(update: Update, context: DodolanContext) -> None:
    """Take typed text as the answer to the current question; a typed code (a check-in,
    a certificate) is read first, in any step, and the question asked again after it."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None and message.text is not None
    dialog = await context.services.dialogs.current(context.me)
    if await typed_code(update, context, step_open=dialog is not None):  # as WhatsApp does
        context.dialog_before = dialog
        await ask_again(update, context)
        return
    if dialog is not None and dialog.flow in TEXT_FLOWS:
        await TEXT_FLOWS[dialog.flow](update, context, dialog)
        return
    try:
        step = await steps(context).typed(context.me, message.text)
    except InvalidInput as refusal:
        await refuse(message, context, context.t(refusal.key, **refusal.params))
        if refusal.key == unexpected.USE_CHOICES and dialog is not None:
            await send_prompt(context, message.chat_id, dialog)
        return
    except NotRegistered:
        await message.reply_text(context.t("profile.not_registered"))
        return
    if step is None:
        await stray_message(update, context)
        return
    await after_answer(context, message.chat_id, context.me, step)


async def received_contact(update: Update, context: DodolanContext) -> None:
    """Take a shared contact as the phone number, if it is the sender's own."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None and message.contact is not None
    contact = message.contact
    try:
        own = contact.user_id == user.id  # Telegram says whose contact it is
        step = await steps(context).shared_contact(context.me, contact.phone_number, own=own)
    except StaleAction:
        await received_other(update, context)
        return
    except InvalidInput as refusal:
        await refuse(message, context, context.t(refusal.key, **refusal.params))
        return
    if step is None:  # not a sign-up or profile step: the open question refuses it, if any
        await received_other(update, context)
        return
    await after_answer(context, message.chat_id, context.me, step)


async def received_other(update: Update, context: DodolanContext) -> None:
    """Re-ask the question when a photo, sticker or voice note arrives instead of an answer."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    dialog = await context.services.dialogs.current(context.me)
    if dialog is not None and dialog.flow in TEXT_FLOWS:
        await TEXT_FLOWS[dialog.flow](update, context, dialog)
        return
    received = unexpected.Received.LOCATION if message.location else unexpected.Received.MEDIA
    refused = await steps(context).refused(context.me, received)
    if refused is None or refused.dialog is None:
        await stray_message(update, context)
        return
    await message.reply_text(refused.lead or "")
    await send_prompt(context, message.chat_id, refused.dialog)


async def tapped_answer(update: Update, context: DodolanContext) -> None:
    """Take a tapped option (choice, marketplace toggle, done, skip) for the current question."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    try:
        step = await steps(context).tapped_answer(context.me, query.data)
    except (StaleAction, Refusal) as error:
        await explain(query, context, error)
        return
    await query.answer()
    if step.redrawn and step.notice is not None:  # a marketplace toggled: its ✅ in place
        await query.edit_message_reply_markup(views.render(step.notice)[1])
        return
    await advance(query, context, step)


async def note_dialog(update: Update, context: DodolanContext) -> None:
    """Before a command runs, note the conversation it interrupts (to ask its question after)."""
    assert update.effective_user is not None
    context.dialog_before = await context.services.dialogs.current(context.me)


async def ask_again(update: Update, context: DodolanContext) -> None:
    """After a command, ask the question of the sign-up or profile step the user is still at.

    The rule is :func:`bot.services.dialogs.ask_again_after`, the same on every channel: the
    command is answered, then the question comes again as the newest message (issue 21).
    """
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    after = await context.services.dialogs.current(context.me)
    dialog = ask_again_after(context.dialog_before, after)
    if dialog is None or context.prompted:
        return
    if dialog.flow in RESUMES:
        await RESUMES[dialog.flow](context, message.chat_id, dialog)
    elif steps(context).collector(dialog) is not None:
        await send_prompt(context, message.chat_id, dialog)


def register_around_commands(application: DodolanApplication) -> None:
    """Note the conversation before each command (group -3, before all) and ask after (1)."""
    commands = filters.ChatType.PRIVATE & filters.COMMAND
    application.add_handler(MessageHandler(commands, note_dialog), group=-3)
    application.add_handler(MessageHandler(commands, ask_again), group=1)


def register(application: DodolanApplication) -> None:
    """Add the answer routes (after the commands, before the fallbacks)."""
    only_private = filters.ChatType.PRIVATE
    application.add_handler(CallbackQueryHandler(tapped_answer, pattern=cb.pattern(cb.ANSWER)))
    application.add_handler(
        MessageHandler(only_private & filters.TEXT & ~filters.COMMAND, received_text)
    )
    application.add_handler(MessageHandler(only_private & filters.CONTACT, received_contact))
    application.add_handler(
        MessageHandler(only_private & ~filters.COMMAND & ~filters.StatusUpdate.ALL, received_other)
    )
