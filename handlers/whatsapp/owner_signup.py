"""Sign-up and profile answers on WhatsApp: greeting, consent, each field, summary, confirm.

The conversation is :class:`~bot.services.signup.SignupService` (and, for changing one
field later, :class:`~bot.services.profile.ProfileService`), exactly as on Telegram; this
module reads the message, calls one service method and sends the next step as a new
message. The phone number comes with the WhatsApp sender, so it is confirmed rather than
asked; a sender without one (a 2026 username) types it and it is validated as on Telegram.
"""

from __future__ import annotations

from enum import Enum

from bot.core import choices as ids
from bot.core.errors import InvalidInput, NotRegistered, Refusal, StaleAction
from bot.core.models import Dialog
from bot.core.notices import Notice
from bot.services import fields, owner_screens, profile, signup
from bot.services.fields import FieldCollector
from bot.services.session_links import linked_session
from bot.services.validation import normalise_phone
from handlers.whatsapp import screens
from handlers.whatsapp.events import InboundKind
from handlers.whatsapp.router import Router, Turn, normalise_word

YES_WORDS = frozenset({"ya", "iya", "yes", "y", "ok", "oke", "setuju"})


class _Replied(Enum):
    """A tap answered in place (a toggle, "another number"): no step was answered."""

    REPLIED = "replied"


REPLIED = _Replied.REPLIED


def sender_phone(turn: Turn) -> str | None:
    """The sender's WhatsApp number as a valid Indonesian phone (+62…), if it is one."""
    if turn.event.wa_id is None:
        return None
    try:
        return normalise_phone(f"+{turn.event.wa_id}")
    except InvalidInput:
        return None


def collector_for(turn: Turn, dialog: Dialog | None) -> FieldCollector | None:
    """The service collecting fields in the user's dialog (sign-up or profile), if any."""
    if dialog is None:
        return None
    services = turn.services
    return {signup.FLOW: services.signup, profile.FLOW: services.profile}.get(dialog.flow)


def step_for(turn: Turn, dialog: Dialog) -> Notice:
    """The question of the step the user is at."""
    return screens.step_notice(
        turn.services.catalog,
        turn.language,
        dialog.flow,
        dialog.step,
        dialog.data,
        sender_phone(turn),
    )


async def ask_current(turn: Turn) -> None:
    """Ask the question of the step the user is at (the flows' ``resume``)."""
    dialog = await turn.dialog()
    if dialog is not None:
        await turn.send(step_for(turn, dialog))


async def ask_again(turn: Turn, lead: str) -> None:
    """Say why the answer was not taken, with the current question under it."""
    dialog = await turn.dialog()
    if dialog is None:
        await turn.send(Notice(lead))
        return
    turn.prompted = True
    await turn.send(owner_screens.with_lead(lead, step_for(turn, dialog)))


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
    dialog = await turn.services.signup.begin(turn.user_id)
    owner = await turn.services.profile.get(turn.user_id)
    if dialog is None and owner is not None:
        tz = turn.services.settings.timezone
        notice = screens.profile_notice(turn.services.catalog, turn.language, owner, tz)
        await turn.send(owner_screens.with_lead(turn.t("signup.already"), notice))
        return
    if dialog is None:
        return
    turn.prompted = True
    await turn.send(owner_screens.with_lead(turn.t("signup.intro"), step_for(turn, dialog)))


async def received_input(turn: Turn) -> None:
    """Take typed text as the answer to the current question; refuse anything else kindly."""
    dialog = await turn.dialog()
    collector = collector_for(turn, dialog)
    if collector is None or dialog is None:
        return
    if turn.event.kind is not InboundKind.TEXT or not turn.text:
        key = "wa.input.location" if turn.event.kind is InboundKind.LOCATION else "input.need_text"
        await ask_again(turn, turn.t(key))
        return
    try:
        following = await _typed(turn, collector, dialog)
    except InvalidInput as refusal:
        key = "wa.input.use_choices" if refusal.key == "input.use_buttons" else refusal.key
        await ask_again(turn, turn.t(key, **refusal.params))
        return
    except NotRegistered:
        await turn.say("profile.not_registered")
        return
    await after_answer(turn, dialog.step, following)


async def _typed(turn: Turn, collector: FieldCollector, dialog: Dialog) -> Dialog | None:
    """Pass typed text on: an option's name picks it, "ya" confirms the sender's number."""
    step, word = dialog.step, normalise_word(turn.text)
    if step in fields.CHOICE_FIELDS:
        for code in fields.CHOICE_FIELDS[step]:
            label = owner_screens.option_label(turn.services.catalog, turn.language, step, code)
            if word in (normalise_word(label), code):
                return await collector.answer_choice(turn.user_id, step, code)
    phone = sender_phone(turn)
    if step == "phone" and phone is not None and word in YES_WORDS:
        return await collector.answer_contact(turn.user_id, turn.user_id, phone)
    return await collector.answer_text(turn.user_id, turn.text)


