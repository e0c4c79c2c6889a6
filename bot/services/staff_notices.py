"""Notices to trainers about their assignment: a new session to run, or rights revoked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.models import OutboxMessage, SessionStatus
from bot.core.notices import Notice
from bot.i18n import Catalog, Html
from bot.services.delivery import Builders
from bot.services.session_texts import session_card, session_lines
from bot.services.sessions import TRAINER_ASSIGNED, TRAINER_REVOKED, SessionService
from bot.services.users import UserService


@dataclass(frozen=True)
class StaffNotices:
    """Builders of the notices staff actions send to trainers."""

    catalog: Catalog
    tz: ZoneInfo
    sessions: SessionService
    users: UserService

    def register(self, builders: Builders) -> None:
        """Add the trainer notices to ``builders``."""
        builders.add(TRAINER_ASSIGNED, self.assigned)
        builders.add(TRAINER_REVOKED, self.revoked)

    async def assigned(self, message: OutboxMessage, lang: str, now: datetime) -> Notice | None:
        """Tell a trainer they run a new session, with its card; None if no longer so."""
        session = await self.sessions.get(int(message.params["session_id"]))
        if session is None or session.status == SessionStatus.CANCELLED or session.ends_at <= now:
            return None
        if session.trainer_id != message.user_id:
            return None  # someone else runs it now
        you = {message.user_id: self.catalog.text(lang, "session.trainer_you")}
        card = session_card(self.catalog, lang, session, self.tz, you)
        return Notice(
            self.catalog.text(lang, "staff.assigned", card=Html(card)), kind=message.kind
        )

    async def revoked(self, message: OutboxMessage, lang: str, now: datetime) -> Notice | None:
        """Tell a trainer their rights were revoked, with the sessions they no longer run."""
        text = self.catalog.text(lang, "staff.trainers.removed_notice")
        sessions = [await self.sessions.get(int(i)) for i in message.params["session_ids"]]
        gone = [s for s in sessions if s is not None and s.status != SessionStatus.CANCELLED]
        if gone:
            lines = session_lines(self.catalog, lang, self.tz, gone)
            text += "\n\n" + self.catalog.text(
                lang, "staff.trainers.removed_sessions", sessions=lines
            )
        return Notice(text, kind=message.kind)
