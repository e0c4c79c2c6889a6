"""One chat floods the bot (120 messages in 10 s) while 20 owners chat: do the others notice?

Runs the same 20 chatting owners twice against the emulator with Telegram's limits (30/s
overall, 1/s per chat, burst 3) and 50 ms latency on every call: once alone, once beside the
flood, and prints the others' reply latency (target: p95 <= 1 s in both), 429 responses
for them (target 0), what the flooding chat saw, and the rate limiter's per-chat state.
Run: .venv/bin/python benchmarks/flood.py          (~1 min)
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from common import TOKEN, machine, settings_for

from bot.core.clock import system_clock
from handlers.telegram.ratelimit import PriorityRateLimiter
from simulator import BotApiEmulator, FakeUser, RateLimits
from tests.e2e.support import register_owner
from tests.harness import RunningBot

CHATTERS = 20
FLOOD_MESSAGES = 120
FLOOD_SECONDS = 10.0
CHAT_SECONDS = 20.0
FLOODER_ID = 800_000


@dataclass
class Figures:
    latencies: list[float]
    refused_others: int
    refused_flooder: int
    flooder_messages: int
    flooder_notes: int
    tracked_chats: int
    violations: int


async def chat(user: FakeUser, latencies: list[float]) -> None:
    """Chat like a person for CHAT_SECONDS: a message every 1-3 s; time each reply."""
    await asyncio.sleep(random.uniform(0.0, 1.0))
    ends = time.monotonic() + CHAT_SECONDS
    while time.monotonic() < ends:
        started = time.perf_counter()
        await user.send("/bantuan", within=60)
        latencies.append(time.perf_counter() - started)
        await asyncio.sleep(random.uniform(1.0, 3.0))


async def flood(user: FakeUser) -> None:
    """Send FLOOD_MESSAGES texts in FLOOD_SECONDS without waiting for any answer."""
    await asyncio.sleep(2.0)
    for n in range(FLOOD_MESSAGES):
        user.send_nowait(f"halo {n}")
        await asyncio.sleep(FLOOD_SECONDS / FLOOD_MESSAGES)


async def run(with_flood: bool) -> Figures:
    random.seed(11)
    with tempfile.TemporaryDirectory() as folder:
        emu = BotApiEmulator(token=TOKEN, rate_limits=RateLimits())
        await emu.start()
        try:
            bot = RunningBot(settings_for(Path(folder) / "bench.sqlite3", emu), system_clock, emu)
            await bot.start()
            chatters = [emu.user(900_000 + i, f"Pemilik {i}") for i in range(CHATTERS)]
            flooder = emu.user(FLOODER_ID, "Penyebar")
            for person in [*chatters, flooder]:
                await register_owner(bot, person.id, person.first_name)
            emu.latency = 0.05
            latencies: list[float] = []
            tasks = [chat(u, latencies) for u in chatters]
            if with_flood:
                tasks.append(flood(flooder))
            await asyncio.gather(*tasks)
            assert bot.application is not None
            limiter = bot.application.bot.rate_limiter
            tracked = limiter.tracked_chats if isinstance(limiter, PriorityRateLimiter) else -1
            await bot.stop()
        finally:
            await emu.stop()
    refused = [c for c in emu.calls if c.status == 429]
    flooder_refused = [c for c in refused if str(c.params.get("chat_id")) == str(FLOODER_ID)]
    return Figures(
        latencies=latencies,
        refused_others=len(refused) - len(flooder_refused),
        refused_flooder=len(flooder_refused),
        flooder_messages=len(flooder.messages),
        flooder_notes=sum("Pelan-pelan" in m.text for m in flooder.messages),
        tracked_chats=tracked,
        violations=len(emu.violations),
    )


def _ms(values: list[float], q: int) -> str:
    return f"{statistics.quantiles(values, n=100)[q - 1] * 1000:.0f} ms"


async def main() -> None:
    print(f"flood · {machine()}")
    quiet, flooded = await run(with_flood=False), await run(with_flood=True)
    rows = [
        ("others' replies timed", str(len(quiet.latencies)), str(len(flooded.latencies))),
        ("others' reply p50", _ms(quiet.latencies, 50), _ms(flooded.latencies, 50)),
        (
            "others' reply p95 (target <= 1000 ms)",
            _ms(quiet.latencies, 95),
            _ms(flooded.latencies, 95),
        ),
        (
            "others' reply max",
            f"{max(quiet.latencies) * 1000:.0f} ms",
            f"{max(flooded.latencies) * 1000:.0f} ms",
        ),
        ("429s for the others (target 0)", str(quiet.refused_others), str(flooded.refused_others)),
        ("429s for the flooding chat", "-", str(flooded.refused_flooder)),
        (
            f"messages the flooding chat got (of {FLOOD_MESSAGES} sent)",
            "-",
            str(flooded.flooder_messages),
        ),
        ("  of which 'pelan-pelan' notes", "-", str(flooded.flooder_notes)),
        (
            "chats held by the rate limiter at the end",
            str(quiet.tracked_chats),
            str(flooded.tracked_chats),
        ),
        ("Bot API violations", str(quiet.violations), str(flooded.violations)),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'':{width}}  {'no flood':>10}  {'flood':>10}")
    for name, a, b in rows:
        print(f"{name:{width}}  {a:>10}  {b:>10}")


if __name__ == "__main__":
    asyncio.run(main())
