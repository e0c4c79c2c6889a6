"""Answers to seat offers and reminders (bot/services/notice_answers.py): one rule for every
channel, on a real temporary SQLite file with the fake clock."""

from __future__ import annotations

import pytest

from bot.app.container import Services
from bot.core import choices as ids
from bot.core.errors import BookingRefused, StaleAction
from bot.core.models import BookingStatus
from bot.services.notice_answers import (
    THANKS,
    answer_offer,
    answer_reminder,
    answered,
    attending_reply,
)
from bot.services.unexpected import REPEAT
from tests.harness import FakeClock
from tests.services.conftest import BUDI, SITI, STAFF, booking_status, new_session, sign_up


@pytest.fixture
async def owners(services: Services) -> Services:
    for user_id, name in ((SITI, "Siti"), (BUDI, "Budi")):
        await sign_up(services, user_id, name)
    return services


def test_only_the_choices_a_notice_carries_are_answers() -> None:
    assert answered("wl:v1:take:42", ids.OFFER) == ("take", 42)
    assert answered("rm:v1:no:42", ids.REMINDER) == ("no", 42)
    for forged in ("wl:v1:yes:42", "rm:v1:take:42", "wl:v1:take:abc", "wl:v1:take", None):
        assert answered(forged, ids.OFFER) is None and answered(forged, ids.REMINDER) is None


async def test_an_offer_is_taken_or_passed_on_once(owners: Services) -> None:
    session = await new_session(owners, capacity=1)
    siti = await owners.booking.book(SITI, session.id)
    budi = await owners.booking.book(BUDI, session.id)
    await owners.booking.cancel(SITI, siti.booking.id)
    take = ids.pack(ids.OFFER, "take", str(budi.booking.id))
    taken = await answer_offer(owners.booking, BUDI, take)
    assert taken.booking.status == BookingStatus.CONFIRMED
    with pytest.raises(StaleAction):  # the same button again changes nothing
        await answer_offer(owners.booking, BUDI, take)
    with pytest.raises(StaleAction):
        await answer_offer(owners.booking, BUDI, ids.pack(ids.OFFER, "skip", str(budi.booking.id)))
    assert await booking_status(owners, budi.booking.id) == "confirmed"


async def test_a_forged_offer_changes_nothing(owners: Services) -> None:
    session = await new_session(owners, capacity=1)
    siti = await owners.booking.book(SITI, session.id)
    for forged in (
        f"wl:v1:grab:{siti.booking.id}",
        ids.pack(ids.OFFER, "take", str(siti.booking.id)),
    ):
        with pytest.raises(StaleAction):
            await answer_offer(owners.booking, BUDI, forged)
    assert await booking_status(owners, siti.booking.id) == "confirmed"


async def test_a_reminder_is_thanked_or_asks_to_cancel(owners: Services) -> None:
    session = await new_session(owners)
    siti = await owners.booking.book(SITI, session.id)
    yes = await answer_reminder(
        owners.booking, SITI, ids.pack(ids.REMINDER, "yes", str(siti.booking.id))
    )
    assert yes.attending and await owners.booking.said_coming(siti.booking.id)
    no = await answer_reminder(
        owners.booking, SITI, ids.pack(ids.REMINDER, "no", str(siti.booking.id))
    )
    assert not no.attending and no.view.booking.id == siti.booking.id
    assert await booking_status(owners, siti.booking.id) == "confirmed"  # only asked
    with pytest.raises(StaleAction):  # someone else's reminder
        await answer_reminder(
            owners.booking, BUDI, ids.pack(ids.REMINDER, "no", str(siti.booking.id))
        )


async def test_a_checked_in_owner_cannot_answer_i_cant_come(
    owners: Services, clock: FakeClock
) -> None:
    session = await new_session(owners)
    siti = await owners.booking.book(SITI, session.id)
    clock.moment = session.starts_at
    await owners.attendance.mark(STAFF, siti.booking.id, attended=True)
    with pytest.raises(BookingRefused) as refused:
        await answer_reminder(
            owners.booking, SITI, ids.pack(ids.REMINDER, "no", str(siti.booking.id))
        )
    assert refused.value.key == "booking.checked_in"


def test_i_will_be_there_is_thanked_once_and_a_double_tap_only_noted() -> None:
    assert attending_reply(False) == THANKS
    assert attending_reply(True) == REPEAT
