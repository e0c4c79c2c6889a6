"""SessionService: staff create, change, close and cancel sessions; who is told."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app.container import Services
from bot.core.errors import BookingRefused, InvalidInput
from bot.core.models import SessionStatus
from bot.services.session_links import linked_session, open_by_code
from bot.services.sessions import SessionDraft
from tests.services.conftest import (
    BUDI,
    SATURDAY_9,
    SITI,
    STAFF,
    TRAINER,
    booking_status,
    kinds,
    make_trainer,
    new_session,
    queued,
    sign_up,
)

TWO_HOURS = timedelta(hours=2)


async def test_a_new_session_is_stored_and_its_trainer_told(services: Services) -> None:
    await make_trainer(services)
    session = await new_session(services, trainer_id=TRAINER)
    stored = await services.sessions.get(session.id)
    assert stored is not None and stored.title == "Foto Produk dengan HP"
    assert stored.trainer_id == TRAINER and stored.seats_left == 2
    assert stored.cutoff_at < stored.starts_at
    assert await services.sessions.by_code(stored.code) == stored
    pending = await kinds(services, TRAINER)
    assert "trainer_assigned" in pending and "trainer_reminder" in pending


@pytest.mark.parametrize(
    ("draft", "key"),
    [
        (SessionDraft("Lalu", SATURDAY_9.replace(month=11), SATURDAY_9, 5, "Aula"), "past"),
        (
            SessionDraft("Terbalik", SATURDAY_9, SATURDAY_9 - TWO_HOURS, 5, "Aula"),
            "end_before_start",
        ),
        (SessionDraft("Nol", SATURDAY_9, SATURDAY_9 + TWO_HOURS, 0, "Aula"), "capacity"),
        (SessionDraft("Entah", SATURDAY_9, SATURDAY_9 + TWO_HOURS, 5), "no_place"),
        (
            SessionDraft("Zoom", SATURDAY_9, SATURDAY_9 + TWO_HOURS, 5, online_url="zoom.us/j/1"),
            "url",
        ),
    ],
)
async def test_an_invalid_draft_is_refused_and_nothing_stored(
    services: Services, draft: SessionDraft, key: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await services.sessions.create(draft, STAFF)
    assert refused.value.key == f"session.invalid.{key}"
    assert await services.sessions.all() == []


async def test_a_batch_with_one_bad_session_stores_none(services: Services) -> None:
    good = SessionDraft("Baik", SATURDAY_9, SATURDAY_9 + TWO_HOURS, 5, "Aula")
    unknown_trainer = SessionDraft(
        "Baik juga", SATURDAY_9, SATURDAY_9 + TWO_HOURS, 5, "Aula", trainer_id=TRAINER
    )
    with pytest.raises(InvalidInput) as refused:
        await services.sessions.create_many([good, unknown_trainer], STAFF)
    assert refused.value.key == "session.invalid.trainer"
    assert await services.sessions.all() == []


async def test_a_new_time_is_told_to_everyone_in_it_and_reminders_follow(
    services: Services,
) -> None:
    await sign_up(services, SITI, "Siti")
    session = await new_session(services)
    await services.booking.book(SITI, session.id)
    later = SATURDAY_9 + timedelta(days=1)
    changed = await services.sessions.change(
        session.id, {"starts_at": later, "ends_at": later + TWO_HOURS}
    )
    assert changed.starts_at == later and changed.cutoff_at < later
    told = [r for r in await queued(services, SITI) if r["kind"] == "session_changed"]
    assert len(told) == 1 and '"starts_at"' in told[0]["params"]
    reminders = [r for r in await queued(services, SITI) if r["kind"] == "reminder"]
    assert len(reminders) == 2
    assert all(r["due_at"] > SATURDAY_9.isoformat()[:10] for r in reminders)  # moved with it


async def test_a_change_seen_in_an_old_preview_is_refused(services: Services) -> None:
    session = await new_session(services)
    preview = await services.sessions.preview_change(session.id, {"capacity": 5})
    await services.sessions.change(session.id, {"venue_name": "Aula Balai Kota"})
    with pytest.raises(BookingRefused) as refused:
        await services.sessions.change(
            session.id, {"capacity": 5}, sequence=preview.before.sequence
        )
    assert refused.value.key == "session_change.changed_meanwhile"
    assert (await services.sessions.get(session.id)).capacity == 2  # type: ignore[union-attr]


async def test_capacity_cannot_drop_below_the_seats_taken(services: Services) -> None:
    await sign_up(services, SITI, "Siti")
    await sign_up(services, BUDI, "Budi")
    session = await new_session(services, capacity=2)
    await services.booking.book(SITI, session.id)
    await services.booking.book(BUDI, session.id)
    with pytest.raises(BookingRefused) as refused:
        await services.sessions.change(session.id, {"capacity": 1})
    assert refused.value.key == "session.capacity_below_booked"
    assert (await services.sessions.get(session.id)).capacity == 2  # type: ignore[union-attr]


async def test_more_capacity_offers_the_new_seat_to_the_waitlist(services: Services) -> None:
    await sign_up(services, SITI, "Siti")
    await sign_up(services, BUDI, "Budi")
    session = await new_session(services, capacity=1)
    await services.booking.book(SITI, session.id)
    budi = await services.booking.book(BUDI, session.id)
    await services.sessions.change(session.id, {"capacity": 2})
    assert await booking_status(services, budi.booking.id) == "offered"


async def test_closing_registration_keeps_bookings(services: Services) -> None:
    await sign_up(services, SITI, "Siti")
    session = await new_session(services)
    siti = await services.booking.book(SITI, session.id)
    closed = await services.sessions.set_status(session.id, SessionStatus.CLOSED)
    assert closed.status == SessionStatus.CLOSED
    assert await booking_status(services, siti.booking.id) == "confirmed"
    assert session.id not in [s.id for s in await services.sessions.bookable()]
    reopened = await services.sessions.set_status(session.id, SessionStatus.OPEN)
    assert session.id in [s.id for s in await services.sessions.bookable()]
    assert reopened.status == SessionStatus.OPEN


async def test_a_cancelled_session_ends_every_place_and_tells_each(services: Services) -> None:
    await make_trainer(services)
    await sign_up(services, SITI, "Siti")
    await sign_up(services, BUDI, "Budi")
    session = await new_session(services, capacity=1, trainer_id=TRAINER)
    siti = await services.booking.book(SITI, session.id)
    budi = await services.booking.book(BUDI, session.id)
    audience = await services.sessions.cancel(session.id)
    assert audience.trainer_id == TRAINER
    assert await booking_status(services, siti.booking.id) == "cancelled"
    assert await booking_status(services, budi.booking.id) == "cancelled"
    for person in (SITI, BUDI, TRAINER):
        assert "session_cancelled" in await kinds(services, person)
    assert "reminder" not in await kinds(services, SITI)
    assert "trainer_reminder" not in await kinds(services, TRAINER)
    with pytest.raises(BookingRefused) as again:
        await services.sessions.cancel(session.id)
    assert again.value.key == "session.gone"


async def test_a_revoked_trainer_leaves_their_sessions_unassigned(services: Services) -> None:
    await make_trainer(services)
    session = await new_session(services, trainer_id=TRAINER)
    assert [s.id for s in await services.sessions.run_by(TRAINER)] == [session.id]
    orphaned = await services.sessions.revoke_trainer(TRAINER)
    assert orphaned is not None and [s.id for s in orphaned] == [session.id]
    assert (await services.sessions.get(session.id)).trainer_id is None  # type: ignore[union-attr]
    assert "trainer_revoked" in await kinds(services, TRAINER)
    assert "trainer_reminder" not in await kinds(services, TRAINER)
    assert await services.sessions.revoke_trainer(TRAINER) is None


async def test_a_link_shows_its_session_until_it_is_cancelled(services: Services) -> None:
    session = await new_session(services)
    shown = await open_by_code(services.sessions, session.code)
    assert shown is not None and shown.id == session.id
    assert await open_by_code(services.sessions, "zzzz9999") is None
    await services.sessions.cancel(session.id)
    assert await open_by_code(services.sessions, session.code) is None
    assert await linked_session(services.sessions, f"sesi-{session.code}") is None
