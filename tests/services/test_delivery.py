"""DeliveryService: due outbox rows go out once through the recipient's channel; a channel's
refusals become retries, failures or skips, each recorded on the row."""

from __future__ import annotations

from datetime import timedelta

from bot.app.container import Services
from bot.app.delivery import programme_builders
from bot.core.errors import RetryLater, Unreachable
from bot.core.notices import ChannelName, Notice, Recipient, SentRef
from bot.services.delivery import DeliveryService
from storage.identities import IdentityRepository
from tests.harness import FakeClock
from tests.services.conftest import new_session, sign_up


class ScriptedChannel:
    """Keeps what it sends; refuses a send with the next scripted error, if any."""

    name = ChannelName.TELEGRAM

    def __init__(self) -> None:
        self.sent: list[tuple[Recipient, Notice]] = []
        self.refusals: list[Exception] = []

    async def send(self, recipient: Recipient, notice: Notice, *, bulk: bool) -> SentRef:
        """Send, or raise the next scripted refusal."""
        if self.refusals:
            raise self.refusals.pop(0)
        self.sent.append((recipient, notice))
        return SentRef(self.name, str(len(self.sent)))


def delivery_over(services: Services, channel: ScriptedChannel) -> DeliveryService:
    return DeliveryService(
        services.outbox,
        services.users,
        programme_builders(services),
        {ChannelName.TELEGRAM: channel},
        services.now,
        identities=IdentityRepository(services.db),
    )


async def siti_on_telegram(services: Services) -> int:
    """Siti, signed up and reachable on Telegram (as 1001 there): her internal id."""
    siti = await services.identities.register(ChannelName.TELEGRAM, "1001", "id", services.now())
    await sign_up(services, siti, "Siti")
    return siti


async def _status(services: Services, message_id: int) -> tuple[str, str | None]:
    row = await services.db.fetch_one(
        "SELECT status, last_error FROM outbox WHERE id = ?", (message_id,)
    )
    assert row is not None
    return str(row["status"]), row["last_error"]


async def test_a_reply_is_sent_at_once_and_never_again(services: Services) -> None:
    siti = await siti_on_telegram(services)
    session = await new_session(services)
    channel = ScriptedChannel()
    delivery = delivery_over(services, channel)
    view = await services.booking.book(siti, session.id)
    assert view.notice is not None
    await delivery.send_now(view.notice)
    assert [n.kind for _, n in channel.sent] == ["booking_confirmed"]
    assert await _status(services, view.notice) == ("sent", None)
    await delivery.send_now(view.notice)  # a second claim finds nothing to send
    assert await delivery.drain() == 0
    assert len(channel.sent) == 1


async def test_an_unsent_reply_goes_out_when_its_grace_is_over(
    services: Services, clock: FakeClock
) -> None:
    siti = await siti_on_telegram(services)
    session = await new_session(services)
    channel = ScriptedChannel()
    delivery = delivery_over(services, channel)
    view = await services.booking.book(siti, session.id)  # the edge died before replying
    assert await delivery.drain() == 0
    clock.advance(seconds=11)
    assert await delivery.drain() == 1
    assert [n.kind for _, n in channel.sent] == ["booking_confirmed"]
    assert view.notice is not None and (await _status(services, view.notice))[0] == "sent"


async def test_a_rate_limit_puts_the_row_back_until_its_time(
    services: Services, clock: FakeClock
) -> None:
    siti = await siti_on_telegram(services)
    session = await new_session(services)
    channel = ScriptedChannel()
    channel.refusals.append(RetryLater("429", timedelta(seconds=30)))
    delivery = delivery_over(services, channel)
    view = await services.booking.book(siti, session.id)
    assert view.notice is not None
    await delivery.send_now(view.notice)
    assert (await _status(services, view.notice))[0] == "pending"
    clock.advance(seconds=20)
    assert await delivery.drain() == 0 and channel.sent == []
    clock.advance(seconds=11)
    assert await delivery.drain() == 1
    assert len(channel.sent) == 1


async def test_someone_who_blocked_the_bot_is_skipped_until_they_write(
    services: Services, clock: FakeClock
) -> None:
    siti = await siti_on_telegram(services)
    session = await new_session(services)
    channel = ScriptedChannel()
    channel.refusals.append(Unreachable("forbidden: bot was blocked by the user"))
    delivery = delivery_over(services, channel)
    view = await services.booking.book(siti, session.id)
    assert view.notice is not None
    await delivery.send_now(view.notice)
    assert await _status(services, view.notice) == (
        "failed",
        "forbidden: bot was blocked by the user",
    )
    assert await services.users.is_unreachable(siti)
    clock.moment = session.starts_at - timedelta(hours=2)  # the reminders fall due
    await delivery.drain()
    assert channel.sent == []
    statuses = await services.db.fetch_all(
        "SELECT status, last_error FROM outbox WHERE user_id = ? AND kind = 'reminder'", (siti,)
    )
    assert {(r["status"], r["last_error"]) for r in statuses} == {("skipped", "unreachable")}


async def test_a_reply_about_a_change_undone_since_is_skipped(
    services: Services, clock: FakeClock
) -> None:
    siti = await siti_on_telegram(services)
    session = await new_session(services)
    channel = ScriptedChannel()
    delivery = delivery_over(services, channel)
    booked = await services.booking.book(siti, session.id)
    await services.booking.cancel(siti, booked.booking.id)  # before the confirmation went
    clock.advance(seconds=11)
    await delivery.drain()
    assert booked.notice is not None
    assert await _status(services, booked.notice) == ("skipped", "no longer applies")
    assert [n.kind for _, n in channel.sent] == ["booking_cancelled"]
