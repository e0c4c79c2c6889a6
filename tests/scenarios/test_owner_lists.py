"""Owners' long lists: every open session can be found and booked, a page at a time."""

from __future__ import annotations

from datetime import timedelta

from tests.e2e.support import SATURDAY_9, create_session
from tests.harness import RunningBot
from tests.scenarios.drivers import Driver
from tests.scenarios.journeys import sign_up

NEXT, PREVIOUS = "Berikutnya ▶️", "◀️ Sebelumnya"


def _labelled(title: str, choices: tuple[str, ...]) -> str:
    """The choice that names the session ("13. 24/12 09.00 · Kelas 13" on a button)."""
    return next(c for c in choices if title in c)


async def _thirteen_sessions(both: RunningBot) -> None:
    for n in range(13):
        start = SATURDAY_9 + timedelta(days=n)
        await create_session(both, f"Kelas {n + 1:02d}", starts_at=start)


async def test_the_schedule_turns_to_the_sessions_after_the_first_page(
    siti: Driver, both: RunningBot
) -> None:
    await _thirteen_sessions(both)
    await siti.say("/start")
    await sign_up(siti)
    siti.read()

    await siti.say("/jadwal")
    first = siti.read()
    assert "Kelas 01" in first and "Kelas 13" not in first
    assert NEXT in first.choices and PREVIOUS not in first.choices
    assert len(first.last.choices) <= 10  # a WhatsApp list's rows, with the page choice

    await siti.tap(NEXT)
    second = siti.read()
    assert "Kelas 13" in second and "Kelas 01" not in second
    assert PREVIOUS in second.choices and NEXT not in second.choices

    await siti.tap(_labelled("Kelas 13", second.choices))
    await siti.tap("✅ Pesan kursi")
    assert "Kursi Anda sudah aman" in siti.read()


async def test_a_seat_can_move_to_a_session_past_the_first_page(
    siti: Driver, both: RunningBot
) -> None:
    await _thirteen_sessions(both)
    await siti.say("/start")
    await sign_up(siti)
    await siti.say("/jadwal")
    await siti.tap(_labelled("Kelas 01", siti.read().choices))
    await siti.tap("✅ Pesan kursi")
    siti.read()

    await siti.say("/bookingsaya")
    await siti.tap("🔄 Pindah sesi")
    assert NEXT in siti.read().choices
    await siti.tap(NEXT)
    page = siti.read().choices
    assert PREVIOUS in page
    await siti.tap(_labelled("Kelas 13", page))

    assert "Kelas 13" in siti.read()
    rows = await both.services.db.fetch_all(
        "SELECT s.title FROM bookings b JOIN training_sessions s ON s.id = b.session_id"
        " WHERE b.status = 'confirmed'"
    )
    assert [r["title"] for r in rows] == ["Kelas 13"]


async def test_an_owner_saying_hello_or_thanks_is_welcomed_back_with_the_help(
    siti: Driver, both: RunningBot
) -> None:
    await siti.say("/start")
    await sign_up(siti)
    siti.read()

    for said in ("halo", "makasih", "😀"):
        await siti.say(said)
        seen = siti.read()
        assert "Selamat datang kembali" in seen, said
        assert "belum paham" not in seen, said
