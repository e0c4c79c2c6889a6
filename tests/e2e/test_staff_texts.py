"""What staff read in their own flows: no owner advice, and the pending question asked again."""

from __future__ import annotations

from simulator import FakeUser
from tests.harness import RunningBot


async def test_staff_typing_free_text_get_their_commands_not_the_owner_sign_up(
    bot: RunningBot, staff: FakeUser
) -> None:
    await staff.command("start")
    (reply,) = await staff.send("Bu, tolong cek peserta hari Sabtu ya")
    assert "/daftar" not in reply.text and "mendaftar" not in reply.text
    assert "/sesibaru" in reply.text and "/bantuan" in reply.text


async def test_staff_stopping_a_new_session_hear_nothing_was_kept_not_owner_advice(
    bot: RunningBot, staff: FakeUser
) -> None:
    await staff.command("sesibaru")
    await staff.send("Foto produk")
    (reply,) = await staff.command("batal")
    assert "/daftar" not in reply.text and "/profil" not in reply.text
    assert "tidak ada yang disimpan" in reply.text
    assert await bot.services.dialogs.current(await bot.user_id_of(staff.id)) is None
    assert await bot.services.sessions.all() == []


async def test_a_refused_session_title_gives_a_session_title_for_example(
    bot: RunningBot, staff: FakeUser
) -> None:
    await staff.command("sesibaru")
    (reply,) = await staff.send("🎉🎉")
    assert "Keripik Tempe" not in reply.text
    assert "Belajar foto produk dengan HP" in reply.text
    (reply,) = await staff.send("Foto produk " * 20)
    assert "Keripik Tempe" not in reply.text and "Belajar foto produk" in reply.text
    step = await bot.services.dialogs.current(await bot.user_id_of(staff.id))
    assert step is not None and step.step == "title"


async def test_a_staff_command_mid_new_session_is_answered_then_the_question_comes_again(
    bot: RunningBot, staff: FakeUser
) -> None:
    await staff.command("sesibaru")
    await staff.send("Foto produk pakai HP")
    assert staff.last.has_button("12/12")  # the date question
    for command in ("bantuan", "peserta", "jadwal"):
        await staff.command(command)
        assert staff.last.has_button("12/12"), command  # asked again, the newest message
    await staff.press("12/12")
    await staff.send("09.00-11.00")
    assert staff.last.buttons == [["Tempat (alamat)", "Online (link)"]]
