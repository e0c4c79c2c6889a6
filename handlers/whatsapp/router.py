"""WhatsApp messages in: who wrote, then which flow answers (a word, a tap or a dialog step).

:meth:`Router.handle` is what :class:`~handlers.whatsapp.inbox.InboxProcessor` calls for
each stored event. For an :class:`~handlers.whatsapp.events.Inbound` message it maps the
sender to an internal user (``identities``: the wa_id, or the BSUID when WhatsApp gives no
phone number), records the inbound time on the channel's window, updates last-seen, and
routes the message, first match wins:

1. a tapped button, list row or template quick reply: the handler of its choice-id kind
   (``"su:v1:confirm"`` → kind ``su``), added with :meth:`Router.add_choice`; a number typed
   in answer to a numbered menu is read back to its choice id first;
2. a text one of the bot's own wa.me links typed ("SESI-<code>"), added with
   :meth:`Router.add_link_text`: like a Telegram deep link, it is read in any dialog;
3. a plain word ("menu", "jadwal", "help" — trimmed, case-insensitive, spaces, dashes and a
   leading "/" ignored), added with :meth:`Router.add_word`;
4. a text swiped in reply to one of the bot's messages, if a handler added with
   :meth:`Router.add_reply` takes it (a reply to a person's answer continues that thread,
   as on Telegram, before any open question);
5. anything else while the user's dialog is in a flow added with :meth:`Router.add_flow`:
   that flow's ``answer`` (typed text, but also an image or a location it must refuse);
6. the fallback (:meth:`Router.set_fallback`).

Feature modules add their routes in a ``register(router)`` function (see
``handlers/whatsapp/inbound.py``). Handlers take one :class:`Turn` and reply with
:meth:`Turn.send` (a :class:`~bot.core.notices.Notice`) through the injected Channel.

No message can be edited on WhatsApp, so the latest message must always be the one to
answer: after a word interrupts a dialog, and after a stale tap, the dialog's current
question is asked again (the flow's ``resume``). A second tap of the same button on the
same message is answered with one short line and nothing else (see :meth:`Turn.stale`).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from bot.core.errors import DeliveryError, RetryLater
from bot.core.models import Dialog, User
from bot.core.notices import ChannelName, Notice, Recipient, SentRef
from bot.core.ports import Channel, Identities
from bot.i18n import DEFAULT_LANGUAGE
from bot.services.dialogs import ask_again_after
from bot.services.facade import Services
from bot.services.unexpected import Received, Taps, stale_tap
from handlers.whatsapp.events import Event, Inbound, InboundKind
from handlers.whatsapp.logsafe import tag
from handlers.whatsapp.replies import Reply
from handlers.whatsapp.screens import for_whatsapp

logger = logging.getLogger(__name__)

Handler = Callable[["Turn"], Awaitable[None]]
# (turn, code=the code the text held) → False if the text was not what it looked like (the
# route goes on); None or True: taken
LinkHandler = Callable[..., Awaitable[bool | None]]
CHOICE_KINDS = (InboundKind.BUTTON_REPLY, InboundKind.LIST_REPLY, InboundKind.TEMPLATE_BUTTON)
MEMORY = 4096  # people whose last tap is remembered (double taps)
_WORD_NOISE = re.compile(r"[\s\-_]+")
_EDGE_PUNCTUATION = "!?.,;:'\"()"
_RECEIVED = {
    InboundKind.LOCATION: Received.LOCATION,
    InboundKind.MEDIA: Received.MEDIA,
    InboundKind.OTHER: Received.OTHER,
}


class InboundChannel(Channel, Protocol):
    """The WhatsApp channel as the inbound side needs it (``WhatsAppChannel`` is one)."""

    async def saw_inbound(
        self, external_id: str, at: datetime, received: datetime | None = None
    ) -> None:
        """Record a message Meta stamped ``at`` (it opens their 24-hour window)."""
        ...

    async def resolve_number(self, external_id: str, text: str) -> str | None:
        """The choice id a typed number picks from the person's last numbered menu."""
        ...

    async def deliver_held(self, external_id: str) -> list[SentRef]:
        """Send what "tap to read it" templates held back for the person."""
        ...

    async def download_media(self, media_id: str, max_bytes: int) -> tuple[bytes, str]:
        """The bytes and type of a file the person sent (InvalidInput if too big)."""
        ...


