"""Owner sign-up through the emulator: happy paths, refusals, restarts, cancel, profile edits."""

from __future__ import annotations

import pytest

from simulator import BotApiEmulator, FakeUser
from tests.harness import RunningBot

NASTY = "Keripik <Bu Siti> & Co_Malang *"


async def sign_up_siti(siti: FakeUser, business: str = "Keripik Tempe Bu Siti") -> None:
    """Go through sign-up by buttons and contact sharing, up to the summary."""
    await siti.command("start")
    await siti.press("✅ Setuju")
    await siti.send("Siti Aminah")
    await siti.send(business)
    await siti.press("Kuliner/makanan-minuman")
    await siti.press("Lowokwaru")
    await siti.press("📱 Kirim nomor saya")
    await siti.press("Shopee")
    await siti.press("TikTok Shop")
    await siti.press("Selesai")
    await siti.press("Lewati")


async def test_happy_path_in_indonesian(bot: RunningBot, siti: FakeUser) -> None:
    first = await siti.command("start")
    assert first[0].text.startswith("Halo, Siti!")
    assert "izin penggunaan data" in first[-1].text
    assert "yang bisa saya bantu.\n\nSebelum mulai: izin" in first[-1].text
    assert "/datasaya" in first[-1].text and "/hapusdata" in first[-1].text
    siti_id = await bot.user_id_of(siti.id)
    assert await bot.services.profile.get(siti_id) is None  # nothing stored before consent

    await siti.press("✅ Setuju")
    assert "Langkah 1 dari 7" in siti.last.text and "nama lengkap" in siti.last.text
    await siti.send("  Siti   Aminah ")
    assert "nama usaha" in siti.last.text
    await siti.send("Keripik Tempe Bu Siti")
    assert siti.last.buttons[0] == ["Kuliner/makanan-minuman", "Fashion"]
    await siti.press("Kuliner/makanan-minuman")
    assert siti.last.has_button("Luar Kota Malang")
    await siti.press("Lowokwaru")
    assert siti.last.reply_keyboard == [["📱 Kirim nomor saya"]]
    replies = await siti.press("📱 Kirim nomor saya")
    assert replies[0].text == "Nomor +6281234567890 tersimpan. ✅" and replies[0].remove_keyboard
    assert replies[1].has_button("Shopee")
    await siti.press("Shopee")
    assert siti.last.has_button("✅ Shopee")
    await siti.press("TikTok Shop")
    await siti.press("Selesai")
    assert "NIB" in siti.last.text
    summary = (await siti.send("1234-5678-90123"))[-1]
    assert "Nama:</b> Siti Aminah" in (summary.html or "")
    assert "Marketplace: Shopee, TikTok Shop" in summary.text
    assert "NIB: 1234567890123" in summary.text

    done = await siti.press("✅ Konfirmasi")
    assert "Pendaftaran selesai" in done[-1].text
    owner = await bot.services.profile.get(siti_id)
    assert owner is not None
    assert (owner.full_name, owner.business_name, owner.category, owner.kecamatan) == (
        "Siti Aminah",
        "Keripik Tempe Bu Siti",
        "kuliner",
        "lowokwaru",
    )
    assert owner.phone == "+6281234567890"
    assert owner.marketplaces == ("shopee", "tiktok") and owner.nib == "1234567890123"
    assert await bot.services.dialogs.current(siti_id) is None


async def test_happy_path_in_english(bot: RunningBot, budi: FakeUser) -> None:
    await budi.command("start")
    assert "permission to use your data" in budi.last.text
    await budi.press("✅ I agree")
    await budi.send("Budi Santoso")
    await budi.send("Batik Budi")
    await budi.press("Fashion")
    await budi.press("Outside Kota Malang")
    await budi.press("📱 Send my number")
    await budi.press("Never sold online")
    await budi.press("Done")
    await budi.press("Skip")
    assert "Please check your details" in budi.last.text
    assert "Marketplaces: Never sold online" in budi.last.text
    done = await budi.press("✅ Confirm")
    assert "You're signed up!" in done[-1].text
    owner = await bot.services.profile.get(await bot.user_id_of(budi.id))
    assert owner is not None and owner.phone == "+6285712345678" and owner.nib is None


