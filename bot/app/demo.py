"""``dodolan demo``: the whole programme in a browser, with no token and no network.

One process, 127.0.0.1 only: the local Bot API emulator and the local WhatsApp Cloud API
emulator, the real bot serving both (long-polling the one, its webhook called by the other)
with a fresh demo database, and the web chat (``simulator.webchat``) where the visitor acts
as one of the personas: five on Telegram, two owners on WhatsApp. Seeded: a trainer, sessions
in the coming days, one starting ten minutes after launch with reminders minutes apart, an
owner already booked on it on Telegram and one on WhatsApp who has not written yet (so only
templates reach him), and the WhatsApp templates, approved.

The demo clock (:class:`DemoTime`) is what the bot and the WhatsApp emulator read: the real
time plus however far the visitor has moved it with the page's "+1 jam" / "+25 jam", so the
24-hour window can be seen closing and the next notice going as a template.

Tanya Dinas works as in production: an owner's question the FAQ cannot answer becomes a
ticket in Bu Rina's (staff) chat, and she answers it by replying to it (↩ on the message).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import socket
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from pathlib import Path

from telegram import Update

from bot.app.container import Services
from bot.app.delivery import DeliveryRunner
from bot.app.logs import configure_logging
from bot.app.settings import Settings, load_settings
from bot.app.telegram import build_application
from bot.core.clock import Clock, system_clock
from bot.core.notices import ChannelName
from bot.services.booking import BookingView
from bot.services.sessions import SessionDraft
from handlers.telegram.context import SERVICES_KEY, DodolanApplication
from handlers.telegram.delivery import SENDER_KEY, run_tick_hooks, send_now
from handlers.whatsapp.templates import load as load_templates
from handlers.whatsapp.templates import to_graph
from simulator import BotApiEmulator, RateLimits
from simulator.webchat import Persona, WaPersona, WebChat, WhatsAppChats
from simulator.whatsapp import WhatsAppEmulator

logger = logging.getLogger(__name__)

DEMO_TOKEN = "424242:DEMO-dodolan-local-emulator-token-000000"
HOST = "127.0.0.1"
DEFAULT_PORT = 8080
STAFF = Persona(9001, "Bu Rina", "Petugas Dinas", "id", "+6281300000001")
TRAINER = Persona(7001, "Pak Joko", "Pelatih", "id", "+6281222333444")
BOOKED_OWNER = Persona(1003, "Wati", "Pemilik UKM", "id", "+6281333444555")
PERSONAS = (
    Persona(1001, "Siti", "Pemilik UKM", "id", "+6281234567890"),
    Persona(1002, "Budi", "Owner (EN)", "en", "+6285712345678"),
    BOOKED_OWNER,
    STAFF,
    TRAINER,
)
# Short offsets so a reminder arrives minutes after launch for the session starting soon.
REMINDERS = "day-before@08:00,2h,5m,1m"
SOON = timedelta(minutes=10)
ONLINE_URL = "https://meet.example.org/dodolan-iklan"
Venue = tuple[str | None, str | None, float | None, float | None]
MCC: Venue = ("Malang Creative Center", "Jl. A. Yani No. 53, Blimbing", -7.9362, 112.6434)
# A name with "&", as the Dinas writes its own: the demo shows it is escaped exactly once.
DINAS_HALL: Venue = ("Aula Dinas Koperasi & UKM", "Jl. Tugu No. 1, Klojen", -7.9772, 112.6340)
DEMO_RATE_LIMITS = RateLimits(chat_burst=30)
WA_TOKEN = "EAAG-DEMO-dodolan-local-whatsapp-token"
WA_SECRET = "dodolan-demo-whatsapp-app-secret"
WA_OWNER = WaPersona("6281355550000", "Bu Dewi", "Pemilik UKM · WhatsApp")
# Signed up on WhatsApp at launch but has never written: his 24-hour window is closed.
WA_SIGNED_UP = WaPersona("6281366660000", "Pak Hadi", "Terdaftar · WhatsApp")
WA_PERSONAS = (WA_OWNER, WA_SIGNED_UP)


class DemoTime:
    """The demo's clock: the real time plus however far the visitor has moved it."""

    def __init__(self, base: Clock = system_clock) -> None:
        self._base = base
        self._offset = timedelta(0)
        self.after_move: Callable[[], Awaitable[None]] | None = None

    @property
    def offset(self) -> timedelta:
        """How far the clock has been moved, in all."""
        return self._offset

    def __call__(self) -> datetime:
        """The demo's current time, aware, in UTC."""
        return self._base() + self._offset

    async def advance(self, delta: timedelta) -> None:
        """Move forward and let the bot send what fell due (it cannot go back)."""
        if delta <= timedelta(0):
            raise ValueError("the demo clock only moves forward")
        self._offset += delta
        if self.after_move is not None:
            await self.after_move()


