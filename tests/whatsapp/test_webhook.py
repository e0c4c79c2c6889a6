"""The webhook over real HTTP: verification, signature and size checks, then the inbox."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import tornado.netutil

from handlers.whatsapp import events
from handlers.whatsapp.settings import WhatsAppSettings
from handlers.whatsapp.signature import sign
from handlers.whatsapp.webhook import MAX_BODY_BYTES, make_app, make_server
from storage.database import Database
from storage.whatsapp_inbox import WhatsAppInboxRepository
from tests.waiting import GUARD
from tests.whatsapp.conftest import Clock
from tests.whatsapp.fixtures import batched, meta, pywa

SECRET = "app-secret-for-tests"
VERIFY = "kata-rahasia-verifikasi"
SETTINGS = WhatsAppSettings(
    access_token="token",
    phone_number_id="106540352242922",
    app_secret=SECRET,
    verify_token=VERIFY,
    path="hooks/wa",
)


class Server:
    """The webhook application on a free local port, and what it told the processor."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}/hooks/wa"
        self.wakes = 0

    def woken(self) -> None:
        self.wakes += 1


@pytest.fixture
async def server(inbox: WhatsAppInboxRepository, clock: Clock) -> AsyncIterator[Server]:
    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    running = Server(sockets[0].getsockname()[1])
    http = make_server(make_app(SETTINGS, inbox, running.woken, now=clock))
    http.add_sockets(sockets)
    try:
        yield running
    finally:
        http.stop()
        await http.close_all_connections()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as http:
        yield http


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


async def post(
    client: httpx.AsyncClient, server: Server, raw: bytes, sig: str | None
) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if sig is not None:
        headers["X-Hub-Signature-256"] = sig
    return await client.post(server.url, content=raw, headers=headers)