async def after_answer(turn: Turn, answered: str, following: Dialog | None) -> None:
    """Show the answer taken and ask the next question (or show the saved profile)."""
    catalog, language = turn.services.catalog, turn.language
    turn.prompted = True
    if following is None:
        owner = await turn.services.profile.get(turn.user_id)
        if owner is None:
            await turn.say("profile.saved")
            return
        view = screens.profile_notice(catalog, language, owner, turn.services.settings.timezone)
        await turn.send(owner_screens.with_lead(turn.t("profile.saved"), view))
        return
    value = following.data.get(answered)
    lead = owner_screens.answer_line(catalog, language, answered, value) if answered else None
    await turn.send(owner_screens.with_lead(lead, step_for(turn, following)))


async def tapped_answer(turn: Turn) -> None:
    """Take a tapped option (choice, marketplace toggle, done, skip, phone) for the question."""
    parts = ids.parse(turn.choice_id, ids.ANSWER, 2)
    dialog = await turn.dialog()
    collector = collector_for(turn, dialog)
    if parts is None or collector is None or dialog is None:
        await turn.stale()
        return
    field, code = parts
    try:
        following = await _tapped(turn, collector, dialog, field, code)
    except StaleAction:
        await turn.stale()
        return
    except Refusal as refusal:
        await ask_again(turn, turn.t(refusal.key, **refusal.params))
        return
    if not isinstance(following, _Replied):
        await after_answer(turn, field, following)


async def _tapped(
    turn: Turn, collector: FieldCollector, dialog: Dialog, field: str, code: str
) -> Dialog | _Replied | None:
    """Apply one tap; REPLIED when the reply was sent here and no step was answered."""
    user_id = turn.user_id
    if field == fields.MULTI_FIELD and code != "done":
        toggled = await collector.toggle(user_id, code)
        await turn.send(step_for(turn, toggled))
        return REPLIED
    if field == fields.MULTI_FIELD:
        return await collector.finish_multi(user_id)
    if field == "nib" and code == "skip":
        return await collector.skip_nib(user_id)
    if field == "phone":
        return await _tapped_phone(turn, collector, dialog, code)
    return await collector.answer_choice(user_id, field, code)


async def _tapped_phone(
    turn: Turn, collector: FieldCollector, dialog: Dialog, code: str
) -> Dialog | _Replied | None:
    """Use the sender's number, or ask them to type another one."""
    phone = sender_phone(turn)
    if code == screens.PHONE_FROM_WHATSAPP and phone is not None:
        return await collector.answer_contact(turn.user_id, turn.user_id, phone)
    if code != screens.PHONE_OTHER or dialog.step != "phone":
        raise StaleAction(code)
    await turn.send(screens.phone_notice(turn.services.catalog, turn.language, None))
    return REPLIED


async def tapped_signup(turn: Turn) -> None:
    """Handle the consent, change and confirm buttons of sign-up."""
    parts = ids.parse(turn.choice_id, ids.SIGNUP, 2) or ids.parse(turn.choice_id, ids.SIGNUP, 1)
    try:
        match parts:
            case ["consent", answer] if answer in ("yes", "no"):
                await _consented(turn, answer == "yes")
            case ["edit", field]:
                dialog = await turn.services.signup.edit(turn.user_id, field)
                await turn.send(step_for(turn, dialog))
            case [owner_screens.EDITS]:
                await _show_edits(turn)
            case ["confirm"]:
                await _confirmed(turn)
            case _:
                raise StaleAction(turn.choice_id)
    except StaleAction:
        await turn.stale()


async def _confirmed(turn: Turn) -> None:
    """Create the profile; then show the session sign-up started from, as Telegram does."""
    from handlers.whatsapp.owner_booking import show_session  # it asks sign-up's questions

    owner, payload = await turn.services.signup.confirm(turn.user_id)
    await turn.say("signup.done", name=owner.full_name)
    session = await linked_session(turn.services.sessions, payload)
    if session is not None:
        await show_session(turn, session)


async def _consented(turn: Turn, agreed: bool) -> None:
    dialog = await turn.services.signup.consent(turn.user_id, agreed=agreed)
    choice = turn.t("signup.consent_yes" if agreed else "signup.consent_no")
    record = turn.t("answer.consent", choice=choice)
    if dialog is None:
        await turn.send(Notice(f"{record}\n\n{turn.t('signup.declined')}"))
        return
    await turn.send(owner_screens.with_lead(record, step_for(turn, dialog)))


async def _show_edits(turn: Turn) -> None:
    dialog = await turn.dialog()
    if dialog is None or dialog.flow != signup.FLOW or dialog.step != signup.SUMMARY:
        raise StaleAction(owner_screens.EDITS)
    await turn.send(owner_screens.edit_list(turn.services.catalog, turn.language, ids.SIGNUP))


def register(router: Router) -> None:
    """Add the sign-up word, the sign-up and answer taps, and the two field flows."""
    router.add_word("daftar", ("sign up", "signup", "register", "registrasi"), sign_up)
    router.add_choice(ids.SIGNUP, tapped_signup)
    router.add_choice(ids.ANSWER, tapped_answer)
    router.add_flow(signup.FLOW, received_input, ask_current)
    router.add_flow(profile.FLOW, received_input, ask_current)
