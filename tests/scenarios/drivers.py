"""One person, driven the same way on any channel: say, tap, share a contact, send a file, read.

A scenario is written once against :class:`Driver` and runs on each channel through its strict
emulator (the real bot on both, one database). What the person reads comes back as
:class:`Shown` messages: the plain visible text, the titles of the choices they could tap, and a
file if one came. Telegram may edit a message instead of sending a new one: an edited message
is read again as if new. WhatsApp sends one new message per step.

How each channel does a thing is the driver's business, not the scenario's: sharing one's
number is the "share my number" keyboard on Telegram, the "use this number" button on
WhatsApp (whose sender number the bot already has), and typing it on the plain-text test
channel (:mod:`tests.scenarios.text_channel`), where a choice is typed as its number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import parse_qs, urlparse

from bot.core.notices import ChannelName
from handlers.whatsapp.window import OPEN_PAYLOAD
from simulator.people import FakeUser
from simulator.snapshot import BotMessage
from simulator.whatsapp.people import WhatsAppPerson
from simulator.whatsapp.snapshot import WaMessage
from tests.harness import RunningBot
from tests.scenarios.text_channel import TEXT, TextEdge

_WA_BOLD = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")
_WA_ITALIC = re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])")
_NUMBERED = re.compile(r"^(\d{1,2})\. (.+?)(?: — .*)?$", re.MULTILINE)


@dataclass(frozen=True)
class Shown:
    """One message as the person sees it."""

    text: str
    choices: tuple[str, ...] = ()
    file: tuple[str, bytes] | None = None  # (file name, bytes)


@dataclass(frozen=True)
class Seen:
    """What came back since the person last read."""

    messages: tuple[Shown, ...]

    @property
    def text(self) -> str:
        """Every message's text, one after another."""
        return "\n\n".join(m.text for m in self.messages)

    @property
    def choices(self) -> tuple[str, ...]:
        """Every choice the messages offer."""
        return tuple(c for m in self.messages for c in m.choices)

    @property
    def files(self) -> tuple[tuple[str, bytes], ...]:
        """Every file that came."""
        return tuple(m.file for m in self.messages if m.file is not None)

    @property
    def last(self) -> Shown:
        """The newest message."""
        assert self.messages, "nothing came back"
        return self.messages[-1]

    def __contains__(self, fragment: str) -> bool:
        return fragment in self.text


class Driver(Protocol):
    """A person on one channel."""

    channel: ChannelName

    async def user_id(self) -> int:
        """The person's internal user id (known once they have written)."""
        ...

    async def say(self, text: str) -> None:
        """Type and send ``text``."""
        ...

    async def tap(self, title: str) -> None:
        """Tap the newest choice titled ``title``."""
        ...

    async def share_contact(self) -> None:
        """Give the bot one's own phone number, the channel's way."""
        ...

    async def send_file(self, name: str, data: bytes, mime_type: str) -> None:
        """Send a document."""
        ...

    async def open_link(self, url: str) -> None:
        """Open a link to the bot (a QR code scanned), as the channel opens it."""
        ...

    def read(self) -> Seen:
        """What came back since the last read (new messages, and edited ones)."""
        ...


class TelegramDriver:
    """A person in a private chat with the bot on Telegram."""

    channel = ChannelName.TELEGRAM

    def __init__(self, person: FakeUser, bot: RunningBot) -> None:
        self.person = person
        self.bot = bot
        self._seen: dict[int, tuple[str, list[list[str]], bool]] = {}
        self._last_tap: tuple[BotMessage, str] | None = None

    async def user_id(self) -> int:
        """The internal id the bot gave this Telegram user (not their Telegram id)."""
        return await self.bot.user_id_of(self.person.id)

    async def say(self, text: str) -> None:
        """Send a text (a "/word" is a command, as Telegram marks it)."""
        await self.person.send(text, expect_reply=None)

    async def tap(self, title: str) -> None:
        """Press an inline button or a reply-keyboard button."""
        shown = next((m for m in reversed(self.person.messages) if title in m.button_data), None)
        self._last_tap = (shown, title) if shown is not None else None
        await self.person.press(title, expect_reply=None)

    async def tap_again(self) -> None:
        """The second tap of a double tap: the same button on the message as it was."""
        assert self._last_tap is not None, "no inline button was tapped yet"
        shown, title = self._last_tap
        await self.person.press_on(shown, title, expect_reply=None)

    async def share_contact(self) -> None:
        """Share one's own contact (the "share my number" keyboard)."""
        await self.person.share_contact(own=True, expect_reply=None)

    async def send_file(self, name: str, data: bytes, mime_type: str) -> None:
        """Send a document."""
        await self.person.send_document(name, data, mime_type, expect_reply=None)

    async def open_link(self, url: str) -> None:
        """A t.me link with a start parameter: Telegram sends "/start <parameter>"."""
        parsed = urlparse(url)
        (start,) = parse_qs(parsed.query)["start"]
        assert parsed.netloc == "t.me", f"{url!r} is not a Telegram link"
        await self.say(f"/start {start}")

    def read(self) -> Seen:
        """New messages, and messages edited since the last read."""
        shown: list[Shown] = []
        for message in self.person.messages:
            state = (message.text, message.buttons, message.photo is not None)
            if self._seen.get(message.message_id) == state:
                continue
            self._seen[message.message_id] = state
            shown.append(_telegram_shown(message))
        return Seen(tuple(shown))


def _telegram_shown(message: BotMessage) -> Shown:
    choices = [b for row in message.buttons + (message.reply_keyboard or []) for b in row]
    file = None
    if message.document is not None:
        name, _mime, data = message.document
        file = (name, data)
    elif message.photo is not None:
        file = ("photo", message.photo)
    return Shown(message.text, tuple(choices), file)


