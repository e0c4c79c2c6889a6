"""Answers to what the bot sent on its own: a waitlist seat offer and a reminder's question.

Issue 21: each edge parsed these choices and chose what they do. The rules are here once:
``wl:v1:take|skip:<booking>`` takes or passes on the offered seat; ``rm:v1:yes:<booking>``
records "I'll be there", ``rm:v1:no:<booking>`` asks "really cancel?" about a booking the
owner may still change (once checked in, they came: refused). A choice of another shape is
stale and changes nothing; an offer that no longer holds is answered with
:data:`OFFER_STALE`. The edges render: Telegram clears the notice's buttons, WhatsApp sends
one new message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core import choices as ids
from bot.core.errors import StaleAction
from bot.services.booking import BookingView
from bot.services.unexpected import REPEAT

OFFER_STALE = "booking.offer_stale"  # why a stale offer button changed nothing
THANKS = "reminder.thanks"  # "I'll be there" recorded
_ACTIONS = {ids.OFFER: ("take", "skip"), ids.REMINDER: ("yes", "no")}


class Answering(Protocol):
    """What an answer changes (the booking service)."""

    async def accept_offer(self, user_id: int, booking_id: int) -> BookingView: ...
    async def decline_offer(self, user_id: int, booking_id: int) -> BookingView: ...
    async def will_attend(self, user_id: int, booking_id: int) -> BookingView: ...
    async def changeable(self, user_id: int, booking_id: int) -> BookingView: ...


@dataclass(frozen=True)
class ReminderAnswer:
    """What a reminder's answer led to."""

    view: BookingView  # the booking answered about
    attending: bool  # True: "I'll be there" recorded; False: ask "really cancel?" about it


def attending_reply(repeated: bool) -> str:
    """The catalog key answering "I'll be there": thanks, or for the same button tapped
    again (the first tap was taken), that it is noted."""
    return REPEAT if repeated else THANKS


def answered(choice_id: str | None, kind: str) -> tuple[str, int] | None:
    """The action and booking id of an offer or reminder choice (None: not one of ours)."""
    parts = ids.parse(choice_id, kind, 2)
    if parts is None or parts[0] not in _ACTIONS[kind] or not parts[1].isdigit():
        return None
    return parts[0], int(parts[1])


async def answer_offer(booking: Answering, user_id: int, choice_id: str | None) -> BookingView:
    """Take or pass on an offered seat; its view's notice tells the owner which."""
    parsed = answered(choice_id, ids.OFFER)
    if parsed is None:
        raise StaleAction(choice_id)
    action, booking_id = parsed
    if action == "take":
        return await booking.accept_offer(user_id, booking_id)
    return await booking.decline_offer(user_id, booking_id)


async def answer_reminder(
    booking: Answering, user_id: int, choice_id: str | None
) -> ReminderAnswer:
    """Record "I'll be there", or find the booking "I can't come" asks to cancel."""
    parsed = answered(choice_id, ids.REMINDER)
    if parsed is None:
        raise StaleAction(choice_id)
    action, booking_id = parsed
    if action == "yes":
        return ReminderAnswer(await booking.will_attend(user_id, booking_id), attending=True)
    return ReminderAnswer(await booking.changeable(user_id, booking_id), attending=False)
