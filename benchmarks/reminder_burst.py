"""1,000 reminders due in the same minute, sent through the emulator with 50 ms latency and
Telegram's limits, while 20 owners chat with the bot.

Prints: reminder and total messages per second (target >= 28.5 of the 30/s limit), 429
responses (target 0), duplicates (target 0), and the p95 reply latency of the chatting
owners (target <= 1 s).
Run: .venv/bin/python benchmarks/reminder_burst.py
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import TOKEN, machine, seed_reminders, settings_for

from bot.core.clock import system_clock
from simulator import BotApiEmulator, FakeUser, RateLimits
from tests.harness import RunningBot

REMINDERS = 1000
CHATTERS = 20


async def chat(user: FakeUser, stop: asyncio.Event, latencies: list[float]) -> None:
    """Chat like a person: a message every few seconds; time each reply."""
    while not stop.is_set():
        started = time.perf_counter()
        await user.send("/bantuan", within=30)
        latencies.append(time.perf_counter() - started)
        await asyncio.sleep(random.uniform(2.0, 6.0))


async def main() -> None:
    print(f"reminder_burst · {machine()}")
    random.seed(7)
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite3"
        emu = BotApiEmulator(token=TOKEN, rate_limits=RateLimits())  # Telegram's limits
        await emu.start()
        try:
            due_at = datetime.now(UTC) + timedelta(seconds=4)
            owners = await seed_reminders(database, REMINDERS, [due_at] * REMINDERS, emu)
            chatters = [emu.user(900_000 + i, f"Chatty {i}") for i in range(CHATTERS)]
            bot = RunningBot(
                settings_for(database, emu), system_clock, emu, background_delivery=True
            )
            await bot.start()
            emu.latency = 0.05
            stop, latencies = asyncio.Event(), []
            talkers = [asyncio.create_task(chat(u, stop, latencies)) for u in chatters]
            owner_set = set(owners)
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline:
                await asyncio.sleep(0.5)
                rows = await bot.services.db.fetch_all(
                    "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')"
                )
                if rows[0][0] == 0:
                    break
            stop.set()
            await asyncio.gather(*talkers)
            await bot.stop()
        finally:
            await emu.stop()
    sends = [c for c in emu.calls if c.method == "sendMessage" and c.status == 200]
    reminder_sends = [c for c in sends if c.params.get("chat_id") in owner_set]
    first, last = min(c.time for c in reminder_sends), max(c.time for c in reminder_sends)
    window = [c for c in emu.calls if first <= c.time <= last and c.status == 200]
    limited = [c for c in window if c.method.startswith(("send", "edit"))]
    per_chat: dict[int, int] = {}
    for call in reminder_sends:
        chat_id = int(call.params["chat_id"])
        per_chat[chat_id] = per_chat.get(chat_id, 0) + 1
    duplicates = sum(n - 1 for n in per_chat.values() if n > 1)
    p95 = statistics.quantiles(latencies, n=20)[18] if len(latencies) >= 20 else max(latencies)
    span = last - first
    print(f"reminders delivered:      {len(per_chat)} of {REMINDERS} in {span:.1f} s")
    print(f"reminder messages/s:      {len(reminder_sends) / span:.1f}")
    print(f"all messages/s (window):  {len(limited) / span:.1f}   (target >= 28.5 of 30)")
    print(f"429 responses:            {emu.stats.too_many_requests}   (target 0)")
    print(f"duplicates:               {duplicates}   (target 0)")
    print(
        f"reply latency, {CHATTERS} owners: p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms over {len(latencies)} replies   (target p95 <= 1000 ms)"
    )
    print(f"Bot API violations:       {len(emu.violations)}")


if __name__ == "__main__":
    asyncio.run(main())
