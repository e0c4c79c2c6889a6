"""The people API against a tiny bot that answers webhooks through the Graph endpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from simulator.whatsapp import WhatsAppEmulator
from simulator.whatsapp.people import TINY_JPEG
from tests.simulator.test_whatsapp_support import (
    Clock,
    Receiver,
    buttons,
    graph,
    receiving,
    rows,
    running,
    send,
)

SITI = "6281234567890"


class TinyBot:
    """Answers each inbound message like a very small Dodolan would."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.contexts: list[str | None] = []

    async def __call__(self, value: dict[str, Any]) -> None:
        """React to one messages webhook."""
        msg = value["messages"][0]
        to = msg.get("from") or msg["from_user_id"]
        self.contexts.append(msg.get("context", {}).get("id"))
        kind = msg["type"]
        if kind == "text":
            await self._text(to, msg["text"]["body"])
        elif kind == "interactive":
            reply = msg["interactive"].get("button_reply") or msg["interactive"]["list_reply"]
            await self.say(to, f"Kamu pilih {reply['id']}")
        elif kind == "button":
            await self.say(to, f"Template {msg['button']['payload']}")
        elif kind == "location":
            await self.say(to, f"Lokasi {msg['location']['latitude']}")
        elif kind == "image":
            info = (await self.client.get(msg["image"]["id"])).json()
            data = (await self.client.get(info["url"])).content
            await self.say(to, f"Foto {len(data)} byte")

    async def _text(self, to: str, text: str) -> None:
        """Menus for a few words, an echo otherwise, silence for 'diam'."""
        if text == "halo":
            await send(self.client, to, "interactive", buttons("Daftar", "Info", body="Hai!"))
        elif text == "jadwal":
            await send(self.client, to, "interactive", rows(3))
        elif text == "dua":
            await self.say(to, "satu")
            await self.say(to, "dua")
        elif text != "diam":
            await self.say(to, f"Kamu bilang: {text}")

    async def say(self, to: str, text: str) -> None:
        """Send a text."""
        resp = await send(self.client, to, "text", {"body": text})
        assert resp.status_code == 200, resp.text


@pytest.fixture
def clock() -> Clock:
    """The test clock."""
    return Clock()


@pytest.fixture
async def world(clock: Clock) -> AsyncIterator[tuple[WhatsAppEmulator, TinyBot, Receiver]]:
    """The emulator, the tiny bot behind a fake webhook endpoint, and that endpoint."""
    receiver = Receiver()
    async with running(clock) as emu, graph(emu) as client, receiving(receiver) as url:
        bot = TinyBot(client)
        receiver.on_message = bot
        emu.webhook_url = url
        yield emu, bot, receiver
        emu.assert_no_violations()


async def test_say_tap_and_pick(world: tuple[WhatsAppEmulator, TinyBot, Receiver]):
    emu, bot, _ = world
    siti = emu.person(SITI, name="Siti")
    menu = await siti.say("halo")
    assert [m.titles for m in menu] == [["Daftar", "Info"]] and menu[0].text == "Hai!"
    assert [m.text for m in await siti.tap("Daftar")] == ["Kamu pilih b:0"]
    assert bot.contexts[-1] == menu[0].wamid
    await siti.say("jadwal")
    assert siti.last.list_button == "Lihat" and len(siti.last.rows) == 3
    assert [m.text for m in await siti.pick("Sesi 2")] == ["Kamu pilih r:2"]
    assert [m.text for m in await siti.pick("r:1")] == ["Kamu pilih r:1"]
    assert [m.text for m in await siti.say("dua")] == ["satu", "dua"]
    assert siti.last.text == "dua" and len(siti.messages) == 7


