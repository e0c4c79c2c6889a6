"""The baseline bot through the emulator: greeting, help, cancel, fallbacks, errors, menus."""

from __future__ import annotations

from simulator import BotApiEmulator, FakeUser
from tests.e2e.support import register_owner
from tests.harness import RunningBot


async def test_start_greets_a_new_user_in_indonesian(bot: RunningBot, siti: FakeUser) -> None:
    replies = await siti.command("start")
    assert replies[0].text.startswith("Halo, Siti!")
    assert "Ngerewangi Umak Dodolan" in replies[0].text
    assert await bot.services.users.get(await bot.user_id_of(siti.id)) is not None


async def test_start_greets_an_english_client_in_english(bot: RunningBot, budi: FakeUser) -> None:
    replies = await budi.command("start")
    assert replies[0].text.startswith("Hello, Budi!")
    user = await bot.services.users.get(await bot.user_id_of(budi.id))
    assert user is not None and user.language == "en"


async def test_help_lists_commands_in_both_aliases(bot: RunningBot, siti: FakeUser) -> None:
    (reply,) = await siti.command("bantuan")
    assert "/daftar" in reply.text and "/batal" in reply.text
    (same,) = await siti.command("help")
    assert same.text == reply.text


async def test_staff_help_has_a_staff_section(bot: RunningBot, staff: FakeUser) -> None:
    (reply,) = await staff.command("bantuan")
    assert "Untuk petugas Dinas" in reply.text


async def test_cancel_with_nothing_running(bot: RunningBot, siti: FakeUser) -> None:
    (reply,) = await siti.command("batal")
    assert "Tidak ada yang sedang berjalan" in reply.text


async def test_unknown_command_gets_a_pointer(bot: RunningBot, siti: FakeUser) -> None:
    (reply,) = await siti.send("/jualan <b>")
    assert "/jualan" in reply.text and "/bantuan" in reply.text


async def test_stray_text_gets_a_pointer_shown_as_typed_and_the_help(
    bot: RunningBot, siti: FakeUser
) -> None:
    await register_owner(bot, siti.id, "Siti <b> & Co")
    (reply,) = await siti.send("halo <script> & co")
    assert reply.text.startswith("Maaf, saya belum paham pesan itu")
    assert "/jadwal" in reply.text and "/profil" in reply.text  # the help follows
    (back,) = await siti.send("makasih")
    assert back.text.startswith("Selamat datang kembali, Siti <b> & Co!")  # escaped once


async def test_forged_button_changes_nothing(bot: RunningBot, siti: FakeUser) -> None:
    await siti.command("start")
    for data in ("su:v9:confirm", "su:v1:confirm", "zz:v1:x", "ans:v1:category:hotel"):
        await siti.press_data(data)
        assert siti.toasts[-1].startswith("Tombol itu dari pesan lama, jadi tidak saya pakai")
    assert await bot.services.profile.get(await bot.user_id_of(siti.id)) is None
    dialog = await bot.services.dialogs.current(await bot.user_id_of(siti.id))
    assert dialog is not None and dialog.step == "consent"


async def test_error_apologises_in_the_users_language(
    bot: RunningBot, emulator: BotApiEmulator, budi: FakeUser
) -> None:
    emulator.faults.add("500", method="sendMessage", chat_id=budi.id, times=1)
    replies = await budi.command("help")
    assert [r.text for r in replies] == [
        "Sorry, something went wrong on our side 🙏 Please try again in a moment. "
        "Your data is safe."
    ]


async def test_menus_are_set_per_language(bot: RunningBot, emulator: BotApiEmulator) -> None:
    indonesian = emulator.commands("all_private_chats", language_code="")
    english = emulator.commands("all_private_chats", language_code="en")
    assert ("daftar", "Daftar ikut program") in indonesian
    assert ("signup", "Sign up for the programme") in english
    assert "daftar" not in dict(english)


async def test_staff_get_their_own_menu(
    bot: RunningBot, emulator: BotApiEmulator, staff: FakeUser
) -> None:
    await staff.command("start")
    menu = dict(emulator.commands("chat", chat_id=staff.id))
    assert "bantuan" in menu and "daftar" not in menu


async def test_updates_of_one_chat_are_handled_in_order(bot: RunningBot, siti: FakeUser) -> None:
    await siti.command("daftar")
    await siti.press("✅ Setuju")
    await siti.send("Siti Aminah")
    replies = await siti.send("Keripik Tempe")
    assert "jenis" in replies[-1].text
