"""What the WhatsApp edge keeps between messages: inbox events, owed replies, windows, menus.

Plain records, as :mod:`storage.whatsapp_inbox`, :mod:`storage.whatsapp_replies` and
:mod:`storage.whatsapp_contacts` return them and the edge reads them; the ports they travel
through are in :mod:`bot.core.whatsapp_ports`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class NewInboxEvent:
    """One event of a webhook POST, as it is to be stored."""

    event_key: str  # unique per event: a redelivered one is recognised by it
    kind: str  # one of storage.whatsapp_inbox.KINDS
    wa_id: str | None  # the person's WhatsApp number, if the event names one
    payload: dict[str, Any]
    bsuid: str | None = None  # the person's business-scoped user id, if given


@dataclass(frozen=True)
class InboxEvent:
    """A stored event."""

    id: int
    event_key: str
    kind: str
    wa_id: str | None
    bsuid: str | None
    payload: dict[str, Any]
    received_at: datetime
    status: str  # pending | processing | done | failed
    attempts: int
    last_error: str | None
    processed_at: datetime | None


@dataclass(frozen=True)
class NewReply:
    """One reply to store: a notice (as JSON) or an outbox row to send at its place."""

    user_id: int
    external_id: str
    language: str
    notice: dict[str, Any]
    outbox_id: int | None = None


@dataclass(frozen=True)
class OwedReply:
    """A stored reply."""

    id: int
    event_id: int | None
    user_id: int
    external_id: str
    language: str
    notice: dict[str, Any]
    outbox_id: int | None
    first: bool
    created_at: datetime  # when the message it answers arrived (a note: when stored)
    due_at: datetime
    status: str  # pending | sending | sent | skipped | failed
    attempts: int
    uncertain: int
    last_error: str | None


@dataclass(frozen=True)
class WindowRecord:
    """When the person last wrote, and when Meta last said the window was closed."""

    last_inbound: datetime
    refused_at: datetime | None


@dataclass(frozen=True)
class TierReservation:
    """The answer to "may this person get an out-of-window template now?"."""

    granted: bool
    new: bool  # this send is the one that counts the person (undo it if the send fails)
    at: datetime  # the reservation's time (granted) or when the oldest slot frees (refused)


@dataclass(frozen=True)
class Menu:
    """The choice ids of a numbered menu, "1" first, and when it was sent."""

    choice_ids: tuple[str, ...]
    sent_at: datetime


@dataclass(frozen=True)
class HeldNotice:
    """A notice waiting for the person's tap on its "tap to read it" template."""

    id: int
    kind: str
    parts: tuple[dict[str, Any], ...]  # Cloud API message bodies, in order
    menu: tuple[str, ...] | None
    held_at: datetime
