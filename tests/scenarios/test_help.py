"""The help, written once and run on every channel: what the person can use now.

Issue 21: Telegram's help was a fixed text that offered a guest /bookingsaya and /profil;
WhatsApp built it from the owners' menu. Both now show the menu's entries for a signed-up
owner or a guest (bot/services/owner_home.py), each channel naming its own commands.
"""

from __future__ import annotations

from tests.harness import RunningBot
from tests.scenarios.drivers import Driver
from tests.scenarios.journeys import sign_up


async def test_the_help_offers_what_the_person_can_use_now(siti: Driver, both: RunningBot) -> None:
    await siti.say("/bantuan")
    guest = siti.read().text
    assert guest.startswith("Yang bisa saya bantu"), guest
    assert "daftar – Ikut pelatihan jualan online" in guest
    assert "bookingsaya" not in guest and "profil –" not in guest

    await siti.say("/start")
    await sign_up(siti)
    siti.read()
    await siti.say("/bantuan")
    owner = siti.read().text
    assert "bookingsaya – " in owner and "profil – " in owner
    assert "daftar – " not in owner
    assert "menu – semua pilihan" in owner and "batal – " in owner
