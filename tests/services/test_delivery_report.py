"""The outbox report: what waits, what failed, and who blocked the bot with a seat."""

from __future__ import annotations

from bot.app.container import Services
from bot.services.delivery_report import outbox_report
from tests.services.conftest import BUDI, SITI, new_session, sign_up


async def test_an_owner_who_blocked_the_bot_is_named_with_their_sessions(
    services: Services,
) -> None:
    await sign_up(services, SITI, "Siti")
    await sign_up(services, BUDI, "Budi")
    session = await new_session(services, "Foto Produk dengan HP")
    await services.booking.book(SITI, session.id)
    await services.users.blocked_the_bot(SITI)
    report = await outbox_report(services)
    (owner,) = report.unreachable
    assert (owner.user_id, owner.name, owner.sessions) == (
        SITI,
        "Siti",
        ("Foto Produk dengan HP",),
    )
    assert report.total("pending") >= 1 and report.failed == []
