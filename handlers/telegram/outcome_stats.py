"""The outcome for staff (/statistik's last part, with a chart) and trainers (/hasil: their
own sessions). Figures and rights come from the outcome statistics service."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.core.errors import NotAllowed
from bot.services.outcome_chart import outcome_chart
from bot.services.outcome_stats import OutcomeFigures, outcome_text
from handlers.telegram.auth import refuse
from handlers.telegram.context import DodolanApplication, DodolanContext

MAX_TEXT = 4000


def chart(context: DodolanContext, figures: OutcomeFigures) -> bytes:
    """The outcome chart in the reader's language."""
    total, t = figures.total, context.t
    subtitle = context.services.catalog.raw(context.language, "outcome.stats.chart_subtitle")
    return outcome_chart(
        total,
        t("outcome.stats.chart_title"),
        t("outcome.stats.chart_selling"),
        t("outcome.stats.chart_ordering"),
        context.services.catalog.raw(context.language, "outcome.stats.chart_month"),
        subtitle.format(
            trained=total.trained,
            certified=total.certified,
            done=total.tasks_done,
            given=total.tasks_given,
        ),
    )


async def send_outcome(
    update: Update, context: DodolanContext, *, say_if_none: bool = True
) -> None:
    """Send the outcome figures and chart the user may see (NotAllowed for owners); with
    nobody trained yet, say so (or, in /statistik, nothing)."""
    assert update.effective_user is not None and update.effective_message is not None
    figures = await context.services.outcome_stats.figures(context.me, context.language)
    message = update.effective_message
    if not figures.total.trained:
        if say_if_none:
            await message.reply_text(context.t("outcome.stats.none"))
        return
    text = outcome_text(context.services.catalog, context.language, figures)
    for start in range(0, len(text), MAX_TEXT):
        await message.reply_text(text[start : start + MAX_TEXT])
    await message.reply_photo(chart(context, figures))


async def outcome(update: Update, context: DodolanContext) -> None:
    """/hasil: the outcome of the sessions this trainer runs (all of them, for staff)."""
    try:
        await send_outcome(update, context)
    except NotAllowed:
        await refuse(update, context)


def register(application: DodolanApplication) -> None:
    """Add /hasil."""
    application.add_handler(
        CommandHandler(["hasil", "outcome"], outcome, filters.ChatType.PRIVATE)
    )
