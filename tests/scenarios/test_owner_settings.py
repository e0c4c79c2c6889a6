"""An owner's own settings, written once, run on every channel: her profile, her language,
announcements off and on again, and her data rights (see it, erase it)."""

from __future__ import annotations

import json

import pytest

from bot.core.notices import ChannelName
from bot.services.broadcasts import ANNOUNCEMENT, Message
from storage.broadcasts import Audience
from tests.harness import STAFF_ID, RunningBot
from tests.scenarios.drivers import Driver, TelegramDriver
from tests.scenarios.journeys import AGREE, sign_up, time_passes
from tests.scenarios.text_channel import TEXT

# Declared: the profile shows one button per field on Telegram and one numbered choice per
# field on the text channel; WhatsApp (three buttons at most) shows one "change" choice that
# lists the fields.
CHANGE = {
    ChannelName.TELEGRAM: "✏️ Nama usaha",
    ChannelName.WHATSAPP: "✏️ Ubah",
    TEXT: "✏️ Nama usaha",
}
# Declared: a WhatsApp reply button holds 20 characters, so its "erase" button is shorter.
ERASE = {
    ChannelName.TELEGRAM: "🗑 Ya, hapus data saya",
    ChannelName.WHATSAPP: "🗑 Ya, hapus",
    TEXT: "🗑 Ya, hapus data saya",
}


async def signed_up(siti: Driver) -> int:
    await siti.say("/start")
    await sign_up(siti)
    siti.read()
    return await siti.user_id()


async def test_an_owner_changes_her_business_name_from_her_profile(
    siti: Driver, both: RunningBot
) -> None:
    user_id = await signed_up(siti)
    await siti.say("/profil")
    seen = siti.read()
    assert "Profil usaha Anda" in seen and "Warung Siti" in seen

    await siti.tap(CHANGE[siti.channel])
    if siti.channel is ChannelName.WHATSAPP:
        await siti.tap("✏️ Nama usaha")
    assert "nama usaha" in siti.read().text.lower()
    await siti.say("Kedai Siti Jaya")

    seen = siti.read()
    assert "Profil usaha Anda" in seen.last.text and "Kedai Siti Jaya" in seen.last.text
    owner = await both.services.profile.get(user_id)
    assert owner is not None and owner.business_name == "Kedai Siti Jaya"
    assert owner.full_name == "Siti Aminah"  # nothing else changed


async def test_an_owner_switches_to_english_and_back(siti: Driver, both: RunningBot) -> None:
    user_id = await signed_up(siti)
    await siti.say("/bahasa")
    assert {"🇮🇩 Bahasa Indonesia", "🇬🇧 English"} <= set(siti.read().choices)

    await siti.tap("🇬🇧 English")
    assert "Done, from now on I will write in English." in siti.read()
    await siti.say("/profil")
    assert "Your business profile" in siti.read()
    user = await both.services.users.get(user_id)
    assert user is not None and user.language == "en"

    await siti.say("/bahasa")
    await siti.tap("🇮🇩 Bahasa Indonesia")
    siti.read()
    await siti.say("/profil")
    assert "Profil usaha Anda" in siti.read()
    user = await both.services.users.get(user_id)
    assert user is not None and user.language == "id"


async def test_an_owner_stops_announcements_and_turns_them_on_again(
    siti: Driver, budi: Driver, both: RunningBot
) -> None:
    user_id = await signed_up(siti)
    await budi.say("/start")
    await sign_up(budi, "Budi Santoso")  # another owner, who keeps getting announcements

    await siti.say("/berhenti")
    assert "tidak akan menerima pengumuman umum lagi" in siti.read()
    assert not await both.services.broadcasts.wants_announcements(user_id)
    await announce(both, siti, budi, text="Pasar murah hari Sabtu")
    assert "Pasar murah" not in siti.read() and "Pasar murah" in budi.read()

    await siti.say("/mulai")
    assert "berhenti" in siti.read()
    assert await both.services.broadcasts.wants_announcements(user_id)
    await announce(both, siti, budi, text="Pameran UKM hari Minggu")
    assert "Pameran UKM hari Minggu" in siti.read()


