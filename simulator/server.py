"""Tornado HTTP front end: /bot<token>/<method> and /file/bot<token>/<path>."""

from __future__ import annotations

import json
import logging
import mimetypes
import socket
from typing import Any

import tornado.httpserver
import tornado.netutil
import tornado.web

from simulator.dispatch import Dispatcher
from simulator.errors import ApiError
from simulator.schema import UploadedFile

_log = logging.getLogger(__name__)


class ApiHandler(tornado.web.RequestHandler):
    """Handles Bot API method calls."""

    def initialize(self, dispatcher: Dispatcher) -> None:
        """Receive the dispatcher."""
        self.dispatcher = dispatcher
        self.gone = False

    def on_connection_close(self) -> None:
        """Note that the client went away (ends long polls early)."""
        self.gone = True
        self.dispatcher.queue.signal.notify()

    def _params(self) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
        """Decode query, form, multipart or JSON parameters."""
        raw: dict[str, Any] = {}
        for key, values in self.request.query_arguments.items():
            raw[key] = values[-1].decode("utf-8")
        ctype = self.request.headers.get("Content-Type", "")
        if ctype.startswith("application/json"):
            if self.request.body.strip():
                try:
                    body = json.loads(self.request.body)
                except ValueError:
                    raise ApiError(400, "Bad Request: can't parse JSON body") from None
                if not isinstance(body, dict):
                    raise ApiError(400, "Bad Request: JSON body must be an object")
                raw.update(body)
        else:
            for key, values in self.request.body_arguments.items():
                raw[key] = values[-1].decode("utf-8")
        files = {
            name: UploadedFile(parts[-1].filename, parts[-1].content_type, parts[-1].body)
            for name, parts in self.request.files.items()
        }
        return raw, files

    async def post(self, token: str, method: str) -> None:
        """Serve a call."""
        try:
            raw, files = self._params()
        except ApiError as exc:
            self._answer(exc.code, exc.body())
            return
        reply = await self.dispatcher.handle(token, method, raw, files, lambda: self.gone)
        if reply.body is None:
            self._auto_finish = False
            self.request.connection.close()  # type: ignore[union-attr]
            return
        self._answer(reply.status, reply.body)

    async def get(self, token: str, method: str) -> None:
        """Telegram accepts GET as well."""
        await self.post(token, method)

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        """Write a JSON answer unless the client is gone."""
        if self.gone:
            self._auto_finish = False
            return
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, ensure_ascii=False))


class FileHandler(tornado.web.RequestHandler):
    """Serves file downloads."""

    def initialize(self, dispatcher: Dispatcher) -> None:
        """Receive the dispatcher."""
        self.dispatcher = dispatcher

    def get(self, token: str, path: str) -> None:
        """Return the bytes of a stored file."""
        stored = self.dispatcher.state.file_by_path(path)
        if token != self.dispatcher.token or stored is None:
            self.set_status(404)
            self.finish(json.dumps({"ok": False, "error_code": 404, "description": "Not Found"}))
            return
        mime = stored.mime_type or mimetypes.guess_type(path)[0] or "application/octet-stream"
        self.set_header("Content-Type", mime)
        self.finish(stored.data)


def _log_quietly(handler: tornado.web.RequestHandler) -> None:
    """Log requests at DEBUG (4xx answers are expected in strict tests)."""
    _log.debug("%s %s %s", handler.get_status(), handler.request.method, handler.request.uri)


class HttpServer:
    """Owns the tornado server bound to 127.0.0.1."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self.port = 0
        self._server: tornado.httpserver.HTTPServer | None = None

    def start(self, port: int = 0) -> int:
        """Bind and start serving; return the port."""
        app = tornado.web.Application(
            [
                (r"/bot([^/]+)/([A-Za-z0-9_]+)/?", ApiHandler, {"dispatcher": self.dispatcher}),
                (r"/file/bot([^/]+)/(.+)", FileHandler, {"dispatcher": self.dispatcher}),
            ],
            log_function=_log_quietly,
        )
        sockets = tornado.netutil.bind_sockets(port, "127.0.0.1", family=socket.AF_INET)
        self._server = tornado.httpserver.HTTPServer(app, max_body_size=60 * 1024 * 1024)
        self._server.add_sockets(sockets)
        self.port = int(sockets[0].getsockname()[1])
        return self.port

    async def stop(self) -> None:
        """Stop listening and close every connection."""
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None
