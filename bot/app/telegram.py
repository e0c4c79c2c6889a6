"""Assemble the PTB ``Application``: settings, services, handlers, lifecycle."""

from __future__ import annotations

import functools
import logging

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    BaseUpdateProcessor,
    ContextTypes,
    Defaults,
)
from telegram.request import HTTPXRequest

from bot.app.channels import ChannelRegistry
from bot.app.container import Services
from bot.app.delivery import DeliveryRunner, programme_builders
from bot.app.settings import Settings
from bot.app.whatsapp import WhatsAppEdge
from bot.core.clock import Clock, system_clock
from handlers.telegram import (
    admission,
    booking,
    broadcasts,
    certificates,
    common,
    dialogs,
    exports,
    outcome_stats,
    outcomes,
    practice,
    profile,
    questions,
    signup,
    staff,
    tips,
    trainer,
)
from handlers.telegram.bot_api import DodolanBot
from handlers.telegram.channel import TelegramChannel
from handlers.telegram.context import SERVICES_KEY, DodolanApplication, DodolanContext
from handlers.telegram.delivery import (
    ESTIMATE_KEY,
    PROBLEMS_KEY,
    SENDER_KEY,
    WHATSAPP_TEXT_KEY,
    start_ticks,
)
from handlers.telegram.menus import refresh_menu_of, set_default_menus
from handlers.telegram.ratelimit import PriorityRateLimiter
from handlers.telegram.updates import PerChatUpdateProcessor
from handlers.whatsapp.screens import whatsapp_preview

logger = logging.getLogger(__name__)

MAX_CONCURRENT_UPDATES = 64
WHATSAPP_KEY = "whatsapp"
CHANNELS_KEY = "channels"  # the ChannelRegistry delivery sends through


def build_application(
    settings: Settings,
    *,
    now: Clock = system_clock,
    update_processor: BaseUpdateProcessor | None = None,
    background_delivery: bool = True,
    rate_limiter: PriorityRateLimiter | None = None,
) -> DodolanApplication:
    """Build the bot; services are opened by ``post_init`` and closed by ``post_shutdown``."""
    life = _Lifecycle(settings, now, background_delivery)
    application: DodolanApplication = (
        ApplicationBuilder()
        .bot(_build_bot(settings, rate_limiter or PriorityRateLimiter()))
        .context_types(ContextTypes(context=DodolanContext))
        .concurrent_updates(update_processor or PerChatUpdateProcessor(MAX_CONCURRENT_UPDATES))
        .post_init(life.post_init)
        .post_stop(life.post_stop)
        .post_shutdown(life.post_shutdown)
        .build()
    )
    register_handlers(application)
    processor = application.update_processor
    if isinstance(processor, PerChatUpdateProcessor) and processor.on_flood is None:
        processor.on_flood = functools.partial(common.flooded, application=application)
    return application


class _Lifecycle:
    """What the bot opens at start-up and closes at the end, in PTB's hooks."""

    def __init__(self, settings: Settings, now: Clock, background_delivery: bool) -> None:
        self._settings = settings
        self._now = now
        self._background = background_delivery

    async def post_init(self, application: DodolanApplication) -> None:
        """Open the services, set the menus, start WhatsApp (if set) and delivery."""
        services = await Services.start(self._settings, self._now)
        application.bot_data[SERVICES_KEY] = services
        await set_default_menus(application.bot, services.catalog)
        await _refresh_privileged_menus(application, services)
        channels = ChannelRegistry(TelegramChannel(application.bot, services.files))
        application.bot_data[CHANNELS_KEY] = channels
        await _start_whatsapp(application, self._settings, services, channels)
        await _start_delivery(application, services, channels, background=self._background)
        logger.info("Dodolan started as @%s", application.bot.username)

    async def post_stop(self, application: DodolanApplication) -> None:
        """Stop admitting newcomers, delivery after the sends in flight, then WhatsApp."""
        await admission.stop_loop(application)
        runner = application.bot_data.pop(SENDER_KEY, None)
        if isinstance(runner, DeliveryRunner):
            await runner.stop()
        edge = application.bot_data.pop(WHATSAPP_KEY, None)
        if isinstance(edge, WhatsAppEdge):
            await edge.stop()
        logger.info("Dodolan stopped (@%s)", application.bot.username)

    async def post_shutdown(self, application: DodolanApplication) -> None:
        """Close the database."""
        services = application.bot_data.pop(SERVICES_KEY, None)
        if isinstance(services, Services):
            await services.close()


def _build_bot(settings: Settings, rate_limiter: PriorityRateLimiter) -> DodolanBot:
    """The Bot API client: HTML by default, paced, with idempotent edits and answers."""
    return DodolanBot(
        settings.token,
        base_url=settings.api_base_url,
        base_file_url=settings.api_base_file_url,
        defaults=Defaults(
            parse_mode=ParseMode.HTML,
            tzinfo=settings.timezone,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
        # The sizes ApplicationBuilder would choose: many replies at once, one getUpdates.
        request=HTTPXRequest(connection_pool_size=256),
        get_updates_request=HTTPXRequest(connection_pool_size=1),
        rate_limiter=rate_limiter,
    )


async def _start_whatsapp(
    application: DodolanApplication,
    settings: Settings,
    services: Services,
    channels: ChannelRegistry,
) -> None:
    """Start the WhatsApp edge beside the bot when it is configured, adding its channel."""
    if settings.whatsapp is None:
        return
    edge = WhatsAppEdge(settings.whatsapp, services)
    application.bot_data[WHATSAPP_KEY] = edge
    await edge.start()
    application.bot_data[PROBLEMS_KEY] = edge.channel.problems
    application.bot_data[ESTIMATE_KEY] = functools.partial(edge.estimate_for, telegram=True)
    application.bot_data[WHATSAPP_TEXT_KEY] = whatsapp_preview
    channels.add(edge.channel)


async def _start_delivery(
    application: DodolanApplication,
    services: Services,
    channels: ChannelRegistry,
    *,
    background: bool,
) -> DeliveryRunner:
    """Start delivery through the registered channels (``background=False``: tests drain by
    hand); a channel added to the registry later is served too."""
    builders = programme_builders(services)
    job_queue = application.job_queue
    scheduler = job_queue.scheduler if job_queue is not None else None
    runner = DeliveryRunner(services, channels, builders, scheduler)
    application.bot_data[SENDER_KEY] = runner
    edge = application.bot_data.get(WHATSAPP_KEY)
    if isinstance(edge, WhatsAppEdge):
        edge.use_sender(runner)
    await runner.start(background=background)
    if background:
        start_ticks(application)
        admission.start_loop(application)
    return runner


def register_handlers(application: DodolanApplication) -> None:
    """Add every handler in the order PTB should try them."""
    common.register_first(application)
    dialogs.register_around_commands(application)
    admission.register(application)
    signup.register(application)
    profile.register(application)
    booking.register(application)
    staff.register(application)
    exports.register(application)
    tips.register(application)
    practice.register(application)
    certificates.register(application)
    outcomes.register(application)
    outcome_stats.register(application)
    broadcasts.register(application)
    trainer.register(application)
    common.register_commands(application)
    questions.register(application)  # before dialogs: a reply to a ticket is an answer
    dialogs.register(application)
    common.register_fallbacks(application)


async def _refresh_privileged_menus(application: DodolanApplication, services: Services) -> None:
    """Give staff and trainers who use the bot their menu, and former staff the owners' one."""
    for user_id in sorted(await services.users.menu_holders()):
        await refresh_menu_of(application.bot, services, user_id)
