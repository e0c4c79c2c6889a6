"""A burst of 300 new owners going through sign-up and booking at once, against the real
`dodolan run` in a child process: per-step reply latency (p50/p95/p99) and the bot's CPU time
per update, next to a bare python-telegram-bot echo handler measured in the same run.

Target (issue 8): Dodolan's CPU per update at most 2x the bare handler's.
Replies are paced under Telegram's 30 messages/s by the bot itself, so latency under such a
burst is mostly queueing for Telegram's limit, not CPU. Most of the 300 are told their place
in the rush queue at /start and welcomed later (issue 19): they wait for the welcome, and the
wait is printed apart from the steps' times.
Run: .venv/bin/python benchmarks/signup_burst.py   (about 3-4 minutes)
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import ROOT, TOKEN, machine, settings_for

from bot.app.container import Services
from bot.core.clock import system_clock
from bot.services.sessions import SessionDraft
from simulator import BotApiEmulator, FakeUser, RateLimits

OWNERS = 300
WELCOME_WAIT = 600.0  # seconds a queued owner waits for the welcome at most
QUEUED_MARKS = ("antrean ke-", "in the queue")
ECHO_STEPS = 4  # per owner: the same 300 concurrent chats, fewer updates (CPU/update is a rate)
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


async def spawn(
    module_args: list[str], env: dict[str, str], folder: Path
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        *module_args,
        cwd=folder,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def timed(latencies: dict[str, list[float]], step: str, action: object) -> None:
    started = time.perf_counter()
    await action  # type: ignore[misc]
    latencies.setdefault(step, []).append(time.perf_counter() - started)


async def wait_for_button(user: FakeUser, label: str, seconds: float = 120.0) -> None:
    """Wait until the bot's (paced) message carrying ``label`` has arrived."""
    deadline = time.monotonic() + seconds
    while not any(m.has_button(label) for m in user.messages[-4:]):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{user!r} never got {label!r}")
        await asyncio.sleep(0.1)


async def tap(user: FakeUser, label: str) -> object:
    """Press a button once the bot's (paced) message carrying it has arrived."""
    await wait_for_button(user, label)
    return await user.press(label, within=120)


async def owner_journey(
    user: FakeUser, latencies: dict[str, list[float]], queued: list[float]
) -> None:
    """Sign up by buttons and book the first session, timing each step (and the rush
    queue's wait for the welcome, if the owner was queued)."""
    await timed(latencies, "start", user.command("start", within=120))
    if any(mark in user.last.text for mark in QUEUED_MARKS):
        waited = time.perf_counter()
        await wait_for_button(user, "✅ Setuju", WELCOME_WAIT)
        queued.append(time.perf_counter() - waited)
    steps = [
        ("consent", lambda: tap(user, "✅ Setuju")),
        ("name", lambda: user.send(f"{user.first_name} Santoso", within=120)),
        ("business", lambda: user.send(f"Usaha {user.first_name}", within=120)),
        ("category", lambda: tap(user, "Kuliner/makanan-minuman")),
        ("kecamatan", lambda: tap(user, "Klojen")),
        ("phone", lambda: tap(user, "📱 Kirim nomor saya")),
        ("marketplace", lambda: tap(user, "Shopee")),
        ("done", lambda: tap(user, "Selesai")),
        ("nib", lambda: tap(user, "Lewati")),
        ("confirm", lambda: tap(user, "✅ Konfirmasi")),
        ("schedule", lambda: user.command("jadwal", within=120)),
        ("book", lambda: tap(user, "✅ Pesan kursi")),
    ]
    for name, step in steps:
        await timed(latencies, name, step())


async def echo_journey(user: FakeUser, steps: int) -> None:
    for i in range(steps):
        await user.send(f"pesan {i}", within=120)


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000


