"""Double taps, replayed taps and failing handlers: the person always sees the next step.

Every test here runs under the strict emulator fixture, which fails the test if the bot made
a call Telegram would refuse: an edit that changes nothing, a second answer to a callback.
"""

from __future__ import annotations

import pytest
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from handlers.telegram import callbacks as cb
from handlers.telegram.context import DodolanContext
from simulator import BotApiEmulator, FakeUser
from tests.e2e.support import create_session, register_owner
from tests.harness import RunningBot

GENERIC_APOLOGY = "Maaf, ada gangguan di sistem kami"


async def _to_category(siti: FakeUser) -> None:
    await siti.command("start")
    await siti.press("✅ Setuju")
    await siti.send("Siti Aminah")
    await siti.send("Keripik Tempe Bu Siti")


async def test_double_tap_on_a_sign_up_answer_keeps_the_next_question(
    bot: RunningBot, siti: FakeUser
) -> None:
    await _to_category(siti)
    question = siti.last
    await siti.press("Kuliner/makanan-minuman")
    assert siti.last.has_button("Lowokwaru")
    await siti.press_on(question, "Kuliner/makanan-minuman")  # the second tap of a double tap
    assert not any(GENERIC_APOLOGY in m.text for m in siti.messages)
    dialog = await bot.services.dialogs.current(await bot.user_id_of(siti.id))
    assert dialog is not None and dialog.step == "kecamatan"
    assert dialog.data["category"] == "kuliner"
    await siti.press("Lowokwaru")  # and sign-up goes on
    assert siti.last.reply_keyboard == [["📱 Kirim nomor saya"]]


async def test_old_copy_of_a_question_answered_again_still_asks_the_next_one(
    bot: RunningBot, siti: FakeUser
) -> None:
    await _to_category(siti)
    await siti.send("makanan ringan")  # no option typed: the question is asked again
    first, second = [m for m in siti.messages if m.has_button("Fashion")][-2:]
    assert first.message_id != second.message_id
    await siti.press_on(second, "Fashion")
    assert siti.last.has_button("Lowokwaru")
    await siti.press_on(first, "Kuliner/makanan-minuman")  # an old copy, now stale
    assert siti.last.has_button("Lowokwaru")
    dialog = await bot.services.dialogs.current(await bot.user_id_of(siti.id))
    assert dialog is not None and dialog.step == "kecamatan"
    assert dialog.data["category"] == "fashion"
    assert not any(GENERIC_APOLOGY in m.text for m in siti.messages)


async def test_marketplace_toggles_with_two_prompts_on_screen(
    bot: RunningBot, siti: FakeUser
) -> None:
    await _to_category(siti)
    await siti.press("Kuliner/makanan-minuman")
    await siti.press("Lowokwaru")
    await siti.press("📱 Kirim nomor saya")
    first = siti.last
    await siti.send_sticker()  # a sticker instead of a tap: the question comes again
    second = siti.last
    assert second.message_id != first.message_id and second.has_button("Shopee")
    await siti.press_on(first, "Shopee")
    await siti.press_on(second, "Shopee")  # toggles back; second prompt already shows that
    await siti.press_on(second, "Shopee")  # a double tap of it
    assert not any(GENERIC_APOLOGY in m.text for m in siti.messages)
    await siti.press("Selesai")
    assert "NIB" in siti.last.text


async def test_double_tap_on_close_and_keep_session(bot: RunningBot, staff: FakeUser) -> None:
    session = await create_session(bot)
    await staff.command("sesi")
    card = staff.last
    await staff.press("🔒 Tutup pendaftaran")
    await staff.press_on(card, "🔒 Tutup pendaftaran")
    assert staff.last.has_button("🔓 Buka lagi")
    stored = await bot.services.sessions.get(session.id)
    assert stored is not None and stored.status == "closed"
    await staff.press("❌ Batalkan sesi")
    question = staff.last
    await staff.press("Tidak jadi")
    await staff.press_on(question, "Tidak jadi")
    assert "tetap berjalan" in staff.last.text
    stored = await bot.services.sessions.get(session.id)
    assert stored is not None and stored.status == "closed"
    assert not any(GENERIC_APOLOGY in m.text for m in staff.messages)


@pytest.mark.parametrize("fails_after_answer", [False, True])
async def test_the_apology_comes_whether_or_not_the_button_was_answered(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser, fails_after_answer: bool
) -> None:
    async def failing(update: object, context: DodolanContext) -> None:
        query = update.callback_query  # type: ignore[attr-defined]
        if fails_after_answer:
            await query.answer()
        raise RuntimeError("a bug")

    assert bot.application is not None
    bot.application.add_handler(CallbackQueryHandler(failing, pattern="^zz:"), group=-2)
    await register_owner(bot, siti.id, "Siti")
    await siti.command("bantuan")
    replies = await siti.press_data(cb.pack("zz", "boom"))
    assert [m.text for m in replies if GENERIC_APOLOGY in m.text]
    answers = [c for c in emulator.calls if c.method == "answerCallbackQuery"]
    assert [c.status for c in answers] == [200]


async def test_answer_on_an_old_copy_whose_buttons_are_gone_asks_nothing_twice(
    bot: RunningBot, siti: FakeUser
) -> None:
    siti_id = await register_owner(bot, siti.id, "Siti")
    await siti.command("profil")
    await siti.press("✏️ Jenis usaha")
    old_question = siti.last
    await siti.press("Kriya/kerajinan")  # saved; that question's buttons are cleared
    await siti.command("profil")
    await siti.press("✏️ Jenis usaha")  # the same question again
    replies = await siti.press_on(old_question, "Fashion")  # tapped on the old copy
    assert not any(GENERIC_APOLOGY in m.text for m in siti.messages)
    owner = await bot.services.profile.get(siti_id)
    assert owner is not None and owner.category == "fashion"
    assert any("Fashion" in m.text for m in replies)  # the saved profile is shown


async def test_an_error_gets_one_apology_and_no_other_answer(
    bot: RunningBot, siti: FakeUser
) -> None:
    async def failing(update: object, context: DodolanContext) -> None:
        raise RuntimeError("a bug before any feature handler")

    assert bot.application is not None
    bot.application.add_handler(MessageHandler(filters.Regex("^boom$"), failing), group=-2)
    await register_owner(bot, siti.id, "Siti")
    replies = await siti.send("boom")
    assert len(replies) == 1 and replies[0].text.startswith(GENERIC_APOLOGY)
