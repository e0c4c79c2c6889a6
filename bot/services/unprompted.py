"""Input no step is waiting for, answered once for every channel (issue 21).

When a person writes and no conversation is open (no sign-up question, no proof, no comment
awaited), the edge first takes what only it can read: a typed certificate or check-in code,
a swipe-reply to an answer, a file sent with a question. Everything else comes here, already
parsed (what arrived, its text), and :meth:`UnpromptedInput.answer` decides, in this order:

1. typed text goes to the question desk, which answers it from the owner's own data, the
   FAQ or a person with a promised time, or says why it cannot (sign up first; staff are
   pointed to their commands): its :class:`~bot.services.questions.Reply` is the answer;
2. if the channel has just sent what waited for the person (WhatsApp's "tap to read it"
   templates), that is the answer to an "oke": nothing more is said;
3. a newcomer (no sign-up, no staff or trainer role) is welcomed into sign-up, whatever they
   sent: the edge opens first contact (:mod:`bot.services.first_contact`);
4. small talk ("halo", "makasih", "😀") is welcomed back: a signed-up owner by name, staff
   and trainers with a plain hello;
5. anything else gets a kind pointer that names what arrived (a photo, a location, text it
   did not understand);

and in 4 and 5 the person's menu follows: the edge shows it under the lead (WhatsApp's
"Menu" list, Telegram's help with its commands).

Where Telegram and WhatsApp disagreed, the better behaviour now holds on both:

- a newcomer who wrote anything but /start was told on Telegram "I don't understand, use the
  buttons or /bantuan" with no button to press; WhatsApp welcomed them into sign-up;
- a photo, sticker or location was answered on Telegram with the same words as text the bot
  did not understand, and no menu; WhatsApp thanked for what it was and showed the menu;
- small talk was welcomed back on WhatsApp with the name the person's WhatsApp profile
  carries; the name they signed up with is used on both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core.models import OwnerProfile, Role
from bot.i18n import Catalog
from bot.services.owner_home import is_small_talk
from bot.services.questions import Reply
from bot.services.unexpected import Received

WELCOME_BACK = "owner_lists.welcome_back"
HELLO = "unprompted.hello"  # small talk from staff or a trainer
POINTERS = {
    Received.TEXT: "unprompted.text",
    Received.MEDIA: "unprompted.media",
    Received.LOCATION: "unprompted.location",
    Received.OTHER: "unprompted.other",
}


class Desk(Protocol):
    """The question desk, as far as free text reaches it."""

    async def ask(self, user_id: int, text: str, channel: str, language: str) -> Reply:
        """Answer free text from the first line that can."""
        ...


class Owners(Protocol):
    """Signed-up owners."""

    async def get(self, user_id: int) -> OwnerProfile | None:
        """The owner's profile, if they signed up."""
        ...


class People(Protocol):
    """What is read of a person."""

    async def roles(self, user_id: int) -> frozenset[Role]:
        """The person's roles as stored now."""
        ...


@dataclass(frozen=True)
class Unprompted:
    """The answer to input no step was waiting for."""

    reply: Reply | None = None  # the question desk's answer (a menu screen or its notices)
    greet: bool = False  # a newcomer: the edge opens first contact (sign-up's welcome)
    lead: str | None = None  # the text above the person's menu: a welcome back or a pointer
    registered: bool = False  # a signed-up owner (which menu: the owner's or a guest's)
    roles: frozenset[Role] = frozenset()  # the person's roles (which help)

    @property
    def silent(self) -> bool:
        """Nothing to say: what the channel just sent was the answer."""
        return self.reply is None and not self.greet and self.lead is None


class UnpromptedInput:
    """Decides the answer to input no step was waiting for, the same on every channel."""

    def __init__(self, desk: Desk, owners: Owners, people: People, catalog: Catalog) -> None:
        self._desk = desk
        self._owners = owners
        self._people = people
        self._catalog = catalog

    async def answer(
        self,
        user_id: int,
        received: Received,
        text: str | None,
        channel: str,
        language: str,
        *,
        released: bool = False,
    ) -> Unprompted:
        """The answer to what ``user_id`` sent (``received``, with ``text`` if typed).

        ``released``: the channel has just sent what waited for the person, which answers
        whatever they wrote to get it.
        """
        typed = text.strip() if received is Received.TEXT and text else ""
        if typed:
            reply = await self._desk.ask(user_id, typed, channel, language)
            if reply.asked:
                return Unprompted(reply=reply)
        if released:
            return Unprompted()
        owner = await self._owners.get(user_id)
        roles = await self._people.roles(user_id)
        if _newcomer(owner, roles):
            return Unprompted(greet=True, roles=roles)
        if typed and is_small_talk(typed):
            lead = (
                self._catalog.text(language, WELCOME_BACK, name=owner.full_name)
                if owner is not None
                else self._catalog.text(language, HELLO)
            )
        else:
            lead = self._catalog.text(language, POINTERS[received])
        return Unprompted(lead=lead, registered=owner is not None, roles=roles)

    async def newcomer(self, user_id: int) -> bool:
        """Whether the person is one first contact welcomes into sign-up: not signed up, and
        neither staff nor a trainer (so "mulai" greets them rather than turning announcements
        on, on every channel)."""
        owner = await self._owners.get(user_id)
        return _newcomer(owner, await self._people.roles(user_id))


def _newcomer(owner: OwnerProfile | None, roles: frozenset[Role]) -> bool:
    return owner is None and not roles & {Role.STAFF, Role.TRAINER}
