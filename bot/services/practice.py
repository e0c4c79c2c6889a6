"""Practice tasks after a session: given at attendance, sent when due, answered by the owner.

**Giving.** When an owner is marked attended (QR or tick list), every task of
``content/tasks.yaml`` that fits the session's title and the owner's business and
marketplaces becomes a row of ``practice_tasks`` and an outbox row due ``day`` days after the
session's real end (out of the quiet hours), all in the attendance's transaction. Unmarking
withdraws the pending sends.

**Answering.** Each task arrives with "✅ Sudah", "⏰ Nanti" and "🙋 Butuh bantuan"
(``pr:v1:<task row>:<done|later|help>``); :meth:`PracticeService.answer` decides for both
edges: only the owner of an open task may answer; "Nanti" puts it off ``SNOOZE`` at most
``MAX_SNOOZES`` times (a new outbox row); "Butuh bantuan" opens a ticket of the question
desk about the session (:class:`DeskHelp`): it goes to the session's trainer and staff with a
promised time, and the owner is told who answers and by when.

**Stopping.** Tasks are the owner's own programme (logistics): /berhenti does not stop them;
:meth:`PracticeService.set_stopped` does, and the builder then drops every pending send.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from bot.core import choices as ids
from bot.core.clock import Clock
from bot.core.errors import InvalidInput, StaleAction
from bot.core.models import OwnerProfile, Role, StoredFile, TrainingSession
from bot.core.notices import Notice, NoticeKind
from bot.core.ports import OutboxWriter, ProfileReader, Transaction, UnitOfWork
from bot.core.practice import PracticeTask, TaskStatus
from bot.services.dialogs import DialogService
from bot.services.files import ALLOWED, IMAGES
from bot.services.store_links import EXAMPLE, store_of
from bot.services.tasks_content import Task, TaskLibrary
from bot.services.tips import clamp_quiet
from bot.services.unexpected import CLOSED, WrittenReply
from bot.services.validation import NO_MARKETPLACE, clean_text

if TYPE_CHECKING:
    from bot.core.questions import TicketDraft
    from bot.i18n import Catalog
    from bot.services.questions import Reply

TASK_KIND = NoticeKind.PRACTICE_TASK
HELP_KIND = NoticeKind.PRACTICE_HELP
REVIEW_KIND = NoticeKind.PRACTICE_REVIEW  # the proof, to the session's trainer
ACCEPTED_KIND = NoticeKind.PRACTICE_ACCEPTED  # to the owner
FIX_KIND = NoticeKind.PRACTICE_FIX  # the trainer's comment, to the owner, with the task again
DONE, LATER, HELP = "done", "later", "help"
ACTIONS = (DONE, LATER, HELP)
ACCEPT, FIX = "ok", "fix"  # the reviewer's answers
REVIEWS = (ACCEPT, FIX)
NEED_PHOTO = "practice.need_photo"
PROOF_TYPES = {mime: ALLOWED[mime] for mime in IMAGES}  # a photo proof: JPEG or PNG
PROOF = "proof"  # what "done" on a task with proof becomes: send the proof now
FLOW, PROOF_STEP = "practice", "proof"
FIX_FLOW, NOTE_STEP = "practice_fix", "note"
NOTE_MAX = 500
SNOOZE = timedelta(days=3)
MAX_SNOOZES = 2
MAX_TASKS = 6  # per session: a short sequence, not a course
TASK_PRIORITY = 6


def practice_ref(booking_id: int) -> str:
    """The outbox ``ref`` of a booking's task sends."""
    return f"practice:{booking_id}"


def tapped(choice_id: str | None) -> tuple[int, str]:
    """The task row and the action of a tapped practice choice (``pr:v1:<row>:<action>``,
    an owner's or a reviewer's), read once for every channel; StaleAction if the choice is
    not one (old, foreign or forged). Whether the action may be taken is the service's."""
    parts = ids.parse(choice_id, ids.PRACTICE, 2)
    if parts is None or not parts[0].isdigit() or parts[1] not in (*ACTIONS, *REVIEWS):
        raise StaleAction(choice_id)
    return int(parts[0]), parts[1]


