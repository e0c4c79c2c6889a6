"""/sesibaru and /sesi as services: typed drafts, every step checked, no Telegram."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.app.container import Services
from bot.app.settings import load_settings
from bot.core.errors import BookingRefused, InvalidInput, NotAllowed, StaleAction
from bot.core.models import TrainingSession
from bot.services.session_drafts import NewSessionDraft, PendingChange
from bot.services.session_editor import ChangeShown, SaveRefused, SessionCard
from bot.services.sessions import SessionDraft
from storage.users import UserRepository
from tests.harness import START, FakeClock

STAFF, TRAINER, OWNER = 9001, 7001, 1001
SATURDAY_9 = datetime(2026, 12, 12, 2, 0, tzinfo=UTC)  # 09.00 WIB


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    env = {"DODOLAN_DATABASE": str(tmp_path / "db.sqlite3")}
    settings = load_settings(env, require_token=False)
    started = await Services.start(settings, FakeClock(START))
    for user in (STAFF, OWNER):
        await started.users.seen(user, "id")
    # Internal ids alone (no channel): STAFF is given the role as the settings give it to a
    # Telegram id at start-up.
    await UserRepository(started.db).sync_config_staff([STAFF], START)
    yield started
    await started.close()


async def make_trainer(services: Services, user_id: int = TRAINER) -> None:
    await services.users.seen(user_id, "id")
    async with services.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO user_roles (user_id, role, source, granted_at, display_name) "
            "VALUES (?, 'trainer', 'invite', '2026-11-01T00:00:00+00:00', 'Pak Andi')",
            (user_id,),
        )


async def a_session(services: Services, capacity: int = 30) -> TrainingSession:
    draft = SessionDraft(
        "Foto produk", SATURDAY_9, SATURDAY_9 + timedelta(hours=2), capacity, "Aula Dinas"
    )
    return await services.sessions.create(draft, STAFF)


async def test_a_new_session_is_built_step_by_step_into_a_typed_draft(
    services: Services,
) -> None:
    await make_trainer(services)
    editor = services.new_session
    step = await editor.begin(STAFF)
    assert (step.step, step.draft) == ("title", NewSessionDraft())
    step = await editor.received_text(STAFF, "Foto produk <pakai> HP")
    assert step.step == "date" and date(2026, 12, 2) in step.days
    step = await editor.chose(STAFF, "date", "2026-12-12")
    step = await editor.received_text(STAFF, "09.00-11.00")
    step = await editor.chose(STAFF, "place", "venue")
    step = await editor.received_text(STAFF, "Aula Dinas Koperasi")
    step = await editor.received_text(STAFF, "Jl. Panji Suroso No. 18")
    step = await editor.received_location(STAFF, -7.98, 112.63)
    step = await editor.chose(STAFF, "capacity", "20")
    assert step.step == "trainer" and [t.user_id for t in step.trainers] == [TRAINER]
    step = await editor.chose(STAFF, "trainer", str(TRAINER))
    step = await editor.chose(STAFF, "cutoff", "default")
    assert step.step == "confirm"
    assert step.draft == NewSessionDraft(
        title="Foto produk <pakai> HP",
        day=date(2026, 12, 12),
        start=time(9),
        end=time(11),
        venue_name="Aula Dinas Koperasi",
        venue_address="Jl. Panji Suroso No. 18",
        latitude=-7.98,
        longitude=112.63,
        capacity=20,
        trainer_id=TRAINER,
        trainer_name="Pak Andi",
    )
    saved = await editor.save(STAFF)
    assert isinstance(saved, SessionCard) and saved.names == {TRAINER: "Pak Andi"}
    assert saved.session.starts_at == SATURDAY_9 and saved.session.trainer_id == TRAINER
    assert await services.dialogs.current(STAFF) is None


async def test_a_tap_for_another_step_or_a_flow_not_begun_is_stale(services: Services) -> None:
    editor = services.new_session
    with pytest.raises(StaleAction):
        await editor.chose(STAFF, "date", "2026-12-12")
    await editor.begin(STAFF)
    await editor.received_text(STAFF, "Foto produk")
    await editor.chose(STAFF, "date", "2026-12-12")
    for tap in (editor.chose(STAFF, "date", "2026-12-13"), editor.save(STAFF)):
        with pytest.raises(StaleAction):
            await tap
    dialog = await services.dialogs.current(STAFF)
    assert dialog is not None and (dialog.step, dialog.data["date"]) == ("time", "2026-12-12")
    with pytest.raises(InvalidInput, match=r"^staff\.invalid\.time$"):
        await editor.received_text(STAFF, "jam sembilan")


async def _to_summary(services: Services, trainer: str = "none") -> None:
    editor = services.new_session
    await editor.begin(STAFF)
    await editor.received_text(STAFF, "Foto produk")
    await editor.received_text(STAFF, "12-12-2026 09.00-11.00")
    await editor.chose(STAFF, "place", "online")
    await editor.received_text(STAFF, "https://meet.example.org/a")
    await editor.received_text(STAFF, "15")
    await editor.chose(STAFF, "trainer", trainer)
    await editor.received_text(STAFF, "24")


async def test_only_staff_may_build_and_a_revoked_member_is_stopped_mid_way(
    services: Services,
) -> None:
    await make_trainer(services)
    for user in (OWNER, TRAINER):
        with pytest.raises(NotAllowed):
            await services.new_session.begin(user)
        assert await services.dialogs.current(user) is None
    await _to_summary(services)
    await services.users.bootstrap_staff([])
    for step in (services.new_session.save(STAFF), services.new_session.edit(STAFF, "title")):
        with pytest.raises(NotAllowed):
            await step
    assert await services.sessions.all() == []


async def test_a_trainer_revoked_before_saving_sends_staff_back_to_the_trainer(
    services: Services,
) -> None:
    await make_trainer(services)
    with pytest.raises(StaleAction):  # not a trainer: a forged button
        await _to_summary(services, trainer=str(OWNER))
    await _to_summary(services, trainer=str(TRAINER))
    await services.sessions.revoke_trainer(TRAINER)
    refused = await services.new_session.save(STAFF)
    assert isinstance(refused, SaveRefused) and refused.refusal.key == "session.invalid.trainer"
    assert refused.step.step == "trainer" and refused.step.draft.editing
    step = await services.new_session.chose(STAFF, "trainer", "none")
    assert step.step == "confirm" and step.draft.trainer_id is None
    assert step.draft.cutoff_hours == 24  # the other answers are kept


async def test_editing_from_the_summary_comes_back_to_it(services: Services) -> None:
    await _to_summary(services)
    step = await services.new_session.edit(STAFF, "capacity")
    assert step.step == "capacity" and step.draft.editing
    step = await services.new_session.chose(STAFF, "capacity", "30")
    assert step.step == "confirm" and step.draft.capacity == 30 and not step.draft.editing
    await services.new_session.discard(STAFF)
    assert await services.dialogs.current(STAFF) is None and await services.sessions.all() == []


def test_drafts_read_back_what_they_wrote() -> None:
    draft = NewSessionDraft(title="A", day=date(2026, 12, 12), start=time(9), capacity=5)
    assert draft.to_data() == {"title": "A", "date": "2026-12-12", "start": "09:00", "capacity": 5}
    assert NewSessionDraft.from_data(draft.to_data()) == draft
    change = PendingChange(3, {"starts_at": SATURDAY_9, "venue_name": None}, 2, 41)
    assert change.to_data()["pending"] == {"starts_at": SATURDAY_9.isoformat(), "venue_name": None}
    assert PendingChange.from_data(change.to_data()) == change


async def test_a_new_time_waits_for_confirming_then_is_saved(services: Services) -> None:
    session = await a_session(services)
    editor = services.session_editor
    asked = await editor.ask_change(STAFF, session.id, "time")
    assert asked.id == session.id
    shown = await editor.received_text(STAFF, "13-12-2026 13.00-15.00")
    assert isinstance(shown, ChangeShown) and shown.replaces is None
    assert shown.preview.fields == ["starts_at", "ends_at"]
    await editor.previewed(STAFF, 41)
    again = await editor.received_text(STAFF, "14-12-2026 13.00-15.00")  # a second thought
    assert isinstance(again, ChangeShown) and again.replaces == 41
    unchanged = await services.sessions.get(session.id)
    assert unchanged is not None and unchanged.starts_at == SATURDAY_9
    applied = await editor.apply(STAFF, session.id)
    assert applied.card.session.starts_at == datetime(2026, 12, 14, 6, 0, tzinfo=UTC)
    assert applied.change.preview.before.starts_at == SATURDAY_9
    assert await services.dialogs.current(STAFF) is None
    with pytest.raises(StaleAction):  # a double tap
        await editor.apply(STAFF, session.id)


async def test_asking_another_change_spends_the_waiting_one(services: Services) -> None:
    session = await a_session(services)
    editor = services.session_editor
    await editor.ask_change(STAFF, session.id, "time")
    await editor.received_text(STAFF, "13-12-2026 13.00-15.00")
    await editor.previewed(STAFF, 41)
    await editor.ask_change(STAFF, session.id, "place")
    with pytest.raises(StaleAction):
        await editor.apply(STAFF, session.id)
    shown = await editor.received_text(STAFF, "Balai Kota\nJl. Tugu No. 1")
    assert isinstance(shown, ChangeShown) and shown.replaces == 41  # its buttons go now
    await editor.ask_change(STAFF, session.id, "place")
    with pytest.raises(InvalidInput, match=r"^session_change\.unchanged$"):
        await editor.received_text(STAFF, "Aula Dinas")


async def test_a_change_made_meanwhile_is_not_overwritten(services: Services) -> None:
    session = await a_session(services)
    editor = services.session_editor
    await editor.ask_change(STAFF, session.id, "time")
    await editor.received_text(STAFF, "13-12-2026 13.00-15.00")
    await services.sessions.change(session.id, {"venue_name": "Balai Kota"})
    with pytest.raises(BookingRefused, match=r"^session_change\.changed_meanwhile$"):
        await editor.apply(STAFF, session.id)
    current = await services.sessions.get(session.id)
    assert current is not None and current.starts_at == SATURDAY_9
    assert await services.dialogs.current(STAFF) is None


async def test_a_new_capacity_is_saved_at_once_but_not_below_those_booked(
    services: Services,
) -> None:
    session = await a_session(services)
    editor = services.session_editor
    await editor.ask_change(STAFF, session.id, "cap")
    with pytest.raises(InvalidInput, match=r"^staff\.invalid\.number$"):
        await editor.received_text(STAFF, "banyak")
    saved = await editor.received_text(STAFF, "25")
    assert isinstance(saved, SessionCard) and saved.session.capacity == 25
    assert await services.dialogs.current(STAFF) is None


async def test_cancelling_says_who_is_told_and_happens_once(services: Services) -> None:
    await make_trainer(services)
    session = await a_session(services)
    await services.sessions.change(session.id, {"trainer_id": TRAINER})
    editor = services.session_editor
    asked = await editor.ask_cancel(STAFF, session.id)
    assert asked.audience.trainer_id == TRAINER and asked.names == {TRAINER: "Pak Andi"}
    done = await editor.cancel(STAFF, session.id)
    assert done.audience == asked.audience
    for step in (editor.ask_cancel(STAFF, session.id), editor.cancel(STAFF, session.id)):
        with pytest.raises(BookingRefused, match=r"^session\.gone$"):
            await step
    upcoming, _ = await editor.upcoming(STAFF)
    assert upcoming == []


async def test_keep_ends_only_the_change_of_that_session(services: Services) -> None:
    first, second = await a_session(services), await a_session(services)
    editor = services.session_editor
    await editor.ask_change(STAFF, second.id, "time")
    assert (await editor.keep(STAFF, first.id)).id == first.id
    assert await services.dialogs.current(STAFF) is not None
    await editor.keep(STAFF, second.id)
    assert await services.dialogs.current(STAFF) is None


async def test_only_staff_may_change_sessions_even_their_own_trainer(
    services: Services,
) -> None:
    await make_trainer(services)
    session = await a_session(services)
    await services.sessions.change(session.id, {"trainer_id": TRAINER})
    editor = services.session_editor
    for user in (OWNER, TRAINER):
        for step in (
            editor.upcoming(user),
            editor.ask_change(user, session.id, "time"),
            editor.set_open(user, session.id, is_open=False),
            editor.ask_cancel(user, session.id),
            editor.cancel(user, session.id),
            editor.apply(user, session.id),
            editor.keep(user, session.id),
        ):
            with pytest.raises(NotAllowed):
                await step
    current = await services.sessions.get(session.id)
    assert current is not None and current.status == "open"
    closed = await editor.set_open(STAFF, session.id, is_open=False)
    assert closed.session.status == "closed" and closed.names == {TRAINER: "Pak Andi"}
