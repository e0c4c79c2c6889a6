"""Start-up with 10,000 pending reminders: time until all are scheduled again, and peak memory.

Targets (issue 5): under 2 seconds and under 150 MB RSS.
Run: .venv/bin/python benchmarks/startup_reminders.py
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import machine, peak_rss_mb, seed_reminders, settings_for

from bot.app.telegram import build_application
from simulator import BotApiEmulator

PENDING = 10_000


async def main() -> None:
    print(f"startup_reminders · {machine()}")
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite3"
        now = datetime.now(UTC)
        # spread over two weeks, one distinct due time per reminder (the worst case)
        due = [now + timedelta(days=1, seconds=120 * i) for i in range(PENDING)]
        async with BotApiEmulator(token="123456:BENCH-dodolan-emulator-token-00000000000") as emu:
            await seed_reminders(database, PENDING, due)
            rss_before = peak_rss_mb()
            app = build_application(settings_for(database, emu))
            started = time.perf_counter()
            await app.initialize()
            assert app.post_init is not None
            await app.post_init(app)  # opens the db, migrates, schedules every due time
            elapsed = time.perf_counter() - started
            assert app.job_queue is not None
            jobs = [
                j for j in app.job_queue.scheduler.get_jobs() if j.id.startswith("outbox-due-")
            ]
            rss = peak_rss_mb()
            assert app.post_stop is not None and app.post_shutdown is not None
            await app.post_stop(app)
            await app.shutdown()
            await app.post_shutdown(app)
    print(f"pending reminders:        {PENDING}")
    print(f"scheduled wake-up jobs:   {len(jobs)}")
    print(f"start-up to scheduled:    {elapsed:.2f} s   (target < 2 s)")
    print(f"peak RSS of the process:  {rss:.0f} MB   (target < 150 MB)")
    print(f"  of which before start:  {rss_before:.0f} MB (emulator, seeding, imports)")
    print("note: the emulator and the seeding run in the same process, so RSS is an upper bound")


if __name__ == "__main__":
    asyncio.run(main())
