"""Pacing, the messaging tier, recipients and quiet logs, against the strict emulator."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.errors import Rejected, RetryLater, Unreachable
from bot.core.notices import ChannelName, Notice, Recipient
from handlers.whatsapp.pacing import Pacer, PacingLimits
from simulator.whatsapp import Limits
from tests.whatsapp.test_channel_support import (
    SITI,
    TOKEN,
    Monotonic,
    recipient,
    reminder,
    running,
)

PAIR = Limits(pair_burst=3, pair_interval=6.0)
PACING = PacingLimits(pair_burst=3, pair_interval=6.0)


async def test_five_replies_to_one_person_wait_their_turn_and_never_hit_131056(
    tmp_path: Path,
) -> None:
    async with running(tmp_path, limits=PAIR, pacing=PACING) as h:
        await h.open_window()
        for n in range(5):
            await h.channel.send(recipient(), Notice(f"Balasan {n}"), bulk=False)
        assert [m.text for m in h.emu.person(SITI).messages] == [f"Balasan {n}" for n in range(5)]
        assert h.emu.stats.pair_limited == 0
        assert h.mono.slept == pytest.approx(12.0)


async def test_bulk_notices_to_one_person_are_handed_back_instead_of_waiting(
    tmp_path: Path,
) -> None:
    async with running(tmp_path, limits=PAIR, pacing=PACING) as h:
        await h.open_window()
        for n in range(3):
            await h.channel.send(recipient(), Notice(f"Info {n}"), bulk=True)
        for _ in range(2):
            with pytest.raises(RetryLater) as caught:
                await h.channel.send(recipient(), Notice("Info 3"), bulk=True)
            assert caught.value.delay == timedelta(seconds=6)
            assert caught.value.everyone is False
        assert len(h.emu.person(SITI).messages) == 3
        assert h.emu.stats.pair_limited == 0
        h.mono.now += 6
        await h.channel.send(recipient(), Notice("Info 3"), bulk=True)
        assert h.emu.stats.pair_limited == 0


async def test_a_notice_of_two_messages_is_reserved_whole(tmp_path: Path) -> None:
    long = Notice("Rincian. " * 150, reminder().choices)  # a text, then the buttons
    async with running(tmp_path, limits=PAIR, pacing=PACING) as h:
        await h.open_window()
        await h.channel.send(recipient(), Notice("satu"), bulk=True)
        await h.channel.send(recipient(), Notice("dua"), bulk=True)
        with pytest.raises(RetryLater):  # only one slot is left: nothing is sent
            await h.channel.send(recipient(), long, bulk=True)
        assert len(h.emu.person(SITI).messages) == 2
        await h.channel.send(recipient(), long, bulk=False)  # a reply waits for its 2nd slot
        assert [m.type for m in h.emu.person(SITI).messages][2:] == ["text", "interactive"]
        assert h.emu.stats.pair_limited == 0


async def test_the_number_sends_at_most_its_rate_and_bulk_leaves_room() -> None:
    mono = Monotonic()
    pacer = Pacer(PacingLimits(messages_per_second=10), monotonic=mono, sleep=mono.sleep)
    for _ in range(8):
        await pacer.number_slot(bulk=True)
    assert mono.slept == 0
    await pacer.number_slot(bulk=True)  # bulk may take 80%: the 9th waits
    assert mono.slept == pytest.approx(1.0)
    for _ in range(7):  # 8 bulk sends in this second again
        await pacer.number_slot(bulk=True)
    await pacer.number_slot(bulk=False)  # replies may use the rest
    await pacer.number_slot(bulk=False)
    assert mono.slept == pytest.approx(1.0)
    await pacer.number_slot(bulk=False)  # the 11th in a second waits, reply or not
    assert mono.slept == pytest.approx(2.0)


async def test_an_exhausted_tier_is_retry_later_for_everyone(tmp_path: Path) -> None:
    people = ["6281200000001", "6281200000002", "6281200000003"]
    async with running(tmp_path, tier=2) as h:
        for number in people:
            h.emu.person(number)
        for number in people[:2]:
            await h.channel.send(recipient(number), reminder(), bulk=True)
        await h.channel.send(recipient(people[0]), reminder(), bulk=True)  # counted already
        h.clock.advance(hours=1)
        with pytest.raises(RetryLater) as caught:
            await h.channel.send(recipient(people[2]), reminder(), bulk=True)
        assert caught.value.everyone is True
        assert caught.value.delay == timedelta(hours=23)
        assert h.emu.stats.tier_refused == 0 and h.emu.tier_used == 2
        h.clock.advance(hours=23)
        await h.channel.send(recipient(people[2]), reminder(), bulk=True)
        assert h.emu.person(people[2]).last.template == "dodolan_reminder"


async def test_sends_inside_the_window_do_not_count_against_the_tier(tmp_path: Path) -> None:
    async with running(tmp_path, tier=1) as h:
        await h.open_window()
        await h.channel.send(recipient(), reminder(), bulk=True)
        assert await h.contacts.tier_used(h.clock()) == 0


async def test_an_unreachable_number_is_unreachable(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        h.emu.unreachable(SITI)
        with pytest.raises(Unreachable):
            await h.channel.send(recipient(), reminder(), bulk=True)
        with pytest.raises(Unreachable):  # not a WhatsApp user at all
            await h.channel.send(recipient("6289999999999"), reminder(), bulk=True)
        with pytest.raises(Unreachable, match="neither a phone number nor a BSUID"):
            await h.channel.send(recipient("siti@example.com"), reminder(), bulk=True)
        assert await h.contacts.tier_used(h.clock()) == 0
        h.emu.assert_no_violations()


async def test_a_telegram_recipient_is_rejected(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        telegram = Recipient(42, ChannelName.TELEGRAM, "42", "id")
        with pytest.raises(Rejected):
            await h.channel.send(telegram, reminder(), bulk=True)


async def test_a_username_only_person_is_reached_by_their_bsuid(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        ani = h.emu.person(username="ani.malang", name="Ani")
        assert ani.wa_id is None
        await h.channel.send(recipient(ani.user_id), reminder(), bulk=True)
        assert ani.last.template == "dodolan_reminder"
        ani.open_window()
        await h.channel.saw_inbound(ani.user_id, h.clock())
        await h.channel.send(recipient(ani.user_id), reminder(), bulk=True)
        assert ani.last.type == "interactive"
        h.emu.assert_no_violations()


async def test_neither_the_token_nor_a_number_reaches_the_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        async with running(tmp_path, tier=1) as h:
            h.emu.person("6281200000002")
            await h.channel.send(recipient(), reminder(), bulk=True)
            with pytest.raises(RetryLater):
                await h.channel.send(recipient("6281200000002"), reminder(), bulk=True)
            h.emu.unreachable(SITI)
            with pytest.raises(Unreachable):
                await h.channel.send(recipient(), reminder(), bulk=True)
    logged = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert logged
    assert not [m for _, m in logged if TOKEN in m]
    assert not [m for level, m in logged if level >= logging.INFO and SITI in m]
