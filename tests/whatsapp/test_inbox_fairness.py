"""The inbox under a flood, an outage, a timeout after acceptance and a failed commit (issue 20).

The real webhook, inbox processor, router and channel against the WhatsApp emulator
(``owner_harness``); the fake clock moves, nothing sleeps.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from handlers.whatsapp.replies import report_lines
from simulator.whatsapp import WhatsAppPerson
from tests.waiting import GUARD
from tests.whatsapp.owner_harness import TOKEN, OwnerHarness, running

CALM = "6282200000001"
SLOW_DOWN = "Pelan-pelan ya"
LATE = "terlambat"


def burst(person: WhatsAppPerson, count: int) -> None:
    """Queue ``count`` texts from the person at once, without waiting for any answer."""
    emu = person.emu
    for n in range(count):
        message = person._message({"type": "text", "text": {"body": f"halo {n}"}}, None)
        emu.webhooks.enqueue("message", emu.payloads.message(person.contact, message))


def held_pacing(h: OwnerHarness) -> asyncio.Event:
    """Make every wait for a person's pacing slot (about 6 s a message after a burst of 20)
    last until the event is set; the number's own budget still passes at once."""
    pacer = h.channel._pacer  # the harness's fake-monotonic pacer
    passed = pacer.wait_until
    release = asyncio.Event()

    async def wait_until(moment: float) -> None:
        if moment > pacer.monotonic():
            await release.wait()
        await passed(moment)

    pacer.wait_until = wait_until  # type: ignore[method-assign]
    return release


async def settle(h: OwnerHarness) -> None:
    """Handle everything stored and send everything due."""
    await h.emu.drain()
    for _ in range(50):
        await h.processor.process_once()
        summary = await h.inbox.summary()
        if not set(summary) - {"done", "failed"}:
            return
    raise AssertionError(f"inbox not handled: {summary}")


def texts(person: WhatsAppPerson) -> list[str]:
    return [m.text or m.body or "" for m in person.messages]


@pytest.mark.parametrize("flooders", [1, 5])
async def test_a_flooder_does_not_delay_another_owners_reply(
    tmp_path: Path, flooders: int
) -> None:
    async with running(tmp_path) as h:
        release = held_pacing(h)
        floods = [h.person(f"62811000000{n:02d}") for n in range(flooders)]
        for person in floods:
            h.channel._pacer.reserve(person.wa_id, 20, bulk=False)  # their burst is used up
            burst(person, 60)
        await h.emu.drain()  # every flood message is stored before the calm owner writes
        calm = h.person(CALM)
        await calm.say("bantuan", within=30)  # answered while every flooder waits for pacing
        assert calm.messages
        release.set()
        await settle(h)
        for person in floods:
            assert sum(SLOW_DOWN in t for t in texts(person)) == 1, texts(person)
        events = [e for e in await h.inbox.all_events() if e.kind == "message"]
        skipped = [e for e in events if (e.last_error or "").startswith("skipped")]
        assert skipped and all(e.status == "done" for e in events)  # none lost, none stuck


async def fails_for_everyone(h: OwnerHarness, how: str) -> Callable[[], None]:
    """Make Meta fail every send (HTTP 500, or the token refused); the undo."""
    if how == "500":
        h.emu.faults.add("500", times=10**6)
        return h.emu.faults.clear
    h.emu.access_token = "revoked"

    def undo() -> None:
        h.emu.access_token = TOKEN

    return undo


