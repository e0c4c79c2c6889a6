"""An owner's taps under the question desk's answer (👍 Terjawab, 🙋 Tanya petugas, an offered
FAQ entry), read and decided once for every channel.

Issue 21: each edge parsed ``q:v1:ok|ask:<question>`` and ``q:v1:pick:<question>:<entry>``
and chose the desk's step itself. :func:`tapped` does it here; a forged or stale choice
raises :class:`~bot.core.errors.StaleAction` and changes nothing. The edges render: Telegram
answers the tap and clears the buttons, WhatsApp sends one new message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core import choices as ids
from bot.core.errors import StaleAction
from bot.services.questions import Reply

THANKS = "questions.thanks"  # 👍 recorded


class Desk(Protocol):
    """The question desk's steps an owner's tap takes (the questions service)."""

    async def pick(self, user_id: int, question_id: int, entry_id: str, language: str) -> Reply:
        """Answer the question with the offered entry the owner picked."""
        ...

    async def helpful(self, user_id: int, question_id: int) -> None:
        """Record that the answer helped."""
        ...

    async def hand_over(self, user_id: int, question_id: int, language: str) -> Reply:
        """Make the question a ticket for a person."""
        ...


@dataclass(frozen=True)
class Tapped:
    """What the tap led to: a reply to show, or the thanks for a 👍."""

    reply: Reply | None = None
    thanked: bool = False


async def tapped(desk: Desk, user_id: int, choice_id: str | None, language: str) -> Tapped:
    """Take the owner's 👍, 🙋 or FAQ pick (StaleAction: forged, stale, not theirs)."""
    pick = ids.parse(choice_id, ids.QUESTION, 3)
    if pick is not None and pick[0] == "pick" and pick[1].isdigit():
        return Tapped(await desk.pick(user_id, int(pick[1]), pick[2], language))
    parts = ids.parse(choice_id, ids.QUESTION, 2)
    if parts is None or not parts[1].isdigit():
        raise StaleAction(choice_id)
    if parts[0] == "ok":
        await desk.helpful(user_id, int(parts[1]))
        return Tapped(thanked=True)
    if parts[0] == "ask":
        return Tapped(await desk.hand_over(user_id, int(parts[1]), language))
    raise StaleAction(choice_id)
