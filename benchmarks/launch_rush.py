"""A launch rush: N new owners (default 300) start within 60 s and sign up and book at a
person's pace (2-5 s per step), against the real `dodolan run` in a child process and the
emulator with Telegram's limits (30/s overall, 1/s per chat, burst 3) and 50 ms latency.

Prints: rate-limited calls per step, the bot's first response per step (p50/p95/p99/max),
how many owners waited in the admission queue and for how long, the share of them welcomed
within the minutes they were told (and within the new promise of anyone told of a slip), the
longest wait of anyone, and owners done per minute. Goals (issue 15): 120 owners with every
step's p95 <= 2 s; 300 owners with every admitted owner's step p95 <= 2 s, the rest told their
place within 2 s, all signed up and booked within 4 minutes. Goal (issue 19): at 300 and 400
owners, at least 95% of the queued welcomed within what they were first told.
Run: .venv/bin/python benchmarks/launch_rush.py [--owners N] [--seed S]   (~3-5 minutes)
The same script run from a checkout of an earlier commit measures that commit's behaviour
(figures for both are in benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import ROOT, TOKEN, machine, settings_for

from bot.app.container import Services
from bot.core.clock import system_clock
from bot.services.sessions import SessionDraft
from simulator import BotApiEmulator, FakeUser, RateLimits
from simulator.ratelimit import is_limited_method

ARRIVALS_WITHIN = 60.0
STEP_TIMEOUT = 600.0
QUEUED_MARKS = ("antrean ke-", "in the queue")
PROMISE = re.compile(r"sekitar (\d+) menit")
SLIP_MARK = "lebih lambat dari perkiraan"


@dataclass
class Owner:
    user: FakeUser
    first_response: dict[str, float] = field(default_factory=dict)
    windows: dict[str, tuple[float, float]] = field(default_factory=dict)
    queued_for: float | None = None
    told_place_in: float | None = None
    told_minutes: int | None = None
    slips: list[tuple[float, int]] = field(default_factory=list)  # (seen at, new minutes)
    last_promise_kept: bool | None = None
    finished_at: float | None = None


def _actions(user: FakeUser) -> list[object]:
    return user.emu.state.chat(user.id).actions


async def _first_action_after(user: FakeUser, count: int, started: float) -> float:
    """Seconds from ``started`` to the bot's first message or edit beyond ``count`` (the
    answer to a tapped button, which stops its spinner, does not count: it says nothing)."""
    actions, activity = _actions(user), user.emu.state.activity
    while True:
        for action in actions[count:]:
            if action.kind in ("send", "edit"):  # type: ignore[attr-defined]
                return action.time - started  # type: ignore[attr-defined]
        event = activity.event  # the emulator sets it whenever the bot acts in any chat
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), 1.0)


async def _wait_for_button(user: FakeUser, label: str) -> None:
    deadline = time.monotonic() + STEP_TIMEOUT
    while not any(m.has_button(label) for m in user.messages[-4:]):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{user!r} never got {label!r}")
        await asyncio.sleep(0.05)


async def _wait_for_welcome(owner: Owner) -> None:
    """Wait for the welcome's consent button, noting each slip notice (and its new promise)."""
    user, seen = owner.user, len(owner.user.messages)
    deadline = time.monotonic() + STEP_TIMEOUT
    while not any(m.has_button("✅ Setuju") for m in user.messages[-4:]):
        for message in user.messages[seen:]:
            promise = PROMISE.search(message.text)
            if SLIP_MARK in message.text and promise:
                owner.slips.append((time.monotonic(), int(promise.group(1))))
        seen = len(user.messages)
        if time.monotonic() > deadline:
            raise TimeoutError(f"{user!r} was never welcomed")
        await asyncio.sleep(0.05)


async def _step(owner: Owner, name: str, action: object) -> None:
    user = owner.user
    count, started, wall = len(_actions(user)), time.monotonic(), time.time()
    task = asyncio.ensure_future(action)  # type: ignore[arg-type]
    owner.first_response[name] = await _first_action_after(user, count, started)
    await task
    owner.windows[name] = (wall, time.time())


