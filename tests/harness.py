"""Run the real bot against the local Bot API emulator, with a clock tests can move."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from telegram import Update

from bot.app import build_application
from bot.config import Settings, load_settings
from bot.services.container import Services
from handlers.context import SERVICES_KEY, DodolanApplication
from simulator import BotApiEmulator

TOKEN = "123456:TEST-dodolan-emulator-token-0000000000"
STAFF_ID = 9001
START = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # Tuesday 1 December 2026, 09.00 WIB


@dataclass
class FakeClock:
    """A clock that only moves when a test moves it."""

    moment: datetime = START

    def __call__(self) -> datetime:
        """Return the current fake time."""
        return self.moment

    def advance(self, **delta: float) -> datetime:
        """Move the clock forward (``advance(hours=2)``)."""
        self.moment += timedelta(**delta)
        return self.moment


def settings_for(emulator: BotApiEmulator, database: Path, **extra: str) -> Settings:
    """Settings pointing the bot at the emulator, as an operator would set them."""
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": emulator.base_url,
        "TELEGRAM_API_BASE_FILE_URL": emulator.base_file_url,
        "DODOLAN_DATABASE": str(database),
        "DODOLAN_STAFF_IDS": str(STAFF_ID),
        **extra,
    }
    return load_settings(env)


class RunningBot:
    """The real ``Application`` long-polling the emulator, started and stopped like PTB does."""

    def __init__(self, settings: Settings, clock: FakeClock) -> None:
        self.settings = settings
        self.clock = clock
        self.application: DodolanApplication | None = None

    @property
    def services(self) -> Services:
        """The running bot's services."""
        assert self.application is not None, "the bot is not running"
        services = self.application.bot_data[SERVICES_KEY]
        assert isinstance(services, Services)
        return services

    async def start(self) -> None:
        """Initialise, run post_init, poll and start processing (as ``run_polling`` does)."""
        app = build_application(self.settings, now=self.clock)
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0.0, timeout=1, allowed_updates=Update.ALL_TYPES
        )
        await app.start()
        self.application = app

    async def stop(self) -> None:
        """Stop polling, finish in-flight updates, close services (as ``run_polling`` does)."""
        app, self.application = self.application, None
        if app is None:
            return
        assert app.updater is not None
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
        assert app.post_shutdown is not None
        await app.post_shutdown(app)

    async def restart(self) -> None:
        """Stop the bot and start a fresh one on the same database."""
        await self.stop()
        await self.start()
