"""A bare python-telegram-bot echo handler: the baseline for CPU time per update."""

from __future__ import annotations

import os
import sys

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the text received."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(update.effective_message.text or "?")


def main() -> None:
    """Long-poll the emulator whose base URL is in TELEGRAM_API_BASE_URL."""
    app = (
        Application.builder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .concurrent_updates(64)
        .build()
    )
    app.add_handler(MessageHandler(filters.ALL, echo))
    app.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    sys.exit(main())
