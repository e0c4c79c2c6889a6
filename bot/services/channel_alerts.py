"""Alerts to staff about a channel that stopped sending (a WhatsApp token Meta refused).

The edge that notices the problem queues one outbox row per staff member
(:func:`queue_token_refused`); the delivery sends it through whichever channel reaches them
(Telegram, when WhatsApp itself is the one stopped).
"""

from __future__ import annotations

from datetime import datetime

from bot.core.models import OutboxMessage
from bot.core.notices import Notice, NoticeKind
from bot.i18n import Catalog
from bot.services.delivery import Builders

TOKEN_REFUSED = NoticeKind.WHATSAPP_TOKEN_REFUSED


class ChannelAlerts:
    """Builds the channel alerts for staff."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def register(self, builders: Builders) -> None:
        """Add the alert kinds to ``builders``."""
        builders.add(TOKEN_REFUSED, self.token_refused)

    async def token_refused(
        self, message: OutboxMessage, lang: str, now: datetime
    ) -> Notice | None:
        """Tell staff that WhatsApp sending stopped until the token is rotated."""
        return Notice(self.catalog.text(lang, "alerts.whatsapp_token_refused"), kind=message.kind)
