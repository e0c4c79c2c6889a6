"""Notice kinds: one enum in bot/core names every outbox kind, and each has its builder."""

from __future__ import annotations

from bot.app.container import Services
from bot.app.delivery import programme_builders
from bot.core.notices import NoticeKind
from bot.services import notices


async def test_every_kind_the_programme_queues_has_one_builder(services: Services) -> None:
    built = set(programme_builders(services).build)
    # the busy-hour welcome is rendered by the edge that queued it (handlers/telegram/admission)
    assert built | {NoticeKind.SIGNUP_WELCOME} == set(NoticeKind)
    assert all(isinstance(kind, NoticeKind) for kind in built)


def test_replies_jump_the_queue_after_offers() -> None:
    replies = {notices.PRIORITY[kind] for kind in notices.REPLIES}
    assert replies == {2} and notices.PRIORITY[NoticeKind.SEAT_OFFER] < 2