async def main() -> None:
    print(f"signup_burst · {machine()}")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        emu = BotApiEmulator(
            token=TOKEN, rate_limits=RateLimits(chat_burst=30), settle=0.05, reply_timeout=120
        )
        await emu.start()
        try:
            database = folder / "bench.sqlite3"
            services = await Services.start(settings_for(database), system_clock)
            start = datetime.now(UTC) + timedelta(days=3)
            await services.sessions.create(
                SessionDraft("Foto produk", start, start + timedelta(hours=2), 500, "Balai Kota"),
                created_by=None,
            )
            await services.close()
            env = {
                **os.environ,
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": emu.base_url,
                "DODOLAN_DATABASE": str(database),
                "DODOLAN_LOG_LEVEL": "WARNING",
                "PYTHONPATH": str(ROOT),
            }
            # Dodolan
            bot = await spawn(["-m", "bot", "run"], env, folder)
            warm = emu.user(1, "Warm", phone="+6281200000001")
            await warm.command("bantuan", within=60)
            people = [
                emu.user(10_000 + i, f"Owner{i}", phone=f"+62812{10_000 + i:08d}")
                for i in range(OWNERS)
            ]
            latencies: dict[str, list[float]] = {}
            queued: list[float] = []
            cpu0, updates0, t0 = cpu_seconds(bot.pid), emu.stats.updates_delivered, time.time()
            await asyncio.gather(*(owner_journey(p, latencies, queued) for p in people))
            dodolan_cpu = cpu_seconds(bot.pid) - cpu0
            dodolan_updates = emu.stats.updates_delivered - updates0
            dodolan_wall = time.time() - t0
            bot.terminate()
            await bot.wait()  # on failure the child is killed by the finally below
            # bare echo handler, same number of updates; it has no pacing of its own, so the
            # emulator's limits are lifted for it (a 429 would drop its reply)
            emu.rate_limits.enabled = False
            echo = await spawn([str(ROOT / "benchmarks" / "echo_bot.py")], env, folder)
            await emu.user(2, "Warm").send("halo", within=60)
            echoers = [emu.user(50_000 + i, f"Echo{i}") for i in range(OWNERS)]
            per_user = ECHO_STEPS
            cpu0, updates0 = cpu_seconds(echo.pid), emu.stats.updates_delivered
            await asyncio.gather(*(echo_journey(u, per_user) for u in echoers))
            echo_cpu = cpu_seconds(echo.pid) - cpu0
            echo_updates = emu.stats.updates_delivered - updates0
            echo.terminate()
            await echo.wait()
        finally:
            for child in (locals().get("bot"), locals().get("echo")):
                if child is not None and child.returncode is None:
                    child.kill()
                    await child.wait()
            await emu.stop()
    booked = sum(1 for p in people if any("Kursi Anda sudah aman" in m.text for m in p.messages))
    print(f"owners signed up and booked: {booked} of {OWNERS} in {dodolan_wall:.0f} s")
    if queued:
        print(
            f"queued at /start: {len(queued)}; waited for the welcome p50 "
            f"{statistics.median(queued):.0f} s, max {max(queued):.0f} s"
        )
    print("time to the bot's first response per step (ms, incl. queueing for the 30/s limit):")
    everything = [v for values in latencies.values() for v in values]
    for step, values in [*latencies.items(), ("all steps", everything)]:
        print(
            f"  {step:<12} p50 {pct(values, 50):6.0f}  p95 {pct(values, 95):6.0f}  "
            f"p99 {pct(values, 99):6.0f}"
        )
    ours = dodolan_cpu / dodolan_updates * 1000
    bare = echo_cpu / echo_updates * 1000
    print(f"Dodolan CPU per update:     {ours:.2f} ms ({dodolan_updates} updates)")
    print(f"bare PTB echo CPU/update:   {bare:.2f} ms ({echo_updates} updates)")
    print(f"ratio:                      {ours / bare:.2f}x   (target <= 2x)")
    print(f"Bot API violations:         {len(emu.violations)}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    asyncio.run(main())
