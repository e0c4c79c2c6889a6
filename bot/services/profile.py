"""An owner's profile after sign-up: view, edit one field, export, erase (UU PDP).

Erasure goes through :meth:`ProfileService.erase` only: the edges call it, never a
repository's delete (``tests/test_layers.py`` holds them to it). What a channel keeps of the
person outside their user row (the WhatsApp inbox keeps what they wrote, under their number)
is deleted by the :class:`~bot.core.erasure.TraceKeeper` objects the assembly registered with
:meth:`ProfileService.follow_erasure`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from bot.core.clock import Clock
from bot.core.erasure import DeletedRows, TraceKeeper, Traces
from bot.core.errors import NotRegistered, StaleAction
from bot.core.models import Consent, Dialog, OwnerProfile, User
from bot.core.notices import ChannelName
from bot.core.personal_data import BookingRecord, PersonalRecords
from bot.core.ports import Identities
from bot.core.questions import Question, ThreadMessage
from bot.core.repositories import QueuedMessages
from bot.services import fields
from bot.services.booking import BookingService
from bot.services.dialogs import DialogService

FLOW = "profile"


class ProfileStore(Protocol):
    """What profile editing and data rights need from storage."""

    async def get(self, user_id: int) -> OwnerProfile | None: ...
    async def update_field(self, user_id: int, field: str, value: Any, now: datetime) -> bool: ...
    async def consents(self, user_id: int) -> list[Consent]: ...
    async def erase(self, user_id: int, now: datetime) -> bool: ...


class RecordsStore(Protocol):
    """Where a person's settings, roles and history are read from."""

    async def records(self, user_id: int) -> PersonalRecords: ...


class QuestionHistory(Protocol):
    """An owner's Tanya Dinas questions and their conversations."""

    async def of_user(self, user_id: int) -> list[Question]: ...
    async def thread(self, question_id: int) -> list[ThreadMessage]: ...


class ProfileService(fields.FieldCollector):
    """Edit one profile field at a time with the same checks as sign-up."""

    flow = FLOW

    def __init__(
        self,
        dialogs: DialogService,
        owners: ProfileStore,
        now: Clock,
        booking: BookingService,
        outbox: QueuedMessages,
        records: RecordsStore,
        questions: QuestionHistory | None = None,
        *,
        disk: DeletedRows | None = None,
        identities: Identities | None = None,
    ) -> None:
        super().__init__(dialogs, now)
        self._disk = disk
        self._identities = identities
        self._keepers: list[TraceKeeper] = []
        self._questions = questions
        self._owners = owners
        self._records = records
        self._booking = booking
        self._outbox = outbox

    async def get(self, user_id: int) -> OwnerProfile | None:
        """Return the owner's profile, if they signed up."""
        return await self._owners.get(user_id)

    async def start_edit(self, user_id: int, field: str) -> Dialog:
        """Open the editor of one field."""
        profile = await self._owners.get(user_id)
        if profile is None:
            raise NotRegistered(user_id)
        if field not in fields.ALL_FIELDS:
            raise StaleAction(field)
        data = {"selection": list(profile.marketplaces)} if field == fields.MULTI_FIELD else {}
        return await self._dialogs.move(user_id, FLOW, field, data)

    async def _store(self, dialog: Dialog, value: Any) -> Dialog | None:
        if not await self._owners.update_field(dialog.user_id, dialog.step, value, self._now()):
            await self._dialogs.end(dialog.user_id)
            raise NotRegistered(dialog.user_id)
        await self._dialogs.end(dialog.user_id)
        return None

    async def export(self, user: User) -> dict[str, Any]:
        """Return everything stored about the owner, as plain JSON-ready data."""
        profile = await self._owners.get(user.id)
        dialog = await self._dialogs.current(user.id)
        records = await self._records.records(user.id)
        places = {v.booking.id: v.rank for v in await self._booking.current(user.id)}
        return {
            "telegram_user_id": await self._telegram_id(user.id),
            "language": user.language,
            "first_contact": user.created_at.isoformat(),
            "last_contact": user.last_seen_at.isoformat(),
            "profile": _profile_dict(profile) if profile else None,
            "consents": [
                {
                    "purpose": c.purpose,
                    "version": c.version,
                    "granted_at": c.granted_at.isoformat(),
                }
                for c in await self._owners.consents(user.id)
            ],
            "conversation_in_progress": (
                {"flow": dialog.flow, "step": dialog.step, "answers": dialog.data}
                if dialog
                else None
            ),
            **_records_dict(records, places),
            "questions": await self._question_history(user.id),
            "queued_messages": [
                {"kind": m.kind, "due_at": m.due_at.isoformat(), "status": m.status}
                for m in await self._outbox.pending_for(user.id)
            ],
        }

    async def _telegram_id(self, user_id: int) -> int | None:
        """The person's Telegram user id (never the internal id), if they use Telegram."""
        if self._identities is None:
            return None
        external = await self._identities.external_id(user_id, ChannelName.TELEGRAM)
        return int(external) if external is not None else None

    async def _question_history(self, user_id: int) -> list[dict[str, Any]]:
        """The owner's Tanya Dinas questions, how each was answered, and each conversation."""
        if self._questions is None:
            return []
        history = []
        for question in await self._questions.of_user(user_id):
            thread = await self._questions.thread(question.id) if question.status else []
            history.append(
                {
                    "asked_at": question.created_at.isoformat(),
                    "channel": question.channel,
                    "question": question.text,
                    "answered_by": question.line.value,
                    "faq_entry": question.faq_id,
                    "marked_answered": question.helpful,
                    "ticket": question.status.value if question.status else None,
                    "promised_by": _iso(question.due_at),
                    "conversation": [
                        {"from": m.author, "text": m.text, "at": m.at.isoformat()} for m in thread
                    ],
                }
            )
        return history

    def follow_erasure(self, keeper: TraceKeeper) -> None:
        """Have ``keeper`` delete what it keeps under an erased person's channel ids."""
        self._keepers.append(keeper)

    async def erase(self, user_id: int, traces: Traces | None = None) -> bool:
        """Release the owner's seats (the waitlist moves up), then delete their personal data;
        queued messages go with it. Only an anonymous count remains.

        ``traces`` are the ids of the channel the person asked on: what that channel still
        keeps under them (their messages in its inbox, up to the one that asked) goes too.
        """
        await self._booking.release_all(user_id)
        erased = await self._owners.erase(user_id, self._now())
        if traces is not None:
            await self.erase_traces(traces)
        return erased

    async def erase_traces(self, traces: Traces) -> int:
        """Delete what channels keep under ids that belong to nobody now (an erased person's:
        a delivery status arriving after the erasure), and leave none of it on disk."""
        erased = 0
        for keeper in self._keepers:
            erased += await keeper.erase_traces(traces)
        if erased and self._disk is not None:
            await self._disk.forget_deleted()
        return erased