class WhatsAppDriver:
    """A person writing to the business number on WhatsApp."""

    channel = ChannelName.WHATSAPP

    def __init__(self, person: WhatsAppPerson, bot: RunningBot) -> None:
        self.person = person
        self.bot = bot
        self._read = 0
        self._last_tap: tuple[WaMessage, str] | None = None

    async def user_id(self) -> int:
        """The internal id the bot gave this WhatsApp number."""
        external = self.person.wa_id or self.person.user_id
        found = await self.bot.services.identities.user_for(ChannelName.WHATSAPP, external)
        assert found is not None, f"{self.person!r} has not written to the bot yet"
        return found

    async def say(self, text: str) -> None:
        """Send a text message."""
        await self.person.say(text)

    async def tap(self, title: str) -> None:
        """Tap a reply button, pick a list row, or answer a numbered menu with its number."""
        for message in reversed(self.person.messages):
            if any(_fits(title, b.title) for b in message.buttons):
                button = next(b for b in message.buttons if _fits(title, b.title))
                if message.type == "template":  # a quick reply of a template
                    await self.person.tap_template(button.title)
                else:
                    self._last_tap = (message, button.title)
                    await self.person.tap_on(message, button.title)
                return
            if any(_fits(title, r.title) for r in message.rows):
                row = next(r for r in message.rows if _fits(title, r.title))
                self._last_tap = (message, row.id)
                await self.person.pick_on(message, row.id)
                return
            numbered = dict((t, n) for n, t in _NUMBERED.findall(message.text))
            if title in numbered:
                await self.person.say(numbered[title])
                return
        recent = [m.titles + m.row_titles for m in self.person.messages[-5:]]
        raise AssertionError(f"{self.person!r}: no choice {title!r}; recent: {recent}")

    async def tap_again(self) -> None:
        """The second tap of a double tap: the same button or row on the same message."""
        assert self._last_tap is not None, "no button or row was tapped yet"
        message, title = self._last_tap
        if message.rows:
            await self.person.pick_on(message, title)
        else:
            await self.person.tap_on(message, title)

    async def share_contact(self) -> None:
        """Confirm the number the messages come from (WhatsApp already has it)."""
        phone = self.bot.services.catalog.text("id", "wa.phone.yes")
        await self.tap(phone)

    async def send_file(self, name: str, data: bytes, mime_type: str) -> None:
        """Send a document."""
        await self.person.send_document(name, data, mime_type)

    async def open_link(self, url: str) -> None:
        """A wa.me click-to-chat link: WhatsApp sends the text it carries."""
        await self.person.scan(url)

    async def open_templates(self, since: int) -> None:
        """Tap "read it" on each template sent from message ``since`` on: outside the 24-hour
        window a notice comes as a template, opened with a tap (a declared difference)."""
        for message in self.person.messages[since:]:
            if message.type != "template":
                continue
            opener = next((b for b in message.buttons if b.id == OPEN_PAYLOAD), None)
            if opener is not None:
                await self.person.tap_template(opener.title)

    def read(self) -> Seen:
        """The messages sent since the last read."""
        messages = self.person.messages
        new, self._read = messages[self._read :], len(messages)
        return Seen(tuple(_whatsapp_shown(m) for m in new))


def _fits(wanted: str, shown: str) -> bool:
    """Whether a (maybe shortened, "…"-ended) title is the one wanted."""
    return wanted == shown or (shown.endswith("…") and wanted.startswith(shown[:-1].rstrip()))


def _plain(text: str) -> str:
    return _WA_ITALIC.sub(r"\1", _WA_BOLD.sub(r"\1", text))


def _whatsapp_shown(message: WaMessage) -> Shown:
    file = None
    if message.data is not None:
        file = (message.filename or message.type, message.data)
    choices = (*message.titles, *message.row_titles)
    return Shown(_plain(message.text), choices, file)


class TextDriver:
    """A person on the plain-text test channel: they type lines, and numbers for choices."""

    def __init__(self, edge: TextEdge, user_id: int, phone: str) -> None:
        self.edge = edge
        self.channel = TEXT
        self._user_id = user_id
        self._phone = phone
        self._read = 0

    async def user_id(self) -> int:
        """The internal id this edge gave the person."""
        return self._user_id

    async def say(self, text: str) -> None:
        """Type a line."""
        await self.edge.receive(self._user_id, text)

    async def tap(self, title: str) -> None:
        """Type the number of the choice titled ``title`` in the newest menu (no buttons)."""
        menu = self.edge.channel.menu(str(self._user_id))
        number = next((n for n, (shown, _) in menu.items() if _fits(title, shown)), None)
        if number is None:
            offered = [shown for shown, _ in menu.values()]
            raise AssertionError(f"text channel: no choice {title!r} in the last menu {offered}")
        await self.say(str(number))

    async def share_contact(self) -> None:
        """Type one's number: a text channel has no contact to share."""
        await self.say(self._phone)

    async def send_file(self, name: str, data: bytes, mime_type: str) -> None:
        """A plain-text channel carries no files."""
        raise AssertionError("the text channel carries no files")

    async def open_link(self, url: str) -> None:
        """A link that carries a text to send (as a wa.me link does): the text is typed."""
        (text,) = parse_qs(urlparse(url).query)["text"]
        await self.say(text)

    def read(self) -> Seen:
        """The messages sent since the last read."""
        messages = self.edge.channel.inbox.get(str(self._user_id), [])
        new, self._read = messages[self._read :], len(messages)
        return Seen(
            tuple(Shown(m.body, tuple(title for _, title, _ in m.choices), m.file) for m in new)
        )
