"""The ``dodolan`` command line: run the bot, migrate, back up, import sessions, export."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.error import InvalidToken, TelegramError

from bot.app.container import Services
from bot.app.demo import add_demo_parser, run_demo
from bot.app.logs import RedactingFormatter, configure_logging
from bot.app.settings import Settings, load_environment, load_settings, require_webhook
from bot.app.telegram import build_application
from bot.app.whatsapp_cli import add_whatsapp_parser, run_whatsapp_command, serve_whatsapp
from bot.core.clock import system_clock
from bot.core.errors import ConfigError, InvalidInput
from bot.core.models import OutboxStatus
from bot.formatting import zone_label
from bot.services.content_files import Problem
from bot.services.delivery_report import outbox_report
from bot.services.exports import Export
from bot.services.faq_content import DEFAULT_FAQ_FILE, parse_faq
from bot.services.session_import import (
    MAX_FILE_BYTES,
    Format,
    ImportPlan,
    SessionImporter,
    format_for,
)
from bot.services.tasks_content import DEFAULT_TASKS_FILE, parse_tasks
from bot.services.tips_content import DEFAULT_TIPS_FILE, parse_tips
from handlers.telegram.webhook import run_webhook
from handlers.whatsapp.replies import report_lines
from storage.backup import backup_database
from storage.database import Database, DatabaseUnavailable
from storage.migrate import current_version, migrate
from storage.whatsapp_replies import WhatsAppReplyRepository

T = TypeVar("T")  # an entry of a content file

logger = logging.getLogger(__name__)

EXIT_CONFIG = 2


def build_parser() -> argparse.ArgumentParser:
    """Describe the commands."""
    parser = argparse.ArgumentParser(
        prog="dodolan",
        description="Dodolan: the Telegram and WhatsApp assistant of the Ngerewangi Umak Dodolan "
        "programme.",
        epilog="Settings come from the environment or a .env file; see .env.example.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser(
        "run", help="serve every configured channel (Telegram: long polling unless --webhook)"
    )
    run.add_argument(
        "--webhook",
        action="store_true",
        help="serve PTB's webhook server instead (needs DODOLAN_WEBHOOK_URL and _SECRET)",
    )
    add_whatsapp_parser(commands)
    commands.add_parser("migrate", help="create or upgrade the database, then exit")
    backup = commands.add_parser("backup", help="copy the live database consistently to FILE")
    backup.add_argument("file", type=Path, metavar="FILE", help="new file to write")
    _add_data_parsers(commands)
    commands.add_parser(
        "outbox", help="show pending, failed and uncertain messages, and unreachable owners"
    )
    add_demo_parser(commands)
    _add_tips_parser(commands)
    tasks = commands.add_parser("tasks", help="check the practice tasks file")
    task_commands = tasks.add_subparsers(dest="action", required=True, metavar="ACTION")
    task_check = task_commands.add_parser("check", help="list problems with line numbers")
    task_check.add_argument(
        "file",
        type=Path,
        nargs="?",
        default=DEFAULT_TASKS_FILE,
        metavar="FILE",
        help="the tasks file (default: content/tasks.yaml)",
    )
    faq = commands.add_parser("faq", help="check the Tanya Dinas FAQ file")
    faq_commands = faq.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = faq_commands.add_parser("check", help="check the FAQ file and list its problems")
    check.add_argument(
        "file",
        nargs="?",
        type=Path,
        default=DEFAULT_FAQ_FILE,
        help="the FAQ file (default: content/faq.yaml)",
    )
    return parser


def _add_data_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``dodolan sessions import`` and ``dodolan export``."""
    sessions = commands.add_parser("sessions", help="manage training sessions")
    session_commands = sessions.add_subparsers(dest="action", required=True, metavar="ACTION")
    load = session_commands.add_parser(
        "import",
        help="check a CSV or YAML file of sessions (a dry run) or, with --apply, create them",
    )
    load.add_argument("file", type=Path, metavar="FILE", help="a .csv, .yaml or .yml file")
    load.add_argument("--apply", action="store_true", help="create the sessions (all or none)")
    export = commands.add_parser("export", help="write owners, sessions and bookings to files")
    export.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    export.add_argument(
        "--output",
        type=Path,
        metavar="PATH",
        help="file to write (csv: PATH's stem + -pemilik.csv, -sesi.csv, -peserta.csv)",
    )


