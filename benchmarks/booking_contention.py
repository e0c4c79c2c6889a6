"""Booking contention: 200 owners tap "book" on a 30-seat session at the same moment.

Prints confirmed, waitlisted, errors and time (issue 4's correctness target: exactly 30
confirmed and 170 distinct waitlist places, no errors).
Run: .venv/bin/python benchmarks/booking_contention.py   (about 1 minute)
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import ROOT, TOKEN, machine, settings_for

from bot.core.clock import system_clock
from bot.services.sessions import SessionDraft
from simulator import BotApiEmulator, RateLimits
from tests.e2e.support import register_owner
from tests.harness import RunningBot

OWNERS = 200
SEATS = 30


async def main() -> None:
    print(f"booking_contention · {machine()}")
    with tempfile.TemporaryDirectory() as name:
        emu = BotApiEmulator(token=TOKEN, rate_limits=RateLimits(chat_burst=30))
        await emu.start()
        try:
            bot = RunningBot(settings_for(Path(name) / "bench.sqlite3", emu), system_clock, emu)
            await bot.start()
            start = datetime.now(UTC) + timedelta(days=3)
            session = await bot.services.sessions.create(
                SessionDraft("Foto produk", start, start + timedelta(hours=2), SEATS, "Balai"),
                created_by=None,
            )
            people = [emu.user(20_000 + i, f"Owner {i}") for i in range(OWNERS)]
            for person in people:
                await register_owner(bot, person.id, person.first_name)
            await asyncio.gather(*(p.command("jadwal", within=120) for p in people))
            started = time.perf_counter()
            results = await asyncio.gather(
                *(p.press("✅ Pesan kursi", within=120) for p in people), return_exceptions=True
            )
            first_tap = time.perf_counter() - started
            late = [p for p in people if "baru saja habis" in (p.toasts or [""])[-1]]
            results += await asyncio.gather(
                *(p.press("⏳ Masuk daftar tunggu", within=120) for p in late),
                return_exceptions=True,
            )
            total = time.perf_counter() - started
            rows = await bot.services.db.fetch_all(
                "SELECT status, COUNT(*) AS n, COUNT(DISTINCT seq) AS seqs FROM bookings "
                "WHERE session_id = ? GROUP BY status",
                (session.id,),
            )
            await bot.stop()
        finally:
            await emu.stop()
    counts = {r["status"]: (r["n"], r["seqs"]) for r in rows}
    errors = sum(isinstance(r, BaseException) for r in results)
    print(f"owners tapping at once:     {OWNERS} for {SEATS} seats")
    print(f"confirmed:                  {counts.get('confirmed', (0, 0))[0]}   (target {SEATS})")
    waiting, distinct = counts.get("waitlisted", (0, 0))
    print(f"waitlisted:                 {waiting} with {distinct} distinct places   (target 170)")
    print(f"errors:                     {errors}   (target 0)")
    print(f"time, all first taps:       {first_tap:.1f} s (every reply paced under 30/s)")
    print(f"time, incl. waitlist taps:  {total:.1f} s")
    print(f"Bot API violations:         {len(emu.violations)}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    asyncio.run(main())
