"""The notices staff actions send trainers: built when sent, from what is true then."""

from __future__ import annotations

from bot.app.container import Services
from bot.app.delivery import programme_builders
from tests.services.conftest import TRAINER, make_trainer, new_session


async def _built(services: Services, kind: str) -> str | None:
    builders = programme_builders(services)
    (row,) = [m for m in await services.outbox.pending_for(TRAINER) if m.kind == kind]
    notice = await builders.build[kind](row, "id", services.now())
    return None if notice is None else notice.text


async def test_a_trainer_hears_of_their_new_session_while_it_is_theirs(
    services: Services,
) -> None:
    await make_trainer(services)
    session = await new_session(services, "Foto Produk dengan HP", trainer_id=TRAINER)
    text = await _built(services, "trainer_assigned")
    assert text is not None and "Foto Produk dengan HP" in text
    await services.sessions.change(session.id, {"trainer_id": None})
    assert await _built(services, "trainer_assigned") is None  # someone else runs it now


async def test_a_revoked_trainer_hears_which_sessions_they_no_longer_run(
    services: Services,
) -> None:
    await make_trainer(services)
    await new_session(services, "Judul Produk yang Menjual", trainer_id=TRAINER)
    await services.sessions.revoke_trainer(TRAINER)
    text = await _built(services, "trainer_revoked")
    assert text is not None and "Judul Produk yang Menjual" in text