async def test_declining_consent_stores_nothing_and_can_be_reversed(
    bot: RunningBot, siti: FakeUser
) -> None:
    await siti.command("start")
    reply = (await siti.press("Tidak setuju"))[-1]
    assert "tidak kami simpan" in reply.text and "/daftar" in reply.text
    assert await bot.services.dialogs.current(await bot.user_id_of(siti.id)) is None
    await siti.command("daftar")
    assert "izin penggunaan data" in siti.last.text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("🙂🙂🙂", "bukan hanya emoji atau tanda baca"),
        ("...!!!", "bukan hanya emoji atau tanda baca"),
        ("Siti\u0000\u0007Aminah", "karakter aneh"),
        ("S" * 101, "maksimal 100 huruf"),
    ],
)
async def test_name_refusals_explain_with_an_example(
    bot: RunningBot, siti: FakeUser, typed: str, expected: str
) -> None:
    await siti.command("start")
    await siti.press("✅ Setuju")
    (reply,) = await siti.send(typed)
    assert expected in reply.text and "<code>" in (reply.html or "")
    assert "Keripik" not in reply.text  # a person's name is asked for, not a business name
    dialog = await bot.services.dialogs.current(await bot.user_id_of(siti.id))
    assert dialog is not None and dialog.step == "full_name" and "full_name" not in dialog.data


async def reach_phone_step(user: FakeUser) -> None:
    await user.command("start")
    await user.press("✅ Setuju")
    await user.send("Siti Aminah")
    await user.send("Keripik Tempe")
    await user.press("Kuliner/makanan-minuman")
    await user.press("Klojen")


@pytest.mark.parametrize(
    "typed",
    ["0812-3456-7890", "+62 812 3456 7890", "6281234567890", "081234567890", "(0812) 3456 7890"],
)
async def test_every_common_phone_form_is_normalised(
    bot: RunningBot, siti: FakeUser, typed: str
) -> None:
    await reach_phone_step(siti)
    replies = await siti.send(typed)
    assert replies[0].text == "Nomor +6281234567890 tersimpan. ✅"


@pytest.mark.parametrize("typed", ["12345", "+1 415 555 0100", "0212345678", "08abc", "0812"])
async def test_invalid_phone_numbers_are_refused_with_an_example(
    bot: RunningBot, siti: FakeUser, typed: str
) -> None:
    await reach_phone_step(siti)
    (reply,) = await siti.send(typed)
    assert "0812-3456-7890" in reply.text
    dialog = await bot.services.dialogs.current(await bot.user_id_of(siti.id))
    assert dialog is not None and dialog.step == "phone"


async def test_someone_elses_contact_is_refused(bot: RunningBot, siti: FakeUser) -> None:
    await reach_phone_step(siti)
    (reply,) = await siti.share_contact(own=False)
    assert "kontak orang lain" in reply.text
    dialog = await bot.services.dialogs.current(await bot.user_id_of(siti.id))
    assert dialog is not None and dialog.step == "phone"


async def test_media_where_text_is_expected_gets_a_reprompt(
    bot: RunningBot, siti: FakeUser
) -> None:
    await siti.command("start")
    await siti.press("✅ Setuju")
    for send in (siti.send_photo, siti.send_sticker, siti.send_voice):
        replies = await send()
        assert "jawaban berupa tulisan" in replies[0].text
        assert "nama lengkap" in replies[-1].text
    dialog = await bot.services.dialogs.current(await bot.user_id_of(siti.id))
    assert dialog is not None and dialog.step == "full_name"


async def test_a_location_where_text_is_expected_is_thanked_as_on_whatsapp(
    bot: RunningBot, siti: FakeUser
) -> None:
    """Channels disagreed: Telegram only said text was needed; WhatsApp's wording wins."""
    await siti.command("start")
    await siti.press("✅ Setuju")
    replies = await siti.send_location(-7.98, 112.63)
    assert "bukan lokasi" in replies[0].text
    assert "nama lengkap" in replies[-1].text
    row = await bot.services.db.fetch_one(
        "SELECT user_id FROM identities WHERE channel = 'telegram' AND external_id = ?",
        (str(siti.id),),
    )
    assert row is not None
    dialog = await bot.services.dialogs.current(row["user_id"])
    assert dialog is not None and dialog.step == "full_name"


