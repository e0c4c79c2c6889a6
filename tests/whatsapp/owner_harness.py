"""The WhatsApp owner side running for real: emulator → webhook → inbox → router → channel.

No tests here. :func:`running` starts the services on a temporary database, the strict
WhatsApp emulator, the real webhook server on a free port, the inbox processor calling the
router's ``handle``, and the real ``WhatsAppChannel`` sending back to the emulator over HTTP;
it tears everything down afterwards. People (``h.emu.person(...)``) then say and tap things
and the tests assert what they see and what the database holds.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from bot.app.container import Services
from bot.app.settings import load_settings
from handlers.whatsapp.channel import WhatsAppChannel
from handlers.whatsapp.events import Event, Inbound
from handlers.whatsapp.graph import GraphClient
from handlers.whatsapp.inbound import build_router
from handlers.whatsapp.inbox import InboxProcessor
from handlers.whatsapp.pacing import Pacer
from handlers.whatsapp.replies import OwedReplies
from handlers.whatsapp.router import Router
from handlers.whatsapp.settings import WhatsAppSettings
from handlers.whatsapp.templates import load, to_graph
from handlers.whatsapp.webhook import make_app, make_server
from handlers.whatsapp.window import TemplateStatus
from simulator.whatsapp import WaMessage, WhatsAppEmulator, WhatsAppPerson
from storage.whatsapp_contacts import WhatsAppContactRepository
from storage.whatsapp_inbox import WhatsAppInboxRepository
from storage.whatsapp_replies import WhatsAppReplyRepository

TOKEN = "EAAG-owner-journey-token"
APP_SECRET = "owner-journey-app-secret"
T0 = datetime(2026, 12, 11, 2, 0, tzinfo=UTC)  # Friday 09.00 WIB
SITI = "6281234567890"


class Clock:
    """A movable, timezone-aware clock shared by the emulator, the services and the channel."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        """The current time."""
        return self.now

    def advance(self, **delta: float) -> None:
        """Move forward."""
        self.now += timedelta(**delta)


class Monotonic:
    """A fake monotonic clock for pacing: ``sleep`` moves it instead of waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        """The current monotonic time."""
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Pass ``seconds`` at once."""
        self.now += seconds


@dataclass
class Handled:
    """The wamids the router has finished with, so people wait for exactly that."""

    wamids: set[str] = field(default_factory=set)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def answered(self, event: Event) -> None:
        """Note a message once its replies were sent (the processor's ``on_answered``)."""
        if isinstance(event, Inbound):
            self.wamids.add(event.wamid)
            self.changed.set()

    async def wait(self, wamid: str, seconds: float) -> bool:
        """Whether ``wamid`` is handled within ``seconds``."""
        deadline = asyncio.get_running_loop().time() + seconds
        while wamid not in self.wamids:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return False
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except TimeoutError:
                return wamid in self.wamids
        return True


@dataclass
class OwnerHarness:
    """Everything running, and handles on it for the tests."""

    emu: WhatsAppEmulator
    services: Services
    channel: WhatsAppChannel
    router: Router
    clock: Clock
    processor: InboxProcessor
    replies: WhatsAppReplyRepository
    owed: OwedReplies
    inbox: WhatsAppInboxRepository

    def person(self, wa_id: str | None = SITI, **kwargs: Any) -> WhatsAppPerson:
        """A WhatsApp user (``wa_id=None, username=…`` for one without a phone number)."""
        if wa_id is None:
            return self.emu.person(**kwargs)
        return self.emu.person(wa_id, **kwargs)

    async def user_id(self, external_id: str) -> int | None:
        """The internal user id of a WhatsApp sender, if known."""
        row = await self.services.db.fetch_one(
            "SELECT user_id FROM identities WHERE channel = 'whatsapp' AND external_id = ?",
            (external_id,),
        )
        return int(row["user_id"]) if row else None

    async def owner_row(self, external_id: str) -> dict[str, Any] | None:
        """The owner_profiles row of a WhatsApp sender, as stored."""
        row = await self.services.db.fetch_one(
            "SELECT p.* FROM owner_profiles p JOIN identities i ON i.user_id = p.user_id "
            "WHERE i.channel = 'whatsapp' AND i.external_id = ?",
            (external_id,),
        )
        return dict(row) if row else None


def _seed_templates(emu: WhatsAppEmulator) -> None:
    for template in load().templates:
        emu.create_template(to_graph(template))
        emu.approve_template(template.name, template.language)


async def _services(tmp_path: Path, clock: Clock) -> Services:
    settings = load_settings(
        {"DODOLAN_DATABASE": str(tmp_path / "dodolan.sqlite3"), "DODOLAN_STAFF_IDS": "1"},
        require_token=False,
    )
    return await Services.start(settings, clock)


def _serve(
    settings: WhatsAppSettings, inbox: WhatsAppInboxRepository, wake: Any, clock: Clock
) -> HTTPServer:
    """The real webhook server on a free port of 127.0.0.1 (``settings.port`` is ignored)."""
    server = make_server(make_app(settings, inbox, wake, now=clock))
    sockets = bind_sockets(0, "127.0.0.1")
    server.add_sockets(sockets)
    server.port = sockets[0].getsockname()[1]  # type: ignore[attr-defined]
    return server


@asynccontextmanager
async def running(
    tmp_path: Path, *, meta_clock: Clock | None = None
) -> AsyncIterator[OwnerHarness]:
    """Start the whole WhatsApp owner side; stop it all afterwards.

    Meta (the emulator) shares the bot's clock unless ``meta_clock`` gives it its own.
    """
    clock, mono = Clock(), Monotonic()
    emu = WhatsAppEmulator(
        access_token=TOKEN, app_secret=APP_SECRET, clock=meta_clock or clock, monotonic=mono
    )
    await emu.start()
    _seed_templates(emu)
    services = await _services(tmp_path, clock)
    settings = WhatsAppSettings(
        access_token=TOKEN,
        phone_number_id=emu.phone_number_id,
        app_secret=APP_SECRET,
        verify_token="verify-owner",
        api_base_url=emu.base_url,
        business_account_id=emu.waba_id,
    )
    graph = GraphClient(settings)
    pacer = Pacer(monotonic=mono, sleep=mono.sleep)
    contacts = WhatsAppContactRepository(services.db)
    channel = WhatsAppChannel(graph, contacts, load(), TemplateStatus(), clock, pacer=pacer)
    await channel.refresh_templates()
    router = build_router(services, channel)
    handled = Handled()
    inbox = WhatsAppInboxRepository(services.db)
    replies = WhatsAppReplyRepository(services.db)
    owed = OwedReplies(replies, channel, services.catalog, clock)
    processor = InboxProcessor(
        inbox,
        router.handle,
        replies=replies,
        owed=owed,
        flood_note=router.flood_note,
        on_answered=handled.answered,
        now=clock,
    )
    server = _serve(settings, inbox, processor.wake, clock)
    emu.webhook_url = f"http://127.0.0.1:{server.port}/{settings.path}"  # type: ignore[attr-defined]
    emu.handled_hook = handled.wait
    emu.settle = 0.0  # people wait for the handled hook, not for a quiet spell of wall-clock time
    processor.start()
    try:
        yield OwnerHarness(emu, services, channel, router, clock, processor, replies, owed, inbox)
    finally:
        await processor.stop()
        server.stop()
        await server.close_all_connections()
        await graph.aclose()
        await emu.stop()
        await services.close()


async def send_other(person: WhatsAppPerson, fields: dict[str, Any]) -> list[WaMessage]:
    """A message type the people API has no call for (a sticker, an unsupported one)."""
    return await person._inject(fields, f"sending {fields.get('type')}", True, None)


async def signed_up(person: WhatsAppPerson, name: str = "Siti Aminah") -> None:
    """Take the person through the whole sign-up with the sender's own number."""
    await person.say("daftar")
    await person.tap("✅ Setuju")
    await person.say(name)
    await person.say("Keripik Tempe Bu Siti")
    await person.pick("Kuliner/makanan-minuman")
    await person.pick("Klojen")
    await person.tap("✅ Ya, pakai ini")
    await person.pick("Shopee")
    await person.pick("Selesai")
    await person.tap("Lewati")
    await person.tap("✅ Konfirmasi")
