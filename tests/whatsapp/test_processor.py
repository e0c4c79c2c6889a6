"""The inbox processor: each stored event reaches the bot once; failures are retried, kept."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime

import httpx
import pytest
import tornado.netutil

from handlers.whatsapp.events import Event, Inbound, StatusEvent, split
from handlers.whatsapp.inbox import InboxProcessor
from handlers.whatsapp.signature import sign
from handlers.whatsapp.webhook import make_app, make_server
from storage.database import Database
from storage.whatsapp_inbox import WhatsAppInboxRepository
from tests.waiting import GUARD
from tests.whatsapp.conftest import Clock
from tests.whatsapp.fixtures import batched, meta, pywa
from tests.whatsapp.test_webhook import SECRET, SETTINGS

BODY = batched(pywa("message", "text"), pywa("message_status", "read"), meta("button-message"))


class Bot:
    """Records what it was handed; fails the events it is told to fail."""

    def __init__(self, failing: int = 0) -> None:
        self.handled: list[Event] = []
        self.failing = failing  # fail this many calls first
        self.calls = 0
        self.arrived = asyncio.Event()

    async def handle(self, event: Event) -> None:
        self.calls += 1
        if self.calls <= self.failing:
            raise RuntimeError("the bot tripped")
        self.handled.append(event)
        self.arrived.set()


async def test_each_event_is_handled_once(inbox: WhatsAppInboxRepository, clock: Clock) -> None:
    bot = Bot()
    processor = InboxProcessor(inbox, bot.handle, now=clock)
    await inbox.store_batch(split(BODY), clock())
    assert await processor.process_once() == 3
    assert await processor.process_once() == 0
    await inbox.store_batch(split(BODY), clock())  # Meta delivers the same POST again
    assert await processor.process_once() == 0
    kinds = sorted(type(e).__name__ for e in bot.handled)
    assert kinds == ["Inbound", "Inbound", "StatusEvent"]  # each once (people side by side)
    texts = [e.text for e in bot.handled if isinstance(e, Inbound)]
    assert "Body Text" in texts
    assert [e.status for e in bot.handled if isinstance(e, StatusEvent)] == ["read"]
    assert await inbox.summary() == {"done": 3}


def text_from(wa_id: str, wamid: str, body: str) -> dict[str, object]:
    """A webhook payload with one text message."""
    message = {"from": wa_id, "id": wamid, "timestamp": "1796090400", "type": "text"}
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "6281130000000", "phone_number_id": "1"},
        "contacts": [{"profile": {"name": "X"}, "wa_id": wa_id}],
        "messages": [{**message, "text": {"body": body}}],
    }
    change = {"field": "messages", "value": value}
    return {"object": "whatsapp_business_account", "entry": [{"id": "9", "changes": [change]}]}


async def test_one_persons_events_keep_their_order_and_never_hold_up_anothers(
    inbox: WhatsAppInboxRepository, clock: Clock
) -> None:
    order: list[str] = []
    budi_answered = asyncio.Event()

    async def handle(event: Event) -> None:
        assert isinstance(event, Inbound)
        if event.text == "siti 1":  # her reply waits (for WhatsApp's per-person pacing) ...
            await asyncio.wait_for(budi_answered.wait(), GUARD)  # ... and Budi's must not
        order.append(event.text or "")
        if event.text == "budi 1":
            budi_answered.set()

    for wa_id, wamid, body in (
        ("6281111", "wamid.s1", "siti 1"),
        ("6281111", "wamid.s2", "siti 2"),
        ("6282222", "wamid.b1", "budi 1"),
    ):
        await inbox.store_batch(split(text_from(wa_id, wamid, body)), clock())
    await InboxProcessor(inbox, handle, now=clock).process_once()
    assert order == ["budi 1", "siti 1", "siti 2"]  # Budi did not wait for Siti


async def test_a_failure_is_retried_after_a_backoff(
    inbox: WhatsAppInboxRepository, clock: Clock
) -> None:
    bot = Bot(failing=1)
    processor = InboxProcessor(inbox, bot.handle, now=clock)
    await inbox.store_batch(split(pywa("message", "text")), clock())
    await processor.process_once()
    (row,) = await inbox.all_events()
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "RuntimeError")
    assert await processor.process_once() == 0  # not before its time
    clock.advance(seconds=30)
    assert await processor.process_once() == 1
    assert len(bot.handled) == 1
    assert await inbox.summary() == {"done": 1}


class DoneFailsOnce(WhatsAppInboxRepository):
    """An inbox whose first "done" cannot be written (the disk full for a moment)."""

    failures = 1

    async def done(self, event_id: int, now: datetime) -> None:
        if self.failures:
            self.failures -= 1
            raise OSError("disk full")
        await super().done(event_id, now)


async def test_a_failed_done_is_retried_on_a_timer_not_left_processing(
    db: Database, clock: Clock
) -> None:
    inbox = DoneFailsOnce(db)
    bot = Bot()
    processor = InboxProcessor(inbox, bot.handle, now=clock)
    await inbox.store_batch(split(pywa("message", "text")), clock())
    await processor.process_once()
    (row,) = await inbox.all_events()
    assert (row.status, row.last_error) == ("pending", "OSError")
    assert await inbox.next_due() is not None
    clock.advance(minutes=10)
    assert await processor.process_once() == 1
    assert await inbox.summary() == {"done": 1}


async def test_repeated_failures_park_the_event_without_losing_it(
    inbox: WhatsAppInboxRepository, clock: Clock
) -> None:
    bot = Bot(failing=99)
    processor = InboxProcessor(inbox, bot.handle, now=clock, max_attempts=3)
    await inbox.store_batch(split(pywa("message", "text")), clock())
    for _ in range(5):
        await processor.process_once()
        clock.advance(minutes=10)
    (row,) = await inbox.all_events()
    assert (row.status, row.attempts) == ("failed", 3)
    assert row.payload["message"]["text"]["body"] == "Body Text"
    assert bot.calls == 3


async def test_a_failure_does_not_hold_up_the_others(
    inbox: WhatsAppInboxRepository, clock: Clock
) -> None:
    bot = Bot(failing=1)
    processor = InboxProcessor(inbox, bot.handle, now=clock)
    await inbox.store_batch(split(BODY), clock())
    await processor.process_once()
    assert len(bot.handled) == 2
    assert await inbox.summary() == {"done": 2, "pending": 1}


async def test_events_cut_off_by_a_crash_are_handled_after_the_restart(
    inbox: WhatsAppInboxRepository, clock: Clock
) -> None:
    await inbox.store_batch(split(pywa("message", "text")), clock())
    await inbox.claim(10, clock())  # the process died while handling it
    bot = Bot()
    processor = InboxProcessor(inbox, bot.handle, now=clock)
    processor.start()
    try:
        await asyncio.wait_for(bot.arrived.wait(), GUARD)
    finally:
        await processor.stop()
    assert len(bot.handled) == 1
    (row,) = await inbox.all_events()
    assert row.status == "done" and row.attempts == 2


async def test_the_webhook_wakes_the_running_processor(
    inbox: WhatsAppInboxRepository, clock: Clock
) -> None:
    bot = Bot()
    processor = InboxProcessor(inbox, bot.handle, now=clock)
    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    http = make_server(make_app(SETTINGS, inbox, processor.wake, now=clock))
    http.add_sockets(sockets)
    processor.start()
    raw = json.dumps(meta("button-message")).encode()
    url = f"http://127.0.0.1:{sockets[0].getsockname()[1]}/hooks/wa"
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            headers = {"X-Hub-Signature-256": sign(SECRET, raw)}
            assert (await client.post(url, content=raw, headers=headers)).status_code == 200
        await asyncio.wait_for(bot.arrived.wait(), GUARD)
    finally:
        await processor.stop()
        http.stop()
        await http.close_all_connections()
    (tap,) = bot.handled
    assert isinstance(tap, Inbound) and tap.choice_id == "Unsubscribe"


@pytest.mark.parametrize("batch", [1, 2])
async def test_a_full_batch_is_followed_at_once_by_the_next(
    inbox: WhatsAppInboxRepository, clock: Clock, batch: int
) -> None:
    bot = Bot()
    processor = InboxProcessor(inbox, bot.handle, now=clock, batch=batch)
    await inbox.store_batch(split(BODY), clock())
    processor.start()
    run = processor._task
    try:
        for _ in range(100):
            if len(bot.handled) == 3:
                break
            await asyncio.sleep(0)
            bot.arrived.clear()
            await asyncio.wait_for(bot.arrived.wait(), GUARD)
    finally:
        await processor.stop()
    assert len(bot.handled) == 3
    assert run is not None and not run.cancelled()  # it heard the stop, not cut off at grace
