"""Answers to what the bot sent on its own: a waitlist seat offer, a reminder's question."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.core.errors import Refusal, StaleAction
from handlers.telegram import callbacks as cb
from handlers.telegram.booking_common import tapped_here, tell, trainer_names, why
from handlers.telegram.common import clear_buttons
from handlers.telegram.context import DodolanApplication, DodolanContext
from handlers.telegram.session_views import SessionViews


async def tapped_offer(update: Update, context: DodolanContext) -> None:
    """Take or pass on a seat offered from the waitlist."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    parts = cb.parse(query.data, cb.OFFER, 2)
    booking_id = int(parts[1]) if parts and parts[1].isdigit() else None
    try:
        if parts is None or parts[0] not in ("take", "skip") or booking_id is None:
            raise StaleAction(query.data)
        booking = context.services.booking
        offer = booking.accept_offer if parts[0] == "take" else booking.decline_offer
        view = await offer(user.id, booking_id)
    except (StaleAction, Refusal) as error:
        await query.answer()
        if booking_id is not None and tapped_here(query):
            await clear_buttons(query)  # the offer is over: its buttons can do nothing now
        await context.bot.send_message(user.id, why(context, error, "booking.offer_stale"))
        return
    await query.answer()
    await clear_buttons(query)
    await tell(context, view)


async def tapped_reminder(update: Update, context: DodolanContext) -> None:
    """ "I'll be there" records it; "I can't come" asks to confirm the cancellation.

    Once the owner was checked in, "I can't come" is refused (they came).
    """
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    parts = cb.parse(query.data, cb.REMINDER, 2)
    booking_id = int(parts[1]) if parts and parts[1].isdigit() else None
    try:
        if parts is None or parts[0] not in ("yes", "no") or booking_id is None:
            raise StaleAction(query.data)
        if parts[0] == "yes":
            await context.services.booking.will_attend(user.id, booking_id)
            await query.answer()
            await clear_buttons(query)
            await context.bot.send_message(user.id, context.t("reminder.thanks"))
            return
        view = await context.services.booking.changeable(user.id, booking_id)
    except (StaleAction, Refusal) as error:
        await query.answer()
        if booking_id is not None and tapped_here(query):
            await clear_buttons(query)  # nothing left to answer on this reminder
        await context.bot.send_message(user.id, why(context, error))
        return
    trainers = await trainer_names(context, [view.session])
    text, markup = SessionViews.of(context).cancel_question(view, trainers)
    await query.answer()
    await context.bot.send_message(user.id, text, reply_markup=markup)


def register(application: DodolanApplication) -> None:
    """Add the buttons of seat offers and reminders."""
    application.add_handler(CallbackQueryHandler(tapped_offer, pattern=cb.pattern(cb.OFFER)))
    application.add_handler(CallbackQueryHandler(tapped_reminder, pattern=cb.pattern(cb.REMINDER)))
