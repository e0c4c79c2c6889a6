"""Owner journeys written once, run on Telegram and on WhatsApp: sign-up, booking, cancel."""

from __future__ import annotations

from bot.core.models import BookingStatus
from bot.core.notices import ChannelName
from tests.e2e.support import create_session
from tests.harness import RunningBot
from tests.scenarios.drivers import Driver
from tests.scenarios.journeys import AGREE, sign_up

TITLE = "Foto produk pakai HP"


async def test_a_newcomer_signs_up(siti: Driver, both: RunningBot) -> None:
    await siti.say("/start")
    assert AGREE in siti.read().choices

    await sign_up(siti)

    assert "Pendaftaran selesai" in siti.read()
    owner = await both.services.profile.get(await siti.user_id())
    assert owner is not None and owner.full_name == "Siti Aminah"
    assert owner.phone == "+6281234567890"  # shared or confirmed, the channel's way


async def test_an_owner_books_a_seat_then_cancels_it(siti: Driver, both: RunningBot) -> None:
    session = await create_session(both, TITLE)
    await siti.say("/start")
    await sign_up(siti)
    await siti.say("/jadwal")
    assert TITLE in siti.read()

    await siti.tap("✅ Pesan kursi")
    seen = siti.read()
    assert "Kursi Anda sudah aman" in seen
    # Declared: Telegram redraws the tapped card with "cancel" on it; WhatsApp's confirmation
    # is the calendar file with its caption, which can carry no button.
    on_card = "❌ Batalkan booking" in seen.choices
    assert on_card is (siti.channel is ChannelName.TELEGRAM)

    await siti.say("/bookingsaya")
    assert "❌ Batalkan booking" in siti.read().choices
    await siti.tap("❌ Batalkan booking")
    assert "Yakin membatalkan" in siti.read()
    await siti.tap("Ya, batalkan")
    assert "sudah dibatalkan" in siti.read()
    user_id = await siti.user_id()
    booking = await both.services.db.fetch_one(
        "SELECT status FROM bookings WHERE user_id = ? AND session_id = ?", (user_id, session.id)
    )
    assert booking is not None and booking["status"] == BookingStatus.CANCELLED
