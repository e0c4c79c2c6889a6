"""Composing broadcasts without a channel: steps, the typed draft, the role rule, refusals.

Real temporary SQLite (as the storage tests), a clock that moves only when told.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.errors import BookingRefused, InvalidInput, NotAllowed, StaleAction
from bot.core.models import Consent, Dialog, LinkButton
from bot.services.broadcast_composer import (
    FLOW,
    BroadcastComposer,
    BroadcastDraft,
    Content,
    MediaKind,
    Step,
)
from bot.services.broadcasts import BroadcastService
from bot.services.dialogs import DialogService
from storage.broadcasts import Audience, BroadcastRepository
from storage.database import Database
from storage.dialogs import DialogRepository
from storage.migrate import migrate
from storage.outbox import OutboxRepository
from storage.owners import OwnerRepository
from storage.sessions import SessionRepository
from storage.users import UserRepository
from tests.storage.conftest import T0

WIB = ZoneInfo("Asia/Jakarta")
STAFF, JOKO, RINA, ANI, BAYU = 9001, 7001, 7002, 2001, 2002
START = T0 + timedelta(days=11)  # Saturday 12 December 2026, 09.00 WIB


def fits(kind: str, content: Content) -> int:
    """A channel on which everything fits."""
    return 0


@dataclass
class Clock:
    """A clock that moves only when a test moves it."""

    moment: datetime = T0

    def __call__(self) -> datetime:
        """The current fake time."""
        return self.moment


@dataclass
class World:
    """The composer over a seeded database: staff, two trainers, two owners, two sessions."""

    db: Database
    composer: BroadcastComposer
    dialogs: DialogService
    clock: Clock
    joko_session: int
    rina_session: int

    async def dialog(self, user_id: int) -> Dialog | None:
        return await self.dialogs.current(user_id)


async def _seed(db: Database) -> tuple[int, int]:
    """Users, roles, owners Ani (Klojen) and Bayu (Sukun), a session each for Joko and Rina."""
    users, owners, sessions = UserRepository(db), OwnerRepository(db), SessionRepository(db)
    for user_id in (STAFF, JOKO, RINA, ANI, BAYU):
        await users.touch(user_id, "id", T0)
    for user_id, kecamatan in ((ANI, "klojen"), (BAYU, "sukun")):
        profile = {
            "full_name": f"Pemilik {user_id}",
            "business_name": "Usaha",
            "category": "kuliner",
            "kecamatan": kecamatan,
            "phone": f"+62812{user_id:08d}",
            "marketplaces": ["shopee"],
            "nib": None,
        }
        await owners.create(user_id, profile, Consent("programme", "2026-11", T0), T0)
    async with db.transaction() as tx:
        for user_id, role, source in ((STAFF, "staff", "config"), (JOKO, "trainer", "invite")):
            await tx.execute(
                "INSERT INTO user_roles (user_id, role, source, granted_at) VALUES (?, ?, ?, ?)",
                (user_id, role, source, T0.isoformat()),
            )
        await tx.execute(
            "INSERT INTO user_roles (user_id, role, source, granted_at) "
            "VALUES (?, 'trainer', 'invite', ?)",
            (RINA, T0.isoformat()),
        )
        ids = []
        for code, trainer in (("joko0001", JOKO), ("rina0001", RINA)):
            values = {
                "code": code,
                "title": f"Kelas {code}",
                "starts_at": START,
                "ends_at": START + timedelta(hours=2),
                "capacity": 10,
                "cutoff_at": START - timedelta(hours=2),
                "venue_name": "Balai Kota",
                "trainer_id": trainer,
            }
            ids.append(await sessions.insert_session(tx, values, STAFF, T0))
        await sessions.insert_booking(tx, ids[0], ANI, "confirmed", T0)
        await sessions.insert_booking(tx, ids[1], BAYU, "confirmed", T0)
    return ids[0], ids[1]


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    db = await Database.open(tmp_path / "dodolan.sqlite3")
    await migrate(db, T0)
    clock = Clock()
    dialogs = DialogService(DialogRepository(db), clock)
    sessions, users = SessionRepository(db), UserRepository(db)
    broadcasts = BroadcastService(
        db, BroadcastRepository(db), OutboxRepository(db), sessions, users, clock
    )
    composer = BroadcastComposer(dialogs, broadcasts, users, sessions, WIB)
    try:
        joko_session, rina_session = await _seed(db)
        yield World(db, composer, dialogs, clock, joko_session, rina_session)
    finally:
        await db.close()


async def test_staff_compose_a_narrowed_announcement_and_schedule_it(world: World) -> None:
    composer = world.composer
    assert (await composer.begin(STAFF)).step == Step.AUDIENCE
    everyone = await composer.choose_audience(STAFF, "all")
    assert everyone.step == Step.REFINE and everyone.recipients is not None
    assert set(everyone.recipients.reachable) == {ANI, BAYU}
    assert (await composer.open_filter(STAFF, "kecamatan")).step == Step.KECAMATAN
    await composer.refine(STAFF, "kecamatan", "sukun")
    await composer.refine(STAFF, "kecamatan", "klojen")
    toggled = await composer.refine(STAFF, "kecamatan", "sukun")  # and out again
    assert toggled.draft.audience == Audience("all", kecamatan=("klojen",))
    narrowed = await composer.close_filter(STAFF)
    assert narrowed.recipients is not None and narrowed.recipients.reachable == [ANI]
    asked = await composer.finish_audience(STAFF)
    assert asked.step == Step.MESSAGE and asked.recipients is not None
    await composer.received_content(STAFF, Content("Pasar <b>UMKM</b> &amp; bazar"), fits)
    buttons = await composer.received_button(STAFF, "Info | https://example.id/info")
    assert buttons.draft.buttons == (LinkButton("Info", "https://example.id/info"),)
    preview = await composer.finish_buttons(STAFF)
    assert preview.step == Step.PREVIEW and preview.recipients is not None
    await composer.schedule(STAFF)
    broadcast = await composer.received_time(STAFF, "12-12-2026 07.00")
    assert (broadcast.status, broadcast.recipients, broadcast.kind) == (
        "scheduled",
        1,
        "announcement",
    )
    assert broadcast.text == "Pasar <b>UMKM</b> &amp; bazar"
    assert broadcast.buttons == ((LinkButton("Info", "https://example.id/info"),),)
    assert Audience.of(broadcast.audience) == Audience("all", kecamatan=("klojen",))
    assert broadcast.send_at == datetime(2026, 12, 12, 7, 0, tzinfo=WIB)
    assert await world.dialog(STAFF) is None


async def test_the_draft_is_stored_as_its_typed_values(world: World) -> None:
    composer = world.composer
    await composer.begin(STAFF)
    await composer.choose_audience(STAFF, "booked")
    chosen = await composer.choose_session(STAFF, world.joko_session)
    assert chosen.session is not None and chosen.session.id == world.joko_session
    await composer.shown(STAFF, "42")
    await composer.finish_audience(STAFF)
    photo = Content("Poster <i>baru</i>", MediaKind.PHOTO, "file-1")
    composed = await composer.received_content(STAFF, photo, fits)
    dialog = await world.dialog(STAFF)
    assert dialog is not None and (dialog.flow, dialog.step) == (FLOW, "buttons")
    assert BroadcastDraft.of(dialog) == composed.draft
    assert composed.draft == BroadcastDraft(
        "announcement", Step.BUTTONS, Audience("booked", world.joko_session), photo, (), "42"
    )


async def test_a_tap_meant_for_another_step_is_stale_and_changes_nothing(world: World) -> None:
    composer = world.composer
    await composer.begin(STAFF)
    before = await world.dialog(STAFF)
    for call in (
        composer.finish_audience(STAFF),
        composer.choose_session(STAFF, world.joko_session),
        composer.refine(STAFF, "kecamatan", "klojen"),
        composer.received_button(STAFF, "Info | https://example.id"),
        composer.finish_buttons(STAFF),
        composer.confirm(STAFF),
        composer.received_time(STAFF, "12-12-2026 07.00"),
    ):
        with pytest.raises(StaleAction):
            await call
    assert await world.dialog(STAFF) == before
    rows = await world.db.fetch_all("SELECT id FROM broadcasts")
    assert rows == []


async def test_forged_choices_are_stale(world: World) -> None:
    composer = world.composer
    await composer.begin(STAFF)
    with pytest.raises(StaleAction):
        await composer.choose_audience(STAFF, "everyone_in_java")
    await composer.choose_audience(STAFF, "booked")
    with pytest.raises(StaleAction):
        await composer.choose_session(STAFF, 999)
    await composer.choose_session(STAFF, world.joko_session)
    with pytest.raises(StaleAction):
        await composer.open_filter(STAFF, "phone")
    await composer.open_filter(STAFF, "category")
    for field, code in (("category", "atlantis"), ("kecamatan", "klojen")):
        with pytest.raises(StaleAction):
            await composer.refine(STAFF, field, code)
    dialog = await world.dialog(STAFF)
    assert dialog is not None and BroadcastDraft.of(dialog).audience == Audience(
        "booked", world.joko_session
    )


async def test_only_staff_announce_and_an_owner_is_refused_before_staleness(
    world: World,
) -> None:
    composer = world.composer
    for user_id in (ANI, JOKO):
        with pytest.raises(NotAllowed):
            await composer.begin(user_id)
        with pytest.raises(NotAllowed):  # no draft at all: refused, not merely stale
            await composer.choose_audience(user_id, "all")
    with pytest.raises(StaleAction):  # staff without a draft: stale
        await composer.choose_audience(STAFF, "all")


async def test_a_trainer_follows_up_only_their_own_session(world: World) -> None:
    composer = world.composer
    with pytest.raises(NotAllowed):
        await composer.begin_followup(JOKO, world.rina_session, "booked")
    with pytest.raises(NotAllowed):
        await composer.begin_followup(JOKO, world.joko_session, "waitlist")
    started = await composer.begin_followup(JOKO, world.joko_session, "booked")
    assert started.step == Step.MESSAGE and started.draft.kind == "followup"
    await composer.received_content(JOKO, Content("Materi kemarin"), fits)
    await composer.finish_buttons(JOKO)
    broadcast = await composer.confirm(JOKO)
    assert (broadcast.kind, broadcast.created_by, broadcast.recipients) == ("followup", JOKO, 1)


async def test_a_trainer_given_away_from_the_session_is_refused_and_the_draft_dropped(
    world: World,
) -> None:
    composer = world.composer
    await composer.begin_followup(JOKO, world.joko_session, "booked")
    await composer.received_content(JOKO, Content("Materi kemarin"), fits)
    async with world.db.transaction() as tx:
        await tx.execute(
            "UPDATE training_sessions SET trainer_id = ? WHERE id = ?", (RINA, world.joko_session)
        )
    with pytest.raises(NotAllowed):
        await composer.finish_buttons(JOKO)
    assert await world.dialog(JOKO) is None  # dropped: the next message is not refused again
    with pytest.raises(NotAllowed):
        await composer.confirm(JOKO)


async def test_a_revoked_trainer_changes_nothing(world: World) -> None:
    composer = world.composer
    await composer.begin_followup(JOKO, world.joko_session, "booked")
    async with world.db.transaction() as tx:
        await tx.execute("DELETE FROM user_roles WHERE user_id = ?", (JOKO,))
    with pytest.raises(NotAllowed):
        await composer.received_content(JOKO, Content("Materi lagi"), fits)
    assert await world.dialog(JOKO) is None
    assert await world.db.fetch_all("SELECT id FROM broadcasts") == []


async def test_a_message_sent_before_the_audience_is_kept(world: World) -> None:
    composer = world.composer
    await composer.begin(STAFF)
    kept = await composer.received_content(STAFF, Content("Besok pasar UMKM"), fits)
    assert kept.step == Step.AUDIENCE and kept.draft.content == Content("Besok pasar UMKM")
    await composer.choose_audience(STAFF, "all")
    onward = await composer.finish_audience(STAFF)
    assert onward.step == Step.BUTTONS and onward.draft.content == Content("Besok pasar UMKM")


async def test_a_message_typed_at_the_count_is_the_message(world: World) -> None:
    composer = world.composer
    await composer.begin(STAFF)
    await composer.choose_audience(STAFF, "all")
    typed = await composer.received_content(STAFF, Content("Halo"), fits)
    assert typed.step == Step.BUTTONS and typed.recipients is not None
    assert len(typed.recipients.reachable) == 2


async def test_nobody_to_reach_and_unusable_content_are_refused_where_they_stand(
    world: World,
) -> None:
    composer = world.composer
    await composer.begin(STAFF)
    await composer.choose_audience(STAFF, "not_booked")  # both owners are booked
    for call in (
        composer.finish_audience(STAFF),
        composer.received_content(STAFF, Content("Halo"), fits),
    ):
        with pytest.raises(BookingRefused) as refused:
            await call
        assert refused.value.key == "broadcast.nobody"
    await world.dialogs.end(STAFF)
    await composer.begin(STAFF)
    await composer.choose_audience(STAFF, "all")
    await composer.finish_audience(STAFF)
    with pytest.raises(InvalidInput) as empty:
        await composer.received_content(STAFF, None, fits)
    assert empty.value.key == "broadcast.need_content"
    with pytest.raises(InvalidInput) as long:
        await composer.received_content(STAFF, Content("x"), lambda kind, content: 7)
    assert (long.value.key, long.value.params) == ("broadcast.too_long", {"excess": 7})
    dialog = await world.dialog(STAFF)
    assert dialog is not None and dialog.step == "message"


async def test_three_buttons_at_most_and_a_time_in_the_past_is_refused(world: World) -> None:
    composer = world.composer
    await composer.begin(STAFF)
    await composer.choose_audience(STAFF, "all")
    await composer.received_content(STAFF, Content("Halo"), fits)
    for n in range(3):
        await composer.received_button(STAFF, f"Tombol {n} | https://example.id/{n}")
    with pytest.raises(InvalidInput) as full:
        await composer.received_button(STAFF, "Satu lagi | https://example.id/4")
    assert full.value.key == "broadcast.max_buttons"
    await composer.finish_buttons(STAFF)
    await composer.schedule(STAFF)
    world.clock.moment = datetime(2026, 12, 12, 8, 0, tzinfo=WIB)
    with pytest.raises(BookingRefused) as past:
        await composer.received_time(STAFF, "12-12-2026 07.00")
    assert past.value.key == "broadcast.schedule_past"
    dialog = await world.dialog(STAFF)
    assert dialog is not None and dialog.step == "schedule"  # can type another time


async def test_cancel_drops_the_draft_and_sends_nothing(world: World) -> None:
    composer = world.composer
    await composer.begin(STAFF)
    await composer.choose_audience(STAFF, "all")
    await composer.cancel(STAFF)
    assert await world.dialog(STAFF) is None
    with pytest.raises(StaleAction):
        await composer.cancel(STAFF)
    assert await world.db.fetch_all("SELECT id FROM broadcasts") == []


async def test_an_unreadable_draft_is_ended(world: World) -> None:
    await world.dialogs.move(STAFF, FLOW, "refine", {"kind": "telegram-keyboard"})
    with pytest.raises(StaleAction):
        await world.composer.current(STAFF)
    assert await world.dialog(STAFF) is None
