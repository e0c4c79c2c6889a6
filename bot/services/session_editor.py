"""Staff build a new session (/sesibaru) and change one (/sesi), one checked step at a time.

Every step reads the user's role and conversation again: someone who is not staff (any
more) gets :class:`NotAllowed`, and a button or answer that does not fit the step they are
at gets :class:`StaleAction`; either way nothing changes. The answers so far live in the
dialog (SQLite) as a typed draft, so a restart loses nothing.

A new time or place is previewed ("was → now", who will be told) and saved only when staff
confirm; until then the change waits in the dialog with the session's revision, so a change
someone else made in between is refused rather than overwritten.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.core.clock import Clock
from bot.core.errors import BookingRefused, InvalidInput, StaleAction
from bot.core.models import Dialog, Role, SessionStatus, Trainer, TrainingSession
from bot.services import session_input
from bot.services.access import Access
from bot.services.dialogs import DialogService
from bot.services.session_changes import Audience, ChangePreview
from bot.services.session_drafts import NewSessionDraft, PendingChange
from bot.services.sessions import SessionDraft

FLOW = session_input.FLOW
EDIT_FLOW = session_input.EDIT_FLOW
CONFIRM = "confirm"
CHANGES = ("time", "place", "cap")  # what /sesi asks staff to type
PREVIEWED = ("time", "place")  # changes staff confirm after seeing who will be told
# Where staff are sent back when saving fails on a rule only the session service checks.
RETRY_STEP = {
    "session.invalid.past": "date",
    "session.invalid.end_before_start": "time",
    "session.invalid.capacity": "capacity",
    "session.invalid.trainer": "trainer",
    "session.invalid.cutoff": "cutoff",
    "session.invalid.url": "online_url",
    "session.invalid.coordinates": "coords",
    "session.invalid.no_place": "place",
}


class SessionStore(Protocol):
    """What the editors need of the session service."""

    async def get(self, session_id: int) -> TrainingSession | None: ...
    async def upcoming(self) -> list[TrainingSession]: ...
    async def create(self, draft: SessionDraft, created_by: int | None) -> TrainingSession: ...
    async def audience(self, session: TrainingSession, fields: list[str]) -> Audience: ...
    async def preview_change(self, session_id: int, changes: dict[str, Any]) -> ChangePreview: ...
    async def change(
        self, session_id: int, changes: dict[str, Any], *, sequence: int | None = None
    ) -> TrainingSession: ...
    async def set_status(self, session_id: int, status: SessionStatus) -> TrainingSession: ...
    async def cancel(self, session_id: int) -> Audience: ...


class TrainerList(Protocol):
    """Who holds the trainer role now."""

    async def trainers(self) -> list[Trainer]: ...


class NameReader(Protocol):
    """The names staff and trainers are shown by."""

    async def display_names(self, user_ids: Iterable[int]) -> dict[int, str]: ...


@dataclass(frozen=True)
class NewSessionStep:
    """The question staff are at in /sesibaru, the answers so far, and what to offer."""

    step: str
    draft: NewSessionDraft
    days: tuple[date, ...] = ()  # the dates offered as buttons, at the date step
    trainers: tuple[Trainer, ...] = ()  # the trainers offered, at the trainer step


@dataclass(frozen=True)
class SaveRefused:
    """Saving broke a rule: the refusal, and the step where staff fix it."""

    refusal: InvalidInput
    step: NewSessionStep


@dataclass(frozen=True)
class SessionCard:
    """A session with the names of the people it mentions."""

    session: TrainingSession
    names: Mapping[int, str]


@dataclass(frozen=True)
class ChangeShown:
    """A change as staff see it: the preview (or what was saved) and the names it mentions."""

    preview: ChangePreview
    names: Mapping[int, str]
    replaces: int | None = None  # the message of an earlier preview, whose buttons go


@dataclass(frozen=True)
class ChangeApplied:
    """A confirmed change: what it was and the session as it is now."""

    change: ChangeShown
    card: SessionCard


@dataclass(frozen=True)
class Cancellation:
    """A session to be cancelled (or just cancelled) and who is (or will be) told."""

    session: TrainingSession
    audience: Audience
    names: Mapping[int, str]


class _StaffSteps:
    """The checks every staff step starts with: the role now, then the dialog."""

    flow: str

    def __init__(self, dialogs: DialogService, access: Access, names: NameReader) -> None:
        self._dialogs = dialogs
        self._access = access
        self._names = names

    async def _staff(self, user_id: int) -> None:
        await self._access.require(user_id, Role.STAFF)

    async def _in_flow(self, user_id: int) -> Dialog:
        await self._staff(user_id)
        dialog = await self._dialogs.current(user_id)
        if dialog is None or dialog.flow != self.flow:
            raise StaleAction(user_id)
        return dialog

    async def _card(self, session: TrainingSession) -> SessionCard:
        return SessionCard(session, await self._names.display_names([session.trainer_id or 0]))


class NewSessionEditor(_StaffSteps):
    """/sesibaru: staff answer one question at a time, see a summary, and save."""

    flow = FLOW

    def __init__(
        self,
        dialogs: DialogService,
        access: Access,
        names: NameReader,
        sessions: SessionStore,
        trainers: TrainerList,
        tz: ZoneInfo,
        now: Clock,
    ) -> None:
        super().__init__(dialogs, access, names)
        self._sessions = sessions
        self._trainers = trainers
        self._tz = tz
        self._now = now

    async def begin(self, user_id: int) -> NewSessionStep:
        """Start a new draft at its first question."""
        await self._staff(user_id)
        return await self._move(user_id, "title", NewSessionDraft())

    async def question(self, user_id: int) -> NewSessionStep:
        """Return the question staff are at, to ask it again."""
        dialog = await self._in_flow(user_id)
        return await self._step(dialog.step, NewSessionDraft.from_data(dialog.data))

    async def received_text(self, user_id: int, text: str) -> NewSessionStep:
        """Take typed text as the answer to the current question."""
        dialog = await self._in_flow(user_id)
        step, data = session_input.answer_text(
            dialog.step, text, dialog.data, self._now(), self._tz
        )
        return await self._move(user_id, step, NewSessionDraft.from_data(data))

    async def received_location(
        self, user_id: int, latitude: float, longitude: float
    ) -> NewSessionStep:
        """Take a shared location as the venue's map point."""
        dialog = await self._in_flow(user_id)
        step, data = session_input.answer_location(dialog.step, latitude, longitude, dialog.data)
        return await self._move(user_id, step, NewSessionDraft.from_data(data))

    async def chose(self, user_id: int, step: str, code: str) -> NewSessionStep:
        """Take a tapped option of ``step`` (date, place kind, map point, seats, trainer...)."""
        dialog = await self._at(user_id, step)
        if step == CONFIRM:
            raise StaleAction(code)  # the summary's buttons are edit, save and discard
        following, data = session_input.answer_choice(
            step, code, dialog.data, self._now(), self._tz
        )
        draft = NewSessionDraft.from_data(data)
        if step == "trainer":
            draft = replace(draft, trainer_name=await self._trainer_name(draft.trainer_id))
        return await self._move(user_id, following, draft)

    async def edit(self, user_id: int, field: str) -> NewSessionStep:
        """From the summary, go back to one field; after it the summary shows again."""
        dialog = await self._at(user_id, CONFIRM)
        step, data = session_input.edit_field(field, dialog.data)
        return await self._move(user_id, step, NewSessionDraft.from_data(data))

    async def save(self, user_id: int) -> SessionCard | SaveRefused:
        """Create the session from the summary, or send staff back to the field to fix."""
        dialog = await self._at(user_id, CONFIRM)
        draft = NewSessionDraft.from_data(dialog.data)
        try:
            session = await self._sessions.create(draft.session_draft(self._tz), user_id)
        except InvalidInput as refusal:
            back = RETRY_STEP.get(refusal.key, "title")
            return SaveRefused(
                refusal, await self._move(user_id, back, replace(draft, editing=True))
            )
        await self._dialogs.end(user_id)
        return await self._card(session)

    async def discard(self, user_id: int) -> None:
        """Drop the draft from the summary."""
        await self._at(user_id, CONFIRM)
        await self._dialogs.end(user_id)

    async def _at(self, user_id: int, step: str) -> Dialog:
        dialog = await self._in_flow(user_id)
        if dialog.step != step:
            raise StaleAction(step)
        return dialog

    async def _move(self, user_id: int, step: str, draft: NewSessionDraft) -> NewSessionStep:
        await self._dialogs.move(user_id, FLOW, step, draft.to_data())
        return await self._step(step, draft)

    async def _step(self, step: str, draft: NewSessionDraft) -> NewSessionStep:
        days = session_input.offered_days(self._now(), self._tz) if step == "date" else []
        trainers = await self._trainers.trainers() if step == "trainer" else []
        return NewSessionStep(step, draft, tuple(days), tuple(trainers))

    async def _trainer_name(self, trainer_id: int | None) -> str | None:
        """Return the chosen trainer's name; a stale button if they are no trainer now."""
        if trainer_id is None:
            return None
        for trainer in await self._trainers.trainers():
            if trainer.user_id == trainer_id:
                return trainer.name
        raise StaleAction(trainer_id)


