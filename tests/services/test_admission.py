"""Admission: in a rush, newcomers wait in a durable queue, each queued once, oldest first."""

from __future__ import annotations

from bot.app.container import Services
from bot.services.admission import WELCOME, minutes_to_wait
from tests.services.conftest import BUDI, DEWI, SITI, kinds


async def test_newcomers_queue_once_in_order_and_leave_it(services: Services) -> None:
    for user_id in (SITI, BUDI, DEWI):
        await services.users.seen(user_id, "id")
    assert await services.admission.queue(SITI, "Siti") == 1
    assert await services.admission.queue(BUDI, "Budi") == 2
    assert await services.admission.queue(SITI, "Siti") == 1  # asking again keeps her place
    assert await services.admission.waiting() == 2
    assert await kinds(services, SITI) == [WELCOME]
    first = await services.admission.next_waiting()
    row = await services.db.fetch_one("SELECT user_id FROM outbox WHERE id = ?", (first,))
    assert row is not None and row["user_id"] == SITI
    await services.admission.withdraw(SITI)
    assert await services.admission.waiting() == 1
    assert await services.admission.queue(DEWI, "Dewi") == 2


def test_the_wait_shown_is_whole_minutes_at_least_one() -> None:
    assert minutes_to_wait(1) == 1
    assert minutes_to_wait(500) == 4  # 500 owners of 14 calls at 29.5 a second
