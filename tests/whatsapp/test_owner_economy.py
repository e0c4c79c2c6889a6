"""Message economy on WhatsApp, where nothing can be edited: one message per step, and
owners who said "berhenti" get their logistics but no announcements."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.services.broadcasts import ANNOUNCEMENT, Message
from simulator.whatsapp import WhatsAppPerson
from storage.broadcasts import Audience
from tests.whatsapp.owner_harness import SITI, running
from tests.whatsapp.test_owner_booking_support import ANI, BUDI, booking_running


async def test_each_sign_up_step_is_answered_with_exactly_one_message(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        siti = h.person(SITI, name="Siti")
        steps = [
            siti.say("Halo"),
            siti.tap("✅ Setuju"),
            siti.say("Siti Aminah"),
            siti.say("Keripik Tempe Bu Siti"),
            siti.pick("Kuliner/makanan-minuman"),
            siti.pick("Klojen"),
            siti.tap("✅ Ya, pakai ini"),
            siti.pick("Shopee"),
            siti.pick("Selesai"),
            siti.tap("Lewati"),
            siti.tap("✅ Konfirmasi"),
        ]
        counts = [len(await step) for step in steps]
        assert counts == [1] * len(steps)  # the answer ✓ and the next question in one message
        assert await h.owner_row(SITI) is not None
        h.emu.assert_no_violations()


async def test_owners_who_stopped_announcements_still_get_their_reminder(
    tmp_path: Path,
) -> None:
    async with booking_running(tmp_path) as b:
        budi = await b.owner(BUDI, "Budi")
        ani = await b.owner(ANI, "Ani")
        for person in (budi, ani):
            await person.say("menu")  # both wrote today: their windows are open
        await budi.say("berhenti")
        session = await b.session("Foto produk", timedelta(days=1, hours=3))
        for person in (budi, ani):
            await b.h.services.booking.book(await b.user_id(person), session.id)
        await b.drain()

        await b.h.services.broadcasts.send(
            await b.staff_id(), ANNOUNCEMENT, Audience("all"), Message("Bazar UKM di Alun-alun")
        )
        await b.drain()
        b.h.clock.advance(hours=25)  # the reminder a few hours before the session
        await b.drain()

        def received(person: WhatsAppPerson, words: str) -> bool:
            return any(words in (m.text or m.body or "") for m in person.messages)

        assert received(ani, "Bazar UKM") and not received(budi, "Bazar UKM")
        assert received(budi, "Foto produk") and received(budi, "Pengingat")
        b.h.emu.assert_no_violations()
