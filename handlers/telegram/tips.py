"""Owners: /tips with feedback and a topic picker, /tipsharian daily tips; their outbox kinds."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.core.errors import InvalidInput, NotAllowed
from bot.i18n import Catalog
from bot.services.facade import Services
from bot.services.tip_steps import TipSteps
from bot.services.tips import TipsService, TipStats
from bot.services.tips_content import TOPICS
from handlers.telegram import callbacks as cb
from handlers.telegram.common import stale
from handlers.telegram.context import DodolanApplication, DodolanContext
from handlers.telegram.views import render

WORST_SHOWN = 5


def tips_for(services: Services) -> TipsService:
    """The tips service of a running bot."""
    return services.tips


def steps(context: DodolanContext) -> TipSteps:
    """The tips conversation in the reader's language."""
    services = context.services
    return TipSteps(services.tips, services.catalog, services.settings.timezone, context.language)


def stats_text(catalog: Catalog, language: str, stats: TipStats) -> str:
    """The tips section of /statistik: per topic, and the tips readers found least helpful."""
    t = catalog.text
    lines = [t(language, "tips.stats.title")]
    if not stats.per_topic:
        return "\n".join([*lines, t(language, "tips.stats.none")])
    for row in stats.per_topic:
        label = t(language, f"tips.topic.{row.key}") if row.key in TOPICS else row.key
        lines.append(
            t(
                language,
                "tips.stats.row",
                name=label,
                sent=row.sent,
                yes=row.helpful,
                no=row.not_helpful,
            )
        )
    weak = sorted(
        (r for r in stats.per_tip if r.not_helpful), key=lambda r: (-r.not_helpful, r.key)
    )[:WORST_SHOWN]
    if weak:
        lines.append(t(language, "tips.stats.weak"))
        lines += [
            t(language, "tips.stats.row", name=r.key, sent=r.sent, yes=r.helpful, no=r.not_helpful)
            for r in weak
        ]
    return "\n".join(lines)


async def show_tip(update: Update, context: DodolanContext) -> None:
    """Send a tip chosen for this owner."""
    assert update.effective_user is not None
    user_id = context.me
    text, markup = render(await steps(context).asked(user_id))
    await context.bot.send_message(context.chat, text, reply_markup=markup)


async def daily_settings(update: Update, context: DodolanContext) -> None:
    """Show the daily tip settings."""
    assert update.effective_user is not None
    user_id = context.me
    text, markup = render(await steps(context).daily(user_id))
    await context.bot.send_message(context.chat, text, reply_markup=markup)


async def tapped(update: Update, context: DodolanContext) -> None:
    """Handle every tips button; a forged or stale one changes nothing."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    try:
        answer = await steps(context).tapped(context.me, query.data)
    except (NotAllowed, InvalidInput):
        await stale(query, context)
        return
    if answer.brief:  # "thanks" as a toast on the tip
        await query.answer(answer.notice.text)
        return
    text, markup = render(answer.notice)
    await context.bot.send_message(context.chat, text, reply_markup=markup)
    await query.answer()


def register(application: DodolanApplication) -> None:
    """Add /tips, /tipsharian and their buttons."""
    only_private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler(["tips", "tip"], show_tip, only_private))
    application.add_handler(
        CommandHandler(["tipsharian", "langganantips", "dailytips"], daily_settings, only_private)
    )
    application.add_handler(CallbackQueryHandler(tapped, pattern=cb.pattern(cb.TIPS)))
