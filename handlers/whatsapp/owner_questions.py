"""Tanya Dinas on WhatsApp: an owner's free text goes to the question desk, and the taps on
its answers (👍, 🙋, an offered FAQ entry) come back here. Staff answer on Telegram."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core import choices as ids
from bot.core.errors import StaleAction
from bot.core.notices import ChannelName
from bot.services.question_intent import BOOKINGS, TIPS
from bot.services.questions import Reply
from handlers.whatsapp import owner_booking, owner_learning
from handlers.whatsapp.events import InboundKind
from handlers.whatsapp.router import Handler, Router, Turn


async def show(turn: Turn, reply: Reply) -> None:
    """Show what answers the question: a menu screen, or the desk's notices."""
    if reply.own == BOOKINGS:
        await owner_booking.my_bookings(turn)
    elif reply.own == TIPS:
        await owner_learning.daily_settings(turn)
    for notice in reply.notices:
        await turn.send(notice)


@dataclass
class AskFirst:
    """A fallback that takes text as a question (the desk decides who may ask); the rest
    goes on."""

    otherwise: Handler | None

    async def __call__(self, turn: Turn) -> None:
        """Answer the question, or hand the message to the fallback before this one."""
        if turn.event.kind is InboundKind.TEXT and turn.text:
            reply = await turn.services.questions.ask(
                turn.user_id, turn.text, ChannelName.WHATSAPP, turn.language
            )
            if reply.asked:
                await show(turn, reply)
                return
        if self.otherwise is not None:
            await self.otherwise(turn)


async def tapped(turn: Turn) -> None:
    """👍 Terjawab, 🙋 Tanya petugas or an offered entry; stale or forged ones change nothing."""
    desk, data = turn.services.questions, turn.choice_id
    pick = ids.parse(data, ids.QUESTION, 3)
    parts = ids.parse(data, ids.QUESTION, 2)
    try:
        if pick is not None and pick[0] == "pick" and pick[1].isdigit():
            await show(turn, await desk.pick(turn.user_id, int(pick[1]), pick[2], turn.language))
        elif parts is not None and parts[1].isdigit() and parts[0] == "ok":
            await desk.helpful(turn.user_id, int(parts[1]))
            await turn.say("questions.thanks")
        elif parts is not None and parts[1].isdigit() and parts[0] == "ask":
            await show(turn, await desk.hand_over(turn.user_id, int(parts[1]), turn.language))
        else:
            await turn.stale()
    except StaleAction:
        await turn.stale()


def register(router: Router) -> None:
    """Add the question taps; wrap the fallback (check-in codes are wrapped around this)."""
    router.add_choice(ids.QUESTION, tapped)
    router.set_fallback(AskFirst(router.fallback))
