"""Staff announcements and trainer follow-ups: audiences, sending now or later, stopping.

Each recipient's copy is an outbox row (kind ``announcement``, ref ``broadcast:<id>``) written
in the same transaction as the broadcast, so a restart neither loses nor repeats a send, a
scheduled broadcast survives restarts, and stopping or cancelling cancels exactly the copies
not yet sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.clock import Clock
from bot.core.errors import BookingRefused, NotAllowed, StaleAction
from bot.core.models import (
    LIVE_BROADCAST,
    Audience,
    Broadcast,
    BroadcastStatus,
    LinkButton,
    LinkRows,
    Recipients,
    Role,
)
from bot.core.notices import NoticeKind, SentRef
from bot.core.ports import OutboxWriter, SessionReading, Transaction, UnitOfWork
from bot.core.repositories import BroadcastStore
from bot.services.access import RoleReader, may_run

ANNOUNCEMENT = "announcement"
FOLLOWUP = "followup"
OUTBOX_KIND = NoticeKind.ANNOUNCEMENT
BULK_PRIORITY = 8
SEND_RATE = 28.0  # messages per second the outbox sustains; for the time-left estimate
TRAINER_BASES = ("attended", "booked")


def broadcast_ref(broadcast_id: int) -> str:
    """The outbox ``ref`` of a broadcast's copies."""
    return f"broadcast:{broadcast_id}"


@dataclass(frozen=True)
class Message:
    """What the sender composed: HTML text (or caption), optional file, link buttons.

    The file is the one the bot keeps (``media_sha256``, see :mod:`bot.services.files`);
    each channel's own id for it is that edge's cache, not part of the message.
    """

    text: str
    media_kind: str | None = None  # "photo" or "document"
    buttons: tuple[LinkButton, ...] = ()
    media_sha256: str | None = None
    media_name: str | None = None

    def button_rows(self) -> LinkRows:
        """Link buttons in their rows: one per row."""
        return tuple((button,) for button in self.buttons)


@dataclass(frozen=True)
class Progress:
    """Where a broadcast's delivery stands."""

    sent: int
    failed: int
    blocked: int
    skipped: int
    remaining: int
    cancelled: int

    @property
    def seconds_left(self) -> int:
        """A rough estimate from Telegram's pace."""
        return int(self.remaining / SEND_RATE) + (1 if self.remaining else 0)


