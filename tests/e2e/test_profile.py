"""Profile, language and personal-data rights through the emulator."""

from __future__ import annotations

import functools
import json
import sqlite3
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot.core.models import Role
from simulator import BotApiEmulator, FakeUser
from tests.e2e.support import create_session
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
    owner = await bot.services.profile.get(await bot.user_id_of(siti.id))
    assert owner is not None and owner.phone == "+6285711112222"


async def test_editing_a_choice_and_the_business_name(bot: RunningBot, siti: FakeUser) -> None:
    await registered(siti)
    await siti.command("profil")
    await siti.press("✏️ Jenis usaha")
    await siti.press("Kriya/kerajinan")
    await siti.press("✏️ Nama usaha")
    replies = await siti.send(NASTY)
    assert f"Nama usaha: {NASTY}" in replies[-1].text
    owner = await bot.services.profile.get(await bot.user_id_of(siti.id))
    assert owner is not None and owner.category == "kriya" and owner.business_name == NASTY


async def test_cancel_while_editing_keeps_the_old_value(bot: RunningBot, siti: FakeUser) -> None:
    await registered(siti)
    await siti.command("profil")
    await siti.press("✏️ Nama")
    await siti.command("batal")
    owner = await bot.services.profile.get(await bot.user_id_of(siti.id))
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


async def test_my_data_lists_attendance_feedback_tips_and_settings(
    bot: RunningBot, siti: FakeUser
) -> None:
    await registered(siti)
    await attended_and_commented(bot, siti)
    await siti.command("tips")
    await siti.command("berhenti")
    summary, document = await siti.command("datasaya")
    assert "1 booking sesi (1 hadir), 1 penilaian sesi dan 1 komentar, 1 tips diterima" in (
        summary.text
    )
    assert "pengumuman program dimatikan" in summary.text
    assert document.document is not None
    exported = json.loads(document.document[2])
    (booking,) = exported["bookings"]
    assert booking["session"] == "Foto produk" and booking["status"] == "confirmed"
    assert booking["attended_at"] == "2026-12-12T02:05:00+00:00"
    assert booking["feedback"]["stars"] == 5
    assert booking["feedback"]["comment"] == "Materinya jelas sekali"
    assert len(exported["tips_received"]) == 1 and exported["tip_opinions"] == []
    assert exported["settings"]["announcements"] is False
    assert exported["roles"] == []


async def test_a_trainers_data_shows_his_role_and_stored_name(
    bot: RunningBot, emulator: BotApiEmulator
) -> None:
    joko = await trainer_joko(bot, emulator)
    summary, document = await joko.command("datasaya")
    assert "belum mendaftar sebagai pemilik usaha" in summary.text
    assert "Peran: pelatih; nama Telegram yang ditampilkan ke peserta: Joko Susilo" in (
        summary.text
    )
    assert document.document is not None
    (role,) = json.loads(document.document[2])["roles"]
    assert role["role"] == "trainer" and role["name_shown_to_owners"] == "Joko Susilo"


async def test_my_data_before_signup_says_so(bot: RunningBot, siti: FakeUser) -> None:
    replies = await siti.command("datasaya")
    assert "belum menyimpan data pribadi" in replies[0].text
    assert replies[1].document is not None


PERSONAL = ("Siti Aminah", "Keripik Tempe Bu Siti", "81234567890", "Materinya jelas sekali")


class _BuiltWithoutSecureDelete(sqlite3.Connection):
    """A connection as a SQLite build without ``SQLITE_SECURE_DELETE`` opens it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.execute("PRAGMA secure_delete = OFF")


@pytest.fixture
def sqlite_built_without_secure_delete(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every connection the bot opens start with ``secure_delete`` off."""
    monkeypatch.setattr(
        aiosqlite,
        "connect",
        functools.partial(aiosqlite.connect, factory=_BuiltWithoutSecureDelete),
    )


def database_bytes(path: Path) -> dict[str, bytes]:
    """The raw bytes of the database file and its write-ahead log, as the bot left them."""
    wal = path.with_name(path.name + "-wal")
    return {f.name: f.read_bytes() for f in (path, wal) if f.exists()}


