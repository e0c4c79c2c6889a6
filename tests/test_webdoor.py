"""The door of both webhook ports, over real sockets: connection and byte caps, timeouts,
early refusals, and log lines that a flood cannot multiply."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import resource
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import tornado.netutil

from bot.app.settings import WebhookSettings, load_settings
from bot.app.telegram import build_application
from handlers.log_repeats import RepeatFilter
from handlers.telegram.webhook import LIMITS as TG_LIMITS
from handlers.telegram.webhook import webhook_server
from handlers.webdoor import KIB, DoorLimits, DoorServer, door_of
from handlers.whatsapp.settings import WhatsAppSettings
from handlers.whatsapp.signature import sign
from handlers.whatsapp.webhook import LIMITS as WA_LIMITS
from handlers.whatsapp.webhook import make_app, make_server
from storage.database import Database
from storage.whatsapp_inbox import WhatsAppInboxRepository
from tests.waiting import GUARD
from tests.whatsapp.conftest import INBOX_MIGRATION, Clock
from tests.whatsapp.fixtures import meta

TOKEN = "123456:TEST-dodolan-door-token-00000000000000000"
TG_SECRET = "door-secret_1"
WA_SECRET = "door-app-secret"
WA_SETTINGS = WhatsAppSettings(
    access_token="token",
    phone_number_id="106540352242922",
    app_secret=WA_SECRET,
    verify_token="verify",
    path="whatsapp",
)
ROOMY = DoorLimits(
    max_body_bytes=64 * KIB,
    buffered_bytes=256 * KIB,
    small_body_bytes=4 * KIB,
    small_reserve_bytes=64 * KIB,
    header_timeout=60,
    body_timeout=60,
)


def telegram_update(update_id: int) -> bytes:
    message = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": 42, "type": "private", "first_name": "Siti"},
        "from": {"id": 42, "is_bot": False, "first_name": "Siti"},
        "text": "bantuan",
    }
    return json.dumps({"update_id": update_id, "message": message}).encode()


@dataclass
class Port:
    """One webhook port on a free local port, and how a real sender talks to it."""

    server: DoorServer
    number: int
    path: str
    signed: Callable[[bytes], dict[str, str]]  # the headers a real sender adds to a body
    real_body: Callable[[], bytes]
    landed: Callable[[], Awaitable[int]]  # how many real webhooks reached the bot

    async def send_real(self) -> int:
        """POST a real webhook and return the status."""
        body = self.real_body()
        headers = {"Content-Type": "application/json", **self.signed(body)}
        async with httpx.AsyncClient(timeout=10) as client:
            url = f"http://127.0.0.1:{self.number}/{self.path}"
            return (await client.post(url, content=body, headers=headers)).status_code

    def head(
        self, length: int, path: str | None = None, *, signed: bool = True, body: bytes = b"{}"
    ) -> bytes:
        """A POST's request line and headers declaring ``length`` bytes (signed for ``body``)."""
        lines = [
            f"POST /{path or self.path} HTTP/1.1",
            "Host: 127.0.0.1",
            "Content-Type: application/json",
            f"Content-Length: {length}",
            *(f"{k}: {v}" for k, v in (self.signed(body) if signed else {}).items()),
        ]
        return ("\r\n".join(lines) + "\r\n\r\n").encode()


StartPort = Callable[[str, DoorLimits], Awaitable[Port]]


@pytest.fixture
async def start_port(tmp_path: Path) -> AsyncIterator[StartPort]:
    servers: list[DoorServer] = []
    databases: list[Database] = []

    async def start(kind: str, limits: DoorLimits) -> Port:
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        number = sockets[0].getsockname()[1]
        if kind == "telegram":
            env = {"TELEGRAM_BOT_TOKEN": TOKEN, "DODOLAN_DATABASE": str(tmp_path / "t.sqlite3")}
            application = build_application(load_settings(env))
            hook = WebhookSettings("http://127.0.0.1", TG_SECRET, "127.0.0.1", number, "telegram")
            server = webhook_server(application, hook, limits)
            ids = iter(range(1, 10_000))

            async def telegram_landed() -> int:
                return application.update_queue.qsize()

            port = Port(
                server,
                number,
                "telegram",
                lambda body: {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET},
                lambda: telegram_update(next(ids)),
                telegram_landed,
            )
        else:
            db = await Database.open(tmp_path / "w.sqlite3")
            databases.append(db)
            async with db.raw_writer() as conn:
                await conn.executescript(INBOX_MIGRATION.read_text(encoding="utf-8"))
            inbox = WhatsAppInboxRepository(db)
            server = make_server(
                make_app(WA_SETTINGS, inbox, lambda: None, now=Clock(), limits=limits)
            )
            payload = meta("text-message")
            ids = iter(range(1, 10_000))

            def wa_body() -> bytes:
                message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
                message["id"] = f"wamid.door{next(ids)}"
                return json.dumps(payload).encode()

            async def wa_landed() -> int:
                return len(await inbox.all_events())

            port = Port(
                server,
                number,
                "whatsapp",
                lambda body: {"X-Hub-Signature-256": sign(WA_SECRET, body)},
                wa_body,
                wa_landed,
            )
        server.add_sockets(sockets)
        servers.append(server)
        return port

    yield start
    for server in servers:
        server.stop()
        await server.close_all_connections()
    for db in databases:
        await db.close()


