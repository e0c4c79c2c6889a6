"""Practice tasks after a session, written once, run on Telegram and on WhatsApp."""

from __future__ import annotations

import contextlib
import io
from datetime import datetime, timedelta

import pytest
import segno

from bot.app.telegram import WHATSAPP_KEY
from bot.app.whatsapp import WhatsAppEdge
from bot.core.notices import ChannelName
from simulator import BotApiEmulator
from tests.e2e.support import create_session
from tests.e2e.test_trainer import make_trainer
from tests.harness import RunningBot
from tests.scenarios.drivers import Driver, WhatsAppDriver
from tests.scenarios.journeys import sign_up

TITLE = "Foto produk pakai HP"
TASK = "Tugas latihan dari sesi"
PHOTOS = "tiga produk"


@pytest.fixture(params=[ChannelName.TELEGRAM, ChannelName.WHATSAPP], ids=str)
def channel(request: pytest.FixtureRequest) -> ChannelName:
    """Telegram and WhatsApp only: these journeys start with notices the outbox sends on the
    bot's own initiative, and the text channel's people are not known to the assembled
    delivery (a limit ``tests/scenarios/text_channel.py`` names)."""
    return ChannelName(request.param)


def paced_by_the_fake_clock(bot: RunningBot) -> None:
    """Let the WhatsApp pacer refill as the fake clock moves (days pass in these tests, and
    its per-person bucket would otherwise refill only in real seconds)."""
    edge = bot.application.bot_data.get(WHATSAPP_KEY)
    if isinstance(edge, WhatsAppEdge):
        edge.channel._pacer.monotonic = lambda: bot.clock().timestamp()


async def attended_session(siti: Driver, bot: RunningBot, emulator: BotApiEmulator) -> int:
    """Siti signs up, books a seat, and her trainer Pak Joko ticks her present; return Pak
    Joko's Telegram id (the chat to read him in)."""
    paced_by_the_fake_clock(bot)
    joko = await make_trainer(bot, emulator, 7001, "Pak Joko")
    joko_id = await bot.user_id_of(joko.id)
    session = await create_session(bot, TITLE)
    await bot.services.sessions.change(session.id, {"trainer_id": joko_id})
    await siti.say("/start")
    await sign_up(siti)
    user_id = await siti.user_id()
    booking = await bot.services.booking.book(user_id, session.id)
    await bot.services.attendance.mark(joko_id, booking.booking.id, attended=True)
    siti.read()
    bot.clock.moment = session.ends_at
    return joko.id


async def arrives(siti: Driver, bot: RunningBot, at: timedelta, start: object) -> str:
    """Move the clock, send what is due, and open it: on WhatsApp, outside the 24-hour window,
    a task comes as the "dodolan_task" template, tapped to read."""
    bot.clock.moment = start + at  # type: ignore[operator]
    before = len(siti.person.messages) if isinstance(siti, WhatsAppDriver) else 0
    await bot.tick()
    if isinstance(siti, WhatsAppDriver):
        new = siti.person.messages[before:]
        assert all(TITLE in m.text for m in new if m.template == "dodolan_task")
        waiting = [m for m in new if m.template and m.buttons]
        if waiting:
            # notices that fall due together share the first one's "tap to read it" template
            # (here the clock jumps past several at once); its tap sends them all
            (only,) = waiting
            await siti.person.tap_template(only.buttons[0].title)
    return siti.read().text


async def asked_for_the_store_link(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator
) -> tuple[int, datetime]:
    """Siti attended; on the second day she taps "done" on the "open your store" task and is
    asked for its link. Pak Joko's Telegram id and the session's end."""
    joko_telegram = await attended_session(siti, both, emulator)
    end = both.clock.moment
    await arrives(siti, both, timedelta(days=1), end)
    assert "Buka toko" in await arrives(siti, both, timedelta(days=2), end)
    await siti.tap("✅ Sudah")
    assert "tautan toko" in siti.read()
    return joko_telegram, end


