"""How a session reads on every channel: its time in WIB, its place, its seats."""

from __future__ import annotations

from bot.app.container import Services
from bot.core.models import SessionStatus
from bot.services.session_texts import is_online, place, seats, when
from bot.services.sessions import SessionDraft
from tests.services.conftest import SATURDAY_9, SITI, STAFF, new_session, sign_up


async def test_a_session_reads_in_wib_with_its_hall_and_seats(services: Services) -> None:
    catalog, tz = services.catalog, services.settings.timezone
    session = await new_session(services, capacity=1)
    assert when(session, tz, "id") == "Sabtu, 12 Desember 2026, 09.00–11.00 WIB"
    assert "Aula MCC" in place(catalog, "id", session) and not is_online(session)
    assert "1" in seats(catalog, "id", session)
    await sign_up(services, SITI, "Siti")
    await services.booking.book(SITI, session.id)
    full = await services.sessions.get(session.id)
    assert full is not None
    assert seats(catalog, "id", full) == catalog.text("id", "session.full", waiting=0)
    closed = await services.sessions.set_status(session.id, SessionStatus.CLOSED)
    assert seats(catalog, "id", closed) == catalog.text("id", "session.closed")


async def test_an_online_session_reads_as_its_link(services: Services) -> None:
    draft = SessionDraft(
        "Webinar", SATURDAY_9, SATURDAY_9.replace(hour=4), 50, online_url="https://meet.example/x"
    )
    session = await services.sessions.create(draft, STAFF)
    assert is_online(session)
    assert "https://meet.example/x" in place(services.catalog, "id", session)
