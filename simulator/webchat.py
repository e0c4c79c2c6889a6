"""A Telegram-like (and WhatsApp-like) web chat over the emulators: pick a persona, talk to
the bot in a browser.

Served by tornado on its own port (127.0.0.1 only): the static page in ``simulator/web``, a
small JSON API and a server-sent-events stream. Everything a persona does goes through the
same people calls the e2e tests use (:class:`~simulator.people.FakeUser` on Telegram,
:class:`~simulator.whatsapp.WhatsAppPerson` on WhatsApp), so every reply the bot sends in the
demo is still validated by the strict emulators.

API (all JSON; POST bodies must be ``application/json``):
  GET  /api/personas                       the personas in bar order (each with its
                                           ``channel``), the bot, its time zone, the preset
                                           places of the 📎 → Location menu, the demo clock
  GET  /api/chats/<id>                     messages, current reply keyboard, toasts
  POST /api/chats/<id>/send    {text}      type a message
  POST /api/chats/<id>/press   {message_id, row, col, text}   tap an inline button
  POST /api/chats/<id>/reply   {text}      tap a reply-keyboard button (share number, …)
  POST /api/chats/<id>/attach  {kind, …}   the 📎 menu: a photo or document ({data} in base64,
                                           {name, mime, caption}), a location {latitude,
                                           longitude}, or a persona's contact {user_id}
  GET  /api/files/<file_id>[?download=1]   a document or photo from the emulator's store
  GET  /api/wa/<wa_id>, POST …/say|tap|pick  a WhatsApp persona (``simulator.webchat_whatsapp``)
  GET  /api/wa-media/<media_id>            a document or image the bot sent on WhatsApp
  GET  /api/clock, POST /api/clock {hours}   the demo clock (``simulator.webchat_clock``)
  GET  /api/events                         SSE: ``{"versions": {chat_id: "n.n.n"}}`` on change
  GET  /favicon.ico                        the icon (an SVG), so browsers find no 404
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import asdict, dataclass
from typing import Any

import tornado.httpserver
import tornado.netutil
import tornado.web

from simulator.emulator import BotApiEmulator
from simulator.messages import image_size
from simulator.people import FakeUser
from simulator.webchat_clock import ClockControl, ClockHandler, clock_view
from simulator.webchat_http import (
    EVENT_POLL_SECONDS,
    MAX_BODY,
    MAX_UPLOAD,
    MIME_RE,
    WEB_DIR,
    ActionHandler,
    AttachHandler,
    ChatHandler,
    EventsHandler,
    FileHandler,
    IconHandler,
    PageHandler,
    PersonasHandler,
    bot_reacted,
    caption,
    coordinate,
    file_name,
    upload,
)
from simulator.webchat_views import (
    PLACES,
    Place,
    chat_version,
    current_keyboard,
    keyboard_put_away,
    map_url,
    message_view,
)
from simulator.webchat_whatsapp import WaPersona, WhatsAppChats, whatsapp_routes

__all__ = [
    "MAX_UPLOAD",
    "PLACES",
    "ClockControl",
    "Persona",
    "Place",
    "WaPersona",
    "WebChat",
    "WhatsAppChats",
    "current_keyboard",
    "keyboard_put_away",
    "map_url",
    "message_view",
]


@dataclass(frozen=True)
class Persona:
    """Someone the visitor can act as: a Telegram user with a role label."""

    user_id: int
    name: str
    role: str
    language: str = "id"
    phone: str | None = None


class WebChat:
    """The web chat server: personas, their chats, actions and live updates."""

    def __init__(
        self,
        emulator: BotApiEmulator,
        personas: list[Persona],
        *,
        port: int = 8080,
        whatsapp: WhatsAppChats | None = None,
        clock: ClockControl | None = None,
    ) -> None:
        self.emulator = emulator
        self.personas = {p.user_id: p for p in personas}
        self.people: dict[int, FakeUser] = {
            p.user_id: emulator.user(p.user_id, p.name, language_code=p.language, phone=p.phone)
            for p in personas
        }
        self.whatsapp = whatsapp
        self.clock = clock
        self.timezone = "Asia/Jakarta"  # the bot's, for the times on the page
        self.closing = asyncio.Event()
        self._port = port
        self._server: tornado.httpserver.HTTPServer | None = None

    @property
    def port(self) -> int:
        """The bound port."""
        return self._port

    @property
    def url(self) -> str:
        """Where to point a browser."""
        return f"http://127.0.0.1:{self._port}/"

    async def start(self) -> None:
        """Bind 127.0.0.1 and serve."""
        sockets = tornado.netutil.bind_sockets(self._port, "127.0.0.1", family=socket.AF_INET)
        self._port = int(sockets[0].getsockname()[1])
        self._server = tornado.httpserver.HTTPServer(self._application(), max_body_size=MAX_BODY)
        self._server.add_sockets(sockets)

    async def stop(self) -> None:
        """End event streams and stop serving."""
        self.closing.set()
        if self._server is not None:
            self._server.stop()
            await asyncio.sleep(EVENT_POLL_SECONDS)
            await self._server.close_all_connections()
            self._server = None

    def _application(self) -> tornado.web.Application:
        """Routes."""
        web = {"chat": self}
        return tornado.web.Application(
            [
                (r"/()", PageHandler, {"path": str(WEB_DIR), "default_filename": "index.html"}),
                (r"/static/(.+)", PageHandler, {"path": str(WEB_DIR)}),
                (r"/(favicon\.ico)", IconHandler, {"path": str(WEB_DIR)}),
                (r"/api/personas", PersonasHandler, web),
                (r"/api/chats/(-?\d+)", ChatHandler, web),
                (r"/api/chats/(-?\d+)/(send|press|reply)", ActionHandler, web),
                (r"/api/chats/(-?\d+)/attach", AttachHandler, web),
                (r"/api/files/([A-Za-z0-9_-]+)", FileHandler, web),
                (r"/api/clock", ClockHandler, web),
                *whatsapp_routes(web),
                (r"/api/events", EventsHandler, web),
            ],
            log_function=lambda handler: None,
        )

    def persona_list(self) -> list[dict[str, Any]]:
        """The personas as JSON objects: Telegram's first, then WhatsApp's."""
        telegram = [{**asdict(p), "channel": "telegram"} for p in self.personas.values()]
        return telegram + (self.whatsapp.persona_list() if self.whatsapp else [])

    def page_setup(self) -> dict[str, Any]:
        """What the page needs before it draws a chat: personas, bot, time zone, places."""
        return {
            "personas": self.persona_list(),
            "bot": self.emulator.bot_user,
            "timezone": self.timezone,
            "places": [asdict(p) for p in PLACES],
            "clock": clock_view(self.clock) if self.clock else None,
        }

    def chat_view(self, user_id: int) -> dict[str, Any]:
        """The chat of one persona, as the page draws it."""
        chat = self.emulator.state.chat(user_id)
        return {
            "persona": {**asdict(self.personas[user_id]), "channel": "telegram"},
            "version": chat_version(chat),
            "messages": [message_view(m) for m in chat.messages.values() if not m.deleted],
            "keyboard": current_keyboard(chat),
            "keyboard_put_away": keyboard_put_away(chat),
            "toasts": list(chat.toasts),
        }

    def versions(self) -> dict[str, str]:
        """Fingerprints of every persona's chat (and of the demo clock, when it can move)."""
        state = self.emulator.state
        versions = {str(uid): chat_version(state.chat(uid)) for uid in self.personas}
        if self.whatsapp is not None:
            versions.update(self.whatsapp.versions())
        if self.clock is not None:
            versions["clock"] = str(self.clock.offset.total_seconds())
        return versions

    async def send(self, user_id: int, text: str, reply_to: int | None = None) -> bool:
        """Type a message as the persona (as a reply to ``reply_to``, a message of the chat);
        return whether the bot reacted. LookupError if there is no such message."""
        person = self.people[user_id]
        if reply_to is None:
            return await bot_reacted(person.send(text))
        if reply_to not in self.emulator.state.chat(user_id).messages:
            raise LookupError("message")
        return await bot_reacted(person.reply_to(reply_to, text))

    async def press(self, user_id: int, message_id: int, row: int, col: int, text: str) -> bool:
        """Tap the inline button at (row, col) of a bot message, if it is still there."""
        stored = self.emulator.state.chat(user_id).messages.get(message_id)
        if stored is None or not stored.from_bot or stored.deleted:
            raise LookupError("message")
        rows = stored.json.get("reply_markup", {}).get("inline_keyboard", [])
        try:
            if row < 0 or col < 0:
                raise IndexError(row)
            button = rows[row][col]
        except IndexError:
            raise LookupError("button") from None
        if button["text"] != text or "callback_data" not in button:
            raise LookupError("button")
        person = self.people[user_id]
        return await bot_reacted(person._press_inline(stored, button, True, None))

    async def reply(self, user_id: int, text: str) -> bool:
        """Tap a button of the current reply keyboard (sharing the number if it asks)."""
        rows = current_keyboard(self.emulator.state.chat(user_id)) or []
        button = next((b for row in rows for b in row if b["text"] == text), None)
        if button is None:
            raise LookupError("button")
        person = self.people[user_id]
        if button["contact"]:
            return await bot_reacted(person.share_contact(own=True))
        if button["location"]:
            return await bot_reacted(person.send_location(-7.9666, 112.6326))
        return await bot_reacted(person.send(text))

    async def attach(self, user_id: int, body: dict[str, Any]) -> bool:
        """Send what the 📎 menu picked; ValueError if the body does not describe one."""
        person, kind = self.people[user_id], body.get("kind")
        if kind == "photo":
            data, text = upload(body), caption(body)
            if image_size(data) is None:
                raise ValueError("not an image")
            return await bot_reacted(person.send_photo(data, text))
        if kind == "document":
            name, mime = file_name(body.get("name")), body.get("mime")
            if not (isinstance(mime, str) and MIME_RE.fullmatch(mime)):
                mime = "application/octet-stream"
            return await bot_reacted(person.send_document(name, upload(body), mime, caption(body)))
        if kind == "location":
            latitude = coordinate(body, "latitude", 90)
            longitude = coordinate(body, "longitude", 180)
            return await bot_reacted(person.send_location(latitude, longitude))
        if kind == "contact":
            return await self._share_contact(user_id, body.get("user_id"))
        raise ValueError("unknown kind")

    async def _share_contact(self, user_id: int, contact_id: object) -> bool:
        """Share one's own number or another persona's contact card."""
        person = self.people[user_id]
        contact = self.personas.get(contact_id) if isinstance(contact_id, int) else None
        if contact is None or contact.phone is None:
            raise ValueError("unknown contact")
        if contact.user_id == user_id:
            return await bot_reacted(person.share_contact(own=True))
        shared = person.share_contact(
            own=False, phone=contact.phone, first_name=contact.name, user_id=contact.user_id
        )
        return await bot_reacted(shared)
