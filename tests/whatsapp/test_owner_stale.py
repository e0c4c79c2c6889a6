"""Taps that change nothing on WhatsApp: an old message's button, a forged id, a double tap."""

from __future__ import annotations

from pathlib import Path

from tests.whatsapp.owner_harness import SITI, running, signed_up

STALE = "Tombol itu dari pesan lama, jadi tidak saya pakai dan tidak ada yang berubah."


async def test_a_tap_on_an_old_message_changes_nothing_and_asks_the_current_question(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as h:
        siti = h.person(SITI, name="Siti")
        await siti.say("daftar")
        await siti.tap("✅ Setuju")
        await siti.say("Siti Aminah")
        category = (await siti.say("Keripik Tempe Bu Siti"))[-1]
        await siti.pick("Jasa")
        replies = await siti.pick_on(category, "Kuliner/makanan-minuman")  # the old list
        assert replies[0].text.startswith(STALE)
        assert "*kecamatan*" in replies[-1].text  # the question she is at, newest again
        dialog = await h.services.dialogs.current(await h.user_id(SITI) or 0)
        assert dialog is not None and dialog.data["category"] == "jasa"
        h.emu.assert_no_violations()


async def test_a_forged_button_id_changes_nothing(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        siti = h.person(SITI, name="Siti")
        await siti.say("daftar")
        await siti.tap("✅ Setuju")
        for forged in ("su:v1:confirm", "ans:v1:category:kuliner", "bk:v1:book:999", "x" * 90):
            replies = await siti.tap_forged(forged)
            assert replies[0].text.startswith(STALE), forged
            assert "*nama lengkap*" in replies[-1].text
        dialog = await h.services.dialogs.current(await h.user_id(SITI) or 0)
        assert dialog is not None and dialog.step == "full_name"
        assert await h.owner_row(SITI) is None
        h.emu.assert_no_violations()


async def test_a_double_tap_is_noted_once_and_briefly(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        siti = h.person(SITI, name="Siti")
        await siti.say("daftar")
        consent = (await siti.tap("✅ Setuju"))[-1]
        assert "*nama lengkap*" in consent.text
        question = siti.messages[-2]
        again = await siti.tap_on(question, "✅ Setuju")
        assert [m.text for m in again] == ["Sudah saya catat ✓"]
        other = await siti.tap_on(question, "Tidak setuju")  # another button of it: stale
        assert other[0].text.startswith(STALE)
        await siti.say("Siti Aminah")
        h.emu.assert_no_violations()


async def test_confirming_twice_keeps_one_profile(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        siti = h.person(SITI, name="Siti")
        await signed_up(siti)
        summary = siti.messages[-2]
        again = await siti.tap_on(summary, "✅ Konfirmasi")
        assert [m.text for m in again] == ["Sudah saya catat ✓"]
        rows = await h.services.db.fetch_all("SELECT user_id FROM owner_profiles")
        assert len(rows) == 1
        h.emu.assert_no_violations()


async def test_a_word_in_the_middle_of_sign_up_asks_the_question_again_after_it(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as h:
        siti = h.person(SITI, name="Siti")
        await siti.say("daftar")
        await siti.tap("✅ Setuju")
        replies = await siti.say("bantuan")
        assert replies[0].text.startswith("*Yang bisa saya bantu*")
        assert "*nama lengkap*" in replies[-1].text
        cancelled = (await siti.say("batal"))[-1]
        assert cancelled.text.startswith("Oke, sudah saya hentikan.")
        assert "ketik *daftar* untuk mendaftar" in cancelled.text
        assert await h.services.dialogs.current(await h.user_id(SITI) or 0) is None
        h.emu.assert_no_violations()