def demo_settings(
    emulator: BotApiEmulator, database: Path, wa: WhatsAppEmulator, webhook_port: int
) -> Settings:
    """Settings for the bot in the demo (nothing is read from the environment or .env):
    Telegram through the one emulator, WhatsApp through the other."""
    return load_settings(
        {
            "TELEGRAM_BOT_TOKEN": DEMO_TOKEN,
            "TELEGRAM_API_BASE_URL": emulator.base_url,
            "TELEGRAM_API_BASE_FILE_URL": emulator.base_file_url,
            "DODOLAN_DATABASE": str(database),
            "DODOLAN_STAFF_IDS": str(STAFF.user_id),
            "DODOLAN_REMINDERS": REMINDERS,
            "WHATSAPP_ACCESS_TOKEN": WA_TOKEN,
            "WHATSAPP_PHONE_NUMBER_ID": wa.phone_number_id,
            "WHATSAPP_BUSINESS_ACCOUNT_ID": wa.waba_id,
            "WHATSAPP_APP_SECRET": WA_SECRET,
            "WHATSAPP_VERIFY_TOKEN": "dodolan-demo-verify",
            "WHATSAPP_API_BASE_URL": wa.base_url,
            "WHATSAPP_DISPLAY_NUMBER": wa.display_phone_number,  # for the trainer's wa.me QR
            "DODOLAN_WHATSAPP_LISTEN": HOST,
            "DODOLAN_WHATSAPP_PORT": str(webhook_port),
        }
    )