@pytest.mark.parametrize(("how", "minutes"), [("500", 12), ("190", 180)])
async def test_replies_owed_through_an_outage_arrive_once_oldest_first(
    tmp_path: Path, how: str, minutes: int, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(tmp_path) as h:
        people = [h.person(f"62833000000{n:02d}") for n in range(4)]
        undo = await fails_for_everyone(h, how)
        for person in people:
            await person.say("bantuan", expect_reply=False)
        await people[0].say("menu", expect_reply=False)  # Siti writes twice
        for _ in range(minutes):  # longer than the old budget of 30+60+120+240 s
            h.clock.advance(minutes=1)
            await h.processor.process_once()
        assert all(not p.messages for p in people)
        owed = await h.replies.all_replies()
        assert {r.status for r in owed} == {"pending"} and len(owed) >= 5
        shown = "\n".join(await report_lines(h.replies, h.clock()))  # `dodolan outbox`
        assert f"pending    {len(owed):>6}" in shown
        why = "token refused" if how == "190" else "Meta is failing"
        assert why in shown, shown
        undo()
        h.clock.advance(minutes=11)  # the pause's end (a refused token pauses for 10 min)
        await settle(h)

        replies = await h.replies.all_replies()
        assert {r.status for r in replies} == {"sent"}
        sent_to = [c.body["to"] for c in h.emu.calls if c.status == 200 and c.body]
        first_seen = list(dict.fromkeys(sent_to))
        assert first_seen == [p.wa_id for p in people]  # oldest first
        assert len(people[0].messages) > len(people[1].messages)  # both of Siti's answered
        for person in people[1:]:
            assert len(person.messages) == len(people[1].messages)  # each reply once
        late = [LATE in t for t in texts(people[1])]
        assert any(late) is (minutes >= 60)  # hours late: told why
        if how == "190":
            assert any("ACCESS TOKEN" in r.message for r in caplog.records)


async def test_a_timeout_after_acceptance_is_uncertain_and_not_resent_blindly(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as h:
        siti = h.person(CALM)
        await siti.say("bantuan")
        answered = len(siti.messages)
        h.emu.faults.add("drop", to=CALM)  # Meta takes the message, the answer never comes
        await siti.say("menu", expect_reply=None)
        await siti.say("bantuan", expect_reply=None)  # she writes again meanwhile
        h.clock.advance(minutes=1)
        await settle(h)
        replies = await h.replies.all_replies()
        uncertain = [r for r in replies if r.uncertain]
        assert len(uncertain) == 1
        assert uncertain[0].status == "skipped"  # the newer answer made it unnecessary
        assert (await h.replies.summary())["uncertain"] == 1
        shown = "\n".join(await report_lines(h.replies, h.clock()))  # `dodolan outbox`
        assert "uncertain       1" in shown
        menus = [t for t in texts(siti)[answered:] if "bantuan" not in t.lower()]
        assert len(texts(siti)) - answered == 2, menus  # "menu" once (dropped), "bantuan" once


async def test_an_event_whose_commit_failed_is_answered_once_on_a_timer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running(tmp_path) as h:
        siti = h.person(CALM)
        real: Callable[..., Awaitable[Any]] = h.replies.answer

        async def disk_full(*args: Any, **kwargs: Any) -> Any:
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(h.replies, "answer", disk_full)
        await siti.say("bantuan", expect_reply=False)
        assert [e.status for e in await h.inbox.all_events()] == ["pending"]  # retried later
        monkeypatch.setattr(h.replies, "answer", real)  # the disk has room again; no restart
        h.clock.advance(minutes=10)
        await h.processor.process_once()
        await settle(h)
        assert len(siti.messages) == 1
        (message,) = [e for e in await h.inbox.all_events() if e.kind == "message"]
        assert message.status == "done" and message.attempts == 2


async def test_a_reply_in_flight_at_a_crash_is_counted_uncertain_and_sent_once_more(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as h:
        siti = h.person(CALM)
        undo = await fails_for_everyone(h, "500")
        await siti.say("bantuan", expect_reply=False)
        undo()
        await h.processor.stop()
        (owed,) = await h.replies.all_replies()
        assert await h.replies.claim(owed.id)  # the process dies while sending it
        h.clock.advance(minutes=1)
        h.processor.start()  # the restart
        await asyncio.wait_for(h.processor.recovered.wait(), GUARD)
        await settle(h)
        (reply,) = await h.replies.all_replies()
        assert (reply.status, reply.uncertain) == ("sent", 1)
        assert len(siti.messages) == 1  # Meta never got the first try: it arrives once
        shown = "\n".join(await report_lines(h.replies, h.clock()))
        assert "uncertain       1" in shown
