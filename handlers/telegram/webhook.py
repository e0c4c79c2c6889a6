"""Webhook mode: a small tornado server in front of PTB's update queue.

PTB's own webhook server reads a whole request body (up to tornado's 100 MB default) before
it checks the secret token, and logs an update it cannot parse in full, message text and
all. This one checks ``X-Telegram-Bot-Api-Secret-Token`` and the declared length as soon as
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
from typing import Any

import tornado.web
from telegram import Update
from telegram.ext import ExtBot
from tornado.httpserver import HTTPServer

from bot.app.settings import WebhookSettings
from handlers.telegram.context import DodolanApplication

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1024 * 1024  # updates are a few KB; Telegram's largest are far below this
BODY_TIMEOUT_SECONDS = 30.0


@tornado.web.stream_request_body
class UpdateHandler(tornado.web.RequestHandler):
    """Accept one update: refuse before the body is read unless the secret and size fit."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(self, ptb: DodolanApplication, secret: str) -> None:
        """Keep the PTB application whose update queue receives the updates."""
        self._ptb = ptb
        self._secret = secret.encode()
        self._body = bytearray()

    def prepare(self) -> None:
        """Check the secret and the declared length as soon as the headers arrive."""
        token = self.request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(token, self._secret):
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        length = self.request.headers.get("Content-Length", "")
        if not length.isdigit():
            raise tornado.web.HTTPError(HTTPStatus.LENGTH_REQUIRED)
        if int(length) > MAX_BODY_BYTES:
            raise tornado.web.HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        self.request.connection.set_max_body_size(MAX_BODY_BYTES)  # type: ignore[union-attr]

    def data_received(self, chunk: bytes) -> None:
        """Collect the (already size-checked) body."""
        self._body += chunk

    async def post(self) -> None:
        """Parse the update and queue it; an unreadable one is dropped with a short log line."""
        bot = self._ptb.bot
        try:
            update = Update.de_json(json.loads(self._body), bot)
            if update is None:
                raise ValueError("no update")
        except Exception as exc:  # whatever PTB raises, the update's text stays out of the logs
            logger.warning(
                "dropped a webhook update that could not be read (%s, %d bytes)",
                type(exc).__name__,
                len(self._body),
            )
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        if isinstance(bot, ExtBot):
            bot.insert_callback_data(update)
        await self._ptb.update_queue.put(update)
        self.set_status(HTTPStatus.OK)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Answer with the status only (no traceback, no echo of the request)."""
        self.finish()


def _quiet(handler: tornado.web.RequestHandler) -> None:
    """Log no access lines: forged requests would fill the log."""


def webhook_server(application: DodolanApplication, hook: WebhookSettings) -> HTTPServer:
    """The HTTP server for Telegram's update POSTs to ``/<DODOLAN_WEBHOOK_PATH>``."""
    assert hook.secret is not None
    handler = {"ptb": application, "secret": hook.secret}
    app = tornado.web.Application(
        [(rf"/{re.escape(hook.path)}/?", UpdateHandler, handler)], log_function=_quiet
    )
    return HTTPServer(app, max_body_size=MAX_BODY_BYTES, body_timeout=BODY_TIMEOUT_SECONDS)


def run_webhook(application: DodolanApplication, hook: WebhookSettings) -> None:
    """Serve webhook updates until SIGINT or SIGTERM, as PTB's ``run_webhook`` would."""
    asyncio.run(_serve(application, hook))


async def _serve(application: DodolanApplication, hook: WebhookSettings) -> None:
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
