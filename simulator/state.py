"""In-memory world state: users, chats, messages, files, callbacks, records."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class Signal:
    """A broadcast wake-up: waiters grab `event` first, then check, then await it."""

    def __init__(self) -> None:
        self.event = asyncio.Event()

    def notify(self) -> None:
        """Wake everyone waiting on the current event."""
        self.event.set()
        self.event = asyncio.Event()


@dataclass
class Call:
    """One recorded API call."""

    method: str
    params: dict[str, Any]
    status: int
    time: float
    description: str = ""


@dataclass
class Violation:
    """A call Telegram would have rejected."""

    method: str
    params: dict[str, Any]
    description: str
    status: int = 400


@dataclass
class Stats:
    """Counters for assertions and benchmarks."""

    calls: int = 0
    too_many_requests: int = 0
    faults_fired: int = 0
    updates_delivered: int = 0


@dataclass
class StoredFile:
    """A file known to the emulator (uploaded by the bot or sent by a user)."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None


@dataclass
class StoredMessage:
    """A message in a chat with the extras tests need (raw HTML, full markup, bytes)."""

    json: dict[str, Any]
    from_bot: bool
    html: str | None = None
    parse_mode: str | None = None
    markup: dict[str, Any] | None = None
    file: StoredFile | None = None
    edited: bool = False
    deleted: bool = False


@dataclass
class Action:
    """A visible bot action in a chat: send, edit, delete or answer."""

    kind: str
    message_id: int | None
    time: float


@dataclass
class Chat:
    """A private chat with one user."""

    chat_id: int
    next_message_id: int = 1
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    actions: list[Action] = field(default_factory=list)
    toasts: list[str] = field(default_factory=list)
    chat_actions: list[str] = field(default_factory=list)


@dataclass
class CallbackRecord:
    """A callback query sent by a user and whether the bot answered it."""

    query_id: str
    chat_id: int
    answered: bool = False


class WorldState:
    """Everything the emulator remembers between calls."""

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self._clock = clock
        self.users: dict[int, dict[str, Any]] = {}
        self.known_chats: set[int] = set()
        self.blocked: set[int] = set()
        self.chats: dict[int, Chat] = {}
        self.files: dict[str, StoredFile] = {}
        self.callbacks: dict[str, CallbackRecord] = {}
        self.commands: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.activity = Signal()
        self._file_seq = 0

    def unix_now(self) -> int:
        """The time messages are stamped with (``date``), from the injected clock if any."""
        return int(self._clock().timestamp() if self._clock is not None else time.time())

    def chat(self, chat_id: int) -> Chat:
        """Return (creating) the chat with this id."""
        if chat_id not in self.chats:
            self.chats[chat_id] = Chat(chat_id)
        return self.chats[chat_id]

    def record_action(self, chat_id: int, kind: str, message_id: int | None) -> None:
        """Record a bot action and wake waiters."""
        self.chat(chat_id).actions.append(Action(kind, message_id, time.monotonic()))
        self.activity.notify()

    def add_message(self, chat_id: int, msg: dict[str, Any], **extra: Any) -> StoredMessage:
        """Assign the next message id in a chat, store and return the message."""
        chat = self.chat(chat_id)
        msg["message_id"] = chat.next_message_id
        chat.next_message_id += 1
        stored = StoredMessage(json=msg, **extra)
        chat.messages[msg["message_id"]] = stored
        return stored

    def add_file(
        self, data: bytes, kind: str, file_name: str | None = None, mime_type: str | None = None
    ) -> StoredFile:
        """Store bytes under a new file_id and return the record."""
        self._file_seq += 1
        ext = ""
        if file_name and "." in file_name:
            ext = "." + file_name.rsplit(".", 1)[1]
        elif kind == "photos":
            ext = ".jpg"
        file_id = f"EMU{kind[:3].upper()}{self._file_seq:06d}{secrets.token_hex(8)}"
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=f"U{self._file_seq:06d}{secrets.token_hex(3)}",
            data=data,
            file_path=f"{kind}/file_{self._file_seq}{ext}",
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[file_id] = stored
        return stored

    def file_by_path(self, path: str) -> StoredFile | None:
        """Find a stored file by its download path."""
        for f in self.files.values():
            if f.file_path == path:
                return f
        return None
