"""Fake Telegram users that talk to the bot, and snapshots of bot messages."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import dataclasses
import re
import secrets
from typing import TYPE_CHECKING, Any

from simulator.html_parse import utf16_len
from simulator.snapshot import BotMessage
from simulator.state import CallbackRecord, StoredMessage

__all__ = ["BotMessage", "FakeUser"]

if TYPE_CHECKING:
    from simulator.emulator import BotApiEmulator

TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
TINY_WEBP = (
    b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00"
    b"\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
)
TINY_OGG = b"OggS\x00\x02" + b"\x00" * 40
_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?")


class FakeUser:
    """A Telegram user in a private chat with the bot."""

    def __init__(
        self,
        emu: BotApiEmulator,
        user_id: int,
        first_name: str,
        language_code: str | None,
        username: str | None,
        phone: str | None,
        last_name: str | None,
    ) -> None:
        self.emu = emu
        self.id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.username = username
        self.phone = phone
        self.last_name = last_name
        emu.state.users[user_id] = {"first_name": first_name, "username": username}

    def __repr__(self) -> str:
        """Short description."""
        return f"FakeUser({self.id}, {self.first_name!r})"

    @property
    def user_json(self) -> dict[str, Any]:
        """The User object of this person."""
        out: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        return out

    @property
    def messages(self) -> list[BotMessage]:
        """Everything the bot sent to this chat, current state (deleted ones removed)."""
        chat = self.emu.state.chat(self.id)
        return [BotMessage.of(m) for m in chat.messages.values() if m.from_bot and not m.deleted]

    @property
    def last(self) -> BotMessage:
        """The most recent bot message in this chat."""
        msgs = self.messages
        assert msgs, f"{self!r} has received no bot messages"
        return msgs[-1]

    @property
    def toasts(self) -> list[str]:
        """Texts of answerCallbackQuery calls for this user's button presses."""
        return list(self.emu.state.chat(self.id).toasts)

    def _incoming(self, content: dict[str, Any]) -> dict[str, Any]:
        """Store a message from this user and return its JSON."""
        self.emu.state.known_chats.add(self.id)
        msg: dict[str, Any] = {
            "message_id": 0,
            "from": self.user_json,
            "chat": self.emu.messages_api.chat_json(self.id),
            "date": self.emu.state.unix_now(),
            **content,
        }
        return self.emu.state.add_message(self.id, msg, from_bot=False).json

    async def send(
        self, text: str, *, expect_reply: bool | None = True, within: float | None = None
    ) -> list[BotMessage]:
        """Send a text message (bot_command entity added for /commands)."""
        return await self._message(_typed(text), expect_reply, within, f"sending {text!r}")

    async def reply_to(
        self,
        message_id: int,
        text: str,
        *,
        expect_reply: bool | None = True,
        within: float | None = None,
    ) -> list[BotMessage]:
        """Reply (swipe to reply) to one of the bot's messages in this chat with text."""
        stored = self.emu.state.chat(self.id).messages.get(message_id)
        if stored is None:
            raise AssertionError(f"{self!r}: no message {message_id} in this chat to reply to")
        content = {"text": text, "reply_to_message": stored.json}
        return await self._message(content, expect_reply, within, f"replying {text!r}")

    def send_nowait(self, text: str) -> int:
        """Queue a text message without waiting for the bot (a person typing very fast);
        return its update id."""
        self.emu.state.known_chats.add(self.id)
        return self.emu.queue.push({"message": self._incoming(_typed(text))})

    async def command(
        self,
        name: str,
        payload: str | None = None,
        *,
        expect_reply: bool | None = True,
        within: float | None = None,
    ) -> list[BotMessage]:
        """Send /name [payload]."""
        text = f"/{name}" + (f" {payload}" if payload else "")
        return await self.send(text, expect_reply=expect_reply, within=within)

    async def share_contact(
        self,
        own: bool = True,
        *,
        phone: str | None = None,
        first_name: str | None = None,
        user_id: int | None = None,
        expect_reply: bool | None = True,
        within: float | None = None,
    ) -> list[BotMessage]:
        """Share a contact: own (this user's phone) or someone else's."""
        if own:
            assert self.phone, f"{self!r} has no phone number to share"
            contact: dict[str, Any] = {
                "phone_number": phone or self.phone,
                "first_name": self.first_name,
                "user_id": self.id,
            }
            if self.last_name:
                contact["last_name"] = self.last_name
        else:
            contact = {
                "phone_number": phone or "+6289900000001",
                "first_name": first_name or "Budi",
                "user_id": user_id or self.id + 1_000_000,
            }
        return await self._message({"contact": contact}, expect_reply, within, "sharing a contact")

    async def send_photo(
        self,
        data: bytes = TINY_PNG,
        caption: str | None = None,
        *,
        expect_reply: bool | None = True,
        within: float | None = None,
    ) -> list[BotMessage]:
        """Send a photo."""
        state = self.emu.state
        small = state.add_file(data, "photos")
        big = state.add_file(data, "photos")
        sizes = [
            {
                "file_id": f.file_id,
                "file_unique_id": f.file_unique_id,
                "width": w,
                "height": w,
                "file_size": len(data),
            }
            for f, w in ((small, 90), (big, 800))
        ]
        content: dict[str, Any] = {"photo": sizes}
        if caption:
            content["caption"] = caption
        return await self._message(content, expect_reply, within, "sending a photo")

    async def send_sticker(
        self,
        emoji: str = "👍",
        *,
        expect_reply: bool | None = True,
        within: float | None = None,
    ) -> list[BotMessage]:
        """Send a sticker."""
        f = self.emu.state.add_file(TINY_WEBP, "stickers", "sticker.webp", "image/webp")
        sticker = {
            "file_id": f.file_id,
            "file_unique_id": f.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": len(TINY_WEBP),
        }
        return await self._message({"sticker": sticker}, expect_reply, within, "sending a sticker")

    async def send_voice(
        self,
        data: bytes = TINY_OGG,
        duration: int = 3,
        *,
        expect_reply: bool | None = True,
        within: float | None = None,
    ) -> list[BotMessage]:
        """Send a voice note."""
        f = self.emu.state.add_file(data, "voice", "voice.oga", "audio/ogg")
        voice = {
            "file_id": f.file_id,
            "file_unique_id": f.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(data),
        }
        return await self._message({"voice": voice}, expect_reply, within, "sending a voice note")

    async def send_document(
        self,
        filename: str,
        data: bytes,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        *,
        expect_reply: bool | None = True,
        within: float | None = None,
    ) -> list[BotMessage]:
        """Send a document."""
        f = self.emu.state.add_file(data, "documents", filename, mime_type)
        doc = {
            "file_id": f.file_id,
            "file_unique_id": f.file_unique_id,
            "file_name": filename,
            "mime_type": mime_type,
            "file_size": len(data),
        }
        content: dict[str, Any] = {"document": doc}
        if caption:
            content["caption"] = caption
        return await self._message(content, expect_reply, within, f"sending {filename}")

    async def send_location(
        self,
        latitude: float,
        longitude: float,
        *,
        expect_reply: bool | None = True,
        within: float | None = None,
    ) -> list[BotMessage]:
        """Send a location."""
        loc = {"latitude": latitude, "longitude": longitude}
        return await self._message({"location": loc}, expect_reply, within, "sending a location")

    async def press(
        self, label: str, *, expect_reply: bool | None = True, within: float | None = None
    ) -> list[BotMessage]:
        """Press the button with exactly this label on the latest bot message that has it."""
        chat = self.emu.state.chat(self.id)
        for stored in reversed(list(chat.messages.values())):
            if not stored.from_bot or stored.deleted:
                continue
            for row in stored.json.get("reply_markup", {}).get("inline_keyboard", []):
                for button in row:
                    if button["text"] == label:
                        return await self._press_inline(stored, button, expect_reply, within)
            for row in (stored.markup or {}).get("keyboard", []):
                for button in row:
                    text = button if isinstance(button, str) else button["text"]
                    if text != label:
                        continue
                    if isinstance(button, dict) and button.get("request_contact"):
                        return await self.share_contact(own=True, expect_reply=expect_reply)
                    if isinstance(button, dict) and button.get("request_location"):
                        return await self.send_location(-6.2, 106.8, expect_reply=expect_reply)
                    return await self.send(label, expect_reply=expect_reply, within=within)
        seen = [m.buttons + (m.reply_keyboard or []) for m in self.messages[-5:]]
        raise AssertionError(f"{self!r}: no button {label!r}; recent buttons: {seen}")

    async def press_on(
        self,
        snapshot: BotMessage,
        label: str,
        *,
        expect_reply: bool | None = True,
        within: float | None = None,
    ) -> list[BotMessage]:
        """Press a button as it was on an earlier snapshot of a message: the second tap of a
        double tap, or a tap on an old copy whose buttons the bot has since removed."""
        if label not in snapshot.button_data:
            raise AssertionError(f"{self!r}: the snapshot has no button {label!r}")
        stored = self.emu.state.chat(self.id).messages[snapshot.message_id]
        old = dataclasses.replace(stored, json=copy.deepcopy(snapshot.raw))
        button = {"text": label, "callback_data": snapshot.button_data[label]}
        return await self._press_inline(old, button, expect_reply, within)

    async def press_data(
        self, data: str, *, expect_reply: bool | None = True, within: float | None = None
    ) -> list[BotMessage]:
        """Send a callback query with arbitrary data from the latest bot message (a forged
        or stale button, as a modified client could send)."""
        chat = self.emu.state.chat(self.id)
        stored = next(
            (m for m in reversed(list(chat.messages.values())) if m.from_bot and not m.deleted),
            None,
        )
        assert stored is not None, f"{self!r} has no bot message to press a button on"
        button = {"text": "(forged)", "callback_data": data}
        return await self._press_inline(stored, button, expect_reply, within)

    async def _press_inline(
        self,
        stored: StoredMessage,
        button: dict[str, Any],
        expect: bool | None,
        within: float | None,
    ) -> list[BotMessage]:
        """Send the callback_query of an inline button."""
        if "callback_data" not in button:
            kind = next(k for k in button if k != "text")
            raise AssertionError(f"button {button['text']!r} is a {kind} button, not callback")
        query_id = str(secrets.randbits(63))
        self.emu.state.callbacks[query_id] = CallbackRecord(query_id, self.id)
        update = {
            "callback_query": {
                "id": query_id,
                "from": self.user_json,
                "message": stored.json,
                "chat_instance": str(self.id * 7919 + 17),
                "data": button["callback_data"],
            }
        }
        return await self._inject(update, expect, within, f"pressing {button['text']!r}")

    async def _message(
        self, content: dict[str, Any], expect: bool | None, within: float | None, what: str
    ) -> list[BotMessage]:
        """Inject a message update from this user."""
        return await self._inject({"message": self._incoming(content)}, expect, within, what)

    async def _inject(
        self, update: dict[str, Any], expect: bool | None, within: float | None, what: str
    ) -> list[BotMessage]:
        """Queue an update and wait for the bot's reaction in this chat (``expect`` None: any)."""
        emu = self.emu
        chat = emu.state.chat(self.id)
        emu.state.known_chats.add(self.id)
        start, calls0 = len(chat.actions), len(emu.calls)
        if emu.pause:
            emu.monotonic.skip(emu.pause)  # the person read the last answer, then acted
        update_id = emu.queue.push(update)
        limit = emu.reply_timeout if within is None else within
        if emu.handled_hook is not None:
            if not await emu.handled_hook(update_id, limit):
                raise AssertionError(
                    f"{self!r}: the bot did not finish {what} within {limit}s. "
                    f"{self._describe(start, calls0)}"
                )
            acted = len(chat.actions) > start
            if expect is True and not acted:
                raise AssertionError(f"{self!r}: the bot handled {what} but did not respond.")
            if expect is False and acted:
                raise AssertionError(
                    f"{self!r} expected no reply after {what}, got: "
                    f"{self._describe(start, calls0)}"
                )
            return self._since(chat, start)
        if expect is False:
            await _wait_for(emu.queue.signal, lambda: update_id in emu.queue.delivered, limit)
            await asyncio.sleep(emu.settle)
            assert len(chat.actions) == start, (
                f"{self!r} expected no reply after {what}, got: {self._describe(start, calls0)}"
            )
            return []
        if not await _wait_for(emu.state.activity, lambda: len(chat.actions) > start, limit):
            raise AssertionError(
                f"{self!r}: no bot action within {limit}s after {what}. "
                f"{self._describe(start, calls0)}"
            )
        while True:
            seen = len(chat.actions)
            if not await _wait_for(emu.state.activity, _grew(chat.actions, seen), emu.settle):
                break
        return self._since(chat, start)

    def _since(self, chat: Any, start: int) -> list[BotMessage]:
        """Snapshots of the messages sent or edited in this chat since action ``start``."""
        ids: list[int] = []
        for action in chat.actions[start:]:
            if action.kind in ("send", "edit") and action.message_id not in ids:
                ids.append(action.message_id or 0)
        return [BotMessage.of(chat.messages[i]) for i in ids if not chat.messages[i].deleted]

    def _describe(self, start: int, calls0: int) -> str:
        """Summarise what the chat saw, for assertion messages."""
        chat = self.emu.state.chat(self.id)
        msgs = [repr(m.text[:80]) for m in self.messages[-5:]]
        acts = [f"{a.kind}:{a.message_id}" for a in chat.actions[start:]]
        calls = [
            f"{c.method}->{c.status} {c.description}".strip() for c in self.emu.calls[calls0:]
        ]
        return f"Actions: {acts}. Last messages: {msgs}. Calls since: {calls}"


async def _wait_for(signal: Any, predicate: Any, limit: float) -> bool:
    """Wait until predicate() is true or timeout; return whether it became true."""
    deadline = asyncio.get_running_loop().time() + limit
    while True:
        event = signal.event
        if predicate():
            return True
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            return False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), remaining)


def _grew(items: list[Any], size: int) -> Any:
    """Predicate: the list has grown beyond size."""
    return lambda: len(items) > size


def _typed(text: str) -> dict[str, Any]:
    """A typed text as Telegram delivers it: a leading /command carries its entity."""
    content: dict[str, Any] = {"text": text}
    m = _COMMAND_RE.match(text)
    if m:
        content["entities"] = [
            {"type": "bot_command", "offset": 0, "length": utf16_len(m.group(0))}
        ]
    return content
