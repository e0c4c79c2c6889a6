"""Sign-up: consent first, then one field at a time, a summary, and confirmation."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from bot.core.clock import Clock
from bot.core.errors import StaleAction
from bot.core.models import Consent, Dialog, OwnerProfile
from bot.services import fields
from bot.services.dialogs import DialogService

FLOW = "signup"
CONSENT = "consent"
SUMMARY = "summary"
STEPS = (CONSENT, *fields.ALL_FIELDS, SUMMARY)
CONSENT_PURPOSE = "programme"
CONSENT_VERSION = "2026-11"


class OwnerStore(Protocol):
    """What sign-up needs from storage."""

    async def get(self, user_id: int) -> OwnerProfile | None: ...
    async def create(
        self, user_id: int, values: dict[str, Any], consent: Consent, now: datetime
    ) -> OwnerProfile: ...
    async def remember_start(self, user_id: int, payload: str | None) -> None: ...
    async def pending_start(self, user_id: int) -> str | None: ...


class SignupService(fields.FieldCollector):
    """Drive one owner's sign-up; every step checks it is the step the owner is at."""

    flow = FLOW

    def __init__(self, dialogs: DialogService, owners: OwnerStore, now: Clock) -> None:
        super().__init__(dialogs, now)
        self._owners = owners

    async def begin(self, user_id: int, payload: str | None = None) -> Dialog | None:
        """Start or resume sign-up; return None if the owner is already registered."""
        if await self._owners.get(user_id) is not None:
            return None
        if payload:
            await self._owners.remember_start(user_id, payload)
        current = await self._dialogs.current(user_id)
        if current is not None and current.flow == FLOW:
            return current
        return await self._dialogs.move(user_id, FLOW, CONSENT)

    async def consent(self, user_id: int, agreed: bool) -> Dialog | None:
        """Record the answer to the consent notice; declining ends sign-up, storing nothing."""
        await self._at(user_id, CONSENT)
        if not agreed:
            await self._dialogs.end(user_id)
            await self._owners.remember_start(user_id, None)
            return None
        return await self._dialogs.move(
            user_id, FLOW, STEPS[1], {"consent_at": self._now().isoformat()}
        )

    async def edit(self, user_id: int, field: str) -> Dialog:
        """From the summary, go back to one field; after it the summary shows again."""
        dialog = await self._at(user_id, SUMMARY)
        if field not in fields.ALL_FIELDS:
            raise StaleAction(field)
        selection = dialog.data.get(field) if field == fields.MULTI_FIELD else None
        data = {**dialog.data, "editing": True, "selection": selection or []}
        return await self._dialogs.move(user_id, FLOW, field, data)

    async def confirm(self, user_id: int) -> tuple[OwnerProfile, str | None]:
        """Create the profile from the summary; return it and any remembered deep link."""
        dialog = await self._at(user_id, SUMMARY)
        payload = await self._owners.pending_start(user_id)
        consent = Consent(
            CONSENT_PURPOSE, CONSENT_VERSION, datetime.fromisoformat(dialog.data["consent_at"])
        )
        profile = await self._owners.create(
            user_id, fields.as_values(dialog.data), consent, self._now()
        )  # ends the dialog in the same transaction
        return profile, payload

    async def _store(self, dialog: Dialog, value: Any) -> Dialog | None:
        data = {**dialog.data, dialog.step: value}
        data.pop("selection", None)
        editing = data.pop("editing", False)
        next_step = SUMMARY if editing else STEPS[STEPS.index(dialog.step) + 1]
        return await self._dialogs.move(dialog.user_id, FLOW, next_step, data)
