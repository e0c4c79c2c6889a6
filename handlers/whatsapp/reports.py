"""What Meta reports back: delivery statuses of sent messages and template review verdicts.

* A status (sent, delivered, read, failed with its error) is kept per message id, the
  furthest one winning, since Meta may send them out of order, twice, or skip "delivered".
  A status about someone the bot no longer knows (they erased their data) is dropped, and
  the profile service's erasure deletes it and the other statuses about that number from
  the inbox (not a message the number sent meanwhile, which is answered): they carry the
  number.
  A failure that says the person cannot be reached (131026) marks them unreachable, as a
  Telegram block does. A status is believed only for a message the bot sent, to the person
  it names (:class:`SentMessages`): one about another number of the same app, or forged,
  is dropped.
* A template status update (APPROVED, PAUSED, DISABLED, REJECTED, …) changes what the
  channel may send at once; staff see the problems in the delivery report.
"""

from __future__ import annotations

import logging
from typing import Protocol

from bot.core.clock import Clock
from bot.core.erasure import Traces
from bot.core.notices import ChannelName, DeliveryState
from bot.core.ports import Identities
from bot.core.whatsapp_ports import DeliveryStatusWriter
from handlers.whatsapp.events import Event, StatusEvent, TemplateStatusEvent
from handlers.whatsapp.logsafe import tag
from handlers.whatsapp.window import TemplateStatus

logger = logging.getLogger(__name__)

UNREACHABLE_CODES = frozenset({131026})


class Unreachables(Protocol):
    """Marks a person as not reachable (until they write again)."""

    async def blocked_the_bot(self, user_id: int) -> None: ...


class TraceEraser(Protocol):
    """The profile service, which alone erases: here, what is kept under an erased number."""

    async def erase_traces(self, traces: Traces) -> int: ...


class SentMessages(Protocol):
    """Which messages the bot sent, and to whom (``WhatsAppContactRepository`` knows)."""

    async def sent_to(self, wamid: str) -> str | None: ...


class Reports:
    """Records statuses and template verdicts from the inbox."""

    def __init__(
        self,
        statuses: DeliveryStatusWriter,
        templates: TemplateStatus,
        identities: Identities,
        people: Unreachables,
        now: Clock,
        profile: TraceEraser,
        *,
        sent: SentMessages,
    ) -> None:
        self._profile = profile
        self._sent = sent
        self._statuses = statuses
        self._templates = templates
        self._identities = identities
        self._people = people
        self._now = now

    async def handle(self, event: Event) -> None:
        """Record a status or a template verdict; other events are not this module's."""
        if isinstance(event, StatusEvent):
            await self._status(event)
        elif isinstance(event, TemplateStatusEvent):
            self._template(event)

    async def _status(self, event: StatusEvent) -> None:
        who = event.recipient or event.recipient_user_id
        user_id = await self._identities.user_for(ChannelName.WHATSAPP, who) if who else None
        if user_id is None:  # erased, or never ours: keep nothing of it
            # statuses only: a message the number sent meanwhile (its new owner's, or the
            # first one after an erasure) is still pending and must be answered
            traces = Traces(
                ChannelName.WHATSAPP, event.recipient, event.recipient_user_id, reports_only=True
            )
            await self._profile.erase_traces(traces)  # nor in the write-ahead log
            return
        sent_to = await self._sent.sent_to(event.wamid) if event.wamid else None
        if sent_to is None or sent_to not in (event.recipient, event.recipient_user_id):
            logger.debug("ignored a %s status for a message the bot did not send", event.status)
            return
        error = event.error_title if event.status == DeliveryState.FAILED else None
        await self._statuses.record(
            ChannelName.WHATSAPP,
            event.wamid,
            event.status,
            self._now(),
            error_code=event.error_code,
            error=error,
        )
        if event.status == DeliveryState.FAILED:
            logger.warning("message %s failed: code %s", tag(event.wamid), event.error_code)
        if event.error_code in UNREACHABLE_CODES:
            await self._people.blocked_the_bot(user_id)

    def _template(self, event: TemplateStatusEvent) -> None:
        if event.name is None or event.language is None:
            return
        self._templates.update(event.name, event.language, event.event)
        logger.info("template %s (%s) is now %s", event.name, event.language, event.event)
