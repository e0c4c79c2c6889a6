"""Profile, language and personal-data rights through the emulator."""

from __future__ import annotations

import json
import sqlite3

from simulator import BotApiEmulator, FakeUser
from tests.e2e.test_signup import NASTY, sign_up_siti
from tests.harness import RunningBot


async def registered(siti: FakeUser, business: str = "Keripik Tempe Bu Siti") -> None:
    await sign_up_siti(siti, business)
    await siti.press("✅ Konfirmasi")


async def test_profile_shows_what_is_stored(bot: RunningBot, siti: FakeUser) -> None:
    await registered(siti)
    (view,) = await siti.command("profil")
    assert "Nama: Siti Aminah" in view.text and "Kecamatan: Lowokwaru" in view.text
    assert "Terdaftar sejak Selasa, 1 Desember 2026" in view.text
    assert view.has_button("✏️ No. HP/WA") and view.has_button("🌐 Bahasa")


async def test_profile_without_signup_points_to_daftar(bot: RunningBot, siti: FakeUser) -> None:
    (reply,) = await siti.command("profil")
    assert "/daftar" in reply.text


async def test_editing_a_field_uses_the_same_validation(bot: RunningBot, siti: FakeUser) -> None:
    await registered(siti)
    await siti.command("profil")
    await siti.press("✏️ No. HP/WA")
    (refusal,) = await siti.send("12345")
    assert "0812-3456-7890" in refusal.text
    replies = await siti.send("+62 857 1111 2222")
    assert replies[0].text == "Nomor +6285711112222 tersimpan. ✅"
    assert "Profil usaha Anda" in replies[-1].text
    owner = await bot.services.profile.get(siti.id)
    assert owner is not None and owner.phone == "+6285711112222"


async def test_editing_a_choice_and_the_business_name(bot: RunningBot, siti: FakeUser) -> None:
    await registered(siti)
    await siti.command("profil")
    await siti.press("✏️ Jenis usaha")
    await siti.press("Kriya/kerajinan")
    await siti.press("✏️ Nama usaha")
    replies = await siti.send(NASTY)
    assert f"Nama usaha: {NASTY}" in replies[-1].text
    owner = await bot.services.profile.get(siti.id)
    assert owner is not None and owner.category == "kriya" and owner.business_name == NASTY


async def test_cancel_while_editing_keeps_the_old_value(bot: RunningBot, siti: FakeUser) -> None:
    await registered(siti)
    await siti.command("profil")
    await siti.press("✏️ Nama")
    await siti.command("batal")
    owner = await bot.services.profile.get(siti.id)
    assert owner is not None and owner.full_name == "Siti Aminah"


async def test_language_switch_changes_reply_and_menu_at_once(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser
) -> None:
    await siti.command("bahasa")
    (changed,) = [m for m in await siti.press("🇬🇧 English") if not m.edited]
    assert changed.text == "Done, from now on I will write in English. 🇬🇧"
    assert (
        dict(emulator.commands("chat", chat_id=siti.id))["signup"] == "Sign up for the programme"
    )
    (help_text,) = await siti.command("help")
    assert "What I can do" in help_text.text
    await siti.command("language")
    await siti.press("🇮🇩 Bahasa Indonesia")
    assert "daftar" in dict(emulator.commands("chat", chat_id=siti.id))


async def test_my_data_returns_what_is_stored(bot: RunningBot, siti: FakeUser) -> None:
    await registered(siti, NASTY)
    summary, document = await siti.command("datasaya")
    assert f"Nama usaha: {NASTY}" in summary.text and "No. HP/WA: +6281234567890" in summary.text
    assert "disetujui Selasa, 1 Desember 2026, 09.00 WIB" in summary.text
    assert document.document is not None
    name, _mime, content = document.document
    assert name == "data-saya-dodolan.json"
    exported = json.loads(content)
    assert exported["profile"]["business_name"] == NASTY
    assert exported["profile"]["phone"] == "+6281234567890"
    assert exported["consents"][0]["purpose"] == "programme"
    assert exported["telegram_user_id"] == siti.id


async def test_my_data_before_signup_says_so(bot: RunningBot, siti: FakeUser) -> None:
    replies = await siti.command("datasaya")
    assert "belum menyimpan data pribadi" in replies[0].text
    assert replies[1].document is not None


async def test_erasure_leaves_no_personal_data_in_the_file(
    bot: RunningBot, siti: FakeUser
) -> None:
    await registered(siti)
    await siti.command("hapusdata")
    replies = await siti.press("🗑 Ya, hapus data saya")
    assert "sudah kami hapus" in replies[-1].text
    with sqlite3.connect(bot.settings.database) as conn:
        for table in ("owner_profiles", "consents", "dialogs"):
            assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone() == (0,), table
        assert conn.execute("SELECT COUNT(*) FROM users WHERE id = ?", (siti.id,)).fetchone() == (
            0,
        )
        assert conn.execute("SELECT COUNT(*) FROM erasures").fetchone() == (1,)
        dump = "\n".join(conn.iterdump())
    for personal in ("Siti Aminah", "Keripik Tempe", "81234567890", str(siti.id)):
        assert personal not in dump


async def test_erasure_can_be_declined(bot: RunningBot, siti: FakeUser) -> None:
    await registered(siti)
    await siti.command("hapusdata")
    replies = await siti.press("Tidak jadi")
    assert "tidak dihapus" in replies[-1].text
    assert await bot.services.profile.get(siti.id) is not None
