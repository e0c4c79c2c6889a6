"""Tornado front end of the Graph API paths the bot uses (any version ``v<N>.<n>``).

POST /{v}/{phone_number_id}/messages · POST /{v}/{phone_number_id}/media · GET|DELETE
/{v}/{media_id} · GET|POST /{v}/{waba_id}/message_templates · GET the media download URL.
Every request needs ``Authorization: Bearer <access_token>`` (else 401, code 190).
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from typing import TYPE_CHECKING, Any

import tornado.httpserver
import tornado.netutil
import tornado.web

from simulator.whatsapp.errors import GraphError, invalid, no_such_object, unauthorized
from simulator.whatsapp.state import Call, Violation

if TYPE_CHECKING:
    from simulator.whatsapp.emulator import WhatsAppEmulator

_log = logging.getLogger(__name__)
DOWNLOAD_PATH = "/whatsapp_business/attachments/"
_VERSION = r"(v\d+\.\d)"
IMAGE_TYPES = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}
DOCUMENT_TYPES = {
    "application/pdf",
    "text/plain",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "text/calendar",
}


class GraphHandler(tornado.web.RequestHandler):
    """Common parts: authorisation, JSON answers, call and violation records."""

    def initialize(self, emu: WhatsAppEmulator) -> None:
        """Receive the emulator."""
        self.emu = emu
        self.recorded: Any = None

    def check_xsrf_cookie(self) -> None:
        """Graph calls carry no cookies."""

    def authorize(self) -> None:
        """Require the bearer token."""
        header = self.request.headers.get("Authorization", "")
        if header != f"Bearer {self.emu.access_token}":
            raise unauthorized()

    def json_body(self) -> Any:
        """The parsed JSON body (Graph answers 100 to anything else)."""
        self.recorded = self.request.body.decode("utf-8", "replace")
        if not self.request.headers.get("Content-Type", "").startswith("application/json"):
            raise invalid("Send the body as application/json.")
        try:
            self.recorded = json.loads(self.request.body)
        except ValueError:
            raise invalid("The request body is not valid JSON.") from None
        return self.recorded

    def answer(self, status: int, body: dict[str, Any], error: GraphError | None = None) -> None:
        """Write a JSON answer and record the call."""
        world = self.emu.world
        world.stats.calls += 1
        code, details = (error.code, error.details) if error else (None, "")
        path = self.request.path
        world.calls.append(
            Call(self.request.method or "", path, self.recorded, status, code, details)
        )
        if error is not None:
            world.stats.refused += 1
            world.stats.throughput_limited += error.code == 130429
            world.stats.pair_limited += error.code == 131056
            world.stats.tier_refused += error.code == self.emu.limits.tier_error_code
            if error.violation:
                world.violations.append(Violation(path, self.recorded, error.code, details))
        world.activity.notify()
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, ensure_ascii=False))

    def fail(self, error: GraphError) -> None:
        """Answer with Meta's error body."""
        self.answer(error.http_status, error.body(), error)

    def own(self, object_id: str, expected: str) -> None:
        """The path id must be this emulator's phone number id or WABA id."""
        if object_id != expected:
            raise no_such_object(object_id)


class MessagesHandler(GraphHandler):
    """POST /{v}/{phone_number_id}/messages."""

    async def post(self, version: str, object_id: str) -> None:
        """Send a message or a read receipt."""
        try:
            self.authorize()
            self.own(object_id, self.emu.phone_number_id)
            answer, fault = self.emu.messages_api.handle(self.json_body())
        except GraphError as exc:
            self.fail(exc)
            return
        if fault is not None and fault.kind == "drop":
            self.emu.world.stats.faults_fired += 1
            self._auto_finish = False
            self.request.connection.close()  # type: ignore[union-attr]
            return
        if fault is not None:
            self.emu.world.stats.faults_fired += 1
            await asyncio.sleep(fault.delay)
        self.answer(200, answer)


class MediaUploadHandler(GraphHandler):
    """POST /{v}/{phone_number_id}/media (multipart: messaging_product, type, file)."""

    def post(self, version: str, object_id: str) -> None:
        """Store uploaded bytes and answer their id."""
        try:
            self.authorize()
            self.own(object_id, self.emu.phone_number_id)
            self.answer(200, {"id": self._store()})
        except GraphError as exc:
            self.fail(exc)

    def _store(self) -> str:
        """Validate the upload like Meta and keep it."""
        fields = {k: v[-1].decode() for k, v in self.request.body_arguments.items()}
        files = self.request.files.get("file", [])
        self.recorded = {**fields, "file": [f.filename for f in files]}
        if not files:
            raise invalid("The parameter file is required.")
        errors = self.emu.messages_api.validator.errors(
            "MediaUploadRequest", {**fields, "file": "<binary>"}
        )
        if errors:
            raise invalid(" ".join(errors[:3]))
        upload = files[-1]
        mime = fields.get("type") or upload.content_type
        magic = IMAGE_TYPES.get(mime)
        if magic is not None and not upload.body.startswith(magic):
            raise GraphError(131053, f"The file is not a valid {mime} image.", violation=True)
        if magic is None and mime not in DOCUMENT_TYPES:
            raise GraphError(131053, f"Media type {mime} is not supported.", violation=True)
        limit = 5 if magic else 100
        if len(upload.body) > limit * 1024 * 1024:
            raise GraphError(131053, f"Media larger than {limit} MB.", violation=True)
        media = self.emu.world.add_media(upload.body, mime, upload.filename or None)
        return media.media_id


