"""Staff's unfinished sessions and changes, kept in their dialog between steps."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.session_drafts import NewSessionDraft, PendingChange
from tests.services.conftest import SATURDAY_9

WIB = ZoneInfo("Asia/Jakarta")


def test_a_new_session_survives_the_dialog_and_becomes_the_session_to_create() -> None:
    draft = NewSessionDraft(
        title="Foto Produk",
        day=date(2026, 12, 12),
        start=time(9, 0),
        end=time(11, 0),
        venue_name="Aula MCC",
        capacity=30,
    )
    stored = draft.to_data()
    assert "trainer_id" not in stored and "editing" not in stored  # only what was answered
    again = NewSessionDraft.from_data(stored)
    assert again == draft
    session = again.session_draft(WIB)
    assert session.starts_at == SATURDAY_9 and session.ends_at == SATURDAY_9 + timedelta(hours=2)


def test_a_previewed_change_keeps_its_times_and_revision() -> None:
    change = PendingChange(7, {"starts_at": SATURDAY_9, "capacity": 40}, sequence=3)
    again = PendingChange.from_data(change.to_data())
    assert again.pending == {"starts_at": SATURDAY_9, "capacity": 40}
    assert (again.session_id, again.sequence) == (7, 3)
