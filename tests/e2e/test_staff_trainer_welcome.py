"""A new session's trainer is told, with its card; staff and trainers are greeted as such."""

from __future__ import annotations

from bot.services.session_import import SessionImporter
from bot.services.sessions import TRAINER_ASSIGNED
from simulator import BotApiEmulator, FakeUser
from tests.harness import STAFF_ID, RunningBot

ANDI = 7001


async def trainer(bot: RunningBot, emulator: BotApiEmulator, language: str = "id") -> FakeUser:
    """Pak Andi, who became a trainer through an invite link."""
    andi = emulator.user(ANDI, "Andi", language_code=language)
    token = await bot.services.invites.create(await bot.user_id_of(STAFF_ID))
    await andi.command("start", f"latih-{token}")
    return andi


async def test_the_trainer_of_a_new_session_is_told_with_its_card(
    bot: RunningBot, emulator: BotApiEmulator, staff: FakeUser
) -> None:
    andi = await trainer(bot, emulator)
    seen = len(andi.messages)
    await staff.command("sesibaru")
    await staff.send("Jualan di TikTok Shop & Shopee")
    await staff.send("15-12-2026 13:00 - 15:00")
    await staff.press("Tempat (alamat)")
    await staff.send("Aula Dinas Koperasi")
    await staff.send("Jl. Panji Suroso No. 18")
    await staff.press("Lewati")
    await staff.press("20")
    await staff.press("Andi")
    await staff.press("Default: 2 jam sebelum mulai")
    await staff.press("✅ Simpan")
    await bot.tick()
    (notice,) = andi.messages[seen:]
    assert notice.text.startswith("🧑‍🏫 Anda ditugaskan sebagai pelatih untuk sesi baru:")
    assert "Jualan di TikTok Shop &amp; Shopee" in (notice.html or "")  # escaped once
    assert "Selasa, 15 Desember 2026, 13.00–15.00 WIB" in notice.text
    assert "Aula Dinas Koperasi, Jl. Panji Suroso No. 18" in notice.text
    assert "🧑‍🏫 Pelatih: Anda" in notice.text and "/kelas" in notice.text
    assert "Andi" not in notice.text  # not told about himself by name
    await bot.restart()
    await bot.tick()
    assert len(andi.messages) == seen + 1  # told once, durably


async def test_trainers_of_imported_sessions_are_told_unless_it_no_longer_applies(
    bot: RunningBot, emulator: BotApiEmulator
) -> None:
    andi = await trainer(bot, emulator, "en")
    seen = len(andi.messages)
    services = bot.services
    importer = SessionImporter(
        services.sessions,
        services.users,
        services.settings.timezone,
        services.now,
        services.identities,  # the file names trainers by their Telegram id
    )
    plan = await importer.check(
        "judul,tanggal,mulai,selesai,kapasitas,link,pelatih\n"
        f"Foto produk,12-12-2026,09.00,11.00,20,https://meet.example.org/a,{ANDI}\n"
        f"Live jualan,13-12-2026,13.00,15.00,20,https://meet.example.org/b,{ANDI}\n"
        "Tanpa pelatih,14-12-2026,09.00,11.00,20,https://meet.example.org/c,\n",
        "csv",
    )
    assert plan.ok, plan.problems
    first, second, _ = await importer.apply(plan, created_by=None)
    notices = [m for m in await services.outbox.all_messages() if m.kind == TRAINER_ASSIGNED]
    andi_id = await bot.user_id_of(ANDI)
    assert first.trainer_id == andi_id and second.trainer_id == andi_id
    assert [(m.user_id, m.params["session_id"]) for m in notices] == [
        (andi_id, first.id),
        (andi_id, second.id),
    ]
    await services.sessions.cancel(second.id)  # before the notice went out
    await bot.tick()
    cancelled, _calendar, notice = andi.messages[seen:]
    assert "Live jualan" in cancelled.text and "has been cancelled" in cancelled.text
    assert notice.text.startswith("🧑‍🏫 You are the trainer of a new session:")
    assert "Foto produk" in notice.text and "Live jualan" not in notice.text
    assert "/myclasses" in notice.text


async def test_staff_are_greeted_as_staff_with_their_own_commands(
    bot: RunningBot, staff: FakeUser
) -> None:
    (greeting,) = await staff.command("start")
    assert greeting.text.startswith("Halo, Bu Rina! 👋 Anda masuk sebagai petugas Dinas")
    assert "/umumkan" in greeting.text and "/sesibaru" in greeting.text
    assert "daftar pelatihan jualan" not in greeting.text  # not the owners' welcome
    staff_id = await bot.user_id_of(staff.id)
    assert await bot.services.dialogs.current(staff_id) is None  # not asked to sign up


async def test_trainers_are_greeted_as_trainers_in_their_language(
    bot: RunningBot, emulator: BotApiEmulator
) -> None:
    andi = await trainer(bot, emulator, "en")
    (greeting,) = await andi.command("start")
    assert greeting.text.startswith("Hello, Andi! 👋 You are a trainer")
    assert "/myclasses" in greeting.text and "/broadcast" not in greeting.text
    assert "sign up for marketplace selling coaching" not in greeting.text
