"""/peserta, /statistik, trainer invites, and owners trying staff commands and buttons."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import ApplicationHandlerStop, CommandHandler

from handlers.telegram.context import DodolanContext
from handlers.telegram.staff import redeem_invite
from simulator import BotApiEmulator, FakeUser
from tests.e2e.support import SATURDAY_9, create_session, register_owner
from tests.harness import RunningBot

REFUSED = "Maaf, fitur ini khusus untuk petugas atau pelatih program."


def install_invite_start(bot: RunningBot) -> None:
    """Route ``/start latih-<token>`` to redeem_invite ahead of everything (as /start does)."""

    async def start(update: Update, context: DodolanContext) -> None:
        if context.args and context.args[0].startswith("latih-"):
            await redeem_invite(update, context, context.args[0].removeprefix("latih-"))
            raise ApplicationHandlerStop

    assert bot.application is not None
    bot.application.add_handler(CommandHandler("start", start), group=-2)


async def _invite_token(staff: FakeUser) -> str:
    await staff.command("pelatih")
    await staff.press("➕ Buat undangan pelatih")
    link = next(w for w in staff.last.text.split() if w.startswith("https://t.me/"))
    assert link.startswith("https://t.me/DodolanBot?start=latih-")
    return link.split("start=latih-")[1]


async def test_invite_redeem_used_expired_and_revoke(
    bot: RunningBot, staff: FakeUser, emulator: BotApiEmulator
) -> None:
    install_invite_start(bot)
    andi = emulator.user(7001, "Andi", language_code="id")
    token = await _invite_token(staff)
    (welcome,) = await andi.command("start", f"latih-{token}")
    assert "Selamat datang, Andi" in welcome.text
    andi_id = await bot.user_id_of(andi.id)
    assert "trainer" in await bot.services.users.roles(andi_id)
    eko = emulator.user(7002, "Eko", language_code="id")
    (used,) = await eko.command("start", f"latih-{token}")
    assert "sudah dipakai" in used.text
    late = await _invite_token(staff)
    bot.clock.advance(hours=48)
    (expired,) = await eko.command("start", f"latih-{late}")
    assert "kedaluwarsa" in expired.text
    assert await bot.services.users.roles(await bot.user_id_of(eko.id)) == {"owner"}

    await staff.command("pelatih")
    assert "Andi" in staff.last.text
    await staff.press("Cabut Andi")
    await staff.press("Tidak jadi")
    assert "trainer" in await bot.services.users.roles(andi_id)
    await staff.command("pelatih")
    await staff.press("Cabut Andi")
    await staff.press("Ya, cabut")
    assert "sudah dicabut" in staff.last.text
    assert await bot.services.users.roles(andi_id) == {"owner"}
    (refusal,) = await andi.command("peserta")
    assert refusal.text == REFUSED


async def test_participants_for_staff_own_trainer_and_not_another_trainer(
    bot: RunningBot, staff: FakeUser, emulator: BotApiEmulator
) -> None:
    install_invite_start(bot)
    andi = emulator.user(7001, "Andi", language_code="id")
    eko = emulator.user(7002, "Eko", language_code="id")
    await andi.command("start", f"latih-{await _invite_token(staff)}")
    await eko.command("start", f"latih-{await _invite_token(staff)}")
    session = await create_session(bot, "Foto produk", capacity=1)
    async with bot.services.db.transaction() as tx:
        await tx.execute(
            "UPDATE training_sessions SET trainer_id = ?", (await bot.user_id_of(andi.id),)
        )
    siti_id = await register_owner(bot, 2001, "Siti <Aminah>")
    rina_id = await register_owner(bot, 2002, "Rina")
    await bot.services.booking.book(siti_id, session.id)
    await bot.services.booking.book(rina_id, session.id)

    await staff.command("peserta")
    replies = await staff.press(staff.last.buttons[0][0])
    html = replies[-1].html or ""
    assert "Terdaftar (1)" in html and "Siti &lt;Aminah&gt;" in html
    assert "Usaha Siti &lt;Aminah&gt;" in html and "+6281200002001" in html
    assert "Antrean (1)" in html and "Rina" in html

    await andi.command("peserta")
    replies = await andi.press(andi.last.buttons[0][0])
    assert "Siti <Aminah>" in replies[-1].text

    (none,) = await eko.command("peserta")
    assert "Belum ada sesi" in none.text
    await eko.press_data(f"pp:v1:{session.id}")
    assert eko.toasts[-1] == REFUSED
    assert all("Siti" not in m.text for m in eko.messages)


async def test_statistics(bot: RunningBot, staff: FakeUser) -> None:
    first = await create_session(bot, "Foto produk", capacity=2)
    await create_session(bot, "Live jualan", capacity=10)
    owners = [
        await register_owner(bot, 2001, "A", kecamatan="klojen", category="kuliner"),
        await register_owner(bot, 2002, "B", kecamatan="klojen", category="fashion"),
        await register_owner(bot, 2003, "C", kecamatan="sukun", category="kuliner"),
    ]
    for owner in owners:
        await bot.services.booking.book(owner, first.id)
    async with bot.services.db.transaction() as tx:
        await tx.execute("INSERT INTO erasures (erased_at) VALUES ('2026-11-30')")
    (stats,) = await staff.command("statistik")
    text = stats.text
    assert "Pelaku UKM terdaftar: 3" in text and "Total antrean: 1" in text
    assert "Data dihapus atas permintaan: 1" in text
    assert "• Foto produk: 2/2 (100%), antre 1" in text
    assert "• Live jualan: 0/10 (0%), antre 0" in text
    assert "• Klojen: 2" in text and "• Sukun: 1" in text
    assert "• Kuliner/makanan-minuman: 2" in text and "• Fashion: 1" in text


async def _snapshot(bot: RunningBot) -> list[Any]:
    db = bot.services.db
    rows = []
    for table in ("training_sessions", "bookings", "trainer_invites", "user_roles", "outbox"):
        rows.append([tuple(r) for r in await db.fetch_all(f"SELECT * FROM {table}")])
    return rows


async def test_an_owner_trying_every_staff_command_and_button_changes_nothing(
    bot: RunningBot, siti: FakeUser, staff: FakeUser, emulator: BotApiEmulator
) -> None:
    session = await create_session(bot)
    rina_id = await register_owner(bot, 2001, "Rina")
    await bot.services.booking.book(rina_id, session.id)
    async with bot.services.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO user_roles (user_id, role, source, granted_at) "
            "VALUES (7001, 'trainer', 'invite', '2026-11-01T00:00:00+00:00')"
        )
    before = await _snapshot(bot)
    await siti.command("bantuan")
    for command in ("sesibaru", "newsession", "sesi", "managesessions", "peserta", "statistik"):
        (reply,) = await siti.command(command)
        assert reply.text == REFUSED, command
    for command in ("participants", "stats", "pelatih", "trainers"):
        (reply,) = await siti.command(command)
        assert reply.text == REFUSED, command
    sid = session.id
    forged = [
        "ns:v1:confirm:save",
        "ns:v1:date:2026-12-12",
        f"sa:v1:cancel:{sid}",
        f"sa:v1:cancelyes:{sid}",
        f"sa:v1:close:{sid}",
        f"sa:v1:cap:{sid}",
        f"pp:v1:{sid}",
        "tr:v1:invite",
        "tr:v1:revokeyes:7001",
    ]
    for data in forged:
        await siti.press_data(data)
        assert siti.toasts[-1] == REFUSED, data
    assert await bot.services.dialogs.current(await bot.user_id_of(siti.id)) is None
    assert await _snapshot(bot) == before


async def test_revoked_staff_is_refused_mid_conversation(bot: RunningBot, staff: FakeUser) -> None:
    await staff.command("sesibaru")
    await staff.send("Foto produk")
    await bot.services.users.bootstrap_staff([])
    (refusal,) = await staff.send("12-12-2026")
    assert refusal.text == REFUSED
    await staff.press_data("ns:v1:confirm:save")
    assert staff.toasts[-1] == REFUSED
    assert await bot.services.sessions.all() == []


async def test_revoke_names_the_sessions_left_without_a_trainer_and_tells_him(
    bot: RunningBot, staff: FakeUser, emulator: BotApiEmulator
) -> None:
    install_invite_start(bot)
    andi = emulator.user(7001, "Andi", language_code="id")
    await andi.command("bantuan")
    await andi.command("start", f"latih-{await _invite_token(staff)}")
    over = await create_session(bot, "Kelas kemarin", starts_at=SATURDAY_9 - timedelta(days=3))
    coming = await create_session(bot, "Foto produk", starts_at=SATURDAY_9)
    andi_id = await bot.user_id_of(andi.id)
    for session in (over, coming):
        await bot.services.sessions.change(session.id, {"trainer_id": andi_id})
    bot.clock.moment = SATURDAY_9 - timedelta(days=2)  # "Kelas kemarin" is over

    await staff.command("pelatih")
    (confirm,) = await staff.press("Cabut Andi")
    assert "akan jadi tanpa pelatih" in confirm.text
    assert "Foto produk" in confirm.text and "Kelas kemarin" not in confirm.text
    (done,) = await staff.press("Ya, cabut")
    assert "Hak pelatih Andi sudah dicabut" in done.text
    assert "Sesi ini sekarang tanpa pelatih:\n• Sabtu, 12 Desember 2026" in done.text
    assert "Foto produk" in done.text and "Kelas kemarin" not in done.text
    kept, orphaned = [await bot.services.sessions.get(s.id) for s in (over, coming)]
    assert kept is not None and kept.trainer_id == andi_id  # the records keep who ran it
    assert orphaned is not None and orphaned.trainer_id is None
    reminders = await bot.services.db.fetch_all(
        "SELECT status FROM outbox WHERE ref = ?", (f"trainer:{coming.id}",)
    )
    assert reminders and {r["status"] for r in reminders} == {"cancelled"}

    intro, card = await staff.command("sesi")
    assert "⚠️ 1 sesi belum punya pelatih:\n• Sabtu, 12 Desember 2026" in intro.text
    assert "Foto produk" in card.text and "Pelatih: ⚠️ belum ada pelatih" in card.text
    await bot.tick()
    notice = andi.last.text
    assert "Hak pelatih Anda di program ini sudah dicabut" in notice and "Foto produk" in notice
    assert "kelas" not in dict(emulator.commands("chat", chat_id=andi.id))
