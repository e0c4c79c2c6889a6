"""The web chat of ``dodolan demo`` over HTTP: personas, messages, buttons, contact, files,
the 📎 menu's attachments, and the icon."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from simulator import BotApiEmulator
from simulator.people import TINY_PNG
from simulator.webchat import (
    MAX_UPLOAD,
    Persona,
    WebChat,
    current_keyboard,
    keyboard_put_away,
)
from tests.e2e.support import create_session, register_owner
from tests.harness import STAFF_ID, RunningBot

SITI = Persona(1001, "Siti", "Pemilik UKM", "id", "+6281234567890")
RINA = Persona(STAFF_ID, "Bu Rina", "Petugas Dinas", "id", "+6281300000001")


@pytest.fixture
async def web(emulator: BotApiEmulator, bot: RunningBot) -> AsyncIterator[httpx.AsyncClient]:
    chat = WebChat(emulator, [SITI, RINA], port=0)
    await chat.start()
    try:
        async with httpx.AsyncClient(base_url=chat.url, timeout=10) as client:
            yield client
    finally:
        await chat.stop()


async def send(web: httpx.AsyncClient, text: str, uid: int = SITI.user_id) -> dict[str, Any]:
    """Type a message as a persona; return the chat after the bot reacted."""
    answer = await web.post(f"/api/chats/{uid}/send", json={"text": text})
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["chat"])


async def press(web: httpx.AsyncClient, chat: dict[str, Any], label: str) -> httpx.Response:
    """Tap the inline button with this label on the latest bot message that has it."""
    for message in reversed(chat["messages"]):
        for r, row in enumerate(message["buttons"]):
            for c, button in enumerate(row):
                if button["text"] == label:
                    body = {"message_id": message["id"], "row": r, "col": c, "text": label}
                    return await web.post(f"/api/chats/{SITI.user_id}/press", json=body)
    raise AssertionError(f"no button {label!r}")


def bot_texts(chat: dict[str, Any]) -> list[str]:
    return [m["text"] for m in chat["messages"] if m["from_bot"]]


async def test_lists_personas_and_serves_the_page(web: httpx.AsyncClient) -> None:
    personas = (await web.get("/api/personas")).json()
    assert [p["name"] for p in personas["personas"]] == ["Siti", "Bu Rina"]
    assert personas["bot"]["first_name"] == "Dodolan"
    assert personas["timezone"] == "Asia/Jakarta"  # the page shows times as the bot does
    assert {"Alun-Alun Merdeka", "Balai Kota Malang", "Malang Creative Center"} <= {
        place["name"] for place in personas["places"]
    }
    page = await web.get("/")
    assert page.status_code == 200 and "/static/app.js" in page.text
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert (await web.get("/static/app.js")).status_code == 200


async def test_a_message_reaches_the_bot_and_the_reply_shows_in_that_chat(
    web: httpx.AsyncClient,
) -> None:
    chat = await send(web, "/start")
    assert chat["messages"][0] == {
        "id": 1,
        "from_bot": False,
        "date": chat["messages"][0]["date"],
        "edited": False,
        "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        "buttons": [],
    }
    assert bot_texts(chat)[0].startswith("Halo, Siti!")
    consent = chat["messages"][-1]
    assert consent["buttons"][0][0] == {"text": "✅ Setuju"}
    staff_chat = (await web.get(f"/api/chats/{STAFF_ID}")).json()
    assert staff_chat["messages"] == []


async def test_buttons_reply_keyboard_and_sharing_the_number(web: httpx.AsyncClient) -> None:
    chat = await send(web, "/start")
    answer = await press(web, chat, "✅ Setuju")
    assert answer.status_code == 200 and answer.json()["reacted"]
    assert "Langkah 1 dari 7" in bot_texts(answer.json()["chat"])[-1]
    await send(web, "Siti Aminah")
    chat = await send(web, "Keripik Tempe")
    chat = (await press(web, chat, "Kuliner/makanan-minuman")).json()["chat"]
    chat = (await press(web, chat, "Lowokwaru")).json()["chat"]
    assert chat["keyboard"] == [
        [{"text": "📱 Kirim nomor saya", "contact": True, "location": False}]
    ]
    shared = await web.post(
        f"/api/chats/{SITI.user_id}/reply", json={"text": "📱 Kirim nomor saya"}
    )
    chat = shared.json()["chat"]
    assert {"phone": "+6281234567890", "name": "Siti"} in [
        m.get("contact") for m in chat["messages"]
    ]
    assert any(t.startswith("Nomor +6281234567890 tersimpan. ✅") for t in bot_texts(chat))
    assert chat["keyboard"] is None or chat["keyboard_put_away"]  # removed, or one-time


def test_a_used_one_time_keyboard_is_put_away_but_kept(emulator: BotApiEmulator) -> None:
    state, uid = emulator.state, SITI.user_id
    share = {"text": "📱 Kirim nomor saya", "request_contact": True}
    for one_time in (True, False):
        markup = {"keyboard": [[share], ["Nanti saja"]], "one_time_keyboard": one_time}
        state.add_message(uid, {"text": "Nomor HP?"}, from_bot=True, markup=markup)
        assert current_keyboard(state.chat(uid)) is not None
        assert not keyboard_put_away(state.chat(uid))
        state.add_message(uid, {"text": "0812 3456 7890"}, from_bot=False)  # typed, not tapped
        assert not keyboard_put_away(state.chat(uid))
        state.add_message(uid, {"contact": {"phone_number": "+62812"}}, from_bot=False)
        assert keyboard_put_away(state.chat(uid)) is one_time
        assert current_keyboard(state.chat(uid)) is not None  # still one tap away
    state.add_message(uid, {"text": "Nanti saja"}, from_bot=False)
    assert not keyboard_put_away(state.chat(uid))  # not one-time: it stays up
    state.add_message(uid, {"text": "Oke"}, from_bot=True, markup={"remove_keyboard": True})
    assert current_keyboard(state.chat(uid)) is None and not keyboard_put_away(state.chat(uid))


async def test_stale_or_invented_buttons_are_refused(web: httpx.AsyncClient) -> None:
    chat = await send(web, "/start")
    await press(web, chat, "✅ Setuju")
    consent = next(m for m in reversed(chat["messages"]) if m["buttons"])
    body = {"message_id": consent["id"], "row": 0, "col": 0, "text": "✅ Setuju"}
    stale = await web.post(f"/api/chats/{SITI.user_id}/press", json=body)
    assert stale.status_code == 409  # the bot removed the keyboard when it moved on
    body = {"message_id": consent["id"], "row": -1, "col": 0, "text": "x"}
    assert (await web.post(f"/api/chats/{SITI.user_id}/press", json=body)).status_code == 409
    reply = await web.post(
        f"/api/chats/{SITI.user_id}/reply", json={"text": "📱 Kirim nomor saya"}
    )
    assert reply.status_code == 409  # no keyboard asks for the number now


async def chat_with(web: httpx.AsyncClient, emulator: BotApiEmulator, *parts: str) -> Any:
    """Siti's chat once messages with each of these parts have come (the bot paces its
    messages, so the rest of a reply follows the answer the press returned with)."""
    async with asyncio.timeout(10):
        while True:
            event = emulator.state.activity.event
            chat = (await web.get(f"/api/chats/{SITI.user_id}")).json()
            if all(any(part in m for m in chat["messages"]) for part in parts):
                return chat
            await event.wait()


async def test_booking_calendar_downloads_as_a_file(
    web: httpx.AsyncClient, bot: RunningBot, emulator: BotApiEmulator
) -> None:
    session = await create_session(bot)
    await register_owner(bot, SITI.user_id, "Siti")
    chat = await send(web, "/jadwal")
    assert (await press(web, chat, "✅ Pesan kursi")).status_code == 200
    chat = await chat_with(web, emulator, "document")
    confirmation = next(m for m in chat["messages"] if "document" in m)
    document = confirmation["document"]
    assert document["name"] == f"sesi-{session.id}.ics"
    (map_button,) = confirmation["buttons"][0]  # the map comes as a button on the same message
    assert map_button["url"].startswith("https://www.google.com/maps/search/?api=1&query=-7.93")
    download = await web.get(document["url"])
    assert download.status_code == 200 and download.content.startswith(b"BEGIN:VCALENDAR")
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="sesi-{session.id}.ics"')
    inline = await web.get(document["url"].split("?")[0])
    assert inline.status_code == 404  # only images are shown inline


async def test_refuses_other_hosts_forms_and_strangers(web: httpx.AsyncClient) -> None:
    assert (await web.get("/api/personas", headers={"Host": "evil.example"})).status_code == 403
    form = await web.post(f"/api/chats/{SITI.user_id}/send", data={"text": "/start"})
    assert form.status_code == 415
    assert (await web.get("/api/chats/4242")).status_code == 404
    assert (await web.post("/api/chats/4242/send", json={"text": "hi"})).status_code == 404
    assert (await web.get("/api/files/EMUDOC000001nothing")).status_code == 404
    empty = await web.post(f"/api/chats/{SITI.user_id}/send", json={"text": "  "})
    assert empty.status_code == 400


async def test_events_stream_reports_chat_versions(web: httpx.AsyncClient) -> None:
    async with web.stream("GET", "/api/events") as stream:
        assert stream.headers["Content-Type"] == "text/event-stream"
        lines = stream.aiter_lines()
        first = await anext(lines)
        versions = json.loads(first.removeprefix("data: "))["versions"]
        assert versions == {str(SITI.user_id): "1.0.0", str(STAFF_ID): "1.0.0"}
        await send(web, "/start")
        line = ""
        while not line.startswith("data: "):
            line = await anext(lines)
        assert json.loads(line.removeprefix("data: "))["versions"][str(SITI.user_id)] != "1.0.0"


async def test_the_icon_is_served_so_browsers_find_no_404(web: httpx.AsyncClient) -> None:
    page = (await web.get("/")).text
    assert '<link rel="icon" href="/static/favicon.svg"' in page
    for path in ("/static/favicon.svg", "/favicon.ico"):
        icon = await web.get(path)
        assert icon.status_code == 200, path
        assert icon.headers["Content-Type"] == "image/svg+xml"
        assert icon.content.startswith(b"<svg")


async def attach(web: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
    """Send something from the 📎 menu as Siti."""
    return await web.post(f"/api/chats/{SITI.user_id}/attach", json=body)


def sent(emulator: BotApiEmulator) -> dict[str, Any]:
    """The Message JSON of Siti's newest message, as the bot received it."""
    chat = emulator.state.chat(SITI.user_id)
    return next(m.json for m in reversed(chat.messages.values()) if not m.from_bot)


