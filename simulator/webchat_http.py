"""The web chat's HTTP side: the page, the Telegram personas' JSON API, files and events.

Every handler gets the :class:`~simulator.webchat.WebChat` and checks the Host header (a
defence against DNS rebinding); POST bodies must be JSON. The request-body helpers here are
shared by the Telegram and the WhatsApp side.
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
from collections.abc import Awaitable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import tornado.httputil
import tornado.iostream
import tornado.web

if TYPE_CHECKING:
    from simulator.webchat import WebChat

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


def upload(body: dict[str, Any]) -> bytes:
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


def caption(body: dict[str, Any]) -> str | None:
    """An optional caption of at most 1024 characters."""
    text = body.get("caption")
    if text is None or text == "":
        return None
    if not isinstance(text, str) or len(text) > MAX_CAPTION:
        raise ValueError("caption")
    return text


def file_name(raw: Any) -> str:
    """The last part of a file name, without control characters, at most 128 characters."""
    name = raw if isinstance(raw, str) else ""
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()[:128]
    return name or "dokumen"


def coordinate(body: dict[str, Any], key: str, limit: float) -> float:
    """A finite latitude or longitude within ±limit."""
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(key)
    if not math.isfinite(value) or abs(value) > limit:
        raise ValueError(key)
    return float(value)


async def bot_reacted(action: Awaitable[object]) -> bool:
    """Run a person's action; a bot that stays silent is not an error in the web chat."""
    try:
        await action
    except AssertionError as exc:
        logger.debug("No reaction from the bot: %s", str(exc)[:200])
        return False
    return True


class Base(tornado.web.RequestHandler):
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


class PersonasHandler(Base):
    """GET /api/personas."""

    def get(self) -> None:
        """List the personas."""
        self.answer(self.chat.page_setup())


class ChatHandler(Base):
    """GET /api/chats/<id>."""

    def get(self, raw_id: str) -> None:
        """Return one persona's chat."""
        self.answer(self.chat.chat_view(self.persona(raw_id)))


class ActionHandler(Base):
    """POST /api/chats/<id>/(send|press|reply)."""

    async def post(self, raw_id: str, action: str) -> None:
        """Act as the persona, wait for the bot's reaction, return the chat."""
        user_id = self.persona(raw_id)
        body = json_body(self.request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > 4096:
            raise tornado.web.HTTPError(400)
        try:
            if action == "send":
                reply_to = body.get("reply_to")
                if reply_to is not None and not isinstance(reply_to, int):
                    raise tornado.web.HTTPError(400)
                reacted = await self.chat.send(user_id, text, reply_to)
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


class AttachHandler(Base):
    """POST /api/chats/<id>/attach: a photo, document, location or contact from the 📎 menu."""

    async def post(self, raw_id: str) -> None:
        """Send it as the persona, wait for the bot's reaction, return the chat."""
        user_id = self.persona(raw_id)
        try:
            reacted = await self.chat.attach(user_id, json_body(self.request))
        except ValueError:
            raise tornado.web.HTTPError(400) from None
        self.answer({"ok": True, "reacted": reacted, "chat": self.chat.chat_view(user_id)})


def json_body(request: tornado.httputil.HTTPServerRequest) -> dict[str, Any]:
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


class FileHandler(Base):
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


class EventsHandler(Base):
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