def free_port() -> int:
    """A port on 127.0.0.1 that is free now (the bot's WhatsApp webhook needs a fixed one)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def seed_templates(wa: WhatsAppEmulator) -> None:
    """Create every template of content/whatsapp_templates.yaml in the emulator, approved."""
    for template in load_templates().templates:
        wa.create_template(to_graph(template))
        wa.approve_template(template.name, template.language)


class Demo:
    """The emulator, the real bot and the web chat, started and stopped together."""

    def __init__(self, workdir: Path, *, port: int = DEFAULT_PORT, now: Clock = system_clock):
        self.now = DemoTime(now)
        self.now.after_move = self.catch_up
        self.emulator = BotApiEmulator(
            token=DEMO_TOKEN, rate_limits=DEMO_RATE_LIMITS, clock=self.now
        )
        self.whatsapp = WhatsAppEmulator(
            access_token=WA_TOKEN, app_secret=WA_SECRET, clock=self.now
        )
        self.webchat = WebChat(
            self.emulator,
            list(PERSONAS),
            port=port,
            whatsapp=WhatsAppChats(self.whatsapp, list(WA_PERSONAS)),
            clock=self.now,
        )
        self.database = workdir / "dodolan-demo.sqlite3"
        self.application: DodolanApplication | None = None

    @property
    def url(self) -> str:
        """The web chat's address."""
        return self.webchat.url

    @property
    def services(self) -> Services:
        """The running bot's services."""
        assert self.application is not None, "the demo is not running"
        services = self.application.bot_data[SERVICES_KEY]
        assert isinstance(services, Services)
        return services

    async def start(self) -> None:
        """Start the emulators, the bot (as ``run_polling`` would), seed, then the web chat."""
        await self.emulator.start()
        await self.whatsapp.start()
        seed_templates(self.whatsapp)  # before the webhook is set: no status webhooks
        webhook_port = free_port()
        self.whatsapp.webhook_url = f"http://{HOST}:{webhook_port}/whatsapp"
        settings = demo_settings(self.emulator, self.database, self.whatsapp, webhook_port)
        app = build_application(settings, now=self.now)
        await app.initialize()
        assert app.post_init is not None and app.updater is not None
        await app.post_init(app)
        await app.updater.start_polling(
            poll_interval=0.0, timeout=1, allowed_updates=Update.ALL_TYPES
        )
        await app.start()
        self.application = app
        self.webchat.timezone = self.services.settings.timezone.key
        booked = await seed(self.services, self.emulator, self.now())
        await send_now(app, booked.notice)  # as the booking handler would: at once, not late
        hadi = await seed_whatsapp_owner(self.services, WA_SIGNED_UP, booked.session.id)
        await send_now(app, hadi.notice)  # the same for him: the template goes now, not late
        await self.webchat.start()

    async def catch_up(self) -> None:
        """After the clock moved: end expired offers, run the periodic work, send what is due
        (reminders, held offers) now rather than at the next safety tick."""
        app = self.application
        if app is None:
            return
        runner = app.bot_data.get(SENDER_KEY)
        if isinstance(runner, DeliveryRunner):
            await runner.safety_tick()
        await run_tick_hooks(app)

    async def stop(self) -> None:
        """Stop the web chat, finish in-flight updates, close the bot, stop the emulator."""
        await self.webchat.stop()
        app, self.application = self.application, None
        if app is not None:
            assert app.updater is not None and app.post_stop and app.post_shutdown
            if app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            await app.post_stop(app)
            await app.shutdown()
            await app.post_shutdown(app)
        await self.whatsapp.stop()
        await self.emulator.stop()
        for violation in self.emulator.violations:
            logger.warning("Bot API violation in %s: %s", violation.method, violation.description)
        for wa_violation in self.whatsapp.violations:
            logger.warning("WhatsApp API violation (%d): %s", wa_violation.code, wa_violation.path)


async def seed(services: Services, emulator: BotApiEmulator, now: datetime) -> BookingView:
    """A trainer, sessions in the coming days, and an owner booked on the one starting soon
    (her booking is returned: its confirmation is still to be sent)."""
    staff, trainer, owner = [
        await _telegram_person(services, emulator, persona)
        for persona in (STAFF, TRAINER, BOOKED_OWNER)
    ]
    token = await services.invites.create(staff)
    await services.invites.redeem(trainer, token, TRAINER.name)
    drafts = session_drafts(now, services, trainer)
    soon, *_ = await services.sessions.create_many(drafts, staff)
    await sign_up(services, owner, BOOKED_OWNER.name, BOOKED_OWNER.phone)
    return await services.booking.book(owner, soon.id)


async def _telegram_person(services: Services, emulator: BotApiEmulator, persona: Persona) -> int:
    """The demo person's chat opened and their account made, as their first message would:
    their internal id (their Telegram id only addresses the chat)."""
    emulator.open_chat(persona.user_id)
    account = await services.users.arrived(
        ChannelName.TELEGRAM, str(persona.user_id), persona.language, persona.name
    )
    return account.id


async def seed_whatsapp_owner(
    services: Services, persona: WaPersona, session_id: int
) -> BookingView:
    """An owner signed up on WhatsApp (known by his number) and booked on the session that
    starts soon, who has not written since: his confirmation can only go as a template, and
    waits behind it until he taps (his booking is returned: its confirmation is still to be
    sent, at once, or it would read as delayed by a fault)."""
    user_id = await services.identities.register(
        ChannelName.WHATSAPP, persona.wa_id, persona.language, services.now()
    )
    await sign_up(services, user_id, persona.name, f"+{persona.wa_id}")
    return await services.booking.book(user_id, session_id)


