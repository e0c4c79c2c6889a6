"""What a hostile or unlucky WhatsApp message cannot do: break a query, fill the log with
numbers, mark someone unreachable, or turn replies into billed templates."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.whatsapp.owner_harness import Clock, running
from tests.whatsapp.test_owner_booking_support import SITI, booking_running

STALE = ("Tombol itu dari pesan lama", "Tombol ini sudah tidak berlaku")
APOLOGY = "Maaf, ada gangguan"


async def test_a_choice_id_too_big_for_sqlite_is_stale_not_an_error(tmp_path: Path) -> None:
    async with booking_running(tmp_path) as b:
        await b.session("Foto Produk Pakai HP", timedelta(days=1))
        siti = await b.owner(SITI, "Siti")
        await siti.say("jadwal")
        for forged in (f"bk:v1:book:{10**23}", f"fb:v1:{10**23}:5", f"rm:v1:yes:{10**30}"):
            replies = await siti.tap_forged(forged)
            assert replies[0].text.startswith(STALE), (forged, replies[0].text)
            assert not any(APOLOGY in (m.text or "") for m in replies), forged
        assert await b.booking_rows(1) == []
        b.h.emu.assert_no_violations()


async def test_replies_stay_free_form_when_the_bots_clock_jumps_a_day_ahead(
    tmp_path: Path,
) -> None:
    meta = Clock()
    async with running(tmp_path, meta_clock=meta) as h:
        h.clock.advance(hours=26)  # the server's clock is wrong; Meta's stamps are right
        siti = h.person(SITI, name="Siti")
        for word in ("bantuan", "menu"):
            replies = await siti.say(word)
            assert replies and all(m.type != "template" for m in replies), word
        assert h.emu.tier_used == 0  # nothing billed as a template
        h.emu.assert_no_violations()
