"""The outcome check-in as an outbox notice: its first question, until it is answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.models import OutboxMessage
from bot.core.notices import Notice
from bot.i18n import Catalog
from bot.services.delivery import Builders
from bot.services.outcomes import KIND, OutcomeService, Step, question


@dataclass(frozen=True)
class OutcomeNotices:
    """The builder of the check-in."""

    catalog: Catalog
    outcomes: OutcomeService

    def register(self, builders: Builders) -> None:
        """Add the check-in kind."""
        builders.add(KIND, self.checkin)

    async def checkin(self, message: OutboxMessage, lang: str, now: datetime) -> Notice | None:
        """ "Do you sell online now?" with its buttons; None once answered."""
        checkin = await self.outcomes.to_send(int(message.params["checkin"]))
        if checkin is None:
            return None
        notice = question(self.catalog, lang, checkin, Step.SELLS)
        return Notice(
            notice.text, notice.choices, notice.rows, kind=message.kind, params=notice.params
        )
