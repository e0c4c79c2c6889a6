"""What the booking journeys on WhatsApp share: delivery running, owners and sessions. No tests.

:func:`booking_running` starts the owner harness (emulator → webhook → inbox → router →
channel) and the delivery runner with the WhatsApp channel, wired as the send-now path of
the booking replies (``owner_booking.use_sender``). It runs without its background loop:
the tests send what fell due with ``b.drain()`` after moving the clock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.app.delivery import DeliveryRunner, programme_builders
from bot.core.models import Consent, TrainingSession
from bot.core.notices import ChannelName
from bot.services.sessions import SessionDraft
from bot.services.signup import CONSENT_PURPOSE, CONSENT_VERSION
from handlers.whatsapp import owner_booking
from simulator.whatsapp import WhatsAppPerson
from storage.identities import IdentityRepository
from storage.owners import OwnerRepository
from tests.whatsapp.owner_harness import T0, OwnerHarness, running

SITI, BUDI, ANI = "6281234567890", "6281298765432", "6285711112222"
STAFF_ID = 1  # the staff member's Telegram id (DODOLAN_STAFF_IDS); see BookingHarness.staff_id


@dataclass
class BookingHarness:
    """The owner harness with delivery running."""

    h: OwnerHarness
    runner: DeliveryRunner

    async def drain(self) -> int:
        """Send every outbox row due now (reminders, offers, replies left to the workers)."""
        return await self.runner.drain()

    async def owner(self, wa_id: str, name: str, language: str = "id") -> WhatsAppPerson:
        """A WhatsApp owner who signed up already (their sign-up is tested elsewhere)."""
        user_id = await IdentityRepository(self.h.services.db).register(
            ChannelName.WHATSAPP, wa_id, language, self.h.clock()
        )
        await create_profile(self, user_id, name, f"+{wa_id}")
        return self.h.person(wa_id, name=name)

    async def session(
        self, title: str, starts_in: timedelta, capacity: int = 20, **extra: Any
    ) -> TrainingSession:
        """A session staff created, starting ``starts_in`` after now, two hours long."""
        starts = self.h.clock() + starts_in
        draft = SessionDraft(
            title, starts, starts + timedelta(hours=2), capacity, "Aula Dinas", **extra
        )
        return await self.h.services.sessions.create(draft, created_by=None)

    async def booking_rows(self, session_id: int) -> list[dict[str, Any]]:
        """The bookings of a session as stored."""
        rows = await self.h.services.db.fetch_all(
            "SELECT * FROM bookings WHERE session_id = ? ORDER BY id", (session_id,)
        )
        return [dict(r) for r in rows]

    async def user_id(self, person: WhatsAppPerson) -> int:
        """The internal id of a WhatsApp person."""
        user_id = await self.h.user_id(person.wa_id or person.user_id)
        assert user_id is not None
        return user_id

    async def staff_id(self) -> int:
        """The internal id of the configured staff member (Telegram id ``STAFF_ID``)."""
        services = self.h.services
        user_id = await services.identities.user_for(ChannelName.TELEGRAM, str(STAFF_ID))
        assert user_id is not None, "the configured staff member is registered at start-up"
        return user_id


async def create_profile(b: BookingHarness, user_id: int, name: str, phone: str) -> None:
    """Store a finished sign-up for ``user_id``."""
    values = {
        "full_name": name,
        "business_name": f"Warung {name}",
        "category": "kuliner",
        "kecamatan": "klojen",
        "phone": phone,
        "marketplaces": ["shopee"],
        "nib": None,
    }
    now = b.h.clock()
    consent = Consent(CONSENT_PURPOSE, CONSENT_VERSION, now)
    await OwnerRepository(b.h.services.db).create(user_id, values, consent, now)


@asynccontextmanager
async def booking_running(tmp_path: Path) -> AsyncIterator[BookingHarness]:
    """The whole WhatsApp owner side with delivery; all stopped afterwards."""
    async with running(tmp_path) as h:
        assert h.clock() == T0
        channels = {ChannelName.WHATSAPP: h.channel}
        runner = DeliveryRunner(h.services, channels, programme_builders(h.services), None)
        await runner.start(background=False)
        owner_booking.use_sender(h.router, runner)
        h.owed.outbox = runner
        try:
            yield BookingHarness(h, runner)
        finally:
            await runner.stop()
