"""Words, the "Menu" list, language, help and announcements for owners on WhatsApp."""

from __future__ import annotations

import re
from pathlib import Path

from simulator.whatsapp.people import TINY_JPEG
from tests.whatsapp.owner_harness import SITI, running, send_other, signed_up


async def test_menu_is_a_list_of_at_most_ten_rows_and_a_row_runs_its_word(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as h:
        siti = h.person(SITI, name="Siti")
        await signed_up(siti)
        menu = (await siti.say("  MENU "))[-1]
        assert menu.type == "interactive" and menu.list_button == "Menu"  # as the lead says
        assert "Buka *Menu*" in menu.text
        assert 0 < len(menu.rows) <= 10
        assert "Profil usaha" in menu.row_titles and "Daftar program" not in menu.row_titles
        profile = (await siti.pick("Profil usaha"))[-1]
        assert profile.text.startswith("*Profil usaha Anda*")
        assert "*Nama:* Siti Aminah" in profile.text
        assert profile.titles == ["✏️ Ubah", "🌐 Bahasa"]
        h.emu.assert_no_violations()


async def test_a_guest_sees_sign_up_in_the_menu(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        budi = h.person("6281311112222", name="Budi")
        menu = (await budi.say("menu"))[-1]
        assert menu.row_titles[0] == "Daftar program"
        consent = (await budi.pick("Daftar program"))[-1]
        assert consent.text.startswith("Yuk daftar!") and consent.titles[0] == "✅ Setuju"
        h.emu.assert_no_violations()


async def test_bahasa_switches_to_english_and_the_words_follow(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        siti = h.person(SITI, name="Siti")
        await signed_up(siti)
        picker = (await siti.say("bahasa"))[-1]
        assert picker.titles == ["🇮🇩 Bahasa Indonesia", "🇬🇧 English"]
        changed = (await siti.tap("🇬🇧 English"))[-1]
        assert changed.text.startswith("Done, from now on I will write in English.")
        help_text = (await siti.say("Help"))[-1].text
        assert help_text.startswith("*What I can do*")
        assert "*profile* – See and change" in help_text
        assert "*cancel* – " in help_text and re.search(r"/[a-z]", help_text) is None
        profile = (await siti.say("profil"))[-1]  # the Indonesian word still works
        assert profile.text.startswith("*Your business profile*")
        row = await h.services.db.fetch_one(
            "SELECT language FROM users WHERE id = ?", (await h.user_id(SITI),)
        )
        assert row is not None and row["language"] == "en"
        h.emu.assert_no_violations()


async def test_stop_and_start_turn_announcements_off_and_on(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        siti = h.person(SITI, name="Siti")
        await signed_up(siti)
        off = (await siti.say("Berhenti"))[-1]
        assert "tidak akan menerima pengumuman umum lagi" in off.text
        assert "Ketik *mulai* untuk menyalakannya lagi." in off.text
        user_id = await h.user_id(SITI)
        assert user_id is not None
        assert not await h.services.broadcasts.wants_announcements(user_id)
        on = (await siti.say("mulai"))[-1]
        assert "Ketik *berhenti* kalau ingin mematikannya." in on.text
        assert await h.services.broadcasts.wants_announcements(user_id)
        h.emu.assert_no_violations()


async def test_an_image_where_text_is_expected_is_refused_and_the_question_asked_again(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as h:
        siti = h.person(SITI, name="Siti")
        await siti.say("daftar")
        await siti.tap("✅ Setuju")
        again = await siti.send_image(TINY_JPEG, caption="ini foto saya")
        assert len(again) == 1
        assert again[-1].text.startswith("Maaf, saya perlu jawaban berupa tulisan")
        assert "*nama lengkap*" in again[-1].text
        located = (await siti.share_location(-7.98, 112.63))[-1]
        assert "bukan lokasi" in located.text and "*nama lengkap*" in located.text
        sticker = {"type": "sticker", "sticker": {"id": "9", "mime_type": "image/webp"}}
        refused = (await send_other(siti, sticker))[-1]
        assert "*nama lengkap*" in refused.text
        taken = (await siti.say("Siti Aminah"))[-1]  # the dialog was not disturbed
        assert taken.text.startswith("Nama: *Siti Aminah* ✓")
        h.emu.assert_no_violations()


async def test_an_owner_sending_a_photo_or_an_unsupported_message_gets_the_menu(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as h:
        siti = h.person(SITI, name="Siti")
        await signed_up(siti)
        photo = (await siti.send_image(TINY_JPEG))[-1]
        assert photo.text.startswith("Terima kasih! Tapi di sini saya hanya bisa membaca tulisan")
        assert photo.list_button == "Menu"  # "Pilih dari menu di bawah ini"
        unsupported = {"type": "unsupported", "errors": [{"code": 131051}]}
        other = (await send_other(siti, unsupported))[-1]
        assert other.text.startswith("Maaf, jenis pesan itu belum bisa saya baca")
        gibberish = (await siti.say("asdfgh"))[-1]
        assert gibberish.text.startswith("Maaf, saya belum paham pesan itu")
        assert gibberish.rows
        h.emu.assert_no_violations()


async def test_a_reaction_gets_no_answer(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        siti = h.person(SITI, name="Siti")
        first = (await siti.say("halo"))[-1]
        reaction = {"type": "reaction", "reaction": {"message_id": first.wamid, "emoji": "👍"}}
        assert await siti._inject(reaction, "reacting", False, None) == []
        h.emu.assert_no_violations()


async def test_text_with_angle_brackets_and_ampersands_is_shown_as_typed_once(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as h:
        siti = h.person(SITI, name="Siti")
        await siti.say("daftar")
        await siti.tap("✅ Setuju")
        await siti.say("Siti <b>Aminah</b> & Co")
        taken = (await siti.say("Toko *Siti* & <Putri> &amp;"))[-1]
        assert taken.text.startswith("Nama usaha: *Toko ∗Siti* & <Putri> &amp;* ✓")
        await siti.pick("Jasa")
        await siti.pick("Sukun")
        await siti.tap("✅ Ya, pakai ini")
        await siti.pick("Lazada")
        await siti.pick("Selesai")
        summary = (await siti.tap("Lewati"))[-1]
        assert "*Nama:* Siti <b>Aminah</b> & Co" in summary.text
        row = (await h.owner_row(SITI)) or {}
        assert row == {}
        await siti.tap("✅ Konfirmasi")
        row = (await h.owner_row(SITI)) or {}
        assert row["full_name"] == "Siti <b>Aminah</b> & Co"
        assert row["business_name"] == "Toko *Siti* & <Putri> &amp;"
        h.emu.assert_no_violations()


async def test_an_owner_changes_one_field_from_her_profile(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        siti = h.person(SITI, name="Siti")
        await signed_up(siti)
        await siti.say("profil")
        fields = (await siti.tap("✏️ Ubah"))[-1]
        question = (await siti.pick("✏️ Kecamatan"))[-1]
        assert "*kecamatan*" in question.text and "Langkah" not in question.text
        saved = (await siti.pick("Lowokwaru"))[-1]
        assert saved.text.startswith("Tersimpan. ✅\n\n*Profil usaha Anda*")
        assert "*Kecamatan:* Lowokwaru" in saved.text
        stale = await siti.pick_on(fields, "✏️ Nama")  # the list still works: a new edit
        assert "*nama lengkap*" in stale[-1].text
        row = (await h.owner_row(SITI)) or {}
        assert row["kecamatan"] == "lowokwaru"
        h.emu.assert_no_violations()
