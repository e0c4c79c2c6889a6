"""Shortcuts for e2e tests: registered owners and sessions made through the services."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.models import TrainingSession
from bot.core.notices import ChannelName
from bot.services.sessions import SessionDraft
from tests.harness import STAFF_ID, RunningBot

# Saturday 12 December 2026, 09.00–11.00 WIB
SATURDAY_9 = datetime.fromisoformat("2026-12-12T02:00:00+00:00")


async def register_owner(
    bot: RunningBot,
    user_id: int,
    name: str = "Pemilik",
    *,
    kecamatan: str = "klojen",
    category: str = "kuliner",
    client_language: str | None = "id",
) -> int:
    """Sign up the owner with Telegram id ``user_id`` through the sign-up service (no chat),
    as if they had tapped it; return their internal id."""
    services = bot.services
    telegram_id = user_id
    account = await services.users.arrived(ChannelName.TELEGRAM, str(telegram_id), client_language)
    user_id = account.id
    await services.signup.begin(user_id)
    await services.signup.consent(user_id, agreed=True)
    await services.signup.answer_text(user_id, name)
    await services.signup.answer_text(user_id, f"Usaha {name}")
    await services.signup.answer_choice(user_id, "category", category)
    await services.signup.answer_choice(user_id, "kecamatan", kecamatan)
    await services.signup.answer_text(user_id, f"0812{telegram_id:08d}"[:13])
    await services.signup.toggle(user_id, "shopee")
    await services.signup.finish_multi(user_id)
    await services.signup.skip_nib(user_id)
    await services.signup.confirm(user_id)
    return user_id


async def create_session(
    bot: RunningBot,
    title: str = "Foto produk pakai HP",
    *,
    starts_at: datetime = SATURDAY_9,
    hours: float = 2,
    capacity: int = 30,
    venue_name: str | None = "Malang Creative Center",
    venue_address: str | None = "Jl. A. Yani No. 53, Blimbing",
    latitude: float | None = -7.9362,
    longitude: float | None = 112.6434,
    online_url: str | None = None,
) -> TrainingSession:
    """Create a session as staff would."""
    draft = SessionDraft(
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        capacity=capacity,
        venue_name=venue_name,
        venue_address=venue_address,
        latitude=latitude,
        longitude=longitude,
        online_url=online_url,
    )
    return await bot.services.sessions.create(draft, created_by=await bot.user_id_of(STAFF_ID))