async def test_attachments_reach_the_bot_as_telegram_messages(
    web: httpx.AsyncClient, emulator: BotApiEmulator
) -> None:
    png = base64.b64encode(TINY_PNG).decode()
    answer = await attach(web, {"kind": "photo", "data": png, "caption": "Produk baru"})
    assert answer.status_code == 200, answer.text
    message = sent(emulator)
    assert message["caption"] == "Produk baru" and len(message["photo"]) == 2
    view = mine(answer.json()["chat"])["photo"]
    assert view["width"] == 800  # the biggest size FakeUser.send_photo offers
    assert (await web.get(view["url"])).content == TINY_PNG

    pdf = base64.b64encode(b"%PDF-1.4 brosur").decode()
    body = {"kind": "document", "data": pdf, "name": "C:\\brosur.pdf", "mime": "application/pdf"}
    assert (await attach(web, body)).status_code == 200
    document = sent(emulator)["document"]
    assert (document["file_name"], document["mime_type"]) == ("brosur.pdf", "application/pdf")

    body = {"kind": "location", "latitude": -7.982553, "longitude": 112.630771}
    chat = (await attach(web, body)).json()["chat"]
    assert sent(emulator)["location"] == {"latitude": -7.982553, "longitude": 112.630771}
    assert mine(chat)["place"]["map"].startswith(
        "https://www.openstreetmap.org/?mlat=-7.982553&mlon=112.630771"
    )

    assert (await attach(web, {"kind": "contact", "user_id": RINA.user_id})).status_code == 200
    contact = sent(emulator)["contact"]
    assert (contact["phone_number"], contact["first_name"]) == ("+6281300000001", "Bu Rina")
    assert contact["user_id"] == RINA.user_id
    assert (await attach(web, {"kind": "contact", "user_id": SITI.user_id})).status_code == 200
    assert sent(emulator)["contact"]["phone_number"] == SITI.phone


