"""/ekspor (/export): staff receive every view as one workbook and as CSV files in one ZIP."""

from __future__ import annotations

import asyncio
from io import BytesIO

from telegram import InputFile, Update
from telegram.ext import CommandHandler, filters

from bot.core.models import Role
from bot.formatting import format_datetime
from bot.services.exports import Export
from handlers.telegram.auth import requires
from handlers.telegram.context import DodolanApplication, DodolanContext


@requires(Role.STAFF, refusal="calendar_export.staff_only")
async def send_export(update: Update, context: DodolanContext) -> None:
    """Send the export as one .xlsx workbook and one ZIP with a CSV file per sheet."""
    assert update.effective_chat is not None
    services, chat_id = context.services, update.effective_chat.id
    tz = services.settings.timezone
    service = services.export_service()
    export = await service.build(context.language)
    stem = f"dodolan-ekspor-{export.created_at.astimezone(tz):%Y%m%d-%H%M}"
    workbook = await asyncio.to_thread(export.xlsx)
    archive = await asyncio.to_thread(export.csv_zip, tz)
    await context.bot.send_document(
        chat_id,
        InputFile(BytesIO(workbook), filename=f"{stem}.xlsx"),
        caption=_workbook_caption(context, export),
    )
    await context.bot.send_document(
        chat_id,
        InputFile(BytesIO(archive), filename=f"{stem}-csv.zip"),
        caption=context.t(
            "exports.zip_caption",
            count=len(export.sheets),
            sheets=", ".join(s.file_name for s in export.sheets),  # as the ZIP names them
        ),
    )


def _workbook_caption(context: DodolanContext, export: Export) -> str:
    """What the workbook holds, each number named for what it counts."""
    totals, tz = export.totals, context.services.settings.timezone
    return context.t(
        "exports.xlsx_caption",
        when=format_datetime(export.created_at, tz, context.language),
        owners=totals.owners,
        sessions=totals.sessions,
        cancelled_sessions=totals.cancelled_sessions,
        confirmed=totals.confirmed,
        offered=totals.offered,
        waitlisted=totals.waitlisted,
        ended=totals.ended,
    )


def register(application: DodolanApplication) -> None:
    """Add the staff export command."""
    only_private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler(["ekspor", "export"], send_export, only_private))