def _add_tips_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``dodolan tips check|reload``."""
    tips = commands.add_parser("tips", help="check or reload the marketplace tips file")
    tip_commands = tips.add_subparsers(dest="action", required=True, metavar="ACTION")
    for action, text in (
        ("check", "check the tips file and list problems with line numbers"),
        ("reload", "check the tips file, then make the running bot load it"),
    ):
        sub = tip_commands.add_parser(action, help=text)
        sub.add_argument(
            "file",
            type=Path,
            nargs="?",
            default=DEFAULT_TIPS_FILE,
            metavar="FILE",
            help="the tips file (default: content/tips.yaml)",
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        return run_demo(args)
    if args.command == "tips":
        return _tips(args.file, reload=args.action == "reload")
    if args.command == "faq":
        return _faq(args.file)
    if args.command == "tasks":
        return _tasks(args.file)
    try:
        settings = load_settings(load_environment(), require_token=args.command == "run")
        if args.command == "run" and args.webhook:
            require_webhook(settings)
    except ConfigError as exc:
        print(f"dodolan: configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    configure_logging(settings.log_level, settings.secrets())
    try:
        return _command(args, settings)
    except DatabaseUnavailable as exc:
        print(f"dodolan: {exc}", file=sys.stderr)
        return EXIT_CONFIG


def _command(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "migrate":
        return asyncio.run(_migrate(settings))
    if args.command == "backup":
        return _backup(settings, args.file)
    if args.command == "sessions":
        return _import_sessions(settings, args.file, apply=args.apply)
    if args.command == "export":
        return _export(settings, args.format, args.output)
    if args.command == "outbox":
        print(asyncio.run(_outbox(settings)))
        return 0
    if args.command == "whatsapp":
        return run_whatsapp_command(args, settings)
    if not settings.token:  # WhatsApp alone (load_settings made sure one channel is set)
        return serve_whatsapp(settings)
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
            run_webhook(application, settings.webhook)
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


def _import_sessions(settings: Settings, path: Path, *, apply: bool) -> int:
    try:
        fmt = format_for(path.name)
        text = _read_import_file(path)
    except (ValueError, OSError) as exc:
        print(f"dodolan: {_file_problem(path, exc)}", file=sys.stderr)
        return 1
    return asyncio.run(_check_and_apply(settings, text, fmt, path, apply=apply))


def _read_import_file(path: Path) -> str:
    """Read at most MAX_FILE_BYTES of text; a bigger file is refused before it is parsed."""
    with path.open("rb") as file:
        data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(
            f"{path} is larger than {MAX_FILE_BYTES // 1_000_000} MB; split it into smaller files"
        )
    return data.decode("utf-8-sig")


def _file_problem(path: Path, exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"{path} is not UTF-8 text (in Excel, save as 'CSV UTF-8')"
    if isinstance(exc, OSError):
        return f"cannot read {path}: {exc.strerror or exc}"
    return str(exc)


async def _check_and_apply(
    settings: Settings, text: str, fmt: Format, path: Path, *, apply: bool
) -> int:
    services = await Services.start(settings, system_clock)
    try:
        return await _import_plan(services, text, fmt, path, apply=apply)
    finally:
        await services.close()


async def _import_plan(
    services: Services, text: str, fmt: Format, path: Path, *, apply: bool
) -> int:
    tz = services.settings.timezone
    importer = SessionImporter(
        services.sessions, services.users, tz, services.now, services.identities
    )
    plan = await importer.check(text, fmt)
    if not plan.ok:
        print(f"{path}: {len(plan.problems)} problem(s); nothing was created", file=sys.stderr)
        for problem in plan.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(_plan_table(plan, tz))
    if not apply:
        print(f"Dry run: {len(plan.sessions)} session(s) would be created. Add --apply.")
        return 0
    try:
        created = await importer.apply(plan, created_by=None)
    except InvalidInput as exc:
        print(f"dodolan: refused ({exc.key}); nothing was created", file=sys.stderr)
        return 1
    print(f"Created {len(created)} session(s): ids {', '.join(str(s.id) for s in created)}.")
    return 0


def _plan_table(plan: ImportPlan, tz: ZoneInfo) -> str:
    rows = [("line", "starts", "ends", "capacity", "title", "place")]
    for planned in plan.sessions:
        d = planned.draft
        start = d.starts_at.astimezone(tz)
        rows.append(
            (
                str(planned.line),
                f"{start:%Y-%m-%d %H.%M} {zone_label(start)}",
                f"{d.ends_at.astimezone(tz):%H.%M}",
                str(d.capacity),
                d.title,
                d.venue_name or d.online_url or "",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(r[:-1], widths, strict=True)) + "  " + r[-1]
        for r in rows
    )


async def _build_export(settings: Settings) -> Export:
    services = await Services.start(settings, system_clock)
    try:
        service = services.export_service()
        return await service.build()
    finally:
        await services.close()


def _export(settings: Settings, fmt: str, output: Path | None) -> int:
    export = asyncio.run(_build_export(settings))
    stamp = export.created_at.astimezone(settings.timezone).strftime("%Y%m%d-%H%M")
    target = output or Path(f"dodolan-ekspor-{stamp}.{fmt}")
    files = (
        {target: export.xlsx()}
        if fmt == "xlsx"
        else {target.with_name(n): d for n, d in export.csv_files(f"{target.stem} - ").items()}
    )
    try:
        for path, data in files.items():
            path.write_bytes(data)
    except OSError as exc:
        print(f"dodolan: cannot write {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 1
    counts = ", ".join(f"{len(s.rows)} {s.slug}" for s in export.sheets)
    print(f"Wrote {', '.join(str(p) for p in files)} ({counts})")
    return 0


def _checked(
    path: Path, parse: Callable[[str], tuple[tuple[T, ...], list[Problem]]]
) -> tuple[T, ...] | None:
    """The entries of a content file, or None after printing why it cannot be read or used."""
    try:
        entries, problems = parse(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        print(f"dodolan: {_file_problem(path, exc)}", file=sys.stderr)
        return None
    if problems:
        print(f"{path}: {len(problems)} problem(s)", file=sys.stderr)
        for problem in problems:
            print(f"  {path}, {problem}", file=sys.stderr)
        return None
    return entries


def _tips(path: Path, *, reload: bool) -> int:
    """Check a tips file; with ``reload``, touch it so the running bot re-reads it."""
    tips = _checked(path, parse_tips)
    if tips is None:
        return 1
    topics = len({t.topic for t in tips})
    print(f"{path}: {len(tips)} tips in {topics} topics, all fine")
    if reload:
        path.touch()
        print("The running bot loads the new tips the next time someone asks for one.")
    return 0


def _tasks(path: Path) -> int:
    """Check a practice tasks file (the running bot re-reads it when it changes)."""
    tasks = _checked(path, parse_tasks)
    if tasks is None:
        return 1
    required = sum(1 for t in tasks if t.required)
    print(f"{path}: {len(tasks)} tasks ({required} required), all fine")
    return 0


def _faq(path: Path) -> int:
    """Check a FAQ file: every problem with its line, or how many entries and forms it has."""
    entries = _checked(path, parse_faq)
    if entries is None:
        return 1
    forms = sum(len(f) for e in entries for f in e.questions.values())
    print(f"{path}: {len(entries)} entries with {forms} question forms, all fine")
    return 0


async def _outbox(settings: Settings) -> str:
    services = await Services.start(settings, system_clock)
    try:
        report = await outbox_report(services)
        replies = await report_lines(WhatsAppReplyRepository(services.db), services.now())
    finally:
        await services.close()
    lines = ["Outbox:"]
    for status in OutboxStatus:
        kinds = report.counts.get(status, {})
        detail = ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items()))
        lines.append(
            f"  {status:<10} {report.total(status):>6}" + (f"  ({detail})" if detail else "")
        )
    lines.append(f"  uncertain  {report.total('uncertain'):>6}  (in flight at a crash, re-sent)")
    if report.failed:
        lines.append("Failed (latest first):")
        lines += [
            f"  #{m.id} {m.kind} to user {m.user_id} (attempts {m.attempts}): {error}"
            for m, error in report.failed
        ]
    lines.append(f"Unreachable owners (blocked the bot): {len(report.unreachable)}")
    lines += [
        f"  {o.name} (user {o.user_id})" + (f": {', '.join(o.sessions)}" if o.sessions else "")
        for o in report.unreachable
    ]
    return "\n".join([*lines, *replies])