class SessionEditor(_StaffSteps):
    """/sesi: staff change, close, reopen and cancel upcoming sessions."""

    flow = EDIT_FLOW

    def __init__(
        self,
        dialogs: DialogService,
        access: Access,
        names: NameReader,
        sessions: SessionStore,
        tz: ZoneInfo,
        now: Clock | None = None,
    ) -> None:
        super().__init__(dialogs, access, names)
        self._sessions = sessions
        self._tz = tz
        self._now = now  # for "besok" and weekdays; without it only full dates are read

    async def upcoming(self, user_id: int) -> tuple[list[TrainingSession], Mapping[int, str]]:
        """Return the sessions still to come and not cancelled, and their trainers' names."""
        await self._staff(user_id)
        sessions = [
            s for s in await self._sessions.upcoming() if s.status != SessionStatus.CANCELLED
        ]
        return sessions, await self._names.display_names(s.trainer_id or 0 for s in sessions)

    async def session(self, user_id: int, session_id: int) -> TrainingSession:
        """Return one session, to staff only."""
        await self._staff(user_id)
        session = await self._sessions.get(session_id)
        if session is None:
            raise StaleAction(session_id)
        return session

    async def set_open(self, user_id: int, session_id: int, *, is_open: bool) -> SessionCard:
        """Reopen or close registration."""
        session = await self.session(user_id, session_id)
        status = SessionStatus.OPEN if is_open else SessionStatus.CLOSED
        return await self._card(await self._sessions.set_status(session.id, status))

    async def ask_change(self, user_id: int, session_id: int, aspect: str) -> TrainingSession:
        """Wait for a typed new time, place or capacity of the session."""
        session = await self.session(user_id, session_id)
        if aspect not in CHANGES:
            raise StaleAction(aspect)
        earlier = self._change_of(await self._dialogs.current(user_id))
        preview_id = earlier.preview_id if earlier is not None else None  # replaced later
        change = PendingChange(session.id, preview_id=preview_id)
        await self._dialogs.move(user_id, EDIT_FLOW, aspect, change.to_data())
        return session

    async def received_text(self, user_id: int, text: str) -> ChangeShown | SessionCard:
        """Preview a new time or place for confirming; save a new capacity at once."""
        dialog = await self._in_flow(user_id)
        change = PendingChange.from_data(dialog.data)
        try:
            current = await self._sessions.get(change.session_id)
            if current is None:
                raise BookingRefused("session.gone")
            today = self._now().astimezone(self._tz).date() if self._now else None
            changes = session_input.edit_changes(dialog.step, text, self._tz, current, today)
            if dialog.step in PREVIEWED:
                return await self._preview(dialog, change, changes)
            saved = await self._sessions.change(current.id, changes)
        except BookingRefused as refusal:
            if refusal.key == "session.gone":
                await self._dialogs.end(user_id)
            raise
        await self._dialogs.end(user_id)
        return await self._card(saved)

    async def previewed(self, user_id: int, message_id: int) -> None:
        """Remember the message showing the preview, so a later one can take its buttons."""
        dialog = await self._in_flow(user_id)
        change = replace(PendingChange.from_data(dialog.data), preview_id=message_id)
        await self._dialogs.move(user_id, EDIT_FLOW, dialog.step, change.to_data())

    async def apply(self, user_id: int, session_id: int) -> ChangeApplied:
        """Save the previewed change (unless the session changed since) and tell everyone."""
        await self._staff(user_id)
        change = self._change_of(await self._dialogs.current(user_id))
        if change is None or change.session_id != session_id or change.pending is None:
            raise StaleAction(session_id)
        await self._dialogs.end(user_id)
        changes = dict(change.pending)
        preview = await self._sessions.preview_change(session_id, changes)
        saved = await self._sessions.change(session_id, changes, sequence=change.sequence)
        return ChangeApplied(await self._shown(preview), await self._card(saved))

    async def keep(self, user_id: int, session_id: int) -> TrainingSession:
        """Leave the session as it was, ending a change of it that waits."""
        session = await self.session(user_id, session_id)
        change = self._change_of(await self._dialogs.current(user_id))
        if change is not None and change.session_id == session.id:
            await self._dialogs.end(user_id)
        return session

    async def ask_cancel(self, user_id: int, session_id: int) -> Cancellation:
        """Say who would be told before a session is cancelled."""
        session = await self.session(user_id, session_id)
        if session.status == SessionStatus.CANCELLED:
            raise BookingRefused("session.gone")
        return await self._cancellation(session, await self._sessions.audience(session, []))

    async def cancel(self, user_id: int, session_id: int) -> Cancellation:
        """Cancel the session; everyone in it and its trainer are told."""
        session = await self.session(user_id, session_id)
        return await self._cancellation(session, await self._sessions.cancel(session.id))

    async def _preview(
        self, dialog: Dialog, change: PendingChange, changes: dict[str, Any]
    ) -> ChangeShown:
        """Check the change and keep it waiting for staff to confirm."""
        preview = await self._sessions.preview_change(change.session_id, changes)
        if not preview.fields:
            raise InvalidInput("session_change.unchanged")
        waiting = replace(change, pending=changes, sequence=preview.before.sequence)
        await self._dialogs.move(dialog.user_id, EDIT_FLOW, dialog.step, waiting.to_data())
        return replace(await self._shown(preview), replaces=change.preview_id)

    async def _shown(self, preview: ChangePreview) -> ChangeShown:
        before, after, trainer = preview.before, preview.after, preview.audience.trainer_id
        ids = [before.trainer_id or 0, after.trainer_id or 0, trainer or 0]
        return ChangeShown(preview, await self._names.display_names(ids))

    async def _cancellation(self, session: TrainingSession, audience: Audience) -> Cancellation:
        names = await self._names.display_names([audience.trainer_id or 0])
        return Cancellation(session, audience, names)

    def _change_of(self, dialog: Dialog | None) -> PendingChange | None:
        if dialog is None or dialog.flow != EDIT_FLOW:
            return None
        return PendingChange.from_data(dialog.data)
