"""Erased means erased, files too: what an owner sent with a question goes with /hapusdata
(bytes, references, the channels' cached ids, what was queued to staff), on both channels,
unless someone else sent the same bytes; /datasaya lists the files kept before that."""

from __future__ import annotations

import json

from bot.app.telegram import WHATSAPP_KEY
from bot.core.notices import ChannelName
from simulator import BotApiEmulator
from simulator.people import TINY_PNG
from simulator.whatsapp import WhatsAppEmulator
from simulator.whatsapp.people import TINY_JPEG
from storage.questions import QuestionRepository
from tests.e2e.support import register_owner
from tests.e2e.test_questions import questions_of, staff_member
from tests.e2e.test_two_channels import RINA, both, database_bytes, settled, wa, whatsapp_owner
from tests.harness import FakeClock, RunningBot

__all__ = ["both", "wa"]  # fixtures shared with the two-channel tests

# Bytes found nowhere else: a PNG/JPEG/PDF with a marker after their end.
PHOTO_MARK, PDF_MARK, SHARED_MARK = b"foto-label-siti-7731", b"nota-siti-9902", b"brosur-dinas-55"
PHOTO = TINY_PNG + PHOTO_MARK
WA_PHOTO = TINY_JPEG + PHOTO_MARK
PDF = b"%PDF-1.4\n% " + PDF_MARK + b"\n"
SHARED_PDF = b"%PDF-1.4\n% " + SHARED_MARK + b"\n"


async def telegram_id(bot: RunningBot, telegram_user: int) -> int:
    row = await bot.services.db.fetch_one(
        "SELECT user_id FROM identities WHERE channel = 'telegram' AND external_id = ?",
        (str(telegram_user),),
    )
    assert row is not None
    return int(row["user_id"])


async def budi_shares_the_brochure(bot: RunningBot, emulator: BotApiEmulator) -> int:
    """Another owner sends the same PDF with his own question."""
    budi = emulator.user(1002, "Budi", language_code="id")
    await budi.command("bantuan")
    await register_owner(bot, 1002, "Budi")
    await budi.send("Bu, brosur pelatihan ini masih berlaku?")
    (kept,) = await budi.send_document("brosur.pdf", SHARED_PDF, "application/pdf")
    assert "Lampiran Anda" in kept.text
    return await telegram_id(bot, 1002)


async def cached_ids_of_every_file(bot: RunningBot) -> None:
    """What the edges keep once a kept file went out through them: their own id of it."""
    for row in await bot.services.db.fetch_all("SELECT sha256 FROM stored_files"):
        for channel in ChannelName.TELEGRAM, ChannelName.WHATSAPP:
            await bot.services.files.remember_ref(channel, row["sha256"], f"id-{row[0][:8]}")


async def assert_erased_but_the_shared_file(bot: RunningBot, budi_id: int) -> None:
    """The owner's own files left no byte on disk; Budi still has the brochure."""
    on_disk = database_bytes(bot.settings.database)
    assert PHOTO_MARK not in on_disk and PDF_MARK not in on_disk
    db = bot.services.db
    (kept,) = await db.fetch_all("SELECT sha256, content FROM stored_files")
    assert bytes(kept["content"]) == SHARED_PDF
    (question,) = await questions_of(bot, budi_id)
    (budis,) = await QuestionRepository(db).files_of(question.id)
    assert budis.sha256 == kept["sha256"]
    assert len(await db.fetch_all("SELECT 1 FROM question_files")) == 1  # only Budi's
    refs = await db.fetch_all("SELECT key FROM channel_file_refs")
    assert {r["key"] for r in refs} <= {kept["sha256"]}  # no cached id of an erased file
    queued = await db.fetch_all("SELECT params FROM outbox WHERE kind = 'question_file'")
    assert all(json.loads(r["params"])["question"] == question.id for r in queued)


