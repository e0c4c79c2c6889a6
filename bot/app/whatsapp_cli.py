"""``dodolan whatsapp templates check|submit|status``, and serving WhatsApp without Telegram.

* ``check`` validates ``content/whatsapp_templates.yaml`` against Meta's rules (offline).
* ``submit`` creates every template Meta does not have yet, for review.
* ``status`` shows each template the bot needs with Meta's verdict; the bot sends only the
  approved ones, and names the others to staff in the delivery report.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app.channels import ChannelRegistry
from bot.app.container import Services
from bot.app.delivery import DeliveryRunner, programme_builders
from bot.app.settings import Settings
from bot.app.whatsapp import WhatsAppEdge
from bot.core.clock import system_clock
from bot.core.errors import DeliveryError
from handlers.whatsapp import templates
from handlers.whatsapp.graph import GraphClient
from handlers.whatsapp.settings import WhatsAppSettings

logger = logging.getLogger(__name__)

EXIT_CONFIG = 2


def add_whatsapp_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Describe ``dodolan whatsapp templates ACTION``."""
    whatsapp = commands.add_parser("whatsapp", help="the WhatsApp channel's message templates")
    topics = whatsapp.add_subparsers(dest="topic", required=True, metavar="TOPIC")
    tpl = topics.add_parser("templates", help="check, submit or show the message templates")
    tpl.add_argument("action", choices=("check", "submit", "status"))
    tpl.add_argument(
        "--file", type=Path, default=templates.DEFAULT_PATH, help="the templates file to use"
    )


def run_whatsapp_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run one ``dodolan whatsapp templates`` action; return the exit status."""
    catalog = templates.load(args.file)
    problems = templates.check(catalog)
    if args.action == "check" or problems:
        for problem in problems:
            print(f"{args.file}: {problem}")
        if not problems:
            names, versions = len({t.name for t in catalog.templates}), len(catalog.templates)
            print(f"{args.file}: {names} template(s) in {versions} language version(s), OK")
        return 1 if problems else 0
    if settings.whatsapp is None or not settings.whatsapp.business_account_id:
        print(
            "dodolan: WhatsApp is not configured (WHATSAPP_ACCESS_TOKEN, WHATSAPP_PHONE_NUMBER_ID,"
            " WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN, WHATSAPP_BUSINESS_ACCOUNT_ID)",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    action = _submit if args.action == "submit" else _status
    try:
        return asyncio.run(action(settings.whatsapp, catalog))
    except DeliveryError as exc:
        print(f"dodolan: Meta refused: {exc.reason}", file=sys.stderr)
        return 1


async def _submit(settings: WhatsAppSettings, catalog: templates.TemplateCatalog) -> int:
    async with GraphClient(settings) as graph:
        known = {(t.name, t.language) for t in await graph.list_templates()}
        for template in catalog.templates:
            key = (template.name, template.language)
            if key in known:
                print(f"{template.name} ({template.language}): already at Meta")
                continue
            answer = await graph.create_template(templates.to_graph(template))
            print(f"{template.name} ({template.language}): {answer.get('status', 'submitted')}")
    return 0


async def _status(settings: WhatsAppSettings, catalog: templates.TemplateCatalog) -> int:
    async with GraphClient(settings) as graph:
        at_meta = {(t.name, t.language): t.status for t in await graph.list_templates()}
    missing = 0
    for template in catalog.templates:
        status = at_meta.get((template.name, template.language), "MISSING (run submit)")
        missing += status != "APPROVED"
        print(f"{template.name:28} {template.language:3} {template.category:10} {status}")
    print(f"{len(catalog.templates) - missing} of {len(catalog.templates)} approved")
    return 0 if missing == 0 else 1


def serve_whatsapp(settings: Settings) -> int:
    """Run Dodolan on WhatsApp alone until SIGINT or SIGTERM."""
    asyncio.run(_serve(settings))
    return 0


async def _serve(settings: Settings) -> None:
    assert settings.whatsapp is not None
    services = await Services.start(settings, system_clock)
    scheduler = AsyncIOScheduler(timezone=settings.timezone)
    edge = WhatsAppEdge(settings.whatsapp, services)
    channels = ChannelRegistry(edge.channel)
    runner = DeliveryRunner(services, channels, programme_builders(services), scheduler)
    edge.use_sender(runner)
    try:
        await edge.start()
        scheduler.start()
        await runner.start()
        logger.info("Dodolan started on WhatsApp")
        await _until_stopped()
    finally:
        await runner.stop()
        if scheduler.running:
            scheduler.shutdown(wait=False)
        await edge.stop()
        await services.close()
        logger.info("Dodolan stopped")


async def _until_stopped() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
