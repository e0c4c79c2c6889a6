"""/ekspor (/export): staff receive owners, sessions and bookings as a spreadsheet and CSV."""

from __future__ import annotations

import asyncio
from io import BytesIO

from telegram import InputFile, Update
from telegram.ext import CommandHandler, filters

from bot.formatting import format_datetime
from bot.services.exports import ExportService
from handlers.auth import requires
from handlers.context import DodolanApplication, DodolanContext
from storage.models import Role


@requires(Role.STAFF)
async def send_export(update: Update, context: DodolanContext) -> None:
    """Send the export as one .xlsx workbook and one CSV file per sheet."""
    assert update.effective_chat is not None
    services, chat_id = context.services, update.effective_chat.id
    tz = services.settings.timezone
    export = await ExportService.on(services.db, services.catalog, tz, services.now).build()
    stem = f"dodolan-ekspor-{export.created_at.astimezone(tz):%Y%m%d-%H%M}"
    workbook = await asyncio.to_thread(export.xlsx)
    csv_files = await asyncio.to_thread(export.csv_files, stem)
    counts = {s.slug: len(s.rows) for s in export.sheets}
    caption = context.t(
        "exports.xlsx_caption",
        when=format_datetime(export.created_at, tz, context.language),
        owners=counts["pemilik"],
        sessions=counts["sesi"],
        bookings=counts["peserta"],
    )
    await context.bot.send_document(
        chat_id, InputFile(BytesIO(workbook), filename=f"{stem}.xlsx"), caption=caption
    )
    for filename, data in csv_files.items():
        await context.bot.send_document(
            chat_id,
            InputFile(BytesIO(data), filename=filename),
            caption=context.t("exports.csv_caption"),
        )


def register(application: DodolanApplication) -> None:
    """Add the staff export command."""
    only_private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler(["ekspor", "export"], send_export, only_private))