async def keep_proof_photo(files: PhotoKeeper, content: bytes, mime_type: str | None) -> str:
    """Keep a photo sent as a task's proof and return its sha256, for every channel: a JPEG
    or PNG (``mime_type`` None: a photo whose bytes tell). Anything else, or a file whose
    bytes are not what it claims, is InvalidInput ``practice.need_photo`` (asked again for
    a photo); too big keeps the size refusal, which says the limit."""
    try:
        return (await files.keep(content, mime_type, PROOF_TYPES)).sha256
    except InvalidInput as refused:
        raise _as_proof_refusal(refused) from None


def check_proof_photo(files: PhotoKeeper, mime_type: str | None, size: int | None) -> None:
    """Refuse, before any download, a file that cannot be a task's photo proof (see
    :func:`keep_proof_photo`)."""
    try:
        files.check(mime_type, size, PROOF_TYPES)
    except InvalidInput as refused:
        raise _as_proof_refusal(refused) from None


def _as_proof_refusal(refused: InvalidInput) -> InvalidInput:
    return refused if refused.key == "lesson_files.too_big" else InvalidInput(NEED_PHOTO)


class PhotoKeeper(Protocol):
    """The bot's files (:class:`bot.services.files.FileService`), as a proof photo needs."""

    def check(
        self, mime_type: str | None, size: int | None, allowed: Mapping[str, object] = ...
    ) -> str: ...
    async def keep(
        self,
        content: bytes,
        mime_type: str | None,
        allowed: Mapping[str, tuple[bytes, ...]] = ...,
    ) -> StoredFile: ...


def task_choice(row_id: int, action: str) -> str:
    """The choice id of one answer to one task."""
    return ids.pack(ids.PRACTICE, str(row_id), action)


class PracticeStore(Protocol):
    """Given tasks and who stopped them."""

    async def add(
        self,
        tx: Transaction,
        booking_id: int,
        user_id: int,
        task_id: str,
        required: bool,
        due_at: datetime,
    ) -> int | None: ...
    async def get(self, row_id: int) -> PracticeTask | None: ...
    async def of_user(self, user_id: int) -> list[PracticeTask]: ...
    async def of_booking(self, booking_id: int) -> list[PracticeTask]: ...
    async def submit(
        self, tx: Transaction, row_id: int, link: str | None, file: str | None, now: datetime
    ) -> bool: ...
    async def accept(self, tx: Transaction, row_id: int, reviewer: int, now: datetime) -> bool: ...
    async def send_back(self, tx: Transaction, row_id: int, reviewer: int, note: str) -> bool: ...
    async def finish(self, tx: Transaction, row_id: int, now: datetime) -> bool: ...
    async def snooze(self, tx: Transaction, row_id: int, due_at: datetime, most: int) -> bool: ...
    async def asked_help(self, tx: Transaction, row_id: int, now: datetime) -> bool: ...
    async def tasks_off(self, user_id: int) -> bool: ...
    async def set_tasks_off(self, user_id: int, off: bool) -> None: ...


class HelpDesk(Protocol):
    """Where an owner's "I need help with this task" goes (swappable for a question desk),
    and who reviews a task's proof.

    Help is opened in the transaction that marks the task asked (:meth:`open`), so the owner
    is never told "a person will answer" without the ticket being kept: either both are
    written or neither is (and the owner's "🙋 Butuh bantuan" still works on the retry)."""

    async def draft(self, task: PracticeTask, channel: str, language: str) -> TicketDraft | None:
        """Read what the request needs (None: nobody can help)."""
        ...

    async def open(self, tx: Transaction, draft: TicketDraft) -> int:
        """Open the request inside ``tx``; return its ticket's id."""
        ...

    async def promise(self, task: PracticeTask, ticket: int, language: str) -> str | None:
        """What the owner is told about their committed request."""
        ...

    async def reviewer(self, task: PracticeTask) -> int | None:
        """Who looks at the proof of ``task`` (None: nobody can)."""
        ...


