"""The profile fields owners fill in, shared by sign-up and profile editing."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from bot.core.clock import Clock
from bot.core.errors import InvalidInput, StaleAction
from bot.core.models import PROFILE_FIELDS, Dialog
from bot.services import validation as v
from bot.services.dialogs import DialogService
from bot.services.unexpected import USE_CHOICES, Expects

TEXT_FIELDS = ("full_name", "business_name", "phone", "nib")
CHOICE_FIELDS: dict[str, tuple[str, ...]] = {
    "category": v.CATEGORIES,
    "kecamatan": v.KECAMATAN,
}
MULTI_FIELD = "marketplaces"
ALL_FIELDS = PROFILE_FIELDS  # the order the owner is asked in, and shown


# Refusals whose example must name a person when the field is a person's name.
PERSON_EXAMPLE_KEYS = ("input.no_letters", "input.too_long")


def accept_text(field: str, raw: str) -> str:
    """Validate typed text for ``field``; choice fields want a button instead."""
    if field == "full_name":
        try:
            return v.clean_text(raw)
        except InvalidInput as refusal:  # the example given must be a person's name
            if refusal.key not in PERSON_EXAMPLE_KEYS:
                raise
            raise InvalidInput(refusal.key + "_person", **refusal.params) from None
    if field == "business_name":
        return v.clean_text(raw)
    if field == "phone":
        return v.normalise_phone(raw)
    if field == "nib":
        return v.clean_nib(raw)
    raise InvalidInput(USE_CHOICES)


def expects(step: str) -> Expects:
    """What the sign-up or profile step ``step`` takes (consent and summary: a choice)."""
    return Expects.TEXT if step in TEXT_FIELDS else Expects.CHOICE


def accept_choice(field: str, code: str) -> str:
    """Validate a tapped option for a single-choice field."""
    options = CHOICE_FIELDS.get(field)
    if options is None:
        raise InvalidInput("input.unknown_option")
    return v.choose(options, code)


def accept_contact(phone: str, *, own: bool) -> str:
    """Accept a shared contact only if it is the sender's own number (``own``: the channel
    says the contact is the sender's)."""
    if not own:
        raise InvalidInput("input.contact_not_own")
    return v.normalise_phone(phone if phone.startswith("+") else f"+{phone}")


def finish_multi(selected: list[str]) -> list[str]:
    """Close the marketplace multi-select; at least one choice is needed."""
    if not selected:
        raise InvalidInput("input.pick_at_least_one")
    return selected


def as_values(data: dict[str, Any]) -> dict[str, Any]:
    """Return only the profile fields from a dialog's data."""
    return {field: data.get(field) for field in ALL_FIELDS}


class FieldCollector(ABC):
    """A conversation that collects profile fields; subclasses decide what follows an answer.

    Every method first checks that the owner is at the step the answer belongs to, so a
    stale or forged button raises :class:`StaleAction` and changes nothing.
    """

    flow: str

    def __init__(self, dialogs: DialogService, now: Clock) -> None:
        self._dialogs = dialogs
        self._now = now

    async def answer_text(self, user_id: int, raw: str) -> Dialog | None:
        """Take typed text for the current field."""
        dialog = await self._in_flow(user_id)
        return await self._store(dialog, accept_text(dialog.step, raw))

    async def answer_choice(self, user_id: int, field: str, code: str) -> Dialog | None:
        """Take a tapped option for ``field``."""
        dialog = await self._at(user_id, field)
        return await self._store(dialog, accept_choice(field, code))

    async def answer_contact(self, user_id: int, phone: str, *, own: bool) -> Dialog | None:
        """Take a shared contact as the phone number (``own``: it is the sender's)."""
        dialog = await self._at(user_id, "phone")
        return await self._store(dialog, accept_contact(phone, own=own))

    async def toggle(self, user_id: int, code: str) -> Dialog:
        """Flip one marketplace in the multi-select."""
        dialog = await self._at(user_id, MULTI_FIELD)
        selected = v.toggle_marketplace(list(dialog.data.get("selection", [])), code)
        data = {**dialog.data, "selection": selected}
        return await self._dialogs.move(user_id, self.flow, dialog.step, data)

    async def finish_multi(self, user_id: int) -> Dialog | None:
        """Close the marketplace multi-select."""
        dialog = await self._at(user_id, MULTI_FIELD)
        return await self._store(dialog, finish_multi(list(dialog.data.get("selection", []))))

    async def skip_nib(self, user_id: int) -> Dialog | None:
        """Leave the optional NIB empty."""
        return await self._store(await self._at(user_id, "nib"), None)

    @abstractmethod
    async def _store(self, dialog: Dialog, value: Any) -> Dialog | None:
        """Keep an accepted value; return the next step, or None when the dialog is over."""

    async def _in_flow(self, user_id: int) -> Dialog:
        dialog = await self._dialogs.current(user_id)
        if dialog is None or dialog.flow != self.flow:
            raise StaleAction(user_id)
        return dialog

    async def _at(self, user_id: int, step: str) -> Dialog:
        dialog = await self._in_flow(user_id)
        if dialog.step != step:
            raise StaleAction(step)
        return dialog
