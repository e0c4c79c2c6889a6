"""Webhook mode: a small tornado server in front of PTB's update queue.

PTB's own webhook server reads a whole request body (up to tornado's 100 MB default) before
it checks the secret token, and logs an update it cannot parse in full, message text and
all. This one stands behind the door of :mod:`handlers.webdoor` (capped connections, bytes
and time): it checks ``X-Telegram-Bot-Api-Secret-Token`` and the declared length as soon as
the headers arrive, reads at most :data:`MAX_BODY_BYTES`, and logs only what went wrong.
The lifecycle is PTB's ``run_webhook``: initialise, ``post_init``, listen and set the
webhook, start; on SIGINT or SIGTERM stop, ``post_stop``, shut down, ``post_shutdown``.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import signal
from http import HTTPStatus
from typing import Protocol

import tornado.web
from telegram import Update
from telegram.ext import ExtBot

from handlers.log_repeats import log_limited
from handlers.telegram.context import DodolanApplication
from handlers.webdoor import MIB, Door, DoorHandler, DoorLimits, DoorServer

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# An update is one message at most 4,096 characters of text (1,024 of caption) with its
# entities, and perhaps the message it replies to: tens of KB even with every character
# \u-escaped. 1 MB is far above that and still bounds what one request may hold.
MAX_BODY_BYTES = 1 * MIB
# Telegram opens at most setWebhook's max_connections (40 unless set, 100 at most) at once,
# so 128 leaves room; 8 MB in all holds four bodies at the cap beside 4 MB of small ones.
LIMITS = DoorLimits(max_body_bytes=MAX_BODY_BYTES, buffered_bytes=8 * MIB, connections=128)


class Hook(Protocol):
    """Where the server listens and what Telegram is told (the settings' webhook part)."""

    @property
    def url(self) -> str | None:
        """The public https address Telegram posts to, without the path."""
        ...

    @property
    def secret(self) -> str | None:
        """The secret token Telegram sends with every update."""
        ...

    @property
    def listen(self) -> str:
        """The address to listen on."""
        ...

    @property
    def port(self) -> int:
        """The port to listen on."""
        ...

    @property
    def path(self) -> str:
        """The path updates are posted to."""
        ...


class UpdateHandler(DoorHandler):
    """Accept one update: refuse before the body is read unless the secret and size fit."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(self, ptb: DodolanApplication, secret: str) -> None:  # type: ignore[override]
        """Keep the PTB application whose update queue receives the updates."""
        super().initialize()
        self._ptb = ptb
        self._secret = secret.encode()

    def prepare(self) -> None:
        """Check the secret and the declared length as soon as the headers arrive."""
        token = self.request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(token, self._secret):
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        self.admit_body()

    async def receive(self) -> None:
        """Parse the update and queue it; an unreadable one is dropped with a short log line."""
        bot = self._ptb.bot
        try:
            update = Update.de_json(json.loads(self.body), bot)
            if update is None:
                raise ValueError("no update")
        except Exception as exc:  # whatever PTB raises, the update's text stays out of the logs
            log_limited(
                logger,
                "dropped a webhook update that could not be read (%s, %d bytes)",
                type(exc).__name__,
                len(self.body),
            )
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        if isinstance(bot, ExtBot):
            bot.insert_callback_data(update)
        await self._ptb.update_queue.put(update)
        self.set_status(HTTPStatus.OK)


def webhook_server(
    application: DodolanApplication, hook: Hook, limits: DoorLimits = LIMITS
) -> DoorServer:
    """The HTTP server for Telegram's update POSTs to ``/<DODOLAN_WEBHOOK_PATH>``."""
    assert hook.secret is not None
    handler = {"ptb": application, "secret": hook.secret}
    app = Door(limits).application([(rf"/{re.escape(hook.path)}/?", UpdateHandler, handler)])
    return DoorServer(app)


def run_webhook(application: DodolanApplication, hook: Hook) -> None:
    """Serve webhook updates until SIGINT or SIGTERM, as PTB's ``run_webhook`` would."""
    asyncio.run(_serve(application, hook))


async def _serve(application: DodolanApplication, hook: Hook) -> None:
    assert hook.url is not None and hook.secret is not None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        server = webhook_server(application, hook)
        server.listen(hook.port, address=hook.listen)
        try:
            await application.bot.set_webhook(
                f"{hook.url.rstrip('/')}/{hook.path}",
                secret_token=hook.secret,
                allowed_updates=Update.ALL_TYPES,
            )
            await application.start()
            await stop.wait()
        finally:
            server.stop()
            await server.close_all_connections()
            if application.running:
                await application.stop()
                if application.post_stop:
                    await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)
