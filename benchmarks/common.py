"""Shared pieces of the benchmark scripts: machine description and database seeding."""

from __future__ import annotations

import os
import platform
import resource
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app.container import Services  # noqa: E402
from bot.app.settings import Settings, load_settings  # noqa: E402
from bot.core.clock import system_clock  # noqa: E402
from bot.services.sessions import SessionDraft  # noqa: E402
from simulator import BotApiEmulator  # noqa: E402
from storage.sessions import SessionRepository  # noqa: E402

TOKEN = "123456:BENCH-dodolan-emulator-token-00000000000"


def machine() -> str:
    """One line describing where the figures were measured."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            names = [line.split(":", 1)[1].strip() for line in info if "model name" in line]
            cpu = names[0] if names else cpu
    except OSError:
        pass
    return (
        f"{platform.node()} · {cpu} · {os.cpu_count()} cores · Python "
        f"{platform.python_version()} · {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def settings_for(database: Path, emulator: BotApiEmulator | None = None) -> Settings:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "DODOLAN_DATABASE": str(database)}
    if emulator is not None:
        env |= {
            "TELEGRAM_API_BASE_URL": emulator.base_url,
            "TELEGRAM_API_BASE_FILE_URL": emulator.base_file_url,
        }
    return load_settings(env)


async def seed_reminders(
    database: Path,
    owners: int,
    due: list[datetime],
    emulator: BotApiEmulator | None = None,
    first_user: int = 100_000,
) -> list[int]:
    """Owners with a confirmed booking each and one pending reminder due at ``due[i]``."""
    services = await Services.start(settings_for(database), system_clock)
    try:
        now = datetime.now(UTC)
        start = max(due) + timedelta(hours=3)
        sessions = SessionRepository(services.db)
        created = await services.sessions.create(
            SessionDraft("Benchmark", start, start + timedelta(hours=2), 500, "Balai Kota"),
            created_by=None,
        )
        users = list(range(first_user, first_user + owners))
        async with services.db.transaction() as tx:
            for i, user_id in enumerate(users):
                if emulator is not None:
                    emulator.user(user_id, f"Owner {i}", language_code="id")
                    emulator.open_chat(user_id)
                await tx.execute(
                    "INSERT INTO users (id, language, created_at, last_seen_at) "
                    "VALUES (?, 'id', ?, ?)",
                    (user_id, now.isoformat(), now.isoformat()),
                )
                booking = await sessions.insert_booking(tx, created.id, user_id, "confirmed", now)
                await services.outbox.enqueue(
                    tx,
                    user_id,
                    "reminder",
                    {"booking_id": booking.id, "rule": "bench"},
                    due[i],
                    now,
                    4,
                    f"booking:{booking.id}",
                )
        return users
    finally:
        await services.close()
