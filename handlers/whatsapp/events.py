"""Meta's webhook payloads, split into inbox events and read back as typed, frozen events.

A POST may batch several entries, changes, messages and statuses. :func:`split` cuts it into
one :class:`NewInboxEvent` per event, each keeping its own part of the JSON (a message with
its contact, a status, a template status change) and a key that recognises Meta's
redeliveries. :func:`decode` turns a stored part into :class:`Inbound`, :class:`StatusEvent`,
:class:`TemplateStatusEvent` or :class:`OtherEvent`. Unknown fields and types become
``other``; missing values become None; nothing in a payload makes either function raise.

:func:`load` reads the raw body first and refuses (``ValueError``) what could never be
stored or handled, so the webhook answers 400 rather than a 500 Meta would retry: not JSON,
nested deeper than any payload of Meta's, and it replaces a lone UTF-16 surrogate (valid
JSON, but no UTF-8 exists for it) with U+FFFD. :func:`split` keeps only the changes for the
bot's own business number (``metadata.phone_number_id``): an app may have several numbers,
and a message to another one is not ours to answer.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from bot.core.whatsapp_records import NewInboxEvent

logger = logging.getLogger(__name__)

Json = dict[str, Any]
MEDIA_TYPES = frozenset({"image", "video", "audio", "document", "sticker"})
MAX_DEPTH = 32  # Meta's deepest payloads nest about 10 levels
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class InboundKind(StrEnum):
    """What a person sent."""

    TEXT = "text"
    BUTTON_REPLY = "button_reply"  # a reply button of an interactive message
    LIST_REPLY = "list_reply"  # a row of a list message
    TEMPLATE_BUTTON = "template_button"  # a quick reply of a template
    LOCATION = "location"
    MEDIA = "media"
    OTHER = "other"


@dataclass(frozen=True)
class Inbound:
    """A message from a person."""

    wamid: str
    wa_id: str | None  # phone number in international form without "+", if WhatsApp gave it
    user_id: str | None  # business-scoped user id (BSUID), if given
    profile_name: str | None
    timestamp: datetime | None  # when Meta stamped it, on Meta's clock
    kind: InboundKind
    raw_type: str  # Meta's message type, e.g. "text", "interactive", "reaction"
    text: str | None = None  # the text, the tapped title, or a media caption
    choice_id: str | None = None  # button or row id, or the template quick reply's payload
    context_wamid: str | None = None  # the message the person replied to or tapped
    latitude: float | None = None
    longitude: float | None = None
    media_id: str | None = None
    mime_type: str | None = None
    filename: str | None = None  # a document's file name, as the sender's app gave it
    received_at: datetime | None = None  # when its webhook reached us, on our clock


@dataclass(frozen=True)
class StatusEvent:
    """What became of a message the bot sent."""

    wamid: str
    status: str  # sent | delivered | read | failed (| played, and whatever Meta adds)
    timestamp: datetime | None
    recipient: str | None
    recipient_user_id: str | None = None
    error_code: int | None = None
    error_title: str | None = None


@dataclass(frozen=True)
class TemplateStatusEvent:
    """Meta's review verdict or a later change for one template in one language."""

    template_id: str | None
    name: str | None
    language: str | None
    event: str  # APPROVED, REJECTED, PAUSED, DISABLED, FLAGGED, PENDING, ...
    reason: str | None
    category: str | None
    timestamp: datetime | None


@dataclass(frozen=True)
class OtherEvent:
    """A change this edge does not interpret (user_preferences, category updates, ...)."""

    field: str | None
    value: Json


Event = Inbound | StatusEvent | TemplateStatusEvent | OtherEvent


def _dict(value: object) -> Json:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Json]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _str(value: object) -> str | None:
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None


