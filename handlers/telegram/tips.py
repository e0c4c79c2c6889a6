"""Owners: /tips with feedback and a topic picker, /tipsharian daily tips; their outbox kinds."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.core.errors import InvalidInput, NotAllowed
from bot.core.models import Subscription
from bot.formatting import format_datetime
from bot.i18n import Catalog
from bot.services.facade import Services
from bot.services.owner_notices import TIP_ROWS, tip_choices, tip_text
from bot.services.tips import SLOTS, TipsService, TipStats
from bot.services.tips_content import TOPICS, Tip
from handlers.telegram import callbacks as cb
from handlers.telegram.channel import keyboard
from handlers.telegram.context import DodolanApplication, DodolanContext

Rendered = tuple[str, InlineKeyboardMarkup | None]
ANY = "-"
WORST_SHOWN = 5


def tips_for(services: Services) -> TipsService:
    """The tips service of a running bot."""
    return services.tips


def _button(
    catalog: Catalog, language: str, key: str, action: str, arg: str = ANY
) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        catalog.text(language, key), callback_data=cb.pack(cb.TIPS, action, arg)
    )


def tip_keyboard(catalog: Catalog, language: str, tip: Tip) -> InlineKeyboardMarkup:
    """Feedback on the tip, another tip, the topic picker."""
    markup = keyboard(tip_choices(catalog, language, tip), TIP_ROWS)
    assert markup is not None
    return markup


def topic_keyboard(catalog: Catalog, language: str, topics: list[str]) -> InlineKeyboardMarkup:
    """One button per topic, two per row."""
    buttons = [_button(catalog, language, f"tips.topic.{t}", "topic", t) for t in topics]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def daily_screen(
    catalog: Catalog, language: str, sub: Subscription | None, next_due: str | None
) -> Rendered:
    """The daily tip settings: state, slot buttons, pause or resume."""
    if sub is None:
        text = catalog.text(language, "tips.daily.intro")
    elif sub.active:
        slot = catalog.text(language, f"tips.slot.{sub.slot}")
        text = catalog.text(language, "tips.daily.active", slot=slot, when=next_due or "")
    else:
        text = catalog.text(language, "tips.daily.paused")
    rows = [[_button(catalog, language, f"tips.slot.{s}", "slot", s)] for s in SLOTS]
    if sub is not None:
        action = "pause" if sub.active else "resume"
        rows.append([_button(catalog, language, f"tips.button.{action}", action)])
    return text, InlineKeyboardMarkup(rows)


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


async def _send_tip(context: DodolanContext, chat_id: int, topic: str | None) -> None:
    tip = await tips_for(context.services).next_tip(chat_id, topic)
    if tip is None:
        await context.bot.send_message(chat_id, context.t("tips.none"))
        return
    catalog = context.services.catalog
    await context.bot.send_message(
        chat_id,
        tip_text(catalog, context.language, tip),
        reply_markup=tip_keyboard(catalog, context.language, tip),
    )


async def show_tip(update: Update, context: DodolanContext) -> None:
    """Send a tip chosen for this owner."""
    assert update.effective_user is not None
    user_id = update.effective_user.id
    await tips_for(context.services).ensure_daily(user_id)
    await _send_tip(context, user_id, None)


async def daily_settings(update: Update, context: DodolanContext) -> None:
    """Show the daily tip settings."""
    assert update.effective_user is not None
    await _show_daily(context, update.effective_user.id)


async def _show_daily(context: DodolanContext, user_id: int, due: datetime | None = None) -> None:
    services = context.services
    service = tips_for(services)
    sub = await service.subscription(user_id)
    if due is None and sub is not None and sub.active:
        due = await service.next_daily(user_id)
    when = format_datetime(due, services.settings.timezone, context.language) if due else None
    text, markup = daily_screen(services.catalog, context.language, sub, when)
    await context.bot.send_message(user_id, text, reply_markup=markup)


async def tapped(update: Update, context: DodolanContext) -> None:
    """Handle every tips button; a forged or stale one changes nothing."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    service = tips_for(context.services)
    try:
        match cb.parse(query.data, cb.TIPS, 2):
            case ["fy" | "fn" as verdict, tip_id]:
                await service.feedback(user.id, tip_id, verdict == "fy")
                await query.answer(context.t("tips.thanks"))
                return
            case ["more", _]:
                await _send_tip(context, user.id, None)
            case ["topics", _]:
                keyboard = topic_keyboard(
                    context.services.catalog, context.language, await service.topics()
                )
                await context.bot.send_message(
                    user.id, context.t("tips.pick_topic"), reply_markup=keyboard
                )
            case ["topic", topic]:
                await _send_tip(context, user.id, topic)
            case ["slot", slot]:
                due = await service.subscribe(user.id, slot)
                await _show_daily(context, user.id, due)
            case ["pause", _]:
                await service.pause(user.id)
                await _show_daily(context, user.id)
            case ["resume", _]:
                await _show_daily(context, user.id, await service.resume(user.id))
            case _:
                raise NotAllowed(user.id, "tips button")
    except (NotAllowed, InvalidInput):
        await query.answer(context.t("fallback.stale_button"), show_alert=True)
        return
    await query.answer()


def register(application: DodolanApplication) -> None:
    """Add /tips, /tipsharian and their buttons."""
    only_private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler(["tips", "tip"], show_tip, only_private))
    application.add_handler(
        CommandHandler(["tipsharian", "langganantips", "dailytips"], daily_settings, only_private)
    )
    application.add_handler(CallbackQueryHandler(tapped, pattern=cb.pattern(cb.TIPS)))
