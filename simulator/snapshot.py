"""BotMessage: a readable snapshot of a message the bot sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulator.state import StoredMessage


@dataclass(frozen=True)
class BotMessage:
    """A snapshot of a message the bot sent (text is plain; caption for media)."""

    message_id: int
    chat_id: int
    text: str
    html: str | None
    parse_mode: str | None
    entities: list[dict[str, Any]] = field(default_factory=list)
    buttons: list[list[str]] = field(default_factory=list)
    button_data: dict[str, str] = field(default_factory=dict)
    reply_keyboard: list[list[str]] | None = None
    remove_keyboard: bool = False
    document: tuple[str, str, bytes] | None = None
    photo: bytes | None = None
    location: tuple[float, float] | None = None
    edited: bool = False
    raw: dict[str, Any] = field(default_factory=dict)

    def has_button(self, label: str) -> bool:
        """True if an inline or reply-keyboard button has exactly this label."""
        rows = self.buttons + (self.reply_keyboard or [])
        return any(label in row for row in rows)

    @classmethod
    def of(cls, stored: StoredMessage) -> BotMessage:
        """Snapshot a stored message."""
        j = stored.json
        markup = stored.markup or {}
        buttons: list[list[str]] = []
        data: dict[str, str] = {}
        for row in j.get("reply_markup", {}).get("inline_keyboard", []):
            buttons.append([b["text"] for b in row])
            for b in row:
                value = b.get("callback_data", b.get("url"))
                if value is not None:
                    data[b["text"]] = value
        keyboard = None
        if "keyboard" in markup:
            keyboard = [
                [b if isinstance(b, str) else b["text"] for b in row] for row in markup["keyboard"]
            ]
        document = None
        if "document" in j and stored.file is not None:
            d = j["document"]
            document = (d.get("file_name", ""), d.get("mime_type", ""), stored.file.data)
        loc = j.get("location")
        return cls(
            message_id=j["message_id"],
            chat_id=j["chat"]["id"],
            text=j.get("text", j.get("caption", "")),
            html=stored.html,
            parse_mode=stored.parse_mode,
            entities=list(j.get("entities", j.get("caption_entities", []))),
            buttons=buttons,
            button_data=data,
            reply_keyboard=keyboard,
            remove_keyboard=bool(markup.get("remove_keyboard")),
            document=document,
            photo=stored.file.data if "photo" in j and stored.file is not None else None,
            location=(loc["latitude"], loc["longitude"]) if loc else None,
            edited=stored.edited,
            raw=dict(j),
        )
