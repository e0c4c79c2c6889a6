"""Data rights on WhatsApp: "datasaya" sends the summary and the file, "hapusdata" erases."""

from __future__ import annotations

import json
from pathlib import Path

from bot.core.erasure import Traces
from tests.whatsapp.owner_harness import SITI, running, signed_up


async def test_datasaya_sends_the_summary_and_the_export_as_a_text_document(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as h:
        siti = h.person(SITI, name="Siti")
        await signed_up(siti)
        summary, file = await siti.say("data saya")
        assert summary.text.startswith("*Data Anda yang kami simpan*")
        assert "*No. HP/WA:* +6281234567890" in summary.text
        assert file.type == "document" and file.filename == "data-saya-dodolan.json.txt"
        assert file.data is not None
        export = json.loads(file.data)
        assert export["profile"]["phone"] == "+6281234567890"
        h.emu.assert_no_violations()


async def test_hapusdata_erases_the_owner_and_her_inbox_events(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        siti = h.person(SITI, name="Siti")
        await signed_up(siti)
        confirm = (await siti.say("hapusdata"))[-1]
        assert confirm.titles == ["🗑 Ya, hapus", "Tidak jadi"]
        kept = (await siti.tap("Tidak jadi"))[-1]
        assert kept.text == "Oke, data Anda tidak dihapus."
        assert await h.owner_row(SITI) is not None
        confirm = (await siti.say("hapusdata"))[-1]
        bye = (await siti.tap_on(confirm, "🗑 Ya, hapus"))[-1]
        assert bye.text.startswith("Data Anda sudah kami hapus.")
        assert await h.owner_row(SITI) is None and await h.user_id(SITI) is None
        inbox = await h.services.db.fetch_all(
            "SELECT id FROM whatsapp_inbox WHERE kind = 'message' AND wa_id = ?", (SITI,)
        )
        assert inbox == []
        again = await siti.tap_on(confirm, "🗑 Ya, hapus")  # an old button, from before
        assert again[0].text.startswith("Tombol itu dari pesan lama")
        h.emu.assert_no_violations()


async def test_a_message_sent_while_the_erasure_runs_is_answered_as_a_new_person(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as h:
        siti = h.person(SITI, name="Siti")
        await signed_up(siti)
        confirm = (await siti.say("hapusdata"))[-1]
        erase = h.services.profile.erase
        posted: list[str] = []

        async def erase_while_siti_writes(user_id: int, traces: Traces | None = None) -> bool:
            # Siti reads the goodbye and writes again before the erasure has finished.
            halo = {"type": "text", "text": {"body": "halo lagi"}}
            message = siti._message(halo, None)
            posted.append(message["id"])
            delivery = h.emu.webhooks.enqueue(
                "message", h.emu.payloads.message(siti.contact, message)
            )
            await delivery.done.wait()
            return await erase(user_id, traces)

        h.services.profile.erase = erase_while_siti_writes  # type: ignore[method-assign]
        start = len(siti.messages)
        await siti.tap_on(confirm, "🗑 Ya, hapus")
        assert await h.emu.handled_hook(posted[0], 10), "the message was dropped unanswered"
        after = [m.text for m in siti.messages[start:]]
        assert after[0].startswith("Data Anda sudah kami hapus.")
        assert len(after) > 1, "the message written during the erasure got no reply"
        assert await h.user_id(SITI) is not None  # she is a new person now
        h.emu.assert_no_violations()


async def test_hapusdata_leaves_no_message_text_in_the_file_nor_its_log(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as h:
        siti = h.person(SITI, name="Siti")
        await signed_up(siti)
        await siti.say("menu zqxv")  # only her inbox row keeps this text
        confirm = (await siti.say("hapusdata"))[-1]
        await siti.tap_on(confirm, "🗑 Ya, hapus")
        assert await h.user_id(SITI) is None
        db = tmp_path / "dodolan.sqlite3"
        wal = db.with_name(db.name + "-wal")
        assert b"zqxv" not in db.read_bytes()
        assert not wal.exists() or b"zqxv" not in wal.read_bytes()
