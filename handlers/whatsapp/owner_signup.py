"""Sign-up and profile answers on WhatsApp: greeting, consent, each field, summary, confirm.

The conversation is :class:`~bot.services.signup.SignupService` (and, for changing one
field later, :class:`~bot.services.profile.ProfileService`), exactly as on Telegram; this
module reads the message, calls one service method and sends the next step as a new
message. The phone number comes with the WhatsApp sender, so it is confirmed rather than
asked; a sender without one (a 2026 username) types it and it is validated as on Telegram.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core import choices as ids
from bot.core.errors import InvalidInput, NotRegistered, Refusal, StaleAction
from bot.core.models import Dialog
from bot.core.notices import Notice
from bot.services import owner_screens, profile, signup
from bot.services.profile_steps import ProfileSteps, Step
from bot.services.validation import normalise_phone
from handlers.whatsapp import screens
from handlers.whatsapp.events import InboundKind
from handlers.whatsapp.router import Router, Turn


def sender_phone(turn: Turn) -> str | None:
    """The sender's WhatsApp number as a valid Indonesian phone (+62…), if it is one."""
    if turn.event.wa_id is None:
        return None
    try:
        return normalise_phone(f"+{turn.event.wa_id}")
    except InvalidInput:
        return None


def steps(turn: Turn) -> ProfileSteps:
    """The sign-up, profile and language steps for the person of ``turn``, in WhatsApp's
    wording (the sender's number confirmed, Meta's part in the consent)."""
    services, language = turn.services, turn.language
    catalog = services.catalog

    def ask(field: str, data: Mapping[str, Any], phone: str | None) -> Notice:
        return screens.field_notice(catalog, language, field, data, phone)

    return ProfileSteps(
        services.signup,
        services.profile,
        services.dialogs,
        services.users,
        services.sessions,
        catalog,
        services.settings.timezone,
        language,
        screens.ROOM,
        ask,
        catalog.text(language, "wa.signup.meta_note"),
        sender_phone(turn),
    )


def step_for(turn: Turn, dialog: Dialog) -> Notice:
    """The question of the step the user is at."""
    return steps(turn).question(dialog)


async def show(turn: Turn, step: Step) -> None:
    """Send what the step shows, as one message (and the session it names after it)."""
    turn.prompted = turn.prompted or step.dialog is not None
    await turn.send(step.screen)
    if step.session is not None:
        from handlers.whatsapp.owner_booking import show_session  # it asks sign-up's questions

        await show_session(turn, step.session)


async def ask_current(turn: Turn) -> None:
    """Ask the question of the step the user is at (the flows' ``resume``)."""
    dialog = await turn.dialog()
    if dialog is not None:
        await turn.send(step_for(turn, dialog))


async def ask_again(turn: Turn, lead: str) -> None:
    """Say why the answer was not taken, with the current question under it."""
    await show(turn, await steps(turn).asked_again(turn.user_id, lead))


async def greet(turn: Turn) -> None:
    """Welcome a newcomer into sign-up (consent first); greet a registered owner back."""
    name = turn.event.profile_name or turn.t("wa.start.friend")
    dialog = await turn.services.signup.begin(turn.user_id)
    if dialog is None:
        await turn.say("wa.welcome.back", name=name)
        return
    turn.prompted = True  # greet, then the question they are at (the consent, for a newcomer)
    welcome = turn.t("wa.start.welcome", name=name)
    await turn.send(owner_screens.with_lead(welcome, step_for(turn, dialog)))


async def sign_up(turn: Turn) -> None:
    """Start or resume sign-up; a registered owner sees their profile instead."""
    await show(turn, await steps(turn).sign_up(turn.user_id))


async def received_input(turn: Turn) -> None:
    """Take typed text as the answer to the current question; refuse anything else kindly."""
    if turn.event.kind is not InboundKind.TEXT or not turn.text:
        key = "wa.input.location" if turn.event.kind is InboundKind.LOCATION else "input.need_text"
        await ask_again(turn, turn.t(key))
        return
    try:
        step = await steps(turn).typed(turn.user_id, turn.text)
    except InvalidInput as refusal:
        key = "wa.input.use_choices" if refusal.key == "input.use_buttons" else refusal.key
        await ask_again(turn, turn.t(key, **refusal.params))
        return
    except NotRegistered:
        await turn.say("profile.not_registered")
        return
    if step is not None:
        turn.prompted = True
        await show(turn, step)


async def tapped_answer(turn: Turn) -> None:
    """Take a tapped option (choice, marketplace toggle, done, skip, phone) for the question."""
    try:
        step = await steps(turn).tapped_answer(turn.user_id, turn.choice_id)
    except StaleAction:
        await turn.stale()
        return
    except Refusal as refusal:
        await ask_again(turn, turn.t(refusal.key, **refusal.params))
        return
    turn.prompted = True
    await show(turn, step)


async def tapped_signup(turn: Turn) -> None:
    """Handle the consent, change and confirm buttons of sign-up."""
    try:
        await show(turn, await steps(turn).tapped_signup(turn.user_id, turn.choice_id))
    except StaleAction:
        await turn.stale()


def register(router: Router) -> None:
    """Add the sign-up word, the sign-up and answer taps, and the two field flows."""
    router.add_word("daftar", ("sign up", "signup", "register", "registrasi"), sign_up)
    router.add_choice(ids.SIGNUP, tapped_signup)
    router.add_choice(ids.ANSWER, tapped_answer)
    router.add_flow(signup.FLOW, received_input, ask_current)
    router.add_flow(profile.FLOW, received_input, ask_current)
