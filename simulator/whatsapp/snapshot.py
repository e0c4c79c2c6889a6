"""WaMessage: a bot message as the person sees it in their WhatsApp chat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from simulator.whatsapp.state import OutMessage


@dataclass(frozen=True)
class Button:
    """A tappable button: ``kind`` reply (interactive), quick_reply, url or phone_number."""

    id: str
    title: str
    kind: str = "reply"


@dataclass(frozen=True)
class Row:
    """One row of a list message."""

    id: str
    title: str
    description: str | None = None


@dataclass(frozen=True)
class Section:
    """A titled group of list rows."""

    title: str | None
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class WaMessage:
    """Snapshot of one bot message (template bodies rendered, media bytes when sent by id)."""

    wamid: str
    type: str
    text: str
    sent_at: datetime
    status: str
    raw: dict[str, Any]
    header: str | None = None
    footer: str | None = None
    buttons: tuple[Button, ...] = ()
    list_button: str | None = None
    sections: tuple[Section, ...] = ()
    template: str | None = None
    language: str | None = None
    filename: str | None = None
    data: bytes | None = None
    mime_type: str | None = None
    link: str | None = None
    location: dict[str, Any] | None = None
    location_request: bool = False
    context_id: str | None = None

    @property
    def body(self) -> str:
        """Alias of ``text``: the main text shown."""
        return self.text

    @property
    def titles(self) -> list[str]:
        """Titles of the buttons."""
        return [b.title for b in self.buttons]

    @property
    def rows(self) -> list[Row]:
        """Every list row across sections."""
        return [row for section in self.sections for row in section.rows]

    @property
    def row_titles(self) -> list[str]:
        """Titles of every list row."""
        return [row.title for row in self.rows]

    @classmethod
    def of(cls, message: OutMessage) -> WaMessage:
        """Build the snapshot of a stored message."""
        body = message.body
        kind = body["type"]
        base: dict[str, Any] = {
            "wamid": message.wamid,
            "type": kind,
            "sent_at": message.sent_at,
            "status": message.status,
            "raw": body,
            "context_id": body.get("context", {}).get("message_id"),
        }
        if kind == "text":
            return cls(text=body["text"]["body"], **base)
        if kind == "interactive":
            return cls(**base, **_interactive(body["interactive"]))
        if kind == "template":
            return cls(**base, **_template(body["template"], message.rendered))
        if kind == "location":
            return cls(text=body["location"].get("name", ""), location=body["location"], **base)
        return cls(**base, **_media(body[kind], message))


def _interactive(obj: dict[str, Any]) -> dict[str, Any]:
    """Fields of an interactive message."""
    header = obj.get("header", {})
    out: dict[str, Any] = {
        "text": obj.get("body", {}).get("text", ""),
        "header": header.get("text"),
        "footer": obj.get("footer", {}).get("text"),
    }
    action = obj["action"]
    if obj["type"] == "button":
        out["buttons"] = tuple(
            Button(b["reply"]["id"], b["reply"]["title"]) for b in action["buttons"]
        )
    elif obj["type"] == "list":
        out["list_button"] = action["button"]
        out["sections"] = tuple(
            Section(
                s.get("title"),
                tuple(Row(r["id"], r["title"], r.get("description")) for r in s["rows"]),
            )
            for s in action["sections"]
        )
    else:
        out["location_request"] = True
    return out


def _template(spec: dict[str, Any], rendered: dict[str, Any]) -> dict[str, Any]:
    """Fields of a template message, rendered with its parameters."""
    buttons = tuple(
        Button(
            b["payload"] if b["payload"] is not None else b["text"], b["text"], b["type"].lower()
        )
        for b in rendered.get("buttons", [])
    )
    return {
        "text": rendered.get("body", ""),
        "header": rendered.get("header"),
        "footer": rendered.get("footer"),
        "buttons": buttons,
        "template": spec["name"],
        "language": spec["language"]["code"],
    }


def _media(media: dict[str, Any], message: OutMessage) -> dict[str, Any]:
    """Fields of a document or image (bytes when sent by an uploaded id)."""
    stored = message.media
    return {
        "text": media.get("caption", ""),
        "filename": media.get("filename") or (stored.filename if stored else None),
        "data": stored.data if stored else None,
        "mime_type": stored.mime_type if stored else None,
        "link": media.get("link"),
    }
