"""Answers to what the bot sent on its own: a waitlist seat offer, a reminder's question.

The same handlers take a tap on the notice's reply buttons (inside the 24-hour window) and on
its template's quick replies (outside it): the template carries the notice's choice ids as
payloads (``wl:v1:take:<booking>``, ``rm:v1:no:<booking>``). The template's own quick
replies, "tap to read it" (``wa:v1:open``) and "stop news" (``wa:v1:stop``), are answered
by :func:`handlers.whatsapp.owner_menu.tapped_template`.
"""

from __future__ import annotations

from bot.core import choices as ids
from bot.core.errors import Refusal, StaleAction
from bot.services.notice_answers import (
    OFFER_STALE,
    answer_offer,
    answer_reminder,
    attending_reply,
)
from handlers.whatsapp.owner_booking import Views, refuse, tell, trainer_names
from handlers.whatsapp.router import Router, Turn


async def tapped_offer(turn: Turn) -> None:
    """Take or pass on a seat offered from the waitlist; the reply owed says which."""
    try:
        view = await answer_offer(turn.services.booking, turn.user_id, turn.choice_id)
    except (StaleAction, Refusal) as error:
        await refuse(turn, error, OFFER_STALE)
        return
    await tell(turn, view.notice)


async def tapped_reminder(turn: Turn) -> None:
    """ "I'll be there" is thanked; "I can't come" asks to confirm the cancellation."""
    try:
        answer = await answer_reminder(turn.services.booking, turn.user_id, turn.choice_id)
    except (StaleAction, Refusal) as error:
        await refuse(turn, error)
        return
    if answer.attending:
        await turn.say(attending_reply(turn.router.repeated(turn)))
        return
    trainers = await trainer_names(turn, [answer.view.session])
    await turn.send(Views.of(turn).cancel_question(answer.view, trainers))


def register(router: Router) -> None:
    """Add the answers to seat offers and reminders."""
    router.add_choice(ids.OFFER, tapped_offer)
    router.add_choice(ids.REMINDER, tapped_reminder)
