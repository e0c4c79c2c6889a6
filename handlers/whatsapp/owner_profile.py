"""The owner's profile and language on WhatsApp: "profil", "bahasa" and their buttons.

The steps are :class:`~bot.services.profile_steps.ProfileSteps`', as on every channel.
"""

from __future__ import annotations

from bot.core import choices as ids
from bot.core.errors import NotRegistered, StaleAction
from handlers.whatsapp.owner_signup import show, steps
from handlers.whatsapp.router import Router, Turn


async def show_profile(turn: Turn) -> None:
    """Send the owner's profile with its buttons (or how to sign up)."""
    await turn.send(await steps(turn).profile_screen(turn.user_id))


async def choose_language(turn: Turn) -> None:
    """Offer the two languages."""
    await turn.send(steps(turn).language_picker())


async def tapped_profile(turn: Turn) -> None:
    """List the fields to change, or open the editor of the one tapped."""
    try:
        await show(turn, await steps(turn).tapped_profile(turn.user_id, turn.choice_id))
    except StaleAction:
        await turn.stale()
    except NotRegistered:
        await turn.say("profile.not_registered")


async def tapped_language(turn: Turn) -> None:
    """Switch language (the reply is already in the new one), or offer the two."""
    try:
        step = await steps(turn).tapped_language(
            turn.user_id, turn.choice_id, repeated=turn.router.repeated(turn)
        )
    except StaleAction:
        await turn.stale()
        return
    turn.user = await turn.services.users.get(turn.user_id) or turn.user
    await show(turn, step)


def register(router: Router) -> None:
    """Add the profile and language words and buttons."""
    router.add_word("profil", ("profile", "data usaha"), show_profile)
    router.add_word("bahasa", ("language", "bhs", "english", "indonesia"), choose_language)
    router.add_choice(ids.PROFILE, tapped_profile)
    router.add_choice(ids.LANGUAGE, tapped_language)