async def test_stale_and_forged_taps_reach_the_bot(
    world: tuple[WhatsAppEmulator, TinyBot, Receiver],
):
    emu, bot, _ = world
    siti = emu.person(SITI, name="Siti")
    old = (await siti.say("halo"))[0]
    await siti.say("halo")
    assert [m.text for m in await siti.tap_on(old, "Info")] == ["Kamu pilih b:1"]
    assert bot.contexts[-1] == old.wamid != siti.messages[1].wamid
    assert [m.text for m in await siti.tap_forged("bk:v1:999")] == ["Kamu pilih bk:v1:999"]
    with pytest.raises(AssertionError, match="no buttons 'Hapus'"):
        await siti.tap("Hapus")


async def test_template_quick_reply_tap(world: tuple[WhatsAppEmulator, TinyBot, Receiver]):
    emu, bot, _ = world
    emu.add_template(
        "pengingat_sesi",
        "id",
        "Halo {{1}}, sesi besok.",
        examples=("Siti",),
        quick_replies=("Saya hadir", "Tidak bisa"),
    )
    siti = emu.person(SITI, name="Siti")
    template = {
        "name": "pengingat_sesi",
        "language": {"code": "id"},
        "components": [
            {"type": "body", "parameters": [{"type": "text", "text": "Siti"}]},
            {
                "type": "button",
                "sub_type": "quick_reply",
                "index": 0,
                "parameters": [{"type": "payload", "payload": "hadir:42"}],
            },
        ],
    }
    assert (await send(bot.client, SITI, "template", template)).status_code == 200
    assert siti.last.text == "Halo Siti, sesi besok." and not siti.window_open
    assert [m.text for m in await siti.tap_template("Saya hadir")] == ["Template hadir:42"]
    assert siti.window_open and bot.contexts[-1] == siti.messages[0].wamid


async def test_location_photo_and_scan(world: tuple[WhatsAppEmulator, TinyBot, Receiver]):
    emu, _, _ = world
    siti = emu.person(SITI, name="Siti")
    assert [m.text for m in await siti.share_location(-7.98, 112.63)] == ["Lokasi -7.98"]
    assert [m.text for m in await siti.send_image()] == [f"Foto {len(TINY_JPEG)} byte"]
    link = f"https://wa.me/{emu.display_phone_number}?text=HADIR-AB12"
    assert [m.text for m in await siti.scan(link)] == ["Kamu bilang: HADIR-AB12"]
    with pytest.raises(AssertionError, match="not the business number"):
        await siti.scan("https://wa.me/6280000000000?text=HADIR-AB12")


async def test_silence_and_timeouts(world: tuple[WhatsAppEmulator, TinyBot, Receiver]):
    emu, _, _ = world
    siti = emu.person(SITI, name="Siti")
    assert await siti.say("diam", expect_reply=False) == []
    with pytest.raises(AssertionError, match="expected no reply"):
        await siti.say("halo", expect_reply=False)
    with pytest.raises(AssertionError, match=r"no reply within 0\.3s") as info:
        await siti.say("diam", within=0.3)
    assert "Recent webhooks" in str(info.value)


async def test_a_person_without_a_phone_number(
    world: tuple[WhatsAppEmulator, TinyBot, Receiver],
):
    emu, _, receiver = world
    ani = emu.person(username="ani.malang", name="Ani")
    assert ani.wa_id is None and ani.user_id.startswith("ID.")
    assert [m.text for m in await ani.say("halo juga")] == ["Kamu bilang: halo juga"]
    inbound = receiver.received[0].value
    assert "from" not in inbound["messages"][0] and "wa_id" not in inbound["contacts"][0]
    assert inbound["contacts"][0]["profile"] == {"name": "Ani", "username": "ani.malang"}


async def test_reading_the_chat_sends_read_statuses(
    world: tuple[WhatsAppEmulator, TinyBot, Receiver],
):
    emu, _, receiver = world
    siti = emu.person(SITI, name="Siti")
    await siti.say("halo")
    await siti.say("diam", expect_reply=False)
    await emu.drain()
    assert receiver.kinds() == [
        "message:text",
        "status:sent",
        "status:delivered",
        "status:read",
        "message:text",
    ]
    assert siti.messages[0].status == "read"
