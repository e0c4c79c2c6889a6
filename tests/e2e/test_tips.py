"""Tips through the emulator: personal choice, no repeats, feedback, daily tips, preparation."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.services.tips import GENERAL, fits
from bot.services.tips_content import PREP, library
from simulator import FakeUser
from tests.e2e.support import SATURDAY_9, create_session, register_owner
from tests.harness import RunningBot

WEDNESDAY_7 = datetime.fromisoformat("2026-12-02T00:00:00+00:00")  # Wed 2 Dec, 07.00 WIB
THURSDAY_7 = WEDNESDAY_7 + timedelta(days=1)


async def sent_tips(bot: RunningBot, user_id: int) -> list[str]:
    rows = await bot.services.db.fetch_all(
        "SELECT tip_id FROM tips_sent WHERE user_id = ? ORDER BY id", (user_id,)
    )
    return [r["tip_id"] for r in rows]


async def daily_rows(bot: RunningBot, kind: str = "daily_tip") -> list[tuple[str, str]]:
    rows = await bot.services.db.fetch_all(
        "SELECT due_at, status FROM outbox WHERE kind = ? ORDER BY due_at, id", (kind,)
    )
    return [(r["due_at"], r["status"]) for r in rows]


async def test_owner_gets_a_tip_for_their_profile_with_buttons(
    bot: RunningBot, siti: FakeUser
) -> None:
    await siti.command("bantuan")
    siti_id = await register_owner(bot, siti.id, "Siti", category="fashion")  # on Shopee
    await siti.command("tips")
    assert "Tips jualan" in siti.last.text
    assert siti.last.buttons == [
        ["👍 Bermanfaat", "👎 Kurang membantu"],
        ["💡 Tip lain", "📚 Pilih topik"],
    ]
    (first,) = await sent_tips(bot, siti_id)
    tip = await library().get(first)
    assert tip is not None and (tip.categories == {"fashion"} or "shopee" in tip.marketplaces)


async def test_no_repeats_until_every_general_tip_was_seen(
    bot: RunningBot, budi: FakeUser
) -> None:
    general = [t for t in await library().tips() if fits(t, GENERAL) and t.topic != PREP]
    await budi.command("tips")  # not signed up: general tips, in English
    assert "Selling tip" in budi.last.text
    for _ in range(len(general) - 1):
        await budi.press("💡 Another tip")
    budi_id = await bot.user_id_of(budi.id)
    seen = await sent_tips(bot, budi_id)
    assert sorted(seen) == sorted(t.id for t in general)
    await budi.press("💡 Another tip")
    assert (await sent_tips(bot, budi_id))[-1] == seen[0]


async def test_topic_picker_and_feedback_are_recorded_and_counted_for_staff(
    bot: RunningBot, siti: FakeUser, staff: FakeUser
) -> None:
    await siti.command("tips")
    await siti.press("📚 Pilih topik")
    assert "Pilih topiknya" in siti.last.text
    await siti.press("Keamanan akun")
    (_, chosen) = await sent_tips(bot, await bot.user_id_of(siti.id))
    assert "Keamanan akun" in siti.last.text
    await siti.press("👍 Bermanfaat")
    assert siti.toasts[-1] == "Terima kasih, masukan Anda kami catat."
    await siti.press("👎 Kurang membantu")
    rows = await bot.services.db.fetch_all("SELECT tip_id, helpful FROM tips_feedback")
    assert [(r["tip_id"], r["helpful"]) for r in rows] == [(chosen, 0)]
    await staff.command("statistik")
    report = "\n".join(m.text for m in staff.messages)
    assert "Keamanan akun: 1 · 👍 0 · 👎 1" in report
    assert f"{chosen}: 1 · 👍 0 · 👎 1" in report


async def test_forged_or_unseen_tip_buttons_change_nothing(
    bot: RunningBot, siti: FakeUser
) -> None:
    await siti.command("tips")
    await siti.press_data("tp:v1:fy:aman-file-apk")  # a tip Siti was never sent
    await siti.press_data("tp:v1:topic:weather")
    await siti.press_data("tp:v1:slot:midnight")
    assert len(set(siti.toasts[-3:])) == 1 and "Terima kasih" not in siti.toasts[-1]
    assert await bot.services.db.fetch_all("SELECT * FROM tips_feedback") == []
    assert await daily_rows(bot) == []


async def test_daily_tip_arrives_at_the_chosen_time_once_a_day_and_pauses(
    bot: RunningBot, siti: FakeUser
) -> None:
    await siti.command("tipsharian")
    await siti.press("🌅 Pagi, 07.00 WIB")
    assert "aktif" in siti.last.text and "Rabu, 2 Desember 2026" in siti.last.text
    assert await daily_rows(bot) == [("2026-12-02T00:00:00+00:00", "pending")]
    bot.clock.moment = WEDNESDAY_7 - timedelta(minutes=1)
    await bot.tick()
    assert "Tips hari ini" not in siti.last.text
    bot.clock.moment = WEDNESDAY_7
    await bot.tick()
    assert "Tips hari ini" in siti.last.text
    await bot.tick()
    assert len([m for m in siti.messages if "Tips hari ini" in m.text]) == 1
    assert await daily_rows(bot) == [
        ("2026-12-02T00:00:00+00:00", "sent"),
        ("2026-12-03T00:00:00+00:00", "pending"),
    ]
    await siti.command("tipsharian")  # opened again: the next tip's date, not an empty one
    assert "Tips berikutnya: Kamis, 3 Desember 2026, 07.00 WIB." in siti.last.text
    await siti.press("⏸ Jeda tips harian")
    assert "dijeda" in siti.last.text
    bot.clock.moment = THURSDAY_7
    await bot.tick()
    assert len([m for m in siti.messages if "Tips hari ini" in m.text]) == 1
    await siti.press("▶️ Lanjutkan tips harian")
    assert (await daily_rows(bot))[-1] == ("2026-12-04T00:00:00+00:00", "pending")


async def test_daily_tip_survives_a_restart_and_keeps_quiet_at_night(
    bot: RunningBot, siti: FakeUser
) -> None:
    await siti.command("tipsharian")
    await siti.press("🌙 Malam, 19.00 WIB")
    await bot.restart()
    bot.clock.moment = datetime.fromisoformat("2026-12-01T15:30:00+00:00")  # 22.30 WIB, late
    await bot.tick()
    assert not any("Tips hari ini" in m.text for m in siti.messages)
    assert await daily_rows(bot) == [
        ("2026-12-01T12:00:00+00:00", "skipped"),
        ("2026-12-02T12:00:00+00:00", "pending"),
    ]


async def test_preparation_series_follows_a_booking_and_stops_when_cancelled(
    bot: RunningBot, siti: FakeUser
) -> None:
    session = await create_session(bot)
    await siti.command("bantuan")
    siti_id = await register_owner(bot, siti.id, "Siti")
    view = await bot.services.booking.book(siti_id, session.id)
    assert [due for due, _ in await daily_rows(bot, "prep_tip")] == [
        "2026-12-09T05:00:00+00:00",
        "2026-12-10T05:00:00+00:00",
        "2026-12-11T05:00:00+00:00",
    ]
    bot.clock.moment = datetime.fromisoformat("2026-12-09T05:00:00+00:00")
    await bot.tick()
    assert "Persiapan sesi" in siti.last.text and "3 sampai 5 produk" in siti.last.text
    await bot.services.booking.cancel(siti_id, view.booking.id)
    assert [s for _, s in await daily_rows(bot, "prep_tip")] == ["sent", "cancelled", "cancelled"]
    bot.clock.moment = SATURDAY_9 - timedelta(hours=1)
    await bot.tick()
    assert len([m for m in siti.messages if "Persiapan sesi" in m.text]) == 1
