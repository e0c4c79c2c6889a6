"""Templates (lifecycle, sends, counts, tier), media round trips and pacing limits."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from simulator.whatsapp import Limits, WhatsAppEmulator
from simulator.whatsapp.people import TINY_JPEG
from tests.simulator.test_whatsapp_support import (
    PHONE_ID,
    WABA_ID,
    Clock,
    Receiver,
    error_code,
    graph,
    receiving,
    running,
    send,
)

SITI = "6281234567890"
REMINDER = {
    "name": "pengingat_sesi",
    "language": "id",
    "category": "UTILITY",
    "components": [
        {"type": "HEADER", "format": "TEXT", "text": "Sesi besok"},
        {
            "type": "BODY",
            "text": "Halo {{1}}, sesi {{2}} besok jam 09.00.",
            "example": {"body_text": [["Siti", "Foto Produk"]]},
        },
        {"type": "FOOTER", "text": "Dodolan"},
        {
            "type": "BUTTONS",
            "buttons": [
                {"type": "QUICK_REPLY", "text": "Saya hadir"},
                {"type": "QUICK_REPLY", "text": "Tidak bisa"},
            ],
        },
    ],
}


def reminder(*values: str, payload: str = "hadir:42", language: str = "id") -> dict[str, Any]:
    """The template part of a reminder send."""
    return {
        "name": "pengingat_sesi",
        "language": {"code": language},
        "components": [
            {"type": "body", "parameters": [{"type": "text", "text": v} for v in values]},
            {
                "type": "button",
                "sub_type": "quick_reply",
                "index": "0",
                "parameters": [{"type": "payload", "payload": payload}],
            },
        ],
    }


@pytest.fixture
def clock() -> Clock:
    """The test clock."""
    return Clock()


@pytest.fixture
async def emu(clock: Clock) -> AsyncIterator[WhatsAppEmulator]:
    """An emulator with Siti (window closed)."""
    async with running(clock) as emulator:
        emulator.person(SITI, name="Siti")
        yield emulator


@pytest.fixture
async def client(emu: WhatsAppEmulator) -> AsyncIterator[httpx.AsyncClient]:
    """A Graph client."""
    async with graph(emu) as c:
        yield c


async def test_template_lifecycle_with_status_webhooks(clock: Clock):
    receiver = Receiver()
    async with receiving(receiver) as url, running(clock, webhook_url=url) as emu:
        emu.person(SITI, name="Siti")
        async with graph(emu) as client:
            created = await client.post(f"{WABA_ID}/message_templates", json=REMINDER)
            assert created.json() == {
                "id": created.json()["id"],
                "status": "PENDING",
                "category": "UTILITY",
            }
            pending = await send(client, SITI, "template", reminder("Siti", "Foto"))
            assert error_code(pending) == 132001
            emu.approve_template("pengingat_sesi", "id")
            listed = (
                await client.get(f"{WABA_ID}/message_templates", params={"name": "pengingat_sesi"})
            ).json()
            assert [(t["name"], t["language"], t["status"]) for t in listed["data"]] == [
                ("pengingat_sesi", "id", "APPROVED")
            ]
            sent = await send(client, SITI, "template", reminder("Siti", "Foto Produk"))
            assert sent.status_code == 200 and sent.json()["messages"][0]["message_status"]
            for status, code in (("PAUSED", 132015), ("DISABLED", 132016)):
                emu.set_template_status("pengingat_sesi", "id", status)
                assert error_code(await send(client, SITI, "template", reminder("a", "b"))) == code
        await emu.drain()
    _check_lifecycle(emu, receiver)


def _check_lifecycle(emu: WhatsAppEmulator, receiver: Receiver) -> None:
    """What the lifecycle test left behind: status updates, the rendered message, pricing."""
    updates = [r.value for r in receiver.received if "event" in r.value]
    assert [u["event"] for u in updates] == ["APPROVED", "PAUSED", "DISABLED"]
    assert updates[0]["message_template_name"] == "pengingat_sesi"
    last = emu.person(SITI).last
    assert last.template == "pengingat_sesi" and last.header == "Sesi besok"
    assert last.text == "Halo Siti, sesi Foto Produk besok jam 09.00."
    assert [(b.id, b.title) for b in last.buttons] == [
        ("hadir:42", "Saya hadir"),
        ("Tidak bisa", "Tidak bisa"),
    ]
    delivered = [r.value["statuses"][0] for r in receiver.received if "statuses" in r.value]
    assert delivered[0]["pricing"] == {
        "billable": True,
        "pricing_model": "PMP",
        "category": "utility",
        "type": "regular",
    }


@pytest.mark.parametrize(
    ("template", "code"),
    [
        (reminder("Siti"), 132000),
        (reminder("Siti", "Foto", "extra"), 132000),
        (reminder("Siti", "Foto", language="en_US"), 132001),
        (reminder("Siti\nFoto", "x"), 132018),
        ({"name": "tidak_ada", "language": {"code": "id"}}, 132001),
        (
            {
                **reminder("a", "b"),
                "components": [
                    {"type": "header", "parameters": [{"type": "text", "text": "x"}]},
                    *reminder("a", "b")["components"],
                ],
            },
            132000,
        ),
    ],
)
async def test_template_sends_are_checked(
    emu: WhatsAppEmulator, client: httpx.AsyncClient, template: dict, code: int
):
    await client.post(f"{WABA_ID}/message_templates", json=REMINDER)
    emu.approve_template("pengingat_sesi", "id")
    resp = await send(client, SITI, "template", template)
    assert error_code(resp) == code, resp.text
    assert [v.code for v in emu.violations] == [code]


def _with(**changes: Any) -> dict[str, Any]:
    """The reminder creation body with its BODY component changed."""
    body = {**REMINDER["components"][1], **changes}
    return {**REMINDER, "components": [body]}


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({**REMINDER, "category": "PROMO"}, "must be one of"),
        ({**REMINDER, "name": "Pengingat Sesi"}, "expected format"),
        (_with(text="{{1}} sesi besok"), "start or end"),
        (_with(text="Halo {{2}}"), "numbered"),
        (_with(example={"body_text": [["Siti"]]}), "sample value"),
        ({**REMINDER, "components": [REMINDER["components"][0]]}, "exactly one BODY"),
        (
            {
                **REMINDER,
                "components": [
                    *REMINDER["components"][:3],
                    {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "x" * 26}]},
                ],
            },
            "at most 25",
        ),
    ],
)
async def test_template_creation_is_checked(
    emu: WhatsAppEmulator, client: httpx.AsyncClient, body: dict, problem: str
):
    resp = await client.post(f"{WABA_ID}/message_templates", json=body)
    assert error_code(resp) == 100
    assert problem in resp.json()["error"]["error_data"]["details"]
    again = await client.post(f"{WABA_ID}/message_templates", json=REMINDER)
    assert again.status_code == 200
    dup = await client.post(f"{WABA_ID}/message_templates", json=REMINDER)
    assert "already exists" in dup.json()["error"]["error_data"]["details"]


async def test_auto_approve_and_seeded_templates(clock: Clock):
    async with running(clock, auto_approve=True) as emu, graph(emu) as client:
        created = await client.post(f"{WABA_ID}/message_templates", json=REMINDER)
        assert created.json()["status"] == "APPROVED"
        emu.add_template("info", "en_US", "Hello!", status="REJECTED")
        assert emu.template("info", "en_US").status == "REJECTED"
        with pytest.raises(KeyError, match="pengingat_sesi"):
            emu.template("info", "id")
        with pytest.raises(ValueError, match="unknown template status"):
            emu.set_template_status("info", "en_US", "LIVE")


async def test_messaging_tier_counts_unique_out_of_window_recipients(clock: Clock):
    async with running(clock, Limits(tier=2)) as emu, graph(emu) as client:
        emu.add_template(
            "pengingat_sesi",
            "id",
            "Halo {{1}}, sesi {{2}}.",
            examples=("a", "b"),
            quick_replies=("Saya hadir",),
        )
        numbers = ["6281100000001", "6281100000002", "6281100000003"]
        for number in numbers:
            emu.person(number)
        template = reminder("A", "B")
        ok = [await send(client, n, "template", template) for n in numbers[:2]]
        assert [r.status_code for r in ok] == [200, 200]
        third = await send(client, numbers[2], "template", template)
        assert error_code(third) == 131048 and emu.stats.tier_refused == 1
        assert (await send(client, numbers[0], "template", template)).status_code == 200
        emu.person(numbers[2]).open_window()
        assert (await send(client, numbers[2], "template", template)).status_code == 200
        clock.advance(hours=24)
        assert emu.tier_used == 2
        assert (await send(client, numbers[1], "template", template)).status_code == 200
        assert emu.tier_used == 1 and not emu.violations


async def test_media_round_trip(emu: WhatsAppEmulator, client: httpx.AsyncClient):
    pdf = b"%PDF-1.4 nota"
    files = {"file": ("nota.pdf", pdf, "application/pdf")}
    data = {"messaging_product": "whatsapp", "type": "application/pdf"}
    media_id = (await client.post(f"{PHONE_ID}/media", data=data, files=files)).json()["id"]
    info = (await client.get(media_id)).json()
    assert info["sha256"] == hashlib.sha256(pdf).hexdigest() and info["file_size"] == len(pdf)
    assert info["mime_type"] == "application/pdf" and info["id"] == media_id
    assert (await client.get(info["url"])).content == pdf
    async with httpx.AsyncClient() as anonymous:
        assert (await anonymous.get(info["url"])).status_code == 401
    emu.person(SITI).open_window()
    doc = {"id": media_id, "filename": "nota.pdf", "caption": "Nota pesanan"}
    assert (await send(client, SITI, "document", doc)).status_code == 200
    last = emu.person(SITI).last
    assert (last.data, last.filename, last.text) == (pdf, "nota.pdf", "Nota pesanan")
    missing = await send(client, SITI, "image", {"id": "424242"})
    assert error_code(missing) == 100 and "not found" in missing.text
    emu.violations.clear()
    fake = {"file": ("a.jpg", b"not a jpeg", "image/jpeg")}
    bad = await client.post(f"{PHONE_ID}/media", data={**data, "type": "image/jpeg"}, files=fake)
    assert error_code(bad) == 131053
    jpeg = {"file": ("a.jpg", TINY_JPEG, "image/jpeg")}
    no_product = await client.post(f"{PHONE_ID}/media", files=jpeg)
    assert error_code(no_product) == 100
    assert (await client.delete(media_id)).json() == {"success": True}
    assert (await client.get(media_id)).status_code == 400


class _Ticker:
    """A hand-moved monotonic clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_throughput_and_pair_limits(clock: Clock):
    ticker = _Ticker()
    limits = Limits(messages_per_second=3, pair_burst=2, pair_interval=6.0)
    async with running(clock, limits, monotonic=ticker) as emu, graph(emu) as client:
        for number in ("6281100000001", "6281100000002"):
            emu.person(number).open_window()
        one = [await send(client, "6281100000001", "text", {"body": "x"}) for _ in range(3)]
        assert [r.status_code for r in one[:2]] == [200, 200]
        assert error_code(one[2]) == 131056
        assert error_code(await send(client, "6281100000002", "text", {"body": "x"})) == 130429
        ticker.now += 6.0
        assert (await send(client, "6281100000001", "text", {"body": "x"})).status_code == 200
        assert (emu.stats.pair_limited, emu.stats.throughput_limited) == (1, 1)
        assert not emu.violations
