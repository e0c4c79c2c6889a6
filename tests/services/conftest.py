"""Service tests: the real services, assembled as the bot assembles them, on a temporary
SQLite file, with a clock that moves only when the test moves it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app.container import Services
from bot.app.settings import load_settings
from bot.core.models import TrainingSession
from bot.services.sessions import SessionDraft
from storage.users import UserRepository
from tests.harness import START, FakeClock

STAFF, TRAINER, SITI, BUDI, DEWI = 9001, 7001, 1001, 1002, 1003
SATURDAY_9 = datetime(2026, 12, 12, 2, 0, tzinfo=UTC)  # Sabtu, 12 Desember 2026, 09.00 WIB


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def services(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Services]:
    env = {"DODOLAN_DATABASE": str(tmp_path / "db.sqlite3")}
    started = await Services.start(load_settings(env, require_token=False), clock)
    # Service tests deal in internal ids alone (no channel): STAFF is the internal id of a
    # member of staff, given the role as the settings give it to a Telegram id at start-up.
    await started.users.seen(STAFF, "id")
    await UserRepository(started.db).sync_config_staff([STAFF], clock())
    yield started
    await started.close()


async def sign_up(services: Services, user_id: int, name: str = "Siti") -> None:
    """Take an owner through every sign-up step, as the edges do."""
    signup = services.signup
    await services.users.seen(user_id, "id")
    await signup.begin(user_id)
    await signup.consent(user_id, agreed=True)
    await signup.answer_text(user_id, name)
    await signup.answer_text(user_id, f"Usaha {name}")
    await signup.answer_choice(user_id, "category", "kuliner")
    await signup.answer_choice(user_id, "kecamatan", "klojen")
    await signup.answer_text(user_id, f"0812{user_id % 10**8:08d}")  # 1001: 081200001001
    await signup.toggle(user_id, "shopee")
    await signup.finish_multi(user_id)
    await signup.skip_nib(user_id)
    await signup.confirm(user_id)


async def make_trainer(services: Services, user_id: int = TRAINER) -> None:
    """A trainer who has written to the bot (as an accepted invite makes one)."""
    await services.users.seen(user_id, "id")
    async with services.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO user_roles (user_id, role, source, granted_at, display_name) "
            "VALUES (?, 'trainer', 'invite', '2026-11-01T00:00:00+00:00', 'Pak Andi')",
            (user_id,),
        )


async def new_session(
    services: Services,
    title: str = "Foto Produk dengan HP",
    starts: datetime = SATURDAY_9,
    capacity: int = 2,
    trainer_id: int | None = None,
) -> TrainingSession:
    """A session staff created."""
    draft = SessionDraft(
        title, starts, starts + timedelta(hours=2), capacity, "Aula MCC", trainer_id=trainer_id
    )
    return await services.sessions.create(draft, STAFF)


async def queued(
    services: Services, user_id: int, status: str = "pending"
) -> list[dict[str, Any]]:
    """The outbox rows for one person, oldest first: kind, params, due time."""
    rows = await services.db.fetch_all(
        "SELECT kind, params, due_at FROM outbox WHERE user_id = ? AND status = ? ORDER BY id",
        (user_id, status),
    )
    return [dict(r) for r in rows]


async def kinds(services: Services, user_id: int) -> list[str]:
    """The kinds of the pending outbox rows for one person, oldest first."""
    return [r["kind"] for r in await queued(services, user_id)]


async def booking_status(services: Services, booking_id: int) -> str:
    """The stored status of one booking."""
    row = await services.db.fetch_one("SELECT status FROM bookings WHERE id = ?", (booking_id,))
    assert row is not None
    return str(row["status"])
