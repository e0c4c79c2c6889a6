"""Outcome check-ins on WhatsApp: the buttons (a list for the marketplaces) and the free-text
obstacle; the service decides the next question, as on Telegram."""

from __future__ import annotations

from bot.core import choices as ids
from bot.core.errors import StaleAction
from bot.core.notices import ChannelName
from bot.services import outcomes as rules
from handlers.whatsapp.router import Router, Turn


async def tapped(turn: Turn) -> None:
    """Take one answer and ask the next question."""
    try:
        row_id, kind, value = rules.tapped(turn.choice_id)
        checkin, step = await turn.services.outcomes.answer(turn.user_id, row_id, kind, value)
    except StaleAction:
        await turn.stale()
        return
    turn.prompted = step is rules.Step.OBSTACLE
    await turn.send(rules.question(turn.services.catalog, turn.language, checkin, step))


async def received_obstacle(turn: Turn) -> None:
    """Keep what stops the owner, or refuse it and ask again (the service decides)."""
    reply = await turn.services.outcomes.obstacle_step(
        turn.user_id,
        turn.received,
        turn.text,
        channel=ChannelName.WHATSAPP,
        language=turn.language,
    )
    if reply is not None:
        turn.prompted = reply.asks
        await turn.send(reply.notice)


async def ask_obstacle(turn: Turn) -> None:
    """Ask again (the flow's ``resume``)."""
    checkin = await turn.services.outcomes.awaited_obstacle(turn.user_id)
    if checkin is not None:
        turn.prompted = True
        await turn.send(
            rules.question(turn.services.catalog, turn.language, checkin, rules.Step.OBSTACLE)
        )


def register(router: Router) -> None:
    """Add the check-in buttons and the obstacle flow."""
    router.add_choice(ids.OUTCOME, tapped)
    router.add_flow(rules.FLOW, received_obstacle, ask_obstacle)