def _time(value: object) -> datetime | None:
    """Meta's Unix seconds (a string or a number) as an aware UTC datetime."""
    try:
        return datetime.fromtimestamp(int(str(value)), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _phone(value: object) -> str | None:
    """A WhatsApp number (digits only); a BSUID in the same place is not one."""
    text = _str(value)
    return text if text is not None and text.isdigit() else None


def _digest(*parts: object) -> str:
    raw = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _contact_for(message: Json, contacts: list[Json]) -> Json:
    """The contact entry that belongs to ``message`` (Meta lists them side by side)."""
    sender, sender_id = message.get("from"), message.get("from_user_id")
    for contact in contacts:
        if (sender and contact.get("wa_id") == sender) or (
            sender_id and contact.get("user_id") == sender_id
        ):
            return contact
    return contacts[0] if len(contacts) == 1 else {}


def _message_events(value: Json, received: str | None) -> Iterator[NewInboxEvent]:
    contacts = _list(value.get("contacts"))
    for message in _list(value.get("messages")):
        contact = _contact_for(message, contacts)
        wamid = _str(message.get("id"))
        part: Json = {"message": message, "contact": contact}
        if received is not None:
            part["received_at"] = received
        yield NewInboxEvent(
            event_key=wamid or f"message:{_digest(message)}",
            kind="message" if wamid else "other",
            wa_id=_phone(contact.get("wa_id")) or _phone(message.get("from")),
            bsuid=_str(contact.get("user_id")) or _str(message.get("from_user_id")),
            payload=part if wamid else {"field": "messages", "value": part},
        )


def _status_events(value: Json) -> Iterator[NewInboxEvent]:
    for status in _list(value.get("statuses")):
        wamid, state = _str(status.get("id")), _str(status.get("status"))
        key = f"{wamid}:{state}" if wamid and state else f"status:{_digest(status)}"
        yield NewInboxEvent(
            event_key=key,
            kind="status" if wamid and state else "other",
            wa_id=_phone(status.get("recipient_id")),
            bsuid=_str(status.get("recipient_user_id")),
            payload={"status": status}
            if wamid and state
            else {"field": "statuses", "value": status},
        )


def load(raw: bytes) -> object:
    """The JSON of a webhook body; ``ValueError`` if it is not JSON or absurdly deep."""
    try:
        payload = json.loads(raw)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if _too_deep(payload):
        raise ValueError("nested too deeply")
    if _SURROGATE_ESCAPE.search(raw):  # pairs were joined by json; what is left is alone
        text = json.dumps(payload, ensure_ascii=False)
        payload = json.loads(_SURROGATE.sub("\ufffd", text))
    return payload


def _too_deep(payload: object) -> bool:
    """Whether ``payload`` nests deeper than :data:`MAX_DEPTH` (checked without recursion)."""
    stack: list[tuple[object, int]] = [(payload, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            if depth > MAX_DEPTH:
                return True
            stack.extend((child, depth + 1) for child in value)
    return False


class _FirstWarning:
    """Log at WARNING the first time, then at DEBUG: Meta repeats such posts for as long."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.warned = False

    def __call__(self, *args: object) -> None:
        logger.log(logging.DEBUG if self.warned else logging.WARNING, self.message, *args)
        self.warned = True


_FOREIGN = _FirstWarning(
    "dropped %d webhook events for another phone number of this app; they are answered "
    "from that number, not this one (logged once; later ones at DEBUG)"
)


def _for_us(change: Json, phone_number_id: str | None) -> bool:
    """Whether a change concerns the bot's own number (or no number: template updates)."""
    value = _dict(change.get("value"))
    if phone_number_id is None or ("metadata" not in value and change.get("field") != "messages"):
        return True
    return _str(_dict(value.get("metadata")).get("phone_number_id")) == phone_number_id


def _change_events(
    entry: Json, change: Json, received: str | None = None
) -> Iterator[NewInboxEvent]:
    field, value = _str(change.get("field")), _dict(change.get("value"))
    if field == "messages":
        yield from _message_events(value, received)
        yield from _status_events(value)
    elif field == "message_template_status_update":
        template, event, time = (
            value.get("message_template_id"),
            value.get("event"),
            entry.get("time"),
        )
        known = template is not None and event is not None
        yield NewInboxEvent(
            event_key=f"template:{template}:{event}:{time}"
            if known
            else f"template:{_digest(change)}",
            kind="template_status",
            wa_id=None,
            payload={"value": value, "time": time},
        )
    else:
        yield NewInboxEvent(
            event_key=f"{field}:{_digest(entry.get('id'), entry.get('time'), change)}",
            kind="other",
            wa_id=None,
            payload={"field": field, "value": value},
        )


def split(
    payload: object, phone_number_id: str | None = None, received_at: datetime | None = None
) -> list[NewInboxEvent]:
    """Cut one webhook body into its events, in order, without duplicates within it.

    With ``phone_number_id``, changes for any other number of the app are dropped (and
    counted in one log line without ids); None keeps every number's (tests, tools). A
    message keeps ``received_at`` (when the webhook reached us), read back as
    :attr:`Inbound.received_at`: its window is judged on it if our clock disagrees with
    Meta's stamp.
    """
    received = received_at.isoformat() if received_at is not None else None
    found: dict[str, NewInboxEvent] = {}
    foreign = 0
    for entry in _list(_dict(payload).get("entry")):
        for change in _list(entry.get("changes")):
            if not _for_us(change, phone_number_id):
                foreign += sum(1 for _ in _change_events(entry, change))
                continue
            for event in _change_events(entry, change, received):
                found.setdefault(event.event_key, event)
    if foreign:
        _FOREIGN(foreign)
    return list(found.values())


def _choice(message: Json, kind: str) -> tuple[InboundKind, str | None, str | None]:
    """The kind, text and choice id of an interactive message or a template button tap."""
    if kind == "button":
        button = _dict(message.get("button"))
        return InboundKind.TEMPLATE_BUTTON, _str(button.get("text")), _str(button.get("payload"))
    interactive = _dict(message.get("interactive"))
    sub = _str(interactive.get("type"))
    if sub in ("button_reply", "list_reply"):
        reply = _dict(interactive.get(sub))
        return InboundKind(sub), _str(reply.get("title")), _str(reply.get("id"))
    return InboundKind.OTHER, None, None


def _inbound(part: Json) -> Inbound:
    message, contact = _dict(part.get("message")), _dict(part.get("contact"))
    raw_type = _str(message.get("type")) or "unknown"
    fields: dict[str, Any] = {"kind": InboundKind.OTHER}
    if raw_type == "text":
        fields = {"kind": InboundKind.TEXT, "text": _str(_dict(message.get("text")).get("body"))}
    elif raw_type in ("button", "interactive"):
        kind, text, choice = _choice(message, raw_type)
        fields = {"kind": kind, "text": text, "choice_id": choice}
    elif raw_type == "location":
        fields = _location(_dict(message.get("location")))
    elif raw_type in MEDIA_TYPES:
        media = _dict(message.get(raw_type))
        fields = {
            "kind": InboundKind.MEDIA,
            "text": _str(media.get("caption")),
            "media_id": _str(media.get("id")),
            "mime_type": _str(media.get("mime_type")),
            "filename": _str(media.get("filename")),
        }
    return Inbound(
        wamid=_str(message.get("id")) or "",
        wa_id=_phone(contact.get("wa_id")) or _phone(message.get("from")),
        user_id=_str(contact.get("user_id")) or _str(message.get("from_user_id")),
        profile_name=_str(_dict(contact.get("profile")).get("name")),
        timestamp=_time(message.get("timestamp")),
        raw_type=raw_type,
        context_wamid=_str(_dict(message.get("context")).get("id")),
        received_at=_received(part.get("received_at")),
        **fields,
    )


def _received(value: object) -> datetime | None:
    """Our own ISO receipt time, as :func:`split` wrote it."""
    try:
        moment = datetime.fromisoformat(str(value)) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def _location(location: Json) -> dict[str, Any]:
    try:
        latitude, longitude = float(location["latitude"]), float(location["longitude"])
    except (KeyError, TypeError, ValueError):
        return {"kind": InboundKind.OTHER}
    name = _str(location.get("name"))
    return {
        "kind": InboundKind.LOCATION,
        "latitude": latitude,
        "longitude": longitude,
        "text": name,
    }


def _status(part: Json) -> StatusEvent:
    status = _dict(part.get("status"))
    errors = _list(status.get("errors"))
    code = errors[0].get("code") if errors else None
    return StatusEvent(
        wamid=_str(status.get("id")) or "",
        status=_str(status.get("status")) or "",
        timestamp=_time(status.get("timestamp")),
        recipient=_phone(status.get("recipient_id")),
        recipient_user_id=_str(status.get("recipient_user_id")),
        error_code=code if isinstance(code, int) and not isinstance(code, bool) else None,
        error_title=_str(errors[0].get("title")) if errors else None,
    )


def _template_status(part: Json) -> TemplateStatusEvent:
    value = _dict(part.get("value"))
    return TemplateStatusEvent(
        template_id=_str(value.get("message_template_id")),
        name=_str(value.get("message_template_name")),
        language=_str(value.get("message_template_language")),
        event=_str(value.get("event")) or "",
        reason=_str(value.get("reason")),
        category=_str(value.get("message_template_category")),
        timestamp=_time(part.get("time")),
    )


def decode(kind: str, part: Json) -> Event:
    """The typed event for a stored part of a webhook body."""
    if kind == "message":
        return _inbound(part)
    if kind == "status":
        return _status(part)
    if kind == "template_status":
        return _template_status(part)
    return OtherEvent(field=_str(part.get("field")), value=_dict(part.get("value")))


def parse(payload: object) -> list[Event]:
    """Every event of one webhook body, typed (split, then decode)."""
    return [decode(event.kind, event.payload) for event in split(payload)]