async def trainer_joko(bot: RunningBot, emulator: BotApiEmulator) -> FakeUser:
    joko = emulator.user(7001, "Joko Susilo", language_code="id")
    await joko.command("bantuan")
    async with bot.services.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO user_roles (user_id, role, source, granted_at, display_name) "
            "VALUES (?, 'trainer', 'invite', '2026-11-30T00:00:00+00:00', 'Joko Susilo')",
            (await bot.user_id_of(joko.id),),
        )
    return joko


async def attended_and_commented(bot: RunningBot, siti: FakeUser) -> None:
    session = await create_session(bot, "Foto produk")
    siti_id = await bot.user_id_of(siti.id)
    view = await bot.services.booking.book(siti_id, session.id)
    async with bot.services.db.transaction() as tx:
        await tx.execute(
            "UPDATE bookings SET attended_at = '2026-12-12T02:05:00+00:00' WHERE id = ?",
            (view.booking.id,),
        )
    await bot.services.attendance.rate(siti_id, view.booking.id, 5)
    await bot.services.attendance.comment(siti_id, view.booking.id, "Materinya jelas sekali")


async def test_erasure_leaves_no_personal_data_in_the_file(
    sqlite_built_without_secure_delete: None, bot: RunningBot, siti: FakeUser
) -> None:
    await registered(siti)
    await attended_and_commented(bot, siti)
    await siti.command("tips")
    siti_id = await bot.user_id_of(siti.id)
    before = database_bytes(bot.settings.database)
    assert any(b"Siti Aminah" in data for data in before.values())
    await siti.command("hapusdata")
    replies = await siti.press("🗑 Ya, hapus data saya")
    assert "sudah kami hapus" in replies[-1].text
    with sqlite3.connect(bot.settings.database) as conn:
        for table in ("owner_profiles", "consents", "dialogs", "bookings", "feedback"):
            assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone() == (0,), table
        for table in ("tips_sent", "tips_feedback", "tips_subscriptions", "outbox"):
            assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone() == (0,), table
        assert conn.execute("SELECT COUNT(*) FROM users WHERE id = ?", (siti_id,)).fetchone() == (
            0,
        )
        assert conn.execute("SELECT COUNT(*) FROM erasures").fetchone() == (1,)
        dump = "\n".join(conn.iterdump())
    conn.close()
    for personal in (*PERSONAL, str(siti.id)):
        assert personal not in dump
    # the bot is still running: nothing may survive in freed pages or in the write-ahead log
    after = database_bytes(bot.settings.database)
    for name, data in after.items():
        for personal in PERSONAL:
            assert personal.encode() not in data, (name, personal)


async def test_the_bot_turns_secure_delete_on_whatever_the_build_says(
    sqlite_built_without_secure_delete: None, bot: RunningBot
) -> None:
    db = bot.services.db
    for conn in (db._writer, db._reader):
        row = await (await conn.execute("PRAGMA secure_delete")).fetchone()
        assert row is not None and row[0] == 1


async def test_a_trainers_erasure_removes_his_role_and_name(
    bot: RunningBot, emulator: BotApiEmulator
) -> None:
    joko = await trainer_joko(bot, emulator)
    joko_id = await bot.user_id_of(joko.id)
    session = await create_session(bot, "Judul produk")
    await bot.services.sessions.change(session.id, {"trainer_id": joko_id})
    await joko.command("hapusdata")
    replies = await joko.press("🗑 Ya, hapus data saya")
    assert "sudah kami hapus" in replies[-1].text
    assert await bot.services.users.roles(joko_id) == {Role.OWNER}
    assert await bot.services.users.display_names([joko_id]) == {}
    moved = await bot.services.sessions.get(session.id)
    assert moved is not None and moved.trainer_id is None
    for name, data in database_bytes(bot.settings.database).items():
        assert b"Joko Susilo" not in data, name


async def test_erasure_can_be_declined(bot: RunningBot, siti: FakeUser) -> None:
    await registered(siti)
    await siti.command("hapusdata")
    replies = await siti.press("Tidak jadi")
    assert "tidak dihapus" in replies[-1].text
    assert await bot.services.profile.get(await bot.user_id_of(siti.id)) is not None
