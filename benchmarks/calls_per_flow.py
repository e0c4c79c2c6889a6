"""Rate-limited Bot API calls each owner flow costs: sign-up, booking, cancel, move, tips.

Counts, per step, the calls Telegram counts against its limits (send*, edit*, copy/forward;
not answerCallbackQuery), made by the real bot in process against the emulator. Run from a
checkout of an earlier commit to get that commit's figures (benchmarks/README.md has both).
Run: .venv/bin/python benchmarks/calls_per_flow.py   (~10 s)
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from common import ROOT, machine

from simulator import BotApiEmulator, FakeUser, RateLimits
from simulator.ratelimit import is_limited_method
from tests.e2e.support import SATURDAY_9, create_session, register_owner
from tests.harness import TOKEN, FakeClock, RunningBot, settings_for

Step = tuple[str, Callable[[], Awaitable[object]]]


async def _count(
    emu: BotApiEmulator, person: FakeUser, steps: list[Step]
) -> tuple[int, list[str]]:
    rows, total = [], 0
    for name, step in steps:
        mark = len(emu.calls)
        await step()
        methods = [
            c.method
            for c in emu.calls[mark:]
            if is_limited_method(c.method) and str(c.params.get("chat_id")) == str(person.id)
        ]
        rows.append(f"    {name:<34} {len(methods):>2}  {', '.join(methods)}")
        total += len(methods)
    return total, rows


async def main() -> None:
    print(f"calls_per_flow · {machine()} · code at {ROOT}")
    with tempfile.TemporaryDirectory() as folder:
        emu = BotApiEmulator(token=TOKEN, rate_limits=RateLimits(chat_burst=30))
        await emu.start()
        bot = RunningBot(settings_for(emu, Path(folder) / "db.sqlite3"), FakeClock(), emu)
        await bot.start()
        try:
            first = await create_session(bot, "Sesi A")
            await create_session(bot, "Sesi B", starts_at=SATURDAY_9 + timedelta(days=1))
            siti = emu.user(1001, "Siti", language_code="id", phone="+6281234567890")
            signup: list[Step] = [
                ("/start", lambda: siti.command("start")),
                ("✅ Setuju", lambda: siti.press("✅ Setuju")),
                ("name (typed)", lambda: siti.send("Siti Aminah")),
                ("business (typed)", lambda: siti.send("Keripik Tempe")),
                ("category (tap)", lambda: siti.press("Kuliner/makanan-minuman")),
                ("kecamatan (tap)", lambda: siti.press("Klojen")),
                ("phone (shared)", lambda: siti.press("📱 Kirim nomor saya")),
                ("marketplace toggle (tap)", lambda: siti.press("Shopee")),
                ("marketplaces done (tap)", lambda: siti.press("Selesai")),
                ("NIB skipped (tap)", lambda: siti.press("Lewati")),
                ("✅ Konfirmasi", lambda: siti.press("✅ Konfirmasi")),
            ]
            booking: list[Step] = [
                ("/jadwal (2 sessions open)", lambda: siti.command("jadwal")),
                ("✅ Pesan kursi", lambda: siti.press("✅ Pesan kursi")),
            ]
            cancel: list[Step] = [
                ("/bookingsaya", lambda: siti.command("bookingsaya")),
                ("❌ Batalkan booking", lambda: siti.press("❌ Batalkan booking")),
                ("Ya, batalkan", lambda: siti.press("Ya, batalkan")),
            ]
            tips: list[Step] = [
                ("/tips", lambda: siti.command("tips")),
                ("💡 Tip lain", lambda: siti.press("💡 Tip lain")),
            ]
            report = [("sign-up", await _count(emu, siti, signup))]
            report.append(("booking", await _count(emu, siti, booking)))
            report.append(("cancel", await _count(emu, siti, cancel)))
            await register_owner(bot, 1002, "Budi")
            budi = emu.user(1002, "Budi", language_code="id")
            await budi.command("jadwal")
            await budi.press_data(f"bk:v1:book:{first.id}")
            move: list[Step] = [
                ("/bookingsaya", lambda: budi.command("bookingsaya")),
                ("🔄 Pindah sesi", lambda: budi.press("🔄 Pindah sesi")),
                ("the other session", lambda: budi.press(budi.last.buttons[0][0])),
            ]
            report.append(("move", await _count(emu, budi, move)))
            report.append(("tips", await _count(emu, siti, tips)))
        finally:
            await bot.stop()
            await emu.stop()
    for flow, (total, rows) in report:
        print(f"{flow}: {total} limited calls")
        print("\n".join(rows))
    print(f"Bot API violations: {len(emu.violations)}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    asyncio.run(main())
