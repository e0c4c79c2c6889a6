"""A Telegram-like web chat over the emulator: pick a persona, talk to the bot in a browser.

Served by tornado on its own port (127.0.0.1 only): the static page in ``simulator/web``, a
small JSON API and a server-sent-events stream. Everything a persona does goes through the
same :class:`~simulator.people.FakeUser` calls the e2e tests use, so every reply the bot
sends in the demo is still validated by the strict emulator.

API (all JSON; POST bodies must be ``application/json``):
  GET  /api/personas                       the personas in bar order, the bot, its time zone
                                           and the preset places of the 📎 → Location menu
  GET  /api/chats/<id>                     messages, current reply keyboard, toasts
  POST /api/chats/<id>/send    {text}      type a message
  POST /api/chats/<id>/press   {message_id, row, col, text}   tap an inline button
  POST /api/chats/<id>/reply   {text}      tap a reply-keyboard button (share number, …)
  POST /api/chats/<id>/attach  {kind, …}   the 📎 menu: a photo or document ({data} in base64,
                                           {name, mime, caption}), a location {latitude,
                                           longitude}, or a persona's contact {user_id}
  GET  /api/files/<file_id>[?download=1]   a document or photo from the emulator's store
  GET  /api/events                         SSE: ``{"versions": {chat_id: "n.n.n"}}`` on change
  GET  /favicon.ico                        the icon (an SVG), so browsers find no 404
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import logging
import math
import re
import socket
from collections.abc import Awaitable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import tornado.httpserver
import tornado.httputil
import tornado.iostream
import tornado.netutil
import tornado.web

from simulator.emulator import BotApiEmulator
from simulator.messages import image_size
from simulator.people import BotMessage, FakeUser
from simulator.state import Chat, StoredMessage

logger = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent / "web"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
EVENT_POLL_SECONDS = 0.4
KEEPALIVE_SECONDS = 15.0
MAX_UPLOAD = 5 * 1024 * 1024  # bytes of one photo or document sent from the 📎 menu
MAX_BODY = MAX_UPLOAD * 4 // 3 + 64 * 1024  # the same in base64, inside JSON
MAX_CAPTION = 1024
MIME_RE = re.compile(r"[\w.+-]{1,60}/[\w.+-]{1,60}")


@dataclass(frozen=True)
class Persona:
    """Someone the visitor can act as: a Telegram user with a role label."""

    user_id: int
    name: str
    role: str
    language: str = "id"
    phone: str | None = None


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


class WebChat:
    """The web chat server: personas, their chats, actions and live updates."""

    def __init__(
        self, emulator: BotApiEmulator, personas: list[Persona], *, port: int = 8080
    ) -> None:
        self.emulator = emulator
        self.personas = {p.user_id: p for p in personas}
        self.people: dict[int, FakeUser] = {
            p.user_id: emulator.user(p.user_id, p.name, language_code=p.language, phone=p.phone)
            for p in personas
        }
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
                (r"/api/events", EventsHandler, web),
            ],
            log_function=lambda handler: None,
        )

    def persona_list(self) -> list[dict[str, Any]]:
        """The personas as JSON objects."""
        return [asdict(p) for p in self.personas.values()]

    def page_setup(self) -> dict[str, Any]:
        """What the page needs before it draws a chat: personas, bot, time zone, places."""
        return {
            "personas": self.persona_list(),
            "bot": self.emulator.bot_user,
            "timezone": self.timezone,
            "places": [asdict(p) for p in PLACES],
        }

    def chat_view(self, user_id: int) -> dict[str, Any]:
        """The chat of one persona, as the page draws it."""
        chat = self.emulator.state.chat(user_id)
        return {
            "persona": asdict(self.personas[user_id]),
            "version": chat_version(chat),
            "messages": [message_view(m) for m in chat.messages.values() if not m.deleted],
            "keyboard": current_keyboard(chat),
            "keyboard_put_away": keyboard_put_away(chat),
            "toasts": list(chat.toasts),
        }

    def versions(self) -> dict[str, str]:
        """Fingerprints of every persona's chat."""
        state = self.emulator.state
        return {str(uid): chat_version(state.chat(uid)) for uid in self.personas}

    async def send(self, user_id: int, text: str) -> bool:
        """Type a message as the persona; return whether the bot reacted."""
        return await _reacted(self.people[user_id].send(text))

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
        return await _reacted(person._press_inline(stored, button, True, None))

    async def reply(self, user_id: int, text: str) -> bool:
        """Tap a button of the current reply keyboard (sharing the number if it asks)."""
        rows = current_keyboard(self.emulator.state.chat(user_id)) or []
        button = next((b for row in rows for b in row if b["text"] == text), None)
        if button is None:
            raise LookupError("button")
        person = self.people[user_id]
        if button["contact"]:
            return await _reacted(person.share_contact(own=True))
        if button["location"]:
            return await _reacted(person.send_location(-7.9666, 112.6326))
        return await _reacted(person.send(text))

    async def attach(self, user_id: int, body: dict[str, Any]) -> bool:
        """Send what the 📎 menu picked; ValueError if the body does not describe one."""
        person, kind = self.people[user_id], body.get("kind")
        if kind == "photo":
            data, caption = _upload(body), _caption(body)
            if image_size(data) is None:
                raise ValueError("not an image")
            return await _reacted(person.send_photo(data, caption))
        if kind == "document":
            name, mime = _file_name(body.get("name")), body.get("mime")
            if not (isinstance(mime, str) and MIME_RE.fullmatch(mime)):
                mime = "application/octet-stream"
            return await _reacted(person.send_document(name, _upload(body), mime, _caption(body)))
        if kind == "location":
            latitude = _coordinate(body, "latitude", 90)
            longitude = _coordinate(body, "longitude", 180)
            return await _reacted(person.send_location(latitude, longitude))
        if kind == "contact":
            contact_id = body.get("user_id")
            contact = self.personas.get(contact_id) if isinstance(contact_id, int) else None
            if contact is None or contact.phone is None:
                raise ValueError("unknown contact")
            if contact.user_id == user_id:
                return await _reacted(person.share_contact(own=True))
            shared = person.share_contact(
                own=False, phone=contact.phone, first_name=contact.name, user_id=contact.user_id
            )
            return await _reacted(shared)
        raise ValueError("unknown kind")