def session_drafts(now: datetime, services: Services, trainer_id: int) -> list[SessionDraft]:
    """The demo's sessions: one in ten minutes, then three over the next days."""
    tz = services.settings.timezone
    starts = (now + SOON).replace(second=0, microsecond=0) + timedelta(minutes=1)
    day = now.astimezone(tz).date()

    def at(days: int, hour: int) -> datetime:
        return datetime.combine(day + timedelta(days=days), time(hour), tzinfo=tz)

    return [
        _draft("Foto produk pakai HP", starts, 20, cutoff_at=starts, trainer_id=trainer_id),
        _draft("Buka toko di Shopee", at(1, 9), 25, venue=DINAS_HALL, trainer_id=trainer_id),
        _draft("Live jualan di TikTok Shop", at(2, 13), 3, trainer_id=trainer_id),
        _draft(
            "Iklan dan promo marketplace (online)",
            at(4, 9),
            40,
            online_url=ONLINE_URL,
            trainer_id=trainer_id,
        ),
    ]


def _draft(
    title: str,
    start: datetime,
    capacity: int,
    *,
    trainer_id: int,
    online_url: str | None = None,
    cutoff_at: datetime | None = None,
    venue: Venue = MCC,
) -> SessionDraft:
    """A two-hour session with the demo trainer, at the venue (the MCC) unless it is online."""
    name, address, latitude, longitude = (None, None, None, None) if online_url else venue
    return SessionDraft(
        title=title,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=capacity,
        venue_name=name,
        venue_address=address,
        latitude=latitude,
        longitude=longitude,
        online_url=online_url,
        trainer_id=trainer_id,
        cutoff_at=cutoff_at,
    )


async def sign_up(services: Services, uid: int, name: str, phone: str | None) -> None:
    """Sign an owner up through the sign-up service, as if they had tapped through it."""
    await services.signup.begin(uid)
    await services.signup.consent(uid, agreed=True)
    await services.signup.answer_text(uid, f"{name} Lestari")
    await services.signup.answer_text(uid, f"Sambal {name}")
    await services.signup.answer_choice(uid, "category", "kuliner")
    await services.signup.answer_choice(uid, "kecamatan", "sukun")
    await services.signup.answer_text(uid, phone or "081333444555")
    await services.signup.toggle(uid, "shopee")
    await services.signup.finish_multi(uid)
    await services.signup.skip_nib(uid)
    await services.signup.confirm(uid)


async def serve(port: int, stop: asyncio.Event, workdir: Path) -> None:
    """Run the demo until ``stop`` is set."""
    demo = Demo(workdir, port=port)
    try:
        await demo.start()
        print(f"Dodolan demo: {demo.url}  (Ctrl-C to stop)", flush=True)
        await stop.wait()
    finally:
        await demo.stop()


async def _main(port: int) -> None:
    """Install signal handlers, run, clean the temporary database up."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    with tempfile.TemporaryDirectory(prefix="dodolan-demo-") as workdir:
        await serve(port, stop, Path(workdir))


def add_demo_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``dodolan demo [--port N]``."""
    demo = commands.add_parser(
        "demo", help="try the bot in a browser: emulator, bot and web chat on 127.0.0.1"
    )
    demo.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"web chat port (default {DEFAULT_PORT})"
    )


def run_demo(args: argparse.Namespace) -> int:
    """Run the demo until Ctrl-C or SIGTERM; return the exit status."""
    if not 0 <= args.port <= 65535:
        print(f"dodolan: --port must be 0–65535, got {args.port}", file=sys.stderr)
        return 2
    configure_logging("WARNING", (DEMO_TOKEN, WA_TOKEN, WA_SECRET))
    try:
        asyncio.run(_main(args.port))
    except OSError as exc:
        print(f"dodolan: cannot start the demo: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bot.app.demo")
    add_demo_parser(parser.add_subparsers(dest="command", required=True))
    sys.exit(run_demo(parser.parse_args(["demo", *sys.argv[1:]])))
