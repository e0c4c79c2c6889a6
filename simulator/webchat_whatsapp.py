"""The web chat's WhatsApp side: personas who talk to the bot through the WhatsApp emulator.

A WhatsApp persona's chat is drawn from the emulator's own record (what the person sent and
what the bot sent back, in order), and everything the visitor does is a people call of
:class:`~simulator.whatsapp.WhatsAppPerson`: typing is ``say``, a reply button ``tap_on``, a
list row ``pick_on``, a template's quick reply a ``button`` webhook on that template. So the
demo's WhatsApp replies are validated by the strict emulator as the e2e tests' are.

API (JSON, like the Telegram side's):
  GET  /api/wa/<wa_id>                       messages, the 24-hour window, the persona
  POST /api/wa/<wa_id>/say   {text}          type a message
  POST /api/wa/<wa_id>/tap   {wamid, id}     tap a reply button or a template's quick reply
  POST /api/wa/<wa_id>/pick  {wamid, id}     pick a row of a list message
  GET  /api/wa-media/<media_id>[?download=1]  a document or image the bot uploaded and sent
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import tornado.web

from simulator.webchat_http import Base, bot_reacted, json_body
from simulator.webchat_views import map_url
from simulator.whatsapp import WaMessage, WhatsAppEmulator, WhatsAppPerson
from simulator.whatsapp.state import WINDOW, InMessage

ROUTE_ID = r"(\d{6,20})"


@dataclass(frozen=True)
class WaPersona:
    """Someone the visitor can act as on WhatsApp: a phone number (wa_id) with a role."""

    wa_id: str
    name: str
    role: str
    language: str = "id"

    @property
    def key(self) -> str:
        """The persona's id on the page (Telegram personas use their numeric user id)."""
        return f"wa-{self.wa_id}"

    def as_json(self) -> dict[str, Any]:
        """The persona as the page lists it."""
        return {
            "user_id": self.key,
            "wa_id": self.wa_id,
            "name": self.name,
            "role": self.role,
            "language": self.language,
            "phone": f"+{self.wa_id}",
            "channel": "whatsapp",
        }


def bot_message_view(message: WaMessage) -> dict[str, Any]:
    """What the page needs to draw one message from the bot (plain text, WhatsApp markup)."""
    view: dict[str, Any] = {
        "id": message.wamid,
        "from_bot": True,
        "date": message.sent_at.timestamp(),
        "type": message.type,
        "text": message.text,
        "header": message.header,
        "footer": message.footer,
        "template": message.template,
        "buttons": [{"id": b.id, "title": b.title, "kind": b.kind} for b in message.buttons],
    }
    if message.list_button:
        view["list"] = {
            "button": message.list_button,
            "sections": [
                {"title": s.title, "rows": [_row(r.id, r.title, r.description) for r in s.rows]}
                for s in message.sections
            ],
        }
    if message.type in ("document", "image"):
        view[message.type] = _media_view(message)
    if message.location is not None:
        view["place"] = _place(message.location)
    return view


def _row(row_id: str, title: str, description: str | None) -> dict[str, Any]:
    return {"id": row_id, "title": title, "description": description}


def _media_view(message: WaMessage) -> dict[str, Any]:
    """A document or image: its name, size and where the page fetches it."""
    media_id = message.raw.get(message.type, {}).get("id")
    url = f"/api/wa-media/{quote(media_id)}" if media_id else (message.link or "")
    if media_id and message.type == "document":
        url += "?download=1"
    return {
        "name": message.filename or "dokumen",
        "size": len(message.data or b""),
        "url": url,
    }


def _place(location: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": location.get("name", ""),
        "address": location.get("address", ""),
        "map": map_url(float(location["latitude"]), float(location["longitude"])),
    }


def person_message_view(message: InMessage) -> dict[str, Any]:
    """What the page draws of one message the persona sent: its text as WhatsApp shows it."""
    payload = message.payload
    kind = payload["type"]
    view: dict[str, Any] = {
        "id": message.wamid,
        "from_bot": False,
        "date": message.at.timestamp(),
        "type": kind,
        "text": "",
        "replied": "context" in payload,
    }
    if kind == "text":
        view["text"] = payload["text"]["body"]
    elif kind == "interactive":
        reply = payload["interactive"].get("button_reply") or payload["interactive"].get(
            "list_reply", {}
        )
        view["text"] = reply.get("title", "")
    elif kind == "button":
        view["text"] = payload["button"]["text"]
    elif kind == "location":
        view["place"] = _place(payload["location"])
    else:
        view["note"] = kind
    return view


