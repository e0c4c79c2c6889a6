"""Webhooks: Meta's shapes, signatures over the raw bytes, statuses, retries, raw posts."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from simulator.whatsapp import WhatsAppEmulator
from simulator.whatsapp.state import Contact
from simulator.whatsapp.webhooks import SIGNATURE_HEADER, sign
from tests.simulator.test_whatsapp_support import (
    DATA,
    PHONE_ID,
    SECRET,
    WABA_ID,
    Clock,
    Receiver,
    graph,
    receiving,
    running,
    send,
)

SITI = "6281234567890"


def shape(node: Any) -> Any:
    """The key structure of a JSON value (lists by their first item)."""
    if isinstance(node, dict):
        return {k: shape(v) for k, v in node.items()}
    if isinstance(node, list):
        return [shape(node[0])] if node else []
    return type(node).__name__


def test_signature_is_hmac_sha256_of_the_raw_bytes():
    raw = b'{"object":"whatsapp_business_account","entry":[]}'
    expected = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    assert sign(SECRET, raw) == f"sha256={expected}"
    redumped = json.dumps(json.loads(raw), indent=2).encode()
    assert redumped != raw and sign(SECRET, redumped) != sign(SECRET, raw)


async def _session(emu: WhatsAppEmulator, receiver: Receiver) -> None:
    """Siti writes, taps, and the bot answers once."""
    siti = emu.person(SITI, name="Siti")
    await siti.say("halo", expect_reply=False)
    async with graph(emu) as client:
        resp = await send(
            client,
            SITI,
            "interactive",
            {
                "type": "button",
                "body": {"text": "?"},
                "action": {
                    "buttons": [{"type": "reply", "reply": {"id": "cancel", "title": "Batal"}}]
                },
            },
        )
    assert resp.status_code == 200
    await siti.tap("Batal", expect_reply=False)
    await emu.drain()


async def test_webhooks_are_signed_and_shaped_like_meta():
    receiver = Receiver()
    clock = Clock()
    async with receiving(receiver) as url, running(clock, webhook_url=url) as emu:
        await _session(emu, receiver)
    assert receiver.kinds() == [
        "message:text",
        "status:sent",
        "status:delivered",
        "status:read",
        "message:interactive",
    ]
    for item in receiver.received:
        assert item.headers[SIGNATURE_HEADER] == sign(SECRET, item.raw)
    text, tap = receiver.received[0], receiver.received[-1]
    assert text.payload["entry"][0]["id"] == WABA_ID
    assert text.value["metadata"]["phone_number_id"] == PHONE_ID
    contact = text.value["contacts"][0]
    assert contact["profile"]["name"] == "Siti" and contact["wa_id"] == SITI
    assert contact["user_id"].startswith("ID.")
    message = text.value["messages"][0]
    assert message["timestamp"] == str(int(clock.now.timestamp()))
    spec = json.loads((DATA / "webhook" / "interactive-button-reply-message.json").read_text())
    ours = shape(tap.payload)
    ours["entry"][0]["changes"][0]["value"]["contacts"][0].pop("user_id")
    ours["entry"][0]["changes"][0]["value"]["messages"][0].pop("from_user_id")
    assert ours == shape(spec)
    sent = receiver.received[1].value["statuses"][0]
    assert tap.value["messages"][0]["context"]["id"] == sent["id"]
    assert sent["pricing"]["category"] == "service" and sent["recipient_id"] == SITI


async def test_non_200_answers_are_retried_then_given_up():
    receiver = Receiver(statuses=[500, 503])
    async with receiving(receiver) as url, running(Clock(), webhook_url=url) as emu:
        delivery = await emu.deliver({"object": "whatsapp_business_account", "entry": []})
        assert delivery.attempts == [500, 503, 200] and delivery.ok
        receiver.statuses = [500, 500, 500]
        failed = await emu.deliver({"object": "whatsapp_business_account", "entry": []})
        assert failed.attempts == [500, 500, 500] and not failed.ok
    assert (emu.stats.webhook_retries, emu.stats.webhooks_failed) == (4, 1)
    assert {r.raw for r in receiver.received} == {delivery.raw}  # retries repeat the bytes


async def test_a_refused_inbound_webhook_fails_the_person_at_once():
    receiver = Receiver(statuses=[403, 403, 403])
    async with receiving(receiver) as url, running(Clock(), webhook_url=url) as emu:
        try:
            await emu.person(SITI).say("halo")
        except AssertionError as exc:
            assert "refused the webhook" in str(exc) and "403" in str(exc)
        else:
            raise AssertionError("the person did not notice the refusal")


async def test_deliver_raw_posts_exact_bytes_with_any_signature():
    receiver = Receiver(statuses=[200, 401, 200])
    async with receiving(receiver) as url, running(Clock(), webhook_url=url) as emu:
        raw = b'{"object": "whatsapp_business_account", "entry": []}'
        assert await emu.deliver_raw(raw) == 200
        assert await emu.deliver_raw(raw, signature="sha256=" + "0" * 64) == 401
        assert await emu.deliver_raw(raw, signature=None) == 200
    first, forged, unsigned = receiver.received
    assert first.raw == raw and first.headers[SIGNATURE_HEADER] == emu.sign(raw)
    assert forged.headers[SIGNATURE_HEADER] == "sha256=" + "0" * 64
    assert SIGNATURE_HEADER not in unsigned.headers


async def test_statuses_without_a_webhook_url_are_skipped():
    async with running(Clock()) as emu, graph(emu) as client:
        emu.person(SITI).open_window()
        assert (await send(client, SITI, "text", {"body": "x"})).status_code == 200
        assert emu.deliveries == []
    assert Contact("ID.1", None, "x").window_open(Clock().now) is False


async def test_status_and_template_webhooks_match_pywa_fixtures():
    receiver = Receiver()
    async with receiving(receiver) as url, running(Clock(), webhook_url=url) as emu:
        emu.person(SITI, name="Siti").open_window()
        emu.add_template("pengingat", "id", "Halo {{1}}!", examples=("Siti",), status="PENDING")
        async with graph(emu) as client:
            assert (await send(client, SITI, "text", {"body": "x"})).status_code == 200
        emu.approve_template("pengingat", "id")
        await emu.drain()
    fixtures = DATA / "fixtures"
    status = json.loads((fixtures / "message_status.json").read_text())["sent"]
    ours = shape(receiver.received[0].payload)
    theirs = shape(status)
    their_value = theirs["entry"][0]["changes"][0]["value"]
    their_value["statuses"][0].pop("conversation")  # gone with per-message pricing
    their_value["statuses"][0]["pricing"]["type"] = "str"  # PMP adds pricing.type
    their_value["statuses"][0]["recipient_user_id"] = "str"  # the BSUID of the recipient
    their_value["contacts"][0].pop("parent_user_id")  # only for linked portfolios
    assert ours == theirs
    update = json.loads((fixtures / "template_status_update.json").read_text())["approved"]
    assert shape(receiver.received[-1].payload) == shape(update)
