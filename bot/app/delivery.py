"""Delivery at work in a running bot: one loop, woken by APScheduler jobs at due times.

The rules of sending are :mod:`bot.services.delivery`; this module runs them. One
:class:`DeliveryRunner` serves every configured channel, so an announcement to owners on
Telegram and on WhatsApp is one queue with one set of rules.

* **Waking up.** APScheduler holds one date job per distinct pending due time, with a stable
  id (``outbox-due-<epoch>``), so re-adding them at start-up never duplicates; and
  ``misfire_grace_time=None`` makes a time that passed while the bot was down run at once.
  Without a running scheduler a wake-up is immediate.
* **Safety.** A repeating job (every ``SAFETY_SECONDS``) ends expired offers and started
  waitlists (which queues their notices) and wakes the loop; every ``PRUNE_EVERY`` it also
  deletes the kept files nothing names any more (:meth:`FileService.prune`), and the WhatsApp
  inbox events and owed replies finished more than ``KEEP_WHATSAPP`` ago (longer than Meta
  redelivers a webhook, so a late redelivery is still recognised).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from apscheduler.schedulers.base import BaseScheduler

from bot.app.container import Services
from bot.core.notices import ChannelName
from bot.core.ports import Channel
from bot.services.admission import SlipNotices, WelcomeNotices
from bot.services.booking_notices import BookingNotices
from bot.services.calendar import organizer_address
from bot.services.certificate_notices import CertificateNotices
from bot.services.channel_alerts import ChannelAlerts
from bot.services.delivery import Builders, DeliveryService
from bot.services.notice_builders import NoticeBuilders
from bot.services.outcome_notices import OutcomeNotices
from bot.services.owner_notices import OwnerNotices
from bot.services.practice_notices import PracticeNotices
from bot.services.question_notices import QuestionNotices
from bot.services.staff_notices import StaffNotices
from storage.certificates import CertificateRepository
from storage.owners import OwnerRepository
from storage.questions import QuestionRepository
from storage.whatsapp_inbox import WhatsAppInboxRepository
from storage.whatsapp_replies import WhatsAppReplyRepository

logger = logging.getLogger(__name__)

SAFETY_SECONDS = 30.0
PRUNE_EVERY = timedelta(hours=1)
KEEP_WHATSAPP = timedelta(days=7)


def programme_builders(services: Services) -> Builders:
    """The builders of every notice the programme sends, bound to the running services."""
    builders = Builders()
    catalog, tz = services.catalog, services.settings.timezone
    NoticeBuilders(
        catalog, tz, services.booking, services.sessions, services.broadcasts, services.files
    ).register(builders)
    organizer = organizer_address(services.settings.calendar_organizer)
    BookingNotices(
        catalog, tz, services.booking, services.sessions, services.users, organizer
    ).register(builders)
    OwnerNotices(catalog, tz, services.booking, services.tips).register(builders)
    PracticeNotices(
        catalog,
        services.practice,
        OwnerRepository(services.db),
        services.identities,
        services.files,
    ).register(builders)
    CertificateNotices(catalog, tz, CertificateRepository(services.db)).register(builders)
    OutcomeNotices(catalog, services.outcomes).register(builders)
    StaffNotices(catalog, tz, services.sessions, services.users).register(builders)
    QuestionNotices(
        catalog,
        tz,
        services.questions,
        QuestionRepository(services.db),
        OwnerRepository(services.db),
        services.sessions,
        services.users,
        services.files,
    ).register(builders)
    WelcomeNotices(catalog, services.profile, services.dialogs).register(builders)
    ChannelAlerts(catalog).register(builders)
    SlipNotices(catalog, services.admission).register(builders)
    return builders


class SchedulerWaker:
    """Wakes the delivery loop at due times through an APScheduler scheduler."""

    def __init__(self, scheduler: BaseScheduler | None, services: Services) -> None:
        self.scheduler = scheduler
        self._now = services.now
        self.event = asyncio.Event()

    def wake_at(self, due: datetime) -> None:
        """Make sure delivery runs at ``due`` (now, if it has passed or no scheduler runs)."""
        if self.scheduler is None or due <= self._now():
            self.event.set()
            return
        self.scheduler.add_job(
            self.event.set,
            "date",
            run_date=due,
            id=f"outbox-due-{int(due.timestamp())}",
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )


class DeliveryRunner:
    """The delivery service of a running bot, with its loop, waker and safety job."""

    def __init__(
        self,
        services: Services,
        channels: Mapping[ChannelName, Channel],
        builders: Builders,
        scheduler: BaseScheduler | None,
    ) -> None:
        self._services = services
        self._waker = SchedulerWaker(scheduler, services)
        self.delivery = DeliveryService(
            services.outbox,
            services.users,
            builders,
            channels,
            services.now,
            self._waker,
            services.identities,
        )
        self._task: asyncio.Task[None] | None = None
        self._next_prune: datetime | None = None

    async def start(self, *, background: bool = True) -> None:
        """Requeue interrupted sends, schedule every pending due time, start the loop."""
        await self.delivery.start()
        self._services.due_times.listen(self.wake_at)
        try:  # tickets asked while no staff member could get them
            await self._services.questions.hand_waiting()
        except Exception:
            logger.exception("handing waiting questions failed; the periodic work retries")
        if not background:
            return
        self._task = asyncio.create_task(self._loop(), name="delivery")
        if self._waker.scheduler is not None:
            self._waker.scheduler.add_job(
                self.safety_tick,
                "interval",
                seconds=SAFETY_SECONDS,
                id="delivery-safety",
                replace_existing=True,
            )
        self._waker.event.set()

    async def stop(self) -> None:
        """Stop after the sends in flight finish (the rest stays pending for the next start)."""
        self.delivery.stopping = True
        self._services.due_times.stop_listening(self.wake_at)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def wake_at(self, due: datetime) -> None:
        """Make sure delivery runs at ``due`` (now, if it has passed)."""
        self._waker.wake_at(due)

    async def drain(self) -> int:
        """Send every row due now; return how many."""
        return await self.delivery.drain()

    async def send_now(self, message_id: int) -> None:
        """Send one row as a reply, now, unless a worker has already taken it."""
        await self.delivery.send_now(message_id)

    async def safety_tick(self) -> None:
        """End expired offers and started waitlists, then wake the loop; now and then, delete
        the kept files nothing names and the WhatsApp rows finished long ago."""
        await self._services.booking.expire()
        await self._services.questions.hand_waiting()
        now = self._services.now()
        if self._next_prune is None or now >= self._next_prune:
            self._next_prune = now + PRUNE_EVERY
            pruned = await self._services.files.prune()
            if pruned:
                logger.info("deleted %d kept files nothing names", pruned)
            await self._prune_whatsapp(now - KEEP_WHATSAPP)
        self.wake_at(now)

    async def _prune_whatsapp(self, before: datetime) -> None:
        """Delete handled inbox events and finished replies older than ``before``."""
        db = self._services.db
        events = await WhatsAppInboxRepository(db).prune_done(before)
        replies = await WhatsAppReplyRepository(db).prune(before)
        if events or replies:
            logger.info("deleted %d handled WhatsApp events, %d sent replies", events, replies)

    async def _loop(self) -> None:
        while True:
            await self._waker.event.wait()
            self._waker.event.clear()
            try:
                await self.delivery.drain()
            except Exception:
                logger.exception("delivery failed; retrying on the next wake-up")
