"""What a change to a session means: the fields owners are told of, kept as they were."""

from __future__ import annotations

from datetime import timedelta

from bot.app.container import Services
from bot.services import session_changes
from tests.services.conftest import SATURDAY_9, new_session


async def test_only_what_really_changes_is_told(services: Services) -> None:
    session = await new_session(services)
    same_venue = {"venue_name": session.venue_name, "capacity": 9}  # capacity: not told
    assert session_changes.changed_fields(session, same_venue) == []
    later = SATURDAY_9 + timedelta(hours=1)
    fields = session_changes.changed_fields(session, {"starts_at": later, "title": "Baru"})
    assert fields == ["title", "starts_at"]
    assert session_changes.aspects_of(fields) == ["title", "time"]


async def test_a_notice_sent_later_still_says_what_the_session_was(services: Services) -> None:
    before = await new_session(services)
    later = SATURDAY_9 + timedelta(days=1)
    stored = session_changes.snapshot(before, ["starts_at"])
    assert stored["starts_at"] == SATURDAY_9.isoformat()  # JSON can hold it
    await services.sessions.change(
        before.id, {"starts_at": later, "ends_at": later + timedelta(hours=2)}
    )
    now = await services.sessions.get(before.id)
    assert now is not None and now.starts_at == later
    was = session_changes.restore(now, stored)
    assert (was.starts_at, was.ends_at) == (before.starts_at, before.ends_at)
    assert session_changes.restore(now, {"code": "forged"}).code == now.code