async def closed_by_server(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sends until it closes the connection."""
    return await asyncio.wait_for(reader.read(), GUARD)


async def status_line(reader: asyncio.StreamReader) -> bytes:
    return (await asyncio.wait_for(reader.readline(), GUARD)).strip()


KINDS = ["telegram", "whatsapp"]


@pytest.mark.parametrize("kind", KINDS)
async def test_over_cap_connections_are_closed_while_a_real_webhook_still_succeeds(
    start_port: StartPort, kind: str
) -> None:
    port = await start_port(kind, DoorLimits(**{**ROOMY.__dict__, "connections": 8}))
    attackers = []
    for i in range(24):
        reader, writer = await asyncio.open_connection("127.0.0.1", port.number)
        if i % 2:  # slow headers: never finished
            writer.write(b"POST /" + port.path.encode() + b" HTTP/1.1\r\nHost: x\r\n")
        else:  # held: headers whole, a body that never ends
            writer.write(port.head(2 * KIB) + b'{"update_id": ')
        await writer.drain()
        attackers.append((reader, writer))
    assert await port.send_real() == 200
    assert await port.landed() == 1
    # the kernel queues connections in order: the 24 came before the real one
    assert port.server.evicted == 24 + 1 - 8
    assert port.server.open_connections <= 8
    reads = {asyncio.create_task(closed_by_server(reader)) for reader, _ in attackers}
    closed = 0
    while closed < port.server.evicted:
        done, reads = await asyncio.wait(reads, return_when=asyncio.FIRST_COMPLETED)
        closed += len(done)
    for task in reads:
        task.cancel()
    assert await port.send_real() == 200  # and again, with the door still full of attackers
    for _, writer in attackers:
        writer.close()


@pytest.mark.parametrize("kind", KINDS)
async def test_an_oversized_length_is_refused_before_the_body(
    start_port: StartPort, kind: str
) -> None:
    port = await start_port(kind, ROOMY)
    reader, writer = await asyncio.open_connection("127.0.0.1", port.number)
    writer.write(port.head(ROOMY.max_body_bytes + 1))  # no body byte is ever sent
    await writer.drain()
    assert (await status_line(reader)).startswith(b"HTTP/1.1 413")
    assert await closed_by_server(reader) is not None
    writer.close()
    assert port.server.limits.max_body_bytes == ROOMY.max_body_bytes


@pytest.mark.parametrize("kind", KINDS)
async def test_unsigned_other_paths_and_other_methods_are_refused_before_the_body(
    start_port: StartPort, kind: str
) -> None:
    port = await start_port(kind, ROOMY)
    heads = {
        b"HTTP/1.1 404": port.head(60 * KIB, "elsewhere"),
        b"HTTP/1.1 40": port.head(60 * KIB, signed=False),  # 401 or 403
        b"HTTP/1.1 405": port.head(60 * KIB).replace(b"POST", b"PUT", 1),
    }
    for expected, head in heads.items():
        reader, writer = await asyncio.open_connection("127.0.0.1", port.number)
        writer.write(head)
        await writer.drain()
        assert (await status_line(reader)).startswith(expected), head
        writer.close()


async def held_reaches(port: Port, size: int) -> None:
    """Wait until the port's budget holds ``size`` bytes of bodies."""
    budget = door_of(port.server.request_callback).budget
    while budget.held != size:
        budget.changed.clear()
        await asyncio.wait_for(budget.changed.wait(), GUARD)


@pytest.mark.parametrize("kind", KINDS)
async def test_bodies_past_the_budget_are_refused_while_a_small_real_one_passes(
    start_port: StartPort, kind: str
) -> None:
    port = await start_port(kind, ROOMY)  # 192 KB for large bodies, 64 KB kept for small
    held = []
    part = b"{" + b" " * (64 * KIB - 2)  # each sends all of its 64 KB but one byte, and stops
    for _ in range(3):
        reader, writer = await asyncio.open_connection("127.0.0.1", port.number)
        writer.write(port.head(64 * KIB) + part)
        await writer.drain()
        held.append((reader, writer))
    await held_reaches(port, 3 * len(part))
    reader, writer = await asyncio.open_connection("127.0.0.1", port.number)
    writer.write(port.head(64 * KIB) + b"{" + b" " * 100)
    await writer.drain()
    answer = await closed_by_server(reader)
    assert answer.startswith(b"HTTP/1.1 503") and b"Retry-After: 1" in answer
    writer.close()
    assert await port.send_real() == 200
    for _, writer in held:
        writer.close()
    await held_reaches(port, 0)  # every byte given back when the senders went away


@pytest.mark.parametrize("kind", KINDS)
async def test_declared_lengths_alone_cannot_lock_the_real_sender_out(
    start_port: StartPort, kind: str
) -> None:
    # Before the signature is checked anyone can declare a length: 68 connections declaring
    # bodies they never send charged the budget in full and locked Meta out with 503.
    limits = WA_LIMITS if kind == "whatsapp" else TG_LIMITS  # the production limits
    port = await start_port(kind, limits)
    held = []
    large = min(limits.max_body_bytes, limits.buffered_bytes - limits.small_reserve_bytes)
    for length in [large] * 4 + [limits.small_body_bytes] * 64:
        reader, writer = await asyncio.open_connection("127.0.0.1", port.number)
        writer.write(port.head(length) + b"{")
        await writer.drain()
        held.append((reader, writer))
    await held_reaches(port, 4)  # one byte of each large body; small ones are not charged
    assert port.server.open_connections < limits.connections
    try:
        assert await port.send_real() == 200
        assert await port.landed() == 1
    finally:
        for _, writer in held:
            writer.close()


@pytest.mark.parametrize("kind", KINDS)
async def test_a_body_that_is_not_json_is_refused_at_its_first_byte(
    start_port: StartPort, kind: str
) -> None:
    port = await start_port(kind, ROOMY)
    reader, writer = await asyncio.open_connection("127.0.0.1", port.number)
    writer.write(port.head(60 * KIB) + b"  <html>")  # 59.9 KB of it never come
    await writer.drain()
    assert (await status_line(reader)).startswith(b"HTTP/1.1 400")
    await closed_by_server(reader)
    writer.close()
    assert door_of(port.server.request_callback).budget.held == 0  # its 60 KB given back
    assert await port.send_real() == 200


async def test_a_get_with_a_body_is_refused_at_its_first_byte(start_port: StartPort) -> None:
    port = await start_port("whatsapp", ROOMY)  # Meta's verification is a GET
    reader, writer = await asyncio.open_connection("127.0.0.1", port.number)
    head = port.head(60 * KIB).replace(b"POST", b"GET", 1)  # no budget was asked for it
    writer.write(head + b"{")
    await writer.drain()
    assert (await status_line(reader)).startswith(b"HTTP/1.1 400")
    writer.close()


@pytest.mark.parametrize("kind", KINDS)
async def test_slow_headers_idle_connections_and_slow_bodies_are_cut_off(
    start_port: StartPort, kind: str
) -> None:
    limits = DoorLimits(**{**ROOMY.__dict__, "header_timeout": 0.2, "body_timeout": 0.2})
    port = await start_port(kind, limits)
    slow, slow_writer = await asyncio.open_connection("127.0.0.1", port.number)
    slow_writer.write(b"POST /" + port.path.encode() + b" HTTP/1.1\r\nHost: x\r\n")
    body, body_writer = await asyncio.open_connection("127.0.0.1", port.number)
    body_writer.write(port.head(2 * KIB) + b"{")
    idle, idle_writer = await asyncio.open_connection("127.0.0.1", port.number)
    real = port.real_body()
    idle_writer.write(port.head(len(real), body=real) + real)
    for writer in (slow_writer, body_writer, idle_writer):
        await writer.drain()
    assert await closed_by_server(slow) == b""
    assert await closed_by_server(body) == b""
    answered = await closed_by_server(idle)  # answered, then closed when idle
    assert answered.startswith(b"HTTP/1.1 200")
    for writer in (slow_writer, body_writer, idle_writer):
        writer.close()


async def test_running_out_of_descriptors_pauses_accepting_with_few_log_lines(
    start_port: StartPort, caplog: pytest.LogCaptureFixture
) -> None:
    limits = DoorLimits(**{**ROOMY.__dict__, "accept_pause": 0.01})
    port = await start_port("whatsapp", limits)
    client = socket.socket()  # its descriptor is taken now, its connection made later
    client.setblocking(False)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    in_use = len(os.listdir("/proc/self/fd"))
    resource.setrlimit(resource.RLIMIT_NOFILE, (in_use + 64, hard))
    spare: list[int] = []
    try:
        with caplog.at_level(logging.INFO):
            while True:  # take every descriptor left, so the server cannot accept
                try:
                    spare.append(os.dup(0))
                except OSError:
                    break
            await asyncio.get_running_loop().sock_connect(client, ("127.0.0.1", port.number))
            while port.server.accept_errors < 50:
                port.server.troubled.clear()
                await asyncio.wait_for(port.server.troubled.wait(), GUARD)
            for fd in spare:
                os.close(fd)
            spare.clear()
            reader, writer = await asyncio.open_connection(sock=client)
            writer.write(port.head(5, "elsewhere") + b"{}   ")
            await writer.drain()
            assert (await status_line(reader)).startswith(b"HTTP/1.1 404")  # accepted at last
            writer.close()
            await writer.wait_closed()
    finally:
        for fd in spare:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        client.close()
    lines = [r for r in caplog.records if "cannot accept" in r.getMessage()]
    assert 1 <= len(lines) <= 5
    assert "EMFILE" in lines[0].getMessage()


def test_repeated_lines_pass_a_few_at_a_time_and_are_counted() -> None:
    now = [1000.0]
    log = logging.getLogger("tests.webdoor.repeats")
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    keep, limit = Keep(), RepeatFilter(burst=5, window=60, clock=lambda: now[0])
    log.addHandler(keep)
    log.addFilter(limit)
    log.propagate = False
    try:
        for i in range(100_000):
            log.warning("could not accept connection %d", i)
        log.warning("another kind of line")
        now[0] += 61
        log.warning("could not accept connection %d", -1)
    finally:
        log.removeHandler(keep)
        log.removeFilter(limit)
        log.propagate = True
    assert seen[:5] == [f"could not accept connection {i}" for i in range(5)]
    assert seen[5] == "another kind of line"
    assert seen[6] == "could not accept connection -1 (and 99995 more like this in the last 61 s)"
    assert len(seen) == 7


def request(port: Port, body: bytes) -> bytes:
    return port.head(len(body), body=body) + body


async def response(reader: asyncio.StreamReader) -> bytes:
    """One whole response of the door (its bodies are empty or given by Content-Length)."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), GUARD)
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            await reader.readexactly(int(line.split(b":")[1]))
    return head.split(b"\r\n", 1)[0]


@pytest.mark.parametrize("kind", KINDS)
async def test_a_proven_senders_kept_alive_connection_outlasts_strangers(
    start_port: StartPort, kind: str
) -> None:
    port = await start_port(kind, DoorLimits(**{**ROOMY.__dict__, "connections": 8}))
    reader, writer = await asyncio.open_connection("127.0.0.1", port.number)
    writer.write(request(port, port.real_body()))
    assert (await response(reader)).startswith(b"HTTP/1.1 200")
    strangers = []
    for _ in range(24):  # each newer than the kept-alive connection, each evictable
        _, s_writer = await asyncio.open_connection("127.0.0.1", port.number)
        s_writer.write(b"POST /" + port.path.encode() + b" HTTP/1.1\r\n")
        await s_writer.drain()
        strangers.append(s_writer)
    assert await port.send_real() == 200  # the last stranger is surely in by now
    writer.write(request(port, port.real_body()))  # the same connection, later
    assert (await response(reader)).startswith(b"HTTP/1.1 200")
    assert await port.landed() == 3
    writer.close()
    for s_writer in strangers:
        s_writer.close()