async def announce(bot: RunningBot, *people: Driver, text: str) -> None:
    """Staff announce to every owner, and the announcement is sent."""
    staff_id = await bot.user_id_of(STAFF_ID)
    await bot.services.broadcasts.send(staff_id, ANNOUNCEMENT, Audience("all"), Message(text))
    await time_passes(bot, *people)


async def test_an_owner_reads_her_data_then_erases_it_and_is_a_new_person(
    siti: Driver, both: RunningBot
) -> None:
    user_id = await signed_up(siti)

    await siti.say("/datasaya")
    seen = siti.read()
    assert "Nama usaha: Warung Siti" in seen and "+6281234567890" in seen
    ((_name, data),) = seen.files  # a .json file; .json.txt on WhatsApp
    assert json.loads(data)["profile"]["business_name"] == "Warung Siti"

    await siti.say("/hapusdata")
    assert "Tidak jadi" in siti.read().choices
    await siti.tap("Tidak jadi")  # first she thinks better of it: nothing is erased
    assert "tidak dihapus" in siti.read()
    assert await both.services.profile.get(user_id) is not None

    await siti.say("/hapusdata")
    assert ERASE[siti.channel] in siti.read().choices
    await siti.tap(ERASE[siti.channel])
    assert "sudah kami hapus" in siti.read()
    assert await both.services.profile.get(user_id) is None
    left = await both.services.db.fetch_one(
        "SELECT (SELECT COUNT(*) FROM owner_profiles) AS owners, "
        "(SELECT COUNT(*) FROM consents) AS consents, "
        "(SELECT COUNT(*) FROM users WHERE id = ?) AS users",
        (user_id,),
    )
    assert left is not None and tuple(left) == (0, 0, 0)

    await siti.say("/start")  # the next message is from a new person: asked to consent again
    assert AGREE in siti.read().choices


# Declared: the plain-text test channel has no buttons to tap twice.
@pytest.mark.parametrize("channel", [ChannelName.TELEGRAM, ChannelName.WHATSAPP], ids=str)
async def test_yes_erase_tapped_again_after_the_erasure_changes_nothing(
    siti: Driver, both: RunningBot
) -> None:
    # Telegram made a new account for the tap, erased that and said "erased" again.
    await signed_up(siti)
    await siti.say("/hapusdata")
    await siti.tap(ERASE[siti.channel])
    assert "sudah kami hapus" in siti.read()

    await siti.tap_again()
    said = siti.read().text
    assert "sudah kami hapus" not in said
    # Declared: Telegram answers a tap that changed nothing in a toast; WhatsApp in a message.
    again = siti.person.toasts[-1] if isinstance(siti, TelegramDriver) else said
    assert again.startswith("Tombol itu dari pesan lama"), again
    gone = await both.services.db.fetch_one("SELECT COUNT(*) FROM owner_profiles")
    assert gone is not None and gone[0] == 0


async def test_a_business_name_that_starts_with_hadir_is_a_name_not_a_check_in(
    siti: Driver, both: RunningBot
) -> None:
    # Typed codes are read before an open question; one that no session has is the answer.
    user_id = await signed_up(siti)
    await siti.say("/profil")
    await siti.tap(CHANGE[siti.channel])
    if siti.channel is ChannelName.WHATSAPP:
        await siti.tap("✏️ Nama usaha")
    siti.read()
    await siti.say("Hadir Jaya")
    seen = siti.read()
    assert "Kode absen" not in seen.text and "Hadir Jaya" in seen.last.text
    owner = await both.services.profile.get(user_id)
    assert owner is not None and owner.business_name == "Hadir Jaya"
