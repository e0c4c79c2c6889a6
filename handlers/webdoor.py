"""The door of both webhook ports: bounded connections, bytes, time and log lines.

Telegram's and Meta's webhooks are the only public doors of the bot, and anyone can knock.
Each port is a :class:`DoorServer` (a tornado ``HTTPServer``) with a :class:`Door` that holds
its :class:`DoorLimits`:

- **Connections.** At most ``connections`` are open. A new one over the cap closes the
  oldest connection that has not yet handed a whole request to the bot (still sending its
  headers or its body, or idle between requests), so slow or held connections cannot lock
  out Telegram and Meta, whose requests arrive whole in milliseconds. A kept-alive
  connection that has delivered an accepted body (a proven sender) is closed only when no
  stranger's is left; when every open connection is being answered, the newcomer is closed
  instead. The accept queue is ``backlog`` long, so a burst of connections waits in the
  kernel rather than having its SYNs dropped (which costs a real sender 1 s or more).
- **Time.** Headers must arrive within ``header_timeout`` seconds, which is also how long an
  idle kept-alive connection stays open; a body within ``body_timeout``.
- **Bytes.** A request declares its length (no ``Content-Length``: 411); a length over
  ``max_body_bytes`` is refused (413) before a byte of body is read. The bytes of a large
  body (over ``small_body_bytes``) are charged to the shared :class:`ByteBudget` as they
  arrive, not by the length it declares (anyone can declare one before the signature is
  checked); one the budget cannot hold any more is refused (503, the sender retries). Small
  bodies, where real updates live, are not charged: the connection cap bounds them
  (``connections`` × ``small_body_bytes``), so large bodies cannot starve them. A body that
  does not start as a JSON object is refused at its first byte.
- **Log lines.** :mod:`handlers.log_repeats` lets a few lines of each kind through per
  minute and counts the rest, on tornado's and asyncio's loggers and on the webhook
  handlers'; the accept loop pauses for ``accept_pause`` seconds instead of spinning when
  the process runs out of file descriptors.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import tornado.netutil
import tornado.web
from tornado import httputil
from tornado.http1connection import HTTP1ServerConnection
from tornado.httpserver import HTTPServer, _HTTPRequestContext
from tornado.ioloop import IOLoop
from tornado.iostream import IOStream

from handlers.log_repeats import log_limited, quiet_repeats

logger = logging.getLogger(__name__)

KIB = 1024
MIB = 1024 * KIB
JSON_WHITESPACE = b" \t\r\n"
OUT_OF_DESCRIPTORS = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)
ACCEPT_BATCH = 128  # connections accepted per wake-up, as tornado's own accept loop does


@dataclass(frozen=True)
class DoorLimits:
    """What one webhook port holds at most, and for how long."""

    max_body_bytes: int
    buffered_bytes: int
    connections: int = 128
    header_timeout: float = 10.0
    body_timeout: float = 10.0
    small_body_bytes: int = 64 * KIB
    small_reserve_bytes: int = 4 * MIB
    max_header_bytes: int = 16 * KIB
    accept_pause: float = 0.5
    backlog: int = 1024  # the kernel queues a burst instead of dropping SYNs (1 s retries)

    def __post_init__(self) -> None:
        if not self.small_reserve_bytes < self.buffered_bytes:
            raise ValueError("the reserve for small bodies must leave room for large ones")
        if self.buffered_bytes - self.small_reserve_bytes < self.max_body_bytes:
            raise ValueError("the budget must hold one body at the cap")


class ByteBudget:
    """Bytes of large request bodies held at once by one port, counted as they arrive; the
    ``small_reserve_bytes`` of the port are left to small bodies (not charged here)."""

    def __init__(self, limits: DoorLimits) -> None:
        self._ceiling = limits.buffered_bytes - limits.small_reserve_bytes
        self.held = 0
        self.changed = asyncio.Event()  # set at every take and give (for tests to wait on)

    def take(self, size: int) -> bool:
        """Hold ``size`` more bytes if they fit now."""
        if self.held + size > self._ceiling:
            return False
        self.held += size
        self.changed.set()
        return True

    def give(self, size: int) -> None:
        """Give back bytes taken before."""
        self.held -= size
        self.changed.set()


class Door:
    """The limits of one port and the state they are counted in."""

    def __init__(self, limits: DoorLimits) -> None:
        self.limits = limits
        self.budget = ByteBudget(limits)

    def application(self, handlers: list[Any], **settings: Any) -> tornado.web.Application:
        """A tornado application that answers unknown paths before reading a body."""
        quiet_repeats()
        return tornado.web.Application(
            handlers,
            door=self,
            default_handler_class=NotFoundHandler,
            log_function=_quiet,
            **settings,
        )


def door_of(app: tornado.web.Application) -> Door:
    """The door an application was made with by :meth:`Door.application`."""
    door = app.settings.get("door")
    if not isinstance(door, Door):
        raise TypeError("make the application with Door.application")
    return door


def _quiet(handler: tornado.web.RequestHandler) -> None:
    """Log no access lines: forged requests would fill the log."""


@tornado.web.stream_request_body
class DoorHandler(tornado.web.RequestHandler):
    """A request handler whose body is admitted by the door before a byte of it is read.

    A subclass checks its own headers in ``prepare`` and then calls :meth:`admit_body`;
    its ``receive`` reads :attr:`body`, unless the body was refused on the way in. Errors
    are answered with the status alone.
    """

    def initialize(self) -> None:
        """Nothing held yet."""
        self.body = bytearray()
        self._held = 0  # bytes of this body charged to the budget
        self._admitted = False
        self._charged = False  # a large body: its bytes are charged as they arrive
        self._opened = False

    def admit_body(self) -> None:
        """Refuse a body without a length or over the cap; a large one is charged to the
        budget as its bytes arrive (:meth:`data_received`), a small one not at all."""
        door = door_of(self.application)
        length = self.request.headers.get("Content-Length", "")
        if not length.isdigit():
            raise tornado.web.HTTPError(HTTPStatus.LENGTH_REQUIRED)
        size = int(length)
        if size > door.limits.max_body_bytes:
            raise tornado.web.HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        self._admitted = True
        self._charged = size > door.limits.small_body_bytes
        self.request.connection.set_max_body_size(door.limits.max_body_bytes)  # type: ignore[union-attr]

    def data_received(self, chunk: bytes) -> None:
        """Collect the admitted body; refuse at once one not admitted or not a JSON object."""
        if self._finished:
            return
        if not self._admitted:  # a body that was never admitted (a GET with one, say)
            self.send_error(HTTPStatus.BAD_REQUEST)
            return
        if not self._opened:
            start = chunk.lstrip(JSON_WHITESPACE)
            if start and not start.startswith(b"{"):
                self._let_go()
                self.send_error(HTTPStatus.BAD_REQUEST)
                return
            self._opened = bool(start)
        if self._charged:
            if not door_of(self.application).budget.take(len(chunk)):
                log_limited(logger, "webhook bodies held at the cap; answered 503 to one")
                self._let_go()
                self.send_error(HTTPStatus.SERVICE_UNAVAILABLE)
                return
            self._held += len(chunk)
        self.body += chunk

    async def post(self) -> None:
        """Hand the whole body to :meth:`receive`, unless it was refused while arriving."""
        if not self._finished:
            await self.receive()

    async def receive(self) -> None:
        """Act on :attr:`body` (a subclass's work)."""
        raise tornado.web.HTTPError(HTTPStatus.METHOD_NOT_ALLOWED)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Answer with the status only (no traceback, no echo of the request)."""
        if status_code == HTTPStatus.SERVICE_UNAVAILABLE:
            self.set_header("Retry-After", "1")
        self.finish()

    def on_finish(self) -> None:
        """Give the body's bytes back; a connection whose body was taken is a proven sender."""
        context = getattr(self.request.connection, "context", None)
        if self._admitted and self.get_status() < 300 and isinstance(context, DoorContext):
            context.proven = True
        self._let_go()

    def on_connection_close(self) -> None:
        """Give the body's bytes back when the sender goes away."""
        self._let_go()

    def _let_go(self) -> None:
        if self._held:
            door_of(self.application).budget.give(self._held)
            self._held = 0
        self.body = bytearray()


class NotFoundHandler(DoorHandler):
    """Any other path: 404 before the body is read."""

    def prepare(self) -> None:
        """Refuse at once."""
        raise tornado.web.HTTPError(HTTPStatus.NOT_FOUND)


class DoorContext(_HTTPRequestContext):
    """What tornado knows of a connection, and whether it has delivered a good request."""

    proven = False


class _Watched(httputil.HTTPMessageDelegate):
    """Tells the server when a request has arrived whole (and may no longer be evicted)."""

    def __init__(
        self,
        inner: httputil.HTTPMessageDelegate,
        arrived: Callable[[], None],
    ) -> None:
        self._inner = inner
        self._arrived = arrived

    def headers_received(
        self,
        start_line: httputil.RequestStartLine | httputil.ResponseStartLine,
        headers: httputil.HTTPHeaders,
    ) -> Awaitable[None] | None:
        return self._inner.headers_received(start_line, headers)

    def data_received(self, chunk: bytes) -> Awaitable[None] | None:
        return self._inner.data_received(chunk)

    def finish(self) -> None:
        self._arrived()
        self._inner.finish()

    def on_connection_close(self) -> None:
        self._inner.on_connection_close()


class DoorServer(HTTPServer):
    """An HTTP server that holds its application's door: see the module docstring."""

    def initialize(  # type: ignore[override]
        self,
        request_callback: tornado.web.Application,
        **kwargs: Any,
    ) -> None:
        limits = door_of(request_callback).limits
        super().initialize(
            request_callback,
            max_body_size=limits.max_body_bytes,
            body_timeout=limits.body_timeout,
            idle_connection_timeout=limits.header_timeout,
            max_header_size=limits.max_header_bytes,
            chunk_size=64 * KIB,
            max_buffer_size=4 * 64 * KIB,
            **kwargs,
        )
        self.limits = limits
        self._unfinished: OrderedDict[HTTP1ServerConnection, None] = OrderedDict()
        self._proven: OrderedDict[HTTP1ServerConnection, None] = OrderedDict()
        self._closing: set[HTTP1ServerConnection] = set()  # evicted, not yet gone
        self.evicted = 0
        self.turned_away = 0
        self.accept_errors = 0
        self.troubled = asyncio.Event()  # set at each accept error (for tests to wait on)

    @property
    def open_connections(self) -> int:
        """Connections open now."""
        return len(self._connections)

    def handle_stream(self, stream: IOStream, address: tuple[Any, ...]) -> None:
        """Serve a new connection; over the cap, close the oldest unfinished one first."""
        if len(self._connections) - len(self._closing) >= self.limits.connections:
            victims = self._unfinished or self._proven
            if not victims:
                stream.close()
                self.turned_away += 1
                log_limited(
                    logger,
                    "webhook port at its cap of %d connections, all being answered: "
                    "closed a new one",
                    self.limits.connections,
                )
                return
            oldest, _ = victims.popitem(last=False)
            self._closing.add(oldest)
            oldest.stream.close()
            self.evicted += 1
            log_limited(
                logger,
                "webhook port at its cap of %d connections: closed the oldest unfinished",
                self.limits.connections,
            )
        context = DoorContext(stream, address, self.protocol, self.trusted_downstream)
        conn = HTTP1ServerConnection(stream, self.conn_params, context)
        self._connections.add(conn)
        self._unfinished[conn] = None
        conn.start_serving(self)

    def start_request(
        self, server_conn: object, request_conn: httputil.HTTPConnection
    ) -> httputil.HTTPMessageDelegate:
        """Count the connection as unfinished until its request has arrived whole."""
        conn = server_conn
        assert isinstance(conn, HTTP1ServerConnection)
        if conn not in self._closing:
            proven = isinstance(conn.context, DoorContext) and conn.context.proven
            waiting = self._proven if proven else self._unfinished
            waiting[conn] = None
            waiting.move_to_end(conn)

        def arrived() -> None:
            self._unfinished.pop(conn, None)
            self._proven.pop(conn, None)

        return _Watched(super().start_request(server_conn, request_conn), arrived)

    def on_close(self, server_conn: object) -> None:
        """Forget a closed connection."""
        assert isinstance(server_conn, HTTP1ServerConnection)
        self._unfinished.pop(server_conn, None)
        self._proven.pop(server_conn, None)
        self._closing.discard(server_conn)
        super().on_close(server_conn)

    def listen(
        self,
        port: int,
        address: str | None = None,
        family: socket.AddressFamily = socket.AF_UNSPEC,
        backlog: int | None = None,
        flags: int | None = None,
        reuse_port: bool = False,
    ) -> None:
        """Listen as tornado does, with the door's longer accept queue."""
        sockets = tornado.netutil.bind_sockets(
            port,
            address=address,
            family=family,
            backlog=backlog or self.limits.backlog,
            flags=flags,
            reuse_port=reuse_port,
        )
        self.add_sockets(sockets)

    def add_sockets(self, sockets: Iterable[socket.socket]) -> None:
        """Accept on ``sockets`` with a loop that pauses when descriptors run out."""
        for sock in sockets:
            self._sockets[sock.fileno()] = sock
            self._handlers[sock.fileno()] = self._accept_on(sock)

    def _accept_on(self, sock: socket.socket) -> Callable[[], None]:
        loop = IOLoop.current()
        state = {"removed": False, "paused": False}

        def resume() -> None:
            if not state["removed"] and state["paused"]:
                state["paused"] = False
                loop.add_handler(sock, accept, IOLoop.READ)

        def accept(_fd: Any, _events: int) -> None:
            for _ in range(ACCEPT_BATCH):
                if state["removed"]:
                    return
                try:
                    connection, address = sock.accept()
                except (BlockingIOError, InterruptedError):
                    return
                except ConnectionAbortedError:
                    continue
                except OSError as exc:
                    if exc.errno not in OUT_OF_DESCRIPTORS:
                        raise
                    self.accept_errors += 1
                    self.troubled.set()
                    log_limited(
                        logger,
                        "webhook port cannot accept (%s): pausing %.2f s",
                        errno.errorcode.get(exc.errno or 0, "?"),
                        self.limits.accept_pause,
                        level=logging.ERROR,
                    )
                    state["paused"] = True
                    loop.remove_handler(sock)
                    loop.call_later(self.limits.accept_pause, resume)
                    return
                self._handle_connection(connection, address)

        def remove() -> None:
            if not state["paused"]:
                loop.remove_handler(sock)
            state["removed"] = True

        loop.add_handler(sock, accept, IOLoop.READ)
        return remove
