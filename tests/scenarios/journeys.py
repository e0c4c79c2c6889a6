"""Steps many scenarios share, written once against the channel-free driver."""

from __future__ import annotations

from tests.scenarios.drivers import Driver

AGREE = "✅ Setuju"


async def sign_up(person: Driver, name: str = "Siti Aminah") -> None:
    """Answer every sign-up question (after the consent was shown) and confirm."""
    await person.tap(AGREE)
    await person.say(name)
    await person.say(f"Warung {name.split()[0]}")
    await person.tap("Kuliner/makanan-minuman")
    await person.tap("Klojen")
    await person.share_contact()
    await person.tap("Shopee")
    await person.tap("Selesai")
    await person.tap("Lewati")
    await person.tap("✅ Konfirmasi")
