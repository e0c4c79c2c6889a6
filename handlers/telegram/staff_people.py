"""/peserta for staff and trainers, /statistik, trainer invites (/pelatih, ``latih-`` links)."""

from __future__ import annotations

from datetime import timedelta

from telegram import CallbackQuery, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.core.errors import InvalidInput, NotAllowed
from bot.core.models import Role, Trainer
from bot.i18n import Html, escape
from bot.services.delivery_report import outbox_report
from bot.services.invites import PAYLOAD_PREFIX
from bot.services.question_notices import counts_text
from handlers.telegram import callbacks as cb
from handlers.telegram import delivery, outcome_stats, tips
from handlers.telegram import staff_views as views
from handlers.telegram.auth import refuse, requires
from handlers.telegram.common import refresh_menu, stale
from handlers.telegram.context import DodolanApplication, DodolanContext
from handlers.telegram.menus import refresh_menu_of

RECENT = timedelta(days=7)  # trainers still look up a session's people a week after it
MAX_TEXT = 4000


def _chunks(text: str) -> list[str]:
    """Split a long text on line breaks into messages Telegram accepts."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        if current and len(current) + len(line) + 1 > MAX_TEXT:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    return [*chunks, current]


async def participants(update: Update, context: DodolanContext) -> None:
    """Let staff (any session) or a trainer (their own sessions) pick a session."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    services = context.services
    if await services.users.roles(context.me) == {Role.OWNER}:
        await refuse(update, context)
        return
    since = services.now() - RECENT
    recent = [s for s in await services.sessions.all() if s.ends_at > since]
    visible = await context.services.stats.visible_sessions(context.me, recent)
    if not visible:
        await message.reply_text(context.t("staff.participants.no_sessions"))
        return
    keyboard = views.session_picker(
        services.catalog, context.language, services.settings.timezone, visible
    )
    await message.reply_text(context.t("staff.participants.pick"), reply_markup=keyboard)


async def tapped_participants(update: Update, context: DodolanContext) -> None:
    """Show the people of the chosen session, if this user may see them now."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    services = context.services
    parts = cb.parse(query.data, cb.PARTICIPANTS, 1)
    session = (
        await services.sessions.get(int(parts[0])) if parts and parts[0].isdecimal() else None
    )
    try:
        if session is None:
            raise NotAllowed(context.me, "session")
        people = await context.services.stats.participants(context.me, session)
    except NotAllowed:
        await refuse(update, context)
        return
    await query.answer()
    text = views.participants_text(
        services.catalog, context.language, services.settings.timezone, session, people
    )
    for chunk in _chunks(text):
        await context.bot.send_message(context.chat, chunk)


@requires(Role.STAFF)
async def statistics(update: Update, context: DodolanContext) -> None:
    """Show the programme's numbers."""
    message = update.effective_message
    assert message is not None
    stats = await context.services.stats.overview()
    text = views.stats_text(context.services.catalog, context.language, stats)
    report = await outbox_report(context.services, failed_limit=0)
    text += "\n\n" + views.delivery_text(context.services.catalog, context.language, report)
    problems = delivery.channel_problems(context.application)
    if problems:
        lines = "\n".join(f"• {escape(p)}" for p in problems)
        text += "\n\n" + context.t("staff.delivery.whatsapp_templates", problems=Html(lines))
    feedback = await context.services.attendance.summary()
    text += "\n\n" + views.feedback_text(context.services.catalog, context.language, feedback)
    tip_stats = await tips.tips_for(context.services).stats()
    text += "\n\n" + tips.stats_text(context.services.catalog, context.language, tip_stats)
    asked = await context.services.questions.counts()
    text += "\n\n" + counts_text(context.services.catalog, context.language, asked)
    for chunk in _chunks(text):
        await message.reply_text(chunk)
    await outcome_stats.send_outcome(update, context, say_if_none=False)


@requires(Role.STAFF)
async def trainers(update: Update, context: DodolanContext) -> None:
    """List trainers with revoke buttons, and offer to invite one."""
    message = update.effective_message
    assert message is not None
    listed = await context.services.invites.trainers()
    text, markup = views.trainers_screen(context.services.catalog, context.language, listed)
    await message.reply_text(text, reply_markup=markup)


@requires(Role.STAFF)
async def tapped_trainers(update: Update, context: DodolanContext) -> None:
    """Create an invite link, or revoke a trainer after confirming."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    invites = context.services.invites
    parts = cb.parse(query.data, cb.TRAINERS, 1) or cb.parse(query.data, cb.TRAINERS, 2)
    listed = {t.user_id: t for t in await invites.trainers()}
    match parts:
        case ["invite"]:
            token = await invites.create(context.me)
            link = f"https://t.me/{context.bot.username}?start={PAYLOAD_PREFIX}{token}"
            await context.bot.send_message(
                context.chat, context.t("staff.trainers.invite", link=link)
            )
        case ["revoke", uid] if uid.isdecimal() and int(uid) in listed:
            await _ask_revoke(context, context.chat, listed[int(uid)])
        case ["revokeyes", uid] if uid.isdecimal() and int(uid) in listed:
            await _revoke(context, query, listed[int(uid)])
        case ["revokeno", uid]:
            await query.edit_message_text(context.t("staff.trainers.revoke_kept"))
        case _:
            await stale(query, context)
            return
    await query.answer()


async def _ask_revoke(context: DodolanContext, chat_id: int, trainer: Trainer) -> None:
    """Ask before revoking, naming the sessions that would be left without a trainer."""
    services = context.services
    runs = await services.sessions.run_by(trainer.user_id)
    name = views.trainer_label(services.catalog, context.language, trainer)
    text, markup = views.revoke_confirm(
        services.catalog, context.language, services.settings.timezone, trainer.user_id, name, runs
    )
    await context.bot.send_message(chat_id, text, reply_markup=markup)


async def _revoke(context: DodolanContext, query: CallbackQuery, trainer: Trainer) -> None:
    """Revoke the role; show staff which sessions now have no trainer."""
    services = context.services
    orphaned = await services.sessions.revoke_trainer(trainer.user_id) or []
    await refresh_menu_of(context.bot, context.services, trainer.user_id)
    name = views.trainer_label(services.catalog, context.language, trainer)
    await query.edit_message_text(
        views.revoked_text(
            services.catalog, context.language, services.settings.timezone, name, orphaned
        )
    )


async def redeem_invite(update: Update, context: DodolanContext, token: str) -> None:
    """Make the user a trainer through a ``latih-`` link, once, within 48 hours."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    try:
        await context.services.invites.redeem(
            context.me, token.removeprefix(PAYLOAD_PREFIX), user.first_name
        )
    except InvalidInput as refusal:
        await message.reply_text(context.t(refusal.key, **refusal.params))
        return
    roles = await context.services.users.roles(context.me)
    await refresh_menu(context, context.chat, roles, force=True)
    await message.reply_text(context.t("staff.trainers.welcome", name=user.first_name))


def register(application: DodolanApplication) -> None:
    """Add /peserta, /statistik, /pelatih and their buttons."""
    only_private = filters.ChatType.PRIVATE
    application.add_handler(
        CommandHandler(["peserta", "participants"], participants, only_private)
    )
    application.add_handler(
        CallbackQueryHandler(tapped_participants, pattern=cb.pattern(cb.PARTICIPANTS))
    )
    application.add_handler(CommandHandler(["statistik", "stats"], statistics, only_private))
    application.add_handler(CommandHandler(["pelatih", "trainers"], trainers, only_private))
    application.add_handler(CallbackQueryHandler(tapped_trainers, pattern=cb.pattern(cb.TRAINERS)))
