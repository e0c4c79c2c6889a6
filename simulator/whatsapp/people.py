"""WhatsAppPerson: a WhatsApp user who writes to the bot and sees what it sends back.

Every action posts one signed inbound webhook, then waits (event-driven) until the bot has sent
this person something and ``settle`` passes quietly, and returns the new messages. Before acting
the person reads the chat, so earlier messages get ``read`` statuses.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlparse

from simulator.whatsapp.snapshot import Button, WaMessage
from simulator.whatsapp.state import Contact, InMessage, new_wamid
from simulator.whatsapp.webhooks import Delivery

if TYPE_CHECKING:
    from simulator.whatsapp.emulator import WhatsAppEmulator

TINY_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b"
    "0c1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ff"
    "c0000b080001000101011100ffc4001400010000000000000000000000000000000affc40014100100000000000"
    "000000000000000000000ffda0008010100003f00d2cf20ffd9"
)


class WhatsAppPerson:
    """One WhatsApp user in a chat with the business number."""

    def __init__(self, emu: WhatsAppEmulator, contact: Contact) -> None:
        self.emu = emu
        self.contact = contact

    def __repr__(self) -> str:
        """Short description."""
        return f"WhatsAppPerson({self.contact.wa_id or self.contact.user_id}, {self.name!r})"

    @property
    def wa_id(self) -> str | None:
        """The phone number (None for a username-only user)."""
        return self.contact.wa_id

    @property
    def user_id(self) -> str:
        """The business-scoped user id (BSUID)."""
        return self.contact.user_id

    @property
    def name(self) -> str:
        """The profile name."""
        return self.contact.name

    @property
    def messages(self) -> list[WaMessage]:
        """Everything the bot sent to this person, oldest first."""
        return [WaMessage.of(m) for m in self.emu.world.sent_to(self.user_id)]

    @property
    def last(self) -> WaMessage:
        """The most recent bot message."""
        msgs = self.messages
        assert msgs, f"{self!r} has received no messages"
        return msgs[-1]

    @property
    def window_open(self) -> bool:
        """Whether the 24-hour window is open on the emulator's clock."""
        return self.contact.window_open(self.emu.clock())

    def open_window(self) -> None:
        """As if the person wrote just now (no webhook): free-form messages are allowed."""
        self.contact.last_inbound = self.emu.clock()

    def read(self) -> None:
        """Open the chat: delivered messages become read (status webhooks)."""
        self.emu.messages_api.mark_read(self.contact)

    async def say(
        self, text: str, *, expect_reply: bool | None = True, within: float | None = None
    ) -> list[WaMessage]:
        """Send a text message."""
        return await self._inject(
            {"type": "text", "text": {"body": text}}, f"saying {text!r}", expect_reply, within
        )

    async def reply_to(
        self,
        message: WaMessage,
        text: str,
        *,
        expect_reply: bool | None = True,
        within: float | None = None,
    ) -> list[WaMessage]:
        """Swipe-reply to one of the bot's messages with text (the webhook names it in
        ``context.id``)."""
        return await self._inject(
            {"type": "text", "text": {"body": text}},
            f"replying {text!r}",
            expect_reply,
            within,
            context=message.wamid,
        )

    async def scan(
        self, url: str, *, expect_reply: bool | None = True, within: float | None = None
    ) -> list[WaMessage]:
        """Open a click-to-chat link (https://wa.me/<number>?text=…) and send its text."""
        parsed = urlparse(url)
        query = parse_qs(parsed.query)
        number = parsed.path.strip("/") or query.get("phone", [""])[0]
        if parsed.netloc not in ("wa.me", "api.whatsapp.com") or not query.get("text"):
            raise AssertionError(f"{self!r}: {url!r} is not a wa.me link with a text")
        if "".join(ch for ch in number if ch.isdigit()) != self.emu.display_phone_number:
            raise AssertionError(
                f"{self!r}: {url!r} opens a chat with {number}, not the business number "
                f"{self.emu.display_phone_number}"
            )
        return await self.say(query["text"][0], expect_reply=expect_reply, within=within)

    async def tap(
        self, label: str, *, expect_reply: bool | None = True, within: float | None = None
    ) -> list[WaMessage]:
        """Tap a reply button (by title or id) on the latest message that has it."""
        message, button = self._find(label, lambda m: m.type == "interactive", "buttons")
        return await self._tap(message, button, expect_reply, within)

    async def tap_on(
        self,
        message: WaMessage,
        label: str,
        *,
        expect_reply: bool | None = True,
        within: float | None = None,
    ) -> list[WaMessage]:
        """Tap a reply button on a given (maybe older, stale) message."""
        button = next((b for b in message.buttons if label in (b.title, b.id)), None)
        if button is None or message.type != "interactive":
            raise AssertionError(
                f"{self!r}: message has no reply button {label!r}: {message.titles}"
            )
        return await self._tap(message, button, expect_reply, within)

    async def tap_forged(
        self,
        button_id: str,
        title: str = "(forged)",
        *,
        expect_reply: bool | None = True,
        within: float | None = None,
    ) -> list[WaMessage]:
        """A button_reply with an id the bot never sent, in reply to the latest message."""
        return await self._tap(self.last, Button(button_id, title), expect_reply, within)

    async def pick(
        self, label: str, *, expect_reply: bool | None = True, within: float | None = None
    ) -> list[WaMessage]:
        """Open the latest list that has a row (by title or id) and pick it."""
        message = next(
            (m for m in reversed(self.messages) if any(label in (r.title, r.id) for r in m.rows)),
            None,
        )
        if message is None:
            recent = [m.row_titles for m in self.messages[-5:]]
            raise AssertionError(f"{self!r}: no list row {label!r}; recent rows: {recent}")
        return await self.pick_on(message, label, expect_reply=expect_reply, within=within)

    async def pick_on(
        self,
        message: WaMessage,
        label: str,
        *,
        expect_reply: bool | None = True,
        within: float | None = None,
    ) -> list[WaMessage]:
        """Pick a row of a given (maybe older) list message."""
        row = next((r for r in message.rows if label in (r.title, r.id)), None)
        if row is None:
            raise AssertionError(f"{self!r}: list has no row {label!r}: {message.row_titles}")
        reply: dict[str, Any] = {"id": row.id, "title": row.title}
        if row.description:
            reply["description"] = row.description
        fields = {
            "type": "interactive",
            "interactive": {"type": "list_reply", "list_reply": reply},
        }
        return await self._inject(
            fields, f"picking {row.title!r}", expect_reply, within, context=message.wamid
        )

    async def tap_template(
        self, label: str, *, expect_reply: bool | None = True, within: float | None = None
    ) -> list[WaMessage]:
        """Tap a quick-reply button of a template message (webhook type ``button``)."""
        message, button = self._find(label, lambda m: m.type == "template", "quick replies")
        if button.kind != "quick_reply":
            raise AssertionError(f"{self!r}: template button {label!r} is a {button.kind}")
        fields = {"type": "button", "button": {"payload": button.id, "text": button.title}}
        return await self._inject(
            fields, f"tapping {button.title!r}", expect_reply, within, context=message.wamid
        )

    async def share_location(
        self,
        latitude: float,
        longitude: float,
        *,
        name: str | None = None,
        address: str | None = None,
        expect_reply: bool | None = True,
        within: float | None = None,
    ) -> list[WaMessage]:
        """Send a location pin."""
        location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
        location.update({k: v for k, v in (("name", name), ("address", address)) if v})
        return await self._inject(
            {"type": "location", "location": location}, "sharing a location", expect_reply, within
        )

    async def send_image(
        self,
        data: bytes = TINY_JPEG,
        caption: str | None = None,
        mime_type: str = "image/jpeg",
        *,
        expect_reply: bool | None = True,
        within: float | None = None,
    ) -> list[WaMessage]:
        """Send a photo (the bot can fetch it through the media endpoints)."""
        media = self.emu.world.add_media(data, mime_type)
        image: dict[str, Any] = {
            "mime_type": mime_type,
            "sha256": media.sha256_b64,
            "id": media.media_id,
        }
        if caption:
            image["caption"] = caption
        return await self._inject(
            {"type": "image", "image": image}, "sending a photo", expect_reply, within
        )

    async def send_document(
        self,
        filename: str,
        data: bytes,
        mime_type: str = "application/pdf",
        *,
        expect_reply: bool | None = True,
        within: float | None = None,
    ) -> list[WaMessage]:
        """Send a document."""
        media = self.emu.world.add_media(data, mime_type, filename)
        document = {
            "filename": filename,
            "mime_type": mime_type,
            "sha256": media.sha256_b64,
            "id": media.media_id,
        }
        return await self._inject(
            {"type": "document", "document": document}, f"sending {filename}", expect_reply, within
        )

    def _find(
        self, label: str, kind: Callable[[WaMessage], bool], what: str
    ) -> tuple[WaMessage, Button]:
        """The newest message of a kind with a button titled (or with id) ``label``."""
        for message in reversed(self.messages):
            if not kind(message):
                continue
            for button in message.buttons:
                if label in (button.title, button.id):
                    return message, button
        recent = [m.titles for m in self.messages[-5:]]
        raise AssertionError(f"{self!r}: no {what} {label!r}; recent buttons: {recent}")

    async def _tap(
        self, message: WaMessage, button: Button, expect: bool | None, within: float | None
    ) -> list[WaMessage]:
        """Send the button_reply of one reply button."""
        fields = {
            "type": "interactive",
            "interactive": {
                "type": "button_reply",
                "button_reply": {"id": button.id, "title": button.title},
            },
        }
        return await self._inject(
            fields, f"tapping {button.title!r}", expect, within, context=message.wamid
        )

    async def _inject(
        self,
        fields: dict[str, Any],
        what: str,
        expect: bool | None,
        within: float | None,
        context: str | None = None,
    ) -> list[WaMessage]:
        """Post the inbound webhook and wait for the bot's reaction."""
        emu = self.emu
        if emu.webhook_url is None:
            raise AssertionError(f"{self!r}: emu.webhook_url is not set; cannot reach the bot")
        self.read()
        message = self._message(fields, context)
        start, calls0 = len(emu.world.sent_to(self.user_id)), len(emu.calls)
        delivery = emu.webhooks.enqueue("message", emu.payloads.message(self.contact, message))
        limit = emu.reply_timeout if within is None else within
        if emu.handled_hook is not None:
            if not await emu.handled_hook(message["id"], limit):
                raise AssertionError(
                    f"{self!r}: the bot did not finish {what} within {limit}s. "
                    f"{self._describe(start, calls0)}"
                )
        elif expect is not False:
            await self._await_reply(delivery, start, limit, what, calls0)
        else:
            await asyncio.wait_for(delivery.done.wait(), limit)
        await self._settle()
        return self._check(start, calls0, expect, what)

    async def _await_reply(
        self, delivery: Delivery, start: int, limit: float, what: str, calls0: int
    ) -> None:
        """Wait for a first reply; fail at once when the bot refuses the webhook."""
        got = await _wait_for(
            self.emu,
            lambda: self._count() > start or (delivery.done.is_set() and not delivery.ok),
            limit,
        )
        await delivery.done.wait()
        if not delivery.ok:
            raise AssertionError(
                f"{self!r}: the bot refused the webhook for {what}: {delivery.attempts}"
            )
        if not got:
            raise AssertionError(
                f"{self!r}: no reply within {limit}s after {what}. {self._describe(start, calls0)}"
            )

    def _check(self, start: int, calls0: int, expect: bool | None, what: str) -> list[WaMessage]:
        """The new messages, asserting silence or a reply as asked."""
        new = self.messages[start:]
        if expect is False and new:
            raise AssertionError(
                f"{self!r} expected no reply after {what}, got: {[m.text[:80] for m in new]}"
            )
        if expect is True and not new:
            raise AssertionError(
                f"{self!r}: the bot handled {what} but did not reply. "
                f"{self._describe(start, calls0)}"
            )
        return new

    def _message(self, fields: dict[str, Any], context: str | None) -> dict[str, Any]:
        """Record an inbound message (opening the window) and return its webhook JSON."""
        emu = self.emu
        now = emu.clock()
        message: dict[str, Any] = {}
        if context is not None:
            message["context"] = {"from": emu.display_phone_number, "id": context}
        if self.wa_id:
            message["from"] = self.wa_id
        message.update(
            from_user_id=self.user_id, id=new_wamid(), timestamp=emu.payloads.stamp(now), **fields
        )
        emu.world.inbox.append(InMessage(message["id"], self.user_id, message, now))
        self.contact.last_inbound = now
        return message

    def _grew(self, seen: int) -> bool:
        """Whether the bot has sent more than ``seen`` messages."""
        return self._count() > seen

    def _count(self) -> int:
        """How many messages the bot has sent this person."""
        return len(self.emu.world.sent_to(self.user_id))

    async def _settle(self) -> None:
        """Wait until no new message arrives for ``settle`` seconds."""
        while True:
            seen = self._count()
            grew = functools.partial(self._grew, seen)
            if not await _wait_for(self.emu, grew, self.emu.settle):
                return

    def _describe(self, start: int, calls0: int) -> str:
        """Summarise what happened, for assertion messages."""
        emu = self.emu
        msgs = [f"{m.type}:{m.text[:60]!r}" for m in self.messages[-5:]]
        calls = [
            f"{c.method} {c.path} -> {c.status} {c.code or ''} {c.details[:120]}".strip()
            for c in emu.calls[calls0:]
        ]
        hooks = [(d.kind, d.attempts) for d in emu.webhooks.deliveries[-5:]]
        return f"Last messages: {msgs}. Calls since: {calls}. Recent webhooks: {hooks}"


async def _wait_for(emu: WhatsAppEmulator, predicate: Callable[[], bool], limit: float) -> bool:
    """Wait until predicate() holds or ``limit`` passes; whether it held."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while True:
        event = emu.world.activity.event
        if predicate():
            return True
        remaining = deadline - loop.time()
        if remaining <= 0:
            return False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), remaining)
