"""Shared pieces of the benchmark scripts: machine description, database seeding, and the
bot on Telegram and WhatsApp side by side."""

from __future__ import annotations

import os
import platform
import resource
import socket
import statistics
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app.container import Services  # noqa: E402
from bot.app.settings import Settings, load_settings  # noqa: E402
from bot.core.clock import system_clock  # noqa: E402
from bot.core.models import Consent  # noqa: E402
from bot.core.notices import ChannelName  # noqa: E402
from bot.services.sessions import SessionDraft  # noqa: E402
from bot.services.signup import CONSENT_PURPOSE, CONSENT_VERSION  # noqa: E402
from handlers.whatsapp.templates import load, to_graph  # noqa: E402
from simulator import BotApiEmulator, FakeUser  # noqa: E402
from simulator.whatsapp import Limits as WaLimits  # noqa: E402
from simulator.whatsapp import WhatsAppEmulator, WhatsAppPerson  # noqa: E402
from storage.identities import IdentityRepository  # noqa: E402
from storage.owners import OwnerRepository  # noqa: E402
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


# --- Two channels: Telegram and WhatsApp beside each other (broadcast_two_channels.py) ---

WA_TOKEN = "EAAG-bench-two-channels"
WA_SECRET = "bench-two-channels-app-secret"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (for the bot's WhatsApp webhook)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(values: list[float], q: int) -> float:
    """The q-th percentile (1-99) of at least two values; the value itself for one."""
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100)[q - 1]


async def whatsapp_emulator(limits: WaLimits) -> WhatsAppEmulator:
    """The strict WhatsApp emulator, started, with every template of the bot approved."""
    emu = WhatsAppEmulator(
        access_token=WA_TOKEN, app_secret=WA_SECRET, limits=limits, webhook_concurrency=8
    )  # Meta posts webhooks in parallel; one at a time would queue replies behind statuses
    await emu.start()
    for template in load().templates:
        emu.create_template(to_graph(template))
        emu.approve_template(template.name, template.language)
    return emu


def two_channel_settings(
    database: Path,
    telegram: BotApiEmulator,
    whatsapp: WhatsAppEmulator,
    port: int,
    extra: dict[str, str] | None = None,
) -> Settings:
    """Settings for the bot on both emulators; WhatsApp's webhook on ``port`` (set on the
    emulator as ``webhook_url`` too). ``extra`` adds variables such as DODOLAN_WHATSAPP_TIER."""
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": telegram.base_url,
        "TELEGRAM_API_BASE_FILE_URL": telegram.base_file_url,
        "DODOLAN_DATABASE": str(database),
        "WHATSAPP_ACCESS_TOKEN": WA_TOKEN,
        "WHATSAPP_PHONE_NUMBER_ID": whatsapp.phone_number_id,
        "WHATSAPP_APP_SECRET": WA_SECRET,
        "WHATSAPP_VERIFY_TOKEN": "bench-verify",
        "WHATSAPP_BUSINESS_ACCOUNT_ID": whatsapp.waba_id,
        "WHATSAPP_API_BASE_URL": whatsapp.base_url,
        "DODOLAN_WHATSAPP_PORT": str(port),
        **(extra or {}),
    }
    whatsapp.webhook_url = f"http://127.0.0.1:{port}/whatsapp"
    return load_settings(env)


async def seed_telegram_owners(
    database: Path, emulator: BotApiEmulator, count: int, first: int
) -> list[FakeUser]:
    """Registered Telegram owners (internal id = Telegram id) with an open emulator chat."""
    services = await Services.start(settings_for(database), system_clock)
    now = datetime.now(UTC).isoformat()
    users = list(range(first, first + count))
    try:
        async with services.db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO users (id, language, created_at, last_seen_at) "
                "VALUES (?, 'id', ?, ?)",
                [(u, now, now) for u in users],
            )
            await tx.executemany(
                "INSERT INTO owner_profiles (user_id, full_name, business_name, category, "
                "kecamatan, phone, marketplaces, registered_at, updated_at) "
                "VALUES (?, ?, ?, 'kuliner', 'klojen', ?, '[\"shopee\"]', ?, ?)",
                [(u, f"Pemilik {u}", f"Usaha {u}", f"+628{u:010d}"[:14], now, now) for u in users],
            )
    finally:
        await services.close()
    people = [emulator.user(u, f"Pemilik {u}") for u in users]
    for user_id in users:
        emulator.open_chat(user_id)
    return people


async def seed_whatsapp_owners(
    database: Path, emulator: WhatsAppEmulator, numbers: list[str]
) -> list[tuple[int, WhatsAppPerson]]:
    """Owners who signed up on WhatsApp, stored as the sign-up stores them (an identity from
    ``IdentityRepository.register`` and a profile with consent); (internal id, person)."""
    services = await Services.start(settings_for(database), system_clock)
    identities, owners = IdentityRepository(services.db), OwnerRepository(services.db)
    seeded = []
    try:
        for wa_id in numbers:
            now = services.now()
            user_id = await identities.register(ChannelName.WHATSAPP, wa_id, "id", now)
            values = {
                "full_name": f"Pemilik {wa_id[-5:]}",
                "business_name": f"Warung {wa_id[-5:]}",
                "category": "kuliner",
                "kecamatan": "klojen",
                "phone": f"+{wa_id}",
                "marketplaces": ["shopee"],
                "nib": None,
            }
            consent = Consent(CONSENT_PURPOSE, CONSENT_VERSION, now)
            await owners.create(user_id, values, consent, now)
            seeded.append((user_id, emulator.person(wa_id, name=f"Pemilik {wa_id[-5:]}")))
    finally:
        await services.close()
    return seeded


async def grant_staff(database: Path, staff_id: int) -> None:
    """Make ``staff_id`` a staff member (who may send announcements)."""
    services = await Services.start(settings_for(database), system_clock)
    try:
        async with services.db.transaction() as tx:
            await tx.execute(
                "INSERT OR IGNORE INTO user_roles (user_id, role, source, granted_at) "
                "VALUES (?, 'staff', 'invite', ?)",
                (staff_id, datetime.now(UTC).isoformat()),
            )
    finally:
        await services.close()