@dataclass(frozen=True)
class Flow:
    """How a multi-step conversation takes free input and asks its current question again."""

    answer: Handler  # text, media or location while the user's dialog is in this flow
    resume: Handler  # send the question of the step the user is at


def normalise_word(text: str) -> str:
    """The form a typed word is matched in: "  Sign-Up! " → "signup", "/Jadwal" → "jadwal"."""
    word = text.strip().strip(_EDGE_PUNCTUATION).casefold().removeprefix("/")
    return _WORD_NOISE.sub("", word)


def external_id_of(event: Inbound) -> str | None:
    """The id Dodolan knows the sender by on WhatsApp: the wa_id, else the BSUID."""
    return event.wa_id or event.user_id


class Turn:
    """One inbound message being answered: who, in which language, and how to reply."""

    def __init__(
        self,
        router: Router,
        event: Inbound,
        user: User,
        external_id: str,
        choice_id: str | None,
        *,
        first_contact: bool = False,
    ) -> None:
        self.router = router
        self.first_contact = first_contact  # this message made the sender a user
        self.services: Services = router.services
        self.event = event
        self.user = user
        self.external_id = external_id
        self.choice_id = choice_id
        self.prompted = False  # the current question was sent during this turn
        self.was_stale = False
        self.released = 0  # messages that waited behind a template, sent as this turn began
        self.replies: list[Reply] = []  # owed, in order; sent after the event is stored done

    @property
    def user_id(self) -> int:
        """The internal user id."""
        return self.user.id

    @property
    def language(self) -> str:
        """The language the user reads."""
        return self.user.language

    @property
    def text(self) -> str:
        """The typed text (or tapped title, or caption), trimmed; "" if none."""
        return (self.event.text or "").strip()

    @property
    def received(self) -> Received:
        """What the person sent, as the services name it (a tap counts as text)."""
        return _RECEIVED.get(self.event.kind, Received.TEXT)

    def t(self, key: str, /, **params: object) -> str:
        """Catalog text in the user's language, parameters escaped once."""
        return self.services.catalog.text(self.language, key, **params)

    async def send(self, notice: Notice) -> None:
        """Owe a notice (then its follow-ups, each a reply of its own) with its command names
        as WhatsApp words. Nothing goes out yet: the inbox processor stores the turn's replies
        with the event's "done" and then sends them, in order (see ``replies``)."""
        shaped = for_whatsapp(notice, self.language)
        self.replies.append(Reply(self.recipient, replace(shaped, follow_ups=())))
        self.replies += [Reply(self.recipient, follow_up) for follow_up in shaped.follow_ups]

    async def send_at_once(self, notice: Notice) -> None:
        """Send a notice now, not stored: only for a last message before the person's data
        (their number, their window) is erased, when nothing may be kept to send it later."""
        await self.router.channel.send(
            self.recipient, for_whatsapp(notice, self.language), bulk=False
        )

    def owe_outbox(self, message_id: int) -> None:
        """Send a committed outbox row (a booking confirmation) at this place in the order."""
        self.replies.append(Reply(self.recipient, outbox_id=message_id))

    @property
    def recipient(self) -> Recipient:
        """Where this turn's replies go."""
        return Recipient(self.user_id, ChannelName.WHATSAPP, self.external_id, self.language)

    async def say(self, key: str, /, **params: object) -> None:
        """Send one catalog text."""
        await self.send(Notice(self.t(key, **params)))

    async def dialog(self) -> Dialog | None:
        """The conversation the user is in, as stored now."""
        return await self.services.dialogs.current(self.user_id)

    async def resume(self) -> bool:
        """Ask the current question of the user's dialog again; False if there is none."""
        dialog = await self.dialog()
        flow = self.router.flows.get(dialog.flow) if dialog is not None else None
        if flow is None:
            return False
        self.prompted = True
        await flow.resume(self)
        return True

    async def stale(self) -> None:
        """Answer a tap that changed nothing (old message, double tap, forged id).

        The same button tapped again on the same message gets one short line: the first tap
        was taken, and its answer is just above. Any other stale tap is told so and gets the
        current question again, so the newest message is the one to answer (the answer is
        :func:`~bot.services.unexpected.stale_tap`'s, as on every channel).
        """
        self.was_stale = True
        if self.router.repeated(self):
            await self.say(stale_tap(booking_changed=False, question_follows=False, repeated=True))
            return
        dialog = await self.dialog()
        follows = dialog is not None and dialog.flow in self.router.flows
        await self.say(stale_tap(booking_changed=False, question_follows=follows))
        await self.resume()


