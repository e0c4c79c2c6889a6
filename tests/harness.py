"""Run the real bot against the local Bot API emulator, with a clock tests can move."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from telegram import Update

from bot.app.container import Services
from bot.app.delivery import DeliveryRunner
from bot.app.settings import Settings, load_settings
from bot.app.telegram import build_application
from bot.core.clock import Clock
from bot.core.notices import ChannelName
from handlers.telegram.context import SERVICES_KEY, DodolanApplication
from handlers.telegram.delivery import SENDER_KEY, run_tick_hooks
from handlers.telegram.ratelimit import PriorityRateLimiter
from handlers.telegram.updates import PerChatUpdateProcessor
from simulator import BotApiEmulator
from simulator.ratelimit import MovableMonotonic

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


class TrackingProcessor(PerChatUpdateProcessor):
    """The bot's own update processor, noting which updates it has finished handling."""

    def __init__(self, handled: set[int], changed: asyncio.Condition) -> None:
        super().__init__(64)
        self._handled = handled
        self._changed = changed

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Handle the update as in production, then record its id."""
        try:
            await super().do_process_update(update, coroutine)
        finally:
            if isinstance(update, Update):
                async with self._changed:
                    self._handled.add(update.update_id)
                    self._changed.notify_all()


class RunningBot:
    """The real ``Application`` long-polling the emulator, started and stopped like PTB does.

    People in tests wait until the bot has finished handling exactly their update (through
    the emulator's ``handled_hook``), so e2e tests do not depend on timing.
    """

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        emulator: BotApiEmulator | None = None,
        *,
        background_delivery: bool = False,
    ) -> None:
        self.background_delivery = background_delivery
        self.settings = settings
        self.clock = clock
        self.emulator = emulator
        self.application: DodolanApplication | None = None
        # called with the application each time it has started (a restart too)
        self.on_started: list[Callable[[DodolanApplication], None]] = []
        self._handled: set[int] = set()
        self._changed = asyncio.Condition()
        # The rate limiter's clock: the emulator's, so both see a person's pauses alike.
        self.monotonic = MovableMonotonic() if emulator is None else emulator.monotonic

    async def wait_handled(self, update_id: int, seconds: float) -> bool:
        """Wait until the update has been handled; False after ``seconds``."""
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: update_id in self._handled), seconds
                )
            return update_id in self._handled

    @property
    def handled(self) -> set[int]:
        """The ids of the updates the bot has finished handling."""
        return self._handled

    async def until_handled(
        self, condition: Callable[[], bool], what: str, guard: float = 120.0
    ) -> None:
        """Wait until ``condition()`` holds, checking it each time the bot finishes an update
        (``guard`` only turns a hang into a failure)."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(condition), guard)
            except TimeoutError:
                failed = f"waited {guard:.0f}s (the failure guard) for {what}"
                raise AssertionError(failed) from None

    @property
    def services(self) -> Services:
        """The running bot's services."""
        assert self.application is not None, "the bot is not running"
        services = self.application.bot_data[SERVICES_KEY]
        assert isinstance(services, Services)
        return services

    async def user_id_of(self, telegram_id: int) -> int:
        """The internal id of the person with this Telegram id (known once they wrote, or
        once the settings made them staff): never the Telegram id itself."""
        found = await self.services.identities.user_for(ChannelName.TELEGRAM, str(telegram_id))
        assert found is not None, f"no one with Telegram id {telegram_id} is known"
        return found

    async def start(self) -> None:
        """Initialise, run post_init, poll and start processing (as ``run_polling`` does)."""
        processor = TrackingProcessor(self._handled, self._changed)
        app = build_application(
            self.settings,
            now=self.clock,
            update_processor=processor,
            background_delivery=self.background_delivery,
            rate_limiter=self._limiter(),
        )
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0.0, timeout=1, allowed_updates=Update.ALL_TYPES
        )
        await app.start()
        self.application = app
        if self.emulator is not None:
            self.emulator.handled_hook = self.wait_handled
        for started in self.on_started:
            started(app)

    def _limiter(self) -> PriorityRateLimiter:
        """Pace the bot to the emulator's limits, as it is paced to Telegram's."""
        if self.emulator is None:
            return PriorityRateLimiter(monotonic=self.monotonic)
        limits = self.emulator.rate_limits
        return PriorityRateLimiter(
            per_second=min(29.5, limits.global_per_second),
            chat_per_second=limits.chat_per_second,
            chat_burst=limits.chat_burst,
            group_per_minute=limits.group_per_minute,
            monotonic=self.monotonic,
        )

    async def __aenter__(self) -> RunningBot:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def stop(self) -> None:
        """Stop polling, finish in-flight updates, close services (as ``run_polling`` does)."""
        app, self.application = self.application, None
        if app is None:
            return
        if self.emulator is not None:
            self.emulator.handled_hook = None
        assert app.updater is not None
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        assert app.post_stop is not None
        await app.post_stop(app)
        await app.shutdown()
        assert app.post_shutdown is not None
        await app.post_shutdown(app)

    async def tick(self) -> int:
        """Run the periodic job once (expire offers, send due notices) at the fake time."""
        assert self.application is not None
        await self.services.booking.expire()
        sender = self.application.bot_data[SENDER_KEY]
        assert isinstance(sender, DeliveryRunner)
        sent = await sender.drain()
        await run_tick_hooks(self.application)
        return sent

    async def restart(self) -> None:
        """Stop the bot and start a fresh one on the same database."""
        await self.stop()
        await self.start()