class TrainerLookup(Protocol):
    """Who answers an owner's question about a session."""

    async def answerer(self, trainer_id: int | None) -> int | None: ...


class RoleHolders(Protocol):
    """Who holds a role now, and a person's roles."""

    async def roles(self, user_id: int) -> frozenset[Role]: ...
    async def holders(self, role: Role) -> list[int]: ...


@dataclass(frozen=True)
class SessionAnswerer:
    """The session's trainer while they still are one (checked now), else the first staff."""

    users: RoleHolders

    async def answerer(self, trainer_id: int | None) -> int | None:
        """Who answers for a session with this trainer."""
        if trainer_id is not None and Role.TRAINER in await self.users.roles(trainer_id):
            return trainer_id
        staff = await self.users.holders(Role.STAFF)
        return min(staff) if staff else None


class TicketDesk(Protocol):
    """The question desk (:class:`bot.services.questions.QuestionDesk`), as help needs it."""

    async def draft_about(
        self, user_id: int, session_id: int, text: str, channel: str
    ) -> TicketDraft: ...
    async def open_in(self, tx: Transaction, draft: TicketDraft) -> int: ...
    async def promised(self, user_id: int, question_id: int, language: str) -> Reply: ...


def promise_text(reply: Reply) -> str | None:
    """The desk's promise to the owner as one text."""
    return "\n\n".join(n.text for n in reply.notices) or None


@dataclass(frozen=True)
class DeskHelp:
    """ "Butuh bantuan" as a question-desk ticket about the task's session: the desk sends it
    to the session's trainer and staff with a promised time, and their answer reaches the
    owner on their channel. The proof of a task is reviewed by the session's trainer."""

    desk: TicketDesk
    trainer_of: TrainerLookup
    library: TaskLibrary
    catalog: Catalog

    async def draft(self, task: PracticeTask, channel: str, language: str) -> TicketDraft:
        """The ticket about the task's session, read before the write."""
        found = await self.library.get(task.task_id)
        what = (found.text.get(language) or found.text.get("id", "")) if found else task.task_id
        label = self.catalog.text(language, "practice_desk.ticket")
        text = f"{label} «{task.session_title}»:\n{what}"
        return await self.desk.draft_about(task.user_id, task.session_id, text, channel)

    async def open(self, tx: Transaction, draft: TicketDraft) -> int:
        """Open the ticket in the task's transaction."""
        return await self.desk.open_in(tx, draft)

    async def promise(self, task: PracticeTask, ticket: int, language: str) -> str | None:
        """The desk's promise to the owner: who answers and by when."""
        return promise_text(await self.desk.promised(task.user_id, ticket, language))

    async def reviewer(self, task: PracticeTask) -> int | None:
        """The session's trainer (or staff) looks at the proof."""
        return await self.trainer_of.answerer(task.trainer_id)


def fits(task: Task, session: TrainingSession, profile: OwnerProfile | None) -> bool:
    """Whether a task suits this session's topic and this owner's business."""
    title = session.title.lower()
    if task.topics and not any(word in title for word in task.topics):
        return False
    category = profile.category if profile else None
    if task.categories and category not in task.categories:
        return False
    markets = set(profile.marketplaces) - {NO_MARKETPLACE} if profile else set()
    return not task.marketplaces or bool(task.marketplaces & markets)


@dataclass(frozen=True)
class Answered:
    """What an answer did: the task, the answer, and when it comes again or who helps."""

    task: PracticeTask
    action: str
    again_at: datetime | None = None
    helper: int | None = None
    promise: str | None = None  # help: what the question desk tells the owner
    required_done: int = 0
    required_total: int = 0
    proof: str | None = None  # "link" or "photo": what the owner is asked to send now


