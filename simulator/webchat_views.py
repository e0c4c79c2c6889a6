"""What the web chat draws of a Telegram chat: messages, the reply keyboard, a version.

Pure functions over the emulator's stored chat (plain text plus entities, never HTML).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from simulator.state import Chat, StoredMessage


@dataclass(frozen=True)
class Place:
    """A preset place in the 📎 → Location menu."""

    name: str
    address: str
    latitude: float
    longitude: float


PLACES = (
    Place("Alun-Alun Merdeka", "Jl. Merdeka Selatan, Kiduldalem, Klojen", -7.982553, 112.630771),
    Place("Balai Kota Malang", "Jl. Tugu No. 1, Kiduldalem, Klojen", -7.977178, 112.634002),
    Place("Malang Creative Center", "Jl. A. Yani No. 53, Blimbing", -7.936200, 112.643400),
    Place("Pasar Besar Malang", "Jl. Pasar Besar, Sukoharjo, Klojen", -7.988235, 112.629856),
)


def map_url(latitude: float, longitude: float) -> str:
    """An OpenStreetMap link for a point."""
    return (
        f"https://www.openstreetmap.org/?mlat={latitude:.6f}&mlon={longitude:.6f}"
        f"#map=17/{latitude:.6f}/{longitude:.6f}"
    )


def message_view(stored: StoredMessage) -> dict[str, Any]:
    """What the page needs to draw one message (plain text plus entities, never HTML)."""
    j = stored.json
    view: dict[str, Any] = {
        "id": j["message_id"],
        "from_bot": stored.from_bot,
        "date": j.get("date", 0),
        "edited": stored.edited,
        "text": j.get("text", j.get("caption", "")),
        "entities": j.get("entities", j.get("caption_entities", [])),
    }
    replied = j.get("reply_to_message")
    if isinstance(replied, dict):  # the quoted message above a reply
        view["reply_to"] = {
            "id": replied.get("message_id"),
            "text": (replied.get("text") or replied.get("caption") or "")[:120],
        }
    if "document" in j:
        doc = j["document"]
        view["document"] = {
            "name": doc.get("file_name", "document"),
            "size": doc.get("file_size", 0),
            "url": f"/api/files/{quote(doc['file_id'])}?download=1",
        }
    if "photo" in j:
        size = j["photo"][-1]
        view["photo"] = {
            "url": f"/api/files/{quote(size['file_id'])}",
            "width": size.get("width", 0),
            "height": size.get("height", 0),
        }
    if "venue" in j:
        venue, loc = j["venue"], j["venue"]["location"]
        view["place"] = {"title": venue.get("title", ""), "address": venue.get("address", "")}
        view["place"]["map"] = map_url(loc["latitude"], loc["longitude"])
    elif "location" in j:
        loc = j["location"]
        view["place"] = {
            "title": "",
            "address": "",
            "map": map_url(loc["latitude"], loc["longitude"]),
        }
    if "contact" in j:
        contact = j["contact"]
        view["contact"] = {
            "phone": contact.get("phone_number", ""),
            "name": " ".join(filter(None, (contact.get("first_name"), contact.get("last_name")))),
        }
    for kind in ("sticker", "voice"):
        if kind in j:
            view["note"] = kind
    view["buttons"] = [
        [{"text": b["text"], **({"url": b["url"]} if "url" in b else {})} for b in row]
        for row in j.get("reply_markup", {}).get("inline_keyboard", [])
    ]
    return view


def current_keyboard(chat: Chat) -> list[list[dict[str, Any]]] | None:
    """The reply keyboard the user has now: the latest one sent and not removed since."""
    keyboard = _reply_keyboard(chat)[0]
    if keyboard is None:
        return None
    return [
        [
            {
                "text": b if isinstance(b, str) else b["text"],
                "contact": isinstance(b, dict) and bool(b.get("request_contact")),
                "location": isinstance(b, dict) and bool(b.get("request_location")),
            }
            for b in row
        ]
        for row in keyboard
    ]


def keyboard_put_away(chat: Chat) -> bool:
    """Whether the app has put the current keyboard away: a one-time keyboard whose button
    was used (it stays one tap away, behind the keyboard button, as in Telegram)."""
    return _reply_keyboard(chat)[1]


def _reply_keyboard(chat: Chat) -> tuple[list[list[Any]] | None, bool]:
    """The current reply keyboard's rows, and whether it is one-time and was used since."""
    keyboard: list[list[Any]] | None = None
    one_time = used = False
    for stored in chat.messages.values():
        if not stored.from_bot:
            used = used or (one_time and keyboard is not None and _uses(stored.json, keyboard))
            continue
        markup = stored.markup or {}
        if "keyboard" in markup:
            keyboard, one_time, used = (
                markup["keyboard"],
                bool(markup.get("one_time_keyboard")),
                False,
            )
        elif markup.get("remove_keyboard"):
            keyboard = None
    return keyboard, used


def _uses(message: dict[str, Any], keyboard: list[list[Any]]) -> bool:
    """Whether a person's message is what one of the keyboard's buttons sends."""
    for button in (b for row in keyboard for b in row):
        if isinstance(button, str):
            button = {"text": button}
        if button.get("request_contact"):
            if "contact" in message:
                return True
        elif button.get("request_location"):
            if "location" in message:
                return True
        elif message.get("text") == button["text"]:
            return True
    return False


def chat_version(chat: Chat) -> str:
    """A fingerprint that changes whenever anything visible in the chat changes."""
    return f"{chat.next_message_id}.{len(chat.actions)}.{len(chat.toasts)}"
