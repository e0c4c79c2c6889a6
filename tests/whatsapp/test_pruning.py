"""The running bot forgets handled WhatsApp events and finished replies after a week."""

from __future__ import annotations

from pathlib import Path

from bot.app.delivery import DeliveryRunner, programme_builders
from bot.core.notices import ChannelName
from tests.whatsapp.owner_harness import running
from tests.whatsapp.test_inbox_fairness import CALM, settle


async def test_the_safety_tick_prunes_old_inbox_events_and_sent_replies(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        siti = h.person(CALM)
        await siti.say("bantuan")
        await settle(h)
        assert await h.inbox.all_events() and await h.replies.all_replies()
        channels = {ChannelName.WHATSAPP: h.channel}
        runner = DeliveryRunner(h.services, channels, programme_builders(h.services), None)
        await runner.start(background=False)
        try:
            await runner.safety_tick()  # fresh: kept
            assert await h.inbox.all_events() and await h.replies.all_replies()
            h.clock.advance(days=8)
            await runner.safety_tick()
            assert [e for e in await h.inbox.all_events() if e.status == "done"] == []
            assert await h.replies.all_replies() == []
        finally:
            await runner.stop()