def _records_dict(records: PersonalRecords, places: dict[int, int | None]) -> dict[str, Any]:
    return {
        "settings": {
            "announcements": not records.announcements_off,
            "daily_tip": (
                {"slot": records.daily_tip_slot, "active": records.daily_tip_active}
                if records.daily_tip_slot
                else None
            ),
            "daily_tip_days": [{"day": d, "status": s} for d, s in records.daily_tip_days],
            "blocked_the_bot_since": _iso(records.unreachable_since),
            "start_link_kept_until_signup": records.start_link,
            "practice_tasks": not records.tasks_off,
        },
        "roles": [
            {
                "role": r.role,
                "granted_by": r.source,
                "granted_at": r.granted_at.isoformat(),
                "name_shown_to_owners": r.display_name,
            }
            for r in records.roles
        ],
        "bookings": [_booking_dict(b, places.get(b.booking_id)) for b in records.bookings],
        "tips_received": [
            {"tip": t.tip_id, "topic": t.topic, "via": t.via, "sent_at": t.sent_at.isoformat()}
            for t in records.tips_received
        ],
        "tip_opinions": [
            {"tip": o.tip_id, "topic": o.topic, "helpful": o.helpful, "at": o.at.isoformat()}
            for o in records.tip_opinions
        ],
        "practice_tasks": [
            {
                "task": p.task_id,
                "session": p.session,
                "status": p.status,
                "put_off": p.snoozes,
                "due_at": p.due_at.isoformat(),
                "done_at": _iso(p.done_at),
                "asked_for_help_at": _iso(p.help_at),
            }
            for p in records.practice_tasks
        ],
        "certificates": [
            {"code": code, "session": title, "issued_at": at.isoformat(), "valid": valid}
            for code, title, at, valid in records.certificates
        ],
        "outcome_checkins": list(records.checkins),
        "files": [
            {
                "name": f.name,
                "kind": f.kind,
                "type": f.mime_type,
                "size": f.size,
                "sent_at": f.sent_at.isoformat(),
                "sent_with": f.sent_with,
            }
            for f in records.files
        ],
    }


def _booking_dict(booking: BookingRecord, place: int | None) -> dict[str, Any]:
    return {
        "session": booking.session,
        "starts_at": booking.starts_at.isoformat(),
        "status": booking.status,
        "booked_at": booking.booked_at.isoformat(),
        "waitlist_place": place,
        "said_will_attend_at": _iso(booking.will_attend_at),
        "attended_at": _iso(booking.attended_at),
        "feedback": (
            {"stars": booking.stars, "comment": booking.comment, "at": _iso(booking.rated_at)}
            if booking.stars is not None
            else None
        ),
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _profile_dict(profile: OwnerProfile) -> dict[str, Any]:
    return {
        "full_name": profile.full_name,
        "business_name": profile.business_name,
        "category": profile.category,
        "kecamatan": profile.kecamatan,
        "phone": profile.phone,
        "marketplaces": list(profile.marketplaces),
        "nib": profile.nib,
        "registered_at": profile.registered_at.isoformat(),
        "updated_at": profile.updated_at.isoformat(),
    }
