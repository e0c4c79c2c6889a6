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
from handlers.whatsapp.owner_booking import Views, refuse, tell, trainer_names
from handlers.whatsapp.router import Router, Turn


def _booking_id(parts: list[str] | None, actions: tuple[str, str]) -> tuple[str, int] | None:
    """The action and booking id of ``<action>:<booking id>``, if it is one of ``actions``."""
    if parts is None or parts[0] not in actions or not parts[1].isdigit():
        return None
    return parts[0], int(parts[1])


async def tapped_offer(turn: Turn) -> None:
    """Take or pass on a seat offered from the waitlist; the reply owed says which."""
    parsed = _booking_id(ids.parse(turn.choice_id, ids.OFFER, 2), ("take", "skip"))
    booking = turn.services.booking
    try:
        if parsed is None:
            raise StaleAction(turn.choice_id)
        action, booking_id = parsed
        offer = booking.accept_offer if action == "take" else booking.decline_offer
        view = await offer(turn.user_id, booking_id)
    except (StaleAction, Refusal) as error:
        await refuse(turn, error, "booking.offer_stale")
        return
    await tell(turn, view.notice)


async def tapped_reminder(turn: Turn) -> None:
    """ "I'll be there" records it; "I can't come" asks to confirm the cancellation.

    Once the owner was checked in, "I can't come" is refused (they came).
    """
    parsed = _booking_id(ids.parse(turn.choice_id, ids.REMINDER, 2), ("yes", "no"))
    booking = turn.services.booking
    try:
        if parsed is None:
            raise StaleAction(turn.choice_id)
        answer, booking_id = parsed
        if answer == "yes":
            await booking.will_attend(turn.user_id, booking_id)
            await turn.say("wa.stale.repeat" if turn.router.repeated(turn) else "reminder.thanks")
            return
        view = await booking.changeable(turn.user_id, booking_id)
    except (StaleAction, Refusal) as error:
        await refuse(turn, error)
        return
    trainers = await trainer_names(turn, [view.session])
    await turn.send(Views.of(turn).cancel_question(view, trainers))


def register(router: Router) -> None:
    """Add the answers to seat offers and reminders."""
    router.add_choice(ids.OFFER, tapped_offer)
    router.add_choice(ids.REMINDER, tapped_reminder)