def _upload(body: dict[str, Any]) -> bytes:
    """The file's bytes from base64; ValueError if empty, malformed or too big."""
    raw = body.get("data")
    if not isinstance(raw, str) or not raw or len(raw) > MAX_UPLOAD * 4 // 3 + 4:
        raise ValueError("data")
    try:
        data = base64.b64decode(raw, validate=True)
    except binascii.Error:
        raise ValueError("data") from None
    if not data or len(data) > MAX_UPLOAD:
        raise ValueError("data")
    return data


def _caption(body: dict[str, Any]) -> str | None:
    """An optional caption of at most 1024 characters."""
    caption = body.get("caption")
    if caption is None or caption == "":
        return None
    if not isinstance(caption, str) or len(caption) > MAX_CAPTION:
        raise ValueError("caption")
    return caption


def _file_name(raw: Any) -> str:
    """The last part of a file name, without control characters, at most 128 characters."""
    name = raw if isinstance(raw, str) else ""
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()[:128]
    return name or "dokumen"


def _coordinate(body: dict[str, Any], key: str, limit: float) -> float:
    """A finite latitude or longitude within ±limit."""
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(key)
    if not math.isfinite(value) or abs(value) > limit:
        raise ValueError(key)
    return float(value)


async def _reacted(action: Awaitable[list[BotMessage]]) -> bool:
    """Run a FakeUser action; a bot that stays silent is not an error in the web chat."""
    try:
        await action
    except AssertionError as exc:
        logger.debug("No reaction from the bot: %s", str(exc)[:200])
        return False
    return True


class _Base(tornado.web.RequestHandler):
    """Common headers and the Host check (a defence against DNS rebinding)."""

    def initialize(self, chat: WebChat) -> None:
        """Receive the web chat."""
        self.chat = chat

    def prepare(self) -> None:
        """Refuse requests addressed to another host name."""
        if not _local_host(self.request.host, self.chat.port):
            raise tornado.web.HTTPError(403)

    def set_default_headers(self) -> None:
        """Security headers on every answer."""
        _security_headers(self)

    def persona(self, raw_id: str) -> int:
        """The persona id in the path, or 404."""
        user_id = int(raw_id)
        if user_id not in self.chat.personas:
            raise tornado.web.HTTPError(404)
        return user_id

    def answer(self, body: Any, status: int = 200) -> None:
        """Write JSON."""
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(body, ensure_ascii=False))


def _local_host(host: str, port: int) -> bool:
    """True for 127.0.0.1 or localhost, with or without this port."""
    return host in {"127.0.0.1", "localhost", f"127.0.0.1:{port}", f"localhost:{port}"}


def _security_headers(handler: tornado.web.RequestHandler) -> None:
    """CSP, no sniffing, no framing, no referrer."""
    handler.set_header("Content-Security-Policy", CSP)
    handler.set_header("X-Content-Type-Options", "nosniff")
    handler.set_header("X-Frame-Options", "DENY")
    handler.set_header("Referrer-Policy", "no-referrer")


class PageHandler(tornado.web.StaticFileHandler):
    """The page and its script and style, with the same headers as the API."""

    def set_extra_headers(self, path: str) -> None:
        """Security headers and no caching (the demo is edited while it runs)."""
        _security_headers(self)
        self.set_header("Cache-Control", "no-cache")