async def journey(owner: Owner, rng: random.Random, t0: float) -> None:
    """Arrive within the first minute, then sign up and book like a person would."""
    user = owner.user
    await asyncio.sleep(rng.uniform(0, ARRIVALS_WITHIN))

    async def pause() -> None:
        await asyncio.sleep(rng.uniform(2.0, 5.0))

    async def tap(label: str) -> None:
        await _wait_for_button(user, label)
        await user.press(label, within=STEP_TIMEOUT)

    started = time.monotonic()
    await _step(owner, "start", user.command("start", within=STEP_TIMEOUT))
    if any(mark in user.last.text for mark in QUEUED_MARKS):
        owner.told_place_in = owner.first_response["start"]
        told_at = started + owner.told_place_in  # when the note with the promise arrived
        promise = PROMISE.search(user.last.text)
        owner.told_minutes = int(promise.group(1)) if promise else None
        await _wait_for_welcome(owner)
        owner.queued_for = time.monotonic() - told_at
        deadline = owner.slips[-1][0] + owner.slips[-1][1] * 60 if owner.slips else None
        owner.last_promise_kept = deadline is None or time.monotonic() <= deadline
    steps: list[tuple[str, object]] = [
        ("consent", lambda: tap("✅ Setuju")),
        ("name", lambda: user.send(f"{user.first_name} Santoso", within=STEP_TIMEOUT)),
        ("business", lambda: user.send(f"Usaha {user.first_name}", within=STEP_TIMEOUT)),
        ("category", lambda: tap("Kuliner/makanan-minuman")),
        ("kecamatan", lambda: tap("Klojen")),
        ("phone", lambda: tap("📱 Kirim nomor saya")),
        ("marketplace", lambda: tap("Shopee")),
        ("done", lambda: tap("Selesai")),
        ("nib", lambda: tap("Lewati")),
        ("confirm", lambda: tap("✅ Konfirmasi")),
        ("schedule", lambda: user.command("jadwal", within=STEP_TIMEOUT)),
        ("book", lambda: tap("✅ Pesan kursi")),
    ]
    for name, make in steps:
        await pause()
        await _step(owner, name, make())  # type: ignore[operator]
    owner.finished_at = time.monotonic() - t0


def _pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _print_promises(queued: list[Owner]) -> None:
    """How many queued owners were welcomed within the minutes they were told."""
    told = [o for o in queued if o.told_minutes is not None]
    if not told:
        print("queued welcomed within what they were first told: none was told minutes")
        return
    kept = [o for o in told if (o.queued_for or 0.0) <= (o.told_minutes or 0) * 60]
    slipped = [o for o in told if o.slips]
    late = sorted((o.queued_for or 0.0) - (o.told_minutes or 0) * 60 for o in told)
    minutes = sorted({o.told_minutes or 0 for o in told})
    share = len(kept) / len(told)
    print(
        f"queued welcomed within what they were first told: {len(kept)} of {len(told)} "
        f"({share:.1%}; target >= 95%); told {minutes[0]}-{minutes[-1]} min; "
        f"worst: {late[-1]:+.0f} s against the promise"
    )
    missed = ", ".join(
        f"told {m} min: {sum(1 for o in told if o.told_minutes == m and o not in kept)} of "
        f"{sum(1 for o in told if o.told_minutes == m)}"
        for m in minutes
    )
    print(f"  late, by the minutes told: {missed}")
    again = sum(1 for o in slipped if o.last_promise_kept)
    notices = sum(len(o.slips) for o in slipped)
    print(
        f"told of a slip: {len(slipped)} ({notices} notices); of them welcomed within the "
        f"new promise: {again}"
    )


def _calls_per_step(owners: list[Owner], emu: BotApiEmulator) -> dict[str, float]:
    """Rate-limited calls made to each owner's chat during each step, on average."""
    per_chat: dict[int, list[float]] = {}
    for call in emu.calls:
        if call.status == 200 and is_limited_method(call.method):
            chat = call.params.get("chat_id")
            if chat is not None:
                per_chat.setdefault(int(chat), []).append(call.time)
    result: dict[str, list[int]] = {}
    for owner in owners:
        times = per_chat.get(owner.user.id, [])
        names = list(owner.windows)
        for i, name in enumerate(names):
            begin = owner.windows[name][0]
            end = owner.windows[names[i + 1]][0] if i + 1 < len(names) else float("inf")
            result.setdefault(name, []).append(sum(begin <= t < end for t in times))
    return {name: statistics.mean(v) for name, v in result.items()}


