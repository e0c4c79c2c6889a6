"""/jadwal in as few messages as reads well: cards for a few sessions, one list for many."""

from __future__ import annotations

from datetime import timedelta

from simulator import BotApiEmulator, FakeUser
from simulator.ratelimit import is_limited_method
from tests.e2e.support import SATURDAY_9, create_session, register_owner
from tests.harness import RunningBot


async def test_a_few_sessions_come_as_cards_the_first_under_the_introduction(
    bot: RunningBot, siti: FakeUser
) -> None:
    await register_owner(bot, siti.id, "Siti")
    for day in range(2):
        await create_session(bot, f"Sesi {day + 1}", starts_at=SATURDAY_9 + timedelta(days=day))
    cards = await siti.command("jadwal")
    assert len(cards) == 2
    assert cards[0].text.startswith("Ini jadwal sesi yang masih bisa dipesan")
    assert "Sesi 1" in cards[0].text and cards[0].has_button("✅ Pesan kursi")
    assert "Sesi 2" in cards[1].text and cards[1].has_button("✅ Pesan kursi")


async def test_many_sessions_come_as_one_list_whose_buttons_open_each_card_in_place(
    bot: RunningBot, emulator: BotApiEmulator, siti: FakeUser
) -> None:
    siti_id = await register_owner(bot, siti.id, "Siti")
    for day in range(5):
        await create_session(
            bot, f"Sesi & <{day + 1}>", starts_at=SATURDAY_9 + timedelta(days=day)
        )
    mark = len(emulator.calls)
    (listing,) = await siti.command("jadwal")
    assert [c.method for c in emulator.calls[mark:] if is_limited_method(c.method)] == [
        "sendMessage"
    ]
    assert "Sesi & <3>" in listing.text and "Sisa 30 kursi dari 30" in listing.text
    assert len(listing.buttons) == 5 and listing.buttons[2][0].startswith("3. ")
    (card,) = await siti.press(listing.buttons[2][0])
    assert card.message_id == listing.message_id  # the list became the card
    assert card.text.startswith("Sesi & <3>") and card.has_button("✅ Pesan kursi")
    (back,) = await siti.press("⬅️ Semua jadwal")
    assert back.message_id == listing.message_id and len(back.buttons) == 5
    await siti.press(back.buttons[4][0])
    await siti.press("✅ Pesan kursi")
    views = await bot.services.booking.current(siti_id)
    assert [v.session.title for v in views] == ["Sesi & <5>"]
