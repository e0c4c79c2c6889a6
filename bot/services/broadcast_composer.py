"""Composing a broadcast one step at a time: audience, refinement, message, buttons, preview.

Staff compose announcements to any audience; a trainer composes a follow-up to the
participants of a session assigned to them (the rule of :meth:`BroadcastService.check`).
Every step loads the draft from the dialog store, checks the sender's role and assignment
again, and checks that the draft is at that step, so a forged or stale button raises
:class:`NotAllowed` or :class:`StaleAction` and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.core.errors import BookingRefused, InvalidInput, NotAllowed, StaleAction
from bot.core.models import (
    Audience,
    Broadcast,
    Dialog,
    LinkButton,
    Recipients,
    Role,
    TrainingSession,
)
from bot.services.access import RoleReader
from bot.services.broadcast_input import MAX_BUTTONS, parse_button, parse_moment
from bot.services.broadcasts import ANNOUNCEMENT, FOLLOWUP, BroadcastService, Message
from bot.services.dialogs import DialogService
from bot.services.validation import CATEGORIES, KECAMATAN

FLOW = "broadcast"
KINDS = (ANNOUNCEMENT, FOLLOWUP)
BASES = ("all", "booked", "waitlist", "attended", "missed", "not_booked")
SESSION_BASES = ("booked", "waitlist", "attended", "missed")
FILTERS = {"kecamatan": KECAMATAN, "category": CATEGORIES}
SESSION_CHOICES = 20  # how many of the latest sessions are offered to choose from


class Step(StrEnum):
    """Where a draft is; the value is the dialog's step."""

    AUDIENCE = "audience"
    SESSION = "session"
    REFINE = "refine"
    KECAMATAN = "kecamatan"
    CATEGORY = "category"
    MESSAGE = "message"
    BUTTONS = "buttons"
    PREVIEW = "preview"
    SCHEDULE = "schedule"


BEFORE_AUDIENCE = (Step.AUDIENCE, Step.SESSION)
AUDIENCE_CHOSEN = (Step.REFINE, Step.KECAMATAN, Step.CATEGORY)
FILTER_STEPS = (Step.KECAMATAN, Step.CATEGORY)
COUNTED = (Step.REFINE, Step.PREVIEW, Step.SCHEDULE)  # steps that show the live count


class MediaKind(StrEnum):
    """The media an announcement may carry."""

    PHOTO = "photo"
    DOCUMENT = "document"


@dataclass(frozen=True)
class Content:
    """What is announced: text in the catalog's markup, or media with that text as caption."""

    text: str
    media_kind: MediaKind | None = None
    media_sha256: str | None = None  # the file as the bot keeps it (bot.services.files)
    media_name: str | None = None  # a document's name as sent


