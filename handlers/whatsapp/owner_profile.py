"""The owner's profile and language on WhatsApp: "profil", "bahasa" and their buttons."""

from __future__ import annotations

from bot.core import choices as ids
from bot.core.errors import NotRegistered, StaleAction
from bot.services import owner_screens
from handlers.whatsapp import screens
from handlers.whatsapp.owner_signup import step_for
from handlers.whatsapp.router import Router, Turn


async def show_profile(turn: Turn) -> None:
    """Send the owner's profile with its buttons (or how to sign up)."""
    owner = await turn.services.profile.get(turn.user_id)
    if owner is None:
        await turn.say("profile.not_registered")
        return
    tz = turn.services.settings.timezone
    await turn.send(screens.profile_notice(turn.services.catalog, turn.language, owner, tz))


async def choose_language(turn: Turn) -> None:
    """Offer the two languages."""
    await turn.send(owner_screens.language_picker(turn.services.catalog, turn.language))


async def tapped_profile(turn: Turn) -> None:
    """List the fields to change, or open the editor of the one tapped."""
    parts = ids.parse(turn.choice_id, ids.PROFILE, 1) or ids.parse(turn.choice_id, ids.PROFILE, 2)
    try:
        match parts:
            case [owner_screens.EDITS]:
                if await turn.services.profile.get(turn.user_id) is None:
                    raise NotRegistered(turn.user_id)
                notice = owner_screens.edit_list(turn.services.catalog, turn.language, ids.PROFILE)
                await turn.send(notice)
            case ["edit", field]:
                dialog = await turn.services.profile.start_edit(turn.user_id, field)
                turn.prompted = True
                await turn.send(step_for(turn, dialog))
            case _:
                raise StaleAction(turn.choice_id)
    except StaleAction:
        await turn.stale()
    except NotRegistered:
        await turn.say("profile.not_registered")


async def tapped_language(turn: Turn) -> None:
    """Switch language (the reply is already in the new one), or offer the two."""
    parts = ids.parse(turn.choice_id, ids.LANGUAGE, 1)
    if parts == ["ask"]:
        await choose_language(turn)
        return
    if parts is None or parts[0] not in ("id", "en"):
        await turn.stale()
        return
    if parts[0] == turn.language and turn.router.repeated(turn):
        await turn.say("wa.stale.repeat")  # a double tap: already switched
        return
    await turn.services.users.set_language(turn.user_id, parts[0])
    turn.user = await turn.services.users.get(turn.user_id) or turn.user
    await turn.say("lang.changed")


def register(router: Router) -> None:
    """Add the profile and language words and buttons."""
    router.add_word("profil", ("profile", "data usaha"), show_profile)
    router.add_word("bahasa", ("language", "bhs", "english", "indonesia"), choose_language)
    router.add_choice(ids.PROFILE, tapped_profile)
    router.add_choice(ids.LANGUAGE, tapped_language)