class BroadcastService:
    """Create, schedule, stop and report broadcasts; one permission check for all."""

    def __init__(
        self,
        db: UnitOfWork,
        broadcasts: BroadcastStore,
        outbox: OutboxWriter,
        sessions: SessionReading,
        users: RoleReader,
        now: Clock,
    ) -> None:
        self._db = db
        self._broadcasts = broadcasts
        self._outbox = outbox
        self._sessions = sessions
        self._users = users
        self._now = now

    async def check(self, sender_id: int, kind: str, audience: Audience) -> None:
        """Staff may reach any audience; a trainer only their own session's participants."""
        roles = await self._users.roles(sender_id)
        if Role.STAFF in roles:
            return
        if kind != FOLLOWUP or Role.TRAINER not in roles:
            raise NotAllowed(sender_id, Role.STAFF.value)
        if audience.base not in TRAINER_BASES or audience.kecamatan or audience.category:
            raise NotAllowed(sender_id, Role.STAFF.value)
        session = await self._sessions.get(audience.session_id or 0)
        if session is None or not may_run(roles, sender_id, session):
            raise NotAllowed(sender_id, Role.TRAINER.value)

    async def count(self, audience: Audience, kind: str = ANNOUNCEMENT) -> Recipients:
        """Who would receive it now, and who would be skipped."""
        return await self._broadcasts.recipients(audience, respect_opt_out=kind == ANNOUNCEMENT)

    async def send(
        self,
        sender_id: int,
        kind: str,
        audience: Audience,
        message: Message,
        send_at: datetime | None = None,
    ) -> Broadcast:
        """Queue one copy per recipient, now or at ``send_at`` (a WIB time staff chose)."""
        await self.check(sender_id, kind, audience)
        now = self._now()
        due = send_at or now
        if send_at is not None and send_at <= now + timedelta(minutes=1):
            raise BookingRefused("broadcast.schedule_past")
        async with self._db.transaction() as tx:
            recipients = await self._broadcasts.recipients_in(
                tx, audience, respect_opt_out=kind == ANNOUNCEMENT
            )
            if not recipients.reachable:
                raise BookingRefused("broadcast.nobody")
            broadcast_id = await self._broadcasts.insert(
                tx,
                kind=kind,
                created_by=sender_id,
                audience=audience,
                text=message.text,
                media_kind=message.media_kind,
                media_sha256=message.media_sha256,
                media_name=message.media_name,
                buttons=message.button_rows(),
                status=BroadcastStatus.SCHEDULED if send_at else BroadcastStatus.SENDING,
                send_at=due,
                counts=recipients,
                now=now,
            )
            await self._queue_copies(tx, broadcast_id, recipients.reachable, due, now)
        created = await self._broadcasts.get(broadcast_id)
        assert created is not None
        return created

    async def _queue_copies(
        self, tx: Transaction, broadcast_id: int, user_ids: list[int], due: datetime, now: datetime
    ) -> None:
        """One outbox row per recipient, in the broadcast's transaction."""
        ref = broadcast_ref(broadcast_id)
        for user_id in user_ids:
            await self._outbox.enqueue(
                tx,
                user_id,
                OUTBOX_KIND,
                {"broadcast_id": broadcast_id},
                due,
                now,
                BULK_PRIORITY,
                ref,
            )

    async def stop(self, sender_id: int, broadcast_id: int) -> Broadcast:
        """Stop sending (or cancel a scheduled broadcast): unsent copies are cancelled."""
        now = self._now()
        async with self._db.transaction() as tx:
            broadcast = await self._broadcasts.lock(tx, broadcast_id)
            if broadcast is None or broadcast.status not in LIVE_BROADCAST:
                raise StaleAction(broadcast_id)
            await self.check(sender_id, broadcast.kind, Audience.of(broadcast.audience))
            await self._outbox.cancel_ref(tx, broadcast_ref(broadcast_id))
            status = (
                BroadcastStatus.CANCELLED
                if broadcast.status == BroadcastStatus.SCHEDULED
                else BroadcastStatus.STOPPED
            )
            await self._broadcasts.set_status(tx, broadcast_id, status, now)
        stopped = await self._broadcasts.get(broadcast_id)
        assert stopped is not None
        return stopped

    async def progress(self, broadcast_id: int) -> Progress:
        """Counts of sent, failed, blocked, skipped and remaining copies."""
        return Progress(**await self._broadcasts.delivery(broadcast_id))

    async def advance(self) -> list[Broadcast]:
        """Move due scheduled broadcasts to sending and finished ones to done; return live ones."""
        now = self._now()
        live: list[Broadcast] = []
        for broadcast in await self._broadcasts.in_status(*LIVE_BROADCAST):
            progress = await self.progress(broadcast.id)
            status = broadcast.status
            if status == BroadcastStatus.SCHEDULED and broadcast.send_at <= now:
                status = BroadcastStatus.SENDING
            if status == BroadcastStatus.SENDING and progress.remaining == 0:
                status = BroadcastStatus.DONE
            if status != broadcast.status:
                async with self._db.transaction() as tx:
                    await self._broadcasts.set_status(tx, broadcast.id, status, now)
            updated = await self._broadcasts.get(broadcast.id)
            assert updated is not None
            live.append(updated)
        return live

    async def get(self, broadcast_id: int) -> Broadcast | None:
        """One broadcast."""
        return await self._broadcasts.get(broadcast_id)

    async def history(self, viewer_id: int, limit: int = 10) -> list[Broadcast]:
        """Latest broadcasts: all for staff, their own for a trainer."""
        roles = await self._users.roles(viewer_id)
        if Role.STAFF in roles:
            return await self._broadcasts.history(limit)
        if Role.TRAINER in roles:
            return await self._broadcasts.history(limit, created_by=viewer_id)
        raise NotAllowed(viewer_id, Role.STAFF.value)

    async def remember_status_message(self, broadcast_id: int, message: SentRef) -> None:
        """Keep where the sender watches the progress (the channel's own reference to it)."""
        await self._broadcasts.set_status_message(broadcast_id, message)

    async def status_message(self, broadcast_id: int) -> SentRef | None:
        """Where the sender watches the progress, for the edge that showed it."""
        return await self._broadcasts.status_message(broadcast_id)

    async def set_announcements(self, user_id: int, *, on: bool) -> None:
        """An owner turns general announcements on or off."""
        await self._broadcasts.set_announcements_off(user_id, not on)

    async def wants_announcements(self, user_id: int) -> bool:
        """Whether the owner still wants general announcements."""
        return not await self._broadcasts.announcements_off(user_id)
