"""Owners: /jadwal, one-tap booking, /bookingsaya (cancel, move), waitlist offers, deep links."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import CallbackQuery, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.core.errors import Refusal, StaleAction
from bot.core.models import TrainingSession
from bot.core.notices import Notice
from bot.services import session_links
from bot.services.booking import NO_LONGER, BookingView
from bot.services.booking_steps import JUST_FILLED, take_place
from bot.services.owner_screens import with_lead
from bot.services.session_links import SESSION_LINK_PREFIX as SESSION_LINK_PREFIX
from bot.services.session_lists import SessionLists
from bot.services.unexpected import stale_tap
from handlers.telegram import booking_answers
from handlers.telegram import callbacks as cb
from handlers.telegram.booking_common import tapped_here, tapped_label, tell, trainer_names, why
from handlers.telegram.common import clear_buttons
from handlers.telegram.context import DodolanApplication, DodolanContext
from handlers.telegram.dialogs import send_prompt
from handlers.telegram.session_views import SessionViews
from handlers.telegram.views import render

logger = logging.getLogger(__name__)

# Booking buttons that carry a session id (the others carry a booking id).
SESSION_ACTIONS = ("book", "wait", "show", "list")  # list: a page number


class _Gone(StaleAction):
    """The tap names no page, session or button of ours (as WhatsApp's ``turn.stale``)."""


async def send_session_card(
    context: DodolanContext, chat_id: int, session: TrainingSession, *, intro: str = ""
) -> None:
    """Show one session with its booking button (under ``intro``, if given)."""
    text, markup = render(with_lead(intro, await lists(context).card(session)))
    await context.bot.send_message(chat_id, text, reply_markup=markup)


async def list_sessions(update: Update, context: DodolanContext) -> None:
    """Show the sessions open for booking: a few as cards, more as a list (the service says)."""
    assert update.effective_chat is not None
    for notice in await lists(context).schedule():
        text, markup = render(notice)
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


def lists(context: DodolanContext) -> SessionLists:
    """The owners' lists of sessions in the reader's language."""
    services = context.services
    return SessionLists(
        services.sessions,
        services.booking,
        services.users,
        services.catalog,
        services.settings.timezone,
        services.now,
        context.language,
    )


async def open_session_link(update: Update, context: DodolanContext, code: str) -> None:
    """Show the session behind a deep link (from a poster or a WhatsApp group)."""
    assert update.effective_chat is not None
    session = await session_links.open_by_code(context.services.sessions, code)
    if session is None:
        await context.bot.send_message(update.effective_chat.id, context.t("booking.session_gone"))
        return
    await send_session_card(context, update.effective_chat.id, session)


async def my_bookings(update: Update, context: DodolanContext) -> None:
    """Show what the owner has coming with what they can do, then past sessions apart."""
    assert update.effective_user is not None and update.effective_chat is not None
    mine = await context.services.booking.mine(context.me)
    trainers = await trainer_names(context, [v.session for v in mine.upcoming])
    for text, markup in SessionViews.of(context).my_bookings(mine, trainers):
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


async def _show_booking(
    query: CallbackQuery,
    context: DodolanContext,
    view: BookingView,
    *,
    just_cancelled: bool = False,
) -> None:
    """Redraw the tapped card as the booking is now (current seats, buttons that still apply)."""
    trainers = await trainer_names(context, [view.session])
    text, markup = SessionViews.of(context).booking(view, trainers, just_cancelled=just_cancelled)
    await query.edit_message_text(text, reply_markup=markup)


async def _own_booking(
    context: DodolanContext, user_id: int, booking_id: int
) -> BookingView | None:
    """The user's own booking in any status (None for someone else's or none at all)."""
    view = await context.services.booking.view_by_id(booking_id)
    return view if view is not None and view.booking.user_id == user_id else None


async def _refuse(
    update: Update, context: DodolanContext, error: StaleAction | Refusal, booking_id: int | None
) -> None:
    """Say in a message why a tap changed nothing; redraw the card if the booking moved on.

    A message, not a toast: the owner has to act on it (open /bookingsaya, pick another
    session), so it must stay in the chat.
    """
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    await query.answer()
    no_longer = isinstance(error, StaleAction) or error.key in NO_LONGER
    view = await _own_booking(context, context.me, booking_id) if booking_id else None
    if no_longer and view is not None and tapped_here(query):
        await _show_booking(query, context, view)
    stale = stale_tap(booking_changed=not isinstance(error, _Gone), question_follows=False)
    await context.bot.send_message(context.chat, why(query, context, error, stale))


async def tapped_booking(update: Update, context: DodolanContext) -> None:
    """Book, ask to cancel, cancel, keep, list move targets, or move."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    parts = cb.parse(query.data, cb.BOOKING, 2) or cb.parse(query.data, cb.BOOKING, 3)
    ids = [int(p) for p in parts[1:]] if parts and all(p.isdigit() for p in parts[1:]) else []
    booking_id = ids[0] if parts and parts[0] not in SESSION_ACTIONS and ids else None
    try:
        if parts is None or not ids:
            raise _Gone(query.data)
        await _booking_action(update, context, parts[0], ids)
    except (StaleAction, Refusal) as error:
        await _refuse(update, context, error, booking_id)


async def _booking_action(
    update: Update, context: DodolanContext, action: str, ids: list[int]
) -> None:
    """Run the step a booking button names; a shape no button makes is stale."""
    step = _STEPS.get((action, len(ids)))
    if step is None:
        raise _Gone(action)
    await step(update, context, *ids)


async def _tapped_book(update: Update, context: DodolanContext, session_id: int) -> None:
    await _book(update, context, session_id, waitlist=False)


async def _tapped_wait(update: Update, context: DodolanContext, session_id: int) -> None:
    await _book(update, context, session_id, waitlist=True)


async def _tapped_show(update: Update, context: DodolanContext, session_id: int) -> None:
    """Open one session's card from the list, in the list's message."""
    await _edit(update, await lists(context).opened(session_id), session_id)


async def _tapped_list(update: Update, context: DodolanContext, page: int) -> None:
    """Turn the list of sessions to a page (the first, back from a card opened from it)."""
    await _edit(update, await lists(context).schedule_page(page), page)


async def _edit(update: Update, notice: Notice | None, tapped: object) -> None:
    """Show ``notice`` in the tapped message; no notice: the tap was stale."""
    if notice is None:
        raise _Gone(tapped)
    query = _query(update)
    await query.answer()
    text, markup = render(notice)
    await query.edit_message_text(text, reply_markup=markup)


async def _tapped_cancel_ask(update: Update, context: DodolanContext, booking_id: int) -> None:
    """Ask "really cancel?" on the booking's own card."""
    query = _query(update)
    view = await context.services.booking.changeable(context.me, booking_id)
    trainers = await trainer_names(context, [view.session])
    text, markup = SessionViews.of(context).cancel_question(view, trainers)
    await query.answer()
    await query.edit_message_text(text, reply_markup=markup)


async def _tapped_cancel(update: Update, context: DodolanContext, booking_id: int) -> None:
    """Cancel the booking; the card shows it and the reply owed confirms it."""
    query = _query(update)
    view = await context.services.booking.cancel(context.me, booking_id)
    await query.answer()
    await _show_booking(query, context, view, just_cancelled=True)
    await tell(context, view)


async def _tapped_keep(update: Update, context: DodolanContext, booking_id: int) -> None:
    """Keep the booking after all: the card comes back."""
    query, user_id = _query(update), context.me
    view = await context.services.booking.kept(user_id, booking_id)
    await query.answer()
    await _show_booking(query, context, view)
    await context.bot.send_message(context.chat, context.t("booking.kept"))


async def _tapped_move_list(update: Update, context: DodolanContext, booking_id: int) -> None:
    """Offer the sessions with a free seat the booking can move to."""
    user_id = context.me
    notice = await lists(context).move_choices(user_id, booking_id)
    assert notice is not None  # the first page is there
    text, markup = render(notice)
    await _query(update).answer()
    await context.bot.send_message(context.chat, text, reply_markup=markup)


async def _tapped_move_page(
    update: Update, context: DodolanContext, booking_id: int, page: int
) -> None:
    """Turn the list of sessions to move to to another page, in its message."""
    user_id = context.me
    notice = await lists(context).move_choices(user_id, booking_id, page)
    if notice is not None and not notice.choices:  # none left to move to: say so below
        await _query(update).answer()
        await context.bot.send_message(context.chat, notice.text)
        return
    await _edit(update, notice, page)


async def _tapped_move(
    update: Update, context: DodolanContext, booking_id: int, session_id: int
) -> None:
    """Move the seat to another session; the reply owed confirms it."""
    query = _query(update)
    moved = await context.services.booking.move(context.me, booking_id, session_id)
    await query.answer()
    label = tapped_label(query)
    if label is not None and isinstance(query.message, Message) and query.message.text:
        chosen = context.t("booking.move_chosen", choice=label)  # the list shows the choice
        await query.edit_message_text(f"{query.message.text_html}\n\n{chosen}")
    else:
        await clear_buttons(query)
    await tell(context, moved)


def _query(update: Update) -> CallbackQuery:
    query = update.callback_query
    assert query is not None
    return query


Step = Callable[..., Awaitable[None]]
_STEPS: dict[tuple[str, int], Step] = {
    ("book", 1): _tapped_book,
    ("wait", 1): _tapped_wait,
    ("show", 1): _tapped_show,
    ("list", 1): _tapped_list,
    ("cancelask", 1): _tapped_cancel_ask,
    ("cancel", 1): _tapped_cancel,
    ("keep", 1): _tapped_keep,
    ("movelist", 1): _tapped_move_list,
    ("movepage", 2): _tapped_move_page,
    ("move", 2): _tapped_move,
}


async def _book(
    update: Update, context: DodolanContext, session_id: int, *, waitlist: bool
) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    services = context.services
    taken = await take_place(
        services.booking,
        services.sessions,
        services.signup,
        context.me,
        session_id,
        waitlist=waitlist,
    )
    if taken.unknown:
        raise _Gone(session_id)
    await query.answer()
    if taken.view is not None:
        await _show_booking(query, context, taken.view)  # the card, with this seat counted
        await tell(context, taken.view)
        return
    assert taken.session is not None
    if taken.lead == JUST_FILLED:
        await _show_session(query, context, taken.session)  # full now, without the button
    if taken.lead is not None:
        await context.bot.send_message(context.chat, context.t(taken.lead))
    if taken.dialog is not None:
        context.prompted = True
        await send_prompt(context, context.chat, taken.dialog)
    else:
        await send_session_card(context, context.chat, taken.session)  # now with the waitlist


async def _show_session(
    query: CallbackQuery, context: DodolanContext, session: TrainingSession
) -> None:
    """Redraw the tapped session card as the session is now, without buttons."""
    text = SessionViews.of(context).card(session, await trainer_names(context, [session]))
    await query.edit_message_text(text, reply_markup=None)


def register(application: DodolanApplication) -> None:
    """Add the owners' session and booking commands and buttons."""
    only_private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler(["jadwal", "sessions"], list_sessions, only_private))
    application.add_handler(
        CommandHandler(["bookingsaya", "mybooking"], my_bookings, only_private)
    )
    application.add_handler(CallbackQueryHandler(tapped_booking, pattern=cb.pattern(cb.BOOKING)))
    booking_answers.register(application)
