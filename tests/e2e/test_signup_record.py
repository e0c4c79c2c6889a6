"""Sign-up reads as a record, and a tapped step costs one rate-limited call."""

from __future__ import annotations

from simulator import BotApiEmulator, FakeUser
from simulator.ratelimit import is_limited_method
from tests.harness import RunningBot


def _limited_calls(emulator: BotApiEmulator, since: int) -> list[str]:
    return [c.method for c in emulator.calls[since:] if is_limited_method(c.method)]


async def test_each_tapped_answer_shows_in_its_question_with_one_limited_call(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser
) -> None:
    await siti.command("start")
    mark = len(emulator.calls)
    await siti.press("✅ Setuju")
    assert _limited_calls(emulator, mark) == ["editMessageText"]
    consent = siti.last
    assert "izin penggunaan data" in consent.text  # the consent text stays in the chat
    assert "Jawaban Anda: ✅ Setuju ✓" in consent.text and "Langkah 1 dari 7" in consent.text
    await siti.send("Siti Aminah")
    await siti.send("Keripik Tempe Bu Siti")

    mark = len(emulator.calls)
    await siti.press("Fashion")
    assert _limited_calls(emulator, mark) == ["editMessageText"]
    assert siti.last.text.startswith("Jenis usaha: Fashion ✓\n\nLangkah 4 dari 7")
    assert siti.last.has_button("Lowokwaru")

    await siti.press("Lowokwaru")  # the phone question needs a reply keyboard: a new message
    record = siti.messages[-2]
    assert record.text == "Jenis usaha: Fashion ✓\nKecamatan: Lowokwaru ✓"
    assert record.buttons == []
    await siti.press("📱 Kirim nomor saya")
    await siti.press("Shopee")
    mark = len(emulator.calls)
    await siti.press("Selesai")
    assert _limited_calls(emulator, mark) == ["editMessageText"]
    assert siti.last.text.startswith("Marketplace: Shopee ✓\n\nLangkah 7 dari 7")
    await siti.press("Lewati")
    assert "Marketplace: Shopee ✓\nNIB: — ✓" in siti.last.text
    mark = len(emulator.calls)
    await siti.press("✅ Konfirmasi")
    assert _limited_calls(emulator, mark) == ["editMessageText"]
    assert "Pendaftaran selesai" in siti.last.text and siti.last.buttons == []
    owner = await bot.services.profile.get(await bot.user_id_of(siti.id))
    assert (
        owner is not None
        and owner.category == "fashion"
        and tuple(owner.marketplaces) == ("shopee",)
    )
