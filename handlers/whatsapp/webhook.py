"""The WhatsApp webhook: Meta's GET verification and its signed POSTs, into the inbox.

Like the Telegram webhook server, the handler refuses what it can before reading a body:
a POST without ``X-Hub-Signature-256`` or with a declared length over :data:`MAX_BODY_BYTES`
(Meta's payloads are at most 3 MB) is answered at once. The body is then read up to that
cap, its signature checked over the raw bytes, and only then parsed. All its events are
stored in one transaction before Meta gets its 200; if that fails Meta gets a 500 and sends
the POST again later. :class:`~handlers.whatsapp.inbox.InboxProcessor` then hands each stored
event, once, to the bot.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Callable
from datetime import datetime
from http import HTTPStatus
from typing import Any

import tornado.web
from tornado.httpserver import HTTPServer

from handlers.whatsapp import events, signature
from handlers.whatsapp.settings import WhatsAppSettings
from storage.database import utc_now
from storage.whatsapp_inbox import WhatsAppInboxRepository

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
MAX_BODY_BYTES = 3 * 1024 * 1024
BODY_TIMEOUT_SECONDS = 30.0
Clock = Callable[[], datetime]


@tornado.web.stream_request_body
class WebhookHandler(tornado.web.RequestHandler):
    """Answer Meta's verification GET and store the events of its signed POSTs."""

    SUPPORTED_METHODS = ("GET", "POST")

    def initialize(
        self,
        settings: WhatsAppSettings,
        inbox: WhatsAppInboxRepository,
        on_stored: Callable[[], None],
        now: Clock,
    ) -> None:
        """Keep what a request needs: the secrets, the inbox and the processor's wake-up."""
        self._settings = settings
        self._inbox = inbox
        self._on_stored = on_stored
        self._now = now
        self._body = bytearray()

    def prepare(self) -> None:
        """Refuse an unsigned or oversized POST as soon as its headers arrive."""
        if self.request.method != "POST":
            return
        if not self.request.headers.get(SIGNATURE_HEADER):
            raise tornado.web.HTTPError(HTTPStatus.UNAUTHORIZED)
        length = self.request.headers.get("Content-Length", "")
        if not length.isdigit():
            raise tornado.web.HTTPError(HTTPStatus.LENGTH_REQUIRED)
        if int(length) > MAX_BODY_BYTES:
            raise tornado.web.HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        self.request.connection.set_max_body_size(MAX_BODY_BYTES)  # type: ignore[union-attr]

    def data_received(self, chunk: bytes) -> None:
        """Collect the (already size-checked) body."""
        self._body += chunk

    def get(self) -> None:
        """Echo ``hub.challenge`` when Meta subscribes with our verify token."""
        mode = self.get_query_argument("hub.mode", "")
        token = self.get_query_argument("hub.verify_token", "")
        challenge = self.get_query_argument("hub.challenge", "")
        expected = self._settings.verify_token.encode()
        if mode != "subscribe" or not hmac.compare_digest(token.encode(), expected):
            logger.warning("refused a webhook verification (mode %r)", mode[:20])
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(challenge)

    async def post(self) -> None:
        """Check the signature, store every event in one transaction, then answer 200."""
        raw = bytes(self._body)
        header = self.request.headers.get(SIGNATURE_HEADER)
        if not signature.verify(self._settings.app_secret, raw, header):
            logger.warning("refused a webhook POST with a wrong signature (%d bytes)", len(raw))
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        try:
            payload, ours = events.load(raw), self._settings.phone_number_id
            found = events.split(payload, ours, received_at=self._now())
        except ValueError:  # signed, but not JSON (or absurd JSON): it will never get better
            logger.warning("dropped a signed webhook POST that is not JSON (%d bytes)", len(raw))
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        try:
            new = await self._inbox.store_batch(found, self._now())
        except Exception:
            logger.exception("could not store %d webhook events; Meta will retry", len(found))
            raise tornado.web.HTTPError(HTTPStatus.INTERNAL_SERVER_ERROR) from None
        logger.debug("stored %d of %d webhook events", new, len(found))
        self.set_status(HTTPStatus.OK)
        self.finish()
        if new:
            self._on_stored()

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Answer with the status only (no traceback, no echo of the request)."""
        self.finish()


def _quiet(handler: tornado.web.RequestHandler) -> None:
    """Log no access lines: forged requests would fill the log."""


def make_app(
    settings: WhatsAppSettings,
    inbox: WhatsAppInboxRepository,
    on_stored: Callable[[], None],
    *,
    now: Clock = utc_now,
) -> tornado.web.Application:
    """The tornado application serving ``/<DODOLAN_WHATSAPP_PATH>``."""
    handler = {"settings": settings, "inbox": inbox, "on_stored": on_stored, "now": now}
    return tornado.web.Application(
        [(rf"/{re.escape(settings.path)}/?", WebhookHandler, handler)], log_function=_quiet
    )


def make_server(app: tornado.web.Application) -> HTTPServer:
    """An HTTP server for ``app`` that never buffers more than one capped body."""
    return HTTPServer(app, max_body_size=MAX_BODY_BYTES, body_timeout=BODY_TIMEOUT_SECONDS)
