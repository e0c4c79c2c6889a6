"""Buttons no message of the bot ever carried, on Telegram: a forged id too big for SQLite."""

from __future__ import annotations

from simulator import FakeUser
from tests.e2e.support import create_session, register_owner
from tests.harness import RunningBot

STALE_TOAST = "Tombol itu dari pesan lama, jadi tidak saya pakai dan tidak ada yang berubah. 🙏"


async def test_a_choice_id_too_big_for_sqlite_is_stale_not_an_error(
    bot: RunningBot, siti: FakeUser
) -> None:
    await register_owner(bot, siti.id, "Siti")
    session = await create_session(bot, "Foto Produk Pakai HP")
    await siti.command("jadwal")
    for data in (f"bk:v1:book:{10**23}", f"bk:v1:move:{session.id}:{10**20}", f"fb:v1:{10**23}:5"):
        replies = await siti.press_data(data)
        assert not any("gangguan" in (m.text or "") for m in replies), data
    assert siti.toasts[-1] == STALE_TOAST
    rows = await bot.services.db.fetch_all("SELECT id FROM bookings")
    assert rows == []
