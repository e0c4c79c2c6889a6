"""The WhatsApp emulator's messages endpoint through raw HTTP: answers, refusals, window."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from simulator.whatsapp import WhatsAppEmulator
from tests.simulator.test_whatsapp_support import (
    PHONE_ID,
    Clock,
    Receiver,
    buttons,
    error_code,
    graph,
    receiving,
    rows,
    running,
    send,
)

SITI = "6281234567890"


@pytest.fixture
def clock() -> Clock:
    """The test clock."""
    return Clock()


@pytest.fixture
async def emu(clock: Clock) -> AsyncIterator[WhatsAppEmulator]:
    """An emulator with Siti, whose window is open."""
    async with running(clock) as emulator:
        emulator.person(SITI, name="Siti").open_window()
        yield emulator


@pytest.fixture
async def client(emu: WhatsAppEmulator) -> AsyncIterator[httpx.AsyncClient]:
    """A Graph client with the right token."""
    async with graph(emu) as c:
        yield c


async def test_text_send_answers_like_meta(emu: WhatsAppEmulator, client: httpx.AsyncClient):
    resp = await send(client, "+62 812-3456-7890", "text", {"body": "Halo Siti"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["messaging_product"] == "whatsapp"
    assert body["contacts"] == [{"input": "+62 812-3456-7890", "wa_id": SITI}]
    assert body["messages"][0]["id"].startswith("wamid.")
    siti = emu.person(SITI)
    assert siti.last.text == "Halo Siti" and siti.last.wamid == body["messages"][0]["id"]
    no_type = {"messaging_product": "whatsapp", "to": SITI, "text": {"body": "default"}}
    assert (await client.post(f"{PHONE_ID}/messages", json=no_type)).status_code == 200
    emu.assert_no_violations()


async def test_token_and_path_ids_are_checked(emu: WhatsAppEmulator):
    async with graph(emu, token="wrong") as bad:
        resp = await send(bad, SITI, "text", {"body": "x"})
    assert resp.status_code == 401 and error_code(resp) == 190
    assert resp.json()["error"]["type"] == "OAuthException"
    async with httpx.AsyncClient() as anonymous:
        resp = await anonymous.post(emu.messages_url(), json={})
    assert resp.status_code == 401
    async with graph(emu) as client:
        resp = await client.post("999/messages", json={"to": SITI})
        assert resp.status_code == 400 and error_code(resp) == 100
        resp = await client.post(f"{PHONE_ID}/mesages", json={})
        assert resp.status_code == 400 and error_code(resp) == 2500
    assert len(emu.violations) == 4


async def test_unknown_and_unreachable_recipients_get_131026(
    emu: WhatsAppEmulator, client: httpx.AsyncClient
):
    resp = await send(client, "6289999999999", "text", {"body": "x"})
    assert resp.status_code == 400 and error_code(resp) == 131026
    emu.unreachable(SITI)
    resp = await send(client, SITI, "text", {"body": "x"})
    assert error_code(resp) == 131026
    error = resp.json()["error"]
    assert error["error_data"]["messaging_product"] == "whatsapp" and error["fbtrace_id"]
    emu.unreachable(SITI, False)
    assert (await send(client, SITI, "text", {"body": "x"})).status_code == 200
    emu.assert_no_violations()


async def test_window_closes_24_hours_after_the_last_inbound(
    emu: WhatsAppEmulator, client: httpx.AsyncClient, clock: Clock
):
    clock.advance(hours=23, minutes=59)
    assert (await send(client, SITI, "text", {"body": "masih"})).status_code == 200
    clock.advance(minutes=1)
    resp = await send(client, SITI, "text", {"body": "terlambat"})
    assert resp.status_code == 400 and error_code(resp) == 131047
    assert [v.code for v in emu.violations] == [131047]
    assert emu.person(SITI).window_open is False


async def test_async_errors_report_in_a_failed_status(clock: Clock):
    receiver = Receiver()
    async with receiving(receiver) as url, running(clock, async_errors=True) as emu:
        emu.webhook_url = url
        emu.person(SITI, name="Siti")
        async with graph(emu) as client:
            resp = await send(client, SITI, "text", {"body": "x"})
        assert resp.status_code == 200
        await emu.drain()
    failed = receiver.received[-1].value["statuses"][0]
    assert failed["status"] == "failed" and failed["errors"][0]["code"] == 131047
    assert failed["id"] == resp.json()["messages"][0]["id"]


@pytest.mark.parametrize(
    ("interactive", "problem"),
    [
        (buttons("A", "B", "C", "D"), "at most 3"),
        (buttons("Daftar sekarang juga!"), "at most 20"),
        (buttons("Ya", "ya"), "unique titles"),
        (buttons(""), "at least 1"),
        (rows(11, sections=2), "Total row count"),
        (rows(3, sections=1) | {"header": {"type": "image", "image": {"id": "1"}}}, "text"),
        (buttons("Ya", body="x" * 1025), "at most 1024"),
        (buttons("Ya") | {"footer": {"text": "f" * 61}}, "at most 60"),
        (buttons("Ya") | {"colour": "red"}, 'Unexpected key "colour"'),
        ({"type": "button", "action": buttons("Ya")["action"]}, "body'] is required"),
    ],
)
async def test_interactive_limits_are_refused(
    emu: WhatsAppEmulator, client: httpx.AsyncClient, interactive: dict, problem: str
):
    resp = await send(client, SITI, "interactive", interactive)
    assert resp.status_code == 400 and error_code(resp) == 100, resp.text
    assert problem in resp.json()["error"]["error_data"]["details"]
    assert emu.violations and not emu.person(SITI).messages


async def test_list_edges_that_meta_accepts(emu: WhatsAppEmulator, client: httpx.AsyncClient):
    ten = rows(10, sections=2, body="b" * 4096)
    assert (await send(client, SITI, "interactive", ten)).status_code == 200
    untitled = rows(2)
    del untitled["action"]["sections"][0]["title"]
    assert (await send(client, SITI, "interactive", untitled)).status_code == 200
    two = rows(4, sections=2)
    del two["action"]["sections"][1]["title"]
    resp = await send(client, SITI, "interactive", two)
    assert "needs a title" in resp.json()["error"]["error_data"]["details"]
    ask = {
        "type": "location_request_message",
        "body": {"text": "Kirim lokasi"},
        "action": {"name": "send_location"},
    }
    assert (await send(client, SITI, "interactive", ask)).status_code == 200
    assert emu.person(SITI).last.location_request
    assert emu.person(SITI).messages[0].row_titles[-1] == "Sesi 9"


@pytest.mark.parametrize(
    ("kind", "content", "problem"),
    [
        ("text", {"body": "x" * 4097}, "at most 4096"),
        ("text", {"body": ""}, "at least 1"),
        ("text", {"bodi": "x"}, "required"),
        ("image", {"link": "https://x.id/a.jpg", "caption": "c" * 1025}, "at most 1024"),
        ("image", {"link": "https://x.id/a.jpg", "filename": "a.jpg"}, "filename"),
        ("document", {"id": "1", "link": "https://x.id/a.pdf"}, 'Unexpected key "link"'),
        ("location", {"latitude": -7.98}, "longitude"),
        ("sticker", {"id": "1"}, "not supported by the Dodolan emulator"),
    ],
)
async def test_other_messages_are_checked(
    emu: WhatsAppEmulator, client: httpx.AsyncClient, kind: str, content: dict, problem: str
):
    resp = await send(client, SITI, kind, content)
    assert resp.status_code == 400, resp.text
    assert problem in resp.json()["error"]["error_data"]["details"]


async def test_location_and_linked_media_are_accepted(
    emu: WhatsAppEmulator, client: httpx.AsyncClient
):
    loc = {"latitude": -7.9666, "longitude": 112.6326, "name": "Balai Kota Malang"}
    assert (await send(client, SITI, "location", loc)).status_code == 200
    doc = {"link": "https://dodolan.id/nota.pdf", "filename": "nota.pdf", "caption": "Nota"}
    assert (await send(client, SITI, "document", doc)).status_code == 200
    last = emu.person(SITI).last
    assert (last.filename, last.link, last.data, last.text) == (
        "nota.pdf",
        "https://dodolan.id/nota.pdf",
        None,
        "Nota",
    )
    assert emu.person(SITI).messages[0].location == loc
    emu.assert_no_violations()


async def test_read_receipts_need_a_real_inbound_message(
    emu: WhatsAppEmulator, client: httpx.AsyncClient
):
    receipt = {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.nope"}
    resp = await client.post(f"{PHONE_ID}/messages", json=receipt)
    assert resp.status_code == 400 and error_code(resp) == 100
    wamid = emu.person(SITI)._message({"type": "text", "text": {"body": "halo"}}, None)["id"]
    receipt |= {"message_id": wamid, "typing_indicator": {"type": "text"}}
    resp = await client.post(f"{PHONE_ID}/messages", json=receipt)
    assert resp.json() == {"success": True}
    assert emu.world.inbox[-1].read


async def test_faults_answer_then_clear(emu: WhatsAppEmulator, client: httpx.AsyncClient):
    emu.faults.add("503")
    emu.faults.add("130429", to=SITI)
    emu.faults.add("drop")
    resp = await send(client, SITI, "text", {"body": "1"})
    assert resp.status_code == 503 and error_code(resp) == 2
    assert error_code(await send(client, SITI, "text", {"body": "2"})) == 130429
    with pytest.raises(httpx.RemoteProtocolError):
        await send(client, SITI, "text", {"body": "3"})
    assert (await send(client, SITI, "text", {"body": "4"})).status_code == 200
    assert emu.stats.faults_fired == 3 and not emu.violations