async def test_verification_echoes_the_challenge(server: Server, client: httpx.AsyncClient):
    params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    answer = await client.get(server.url, params=params)
    assert answer.status_code == 200
    assert answer.text == "1158201444"
    assert answer.headers["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "tebakan", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY, "hub.challenge": "1"},
        {"hub.challenge": "1"},
        {},
    ],
)
async def test_verification_with_a_wrong_token_is_refused(
    server: Server, client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    answer = await client.get(server.url, params=params)
    assert answer.status_code == 403 and answer.text == ""


async def test_a_signed_post_is_stored_then_answered(
    server: Server, client: httpx.AsyncClient, inbox: WhatsAppInboxRepository
) -> None:
    raw = body_of(batched(pywa("message", "text"), pywa("message_status", "delivered")))
    answer = await post(client, server, raw, sign(SECRET, raw))
    assert answer.status_code == 200
    rows = await inbox.all_events()
    assert [(r.event_key, r.kind) for r in rows] == [
        ("wamid.xyzxyz", "message"),
        ("wamid.xyzxyz:delivered", "status"),
    ]
    assert server.wakes == 1


async def test_the_same_post_again_adds_nothing(
    server: Server, client: httpx.AsyncClient, inbox: WhatsAppInboxRepository
) -> None:
    raw = body_of(meta("button-message"))
    for _ in range(3):
        answer = await post(client, server, raw, sign(SECRET, raw))
        assert answer.status_code == 200
    assert len(await inbox.all_events()) == 1
    assert server.wakes == 1


async def test_an_unsigned_post_is_refused_with_401(
    server: Server, client: httpx.AsyncClient, inbox: WhatsAppInboxRepository
) -> None:
    raw = body_of(meta("text-message"))
    assert (await post(client, server, raw, None)).status_code == 401
    assert (await post(client, server, raw, "")).status_code == 401
    assert await inbox.all_events() == []


async def test_a_wrongly_signed_post_is_refused_with_403(
    server: Server, client: httpx.AsyncClient, inbox: WhatsAppInboxRepository
) -> None:
    payload = meta("text-message")
    raw = body_of(payload)
    again = json.dumps(payload, indent=1).encode()  # the same JSON, other bytes
    assert (await post(client, server, again, sign(SECRET, raw))).status_code == 403
    assert (await post(client, server, raw, sign("other-secret", raw))).status_code == 403
    assert (await post(client, server, raw, "sha256=" + "0" * 64)).status_code == 403
    assert await inbox.all_events() == []
    assert server.wakes == 0


async def test_an_oversized_post_is_refused_before_its_body_is_sent(server: Server) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        writer.write(
            (
                "POST /hooks/wa HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Content-Type: application/json\r\nContent-Length: {MAX_BODY_BYTES + 1}\r\n"
                f"X-Hub-Signature-256: sha256={'0' * 64}\r\n\r\n"
            ).encode()
        )
        await writer.drain()  # no body byte is ever sent
        status_line = await asyncio.wait_for(reader.readline(), GUARD)
    finally:
        writer.close()
        await writer.wait_closed()
    assert status_line.startswith(b"HTTP/1.1 413")


async def test_a_post_at_the_cap_is_read(
    server: Server, client: httpx.AsyncClient, inbox: WhatsAppInboxRepository
) -> None:
    payload = pywa("message", "text")
    raw = body_of(payload)
    raw = raw[:-1] + b" " * (MAX_BODY_BYTES - len(raw)) + b"}"  # valid JSON, exactly 3 MB
    assert len(raw) == MAX_BODY_BYTES
    assert (await post(client, server, raw, sign(SECRET, raw))).status_code == 200
    assert len(await inbox.all_events()) == 1


async def test_a_post_without_a_length_is_refused(
    server: Server, client: httpx.AsyncClient
) -> None:
    raw = body_of(meta("text-message"))

    async def chunks() -> AsyncIterator[bytes]:
        yield raw

    headers = {"X-Hub-Signature-256": sign(SECRET, raw)}
    answer = await client.post(server.url, content=chunks(), headers=headers)
    assert answer.status_code == 411


async def test_signed_but_not_json_is_acknowledged_and_dropped_with_one_log_line(
    server: Server,
    client: httpx.AsyncClient,
    inbox: WhatsAppInboxRepository,
    caplog: pytest.LogCaptureFixture,
) -> None:
    raw = b"{not json"
    with caplog.at_level(logging.WARNING, logger="handlers.whatsapp.webhook"):
        assert (await post(client, server, raw, sign(SECRET, raw))).status_code == 200
    assert "dropped a signed webhook POST that is not a payload (9 bytes)" in caplog.text
    assert await inbox.all_events() == [] and server.wakes == 0


async def test_a_storage_failure_answers_500_so_meta_retries(
    server: Server,
    client: httpx.AsyncClient,
    db: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with db.transaction() as tx:
        await tx.execute("DROP TABLE whatsapp_inbox")
    raw = body_of(pywa("message", "text"))
    with caplog.at_level(logging.ERROR, logger="handlers.whatsapp.webhook"):
        answer = await post(client, server, raw, sign(SECRET, raw))
    assert answer.status_code == 500 and answer.text == ""
    assert "Meta will retry" in caplog.text
    assert "Body Text" not in caplog.text and "972987654321" not in caplog.text
    assert server.wakes == 0


async def test_other_paths_are_not_found(server: Server, client: httpx.AsyncClient) -> None:
    answer = await client.get(server.url.replace("hooks/wa", "telegram"))
    assert answer.status_code == 404


def to_number(payload: dict[str, Any], phone_number_id: str) -> dict[str, Any]:
    """The payload as Meta sends it for another business number of the same app."""
    for entry in payload["entry"]:
        for change in entry["changes"]:
            change["value"]["metadata"]["phone_number_id"] = phone_number_id
    return payload


async def test_events_for_another_number_of_the_app_are_acknowledged_and_dropped(
    server: Server,
    client: httpx.AsyncClient,
    inbox: WhatsAppInboxRepository,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(events._FOREIGN, "warned", False)
    ours = pywa("message", "text")
    theirs = to_number(pywa("message_status", "delivered"), "999000111222333")
    with caplog.at_level(logging.DEBUG, logger="handlers.whatsapp"):
        for payload in (batched(ours, theirs), to_number(meta("text-message"), "999000111222333")):
            raw = body_of(payload)
            assert (await post(client, server, raw, sign(SECRET, raw))).status_code == 200
    assert [r.event_key for r in await inbox.all_events()] == ["wamid.xyzxyz"]
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage().split(";")[0] for r in warnings] == [
        "dropped 1 webhook events for another phone number of this app"
    ]  # once, then at DEBUG
    assert "999000111222333" not in caplog.text and "wamid" not in caplog.text


@pytest.mark.parametrize(
    "raw",
    [
        b'{"entry":' + b"[" * 500 + b"]" * 500 + b"}",  # parses, but no payload is so deep
        b'{"entry":' + b"[" * 100_000 + b"]" * 100_000 + b"}",  # deeper than recursion allows
        b'{"entry": "\xff\xfe not utf-8"}',
    ],
    ids=["deep", "deeper-than-recursion", "not-utf-8"],
)
async def test_pathological_json_is_acknowledged_and_dropped_never_retried_by_meta(
    server: Server, client: httpx.AsyncClient, inbox: WhatsAppInboxRepository, raw: bytes
) -> None:
    # Meta retries every answer but 200 for up to 7 days; this body can never be stored.
    assert (await post(client, server, raw, sign(SECRET, raw))).status_code == 200
    assert await inbox.all_events() == [] and server.wakes == 0


@pytest.mark.parametrize("raw", [b"[" * 100_000 + b"]" * 100_000, b"\xff\xfe not utf-8"])
async def test_a_body_that_is_no_json_object_is_refused_by_the_door_at_its_first_byte(
    server: Server, client: httpx.AsyncClient, inbox: WhatsAppInboxRepository, raw: bytes
) -> None:
    assert (await post(client, server, raw, sign(SECRET, raw))).status_code == 400
    assert await inbox.all_events() == []


async def test_a_lone_surrogate_is_stored_as_a_replacement_character(
    server: Server, client: httpx.AsyncClient, inbox: WhatsAppInboxRepository
) -> None:
    raw = body_of(pywa("message", "text")).replace(b"Body Text", b"halo \\ud83d \\ud83d\\ude00")
    assert (await post(client, server, raw, sign(SECRET, raw))).status_code == 200
    (stored,) = await inbox.all_events()
    assert stored.payload["message"]["text"]["body"] == "halo \ufffd \U0001f600"
