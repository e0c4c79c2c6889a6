"""The owner's home on WhatsApp: the "Menu" list, help, announcements on/off, cancel."""

from __future__ import annotations

from bot.core import choices as ids
from bot.core.models import Role
from bot.services.owner_home import help_screen
from bot.services.owner_menu import MenuEntry, owner_menu
from handlers.whatsapp import screens
from handlers.whatsapp.owner_signup import greet
from handlers.whatsapp.router import Router, Turn
from handlers.whatsapp.window import OPEN_PAYLOAD, STOP_PAYLOAD

TEMPLATE_KIND = OPEN_PAYLOAD.split(":", 1)[0]  # quick replies a template adds on its own


async def _registered(turn: Turn) -> bool:
    return await turn.services.profile.get(turn.user_id) is not None


async def _entries(turn: Turn) -> tuple[MenuEntry, ...]:
    """The menu's entries for what the user is (owner or guest), as the service has them."""
    registered = await _registered(turn)
    return owner_menu(turn.services.catalog, turn.language, registered=registered)


async def show_menu(turn: Turn, lead: str | None = None) -> None:
    """Send the "Menu" list for what the user is (owner or guest), under ``lead``."""
    text = lead or turn.t("wa.menu.lead")
    button = turn.t("wa.menu.button")
    await turn.send(screens.menu_notice(await _entries(turn), text, button))


async def show_help(turn: Turn) -> None:
    """List the words the person can type (the menu's, then menu, start and cancel), built
    as on every channel (:func:`bot.services.owner_home.help_screen`)."""
    services = turn.services
    registered = await _registered(turn)
    # Declared: staff and trainers work on Telegram; WhatsApp has none of their words.
    owner = frozenset({Role.OWNER})
    await turn.send(help_screen(services.catalog, turn.language, owner, registered=registered))


async def announcements_off(turn: Turn) -> None:
    """Turn general announcements off."""
    await turn.services.broadcasts.set_announcements(turn.user_id, on=False)
    await turn.say("announcements.off")


async def start(turn: Turn) -> None:
    """Turn announcements back on for an owner; welcome a newcomer into sign-up."""
    if await turn.services.unprompted.newcomer(turn.user_id):
        await greet(turn)
        return
    await turn.services.broadcasts.set_announcements(turn.user_id, on=True)
    await turn.say("announcements.on")


async def cancel(turn: Turn) -> None:
    """Leave whatever conversation the user is in."""
    await turn.say(await turn.services.dialogs.cancel(turn.user_id))


async def tapped_menu(turn: Turn) -> None:
    """Run the word of the tapped "Menu" row."""
    parts = ids.parse(turn.choice_id, screens.MENU, 1)
    if parts is None or parts[0] not in turn.router.word_handlers:
        await turn.stale()
        return
    await turn.router.run_word(turn, parts[0])


async def tapped_template(turn: Turn) -> None:
    """A template's own quick replies: "stop news", or "tap to read it" (what it held)."""
    if turn.choice_id == STOP_PAYLOAD:
        await announcements_off(turn)
    elif turn.choice_id == OPEN_PAYLOAD:
        if not turn.released:  # the router sent what waited as the turn began
            await show_menu(turn)
    else:
        await turn.stale()


def register(router: Router) -> None:
    """Add the home words, the menu rows and taps."""
    router.add_word("menu", ("home", "beranda"), show_menu)
    router.add_word("bantuan", ("help", "tolong", "info"), show_help)
    router.add_word("berhenti", ("stop", "unsubscribe"), announcements_off)
    router.add_word("mulai", ("start", "subscribe"), start)
    router.add_word("batal", ("cancel",), cancel)
    router.add_choice(screens.MENU, tapped_menu)
    router.add_choice(TEMPLATE_KIND, tapped_template)