def mine(chat: dict[str, Any]) -> dict[str, Any]:
    """The persona's newest message in a chat view."""
    return dict([m for m in chat["messages"] if not m["from_bot"]][-1])


async def test_attachments_that_telegram_would_not_send_are_refused(
    web: httpx.AsyncClient, emulator: BotApiEmulator
) -> None:
    before = len(emulator.state.chat(SITI.user_id).messages)
    text = base64.b64encode(b"not an image").decode()
    too_big = base64.b64encode(b"\0" * (MAX_UPLOAD + 1)).decode()
    for body in (
        {"kind": "photo", "data": text},
        {"kind": "photo", "data": "***"},
        {"kind": "document", "data": too_big, "name": "big.bin"},
        {"kind": "document", "data": ""},
        {"kind": "document", "data": text, "caption": "x" * 1025},
        {"kind": "location", "latitude": 91, "longitude": 112.6},
        {"kind": "location", "latitude": True, "longitude": 112.6},
        {"kind": "location", "latitude": "-7.9", "longitude": 112.6},
        {"kind": "contact", "user_id": 4242},
        {"kind": "sticker"},
    ):
        assert (await attach(web, body)).status_code == 400, body
    form = await web.post(f"/api/chats/{SITI.user_id}/attach", data={"kind": "contact"})
    assert form.status_code == 415
    assert len(emulator.state.chat(SITI.user_id).messages) == before