class PracticeService:
    """Give attendees their practice tasks and take their answers."""

    def __init__(
        self,
        db: UnitOfWork,
        store: PracticeStore,
        owners: ProfileReader,
        outbox: OutboxWriter,
        library: TaskLibrary,
        help_desk: HelpDesk,
        tz: ZoneInfo,
        now: Clock,
        dialogs: DialogService,
        users: RoleHolders,
        catalog: Catalog,
    ) -> None:
        self._db, self._store, self._owners, self._outbox = db, store, owners, outbox
        self._library, self._help, self._tz, self._now = library, help_desk, tz, now
        self._dialogs, self._users, self._catalog = dialogs, users, catalog
        self._on_completed: list[Callable[[int], Awaitable[object]]] = []

    def on_completed(self, callback: Callable[[int], Awaitable[object]]) -> None:
        """Call ``callback(booking_id)`` after each task is completed (the certificate)."""
        self._on_completed.append(callback)

    async def _completed(self, booking_id: int) -> None:
        for callback in self._on_completed:
            await callback(booking_id)

    async def task(self, task_id: str) -> Task | None:
        """A task of the file by id."""
        return await self._library.get(task_id)

    async def given(self, row_id: int) -> PracticeTask | None:
        """A given task by its row id."""
        return await self._store.get(row_id)

    async def attended(
        self,
        tx: Transaction,
        booking_id: int,
        user_id: int,
        session: TrainingSession,
        now: datetime,
    ) -> None:
        """Give the attendee the session's tasks, each sent on its day after the end."""
        profile = await self._owners.get(user_id)
        chosen = [t for t in await self._library.tasks() if fits(t, session, profile)]
        for task in sorted(chosen, key=lambda t: (t.day, t.line))[:MAX_TASKS]:
            due = max(clamp_quiet(session.ends_at + timedelta(days=task.day), self._tz), now)
            row = await self._store.add(tx, booking_id, user_id, task.id, task.required, due)
            if row is not None:
                await self._send_at(tx, booking_id, user_id, row, due, now)

    async def unattended(self, tx: Transaction, booking_id: int) -> None:
        """Withdraw the task sends of a booking whose attendance was taken back."""
        await self._outbox.cancel_ref(tx, practice_ref(booking_id))

    async def sendable(self, row_id: int) -> tuple[PracticeTask, Task] | None:
        """The task to send now, or None: answered, withdrawn, stopped or gone from the file."""
        given = await self._store.get(row_id)
        if given is None or given.status != TaskStatus.OPEN or not given.attended:
            return None
        if await self._store.tasks_off(given.user_id):
            return None
        task = await self._library.get(given.task_id)
        return (given, task) if task is not None else None

    async def answer(
        self,
        user_id: int,
        row_id: int,
        action: str,
        *,
        channel: str = "telegram",
        language: str = "id",
    ) -> Answered:
        """Take the owner's "done", "later" or "help" on their open task (else StaleAction);
        help becomes a ticket asked on ``channel`` in ``language``."""
        given = await self._store.get(row_id)
        if given is None or given.user_id != user_id or action not in ACTIONS:
            raise StaleAction(row_id)
        now = self._now()
        if action == DONE and given.status == TaskStatus.OPEN:
            task = await self._library.get(given.task_id)
            if task is not None and task.proof != "none":
                await self._dialogs.move(user_id, FLOW, PROOF_STEP, {"task": row_id})
                return Answered(given, PROOF, proof=task.proof)
        draft = await self._help.draft(given, channel, language) if action == HELP else None
        ticket = None
        async with self._db.transaction() as tx:
            if action == DONE:
                if not await self._store.finish(tx, row_id, now):
                    raise StaleAction(row_id)
            else:
                answered = await self._later_or_help(tx, given, action, now)
            if draft is not None:  # the ticket is kept with the help, or neither is
                ticket = await self._help.open(tx, draft)
        if action == HELP:
            promise = await self._help.promise(given, ticket, language) if ticket else None
            return Answered(given, action, promise=promise)
        if action == LATER:
            return answered
        await self._completed(given.booking_id)
        return await self._progress(given, DONE)

    async def _later_or_help(
        self, tx: Transaction, given: PracticeTask, action: str, now: datetime
    ) -> Answered:
        """Put the task off, or pass the request for help on."""
        row_id, user_id = given.id, given.user_id
        if action == LATER:
            again = clamp_quiet(now + SNOOZE, self._tz)
            if not await self._store.snooze(tx, row_id, again, MAX_SNOOZES):
                raise StaleAction(row_id)
            await self._send_at(tx, given.booking_id, user_id, row_id, again, now)
            return Answered(given, action, again_at=again)
        if given.status != TaskStatus.OPEN or not await self._store.asked_help(tx, row_id, now):
            raise StaleAction(row_id)
        return Answered(given, action)

    async def awaited_proof(self, user_id: int) -> tuple[PracticeTask, Task] | None:
        """The open task whose proof the owner's dialog waits for, if it does."""
        dialog = await self._dialogs.current(user_id)
        if dialog is None or dialog.flow != FLOW or dialog.step != PROOF_STEP:
            return None
        given = await self._store.get(int(dialog.data["task"]))
        task = await self._library.get(given.task_id) if given else None
        if given is None or task is None or given.status != TaskStatus.OPEN:
            return None
        return given, task

    async def proof_step(
        self,
        user_id: int,
        text: str | None,
        *,
        photo: Callable[[], Awaitable[str | None]],
        language: str,
    ) -> WrittenReply:
        """Answer what the owner sent as a task's proof, once for every channel: sent for
        review; refused (not a store link, not a JPEG or PNG photo: why, and the proof is
        still awaited); or the task closed meanwhile. ``text``: what was typed (None for
        anything else); ``photo``: see :meth:`received_proof`."""
        t = functools.partial(self._catalog.text, language)
        try:
            await self.received_proof(user_id, text, photo=photo)
        except InvalidInput as refused:
            return WrittenReply(Notice(t(refused.key, **refused.params)), asks=True)
        except StaleAction:
            return WrittenReply(Notice(t(CLOSED)), asks=False)
        return WrittenReply(Notice(t("practice.proof_sent")), asks=False)

    async def received_proof(
        self,
        user_id: int,
        text: str | None = None,
        file_sha: str | None = None,
        *,
        photo: Callable[[], Awaitable[str | None]] | None = None,
    ) -> PracticeTask:
        """Take a store link or a kept photo as the awaited proof and send it for review.

        ``photo`` fetches and keeps the file the person sent (its sha256; None: no file),
        called only when the task asks for a photo: a file sent for a store link is not
        downloaded, and gets the link's refusal.

        InvalidInput (``practice.bad_link`` with an example, ``practice.need_photo``) if it
        is not what the task asks for; StaleAction if no proof is awaited.
        """
        awaited = await self.awaited_proof(user_id)
        if awaited is None:
            await self._dialogs.end(user_id)
            raise StaleAction(user_id)
        given, task = awaited
        link = None
        if task.proof == "link":
            found = store_of(text or "")
            if found is None:
                raise InvalidInput("practice.bad_link", example=EXAMPLE)
            link = found[1]
        else:
            if file_sha is None and photo is not None:
                file_sha = await photo()
            if file_sha is None:
                raise InvalidInput(NEED_PHOTO)
        now = self._now()
        async with self._db.transaction() as tx:
            if not await self._store.submit(tx, given.id, link, file_sha, now):
                raise StaleAction(given.id)
            reviewer = await self._help.reviewer(given)
            if reviewer is not None:
                await self._outbox.enqueue(
                    tx,
                    reviewer,
                    REVIEW_KIND,
                    {"task": given.id},
                    now,
                    now,
                    4,
                    f"practice-review:{given.id}",
                )
        await self._dialogs.end(user_id)
        return given

    async def may_review(self, user_id: int, given: PracticeTask) -> bool:
        """The session's trainer while they still hold the role, or staff (checked now)."""
        roles = await self._users.roles(user_id)
        if Role.STAFF in roles:
            return True
        return given.trainer_id == user_id and Role.TRAINER in roles

    async def review(self, user_id: int, row_id: int, action: str) -> PracticeTask:
        """Accept the proof (the task is done, the owner told) or start asking for a fix."""
        given = await self._store.get(row_id)
        if (
            given is None
            or action not in (ACCEPT, FIX)
            or given.status != TaskStatus.REVIEW
            or not await self.may_review(user_id, given)
        ):
            raise StaleAction(row_id)
        if action == FIX:
            await self._dialogs.move(user_id, FIX_FLOW, NOTE_STEP, {"task": row_id})
            return given
        now = self._now()
        async with self._db.transaction() as tx:
            if not await self._store.accept(tx, row_id, user_id, now):
                raise StaleAction(row_id)
            await self._outbox.enqueue(
                tx, given.user_id, ACCEPTED_KIND, {"task": row_id}, now, now, 4
            )
        await self._completed(given.booking_id)
        return given

    async def awaited_note(self, user_id: int) -> int | None:
        """The task whose fix comment the reviewer's dialog waits for, if it does."""
        dialog = await self._dialogs.current(user_id)
        if dialog is None or dialog.flow != FIX_FLOW or dialog.step != NOTE_STEP:
            return None
        return int(dialog.data["task"])

    async def received_note(self, user_id: int, text: str) -> PracticeTask:
        """Send the proof back to the owner with the reviewer's comment (re-checked now)."""
        row_id = await self.awaited_note(user_id)
        given = await self._store.get(row_id) if row_id is not None else None
        if given is None or not await self.may_review(user_id, given):
            await self._dialogs.end(user_id)
            raise StaleAction(row_id)
        note = clean_text(text, max_length=NOTE_MAX)
        now = self._now()
        async with self._db.transaction() as tx:
            if not await self._store.send_back(tx, given.id, user_id, note):
                await self._dialogs.end(user_id)
                raise StaleAction(given.id)
            await self._outbox.enqueue(
                tx, given.user_id, FIX_KIND, {"task": given.id}, now, now, 4
            )
        await self._dialogs.end(user_id)
        return given

    async def stopped(self, user_id: int) -> bool:
        """Whether the owner stopped the practice tasks."""
        return await self._store.tasks_off(user_id)

    async def set_stopped(self, user_id: int, stopped: bool) -> None:
        """Stop (or restart) the owner's practice tasks; announcements are not touched."""
        await self._store.set_tasks_off(user_id, stopped)

    async def of_user(self, user_id: int) -> list[PracticeTask]:
        """Every task the owner was given (for /datasaya)."""
        return await self._store.of_user(user_id)

    async def _progress(self, given: PracticeTask, action: str) -> Answered:
        tasks = await self._store.of_booking(given.booking_id)
        required = [t for t in tasks if t.required]
        done = sum(1 for t in required if t.status == TaskStatus.DONE or t.id == given.id)
        return Answered(given, action, required_done=done, required_total=len(required))

    async def _send_at(
        self,
        tx: Transaction,
        booking_id: int,
        user_id: int,
        row_id: int,
        due: datetime,
        now: datetime,
    ) -> None:
        await self._outbox.enqueue(
            tx,
            user_id,
            TASK_KIND,
            {"task": row_id},
            due,
            now,
            TASK_PRIORITY,
            practice_ref(booking_id),
        )
