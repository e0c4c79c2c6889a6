"""Attendees' feedback after a session: stars from the question sent after it, then a comment.

Only the attendee of a booking may rate it (checked by the ratings service on every step),
and a comment belongs to the booking the stars were just given for; a tap or text that does
not fit the step the attendee is at raises :class:`StaleAction` and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from bot.core import choices as ids
from bot.core.errors import InvalidInput, StaleAction
from bot.core.models import Dialog
from bot.core.notices import Choice, Notice
from bot.i18n import Catalog
from bot.services.dialogs import DialogService
from bot.services.owner_screens import with_lead
from bot.services.unexpected import CLOSED, Expects, Received, WrittenReply, refusal

FLOW = "feedback"
COMMENT = "comment"
SKIP = "skip"  # fb:v1:<booking id>:skip — no comment


class Ratings(Protocol):
    """Stores an attendee's stars and comment, refusing anyone but the attendee."""

    async def rate(self, user_id: int, booking_id: int, stars: int) -> None: ...
    async def comment(self, user_id: int, booking_id: int, text: str) -> None: ...


@dataclass(frozen=True)
class FeedbackDraft:
    """The booking whose rating a comment is awaited for."""

    booking_id: int

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> FeedbackDraft:
        """Read the draft from the dialog's JSON."""
        return cls(int(data["booking_id"]))

    def to_data(self) -> dict[str, Any]:
        """Write the draft as the dialog keeps it."""
        return {"booking_id": self.booking_id}


def awaited_comment(dialog: Dialog | None) -> int | None:
    """The booking whose comment the person's dialog waits for, if it does."""
    if dialog is None or dialog.flow != FLOW or dialog.step != COMMENT:
        return None
    return FeedbackDraft.from_data(dialog.data).booking_id


def comment_refused(
    catalog: Catalog, language: str, booking_id: int, received: Received
) -> Notice:
    """ "Add a comment?" again with its skip choice, under why what was sent (a photo, a
    location) could not be taken: the comment is written."""
    lead = catalog.text(language, refusal(received, Expects.TEXT))
    return with_lead(lead, comment_question(catalog, language, booking_id))


@dataclass(frozen=True)
class Tapped:
    """A tap on the stars or on "skip", taken: ``stars`` None when the comment was skipped."""

    booking_id: int
    stars: int | None


def comment_question(
    catalog: Catalog, language: str, booking_id: int, stars: int | None = None
) -> Notice:
    """ "Your rating: ⭐⭐⭐⭐ — thank you! Add a comment?" with its skip choice, on every
    channel; asked again (``stars`` None) it is only "Add a comment?"."""
    skip = Choice(
        ids.pack(ids.FEEDBACK, str(booking_id), SKIP), catalog.text(language, "feedback.skip")
    )
    if stars is None:
        return Notice(catalog.text(language, "feedback.comment_again"), (skip,))
    return Notice(catalog.text(language, "feedback.thanks", stars="⭐" * stars), (skip,))


class FeedbackService:
    """Take an attendee's stars, then their comment or that they skip it."""

    def __init__(self, dialogs: DialogService, ratings: Ratings, catalog: Catalog) -> None:
        self._dialogs = dialogs
        self._ratings = ratings
        self._catalog = catalog

    async def tapped(self, user_id: int, choice_id: str | None) -> Tapped:
        """Take a tapped star rating (then a comment is awaited) or "skip" (the feedback
        ends), read from its choice id once for every channel; StaleAction if the choice is
        not one, or no longer applies."""
        parts = ids.parse(choice_id, ids.FEEDBACK, 2)
        if parts is None or not parts[0].isdigit():
            raise StaleAction(choice_id)
        booking_id, answer = int(parts[0]), parts[1]
        if answer == SKIP:
            await self.skip_comment(user_id, booking_id)
            return Tapped(booking_id, None)
        if not answer.isdigit():
            raise StaleAction(choice_id)
        await self.rated(user_id, booking_id, int(answer))
        return Tapped(booking_id, int(answer))

    async def rated(self, user_id: int, booking_id: int, stars: int) -> FeedbackDraft:
        """Record 1-5 stars for the attendee's booking, then wait for a comment."""
        await self._ratings.rate(user_id, booking_id, stars)
        draft = FeedbackDraft(booking_id)
        await self._dialogs.move(user_id, FLOW, COMMENT, draft.to_data())
        return draft

    async def skip_comment(self, user_id: int, booking_id: int) -> None:
        """End the feedback of this booking without a comment."""
        await self._awaiting(user_id, booking_id)
        await self._dialogs.end(user_id)

    async def comment_step(
        self, user_id: int, received: Received, text: str | None, *, language: str
    ) -> WrittenReply | None:
        """Answer what the attendee sent at "add a comment?", once for every channel: kept
        (thanks); a photo or a location refused (why, then the question again with its
        skip choice); text the rules refuse (why); or the question closed meanwhile.
        ``text``: what was typed (None for anything else). None: nothing is awaited and
        nothing was typed."""
        catalog = self._catalog
        if not text:  # a photo, a location: the comment is written
            booking_id = awaited_comment(await self._dialogs.current(user_id))
            if booking_id is None:
                return None
            return WrittenReply(
                comment_refused(catalog, language, booking_id, received), asks=True
            )
        try:
            await self.received_comment(user_id, text)
        except InvalidInput as refused:
            return WrittenReply(
                Notice(catalog.text(language, refused.key, **refused.params)), False
            )
        except StaleAction:
            return WrittenReply(Notice(catalog.text(language, CLOSED)), asks=False)
        return WrittenReply(Notice(catalog.text(language, "feedback.saved")), asks=False)

    async def received_comment(self, user_id: int, text: str) -> None:
        """Add the typed comment to the rating just given, and end the feedback."""
        draft = await self._awaiting(user_id, None)
        try:
            await self._ratings.comment(user_id, draft.booking_id, text)
        except StaleAction:
            await self._dialogs.end(user_id)
            raise
        await self._dialogs.end(user_id)

    async def _awaiting(self, user_id: int, booking_id: int | None) -> FeedbackDraft:
        """Return the draft awaiting a comment (for ``booking_id``, if given), else StaleAction."""
        dialog = await self._dialogs.current(user_id)
        if dialog is None or dialog.flow != FLOW or dialog.step != COMMENT:
            raise StaleAction(user_id)
        draft = FeedbackDraft.from_data(dialog.data)
        if booking_id is not None and draft.booking_id != booking_id:
            raise StaleAction(booking_id)
        return draft
