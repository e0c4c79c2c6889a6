"""The ``dodolan`` command line: run the bot, migrate the database."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from telegram import Update
from telegram.error import InvalidToken, TelegramError

from bot.app import build_application
from bot.clock import system_clock
from bot.config import Settings, load_environment, load_settings, require_webhook
from bot.errors import ConfigError
from bot.logs import RedactingFormatter, configure_logging
from storage.backup import backup_database
from storage.database import Database
from storage.migrate import current_version, migrate

logger = logging.getLogger(__name__)

EXIT_CONFIG = 2


def build_parser() -> argparse.ArgumentParser:
    """Describe the commands."""
    parser = argparse.ArgumentParser(
        prog="dodolan",
        description="Dodolan: the Telegram assistant of the Ngerewangi Umak Dodolan programme.",
        epilog="Settings come from the environment or a .env file; see .env.example.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="start the bot (long polling unless --webhook)")
    run.add_argument(
        "--webhook",
        action="store_true",
        help="serve PTB's webhook server instead (needs DODOLAN_WEBHOOK_URL and _SECRET)",
    )
    commands.add_parser("migrate", help="create or upgrade the database, then exit")
    backup = commands.add_parser("backup", help="copy the live database consistently to FILE")
    backup.add_argument("file", type=Path, metavar="FILE", help="new file to write")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(load_environment(), require_token=args.command == "run")
        if args.command == "run" and args.webhook:
            require_webhook(settings)
    except ConfigError as exc:
        print(f"dodolan: configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    configure_logging(settings.log_level, (settings.token,))
    if args.command == "migrate":
        return asyncio.run(_migrate(settings))
    if args.command == "backup":
        return _backup(settings, args.file)
    return _run(settings, webhook=args.webhook)


async def _migrate(settings: Settings) -> int:
    db = await Database.open(settings.database)
    try:
        applied = await migrate(db, system_clock())
        version = await current_version(db)
    finally:
        await db.close()
    names = ", ".join(f"{m.version:04d}_{m.name}" for m in applied) or "nothing to do"
    print(f"{settings.database}: schema version {version} ({names})")
    return 0


def _backup(settings: Settings, target: Path) -> int:
    try:
        pages = backup_database(settings.database, target)
    except (FileNotFoundError, FileExistsError) as exc:
        print(f"dodolan: {exc}", file=sys.stderr)
        return 1
    print(f"{settings.database} copied to {target} ({pages} pages)")
    return 0


def _run(settings: Settings, *, webhook: bool) -> int:
    application = build_application(settings)
    try:
        if webhook:
            hook = settings.webhook
            assert hook.url is not None and hook.secret is not None
            application.run_webhook(
                listen=hook.listen,
                port=hook.port,
                url_path=hook.path,
                webhook_url=f"{hook.url.rstrip('/')}/{hook.path}",
                secret_token=hook.secret,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            application.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        print("dodolan: TELEGRAM_BOT_TOKEN was refused by the Bot API", file=sys.stderr)
        return EXIT_CONFIG
    except TelegramError as exc:
        redact = RedactingFormatter("%(message)s", (settings.token,)).redact
        print(f"dodolan: the Bot API could not be used: {redact(str(exc))}", file=sys.stderr)
        return 1
    return 0
