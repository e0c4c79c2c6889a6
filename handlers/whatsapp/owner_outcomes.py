"""Outcome check-ins on WhatsApp: the buttons (a list for the marketplaces) and the free-text
obstacle; the service decides the next question, as on Telegram."""

from __future__ import annotations

from bot.core import choices as ids
from bot.core.errors import StaleAction
from bot.core.notices import ChannelName, Notice
from bot.services import outcomes as rules
from handlers.whatsapp.events import InboundKind
from handlers.whatsapp.router import Router, Turn


async def tapped(turn: Turn) -> None:
    """Take one answer and ask the next question."""
    parts = ids.parse(turn.choice_id, ids.OUTCOME, 3)
    try:
        if parts is None or not parts[0].isdigit():
            raise StaleAction(turn.choice_id)
        checkin, step = await turn.services.outcomes.answer(
            turn.user_id, int(parts[0]), parts[1], parts[2]
        )
    except StaleAction:
        await turn.stale()
        return
    turn.prompted = step is rules.Step.OBSTACLE
    await turn.send(rules.question(turn.services.catalog, turn.language, checkin, step))


async def received_obstacle(turn: Turn) -> None:
    """Keep what stops the owner."""
    if turn.event.kind is not InboundKind.TEXT or not turn.text:
        await ask_obstacle(turn)
        return
    try:
        promise = await turn.services.outcomes.received_obstacle(
            turn.user_id, turn.text, channel=ChannelName.WHATSAPP, language=turn.language
        )
    except StaleAction:
        await turn.say("fallback.stale_button")
        return
    saved = turn.services.catalog.text(turn.language, "outcome.obstacle_saved")
    await turn.send(Notice(f"{saved}\n\n{promise}" if promise else saved))


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