async def test_tasks_come_after_the_session_and_later_asks_again_at_most_twice(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator
) -> None:
    await attended_session(siti, both, emulator)
    end = both.clock.moment
    await both.tick()
    assert TASK not in siti.read()  # nothing on the session's own day

    before = len(siti.person.messages) if isinstance(siti, WhatsAppDriver) else 0
    seen = await arrives(siti, both, timedelta(days=1), end)
    assert TASK in seen and TITLE in seen and PHOTOS in seen
    if isinstance(siti, WhatsAppDriver):  # her window closed days ago: one utility template,
        # the session question's, which fell due with the task and says something waits
        assert [m.template for m in siti.person.messages[before:] if m.template] == [
            "dodolan_feedback"
        ]
    both.clock.moment = end + timedelta(days=1, hours=1)
    await siti.tap("⏰ Nanti")
    assert "kami tanyakan lagi" in siti.read()
    for day in (2, 3, 4):
        seen = await arrives(siti, both, timedelta(days=day), end)
        assert TASK in seen and PHOTOS not in seen
    seen = await arrives(siti, both, timedelta(days=4, hours=1), end)
    assert "Kami tanyakan lagi" in seen and PHOTOS in seen
    both.clock.moment = end + timedelta(days=4, hours=2)
    await siti.tap("⏰ Nanti")
    assert "kami tanyakan lagi" in siti.read()

    await arrives(siti, both, timedelta(days=6), end)
    seen = await arrives(siti, both, timedelta(days=7, hours=2), end)
    assert PHOTOS in seen
    # Put off twice: the third time it can only be done or asked about.
    last = [m for m in _shown(siti) if PHOTOS in m.text][-1]
    assert "⏰ Nanti" not in last.choices and "✅ Sudah" in last.choices
    await siti.tap("✅ Sudah")
    assert "1 dari 4" in siti.read()

    rows = await both.services.db.fetch_all(
        "SELECT task_id, status, snoozes FROM practice_tasks WHERE task_id = 'foto-tiga-produk'"
    )
    assert [tuple(r) for r in rows] == [("foto-tiga-produk", "done", 2)]


async def test_an_owner_asks_the_trainer_for_help_with_a_task(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator
) -> None:
    joko_telegram = await attended_session(siti, both, emulator)
    end = both.clock.moment
    await arrives(siti, both, timedelta(days=1), end)
    await siti.tap("🙋 Butuh bantuan")
    told = siti.read().text  # a question-desk ticket: who answers, and by when
    assert "Pak Joko (pelatih sesi Anda) dan petugas Dinas" in told
    assert "paling lambat" in told
    await both.tick()
    joko = emulator.user(joko_telegram, "Pak Joko")
    ticket = joko.last
    assert "Siti Aminah" in ticket.text and TITLE in ticket.text and PHOTOS in ticket.text
    assert ticket.buttons == [["✅ Selesai"], ["↪️ Alihkan ke petugas"]]
    await joko.reply_to(ticket.message_id, "Pakai cahaya jendela ya, Bu Siti.")
    await both.tick()
    assert "Pakai cahaya jendela ya, Bu Siti." in siti.read().text  # on her own channel


async def test_stopped_announcements_keep_the_tasks_but_stopped_tasks_do_not(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator
) -> None:
    await attended_session(siti, both, emulator)
    end = both.clock.moment
    await siti.say("/berhenti" if siti.channel is ChannelName.TELEGRAM else "berhenti")
    seen = await arrives(siti, both, timedelta(days=1), end)
    assert PHOTOS in seen
    await siti.say("/berhentitugas" if siti.channel is ChannelName.TELEGRAM else "berhenti tugas")
    assert "Tugas latihan dihentikan" in siti.read()
    both.clock.moment = end + timedelta(days=2, hours=1)
    await both.tick()
    assert TASK not in siti.read()
    user_id = await siti.user_id()
    sent = await both.services.db.fetch_all(
        "SELECT status FROM outbox WHERE user_id = ? AND kind = 'practice_task' "
        "AND due_at <= ? ORDER BY id",
        (user_id, "2026-12-14T05:00:00+00:00"),
    )
    assert [r["status"] for r in sent] == ["sent", "skipped"]


def _shown(siti: Driver) -> list:  # type: ignore[type-arg]
    """Every message the person has, as shown (for a look back at an earlier one)."""
    if isinstance(siti, WhatsAppDriver):
        from tests.scenarios.drivers import _whatsapp_shown

        return [_whatsapp_shown(m) for m in siti.person.messages]
    from tests.scenarios.drivers import TelegramDriver, _telegram_shown

    assert isinstance(siti, TelegramDriver)
    return [_telegram_shown(m) for m in siti.person.messages]


async def test_the_tasks_are_in_the_owners_data_and_gone_after_erasure(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator
) -> None:
    await attended_session(siti, both, emulator)
    end = both.clock.moment
    await arrives(siti, both, timedelta(days=1), end)
    await siti.tap("✅ Sudah")
    user_id = await siti.user_id()
    user = await both.services.users.get(user_id)
    assert user is not None
    data = await both.services.profile.export(user)
    done = [t for t in data["practice_tasks"] if t["status"] == "done"]
    assert [t["task"] for t in done] == ["foto-tiga-produk"] and done[0]["session"] == TITLE
    assert data["settings"]["practice_tasks"] is True
    assert await both.services.profile.erase(user_id)
    left = await both.services.db.fetch_one("SELECT COUNT(*) FROM practice_tasks")
    assert left is not None and left[0] == 0


