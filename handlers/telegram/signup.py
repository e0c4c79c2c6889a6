"""Sign-up: /start for a newcomer, /daftar, the consent notice, the summary and confirmation."""

from __future__ import annotations

import re

from telegram import CallbackQuery, Message, ReplyKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.core.errors import StaleAction
from bot.core.models import Role
from bot.i18n import Html
from bot.services import first_contact, signup
from bot.services.first_contact import Opening
from bot.services.profile_steps import Step
from handlers.telegram import callbacks as cb
from handlers.telegram.admission import is_busy, queue_newcomer, welcome_screen
from handlers.telegram.booking import open_session_link, send_session_card
from handlers.telegram.common import clear_buttons, refresh_menu, stale
from handlers.telegram.context import DodolanApplication, DodolanContext
from handlers.telegram.dialogs import send_prompt, shown, steps
from handlers.telegram.staff import redeem_invite
from handlers.telegram.trainer import check_in
from handlers.telegram.views import render

_PAYLOAD_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _payload(args: list[str] | None) -> str | None:
    """Return a well-formed deep-link payload (``t.me/<bot>?start=<payload>``) or None."""
    if args and _PAYLOAD_RE.match(args[0]):
        return args[0]
    return None


async def start(update: Update, context: DodolanContext) -> None:
    """Greet; what comes next is :func:`bot.services.first_contact.opening`'s (issue 21)."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    services = context.services
    begun = await first_contact.opening(
        services.users, services.profile, services.signup, context.me, _payload(context.args)
    )
    if begun.opening is Opening.INVITE:
        await redeem_invite(update, context, begun.code or "")
        return
    if begun.opening is Opening.CHECK_IN:
        await check_in(update, context, begun.code or "")
        return
    await refresh_menu(context, context.chat, begun.roles)
    if begun.opening is Opening.SESSION:
        await open_session_link(update, context, begun.code or "")
    elif begun.opening is Opening.ROLE:
        await message.reply_text(_role_greeting(context, begun.roles, user.first_name))
    elif begun.opening is Opening.BACK:
        await message.reply_text(context.t("welcome.back", name=user.first_name))
    elif begun.opening is Opening.RESUME and begun.dialog is not None:
        await message.reply_text(context.t("start.welcome", name=user.first_name))
        await send_prompt(context, message.chat_id, begun.dialog)
    elif await is_busy(context):  # the consent comes when the newcomer's turn does
        await queue_newcomer(context, message.chat_id, user.first_name)
        context.prompted = True
    else:
        text, markup = welcome_screen(services, context.language, user.first_name)
        await message.reply_text(text, reply_markup=markup)
        context.prompted = True


def _role_greeting(context: DodolanContext, roles: frozenset[Role], name: str) -> str:
    """Greet staff and trainers by their role, with the commands of their menu."""
    sections = [context.t(f"help.{role}") for role in (Role.STAFF, Role.TRAINER) if role in roles]
    key = "start.staff" if Role.STAFF in roles else "start.trainer"
    return context.t(key, name=name, commands=Html("\n\n".join(sections)))


async def sign_up(update: Update, context: DodolanContext) -> None:
    """Start or resume sign-up; a registered owner sees their profile instead."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    step = await steps(context).sign_up(context.me)
    await message.reply_text(step.lead or "")
    if step.dialog is not None:
        await send_prompt(context, message.chat_id, step.dialog)
    elif step.notice is not None:
        text, markup = render(step.notice)
        await message.reply_text(text, reply_markup=markup)


async def tapped_signup(update: Update, context: DodolanContext) -> None:
    """Handle the consent, edit and confirm buttons of sign-up."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    try:
        step = await steps(context).tapped_signup(context.me, query.data)
    except StaleAction:
        await stale(query, context)
        return
    await query.answer()
    if step.answered == signup.CONSENT:
        await _answered_consent(query, context, step)
    elif step.dialog is not None:  # a field to change again, from the summary
        await clear_buttons(query)
        await send_prompt(context, context.chat, step.dialog)
    elif step.signed_up and step.notice is not None:  # "done" under the summary
        await query.edit_message_text(f"{_shown_html(query)}\n\n{step.notice.text}")
        if step.session is not None:
            await send_session_card(context, context.chat, step.session)
    elif step.notice is not None:
        text, markup = render(step.notice)
        await context.bot.send_message(context.chat, text, reply_markup=markup)


async def _answered_consent(query: CallbackQuery, context: DodolanContext, step: Step) -> None:
    """Keep the consent text with the answer under it, and ask the first question there."""
    record = f"{_shown_html(query)}\n\n{step.lead}"
    if step.dialog is None or step.notice is None:
        declined = step.notice.text if step.notice is not None else ""
        await query.edit_message_text(f"{record}\n\n{declined}")
        return
    text, markup = shown(context, step.dialog.step, step.notice)
    if isinstance(markup, ReplyKeyboardMarkup):
        await query.edit_message_text(record)
        await send_prompt(context, context.chat, step.dialog)
        return
    await query.edit_message_text(f"{record}\n\n{text}", reply_markup=markup)


def _shown_html(query: CallbackQuery) -> str:
    message = query.message
    return message.text_html if isinstance(message, Message) and message.text else ""


def register(application: DodolanApplication) -> None:
    """Add the sign-up commands and buttons."""
    only_private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("start", start, only_private))
    application.add_handler(CommandHandler(["daftar", "signup"], sign_up, only_private))
    application.add_handler(CallbackQueryHandler(tapped_signup, pattern=cb.pattern(cb.SIGNUP)))
