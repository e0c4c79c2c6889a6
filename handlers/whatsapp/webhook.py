"""The WhatsApp webhook: Meta's GET verification and its signed POSTs, into the inbox.

The port stands behind the door of :mod:`handlers.webdoor` (capped connections, bytes and
time), and the handler refuses what it can before reading a body: a POST without a
well-formed ``X-Hub-Signature-256`` or with a declared length over :data:`MAX_BODY_BYTES`
(Meta's payloads are at most 3 MB) is answered at once. The body is then read up to that
cap, its signature checked over the raw bytes, and only then parsed. A signed body that can
never be stored (not JSON, or absurdly deep) is answered 200 and dropped with one
rate-limited log line: Meta would retry anything else for days. All its events are
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

import tornado.web

from bot.core.clock import system_clock
from bot.core.whatsapp_ports import InboxIntake
from handlers.log_repeats import log_limited
from handlers.webdoor import MIB, Door, DoorHandler, DoorLimits, DoorServer
from handlers.whatsapp import events, signature
from handlers.whatsapp.settings import WhatsAppSettings

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
SIGNATURE_SHAPE = re.compile(r"sha256=[0-9a-fA-F]{64}")
# Meta says a webhook payload can be up to 3 MB; refusing a real one would only make Meta
# send it again and again, so the cap is Meta's. Real ones are a few KB (one message or a
# few statuses), so 16 MB in all holds four at the cap beside 4 MB of small ones.
MAX_BODY_BYTES = 3 * MIB
LIMITS = DoorLimits(max_body_bytes=MAX_BODY_BYTES, buffered_bytes=16 * MIB, connections=128)
Clock = Callable[[], datetime]


class WebhookHandler(DoorHandler):
    """Answer Meta's verification GET and store the events of its signed POSTs."""

    SUPPORTED_METHODS = ("GET", "POST")

    def initialize(  # type: ignore[override]
        self,
        settings: WhatsAppSettings,
        inbox: InboxIntake,
        on_stored: Callable[[], None],
        now: Clock,
    ) -> None:
        """Keep what a request needs: the secrets, the inbox and the processor's wake-up."""
        super().initialize()
        self._settings = settings
        self._inbox = inbox
        self._on_stored = on_stored
        self._now = now

    def prepare(self) -> None:
        """Refuse an unsigned or oversized POST as soon as its headers arrive."""
        if self.request.method != "POST":
            return
        if not SIGNATURE_SHAPE.fullmatch(self.request.headers.get(SIGNATURE_HEADER, "")):
            raise tornado.web.HTTPError(HTTPStatus.UNAUTHORIZED)
        self.admit_body()

    def get(self) -> None:
        """Echo ``hub.challenge`` when Meta subscribes with our verify token."""
        mode = self.get_query_argument("hub.mode", "")
        token = self.get_query_argument("hub.verify_token", "")
        challenge = self.get_query_argument("hub.challenge", "")
        expected = self._settings.verify_token.encode()
        if mode != "subscribe" or not hmac.compare_digest(token.encode(), expected):
            log_limited(logger, "refused a webhook verification (mode %r)", mode[:20])
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(challenge)

    async def receive(self) -> None:
        """Check the signature, store every event in one transaction, then answer 200."""
        raw = bytes(self.body)
        header = self.request.headers.get(SIGNATURE_HEADER)
        if not signature.verify(self._settings.app_secret, raw, header):
            log_limited(
                logger, "refused a webhook POST with a wrong signature (%d bytes)", len(raw)
            )
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        try:
            payload, ours = events.load(raw), self._settings.phone_number_id
            found = events.split(payload, ours, received_at=self._now())
        except ValueError:  # signed, but not JSON (or absurd JSON): it will never get better
            # Meta retries every answer but 200 for up to 7 days: acknowledge it and drop it.
            log_limited(
                logger, "dropped a signed webhook POST that is not a payload (%d bytes)", len(raw)
            )
            self.set_status(HTTPStatus.OK)
            self.finish()
            return
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


def make_app(
    settings: WhatsAppSettings,
    inbox: InboxIntake,
    on_stored: Callable[[], None],
    *,
    now: Clock = system_clock,
    limits: DoorLimits = LIMITS,
) -> tornado.web.Application:
    """The tornado application serving ``/<DODOLAN_WHATSAPP_PATH>`` behind its own door."""
    handler = {"settings": settings, "inbox": inbox, "on_stored": on_stored, "now": now}
    return Door(limits).application([(rf"/{re.escape(settings.path)}/?", WebhookHandler, handler)])


def make_server(app: tornado.web.Application) -> DoorServer:
    """An HTTP server for ``app`` that holds the limits of the app's door."""
    return DoorServer(app)