def png() -> bytes:
    """A small real PNG (a screenshot stand-in)."""
    buffer = io.BytesIO()
    segno.make("toko siti").save(buffer, kind="png", scale=4)
    return buffer.getvalue()


async def test_a_store_link_is_refused_then_accepted_after_the_trainers_fix(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator
) -> None:
    joko_telegram, _ = await asked_for_the_store_link(siti, both, emulator)
    joko = emulator.user(joko_telegram, "Pak Joko")

    await siti.say("www.tokositi.com/keripik")
    refused = siti.read()
    assert "belum terbaca sebagai tautan toko" in refused
    assert "Contoh: https://shopee.co.id/warungsiti" in refused
    await siti.say("https://shopee.co.id/warungsiti?ref=wa")
    assert "Bukti Anda sudah kami kirim ke pelatih" in siti.read()

    await both.tick()
    assert "Bukti tugas dari Siti Aminah" in joko.last.text
    assert "https://shopee.co.id/warungsiti" in joko.last.text
    await joko.press("✏️ Minta perbaikan")
    assert "Tulis komentar" in joko.last.text
    await joko.send("Nama toko samakan dengan nama usaha, ya")
    assert "sudah kami kirim ke peserta" in joko.last.text
    await both.tick()
    fix = siti.read()
    assert "Pelatih minta sedikit perbaikan" in fix and "Nama toko samakan" in fix

    await siti.tap("✅ Sudah")
    assert "tautan toko" in siti.read()
    await siti.say("tokopedia.com/warungsiti")
    assert "Bukti Anda sudah kami kirim" in siti.read()
    await both.tick()
    await joko.press("✅ Terima")
    assert "Bukti diterima" in joko.last.text
    await both.tick()
    assert "Pelatih sudah menerima bukti tugas" in siti.read()
    row = await both.services.db.fetch_one(
        "SELECT status, proof_link, review_note FROM practice_tasks WHERE task_id = 'buka-toko'"
    )
    assert row is not None and tuple(row) == (
        "done",
        "https://tokopedia.com/warungsiti",
        "Nama toko samakan dengan nama usaha, ya",
    )


async def test_a_screenshot_is_accepted_by_the_trainer_and_a_revoked_one_changes_nothing(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator
) -> None:
    joko = emulator.user(await attended_session(siti, both, emulator), "Pak Joko")
    end = both.clock.moment
    for day in (1, 2, 3):
        await arrives(siti, both, timedelta(days=day), end)
    assert "lima produk" in await arrives(siti, both, timedelta(days=4), end)
    await siti.tap("✅ Sudah")
    assert "foto atau tangkapan layar" in siti.read()
    await siti.say("sudah kok")
    assert "Kirim foto atau tangkapan layar" in siti.read()
    screenshot = png()
    await siti.send_file("toko.png", screenshot, "image/png")
    assert "Bukti Anda sudah kami kirim" in siti.read()
    await both.tick()
    review = joko.last
    assert "Bukti tugas dari Siti Aminah" in review.text and review.photo is not None

    joko_id = await both.user_id_of(joko.id)
    async with both.services.db.transaction() as tx:  # staff revoke Pak Joko meanwhile
        await tx.execute("DELETE FROM user_roles WHERE user_id = ?", (joko_id,))
    await joko.press("✅ Terima")
    assert "dari pesan lama" in joko.toasts[-1]
    status = "SELECT status FROM practice_tasks WHERE task_id = 'lima-produk'"
    row = await both.services.db.fetch_one(status)
    assert row is not None and row["status"] == "review"

    async with both.services.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO user_roles (user_id, role, source, granted_at, display_name) "
            "VALUES (?, 'trainer', 'invite', '2026-11-30T00:00:00+00:00', 'Pak Joko')",
            (joko_id,),
        )
    await joko.press("✅ Terima")
    assert "Bukti diterima" in joko.last.text
    await both.tick()
    assert "Pelatih sudah menerima bukti tugas" in siti.read()
    row = await both.services.db.fetch_one(status)
    assert row is not None and row["status"] == "done"
    kept = await both.services.db.fetch_one(
        "SELECT f.content FROM practice_tasks p JOIN stored_files f ON f.sha256 = p.proof_file "
        "WHERE p.task_id = 'lima-produk'"
    )
    assert kept is not None and bytes(kept["content"]) == screenshot
    # the proof outlives the daily clean-up of unnamed files, and goes with the owner's data
    both.clock.moment += timedelta(days=3)
    await both.services.files.prune()
    assert await both.services.db.fetch_one(
        "SELECT 1 FROM stored_files WHERE content = ?", (screenshot,)
    )
    user_id = await siti.user_id()
    assert await both.services.profile.erase(user_id)
    assert not await both.services.db.fetch_one(
        "SELECT 1 FROM stored_files WHERE content = ?", (screenshot,)
    )