class IconHandler(PageHandler):
    """GET /favicon.ico: the SVG icon, for browsers that ask before reading the page."""

    def parse_url_path(self, url_path: str) -> str:
        """Whatever was asked, the file is favicon.svg."""
        return "favicon.svg"


class PersonasHandler(_Base):
    """GET /api/personas."""

    def get(self) -> None:
        """List the personas."""
        self.answer(self.chat.page_setup())


class ChatHandler(_Base):
    """GET /api/chats/<id>."""

    def get(self, raw_id: str) -> None:
        """Return one persona's chat."""
        self.answer(self.chat.chat_view(self.persona(raw_id)))


class ActionHandler(_Base):
    """POST /api/chats/<id>/(send|press|reply)."""

    async def post(self, raw_id: str, action: str) -> None:
        """Act as the persona, wait for the bot's reaction, return the chat."""
        user_id = self.persona(raw_id)
        body = _json_body(self.request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > 4096:
            raise tornado.web.HTTPError(400)
        try:
            if action == "send":
                reacted = await self.chat.send(user_id, text)
            elif action == "reply":
                reacted = await self.chat.reply(user_id, text)
            else:
                message_id, row, col = (body.get(k) for k in ("message_id", "row", "col"))
                if not (isinstance(message_id, int) and isinstance(row, int)):
                    raise tornado.web.HTTPError(400)
                if not isinstance(col, int):
                    raise tornado.web.HTTPError(400)
                reacted = await self.chat.press(user_id, message_id, row, col, text)
        except LookupError:
            self.answer({"ok": False, "error": "that button is no longer there"}, 409)
            return
        self.answer({"ok": True, "reacted": reacted, "chat": self.chat.chat_view(user_id)})


class AttachHandler(_Base):
    """POST /api/chats/<id>/attach: a photo, document, location or contact from the 📎 menu."""

    async def post(self, raw_id: str) -> None:
        """Send it as the persona, wait for the bot's reaction, return the chat."""
        user_id = self.persona(raw_id)
        try:
            reacted = await self.chat.attach(user_id, _json_body(self.request))
        except ValueError:
            raise tornado.web.HTTPError(400) from None
        self.answer({"ok": True, "reacted": reacted, "chat": self.chat.chat_view(user_id)})


def _json_body(request: tornado.httputil.HTTPServerRequest) -> dict[str, Any]:
    """The JSON body (a JSON content type keeps other sites' forms out)."""
    if not request.headers.get("Content-Type", "").startswith("application/json"):
        raise tornado.web.HTTPError(415)
    try:
        body = json.loads(request.body)
    except ValueError:
        raise tornado.web.HTTPError(400) from None
    if not isinstance(body, dict):
        raise tornado.web.HTTPError(400)
    return body


class FileHandler(_Base):
    """GET /api/files/<file_id>: bytes from the emulator's file store."""

    def get(self, file_id: str) -> None:
        """Send the file (as an attachment when ?download=1)."""
        stored = self.chat.emulator.state.files.get(file_id)
        if stored is None:
            raise tornado.web.HTTPError(404)
        download = self.get_query_argument("download", "") == "1"
        mime = stored.mime_type or ("image/jpeg" if stored.file_path.startswith("photos/") else "")
        if not download and not mime.startswith("image/"):
            raise tornado.web.HTTPError(404)
        self.set_header("Content-Type", mime or "application/octet-stream")
        if download:
            name = stored.file_name or stored.file_path.rsplit("/", 1)[-1]
            ascii_name = name.encode("ascii", "replace").decode().replace('"', "_")
            self.set_header(
                "Content-Disposition",
                f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
            )
        self.finish(stored.data)


class EventsHandler(_Base):
    """GET /api/events: server-sent events whenever any persona's chat changes."""

    async def get(self) -> None:
        """Stream version maps until the client leaves or the server stops."""
        self.set_header("Content-Type", "text/event-stream")
        self.set_header("Cache-Control", "no-store")
        state, last, quiet = self.chat.emulator.state, None, 0.0
        with contextlib.suppress(tornado.iostream.StreamClosedError):
            while not self.chat.closing.is_set():
                versions = self.chat.versions()
                if versions != last:
                    self.write(f"data: {json.dumps({'versions': versions})}\n\n")
                    await self.flush()
                    last, quiet = versions, 0.0
                elif quiet >= KEEPALIVE_SECONDS:
                    self.write(": keep-alive\n\n")
                    await self.flush()
                    quiet = 0.0
                event = state.activity.event
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), EVENT_POLL_SECONDS)
                quiet += EVENT_POLL_SECONDS
        with contextlib.suppress(tornado.iostream.StreamClosedError):
            self.finish()
