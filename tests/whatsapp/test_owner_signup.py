"""An owner signs up on WhatsApp end to end: the strict emulator, the real webhook and channel."""

from __future__ import annotations

from pathlib import Path

from tests.whatsapp.owner_harness import SITI, running


async def test_a_new_owner_signs_up_with_buttons_lists_typed_answers_and_her_number(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as h:
        siti = h.person(SITI, name="Siti")
        welcome = (await siti.say("Halo"))[-1]
        assert welcome.text.startswith("Halo, Siti! 👋")
        assert "_Pesan WhatsApp dikirim lewat layanan WhatsApp milik Meta" in welcome.text
        assert welcome.text.endswith("Apakah Anda setuju?")
        assert "lihat data kapan saja dengan *datasaya*, hapus dengan *hapusdata*" in welcome.text
        assert welcome.titles == ["✅ Setuju", "Tidak setuju"]

        name = (await siti.tap("✅ Setuju"))[-1]
        assert name.text.startswith("Jawaban Anda: *✅ Setuju* ✓\n\n_Langkah 1 dari 7_")
        assert "*nama lengkap*" in name.text and name.buttons == ()

        business = (await siti.say("  Siti Aminah "))[-1]
        assert business.text.startswith("Nama: *Siti Aminah* ✓\n\n_Langkah 2 dari 7_")

        category = (await siti.say("Keripik Tempe Bu Siti"))[-1]
        assert category.type == "interactive" and category.list_button == "Pilih"
        assert category.row_titles[:2] == ["Kuliner/makanan-minuman", "Fashion"]

        kecamatan = (await siti.pick("Kuliner/makanan-minuman"))[-1]
        assert kecamatan.text.startswith("Jenis usaha: *Kuliner/makanan-minuman* ✓")
        assert "Klojen" in kecamatan.row_titles

        phone = (await siti.pick("Klojen"))[-1]
        assert "Nomor WhatsApp Anda *+6281234567890*: pakai nomor ini?" in phone.text
        assert phone.titles == ["✅ Ya, pakai ini", "Nomor lain"]

        markets = (await siti.tap("✅ Ya, pakai ini"))[-1]
        assert markets.text.startswith("No. HP/WA: *+6281234567890* ✓")
        assert markets.row_titles[-1] == "Selesai"

        again = (await siti.pick("Shopee"))[-1]
        assert "✅ Shopee" in again.row_titles and "Sudah dipilih: *Shopee*" in again.text
        await siti.pick("TikTok Shop")
        nib = (await siti.pick("Selesai"))[-1]
        assert nib.text.startswith("Marketplace: *Shopee, TikTok Shop* ✓")
        assert nib.titles == ["Lewati"]

        summary = (await siti.say("1234567890123"))[-1]
        assert "*Nama:* Siti Aminah" in summary.text
        assert "*No. HP/WA:* +6281234567890" in summary.text
        assert summary.titles == ["✅ Konfirmasi", "✏️ Ubah"]
        assert await h.owner_row(SITI) is None  # nothing stored before the confirmation

        done = (await siti.tap("✅ Konfirmasi"))[-1]
        assert done.text.startswith("🎉 *Pendaftaran selesai!* Terima kasih, Siti Aminah.")
        assert "lewat *jadwal*" in done.text and "/" not in done.text

        row = await h.owner_row(SITI)
        assert row is not None
        assert (row["full_name"], row["phone"], row["kecamatan"]) == (
            "Siti Aminah",
            "+6281234567890",
            "klojen",
        )
        user_id = await h.user_id(SITI)
        assert user_id is not None and user_id >= 2**53
        h.emu.assert_no_violations()


async def test_a_change_from_the_summary_comes_back_to_the_summary(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        siti = h.person(SITI, name="Siti")
        await signed_up_to_summary(siti)
        fields = (await siti.tap("✏️ Ubah"))[-1]
        assert "✏️ Nama usaha" in fields.row_titles
        question = (await siti.pick("✏️ Nama usaha"))[-1]
        assert "*nama usaha*" in question.text and "Langkah" not in question.text
        summary = (await siti.say("Tempe & Keripik <Bu Siti>"))[-1]
        assert "*Nama usaha:* Tempe & Keripik <Bu Siti>" in summary.text
        assert summary.titles == ["✅ Konfirmasi", "✏️ Ubah"]
        await siti.tap("✅ Konfirmasi")
        row = await h.owner_row(SITI)
        assert row is not None and row["business_name"] == "Tempe & Keripik <Bu Siti>"
        h.emu.assert_no_violations()


async def test_a_sender_without_a_phone_number_types_it_and_it_is_validated(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as h:
        ani = h.person(None, username="ani.malang", name="Ani")
        assert ani.wa_id is None
        await ani.say("daftar")
        await ani.tap("✅ Setuju")
        await ani.say("Ani Rahayu")
        await ani.say("Sambal Ani")
        await ani.say("kuliner")  # an option typed by its name is taken too
        asked = (await ani.pick("Sukun"))[-1]
        assert "Ketik nomornya" in asked.text and asked.buttons == ()
        refused = (await ani.say("12345"))[-1]
        assert refused.text.startswith("Nomor itu belum bisa saya pakai.")
        assert "Ketik nomornya" in refused.text  # the question again, under the refusal
        taken = (await ani.say("0812-9876-5432"))[-1]
        assert taken.text.startswith("No. HP/WA: *+6281298765432* ✓")
        await ani.pick("ans:v1:marketplaces:none")  # a long title, shortened
        await ani.pick("Selesai")
        await ani.tap("Lewati")
        await ani.tap("✅ Konfirmasi")
        row = await h.owner_row(ani.user_id)
        assert row is not None and row["phone"] == "+6281298765432"
        assert await h.user_id(ani.user_id) is not None  # known by her BSUID
        h.emu.assert_no_violations()


async def test_another_number_is_typed_instead_of_the_senders(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        siti = h.person(SITI, name="Siti")
        await answered_up_to_phone(siti)
        asked = (await siti.tap("Nomor lain"))[-1]
        assert "Ketik nomornya" in asked.text
        taken = (await siti.say("+62 811 222 3333"))[-1]
        assert taken.text.startswith("No. HP/WA: *+628112223333* ✓")
        h.emu.assert_no_violations()


async def answered_up_to_phone(person: object) -> None:
    """Consent, name, business, category and kecamatan given."""
    from simulator.whatsapp import WhatsAppPerson

    assert isinstance(person, WhatsAppPerson)
    await person.say("daftar")
    await person.tap("✅ Setuju")
    await person.say("Siti Aminah")
    await person.say("Keripik Tempe Bu Siti")
    await person.pick("Kuliner/makanan-minuman")
    await person.pick("Klojen")


async def signed_up_to_summary(person: object) -> None:
    """Every field answered; the summary is the last message."""
    from simulator.whatsapp import WhatsAppPerson

    assert isinstance(person, WhatsAppPerson)
    await answered_up_to_phone(person)
    await person.tap("✅ Ya, pakai ini")
    await person.pick("Shopee")
    await person.pick("Selesai")
    await person.tap("Lewati")
