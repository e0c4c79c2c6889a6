"""Owners learning on WhatsApp: "tips", daily tips, check-in at the session, feedback stars.

**Check-in.** The trainer's QR on WhatsApp is the click-to-chat link
``https://wa.me/<business number>?text=HADIR-<code>``: scanning it opens the chat with the
text typed, the owner sends it, and the code is checked by
:meth:`~bot.services.attendance.AttendanceService.check_in` exactly as Telegram's
``/start hadir-<code>`` is. The code is case-sensitive and may hold "-" and "_", so the text
cannot be a router word: it is a link text (:func:`~bot.services.attendance.typed_checkin`,
as on Telegram), read before words and open steps.

**Feedback.** The question after a session (``fb:v1:<booking>:<1-5>``) is built by
``bot.services.owner_notices``; a star tap is checked by the attendance service (only the
attendee rates) through :class:`~bot.services.feedback.FeedbackService`, as on Telegram;
then the owner may type a comment or tap "skip".
"""

from __future__ import annotations

from bot.core import choices as ids
from bot.core.errors import InvalidInput, NotAllowed, StaleAction
from bot.core.notices import Notice
from bot.services import feedback
from bot.services.attendance import typed_checkin
from bot.services.tip_steps import TipSteps
from handlers.whatsapp.events import InboundKind
from handlers.whatsapp.router import Router, Turn

SKIP = feedback.SKIP  # fb:v1:<booking id>:skip


async def check_in(turn: Turn, code: str) -> bool:
    """Record the owner's attendance by the session's check-in code; False if a question is
    open and no session has the code (the text is its answer: "hadir besok")."""
    step_open = await turn.dialog() is not None
    answer = await turn.services.attendance.checked_in(turn.user_id, code, step_open=step_open)
    if answer is None:
        return False
    key, params = answer
    await turn.say(key, **params)
    return True


def steps(turn: Turn) -> TipSteps:
    """The tips conversation in the person's language."""
    services = turn.services
    return TipSteps(services.tips, services.catalog, services.settings.timezone, turn.language)


async def show_tip(turn: Turn) -> None:
    """Send a tip chosen for this owner (and restart a broken daily chain)."""
    await turn.send(await steps(turn).asked(turn.user_id))


async def daily_settings(turn: Turn) -> None:
    """Show the daily tip settings: state, the three times, pause or resume."""
    await turn.send(await steps(turn).daily(turn.user_id))


async def tapped_tips(turn: Turn) -> None:
    """Handle every tips button; a forged or stale one changes nothing."""
    try:
        answer = await steps(turn).tapped(turn.user_id, turn.choice_id)
    except (NotAllowed, InvalidInput):
        await turn.stale()
        return
    await turn.send(answer.notice)


def _comment_question(turn: Turn, booking_id: int, stars: int | None = None) -> Notice:
    """ "Your rating: ⭐⭐⭐⭐ — thank you! Add a comment?" (asked again: "Add a comment?"),
    with its skip button (decided in the feedback service)."""
    return feedback.comment_question(turn.services.catalog, turn.language, booking_id, stars)


async def tapped_feedback(turn: Turn) -> None:
    """Record the stars (then ask for a comment), or skip the comment."""
    try:
        taken = await turn.services.feedback.tapped(turn.user_id, turn.choice_id)
    except StaleAction:
        await turn.stale()
        return
    if taken.stars is None:
        await turn.say("feedback.skipped")
        return
    turn.prompted = True
    await turn.send(_comment_question(turn, taken.booking_id, taken.stars))


async def _awaited(turn: Turn) -> int | None:
    """The booking whose comment the owner's dialog waits for, if it does."""
    return feedback.awaited_comment(await turn.dialog())


async def received_comment(turn: Turn) -> None:
    """Take the typed comment on the rating just given, or refuse what is not typed and ask
    again (the service decides)."""
    typed = turn.text if turn.event.kind is InboundKind.TEXT else None
    reply = await turn.services.feedback.comment_step(
        turn.user_id, turn.received, typed, language=turn.language
    )
    if reply is not None:
        turn.prompted = reply.asks
        await turn.send(reply.notice)


async def ask_comment(turn: Turn) -> None:
    """Ask for the comment again (the flow's ``resume``)."""
    booking_id = await _awaited(turn)
    if booking_id is not None:
        await turn.send(_comment_question(turn, booking_id))


def register(router: Router) -> None:
    """Add tips, daily tips, feedback and the typed check-in."""
    router.add_word("tips", ("tip", "tips jualan"), show_tip)
    router.add_word(
        "tipsharian",
        ("tips harian", "daily tips", "dailytips", "langganan tips", "langganantips"),
        daily_settings,
    )
    router.add_choice(ids.TIPS, tapped_tips)
    router.add_choice(ids.FEEDBACK, tapped_feedback)
    router.add_flow(feedback.FLOW, received_comment, ask_comment)
    router.add_link_text(typed_checkin, check_in)