class _Crash(RuntimeError):
    """The process dying at the seam between the practice row and its ticket."""


async def test_help_and_its_ticket_are_kept_together_or_not_at_all(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure while the ticket is written (after the task is marked "help asked") keeps
    neither: the owner is not told a person will answer, and her retry opens the ticket."""
    from storage.questions import QuestionRepository

    joko_telegram = await attended_session(siti, both, emulator)
    end = both.clock.moment
    await arrives(siti, both, timedelta(days=1), end)
    user_id = await siti.user_id()

    async def crash(*_: object, **__: object) -> None:
        raise _Crash("killed between the practice row and the ticket")

    monkeypatch.setattr(QuestionRepository, "hand_over", crash)
    with contextlib.suppress(_Crash):  # the edge may let it through: what counts is below
        await siti.tap("🙋 Butuh bantuan")
    said = siti.read().text
    assert "paling lambat" not in said and "Pak Joko" not in said
    helped = await both.services.db.fetch_all(
        "SELECT help_at FROM practice_tasks WHERE user_id = ? AND help_at IS NOT NULL",
        (user_id,),
    )
    questions = await both.services.db.fetch_all(
        "SELECT id FROM questions WHERE user_id = ?", (user_id,)
    )
    assert (len(helped), len(questions)) == (0, 0)  # neither was kept

    monkeypatch.undo()  # restarted: she taps again, on the same task
    await siti.tap("🙋 Butuh bantuan")
    assert "paling lambat" in siti.read().text
    tickets = await both.services.db.fetch_all(
        "SELECT status FROM questions WHERE user_id = ?", (user_id,)
    )
    assert [r["status"] for r in tickets] == ["open"]
    await both.tick()
    assert PHOTOS in emulator.user(joko_telegram, "Pak Joko").last.text


async def test_a_proof_typed_after_its_task_closed_is_told_so_and_kept_nowhere(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator
) -> None:
    await asked_for_the_store_link(siti, both, emulator)
    async with both.services.db.transaction() as tx:  # the task closes while she types
        await tx.execute("UPDATE practice_tasks SET status = 'done' WHERE task_id = 'buka-toko'")

    await siti.say("https://shopee.co.id/warungsiti")
    seen = siti.read().text
    # Both channels once said "this button no longer applies" to a typed link.
    assert seen.startswith("Pertanyaan itu sudah selesai, jadi pesan ini tidak saya simpan"), seen
    assert "Tombol" not in seen
    row = await both.services.db.fetch_one(
        "SELECT proof_link FROM practice_tasks WHERE task_id = 'buka-toko'"
    )
    assert row is not None and row["proof_link"] is None
    assert await both.services.dialogs.current(await siti.user_id()) is None


async def test_a_file_that_is_no_proof_is_refused_as_the_task_needs(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator
) -> None:
    _, end = await asked_for_the_store_link(siti, both, emulator)
    await siti.send_file("toko.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")  # not a link
    refused = siti.read().text
    assert "belum terbaca sebagai tautan toko" in refused, refused
    await siti.say("https://shopee.co.id/warungsiti")
    assert "Bukti Anda sudah kami kirim" in siti.read()

    await arrives(siti, both, timedelta(days=3), end)
    assert "lima produk" in await arrives(siti, both, timedelta(days=4), end)
    await siti.tap("✅ Sudah")
    siti.read()
    # An iPhone photo sent as a file: Telegram answered with the staff's text about lesson
    # files ("cannot be sent to participants"); both now ask for a JPG or PNG photo.
    await siti.send_file("toko.heic", b"\x00\x00\x00\x18ftypheic", "image/heic")
    refused = siti.read().text
    assert refused.startswith("Kirim foto atau tangkapan layar (JPG atau PNG)"), refused
    assert "peserta" not in refused
    await siti.send_file("toko.png", png(), "image/png")
    assert "Bukti Anda sudah kami kirim" in siti.read()
    rows = await both.services.db.fetch_all(
        "SELECT task_id, status FROM practice_tasks WHERE status = 'review' ORDER BY task_id"
    )
    assert [tuple(r) for r in rows] == [("buka-toko", "review"), ("lima-produk", "review")]
