"""Helpers for the WhatsApp emulator tests: a fake webhook receiver and Graph calls.

No tests here; the test modules build their fixtures from these helpers.
"""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import tornado.httpserver
import tornado.netutil
import tornado.web

from simulator.whatsapp import Limits, WhatsAppEmulator

DATA = Path(__file__).with_name("whatsapp_data")
PHONE_ID = "106540352242922"
WABA_ID = "419561257915477"
TOKEN = "EAAG-test-token"
SECRET = "malang-app-secret"
VERSION = "v23.0"
START = datetime(2026, 12, 11, 2, 0, tzinfo=UTC)


class Clock:
    """A movable, timezone-aware clock."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        """The current time."""
        return self.now

    def advance(self, **delta: float) -> None:
        """Move forward."""
        self.now += timedelta(**delta)


@dataclass
class Received:
    """One webhook POST as the receiver saw it."""

    raw: bytes
    headers: dict[str, str]

    @property
    def payload(self) -> dict[str, Any]:
        """The parsed body."""
        parsed: dict[str, Any] = json.loads(self.raw)
        return parsed

    @property
    def value(self) -> dict[str, Any]:
        """entry[0].changes[0].value."""
        value: dict[str, Any] = self.payload["entry"][0]["changes"][0]["value"]
        return value


OnMessage = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass
class Receiver:
    """The bot's webhook endpoint, faked: records posts, answers ``statuses`` in turn."""

    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    on_message: OnMessage | None = None

    def kinds(self) -> list[str]:
        """'message:<type>', 'status:<status>' or the field name of each post."""
        out = []
        for item in self.received:
            change = item.payload["entry"][0]["changes"][0]
            value = change["value"]
            if "messages" in value:
                out.append(f"message:{value['messages'][0]['type']}")
            elif "statuses" in value:
                out.append(f"status:{value['statuses'][0]['status']}")
            else:
                out.append(change["field"])
        return out


class _Hook(tornado.web.RequestHandler):
    """POST /whatsapp."""

    def initialize(self, receiver: Receiver) -> None:
        """Receive the receiver."""
        self.receiver = receiver

    def check_xsrf_cookie(self) -> None:
        """No cookies."""

    async def post(self) -> None:
        """Record, answer, then let the fake bot react to messages."""
        rec = self.receiver
        rec.received.append(Received(self.request.body, dict(self.request.headers)))
        status = rec.statuses.pop(0) if rec.statuses else 200
        self.set_status(status)
        await self.finish("ok")
        if status != 200 or rec.on_message is None or not rec.received[-1].payload["entry"]:
            return
        value = rec.received[-1].value
        if "messages" in value:
            await rec.on_message(value)


@asynccontextmanager
async def receiving(receiver: Receiver) -> AsyncIterator[str]:
    """Serve the receiver on 127.0.0.1; yields its URL."""
    app = tornado.web.Application([(r"/whatsapp", _Hook, {"receiver": receiver})])
    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1", family=socket.AF_INET)
    server = tornado.httpserver.HTTPServer(app)
    server.add_sockets(sockets)
    try:
        yield f"http://127.0.0.1:{sockets[0].getsockname()[1]}/whatsapp"
    finally:
        server.stop()
        await server.close_all_connections()


@asynccontextmanager
async def running(
    clock: Clock, limits: Limits | None = None, **options: Any
) -> AsyncIterator[WhatsAppEmulator]:
    """A started emulator with the test ids, token and secret."""
    emu = WhatsAppEmulator(PHONE_ID, WABA_ID, TOKEN, SECRET, clock=clock, limits=limits, **options)
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


def graph(emu: WhatsAppEmulator, token: str = TOKEN) -> httpx.AsyncClient:
    """An httpx client on the Graph root with the bearer token."""
    return httpx.AsyncClient(
        base_url=f"{emu.base_url}/{VERSION}/",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


async def send(
    client: httpx.AsyncClient, to: str, kind: str, content: Any, **extra: Any
) -> httpx.Response:
    """POST a message of one type."""
    body = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": kind,
        kind: content,
        **extra,
    }
    return await client.post(f"{PHONE_ID}/messages", json=body)


def buttons(*titles: str, body: str = "Pilih") -> dict[str, Any]:
    """An interactive reply-button object."""
    return {
        "type": "button",
        "body": {"text": body},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": f"b:{i}", "title": t}}
                for i, t in enumerate(titles)
            ]
        },
    }


def rows(count: int, sections: int = 1, body: str = "Jadwal") -> dict[str, Any]:
    """An interactive list with ``count`` rows spread over ``sections`` sections."""
    per = -(-count // sections)
    return {
        "type": "list",
        "body": {"text": body},
        "action": {
            "button": "Lihat",
            "sections": [
                {
                    "title": f"Minggu {s + 1}",
                    "rows": [
                        {"id": f"r:{i}", "title": f"Sesi {i}", "description": "Balai Kota"}
                        for i in range(s * per, min(count, (s + 1) * per))
                    ],
                }
                for s in range(sections)
            ],
        },
    }


def error_code(resp: httpx.Response) -> int:
    """Meta's error code in a refusal."""
    code: int = resp.json()["error"]["code"]
    return code
