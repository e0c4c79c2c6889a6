"""Helpers for the WhatsApp channel tests: the strict emulator, a real database and notices.

No tests here; ``Harness.running`` starts the emulator with the catalog's templates approved,
a migrated temporary database and a ``WhatsAppChannel`` over the real ``GraphClient``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.notices import ChannelName, Choice, Notice, Recipient
from handlers.whatsapp.channel import WhatsAppChannel
from handlers.whatsapp.graph import GraphClient
from handlers.whatsapp.pacing import Pacer, PacingLimits
from handlers.whatsapp.settings import WhatsAppSettings
from handlers.whatsapp.templates import load, to_graph
from handlers.whatsapp.window import TemplateStatus
from simulator.whatsapp import Limits, WhatsAppEmulator
from storage.database import Database
from storage.migrate import migrate
from storage.whatsapp_contacts import WhatsAppContactRepository

TOKEN = "EAAG-secret-channel-token-42"
SITI = "6281234567890"
T0 = datetime(2026, 12, 11, 2, 0, tzinfo=UTC)  # Friday 09.00 WIB


class Clock:
    """A movable, timezone-aware clock shared by the emulator and the channel."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        """The current time."""
        return self.now

    def advance(self, **delta: float) -> None:
        """Move forward."""
        self.now += timedelta(**delta)


class Monotonic:
    """A fake monotonic clock whose ``sleep`` moves it instead of waiting."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept = 0.0

    def __call__(self) -> float:
        """The current monotonic time."""
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Pass ``seconds`` at once."""
        self.now += seconds
        self.slept += seconds


@dataclass
class Harness:
    """A running emulator and the channel under test, with their clocks."""

    emu: WhatsAppEmulator
    channel: WhatsAppChannel
    graph: GraphClient
    contacts: WhatsAppContactRepository
    statuses: TemplateStatus
    clock: Clock
    mono: Monotonic
    db: Database

    async def open_window(self, wa_id: str = SITI) -> None:
        """The person wrote just now: both the emulator and the channel know it."""
        self.emu.person(wa_id).open_window()
        await self.channel.saw_inbound(wa_id, self.clock())


def recipient(external_id: str = SITI, language: str = "id", user_id: int = 2**53) -> Recipient:
    """A WhatsApp recipient."""
    return Recipient(user_id, ChannelName.WHATSAPP, external_id, language)


def reminder(booking: int = 42, **extra: str) -> Notice:
    """A reminder shaped as ``NoticeBuilders.reminder`` builds it."""
    return Notice(
        "<b>Pengingat:</b> sesi <b>Foto Produk &amp; Video</b> besok.\n"
        "🗓 Sabtu, 12 Desember 2026, 09.00 WIB\n\nApakah Anda bisa hadir?",
        (
            Choice(f"rm:v1:yes:{booking}", "Saya hadir"),
            Choice(f"rm:v1:no:{booking}", "Tidak bisa hadir"),
        ),
        rows=(2,),
        kind="reminder",
        params={
            "title": "Foto Produk & Video",
            "when": "Sabtu, 12 Desember 2026, 09.00 WIB",
            "place": "Malang Creative Center",
            **extra,
        },
    )


def seed_templates(emu: WhatsAppEmulator) -> None:
    """Create and approve every template of the catalog, as staff would through Meta."""
    for template in load().templates:
        emu.create_template(to_graph(template))
        emu.approve_template(template.name, template.language)


@asynccontextmanager
async def running(
    tmp_path: Path,
    *,
    limits: Limits | None = None,
    pacing: PacingLimits | None = None,
    tier: int = 250,
    seed: bool = True,
) -> AsyncIterator[Harness]:
    """Start everything; stop it all afterwards."""
    clock, mono = Clock(), Monotonic()
    emu = WhatsAppEmulator(
        access_token=TOKEN, clock=clock, limits=limits or Limits(), monotonic=mono
    )
    await emu.start()
    db = await Database.open(tmp_path / "dodolan.sqlite3")
    await migrate(db, clock())
    settings = WhatsAppSettings(
        access_token=TOKEN,
        phone_number_id=emu.phone_number_id,
        app_secret="app-secret",
        verify_token="verify",
        api_base_url=emu.base_url,
        business_account_id=emu.waba_id,
    )
    graph = GraphClient(settings)
    if seed:
        seed_templates(emu)
    statuses, contacts = TemplateStatus(), WhatsAppContactRepository(db)
    pacer = Pacer(pacing or PacingLimits(), monotonic=mono, sleep=mono.sleep)
    channel = WhatsAppChannel(graph, contacts, load(), statuses, clock, tier=tier, pacer=pacer)
    await channel.refresh_templates()
    emu.person(SITI, name="Siti")
    try:
        yield Harness(emu, channel, graph, contacts, statuses, clock, mono, db)
    finally:
        await graph.aclose()
        await db.close()
        await emu.stop()