class ObjectHandler(GraphHandler):
    """GET|DELETE /{v}/{media_id}."""

    def get(self, version: str, object_id: str) -> None:
        """Media info with its download URL."""
        try:
            self.authorize()
            media = self.emu.world.media.get(object_id)
            if media is None:
                raise no_such_object(object_id)
            url = f"{self.emu.base_url}{DOWNLOAD_PATH}?mid={media.media_id}&source=getMedia"
            self.answer(
                200,
                {
                    "messaging_product": "whatsapp",
                    "url": url,
                    "mime_type": media.mime_type,
                    "sha256": media.sha256_hex,
                    "file_size": len(media.data),
                    "id": media.media_id,
                },
            )
        except GraphError as exc:
            self.fail(exc)

    def delete(self, version: str, object_id: str) -> None:
        """Delete uploaded media."""
        try:
            self.authorize()
            if self.emu.world.media.pop(object_id, None) is None:
                raise no_such_object(object_id)
            self.answer(200, {"success": True})
        except GraphError as exc:
            self.fail(exc)


class DownloadHandler(GraphHandler):
    """GET the media URL (needs the same bearer token)."""

    def get(self) -> None:
        """The stored bytes."""
        try:
            self.authorize()
        except GraphError as exc:
            self.fail(exc)
            return
        media = self.emu.world.media.get(self.get_query_argument("mid", ""))
        if media is None:
            self.set_status(404)
            self.finish(b"")
            return
        self.emu.world.calls.append(Call("GET", self.request.path, None, 200))
        self.set_header("Content-Type", media.mime_type)
        self.finish(media.data)


class TemplatesHandler(GraphHandler):
    """GET|POST /{v}/{waba_id}/message_templates."""

    def get(self, version: str, object_id: str) -> None:
        """List templates (filters: name, language, status, category; limit)."""
        try:
            self.authorize()
            self.own(object_id, self.emu.waba_id)
            query = {k: v[-1].decode() for k, v in self.request.query_arguments.items()}
            self.answer(200, self.emu.templates.listing(query))
        except GraphError as exc:
            self.fail(exc)

    def post(self, version: str, object_id: str) -> None:
        """Create a template (PENDING unless the emulator auto-approves)."""
        try:
            self.authorize()
            self.own(object_id, self.emu.waba_id)
            self.answer(200, self.emu.create_template(self.json_body()))
        except GraphError as exc:
            self.fail(exc)


class UnknownHandler(GraphHandler):
    """Anything else: Graph's unknown-path error."""

    def prepare(self) -> None:
        """Refuse every method."""
        self.recorded = None
        error = GraphError(
            2500,
            f"Unknown path components: {self.request.path}",
            violation=True,
            title="Unknown path components",
        )
        self.fail(error)


def _quiet(handler: tornado.web.RequestHandler) -> None:
    """Log requests at DEBUG (refusals are expected in strict tests)."""
    _log.debug("%s %s %s", handler.get_status(), handler.request.method, handler.request.path)


class HttpServer:
    """Owns the tornado server bound to 127.0.0.1."""

    def __init__(self, emu: WhatsAppEmulator) -> None:
        self.emu = emu
        self._server: tornado.httpserver.HTTPServer | None = None

    def start(self, port: int = 0) -> int:
        """Bind and serve; return the port."""
        args = {"emu": self.emu}
        app = tornado.web.Application(
            [
                (DOWNLOAD_PATH, DownloadHandler, args),
                (rf"/{_VERSION}/([^/]+)/messages", MessagesHandler, args),
                (rf"/{_VERSION}/([^/]+)/media", MediaUploadHandler, args),
                (rf"/{_VERSION}/([^/]+)/message_templates", TemplatesHandler, args),
                (rf"/{_VERSION}/([^/]+)", ObjectHandler, args),
                (r"/.*", UnknownHandler, args),
            ],
            log_function=_quiet,
        )
        sockets = tornado.netutil.bind_sockets(port, "127.0.0.1", family=socket.AF_INET)
        self._server = tornado.httpserver.HTTPServer(app, max_body_size=110 * 1024 * 1024)
        self._server.add_sockets(sockets)
        return int(sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Stop listening and close every connection."""
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None
