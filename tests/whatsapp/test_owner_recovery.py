"""Owed WhatsApp replies after a crash: the first part is not skipped, a late one apologises."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.waiting import GUARD
from tests.whatsapp.owner_harness import SITI, running, signed_up
from tests.whatsapp.test_inbox_fairness import CALM, fails_for_everyone, settle


async def test_the_first_part_of_an_answer_in_flight_at_a_crash_is_not_skipped(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as h:
        siti = h.person(SITI, name="Siti")
        await signed_up(siti)
        before = len(siti.messages)
        undo = await fails_for_everyone(h, "500")
        await siti.say("data saya", expect_reply=False)  # owes a summary, then the file
        undo()
        await h.processor.stop()
        summary, _file = [r for r in await h.replies.all_replies() if r.status == "pending"]
        assert await h.replies.claim(summary.id)  # the process dies before the request goes
        h.clock.advance(minutes=1)
        h.processor.start()
        await asyncio.wait_for(h.processor.recovered.wait(), GUARD)
        await settle(h)
        got = [m.text or m.body or m.type for m in siti.messages[before:]]
        statuses = {r.id: (r.status, r.last_error) for r in await h.replies.all_replies()}
        assert any("Data Anda" in (t or "") for t in got), (got, statuses)


async def test_a_message_handled_hours_after_it_arrived_gets_the_late_apology(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as h:
        siti = h.person(CALM)
        await h.processor.stop()  # the bot's processor is down (a crash loop, a bad deploy)
        message = siti._message({"type": "text", "text": {"body": "bantuan"}}, None)
        h.emu.webhooks.enqueue("message", h.emu.payloads.message(siti.contact, message))
        await h.emu.drain()  # stored by the webhook, 200 to Meta
        h.clock.advance(hours=3)
        h.processor.start()
        await asyncio.wait_for(h.processor.recovered.wait(), GUARD)
        await settle(h)
        (reply,) = siti.messages
        assert "terlambat" in (reply.text or reply.body or ""), reply.text


async def test_a_failed_commit_is_answered_without_waiting_for_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running(tmp_path) as h:
        siti = h.person(CALM)
        real: Callable[..., Awaitable[Any]] = h.replies.answer
        calls = 0

        async def disk_full_once(*args: Any, **kwargs: Any) -> Any:
            nonlocal calls
            calls += 1
            if calls == 1:
                raise sqlite3.OperationalError("database or disk is full")
            return await real(*args, **kwargs)

        monkeypatch.setattr(h.replies, "answer", disk_full_once)
        await siti.say("bantuan", expect_reply=False)  # the disk is full for a moment
        for _ in range(24):  # a day passes; the disk has room again; no restart
            h.clock.advance(hours=1)
            await h.processor.process_once()
        events = await h.inbox.all_events()
        assert [e.status for e in events if e.kind == "message"] == ["done"]
        assert len(siti.messages) == 1