async def test_typing_at_a_button_step_shows_the_buttons_again(
    bot: RunningBot, siti: FakeUser
) -> None:
    await siti.command("start")
    await siti.press("✅ Setuju")
    await siti.send("Siti")
    await siti.send("Keripik")
    replies = await siti.send("makanan ringan")
    assert "pilih salah satu pilihan" in replies[0].text  # and an option's name may be typed
    assert replies[-1].has_button("Jasa")


async def test_typing_an_options_name_picks_it_as_on_whatsapp(
    bot: RunningBot, siti: FakeUser
) -> None:
    await siti.command("start")
    await siti.press("✅ Setuju")
    await siti.send("Siti")
    await siti.send("Keripik")
    await siti.send("Kuliner")
    row = await bot.services.db.fetch_one(
        "SELECT user_id FROM identities WHERE channel = 'telegram' AND external_id = ?",
        (str(siti.id),),
    )
    assert row is not None
    dialog = await bot.services.dialogs.current(row["user_id"])
    assert dialog is not None and dialog.data["category"] == "kuliner"
    assert siti.last.has_button("Klojen")


async def test_marketplaces_need_at_least_one(bot: RunningBot, siti: FakeUser) -> None:
    await reach_phone_step(siti)
    await siti.press("📱 Kirim nomor saya")
    await siti.press("Selesai")
    assert "Pilih minimal satu" in siti.toasts[-1]
    await siti.press("Belum pernah jualan online")
    await siti.press("Shopee")  # choosing a marketplace clears "never sold online"
    assert siti.last.has_button("✅ Shopee") and siti.last.has_button("Belum pernah jualan online")


async def test_invalid_nib_is_refused(bot: RunningBot, siti: FakeUser) -> None:
    await reach_phone_step(siti)
    await siti.press("📱 Kirim nomor saya")
    await siti.press("Shopee")
    await siti.press("Selesai")
    (reply,) = await siti.send("12345")
    assert "13 angka" in reply.text and "Lewati" in reply.text


async def test_a_refusal_is_not_left_below_the_step_that_passed(
    bot: RunningBot, siti: FakeUser
) -> None:
    await reach_phone_step(siti)
    await siti.press("📱 Kirim nomor saya")
    await siti.press("Shopee")
    await siti.press("Selesai")
    await siti.send("12345")
    await siti.send("abc")
    assert "13 angka" in siti.last.text
    await siti.press("Lewati")  # on the question above the refusals
    assert not any("13 angka" in m.text for m in siti.messages)
    assert "Konfirmasi" in " ".join(b for row in siti.last.buttons for b in row)
    await siti.press("✅ Konfirmasi")
    assert "Pendaftaran selesai" in siti.last.text


async def test_restart_in_the_middle_continues_from_the_same_step(
    bot: RunningBot, siti: FakeUser
) -> None:
    await siti.command("start")
    await siti.press("✅ Setuju")
    await siti.send("Siti Aminah")
    await bot.restart()
    replies = await siti.send("Keripik Tempe Bu Siti")
    assert "jenis" in replies[-1].text
    await siti.press("Jasa")  # the buttons sent before the restart work too
    dialog = await bot.services.dialogs.current(await bot.user_id_of(siti.id))
    assert dialog is not None and dialog.step == "kecamatan"
    assert dialog.data["full_name"] == "Siti Aminah" and dialog.data["category"] == "jasa"


async def test_buttons_from_before_a_restart_keep_working(bot: RunningBot, siti: FakeUser) -> None:
    await reach_phone_step(siti)
    await bot.restart()
    await siti.press("📱 Kirim nomor saya")
    await siti.press("Blibli")
    await siti.press("Selesai")
    assert "NIB" in siti.last.text


