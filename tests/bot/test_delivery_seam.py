"""The delivery seam: a channel that is not Telegram takes part in a reminder and an
announcement end to end, with the real services, builders and a real SQLite database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app.container import Services
from bot.app.settings import load_settings
from bot.core.errors import RetryLater, Unreachable
from bot.core.models import Consent
from bot.core.notices import ChannelName, Notice, Recipient, SentRef
from bot.services.broadcasts import ANNOUNCEMENT, Message
from bot.services.delivery import Builders, DeliveryService
from bot.services.notice_builders import NoticeBuilders
from bot.services.sessions import SessionDraft
from bot.services.signup import CONSENT_PURPOSE, CONSENT_VERSION
from storage.broadcasts import Audience
from storage.identities import IdentityRepository
from storage.owners import OwnerRepository
from tests.harness import STAFF_ID, FakeClock
from tests.waiting import GUARD

START = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


class FakeChannel:
    """An in-memory channel: it keeps what it was asked to send, or refuses one person."""

    name = ChannelName.WHATSAPP

    def __init__(self) -> None:
        self.sent: list[tuple[Recipient, Notice]] = []
        self.gone: set[str] = set()

    async def send(self, recipient: Recipient, notice: Notice, *, bulk: bool) -> SentRef:
        """Keep the notice, as a platform would deliver it."""
        if recipient.external_id in self.gone:
            raise Unreachable("not on this channel")
        self.sent.append((recipient, notice))
        return SentRef(self.name, f"fake.{len(self.sent)}")

    def texts_for(self, external_id: str) -> list[str]:
        """The texts one person received, in order."""
        return [n.text for r, n in self.sent if r.external_id == external_id]


async def services_at(tmp_path: Path, clock: FakeClock) -> Services:
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": "1:fake",
            "DODOLAN_DATABASE": str(tmp_path / "dodolan.sqlite3"),
            "DODOLAN_STAFF_IDS": str(STAFF_ID),
        },
        require_token=False,
    )
    return await Services.start(settings, clock)


async def staff_id(services: Services) -> int:
    """The internal id the settings' member of staff (a Telegram id) was registered under."""
    staff = await IdentityRepository(services.db).user_for(ChannelName.TELEGRAM, str(STAFF_ID))
    assert staff is not None
    return staff


async def owner_on_fake_channel(services: Services, phone: str, name: str) -> int:
    """An owner known only on the fake channel, signed up."""
    user_id = await IdentityRepository(services.db).register(
        ChannelName.WHATSAPP, phone, "id", services.now()
    )
    await signed_up(services, user_id, name, phone)
    return user_id


async def signed_up(services: Services, user_id: int, name: str, phone: str = "6281") -> None:
    """Store a finished sign-up for ``user_id``."""
    values = {
        "full_name": name,
        "business_name": f"Warung {name}",
        "category": "kuliner",
        "kecamatan": "Klojen",
        "phone": f"+{phone}",
        "marketplaces": ["shopee"],
        "nib": None,
    }
    consent = Consent(CONSENT_PURPOSE, CONSENT_VERSION, services.now())
    await OwnerRepository(services.db).create(user_id, values, consent, services.now())


def builders_for(services: Services) -> Builders:
    builders = Builders()
    NoticeBuilders(
        services.catalog,
        services.settings.timezone,
        services.booking,
        services.sessions,
        services.broadcasts,
        services.files,
    ).register(builders)
    return builders


def delivery_for(services: Services, channel: FakeChannel) -> DeliveryService:
    return DeliveryService(
        services.outbox,
        services.users,
        builders_for(services),
        {ChannelName.WHATSAPP: channel},
        services.now,
        identities=IdentityRepository(services.db),
    )


async def test_a_reminder_reaches_an_owner_on_another_channel_with_its_answers(
    tmp_path: Path,
) -> None:
    clock = FakeClock(START)
    services = await services_at(tmp_path, clock)
    try:
        channel = FakeChannel()
        delivery = delivery_for(services, channel)
        siti = await owner_on_fake_channel(services, "6281234567890", "Siti")
        starts = START + timedelta(days=2)
        session = await services.sessions.create(
            SessionDraft("Foto produk & <judul>", starts, starts + timedelta(hours=2), 20, "Aula"),
            created_by=None,
        )
        view = await services.booking.book(siti, session.id)
        assert siti >= 2**53  # an internal id, not a Telegram one

        await delivery.drain()  # the booking reply owed
        clock.advance(days=1, hours=1)  # the day-before reminder falls due
        await delivery.drain()

        reminders = [n for r, n in channel.sent if n.kind == "reminder"]
        assert len(reminders) == 1
        reminder = reminders[0]
        assert "Foto produk &amp; &lt;judul&gt;" in reminder.text  # escaped once, by the catalog
        assert [c.id for c in reminder.choices] == [
            f"rm:v1:yes:{view.booking.id}",
            f"rm:v1:no:{view.booking.id}",
        ]
        assert reminder.params["title"] == "Foto produk & <judul>"  # plain, for a template
        statuses = [m.status for m in await services.outbox.all_messages() if m.kind == "reminder"]
        assert statuses.count("sent") == 1  # the day-before one; the hour-before one waits
        await delivery.drain()
        assert len([n for r, n in channel.sent if n.kind == "reminder"]) == 1  # never twice
    finally:
        await services.close()