class Router:
    """Routes each inbound message to its handler; feature modules add the routes."""

    def __init__(self, services: Services, channel: InboundChannel) -> None:
        self.services = services
        self.channel = channel
        self.words: dict[str, str] = {}  # normalised alias → canonical word
        self.word_handlers: dict[str, Handler] = {}
        self.choices: dict[str, Handler] = {}
        self.flows: dict[str, Flow] = {}
        self.fallback: Handler | None = None
        self.link_texts: list[tuple[Callable[[str], str | None], LinkHandler]] = []
        self.replies: list[Callable[[Turn], Awaitable[bool]]] = []
        self._identities: Identities = services.identities
        self.taps = Taps(MEMORY)

    def add_word(self, word: str, aliases: tuple[str, ...], handler: Handler) -> None:
        """Run ``handler`` when the owner types ``word`` or one of its ``aliases``."""
        for alias in (word, *aliases):
            key = normalise_word(alias)
            if self.words.get(key, word) != word:
                raise ValueError(f"{alias!r} already means {self.words[key]!r}")
            self.words[key] = word
        self.word_handlers[word] = handler

    def add_link_text(self, read: Callable[[str], str | None], handler: LinkHandler) -> None:
        """Run ``handler`` with the code ``read`` finds in a text a bot's link typed."""
        self.link_texts.append((read, handler))

    def add_reply(self, handler: Callable[[Turn], Awaitable[bool]]) -> None:
        """Offer a text swiped in reply to a bot message to ``handler`` (False: not its)."""
        self.replies.append(handler)

    def add_choice(self, kind: str, handler: Handler) -> None:
        """Run ``handler`` for taps whose choice id starts with ``kind:`` (it parses the rest)."""
        if kind in self.choices:
            raise ValueError(f"choice kind {kind!r} is taken")
        self.choices[kind] = handler

    def add_flow(self, flow: str, answer: Handler, resume: Handler) -> None:
        """Give free input to ``answer`` while the user's dialog is in ``flow``."""
        self.flows[flow] = Flow(answer, resume)

    def set_fallback(self, handler: Handler) -> None:
        """Answer what nothing else takes."""
        self.fallback = handler

    async def handle(self, event: Event) -> list[Reply]:
        """Answer one inbox event: the replies it owes, in order (none for other events)."""
        if not isinstance(event, Inbound):
            return []
        external_id = external_id_of(event)
        if external_id is None:
            logger.warning("inbound message %s has no sender id; ignored", tag(event.wamid))
            return []
        turn = await self._turn(event, external_id)
        if turn is None:
            return []
        try:
            await self._route(turn)
        except RetryLater:
            raise  # the processor tries the event again later
        except DeliveryError as exc:
            logger.warning("could not answer message %s: %s", tag(event.wamid), exc.reason)
        except Exception:
            logger.exception("error while answering message %s", tag(event.wamid))
            await self._apologise(turn)
        return turn.replies

    async def flood_note(self, external_id: str) -> Reply | None:
        """The one "pelan-pelan ya" note for a person who writes faster than answers go."""
        user = await self.services.users.known(ChannelName.WHATSAPP, external_id)
        if user is None:
            return None
        text = self.services.catalog.text(user.language, "flood.slow_down")
        recipient = Recipient(user.id, ChannelName.WHATSAPP, external_id, user.language)
        return Reply(recipient, Notice(text))

    async def _turn(self, event: Inbound, external_id: str) -> Turn | None:
        """Register the sender, record their window and last-seen; None for a reaction."""
        at = event.timestamp or self.services.now()
        known = await self._identities.user_for(ChannelName.WHATSAPP, external_id)
        user_id = await self._identities.register(
            ChannelName.WHATSAPP, external_id, DEFAULT_LANGUAGE, self.services.now()
        )
        await self.channel.saw_inbound(external_id, at, event.received_at)
        user = await self.services.users.seen(user_id, None, event.profile_name)
        if event.raw_type == "reaction":  # an emoji on our message asks nothing
            await self._release(external_id, event)  # but it opened the window all the same
            return None
        choice_id = event.choice_id if event.kind in CHOICE_KINDS else None
        if choice_id is None and event.kind is InboundKind.TEXT:
            choice_id = await self.channel.resolve_number(external_id, (event.text or "").strip())
        if known is None:  # an erased person's id may be given again: forget its taps
            self.taps.forget(user_id)
        return Turn(self, event, user, external_id, choice_id, first_contact=known is None)

    async def _release(self, external_id: str, event: Inbound) -> int:
        """Send what "tap to read it" templates held for the person, oldest first: any
        message of theirs opened the window, a typed "oke" as much as the tap. How many went."""
        try:
            return len(await self.channel.deliver_held(external_id))
        except RetryLater:
            raise  # the event is tried again; what went out is no longer held
        except DeliveryError as exc:
            logger.warning("held messages not sent on %s: %s", tag(event.wamid), exc.reason)
            return 0

    async def _route(self, turn: Turn) -> None:
        turn.released = await self._release(turn.external_id, turn.event)
        if turn.choice_id is not None:
            await self._tapped(turn, turn.choice_id)
            return
        typed = turn.text if turn.event.kind is InboundKind.TEXT else ""
        for read, link_handler in self.link_texts if typed else ():
            code = read(typed)
            handler = functools.partial(link_handler, code=code)
            if code is not None and await self._run_resuming(turn, handler):
                return
        word = self.words.get(normalise_word(turn.text)) if turn.text else None
        if word is not None and turn.event.kind is InboundKind.TEXT:
            await self.run_word(turn, word)
            return
        if typed and turn.event.context_wamid:
            for reply in self.replies:
                if await self._run_resuming(turn, reply):
                    return
        dialog = await turn.dialog()
        flow = self.flows.get(dialog.flow) if dialog is not None else None
        if flow is not None:
            await flow.answer(turn)
        elif self.fallback is not None:
            await self.fallback(turn)

    async def run_word(self, turn: Turn, word: str) -> None:
        """Run a word's handler; if it left the user's dialog as it was, ask its question."""
        await self._run_resuming(turn, self.word_handlers[word])

    async def _run_resuming(
        self, turn: Turn, handler: Callable[[Turn], Awaitable[bool | None]]
    ) -> bool:
        """Run ``handler``; if it left the user's dialog as it was, ask its question again.
        False (nothing asked) if the handler did not take the message."""
        before = await turn.dialog()
        if await handler(turn) is False:
            return False
        if ask_again_after(before, await turn.dialog()) is not None and not turn.prompted:
            await turn.resume()
        return True

    async def _tapped(self, turn: Turn, choice_id: str) -> None:
        handler = self.choices.get(choice_id.split(":", 1)[0])
        if handler is None:
            await turn.stale()
        else:
            await handler(turn)
        if not turn.was_stale:
            self._remember_tap(turn, choice_id)

    def _remember_tap(self, turn: Turn, choice_id: str) -> None:
        self.taps.taken(turn.user_id, turn.event.context_wamid, choice_id)

    def repeated(self, turn: Turn) -> bool:
        """Whether this tap is the same button on the same message as the user's last tap."""
        return self.taps.repeated(turn.user_id, turn.event.context_wamid, turn.choice_id)

    async def _apologise(self, turn: Turn) -> None:
        try:
            await turn.say("error.generic")
        except Exception:
            logger.exception("could not apologise for message %s", tag(turn.event.wamid))