@dataclass(frozen=True)
class BroadcastDraft:
    """An announcement or follow-up being composed, as kept between steps.

    ``audience`` holds the base, the session and the kecamatan and business-type filters;
    ``prompt`` is the channel's id of the message showing the draft's open choices, so an
    edge can take them away when the sender types instead of tapping.
    """

    kind: str
    step: Step
    audience: Audience | None = None
    content: Content | None = None
    buttons: tuple[LinkButton, ...] = ()
    prompt: str | None = None

    def as_data(self) -> dict[str, Any]:
        """The draft as the dialog store keeps it (without the step, which the dialog has)."""
        content = self.content
        return {
            "kind": self.kind,
            "audience": self.audience.as_json() if self.audience else None,
            "content": (
                {
                    "text": content.text,
                    "media_kind": content.media_kind,
                    "media_sha256": content.media_sha256,
                    "media_name": content.media_name,
                }
                if content
                else None
            ),
            "buttons": [[button.label, button.url] for button in self.buttons],
            "prompt": self.prompt,
        }

    @classmethod
    def of(cls, dialog: Dialog) -> BroadcastDraft:
        """Read a stored draft; StaleAction if it is not one this version can continue."""
        data = dialog.data
        try:
            audience, content = data.get("audience"), data.get("content")
            if data["kind"] not in KINDS:
                raise ValueError(data["kind"])
            return cls(
                kind=data["kind"],
                step=Step(dialog.step),
                audience=Audience.of(audience) if audience else None,
                content=_content(content) if content else None,
                buttons=tuple(LinkButton(str(a), str(b)) for a, b in data.get("buttons", ())),
                prompt=data.get("prompt"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise StaleAction(dialog.step) from exc

    def message(self) -> Message:
        """What the broadcast service sends."""
        if self.content is None:
            raise StaleAction(self.step)
        content = self.content
        kind = str(content.media_kind) if content.media_kind else None
        return Message(
            content.text,
            kind,
            self.buttons,
            media_sha256=content.media_sha256,
            media_name=content.media_name,
        )


def _content(data: dict[str, Any]) -> Content:
    """A stored draft's message; a file the bot did not keep (a draft from before files were
    kept) is left out, as no channel could send it."""
    kind, sha256 = data.get("media_kind"), data.get("media_sha256")
    return Content(
        str(data["text"]),
        MediaKind(kind) if kind and sha256 else None,
        sha256 if kind else None,
        data.get("media_name") if kind and sha256 else None,
    )


@dataclass(frozen=True)
class Composition:
    """A draft after a step, with what an edge needs to ask its next question."""

    draft: BroadcastDraft
    recipients: Recipients | None = None  # who it would reach now, where a step shows it
    session: TrainingSession | None = None  # the session the audience is about
    sessions: tuple[TrainingSession, ...] = ()  # to choose from, at the session step

    @property
    def step(self) -> Step:
        """Where the draft is now."""
        return self.draft.step


# How many characters too long the content is for the channel, framed for a kind; 0 if it fits.
Measure = Callable[[str, Content], int]


class SessionList(Protocol):
    """Reads sessions as stored now."""

    async def get(self, session_id: int) -> TrainingSession | None: ...
    async def all(self) -> list[TrainingSession]: ...


class BroadcastComposer:
    """Drive one sender's draft; every step re-checks who they are and where they are."""

    def __init__(
        self,
        dialogs: DialogService,
        broadcasts: BroadcastService,
        roles: RoleReader,
        sessions: SessionList,
        tz: ZoneInfo,
    ) -> None:
        self._dialogs = dialogs
        self._broadcasts = broadcasts
        self._roles = roles
        self._sessions = sessions
        self._tz = tz

    async def begin(self, user_id: int) -> Composition:
        """Start an announcement (staff only): who is it for?"""
        if Role.STAFF not in await self._roles.roles(user_id):
            raise NotAllowed(user_id, Role.STAFF.value)
        return await self._save(user_id, BroadcastDraft(ANNOUNCEMENT, Step.AUDIENCE))

    async def begin_followup(self, user_id: int, session_id: int, base: str) -> Composition:
        """Start a follow-up to a session's participants (``base``: attended or booked)."""
        audience = Audience(base, session_id)
        await self._broadcasts.check(user_id, FOLLOWUP, audience)
        return await self._save(user_id, BroadcastDraft(FOLLOWUP, Step.MESSAGE, audience))

    async def current(self, user_id: int) -> Composition:
        """The draft as it stands, to ask its open question again."""
        return await self._composition(await self._draft(user_id))

    async def shown(self, user_id: int, prompt: str) -> None:
        """Remember the message that now shows the draft's choices."""
        draft = await self._draft(user_id)
        await self._store(user_id, replace(draft, prompt=prompt))

    async def choose_audience(self, user_id: int, base: str) -> Composition:
        """Take the kind of audience; one about a session asks which session next."""
        draft = await self._draft(user_id, Step.AUDIENCE)
        if base not in BASES:
            raise StaleAction(base)
        step = Step.SESSION if base in SESSION_BASES else Step.REFINE
        return await self._save(user_id, replace(draft, step=step, audience=Audience(base)))

    async def choose_session(self, user_id: int, session_id: int) -> Composition:
        """Take the session the audience is about."""
        draft = await self._draft(user_id, Step.SESSION)
        if draft.audience is None or await self._sessions.get(session_id) is None:
            raise StaleAction(session_id)
        audience = replace(draft.audience, session_id=session_id)
        return await self._save(user_id, replace(draft, step=Step.REFINE, audience=audience))

    async def open_filter(self, user_id: int, field: str) -> Composition:
        """Show the kecamatan or business-type choices of an announcement."""
        draft = await self._draft(user_id, Step.REFINE)
        if field not in FILTERS or draft.kind != ANNOUNCEMENT:
            raise StaleAction(field)
        return await self._save(user_id, replace(draft, step=Step(field)))

    async def refine(self, user_id: int, field: str, code: str) -> Composition:
        """Add one kecamatan or business type to the audience, or take it out again."""
        draft = await self._draft(user_id, *FILTER_STEPS)
        audience = draft.audience
        if audience is None or field != draft.step or code not in FILTERS[field]:
            raise StaleAction(code)
        chosen = audience.kecamatan if field == Step.KECAMATAN else audience.category
        toggled = tuple(c for c in chosen if c != code) if code in chosen else (*chosen, code)
        narrowed = (
            replace(audience, kecamatan=toggled)
            if field == Step.KECAMATAN
            else replace(audience, category=toggled)
        )
        return await self._save(user_id, replace(draft, audience=narrowed))

    async def close_filter(self, user_id: int) -> Composition:
        """Back from the filter choices to the live count."""
        draft = await self._draft(user_id, *FILTER_STEPS)
        return await self._save(user_id, replace(draft, step=Step.REFINE))

    async def finish_audience(self, user_id: int) -> Composition:
        """Go on to the message, or to the buttons if the message came before the audience."""
        draft = await self._draft(user_id, Step.REFINE)
        recipients = await self._reachable(draft)
        step = Step.BUTTONS if draft.content is not None else Step.MESSAGE
        return await self._save(user_id, replace(draft, step=step), recipients)

    async def expects_content(self, user_id: int) -> None:
        """Check, before a sent file is downloaded and kept, that this user may still write
        this draft's message (NotAllowed or StaleAction otherwise)."""
        await self._draft(user_id, Step.MESSAGE, *AUDIENCE_CHOSEN, *BEFORE_AUDIENCE)

    async def received_content(
        self, user_id: int, content: Content | None, measure: Measure
    ) -> Composition:
        """Take the message (None: nothing that can be announced) and ask for buttons; one
        sent before the audience is chosen is kept, and the audience is asked again."""
        draft = await self._draft(user_id, Step.MESSAGE, *AUDIENCE_CHOSEN, *BEFORE_AUDIENCE)
        recipients = await self._reachable(draft) if draft.step in AUDIENCE_CHOSEN else None
        if content is None:
            raise InvalidInput("broadcast.need_content")
        excess = measure(draft.kind, content)
        if excess:
            raise InvalidInput("broadcast.too_long", excess=excess)
        if draft.step in BEFORE_AUDIENCE:
            return await self._save(user_id, replace(draft, content=content))
        composed = replace(draft, step=Step.BUTTONS, content=content, buttons=())
        return await self._save(user_id, composed, recipients)

    async def received_button(self, user_id: int, text: str) -> Composition:
        """Take a typed ``Label | https://link`` button."""
        draft = await self._draft(user_id, Step.BUTTONS)
        if len(draft.buttons) >= MAX_BUTTONS:
            raise InvalidInput("broadcast.max_buttons")
        button = LinkButton(*parse_button(text))
        return await self._save(user_id, replace(draft, buttons=(*draft.buttons, button)))

    async def finish_buttons(self, user_id: int) -> Composition:
        """Skip the buttons, or stop adding them: show the preview."""
        draft = await self._draft(user_id, Step.BUTTONS)
        return await self._save(user_id, replace(draft, step=Step.PREVIEW))

    async def schedule(self, user_id: int) -> Composition:
        """From the preview, ask when to send."""
        draft = await self._draft(user_id, Step.PREVIEW)
        return await self._save(user_id, replace(draft, step=Step.SCHEDULE))

    async def confirm(self, user_id: int) -> Broadcast:
        """Send what the preview showed, now."""
        return await self._send(user_id, await self._draft(user_id, Step.PREVIEW), None)

    async def received_time(self, user_id: int, text: str) -> Broadcast:
        """Schedule the broadcast for a typed WIB date and time."""
        draft = await self._draft(user_id, Step.SCHEDULE)
        return await self._send(user_id, draft, parse_moment(text, self._tz))

    async def cancel(self, user_id: int) -> None:
        """Drop the draft; nothing is sent."""
        await self._draft(user_id)
        await self._dialogs.end(user_id)

    async def _send(self, user_id: int, draft: BroadcastDraft, when: datetime | None) -> Broadcast:
        if draft.audience is None:
            raise StaleAction(draft.step)
        sent = await self._broadcasts.send(
            user_id, draft.kind, draft.audience, draft.message(), when
        )
        await self._dialogs.end(user_id)
        return sent

    async def _draft(self, user_id: int, *steps: Step) -> BroadcastDraft:
        """The sender's draft, if they may still send it and it is at one of ``steps``."""
        dialog = await self._dialogs.current(user_id)
        draft = None
        if dialog is not None and dialog.flow == FLOW:
            try:
                draft = BroadcastDraft.of(dialog)
            except StaleAction:
                await self._dialogs.end(user_id)  # unreadable: it cannot be continued
                raise
        await self._authorise(user_id, draft)
        if draft is None or (steps and draft.step not in steps):
            raise StaleAction(steps)
        return draft

    async def _authorise(self, user_id: int, draft: BroadcastDraft | None) -> None:
        """Staff may send anything; anyone else only a follow-up they may still send.

        A refused follow-up is dropped, so the sender's next message is not refused again.
        """
        if Role.STAFF in await self._roles.roles(user_id):
            return
        if draft is None or draft.kind != FOLLOWUP or draft.audience is None:
            raise NotAllowed(user_id, Role.STAFF.value)
        try:
            await self._broadcasts.check(user_id, FOLLOWUP, draft.audience)
        except NotAllowed:
            await self._dialogs.end(user_id)
            raise

    async def _reachable(self, draft: BroadcastDraft) -> Recipients:
        """Who the audience reaches now; BookingRefused if nobody."""
        if draft.audience is None:
            raise StaleAction(draft.step)
        recipients = await self._broadcasts.count(draft.audience, draft.kind)
        if not recipients.reachable:
            raise BookingRefused("broadcast.nobody")
        return recipients

    async def _save(
        self, user_id: int, draft: BroadcastDraft, recipients: Recipients | None = None
    ) -> Composition:
        await self._store(user_id, draft)
        return await self._composition(draft, recipients)

    async def _store(self, user_id: int, draft: BroadcastDraft) -> None:
        await self._dialogs.move(user_id, FLOW, draft.step, draft.as_data())

    async def _composition(
        self, draft: BroadcastDraft, recipients: Recipients | None = None
    ) -> Composition:
        """The draft with the count, session and session choices its step shows."""
        audience = draft.audience
        session = None
        if audience is not None and audience.session_id is not None:
            session = await self._sessions.get(audience.session_id)
        if recipients is None and audience is not None and draft.step in COUNTED:
            recipients = await self._broadcasts.count(audience, draft.kind)
        sessions: tuple[TrainingSession, ...] = ()
        if draft.step == Step.SESSION:
            sessions = tuple((await self._sessions.all())[-SESSION_CHOICES:])
        return Composition(draft, recipients, session, sessions)