async def main(owners_count: int, seed: int) -> None:
    print(f"launch_rush · {owners_count} owners · {machine()} · code at {ROOT}")
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        emu = BotApiEmulator(
            token=TOKEN, rate_limits=RateLimits(), settle=0.05, reply_timeout=STEP_TIMEOUT
        )
        await emu.start()
        bot = None
        try:
            database = folder / "bench.sqlite3"
            services = await Services.start(settings_for(database), system_clock)
            try:
                start = datetime.now(UTC) + timedelta(days=3)
                draft = SessionDraft(
                    "Foto produk", start, start + timedelta(hours=2), 500, "Balai"
                )
                await services.sessions.create(draft, created_by=None)
            finally:
                await services.close()
            env = {
                **os.environ,
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": emu.base_url,
                "DODOLAN_DATABASE": str(database),
                "DODOLAN_LOG_LEVEL": "WARNING",
                "PYTHONPATH": str(ROOT),
            }
            bot = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                cwd=folder,
                env=env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
            await emu.user(1, "Warm").command("bantuan", within=60)
            emu.latency = 0.05
            owners = [
                Owner(emu.user(10_000 + i, f"Owner{i}", phone=f"+62812{10_000 + i:08d}"))
                for i in range(owners_count)
            ]
            t0 = time.monotonic()
            await asyncio.gather(*(journey(o, rng, t0) for o in owners))
            wall = time.monotonic() - t0
        finally:
            if bot is not None and bot.returncode is None:
                bot.terminate()
                await bot.wait()
            await emu.stop()

    booked = sum(
        1
        for o in owners
        if any(
            "Kursi Anda sudah aman" in m.text or "daftar tunggu" in m.text for m in o.user.messages
        )
    )
    calls = _calls_per_step(owners, emu)
    steps = list(owners[0].first_response)
    print(f"owners signed up and booked: {booked} of {owners_count}; last one after {wall:.0f} s")
    print("first message or edit per step, seconds (queued owners: from their welcome on):")
    print(f"  {'step':<12} {'calls':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>6}")
    everything: list[float] = []
    for step in steps:
        values = [o.first_response[step] for o in owners if step in o.first_response]
        everything += values
        print(
            f"  {step:<12} {calls.get(step, 0):5.2f} {_pct(values, 50):6.2f} "
            f"{_pct(values, 95):6.2f} {_pct(values, 99):6.2f} {max(values):6.2f}"
        )
    print(
        f"  {'all steps':<12} {sum(calls.values()):5.1f} {_pct(everything, 50):6.2f} "
        f"{_pct(everything, 95):6.2f} {_pct(everything, 99):6.2f} {max(everything):6.2f}"
    )
    admitted = [o for o in owners if o.queued_for is None]
    queued = [o for o in owners if o.queued_for is not None]
    admitted_steps = [v for o in admitted for v in o.first_response.values()]
    print(f"admitted at once: {len(admitted)}; step p95 {_pct(admitted_steps, 95):.2f} s")
    if queued:
        told = [o.told_place_in or 0.0 for o in queued]
        waits = [o.queued_for or 0.0 for o in queued]
        later = [v for o in queued for k, v in o.first_response.items() if k != "start"]
        print(
            f"queued: {len(queued)}; told their place within p95 {_pct(told, 95):.2f} s "
            f"(max {max(told):.2f}); waited p50 {_pct(waits, 50):.0f} s, max {max(waits):.0f} s; "
            f"their steps after the welcome p95 {_pct(later, 95):.2f} s"
        )
        _print_promises(queued)
    else:
        print("queued: 0")
    longest = max([*everything, *(o.queued_for or 0.0 for o in owners)])
    finished = sorted(o.finished_at for o in owners if o.finished_at is not None)
    per_minute = [sum(1 for f in finished if m * 60 <= f < (m + 1) * 60) for m in range(6)]
    print(f"longest wait of anyone: {longest:.1f} s")
    print(f"owners done per minute since the first arrival: {per_minute}")
    print(
        f"429 responses: {emu.stats.too_many_requests}; Bot API violations: {len(emu.violations)}"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--owners", type=int, default=300)
    parser.add_argument("--seed", type=int, default=15)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.owners, arguments.seed))
