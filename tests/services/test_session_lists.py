"""The owners' lists of sessions, decided once for every channel: the schedule as cards or
pages, and the sessions a seat can move to."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app.container import Services
from bot.core.errors import Refusal, StaleAction
from bot.core.models import TrainingSession
from bot.core.notices import Notice
from bot.services.session_lists import SessionLists
from tests.services.conftest import BUDI, SATURDAY_9, SITI, new_session, sign_up


def _lists(services: Services) -> SessionLists:
    return SessionLists(
        services.sessions,
        services.booking,
        services.users,
        services.catalog,
        services.settings.timezone,
        services.now,
        "id",
    )


async def _sessions(services: Services, count: int, capacity: int = 2) -> list[TrainingSession]:
    return [
        await new_session(
            services, f"Kelas {n + 1:02d}", SATURDAY_9 + timedelta(days=n), capacity=capacity
        )
        for n in range(count)
    ]


def _actions(notice: Notice) -> list[str]:
    """Each choice as "action:number..." (the part after ``bk:v1:``)."""
    return [":".join(c.id.split(":")[2:]) for c in notice.choices]


async def test_no_open_session_is_said_plainly(services: Services) -> None:
    (notice,) = await _lists(services).schedule()
    assert notice.text.startswith("Belum ada jadwal sesi") and notice.choices == ()


async def test_up_to_three_sessions_come_as_cards_the_first_under_the_intro(
    services: Services,
) -> None:
    made = await _sessions(services, 3)
    cards = await _lists(services).schedule()
    assert [_actions(c) for c in cards] == [[f"book:{s.id}"] for s in made]
    assert cards[0].text.startswith("Ini jadwal sesi yang masih bisa dipesan. Tekan tombol")
    assert "Ini jadwal" not in cards[1].text and "Kelas 02" in cards[1].text


async def test_more_come_as_pages_of_eight_each_turning_to_the_next(services: Services) -> None:
    made = await _sessions(services, 10)
    lists = _lists(services)
    (first,) = await lists.schedule()
    assert _actions(first) == [f"show:{s.id}" for s in made[:8]] + ["list:1"]
    assert "Halaman 1 dari 2" in first.text
    second = await lists.schedule_page(1)
    assert second is not None
    assert _actions(second) == [f"show:{s.id}" for s in made[8:]] + ["list:0"]
    assert "Kelas 09" in second.text and "Kelas 01" not in second.text


async def test_a_page_no_list_had_is_none(services: Services) -> None:
    lists = _lists(services)
    assert await lists.schedule_page(0) is None  # nothing open: no list at all
    await _sessions(services, 10)
    assert await lists.schedule_page(2) is None
    assert await lists.schedule_page(-1) is None
    assert await lists.schedule_page(1) is not None


async def test_a_card_opened_from_the_list_goes_back_to_it_unless_cancelled(
    services: Services,
) -> None:
    (session,) = await _sessions(services, 1)
    lists = _lists(services)
    card = await lists.opened(session.id)
    assert card is not None and _actions(card) == [f"book:{session.id}", "list:0"]
    await services.sessions.cancel(session.id)
    assert await lists.opened(session.id) is None
    assert await lists.opened(999_999) is None


async def test_a_seat_moves_only_to_another_session_with_a_free_seat(services: Services) -> None:
    await sign_up(services, SITI, "Siti")
    await sign_up(services, BUDI, "Budi")
    mine, full, free = await _sessions(services, 3, capacity=1)
    seat = await services.booking.book(SITI, mine.id)
    await services.booking.book(BUDI, full.id)
    notice = await _lists(services).move_choices(SITI, seat.booking.id)
    assert notice is not None
    assert _actions(notice) == [f"move:{seat.booking.id}:{free.id}"]


async def test_nowhere_to_move_is_said_without_choices(services: Services) -> None:
    await sign_up(services, SITI, "Siti")
    (mine,) = await _sessions(services, 1)
    seat = await services.booking.book(SITI, mine.id)
    notice = await _lists(services).move_choices(SITI, seat.booking.id, page=5)
    assert notice is not None and notice.choices == ()
    assert notice.text.startswith("Saat ini tidak ada sesi lain")


async def test_move_targets_turn_pages_and_a_page_past_the_end_is_none(
    services: Services,
) -> None:
    await sign_up(services, SITI, "Siti")
    mine, *others = await _sessions(services, 10)
    seat = await services.booking.book(SITI, mine.id)
    booking_id = seat.booking.id
    lists = _lists(services)
    first = await lists.move_choices(SITI, booking_id)
    assert first is not None
    assert _actions(first) == [f"move:{booking_id}:{s.id}" for s in others[:8]] + [
        f"movepage:{booking_id}:1"
    ]
    second = await lists.move_choices(SITI, booking_id, 1)
    assert second is not None
    assert _actions(second) == [f"move:{booking_id}:{others[8].id}", f"movepage:{booking_id}:0"]
    assert await lists.move_choices(SITI, booking_id, 2) is None


async def test_only_the_owner_of_a_seat_may_list_where_it_moves(services: Services) -> None:
    await sign_up(services, SITI, "Siti")
    await sign_up(services, BUDI, "Budi")
    mine, _ = await _sessions(services, 2)
    seat = await services.booking.book(SITI, mine.id)
    with pytest.raises((StaleAction, Refusal)):
        await _lists(services).move_choices(BUDI, seat.booking.id)