async def test_a_telegram_owner_sees_her_files_in_datasaya_and_erasing_leaves_none(
    both: RunningBot, emulator: BotApiEmulator, clock: FakeClock
) -> None:
    staff = await staff_member(both, emulator)
    budi_id = await budi_shares_the_brochure(both, emulator)
    siti = emulator.user(1001, "Siti", language_code="id")
    await siti.command("bantuan")
    await register_owner(both, 1001, "Siti")
    await siti.send("Bu, label kemasan saya begini sudah sesuai aturan belum?")
    clock.advance(minutes=1)
    await siti.send_photo(PHOTO)
    await siti.send_document("nota-siti.pdf", PDF, "application/pdf")
    await siti.send_document("brosur.pdf", SHARED_PDF, "application/pdf")
    await both.tick()  # forwarded to staff: Telegram caches its file ids
    assert any(m.photo == PHOTO for m in staff.messages)
    await cached_ids_of_every_file(both)

    summary, file = await siti.command("datasaya")
    assert "nota-siti.pdf" in summary.text and "brosur.pdf" in summary.text
    assert "Foto" in summary.text and "PDF" in summary.text
    assert file.document is not None
    export = json.loads(file.document[2])
    listed = {(f["name"], f["type"], f["size"]) for f in export["files"]}
    assert ("nota-siti.pdf", "application/pdf", len(PDF)) in listed
    assert ("brosur.pdf", "application/pdf", len(SHARED_PDF)) in listed
    assert any(f["type"] == "image/png" and f["size"] == len(PHOTO) for f in export["files"])

    await siti.command("hapusdata")
    await siti.press("🗑 Ya, hapus data saya")
    await both.tick()
    await assert_erased_but_the_shared_file(both, budi_id)


async def test_a_whatsapp_owner_sees_her_files_in_datasaya_and_erasing_leaves_none(
    both: RunningBot, emulator: BotApiEmulator, wa: WhatsAppEmulator
) -> None:
    await staff_member(both, emulator)
    budi_id = await budi_shares_the_brochure(both, emulator)
    edge = both.application.bot_data[WHATSAPP_KEY]
    rina = wa.person(RINA, name="Rina")
    await whatsapp_owner(both, RINA, "Rina")
    await rina.send_image(WA_PHOTO, caption="Bu, foto label saya begini sudah sesuai aturan?")
    await settled(edge)
    for name, data in (("nota-siti.pdf", PDF), ("brosur.pdf", SHARED_PDF)):
        await rina.send_document(name, data)
        await settled(edge)
    await both.tick()
    await cached_ids_of_every_file(both)

    mark = len(rina.messages)
    await rina.say("datasaya")
    await settled(edge)
    summary, file = rina.messages[mark:][-2:]
    assert summary.text is not None
    assert "nota-siti.pdf" in summary.text and "brosur.pdf" in summary.text
    assert file.data is not None
    export = json.loads(file.data)
    types = sorted(f["type"] for f in export["files"])
    assert types == ["application/pdf", "application/pdf", "image/jpeg"]

    mark = len(rina.messages)
    await rina.say("hapusdata")
    await settled(edge)
    confirm = rina.messages[-1]
    await rina.tap_on(confirm, "🗑 Ya, hapus")
    await settled(edge)
    await both.tick()
    assert "Data Anda sudah kami hapus" in " ".join(m.text or "" for m in rina.messages[mark:])
    await assert_erased_but_the_shared_file(both, budi_id)
    wa.assert_no_violations()


async def test_a_photo_sent_while_asked_to_wait_is_not_kept_after_erasure(
    both: RunningBot, emulator: BotApiEmulator, clock: FakeClock
) -> None:
    siti = emulator.user(1001, "Siti", language_code="id")
    await siti.command("bantuan")
    await register_owner(both, 1001, "Siti")
    for n in range(5):
        await siti.send(f"Bu, label kemasan nomor {n} saya sudah sesuai aturan belum?")
        clock.advance(seconds=30)
    await siti.send_photo(PHOTO, caption="Bu, label yang ini juga bagaimana?")
    kept = await both.services.db.fetch_all("SELECT 1 FROM stored_files")
    assert len(kept) == 1  # kept, but named by no question: she was asked to send it later
    assert await both.services.db.fetch_one("SELECT 1 FROM question_files") is None
    clock.advance(minutes=5)
    await siti.command("hapusdata")
    await siti.press("🗑 Ya, hapus data saya")
    assert PHOTO_MARK not in database_bytes(both.settings.database)