async def test_an_announcement_reaches_owners_who_want_it_and_marks_the_unreachable(
    tmp_path: Path,
) -> None:
    clock = FakeClock(START)
    services = await services_at(tmp_path, clock)
    try:
        channel = FakeChannel()
        delivery = delivery_for(services, channel)
        siti = await owner_on_fake_channel(services, "6281111111111", "Siti")
        budi = await owner_on_fake_channel(services, "6282222222222", "Budi")
        await owner_on_fake_channel(services, "6283333333333", "Rina")
        await services.broadcasts.set_announcements(budi, on=False)
        channel.gone.add("6283333333333")

        broadcast = await services.broadcasts.send(
            await staff_id(services),
            ANNOUNCEMENT,
            Audience("all"),
            Message("Pasar <b>murah</b> Sabtu ini"),
        )
        await delivery.drain()

        (siti_text,) = channel.texts_for("6281111111111")
        assert "Pasar <b>murah</b> Sabtu ini" in siti_text
        assert siti_text.startswith(services.catalog.text("id", "broadcast.header"))
        assert channel.texts_for("6282222222222") == []  # opted out
        assert await services.users.is_unreachable(siti) is False
        rina = await IdentityRepository(services.db).user_for(
            ChannelName.WHATSAPP, "6283333333333"
        )
        assert rina is not None and await services.users.is_unreachable(rina)
        progress = await services.broadcasts.progress(broadcast.id)
        assert (progress.sent, progress.remaining) == (1, 0)
    finally:
        await services.close()


class HeldChannel(FakeChannel):
    """A channel whose sends wait until the test lets them go (Telegram's 30/s under a full
    queue, with no end in sight)."""

    name = ChannelName.TELEGRAM

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()

    async def send(self, recipient: Recipient, notice: Notice, *, bulk: bool) -> SentRef:
        """Keep the notice once the test releases the channel."""
        await self.release.wait()
        return await super().send(recipient, notice, bulk=bulk)


class CountingChannel(FakeChannel):
    """A channel that says when it has sent ``expected`` notices."""

    def __init__(self, expected: int) -> None:
        super().__init__()
        self.expected = expected
        self.all_sent = asyncio.Event()

    async def send(self, recipient: Recipient, notice: Notice, *, bulk: bool) -> SentRef:
        """Keep the notice; after the expected number, tell the test."""
        ref = await super().send(recipient, notice, bulk=bulk)
        if len(self.sent) >= self.expected:
            self.all_sent.set()
        return ref


async def test_a_slow_channel_never_holds_up_another(tmp_path: Path) -> None:
    clock = FakeClock(START)
    services = await services_at(tmp_path, clock)
    try:
        telegram, whatsapp = HeldChannel(), CountingChannel(expected=4)
        for telegram_id in range(5001, 5017):  # 16 Telegram owners queued first
            user_id = await IdentityRepository(services.db).register(
                ChannelName.TELEGRAM, str(telegram_id), "id", START
            )
            await signed_up(services, user_id, f"T{telegram_id}")
        for i in range(4):  # then 4 WhatsApp owners
            await owner_on_fake_channel(services, f"62813000000{i}", f"W{i}")
        await services.broadcasts.send(
            await staff_id(services), ANNOUNCEMENT, Audience("all"), Message("Pasar murah")
        )
        delivery = DeliveryService(
            services.outbox,
            services.users,
            builders_for(services),
            {ChannelName.TELEGRAM: telegram, ChannelName.WHATSAPP: whatsapp},
            services.now,
            identities=IdentityRepository(services.db),
        )
        drained = asyncio.create_task(delivery.drain())
        # every WhatsApp owner is served while each Telegram send is still held
        await asyncio.wait_for(whatsapp.all_sent.wait(), GUARD)
        assert telegram.sent == [], "WhatsApp waited behind Telegram's queue"
        telegram.release.set()
        assert await drained == 20
        assert len(telegram.sent) == 16
    finally:
        await services.close()


class TimesOutOnce(FakeChannel):
    """Meta takes the first message but its answer never comes (a timeout after acceptance)."""

    def __init__(self) -> None:
        super().__init__()
        self.timed_out = False

    async def send(self, recipient: Recipient, notice: Notice, *, bulk: bool) -> SentRef:
        """Deliver; the first time, fail as if the answer was lost."""
        sent = await super().send(recipient, notice, bulk=bulk)
        if not self.timed_out:
            self.timed_out = True
            raise RetryLater("whatsapp network error: ReadTimeout", timedelta(0), uncertain=True)
        return sent


async def test_a_send_that_timed_out_after_acceptance_is_counted_uncertain(
    tmp_path: Path,
) -> None:
    clock = FakeClock(START)
    services = await services_at(tmp_path, clock)
    try:
        channel = TimesOutOnce()
        delivery = delivery_for(services, channel)
        await owner_on_fake_channel(services, "6281234567890", "Siti")
        await services.broadcasts.send(
            await staff_id(services), ANNOUNCEMENT, Audience("all"), Message("Pasar murah")
        )
        await delivery.drain()
        clock.advance(minutes=1)
        await delivery.drain()
        assert len(channel.sent) == 2  # it went twice: that is what "uncertain" reports
        summary = await services.outbox.summary()
        assert summary["uncertain"] == {"all": 1}
    finally:
        await services.close()
