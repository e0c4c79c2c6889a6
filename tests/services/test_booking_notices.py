"""The replies about an owner's own booking: built when sent, from the booking as it is."""

from __future__ import annotations

from datetime import timedelta

from bot.app.container import Services
from bot.app.delivery import programme_builders
from bot.core.models import OutboxMessage
from bot.core.notices import Notice
from tests.services.conftest import SATURDAY_9, SITI, new_session, sign_up


async def _reply(
    services: Services, kind: str, at_offset: timedelta = timedelta()
) -> Notice | None:
    builders = programme_builders(services)
    rows = [m for m in await services.outbox.pending_for(SITI) if m.kind == kind]
    row: OutboxMessage = rows[-1]
    return await builders.build[kind](row, "id", services.now() + at_offset)


async def test_a_seat_comes_with_its_calendar_invitation(services: Services) -> None:
    await sign_up(services, SITI, "Siti")
    await new_session(services, "Foto Produk dengan HP")
    (session,) = await services.sessions.bookable()
    await services.booking.book(SITI, session.id)
    notice = await _reply(services, "booking_confirmed")
    assert notice is not None and "Foto Produk dengan HP" in notice.text
    assert notice.attachment is not None and notice.attachment.content is not None
    assert b"METHOD:REQUEST" in notice.attachment.content
    assert "Sabtu, 12 Desember 2026" in notice.text


async def test_a_reply_owed_since_a_crash_says_it_is_late(services: Services) -> None:
    await sign_up(services, SITI, "Siti")
    session = await new_session(services)
    await services.booking.book(SITI, session.id)
    on_time = await _reply(services, "booking_confirmed")
    late = await _reply(services, "booking_confirmed", timedelta(hours=1))
    assert on_time is not None and late is not None
    sorry = services.catalog.text("id", "notice.late")
    assert sorry not in on_time.text and late.text.startswith(sorry)


async def test_a_cancelled_seat_removes_its_calendar_entry(services: Services) -> None:
    await sign_up(services, SITI, "Siti")
    session = await new_session(services, starts=SATURDAY_9)
    view = await services.booking.book(SITI, session.id)
    await services.booking.cancel(SITI, view.booking.id)
    assert await _reply(services, "booking_confirmed") is None  # the seat is gone already
    notice = await _reply(services, "booking_cancelled")
    assert notice is not None
    files = [n.attachment for n in (notice, *notice.follow_ups) if n.attachment is not None]
    assert any(f.content is not None and b"METHOD:CANCEL" in f.content for f in files)
