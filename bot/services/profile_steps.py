"""Sign-up, a profile change and the language choice, step by step, once for every channel.

Each step takes what the owner did, already read by the edge (typed text, a shared contact,
a choice id), calls :class:`~bot.services.signup.SignupService` or
:class:`~bot.services.profile.ProfileService` and returns a :class:`Step`: the screen to show
(the next question with the answer just taken above it, the saved profile, the consent's
answer) and the dialog the owner is at now. Issue 21: what an answer meant (a typed option's
name, "ya" to the sender's number, a "change" or "other number" tap) and what followed it
were decided in each edge, and had drifted.

What stays a channel's is its wording of a question (``ask``: WhatsApp confirms the sender's
number and names the chosen marketplaces; Telegram adds its "share my number" keyboard
itself) and how it lays a step out: Telegram edits the question it asked to keep the answer
in it, WhatsApp sends the answer line and the next question as one new message.

Refusals are raised, as the collectors raise them: :class:`~bot.core.errors.InvalidInput`
for an answer that cannot be taken (the edge says why and asks again: :meth:`ProfileSteps.
asked_again`), :class:`~bot.core.errors.StaleAction` for a choice that no longer applies,
:class:`~bot.core.errors.NotRegistered` for a profile change by someone not signed up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from bot.core import choices as ids
from bot.core.errors import NotRegistered, StaleAction
from bot.core.models import Dialog, TrainingSession
from bot.core.notices import Notice
from bot.i18n import LANGUAGES, Catalog
from bot.services import fields, owner_screens, profile, signup, unexpected
from bot.services.dialogs import DialogService
from bot.services.fields import FieldCollector
from bot.services.owner_screens import EDITS, WIDE, Room, with_lead
from bot.services.profile import ProfileService
from bot.services.session_links import SessionsByCode, linked_session
from bot.services.signup import SignupService
from bot.services.users import UserService

# A channel's wording of one field's question: (field, the dialog's data, the number the
# message came from, if the channel knows it) → the question with its choices.
Ask = Callable[[str, Mapping[str, Any], str | None], Notice]

PHONE_FROM_SENDER = "wa"  # ans:v1:phone:wa — use the number the message came from
PHONE_OTHER = "other"  # ans:v1:phone:other — type another number
YES_WORDS = frozenset({"ya", "iya", "yes", "y", "ok", "oke", "setuju"})
_NOISE = re.compile(r"[\s\-_]+")
_EDGE_PUNCTUATION = "!?.,;:'\"()"


def typed_word(text: str) -> str:
    """The form typed text is compared in: "  Kuliner! " → "kuliner", "Jawa-Timur" → ..."""
    return _NOISE.sub("", text.strip().strip(_EDGE_PUNCTUATION).casefold().removeprefix("/"))


@dataclass(frozen=True)
class Step:
    """What follows something the owner did: what to show, and the step they are at now."""

    notice: Notice | None = None  # the question now asked, the profile, a short text
    lead: str | None = None  # a paragraph above it: the answer taken, "saved", "already"
    dialog: Dialog | None = None  # the dialog the owner is at now, when ``notice`` asks it
    answered: str | None = None  # the step whose answer was just taken
    line: str | None = None  # its record ("Jenis usaha: Kuliner ✓"), to keep in the question
    session: TrainingSession | None = None  # to show after it (the one sign-up started from)
    redrawn: bool = False  # only the choices of the question changed (a marketplace toggled)
    switched: str | None = None  # the language the owner switched to
    signed_up: bool = False  # sign-up was confirmed: the owner's profile exists now

    @property
    def screen(self) -> Notice:
        """The lead and the notice as one message."""
        if self.notice is None:
            return Notice(self.lead or "")
        return with_lead(self.lead, self.notice)


@dataclass(frozen=True)
class ProfileSteps:
    """The sign-up, profile and language conversation for one owner's reader and channel."""

    signup: SignupService
    profile: ProfileService
    dialogs: DialogService
    users: UserService
    sessions: SessionsByCode
    catalog: Catalog
    tz: ZoneInfo
    language: str
    room: Room = WIDE
    ask: Ask | None = None  # the channel's wording of a field's question (default: the core's)
    consent_note: str | None = None  # a channel's own paragraph in the consent
    sender_phone: str | None = None  # the number the message came from, if the channel has it

    # -- what the owner is at -------------------------------------------------------------

    def collector(self, dialog: Dialog | None) -> FieldCollector | None:
        """The service collecting fields in the dialog (sign-up or a profile change), if any."""
        if dialog is None:
            return None
        return {signup.FLOW: self.signup, profile.FLOW: self.profile}.get(dialog.flow)

    async def field_dialog(self, user_id: int) -> Dialog | None:
        """The owner's dialog if it collects fields (else None: their text is not an answer)."""
        dialog = await self.dialogs.current(user_id)
        return dialog if self.collector(dialog) is not None else None

    def question(self, dialog: Dialog, *, other_number: bool = False) -> Notice:
        """The message of the step the dialog is at, in the channel's wording
        (``other_number``: the phone typed, not the sender's confirmed)."""
        ask = self.ask
        phone = None if other_number else self.sender_phone

        def worded(field: str, data: Mapping[str, Any]) -> Notice:
            assert ask is not None
            return ask(field, data, phone)

        return owner_screens.step_screen(
            self.catalog,
            self.language,
            dialog.flow,
            dialog.step,
            dialog.data,
            self.room,
            ask=worded if ask is not None else None,
            consent_note=self.consent_note,
        )

    async def asked_again(self, user_id: int, lead: str) -> Step:
        """``lead`` (why an answer was not taken) with the current question under it."""
        dialog = await self.field_dialog(user_id)
        if dialog is None:
            return Step(lead=lead)
        return Step(self.question(dialog), lead, dialog)

    async def refused(self, user_id: int, received: unexpected.Received) -> Step | None:
        """Something the current question cannot take (a location, a photo, a sticker): why,
        with the question under it (None: no question is open)."""
        dialog = await self.field_dialog(user_id)
        if dialog is None:
            return None
        key = unexpected.refusal(received, fields.expects(dialog.step))
        return Step(self.question(dialog), self._t(key), dialog)

    # -- words ------------------------------------------------------------------------------

    async def sign_up(self, user_id: int) -> Step:
        """ "daftar": sign-up started or resumed; a signed-up owner gets their profile."""
        dialog = await self.signup.begin(user_id)
        if dialog is None:
            return Step(await self.profile_screen(user_id), self._t("signup.already"))
        return Step(self.question(dialog), self._t("signup.intro"), dialog)

    async def profile_screen(self, user_id: int) -> Notice:
        """ "profil": the stored profile with its choices (or how to sign up)."""
        owner = await self.profile.get(user_id)
        if owner is None:
            return Notice(self._t("profile.not_registered"))
        return owner_screens.profile_screen(self.catalog, self.language, owner, self.tz, self.room)

    def language_picker(self) -> Notice:
        """ "bahasa": the two languages."""
        return owner_screens.language_picker(self.catalog, self.language)

    # -- answers ----------------------------------------------------------------------------

    async def typed(self, user_id: int, text: str) -> Step | None:
        """Typed text as the answer to the current question (None: no question is open).

        An option's name or code picks it ("kuliner"), and "ya" takes the number the message
        came from when the question is the phone and the channel knows that number.
        """
        dialog = await self.field_dialog(user_id)
        collector = self.collector(dialog)
        if dialog is None or collector is None:
            return None
        step, word = dialog.step, typed_word(text)
        for code in fields.CHOICE_FIELDS.get(step, ()):
            label = owner_screens.option_label(self.catalog, self.language, step, code)
            if word in (typed_word(label), code):
                following = await collector.answer_choice(user_id, step, code)
                return await self._answered(user_id, step, following)
        if step == "phone" and self.sender_phone is not None and word in YES_WORDS:
            following = await collector.answer_contact(user_id, self.sender_phone, own=True)
        else:
            following = await collector.answer_text(user_id, text)
        return await self._answered(user_id, step, following)

    async def shared_contact(self, user_id: int, phone: str, *, own: bool) -> Step | None:
        """A shared contact as the phone number, if it is the sender's own (``own``, as the
        channel tells; None: no question is open; StaleAction: the open question is not the
        phone)."""
        dialog = await self.field_dialog(user_id)
        collector = self.collector(dialog)
        if dialog is None or collector is None:
            return None
        following = await collector.answer_contact(user_id, phone, own=own)
        return await self._answered(user_id, dialog.step, following)

    async def tapped_answer(self, user_id: int, choice_id: str | None) -> Step:
        """A tapped option (``ans:v1:<field>:<code>``): a choice, a marketplace toggled or
        done, "skip" the NIB, the sender's number or another one."""
        parts = ids.parse(choice_id, ids.ANSWER, 2)
        dialog = await self.field_dialog(user_id)
        collector = self.collector(dialog)
        if parts is None or dialog is None or collector is None:
            raise StaleAction(choice_id)
        field, code = parts
        if field == fields.MULTI_FIELD and code != "done":
            toggled = await collector.toggle(user_id, code)
            return Step(self.question(toggled), dialog=toggled, redrawn=True)
        if field == fields.MULTI_FIELD:
            following = await collector.finish_multi(user_id)
        elif field == "nib" and code == "skip":
            following = await collector.skip_nib(user_id)
        elif field == "phone" and code == PHONE_FROM_SENDER and self.sender_phone is not None:
            following = await collector.answer_contact(user_id, self.sender_phone, own=True)
        elif field == "phone":
            if code != PHONE_OTHER or dialog.step != "phone":
                raise StaleAction(code)
            return Step(self.question(dialog, other_number=True), dialog=dialog)
        else:
            following = await collector.answer_choice(user_id, field, code)
        return await self._answered(user_id, field, following)

    async def tapped_signup(self, user_id: int, choice_id: str | None) -> Step:
        """Sign-up's own choices: consent yes / no, change a field, the fields to change,
        confirm (then the session sign-up started from, if any)."""
        parts = ids.parse(choice_id, ids.SIGNUP, 2) or ids.parse(choice_id, ids.SIGNUP, 1)
        match parts:
            case ["consent", answer] if answer in ("yes", "no"):
                return await self._consented(user_id, answer == "yes")
            case ["edit", field]:
                dialog = await self.signup.edit(user_id, field)
                return Step(self.question(dialog), dialog=dialog)
            case [owner_screens.EDITS]:
                if not await self._at_summary(user_id):
                    raise StaleAction(EDITS)
                return Step(owner_screens.edit_list(self.catalog, self.language, ids.SIGNUP))
            case ["confirm"]:
                owner, payload = await self.signup.confirm(user_id)
                done = Notice(self._t("signup.done", name=owner.full_name))
                session = await linked_session(self.sessions, payload)
                return Step(done, session=session, signed_up=True)
            case _:
                raise StaleAction(choice_id)

    async def tapped_profile(self, user_id: int, choice_id: str | None) -> Step:
        """The profile's choices: the fields to change, or change one."""
        parts = ids.parse(choice_id, ids.PROFILE, 1) or ids.parse(choice_id, ids.PROFILE, 2)
        match parts:
            case [owner_screens.EDITS]:
                if await self.profile.get(user_id) is None:
                    raise NotRegistered(user_id)
                return Step(owner_screens.edit_list(self.catalog, self.language, ids.PROFILE))
            case ["edit", field]:
                dialog = await self.profile.start_edit(user_id, field)
                return Step(self.question(dialog), dialog=dialog)
            case _:
                raise StaleAction(choice_id)

    async def tapped_language(
        self, user_id: int, choice_id: str | None, *, repeated: bool = False
    ) -> Step:
        """Offer the two languages (``lg:v1:ask``), or switch: "changed" comes in the new one.

        ``repeated``: the same button on the same message as the person's last tap; if it
        names the language they already have, the first tap switched and it is only noted.
        """
        parts = ids.parse(choice_id, ids.LANGUAGE, 1)
        if parts == ["ask"]:
            return Step(self.language_picker())
        if parts is None or parts[0] not in LANGUAGES:
            raise StaleAction(choice_id)
        if repeated and parts[0] == self.language:
            return Step(Notice(self.catalog.text(self.language, unexpected.REPEAT)))
        await self.users.set_language(user_id, parts[0])
        return Step(Notice(self.catalog.text(parts[0], "lang.changed")), switched=parts[0])

    # -- what follows -----------------------------------------------------------------------

    async def _consented(self, user_id: int, agreed: bool) -> Step:
        """The consent's answer kept above what follows: the first question, or "declined"."""
        dialog = await self.signup.consent(user_id, agreed=agreed)
        choice = self._t("signup.consent_yes" if agreed else "signup.consent_no")
        record = self._t("answer.consent", choice=choice)
        if dialog is None:
            return Step(Notice(self._t("signup.declined")), record, answered=signup.CONSENT)
        return Step(self.question(dialog), record, dialog, signup.CONSENT)

    async def _answered(self, user_id: int, step: str, following: Dialog | None) -> Step:
        """The answer taken as a line above the next question; a profile change saved: the
        profile as it is now, under "saved"."""
        if following is None:
            owner = await self.profile.get(user_id)
            value = getattr(owner, step, None) if owner is not None else None
            line = owner_screens.answer_line(self.catalog, self.language, step, value)
            screen = await self.profile_screen(user_id) if owner is not None else None
            return Step(screen, self._t("profile.saved"), answered=step, line=line)
        value = following.data.get(step)
        line = owner_screens.answer_line(self.catalog, self.language, step, value)
        return Step(self.question(following), line, following, step, line=line)

    async def _at_summary(self, user_id: int) -> bool:
        dialog = await self.dialogs.current(user_id)
        return dialog is not None and (dialog.flow, dialog.step) == (signup.FLOW, signup.SUMMARY)

    def _t(self, key: str, **params: object) -> str:
        return self.catalog.text(self.language, key, **params)
