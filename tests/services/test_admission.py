"""Admission: in a rush, newcomers wait in a durable queue, each queued once, oldest first."""

from __future__ import annotations

from bot.app.container import Services
from bot.app.delivery import programme_builders
from bot.services.admission import WELCOME, minutes_for
from tests.services.conftest import BUDI, DEWI, SITI, kinds


async def test_newcomers_queue_once_in_order_and_leave_it(services: Services) -> None:
    for user_id in (SITI, BUDI, DEWI):
        await services.users.seen(user_id, "id")
    assert (await services.admission.queue(SITI, "Siti")).place == 1
    assert (await services.admission.queue(BUDI, "Budi")).place == 2
    again = await services.admission.queue(SITI, "Siti")  # asking again keeps her place
    assert again.place == 1
    assert await services.admission.waiting() == 2
    assert await kinds(services, SITI) == [WELCOME]
    first = await services.admission.next_waiting()
    row = await services.db.fetch_one("SELECT user_id FROM outbox WHERE id = ?", (first,))
    assert row is not None and row["user_id"] == SITI
    await services.admission.withdraw(SITI)
    assert await services.admission.waiting() == 1
    assert (await services.admission.queue(DEWI, "Dewi")).place == 2


def test_the_wait_shown_is_whole_minutes_at_least_one() -> None:
    assert minutes_for(1) == 1
    assert minutes_for(61) == 2


async def test_a_queued_welcome_is_the_greeting_and_consent_until_the_newcomer_moves_on(
    services: Services,
) -> None:
    await services.users.seen(SITI, "id")
    await services.signup.begin(SITI)  # the newcomer is at the consent, waiting
    await services.admission.queue(SITI, "Siti")
    builders = programme_builders(services)
    (row,) = await services.outbox.pending_for(SITI)
    notice = await builders.build[WELCOME](row, "id", services.now())
    assert notice is not None and notice.kind == WELCOME
    assert "Siti" in notice.text and [c.title for c in notice.choices] == [
        "✅ Setuju",
        "Tidak setuju",
    ]
    await services.signup.consent(SITI, agreed=True)  # answered another way meanwhile
    assert await builders.build[WELCOME](row, "id", services.now()) is None
