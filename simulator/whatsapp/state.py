"""In-memory world of the WhatsApp emulator: contacts, messages, media, calls and counters."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from simulator.state import Signal

WINDOW = timedelta(hours=24)


def new_wamid() -> str:
    """A message id shaped like Meta's (``wamid.`` + base64)."""
    number = str(secrets.randbelow(10**12)).zfill(12).encode()
    tail = secrets.token_hex(10).upper().encode()
    raw = b"\x1c\x18\x0c" + number + b"\x15\x02\x00\x11\x18\x14" + tail + b"\x00"
    return "wamid." + base64.b64encode(raw).decode()


def bsuid_for(seed: str) -> str:
    """A stable business-scoped user id (``ID.`` + 19 digits) for a seed."""
    digest = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big")
    return f"ID.{digest % 10**19:019d}"


@dataclass
class Contact:
    """A WhatsApp user the bot can talk to; phone-less when they only have a username."""

    user_id: str
    wa_id: str | None
    name: str
    username: str | None = None
    last_inbound: datetime | None = None
    unreachable: bool = False

    def window_open(self, now: datetime) -> bool:
        """Whether the 24-hour customer-service window is open at ``now``."""
        return self.last_inbound is not None and now - self.last_inbound < WINDOW


@dataclass
class StoredMedia:
    """Uploaded (by the bot) or sent (by a person) media."""

    media_id: str
    data: bytes
    mime_type: str
    filename: str | None = None

    @property
    def sha256_hex(self) -> str:
        """The hex SHA-256 the media endpoint reports."""
        return hashlib.sha256(self.data).hexdigest()

    @property
    def sha256_b64(self) -> str:
        """The base64 SHA-256 inbound webhooks carry."""
        return base64.b64encode(hashlib.sha256(self.data).digest()).decode()


@dataclass
class OutMessage:
    """A message the bot sent, with what the recipient sees."""

    wamid: str
    user_id: str
    body: dict[str, Any]
    sent_at: datetime
    status: str = "accepted"
    media: StoredMedia | None = None
    rendered: dict[str, Any] = field(default_factory=dict)


@dataclass
class InMessage:
    """A message a person sent to the bot (the webhook ``messages[]`` entry)."""

    wamid: str
    user_id: str
    payload: dict[str, Any]
    at: datetime
    read: bool = False


@dataclass
class Call:
    """One HTTP request to the emulator and how it was answered."""

    method: str
    path: str
    body: Any
    status: int
    code: int | None = None
    details: str = ""


@dataclass
class Violation:
    """A request Meta would have refused, which a correct bot never makes."""

    path: str
    body: Any
    code: int
    details: str


@dataclass
class Stats:
    """Counters for assertions and benchmarks."""

    calls: int = 0
    messages_sent: int = 0
    refused: int = 0
    throughput_limited: int = 0
    pair_limited: int = 0
    tier_refused: int = 0
    webhooks_posted: int = 0
    webhook_retries: int = 0
    webhooks_failed: int = 0
    faults_fired: int = 0


class World:
    """Everything the emulator remembers, plus the signal people wait on."""

    def __init__(self) -> None:
        self.contacts: dict[str, Contact] = {}
        self.outbox: list[OutMessage] = []
        self.inbox: list[InMessage] = []
        self.media: dict[str, StoredMedia] = {}
        self.calls: list[Call] = []
        self.violations: list[Violation] = []
        self.stats = Stats()
        self.activity = Signal()
        self._next_media = 1_000_000_000_000_001

    def contact_for(self, to: str) -> Contact | None:
        """The contact a ``to`` value names: a phone number (any +, spaces) or a BSUID."""
        digits = "".join(ch for ch in to if ch.isdigit())
        for contact in self.contacts.values():
            if to == contact.user_id or (contact.wa_id and digits == contact.wa_id):
                return contact
        return None

    def add_media(self, data: bytes, mime_type: str, filename: str | None = None) -> StoredMedia:
        """Store media under a fresh numeric id."""
        media = StoredMedia(str(self._next_media), data, mime_type, filename)
        self._next_media += 7
        self.media[media.media_id] = media
        return media

    def message(self, wamid: str) -> OutMessage | None:
        """The bot message with this id."""
        return next((m for m in self.outbox if m.wamid == wamid), None)

    def sent_to(self, user_id: str) -> list[OutMessage]:
        """Every accepted bot message to one contact, oldest first."""
        return [m for m in self.outbox if m.user_id == user_id]
