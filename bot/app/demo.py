"""``dodolan demo``: the whole programme in a browser, with no token and no network.

One process, 127.0.0.1 only: the local Bot API emulator, the real bot long-polling it with a
fresh demo database, and the web chat (``simulator.webchat``) where the visitor acts as one
of five personas. Seeded: a trainer, sessions in the coming days, one starting ten minutes
after launch with reminders minutes apart, and an owner already booked on it.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import tempfile
from datetime import datetime, time, timedelta
from pathlib import Path

from telegram import Update

from bot.app.container import Services
from bot.app.logs import configure_logging
from bot.app.settings import Settings, load_settings
from bot.app.telegram import build_application
from bot.core.clock import Clock, system_clock
from bot.services.booking import BookingView
from bot.services.sessions import SessionDraft
from handlers.telegram.context import SERVICES_KEY, DodolanApplication
from handlers.telegram.delivery import send_now
from simulator import BotApiEmulator, RateLimits
from simulator.webchat import Persona, WebChat

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


def demo_settings(emulator: BotApiEmulator, database: Path) -> Settings:
    """Settings for the bot in the demo (nothing is read from the environment or .env)."""
    return load_settings(
        {
            "TELEGRAM_BOT_TOKEN": DEMO_TOKEN,
            "TELEGRAM_API_BASE_URL": emulator.base_url,
            "TELEGRAM_API_BASE_FILE_URL": emulator.base_file_url,
            "DODOLAN_DATABASE": str(database),
            "DODOLAN_STAFF_IDS": str(STAFF.user_id),
            "DODOLAN_REMINDERS": REMINDERS,
        }
    )


class Demo:
    """The emulator, the real bot and the web chat, started and stopped together."""

    def __init__(self, workdir: Path, *, port: int = DEFAULT_PORT, now: Clock = system_clock):
        self.emulator = BotApiEmulator(token=DEMO_TOKEN, rate_limits=DEMO_RATE_LIMITS)
        self.webchat = WebChat(self.emulator, list(PERSONAS), port=port)
        self.database = workdir / "dodolan-demo.sqlite3"
        self.now = now
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
        """Start the emulator, the bot (as ``run_polling`` would), seed, then the web chat."""
        await self.emulator.start()
        app = build_application(demo_settings(self.emulator, self.database), now=self.now)
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
        await self.webchat.start()

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
        await self.emulator.stop()
        for violation in self.emulator.violations:
            logger.warning("Bot API violation in %s: %s", violation.method, violation.description)


async def seed(services: Services, emulator: BotApiEmulator, now: datetime) -> BookingView:
    """A trainer, sessions in the coming days, and an owner booked on the one starting soon
    (her booking is returned: its confirmation is still to be sent)."""
    for persona in (STAFF, TRAINER):
        emulator.open_chat(persona.user_id)
        await services.users.seen(persona.user_id, persona.language, persona.name)
    token = await services.invites.create(STAFF.user_id)
    await services.invites.redeem(TRAINER.user_id, token, TRAINER.name)
    soon, *_ = await services.sessions.create_many(session_drafts(now, services), STAFF.user_id)
    emulator.open_chat(BOOKED_OWNER.user_id)
    await sign_up(services, BOOKED_OWNER)
    return await services.booking.book(BOOKED_OWNER.user_id, soon.id)


def session_drafts(now: datetime, services: Services) -> list[SessionDraft]:
    """The demo's sessions: one in ten minutes, then three over the next days."""
    tz = services.settings.timezone
    starts = (now + SOON).replace(second=0, microsecond=0) + timedelta(minutes=1)
    day = now.astimezone(tz).date()

    def at(days: int, hour: int) -> datetime:
        return datetime.combine(day + timedelta(days=days), time(hour), tzinfo=tz)

    return [
        _draft("Foto produk pakai HP", starts, 20, cutoff_at=starts),
        _draft("Buka toko di Shopee", at(1, 9), 25, venue=DINAS_HALL),
        _draft("Live jualan di TikTok Shop", at(2, 13), 3),
        _draft("Iklan dan promo marketplace (online)", at(4, 9), 40, online_url=ONLINE_URL),
    ]


def _draft(
    title: str,
    start: datetime,
    capacity: int,
    *,
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
        trainer_id=TRAINER.user_id,
        cutoff_at=cutoff_at,
    )


async def sign_up(services: Services, persona: Persona) -> None:
    """Sign an owner up through the sign-up service, as if they had tapped through it."""
    uid = persona.user_id
    await services.users.seen(uid, persona.language)
    await services.signup.begin(uid)
    await services.signup.consent(uid, agreed=True)
    await services.signup.answer_text(uid, f"{persona.name} Lestari")
    await services.signup.answer_text(uid, "Sambal Bu Wati")
    await services.signup.answer_choice(uid, "category", "kuliner")
    await services.signup.answer_choice(uid, "kecamatan", "sukun")
    await services.signup.answer_text(uid, persona.phone or "081333444555")
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
    configure_logging("WARNING", (DEMO_TOKEN,))
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