class WhatsAppChats:
    """The WhatsApp personas, their chats as the page draws them, and their actions."""

    def __init__(self, emulator: WhatsAppEmulator, personas: list[WaPersona]) -> None:
        self.emulator = emulator
        self.personas = {p.wa_id: p for p in personas}
        self.people: dict[str, WhatsAppPerson] = {
            p.wa_id: emulator.person(p.wa_id, name=p.name) for p in personas
        }

    def persona_list(self) -> list[dict[str, Any]]:
        """The personas as JSON objects."""
        return [p.as_json() for p in self.personas.values()]

    def _inbound(self, wa_id: str) -> list[InMessage]:
        uid = self.people[wa_id].user_id
        return [m for m in self.emulator.world.inbox if m.user_id == uid]

    def chat_view(self, wa_id: str) -> dict[str, Any]:
        """One persona's chat: both sides in order, and the 24-hour window."""
        person = self.people[wa_id]
        sent = [person_message_view(m) for m in self._inbound(wa_id)]
        received = [bot_message_view(m) for m in person.messages]
        return {
            "persona": self.personas[wa_id].as_json(),
            "version": self.version(wa_id),
            "messages": sorted(sent + received, key=lambda m: float(m["date"])),
            "window": self.window(wa_id),
        }

    def window(self, wa_id: str) -> dict[str, Any]:
        """Whether the bot may send free-form messages now, and until when."""
        person = self.people[wa_id]
        last = person.contact.last_inbound
        closes: datetime | None = last + WINDOW if last is not None else None
        return {"open": person.window_open, "closes_at": closes.timestamp() if closes else None}

    def version(self, wa_id: str) -> str:
        """A fingerprint that changes whenever anything visible in the chat changes."""
        person = self.people[wa_id]
        return f"wa.{len(self._inbound(wa_id))}.{len(person.messages)}.{int(person.window_open)}"

    def versions(self) -> dict[str, str]:
        """Fingerprints of every WhatsApp persona's chat, keyed as the page keys them."""
        return {p.key: self.version(p.wa_id) for p in self.personas.values()}

    async def say(self, wa_id: str, text: str) -> bool:
        """Type a message as the persona; return whether the bot answered."""
        return await bot_reacted(self.people[wa_id].say(text))

    async def tap(self, wa_id: str, wamid: str, button_id: str) -> bool:
        """Tap a reply button, or a template's quick reply, on this message of the bot."""
        person = self.people[wa_id]
        message = self._message(person, wamid)
        button = next((b for b in message.buttons if b.id == button_id), None)
        if button is None:
            raise LookupError("button")
        if message.type == "interactive":
            return await bot_reacted(person.tap_on(message, button.id))
        if message.type != "template" or button.kind != "quick_reply":
            raise LookupError("button")
        # The people API taps the newest template with a label; the page taps this one.
        fields = {"type": "button", "button": {"payload": button.id, "text": button.title}}
        tapped = person._inject(fields, f"tapping {button.title!r}", True, None, wamid)
        return await bot_reacted(tapped)

    async def pick(self, wa_id: str, wamid: str, row_id: str) -> bool:
        """Pick a row of this list message of the bot."""
        person = self.people[wa_id]
        message = self._message(person, wamid)
        if not any(r.id == row_id for r in message.rows):
            raise LookupError("row")
        return await bot_reacted(person.pick_on(message, row_id))

    @staticmethod
    def _message(person: WhatsAppPerson, wamid: str) -> WaMessage:
        """The bot's message with this id in the person's chat, or LookupError."""
        message = next((m for m in person.messages if m.wamid == wamid), None)
        if message is None:
            raise LookupError("message")
        return message


def whatsapp_routes(web: dict[str, Any]) -> list[tuple[str, type[Base], dict[str, Any]]]:
    """The WhatsApp side's routes (answering 404 when the demo has no WhatsApp)."""
    return [
        (rf"/api/wa/{ROUTE_ID}", WaChatHandler, web),
        (rf"/api/wa/{ROUTE_ID}/(say|tap|pick)", WaActionHandler, web),
        (r"/api/wa-media/(\d{1,30})", WaMediaHandler, web),
    ]


class _WaBase(Base):
    """The WhatsApp chats, or 404."""

    def chats(self) -> WhatsAppChats:
        """The demo's WhatsApp side."""
        if self.chat.whatsapp is None:
            raise tornado.web.HTTPError(404)
        return self.chat.whatsapp

    def wa_persona(self, wa_id: str) -> str:
        """The wa_id in the path if it is a persona's, or 404."""
        if wa_id not in self.chats().personas:
            raise tornado.web.HTTPError(404)
        return wa_id


class WaChatHandler(_WaBase):
    """GET /api/wa/<wa_id>."""

    def get(self, wa_id: str) -> None:
        """Return one persona's chat."""
        self.answer(self.chats().chat_view(self.wa_persona(wa_id)))


class WaActionHandler(_WaBase):
    """POST /api/wa/<wa_id>/(say|tap|pick)."""

    async def post(self, wa_id: str, action: str) -> None:
        """Act as the persona, wait for the bot's answer, return the chat."""
        chats, wa_id = self.chats(), self.wa_persona(wa_id)
        body = json_body(self.request)
        try:
            if action == "say":
                acted = await chats.say(wa_id, _text(body, "text", 4096))
            elif action == "tap":
                acted = await chats.tap(wa_id, _text(body, "wamid"), _text(body, "id"))
            else:
                acted = await chats.pick(wa_id, _text(body, "wamid"), _text(body, "id"))
        except LookupError:
            self.answer({"ok": False, "error": "that button is no longer there"}, 409)
            return
        self.answer({"ok": True, "reacted": acted, "chat": chats.chat_view(wa_id)})


def _text(body: dict[str, Any], key: str, limit: int = 256) -> str:
    """A non-empty string field of at most ``limit`` characters, or 400."""
    value = body.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise tornado.web.HTTPError(400)
    return value


class WaMediaHandler(_WaBase):
    """GET /api/wa-media/<media_id>: what the bot uploaded to the emulator and sent."""

    def get(self, media_id: str) -> None:
        """Send the bytes (as an attachment when ?download=1; images may be shown inline)."""
        media = self.chats().emulator.world.media.get(media_id)
        if media is None:
            raise tornado.web.HTTPError(404)
        download = self.get_query_argument("download", "") == "1"
        if not download and not media.mime_type.startswith("image/"):
            raise tornado.web.HTTPError(404)
        self.set_header("Content-Type", media.mime_type or "application/octet-stream")
        if download:
            name = media.filename or f"media-{media_id}"
            ascii_name = name.encode("ascii", "replace").decode().replace('"', "_")
            self.set_header(
                "Content-Disposition",
                f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
            )
        self.finish(media.data)
