"""What no step waits for, on WhatsApp: free text goes to the question desk, a greeting is
answered, anything else gets a pointer and the menu (all decided by
:mod:`bot.services.unprompted`, as on every channel); and the taps on the desk's answers
(👍, 🙋, an offered FAQ entry) come back here. Staff answer on Telegram."""

from __future__ import annotations

import logging

from bot.core import choices as ids
from bot.core.errors import DeliveryError, InvalidInput, StaleAction
from bot.core.notices import ChannelName
from bot.services import question_taps
from bot.services.files import MAX_BYTES, QUESTION_TYPES
from bot.services.question_intent import BOOKINGS, TIPS
from bot.services.questions import FileRef, Reply
from handlers.whatsapp import owner_booking, owner_learning
from handlers.whatsapp.events import InboundKind
from handlers.whatsapp.owner_menu import show_menu
from handlers.whatsapp.owner_signup import greet
from handlers.whatsapp.router import Router, Turn

logger = logging.getLogger(__name__)
_KINDS = {"image": "photo", "document": "document", "audio": "voice"}  # Meta type → ours


async def show(turn: Turn, reply: Reply) -> None:
    """Show what answers the question: a menu screen, or the desk's notices."""
    if reply.own == BOOKINGS:
        await owner_booking.my_bookings(turn)
    elif reply.own == TIPS:
        await owner_learning.daily_settings(turn)
    for notice in reply.notices:
        await turn.send(notice)


async def unprompted(turn: Turn) -> None:
    """Answer what no step was waiting for: a file sent with a question and a swipe-reply to
    an answer are read here; the rest is :class:`~bot.services.unprompted.UnpromptedInput`'s."""
    if turn.event.kind is InboundKind.MEDIA and await _received_file(turn):
        return
    answer = await turn.services.unprompted.answer(
        turn.user_id,
        turn.received,
        turn.text,
        ChannelName.WHATSAPP,
        turn.language,
        released=turn.released > 0,
    )
    if answer.reply is not None:
        await show(turn, answer.reply)
    elif answer.greet:
        await greet(turn)
    elif answer.lead is not None:
        await show_menu(turn, answer.lead)


async def _received_file(turn: Turn) -> bool:
    """A photo, document or voice note with (or right after) a question goes to whoever
    answers it; False if it belongs to no question (the fallback answers as before)."""
    event, desk = turn.event, turn.services.questions
    kind = _KINDS.get(event.raw_type)
    if (
        kind is None
        or event.media_id is None
        or not await desk.takes_file(turn.user_id, turn.text)
    ):
        return False
    files = turn.services.files
    try:
        files.check(event.mime_type, None, QUESTION_TYPES)
        content, mime = await turn.router.channel.download_media(event.media_id, MAX_BYTES)
        kept = await files.keep(content, mime or event.mime_type, QUESTION_TYPES)
    except InvalidInput:
        await turn.say("questions2.not_kept")
        return True
    except DeliveryError as exc:
        logger.warning("user %s: a question's file was not fetched: %s", turn.user_id, exc.reason)
        await turn.say("questions2.not_kept")
        return True
    name = event.filename if kind == "document" else None
    file = FileRef(kept.sha256, kind, name)
    reply = await desk.attach(turn.user_id, ChannelName.WHATSAPP, file, turn.text, turn.language)
    if not reply.asked:
        return False
    await show(turn, reply)
    return True


async def replied_to_answer(turn: Turn) -> bool:
    """A swipe-reply to a person's answer continues that thread, as a Telegram reply does
    (before any open question: the router offers it replies first)."""
    desk, replied = turn.services.questions, turn.event.context_wamid
    ticket = await desk.ticket_for_reply(turn.user_id, replied) if replied else None
    if ticket is None or not await desk.asked_by(turn.user_id, ticket):
        return False
    try:
        await show(turn, await desk.follow_up(turn.user_id, ticket, turn.text, turn.language))
    except StaleAction:
        await turn.say("questions.closed")
    return True


async def tapped(turn: Turn) -> None:
    """👍 Terjawab, 🙋 Tanya petugas or an offered entry; stale or forged ones change nothing."""
    desk = turn.services.questions
    try:
        taken = await question_taps.tapped(desk, turn.user_id, turn.choice_id, turn.language)
    except StaleAction:
        await turn.stale()
        return
    if taken.reply is None:
        await turn.say(question_taps.THANKS)
    else:
        await show(turn, taken.reply)


def register(router: Router) -> None:
    """Add the question taps, the greeting words and the fallback."""
    router.add_word("halo", ("hai", "hi", "hello", "hallo", "helo", "permisi"), unprompted)
    router.add_choice(ids.QUESTION, tapped)
    router.add_reply(replied_to_answer)
    router.set_fallback(unprompted)