@pytest.mark.parametrize("steps", range(0, 9))
async def test_cancel_at_every_step_leaves_the_flow(
    bot: RunningBot, siti: FakeUser, steps: int
) -> None:
    actions = [
        lambda: siti.press("✅ Setuju"),
        lambda: siti.send("Siti Aminah"),
        lambda: siti.send("Keripik"),
        lambda: siti.press("Fashion"),
        lambda: siti.press("Sukun"),
        lambda: siti.press("📱 Kirim nomor saya"),
        lambda: siti.press("Shopee"),
        lambda: siti.press("Selesai"),
        lambda: siti.press("Lewati"),
    ]
    await siti.command("start")
    for action in actions[:steps]:
        await action()
    (reply,) = await siti.command("batal")
    assert "sudah saya hentikan" in reply.text and "/daftar" in reply.text
    assert reply.remove_keyboard
    assert await bot.services.dialogs.current(await bot.user_id_of(siti.id)) is None
    assert await bot.services.profile.get(await bot.user_id_of(siti.id)) is None
    await siti.send("Siti Aminah")  # now not an answer: a newcomer is welcomed in again
    assert siti.last.text.startswith("Halo, Siti!") and siti.last.has_button("✅ Setuju")
    assert await bot.services.profile.get(await bot.user_id_of(siti.id)) is None


async def test_second_signup_opens_the_profile(bot: RunningBot, siti: FakeUser) -> None:
    await sign_up_siti(siti)
    await siti.press("✅ Konfirmasi")
    replies = await siti.command("daftar")
    assert "sudah terdaftar" in replies[0].text
    assert "Profil usaha Anda" in replies[-1].text
    assert await bot.services.dialogs.current(await bot.user_id_of(siti.id)) is None


async def test_double_tap_on_confirm_registers_once(bot: RunningBot, siti: FakeUser) -> None:
    await sign_up_siti(siti)
    summary = siti.last
    await siti.press("✅ Konfirmasi")
    await siti.press_on(summary, "✅ Konfirmasi", expect_reply=None)  # the second tap
    assert siti.toasts[-1] == "Sudah saya catat ✓"  # the first was taken: no alarm
    rows = await bot.services.db.fetch_all("SELECT * FROM owner_profiles")
    assert len(rows) == 1


async def test_editing_from_the_summary_returns_to_the_summary(
    bot: RunningBot, siti: FakeUser
) -> None:
    await sign_up_siti(siti)
    await siti.press("✏️ Kecamatan")
    replies = await siti.press("Sukun")
    assert "Cek lagi data Anda" in replies[-1].text and "Kecamatan: Sukun" in replies[-1].text
    await siti.press("✏️ Marketplace")
    assert siti.last.has_button("✅ Shopee") and siti.last.has_button("✅ TikTok Shop")
    await siti.press("✅ Shopee")  # tapping a ticked marketplace unticks it
    await siti.press("Selesai")
    assert "Marketplace: TikTok Shop" in siti.last.text
    await siti.press("✅ Konfirmasi")
    owner = await bot.services.profile.get(await bot.user_id_of(siti.id))
    assert owner is not None and owner.kecamatan == "sukun" and owner.marketplaces == ("tiktok",)


async def test_user_text_is_escaped_everywhere(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser
) -> None:
    await sign_up_siti(siti, business=NASTY)
    assert f"Nama usaha: {NASTY}" in siti.last.text
    await siti.press("✅ Konfirmasi")
    profile = (await siti.command("profil"))[-1]
    assert f"Nama usaha: {NASTY}" in profile.text
    data = await siti.command("datasaya")
    assert f"Nama usaha: {NASTY}" in data[0].text
    assert emulator.violations == []


async def test_deep_link_is_remembered_through_signup(bot: RunningBot, siti: FakeUser) -> None:
    await siti.command("start", "sesi_ABC-12")
    row = await bot.services.db.fetch_one(
        "SELECT pending_start FROM users WHERE id = ?", (await bot.user_id_of(siti.id),)
    )
    assert row is not None and row["pending_start"] == "sesi_ABC-12"
    await siti.press("✅ Setuju")
    await siti.send("Siti Aminah")
    await siti.send("Keripik")
    await siti.press("Jasa")
    await siti.press("Klojen")
    await siti.press("📱 Kirim nomor saya")
    await siti.press("Shopee")
    await siti.press("Selesai")
    await siti.press("Lewati")
    replies = await siti.press("✅ Konfirmasi")
    assert "Pendaftaran selesai" in replies[-1].text  # no such session: nothing more to show
    row = await bot.services.db.fetch_one(
        "SELECT pending_start FROM users WHERE id = ?", (await bot.user_id_of(siti.id),)
    )
    assert row is not None and row["pending_start"] is None
