"""Tanya Dinas: every question an owner types is answered by the first line that can.

:meth:`QuestionDesk.ask` takes free text the edges could not place (not a command, a menu
word or an answer the bot asked for) and decides, in order:

1. **The owner's own facts.** A question about their own booking, session time and place,
   waitlist place or check-in ("sesi saya jam berapa?", "sy udah absen blm") while they
   have a booking, or about their daily tips while subscribed, is answered with the screen
   the menu would show (``Reply.own``: the edge shows /bookingsaya or /tipsharian), with
   "👍 Terjawab" and "🙋 Tanya petugas" under it (:mod:`bot.services.question_intent`).
2. **The FAQ** (``content/faq.yaml``, searched by :mod:`bot.services.faq_search`). A
   confident match answers at once with "👍 Terjawab" and "🙋 Tanya petugas"; a weak one
   offers the top entries as choices.
3. **A person.** Nothing fits: the question becomes a ticket, promised by the working hours
   (:mod:`bot.services.working_hours`). A question about the owner's session goes to its
   trainer and to staff, any other to staff: each gets it as an outbox row on Telegram, and a
   reminder row falls due before the promise. Staff answer by replying to it; the answer
   reaches the owner through the outbox on their own channel. What the owner writes next
   (a reply to the answer, or text no FAQ entry fits within a week) continues the thread.

Text that asks nothing ("ok makasih", a name, "asdfgh") is no question: the edge answers
as it did before (:func:`bot.services.question_intent.looks_like_question`). Only someone
signed up (and so consented) may ask: anyone else is pointed to /daftar, alike on every
channel, and nothing they typed is kept. Texts are bounded for one message: a ticket card
shows the latest messages that fit, shortened; an answer longer than :data:`MAX_ANSWER` is
refused.

Every staff or trainer action re-reads the role and the session's trainer from the database:
a revoked trainer's reply or tap is refused. An owner asking many questions in a short time
is asked to wait and send it again later (:data:`BURST`, counting only what goes to a
person): nothing of those is kept, and the owner is told so.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.core import choices as ids
from bot.core.clock import Clock
from bot.core.errors import InvalidInput, NotAllowed, StaleAction
from bot.core.models import Role, TrainingSession
from bot.core.notices import Choice, Notice, NoticeKind
from bot.core.ports import ReminderQueue, Transaction, UnitOfWork
from bot.core.questions import (
    Line,
    Question,
    QuestionCounts,
    QuestionFile,
    QuestionRecord,
    ThreadMessage,
    TicketDraft,
    TicketStatus,
)
from bot.formatting import format_datetime
from bot.i18n import Catalog, Html
from bot.services.booking import BookingView
from bot.services.faq_content import FaqEntry
from bot.services.faq_search import FaqLibrary, Hit, terms
from bot.services.question_intent import (
    BOOKINGS,
    SESSION_WORDS,
    TIPS,
    looks_like_question,
    mentions,
    own_topic,
)
from bot.services.working_hours import WorkingHours

logger = logging.getLogger(__name__)

BURST = (5, timedelta(minutes=10))  # more questions than this in that time: please wait
REMIND_BEFORE = timedelta(hours=1)  # staff are reminded this long before a promise
TICKET_KIND, DUE_KIND = NoticeKind.QUESTION_TICKET, NoticeKind.QUESTION_DUE
ANSWER_KIND, ERASED_KIND = NoticeKind.QUESTION_ANSWER, NoticeKind.QUESTION_ERASED
FILE_KIND = NoticeKind.QUESTION_FILE  # a photo, document or voice note sent with a ticket
RIGHT_AFTER = timedelta(minutes=30)  # a file this soon after a question goes with it
# Telegram and WhatsApp both refuse a text over 4,096 characters: an answer leaves room for
# its heading and the quoted question, a ticket card for the owner's details.
MAX_ANSWER = 3500
MAX_QUOTE = 300  # the owner's question, as quoted under an answer
MAX_THREAD = 2800  # the conversation on a ticket card, latest messages first
MAX_THREAD_LINE = 1200  # one message of it


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in "…" if it was cut."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class QuestionStore(Protocol):
    """Where questions and tickets live (``storage.questions.QuestionRepository``)."""

    async def add(
        self, user_id: int, channel: str, text: str, line: Line, faq_id: str | None, now: datetime
    ) -> int: ...
    async def add_in(
        self,
        tx: Transaction,
        user_id: int,
        channel: str,
        text: str,
        line: Line,
        faq_id: str | None,
        now: datetime,
    ) -> int: ...
    async def get(self, question_id: int) -> Question | None: ...
    async def lock(self, tx: Transaction, question_id: int) -> Question | None: ...
    async def count_since(self, user_id: int, since: datetime) -> int: ...
    async def latest_thread(self, user_id: int) -> Question | None: ...
    async def unassigned(self) -> list[Question]: ...
    async def queued(self, tx: Transaction, question_id: int) -> bool: ...
    async def set_faq(self, question_id: int, line: Line, faq_id: str | None) -> None: ...
    async def mark_helpful(self, question_id: int) -> None: ...
    async def hand_over(
        self,
        tx: Transaction,
        question_id: int,
        session_id: int | None,
        to_trainer: bool,
        due_at: datetime,
        now: datetime,
    ) -> None: ...
    async def set_status(
        self, tx: Transaction, question_id: int, status: TicketStatus
    ) -> None: ...
    async def answered(
        self, tx: Transaction, question_id: int, by: int, now: datetime
    ) -> None: ...
    async def to_staff_only(self, tx: Transaction, question_id: int) -> None: ...
    async def reopen(self, tx: Transaction, question_id: int, due_at: datetime) -> None: ...
    async def add_message(
        self,
        tx: Transaction,
        question_id: int,
        author: str,
        author_id: int | None,
        text: str,
        now: datetime,
    ) -> int: ...
    async def thread(self, question_id: int) -> list[ThreadMessage]: ...
    async def message(self, message_id: int) -> ThreadMessage | None: ...
    async def ticket_for_sent(self, user_id: int, sent_id: str) -> int | None: ...
    async def of_user(self, user_id: int) -> list[Question]: ...
    async def all(self) -> list[Question]: ...
    async def latest(self, user_id: int) -> Question | None: ...
    async def add_file(
        self,
        tx: Transaction,
        question_id: int,
        sha256: str,
        kind: str,
        name: str | None,
        now: datetime,
    ) -> int: ...
    async def file(self, file_id: int) -> QuestionFile | None: ...
    async def files_of(self, question_id: int) -> list[QuestionFile]: ...


class People(Protocol):
    """Roles and names as stored now."""

    async def roles(self, user_id: int) -> frozenset[Role]: ...
    async def holders(self, role: Role) -> list[int]: ...
    async def display_names(self, user_ids: Iterable[int]) -> dict[int, str]: ...


class Profiles(Protocol):
    """Owners' profiles: only someone signed up (and so consented) may ask."""

    async def get(self, user_id: int) -> object | None: ...


class Bookings(Protocol):
    """The owner's bookings in sessions not over yet."""

    async def current(self, user_id: int) -> list[BookingView]: ...


class Sessions(Protocol):
    """One session as stored now."""

    async def get(self, session_id: int) -> TrainingSession | None: ...


class Subscriptions(Protocol):
    """Whether the owner gets daily tips."""

    async def subscription(self, user_id: int) -> object | None: ...


@dataclass(frozen=True)
class FileRef:
    """A file an owner sent, as the file service keeps it."""

    sha256: str
    kind: str  # "photo", "document" or "voice"
    name: str | None = None


@dataclass(frozen=True)
class Reply:
    """What answers a question: a screen of the menu (``own``) or notices to show."""

    line: Line | None  # None: not a question (no notices), or the owner was asked to wait
    notices: tuple[Notice, ...] = ()
    own: str | None = None  # BOOKINGS or TIPS: show that menu screen
    question_id: int | None = None
    faq_id: str | None = None

    @property
    def asked(self) -> bool:
        """Whether the text was taken as a question (else the edge answers as before)."""
        return self.line is not None or bool(self.notices)


class QuestionDesk:
    """The three lines of Tanya Dinas, and the tickets' life on the staff side."""

    def __init__(
        self,
        db: UnitOfWork,
        store: QuestionStore,
        outbox: ReminderQueue,
        faq: FaqLibrary,
        hours: WorkingHours,
        people: People,
        bookings: Bookings,
        sessions: Sessions,
        tips: Subscriptions,
        catalog: Catalog,
        now: Clock,
        *,
        profiles: Profiles,
    ) -> None:
        self._db = db
        self._store = store
        self._outbox = outbox
        self.faq = faq
        self.hours = hours
        self._people = people
        self._bookings = bookings
        self._sessions = sessions
        self._tips = tips
        self._catalog = catalog
        self._now = now
        self._profiles = profiles

    @property
    def tz(self) -> ZoneInfo:
        """The zone promises are shown in."""
        return self.hours.tz

    # ---------------------------------------------------------------- the owner's side

    async def ask(self, user_id: int, text: str, channel: str, language: str) -> Reply:
        """Answer free text from the first line that can; record it for /statistik."""
        if not terms(text):
            return Reply(None)  # "ok", "makasih", "halo": nothing is asked
        if await self._profiles.get(user_id) is None:  # no sign-up, no consent: nothing kept
            roles = await self._people.roles(user_id)
            if Role.STAFF in roles or Role.TRAINER in roles:  # not an owner: their commands
                key = "staff_pointer" if Role.STAFF in roles else "trainer_pointer"
                return Reply(None, (Notice(self._t(language, f"owner_lists.{key}")),))
            if not looks_like_question(text):
                return Reply(None)
            return Reply(None, (Notice(self._t(language, "questions.sign_up_first")),))
        now = self._now()
        own = await self._own(user_id, text)
        if own is not None:
            qid = await self._store.add(user_id, channel, text, Line.OWN, None, now)
            return Reply(Line.OWN, (self.own_notice(qid, language),), own, qid)
        found = (await self.faq.index()).find(text)
        if found.confident is not None:
            entry = found.confident.entry
            qid = await self._store.add(user_id, channel, text, Line.FAQ, entry.id, now)
            return Reply(Line.FAQ, (self.faq_notice(entry, qid, language),), None, qid, entry.id)
        if not found.offered and not looks_like_question(text):
            return Reply(None)  # "asdfgh", "Siti Aminah": the FAQ knows it not, nor asks it
        thread = await self._store.latest_thread(user_id)
        if (
            not found.offered
            and thread is not None
            and now - thread.created_at < timedelta(days=7)
        ):
            if await self._busy(user_id):
                return self._wait(language)
            return await self._continue(thread, text, language)
        if found.offered:
            qid = await self._store.add(user_id, channel, text, Line.CHOICES, None, now)
            return Reply(
                Line.CHOICES, (self.offer_notice(found.offered, qid, language),), None, qid
            )
        if await self._busy(user_id):
            return self._wait(language)  # nothing is kept: the owner is told to send it again
        qid = await self._store.add(user_id, channel, text, Line.PERSON, None, now)
        return await self.hand_over(user_id, qid, language)

    async def _busy(self, user_id: int) -> bool:
        """Whether the owner sent more to a person lately than :data:`BURST` allows (FAQ
        answers and offered choices do not count: they reach no one)."""
        count, window = BURST
        return await self._store.count_since(user_id, self._now() - window) >= count

    def _wait(self, language: str) -> Reply:
        return Reply(None, (Notice(self._t(language, "questions.wait")),))

    async def pick(self, user_id: int, question_id: int, entry_id: str, language: str) -> Reply:
        """The owner picked one of the offered entries: answer with it."""
        question = await self._own_question(user_id, question_id)
        entry = (await self.faq.index()).by_id.get(entry_id)
        if entry is None or question.status is not None:
            raise StaleAction(question_id)
        await self._store.set_faq(question_id, Line.FAQ, entry.id)
        return Reply(
            Line.FAQ, (self.faq_notice(entry, question_id, language),), None, question_id, entry.id
        )

    async def helpful(self, user_id: int, question_id: int) -> None:
        """The owner tapped "👍 Terjawab"."""
        question = await self._own_question(user_id, question_id)
        if question.status is not None:
            raise StaleAction(question_id)
        await self._store.mark_helpful(question_id)

    async def hand_over(self, user_id: int, question_id: int, language: str) -> Reply:
        """Make the question a ticket for a person; tell the owner who answers and by when."""
        question = await self._own_question(user_id, question_id)
        if question.status is not None:
            return Reply(Line.PERSON, (await self._promise_notice(question, language),))
        if await self._busy(user_id):
            return self._wait(language)  # the "🙋 Tanya petugas" button still works later
        session = await self._session_of(user_id, question.text)
        return await self._hand(question, session, language)

    async def open_about(
        self, user_id: int, session_id: int, text: str, channel: str, language: str
    ) -> Reply:
        """Open a ticket about one of the owner's sessions straight away (no FAQ, no burst
        limit: a button asks it once), e.g. "🙋 Butuh bantuan" on a practice task; it goes
        to the session's trainer and staff, and the owner is told who answers and by when."""
        draft = await self.draft_about(user_id, session_id, text, channel)
        async with self._db.transaction() as tx:
            qid = await self.open_in(tx, draft)
        return await self.promised(user_id, qid, language)

    async def draft_about(
        self, user_id: int, session_id: int, text: str, channel: str
    ) -> TicketDraft:
        """Read what opening a ticket about a session needs: who answers, the promise."""
        now = self._now()
        session = await self._sessions.get(session_id)
        trainer = session.trainer_id if session is not None else None
        if trainer is not None and Role.TRAINER not in await self._people.roles(trainer):
            trainer = None
        sid = session.id if session is not None else None
        return TicketDraft(user_id, channel, text, sid, trainer, self.hours.promised(now), now)

    async def open_in(self, tx: Transaction, draft: TicketDraft) -> int:
        """Open the drafted ticket inside the caller's transaction (together with what
        caused it, so neither is kept without the other); return its id."""
        now = draft.now
        qid = await self._store.add_in(
            tx, draft.user_id, draft.channel, draft.text, Line.PERSON, None, now
        )
        await self._store.hand_over(
            tx, qid, draft.session_id, draft.trainer is not None, draft.due, now
        )
        await self._store.add_message(tx, qid, "owner", draft.user_id, draft.text, now)
        await self._notify(tx, qid, draft.trainer, draft.due, now)
        return qid

    async def promised(self, user_id: int, question_id: int, language: str) -> Reply:
        """What the owner is told about their committed ticket: who answers, by when."""
        question = await self._own_question(user_id, question_id)
        notice = await self._promise_notice(question, language)
        return Reply(Line.PERSON, (notice,), None, question_id)

    async def _hand(
        self, question: Question, session: TrainingSession | None, language: str
    ) -> Reply:
        """Make the question a ticket (about ``session``, if any) and queue it to people."""
        question_id, user_id = question.id, question.user_id
        now = self._now()
        trainer = session.trainer_id if session is not None else None
        trainer_ok = trainer is not None and Role.TRAINER in await self._people.roles(trainer)
        due = self.hours.promised(now)
        files = [f.id for f in await self._store.files_of(question_id)]
        async with self._db.transaction() as tx:
            await self._store.hand_over(
                tx, question_id, session.id if session else None, trainer_ok, due, now
            )
            await self._store.add_message(tx, question_id, "owner", user_id, question.text, now)
            await self._notify(tx, question_id, trainer if trainer_ok else None, due, now)
            await self._send_files(tx, question_id, trainer if trainer_ok else None, files, now)
        handed = await self._store.get(question_id)
        assert handed is not None
        notice = await self._promise_notice(handed, language)
        return Reply(Line.PERSON, (notice,), None, question_id)

    async def follow_up(self, user_id: int, question_id: int, text: str, language: str) -> Reply:
        """The owner replied to an answer of a person: the thread continues."""
        thread = await self._own_question(user_id, question_id)
        if thread.status is None:
            raise StaleAction(question_id)
        if await self._busy(user_id):
            return self._wait(language)
        return await self._continue(thread, text, language)

    async def _continue(self, thread: Question, text: str, language: str) -> Reply:
        """The owner writes back on their ticket: the thread continues, staff are told.

        A ticket still waiting keeps its promise; one already answered (or closed) is open
        again with a new promise, counted from now.
        """
        now = self._now()
        due = thread.due_at or now
        if thread.status != TicketStatus.OPEN:
            due = self.hours.promised(now)
        async with self._db.transaction() as tx:
            await self._store.add_message(tx, thread.id, "owner", thread.user_id, text, now)
            await self._store.reopen(tx, thread.id, due)
            trainer = await self._trainer_of(thread)
            await self._notify(tx, thread.id, trainer, due, now, remind=due != thread.due_at)
        who = Html(await self._who(thread, language))
        when = format_datetime(due, self.tz, language)
        notice = Notice(self._t(language, "questions.handed_more", who=who, when=when))
        return Reply(Line.PERSON, (notice,), None, thread.id)

    async def _own(self, user_id: int, text: str) -> str | None:
        topic = own_topic(text)
        if topic == BOOKINGS and await self._bookings.current(user_id):
            return BOOKINGS
        if topic == TIPS and await self._tips.subscription(user_id) is not None:
            return TIPS
        return None

    async def _session_of(self, user_id: int, text: str) -> TrainingSession | None:
        """The owner's next session, if the question is about a session."""
        if not mentions(text, SESSION_WORDS):
            return None
        views = await self._bookings.current(user_id)
        return views[0].session if views else None

    async def _own_question(self, user_id: int, question_id: int) -> Question:
        question = await self._store.get(question_id)
        if question is None or question.user_id != user_id:
            raise StaleAction(question_id)
        return question

    async def _notify(
        self,
        tx: Transaction,
        question_id: int,
        trainer: int | None,
        due: datetime,
        now: datetime,
        *,
        remind: bool = True,
    ) -> None:
        """Queue the ticket to its trainer and every staff member, and the reminders."""
        recipients = await self._recipients(tx, trainer)
        if not recipients:
            logger.warning("question %s: no staff yet; it waits for one", question_id)
        reminder = due - REMIND_BEFORE
        for person in recipients:
            params = {"question": question_id}
            await self._outbox.enqueue(tx, person, TICKET_KIND, params, now, now, priority=3)
            if remind and reminder > now:
                await self._outbox.enqueue(tx, person, DUE_KIND, params, reminder, now)

    async def hand_waiting(self) -> int:
        """Queue the open tickets nobody could get when they were asked (no staff member had
        opened the bot yet) to whoever can get them now; return how many were handed.

        Run by the periodic work and at start-up; a ticket still without anyone to take it
        keeps waiting (and counts as overdue once its promise has passed).
        """
        handed = 0
        for question in await self._store.unassigned():
            trainer = await self._trainer_of(question)
            now = self._now()
            files = [f.id for f in await self._store.files_of(question.id)]
            async with self._db.transaction() as tx:
                current = await self._store.lock(tx, question.id)
                if current is None or current.status != TicketStatus.OPEN:
                    continue
                if await self._store.queued(tx, question.id):  # handed meanwhile
                    continue
                if not await self._recipients(tx, trainer):
                    continue
                await self._notify(tx, question.id, trainer, current.due_at or now, now)
                await self._send_files(tx, question.id, trainer, files, now)
            handed += 1
        if handed:
            logger.info("handed %d waiting questions to staff", handed)
        return handed

    async def _recipients(self, tx: Transaction, trainer: int | None) -> list[int]:
        """The ticket's trainer (if any) and every staff member the bot can reach."""
        staff = await self._people.holders(Role.STAFF)
        everyone = dict.fromkeys([*([trainer] if trainer else []), *staff])
        return [p for p in everyone if await self._outbox.recipient_known(tx, p)]

    async def _send_files(
        self,
        tx: Transaction,
        question_id: int,
        trainer: int | None,
        file_ids: Sequence[int],
        now: datetime,
    ) -> None:
        """Queue each file to whoever gets the ticket, after the ticket itself."""
        for person in await self._recipients(tx, trainer) if file_ids else []:
            for file_id in file_ids:
                params = {"question": question_id, "file": file_id}
                await self._outbox.enqueue(tx, person, FILE_KIND, params, now, now, priority=3)

    async def attach(
        self,
        user_id: int,
        channel: str,
        file: FileRef,
        caption: str,
        language: str,
    ) -> Reply:
        """A photo, document or voice note from an owner (kept already by the file service).

        With a caption that asks something it goes with that question; without one, with
        the question asked just before (:data:`RIGHT_AFTER`). A ticket's person gets it at
        once; a question the FAQ answered keeps it for when the owner taps "🙋 Tanya
        petugas". Reply(None) when it belongs to no question (the edge answers as before).
        """
        now = self._now()
        reply = await self.ask(user_id, caption, channel, language) if caption.strip() else None
        if reply is not None and reply.question_id is None and reply.notices:
            return reply  # asked to wait: nothing more is taken
        if reply is not None and reply.question_id is not None:
            question = await self._store.get(reply.question_id)
        else:
            question = await self._recent(user_id, now)
        if question is None:
            return reply or Reply(None)
        async with self._db.transaction() as tx:
            file_id = await self._store.add_file(
                tx, question.id, file.sha256, file.kind, file.name, now
            )
            if question.status is not None:
                trainer = await self._trainer_of(question)
                await self._send_files(tx, question.id, trainer, [file_id], now)
        if reply is not None and reply.question_id == question.id:
            return reply  # the question's own answer says what happens next
        return Reply(question.line, (self._file_notice(question, language),), None, question.id)

    async def takes_file(self, user_id: int, caption: str) -> bool:
        """Whether a file sent now may belong to a question (before it is downloaded)."""
        return bool(caption.strip()) or await self._recent(user_id, self._now()) is not None

    async def _recent(self, user_id: int, now: datetime) -> Question | None:
        """The owner's question (or ticket message) of the last :data:`RIGHT_AFTER`."""
        question = await self._store.latest(user_id)
        if question is None:
            return None
        last = question.created_at
        if question.status is not None:
            thread = await self._store.thread(question.id)
            last = max([last, *(m.at for m in thread if m.author == "owner")])
        return question if now - last <= RIGHT_AFTER else None

    def _file_notice(self, question: Question, language: str) -> Notice:
        if question.status is not None:
            return Notice(self._t(language, "questions2.file_sent", id=str(question.id)))
        ask = self._button(language, "questions.button.ask_person", "ask", str(question.id))
        return Notice(self._t(language, "questions2.file_kept"), (ask,))

    # ---------------------------------------------------------------- the staff's side

    async def ticket_for_reply(self, actor_id: int, sent_id: str) -> int | None:
        """The ticket a reply is about: a ticket card a person got, or an answer the owner
        got (``sent_id``: the bot's message replied to, as its channel numbers it)."""
        return await self._store.ticket_for_sent(actor_id, sent_id)

    async def asked_by(self, user_id: int, question_id: int) -> bool:
        """Whether the question is the user's own (a reply from them continues it)."""
        question = await self._store.get(question_id)
        return question is not None and question.user_id == user_id

    async def may_answer(self, actor_id: int, question: Question) -> bool:
        """Staff answer every ticket; a trainer only while they hold the role and the
        ticket's session still names them. Read from the database on every call."""
        roles = await self._people.roles(actor_id)
        if Role.STAFF in roles:
            return True
        if Role.TRAINER not in roles or not question.to_trainer or question.session_id is None:
            return False
        session = await self._sessions.get(question.session_id)
        return session is not None and session.trainer_id == actor_id

    async def _ticket(self, actor_id: int, question_id: int) -> Question:
        question = await self._store.get(question_id)
        if question is None or question.status is None:
            raise StaleAction(question_id)
        if not await self.may_answer(actor_id, question):
            raise NotAllowed(actor_id, Role.STAFF.value)
        return question

    async def answer(self, actor_id: int, question_id: int, text: str) -> None:
        """A person's answer: stored in the thread, and sent to the owner via the outbox.

        An answer too long for one message is refused (``InvalidInput``), nothing stored.
        """
        question = await self._ticket(actor_id, question_id)
        if len(text.strip()) > MAX_ANSWER:
            raise InvalidInput(
                "questions.ticket.too_long", length=len(text.strip()), limit=MAX_ANSWER
            )
        now = self._now()
        async with self._db.transaction() as tx:
            message = await self._store.add_message(tx, question_id, "staff", actor_id, text, now)
            await self._store.answered(tx, question_id, actor_id, now)
            await self._outbox.enqueue(
                tx,
                question.user_id,
                ANSWER_KIND,
                {"question": question_id, "message": message},
                now,
                now,
                priority=2,
            )

    async def close(self, actor_id: int, question_id: int) -> None:
        """Mark a ticket done."""
        await self._ticket(actor_id, question_id)
        async with self._db.transaction() as tx:
            await self._store.set_status(tx, question_id, TicketStatus.CLOSED)

    async def forward(self, actor_id: int, question_id: int) -> bool:
        """A trainer passes the ticket to staff; False if it is with staff only already."""
        question = await self._ticket(actor_id, question_id)
        if not question.to_trainer:
            return False
        now = self._now()
        async with self._db.transaction() as tx:
            await self._store.to_staff_only(tx, question_id)
            await self._notify(tx, question_id, None, question.due_at or now, now, remind=False)
        return True

    # ---------------------------------------------------------------- screens

    def _t(self, language: str, key: str, /, **params: object) -> str:
        return self._catalog.text(language, key, **params)

    def _button(self, language: str, key: str, *parts: str) -> Choice:
        return Choice(ids.pack(ids.QUESTION, *parts), self._t(language, key))

    def faq_notice(self, entry: FaqEntry, question_id: int, language: str) -> Notice:
        """An FAQ answer with "👍 Terjawab" and "🙋 Tanya petugas" under it."""
        answer = Html(entry.answer.get(language) or entry.answer["id"])
        qid = str(question_id)
        ok = self._button(language, "questions.button.answered", "ok", qid)
        ask = self._button(language, "questions.button.ask_person", "ask", qid)
        return Notice(self._t(language, "questions.faq", answer=answer), (ok, ask), (2,))

    def own_notice(self, question_id: int, language: str) -> Notice:
        """Under the owner's own screen: did it answer, or should a person?"""
        qid = str(question_id)
        ok = self._button(language, "questions.button.answered", "ok", qid)
        ask = self._button(language, "questions.button.ask_person", "ask", qid)
        return Notice(self._t(language, "questions.own"), (ok, ask), (2,))

    def offer_notice(self, hits: Sequence[Hit], question_id: int, language: str) -> Notice:
        """The top entries as choices, then "🙋 Tanya petugas"."""
        qid = str(question_id)
        picks = tuple(
            Choice(
                ids.pack(ids.QUESTION, "pick", qid, h.entry.id),
                h.entry.title.get(language) or h.entry.title["id"],
            )
            for h in hits
        )
        ask = self._button(language, "questions.button.ask_person", "ask", qid)
        return Notice(self._t(language, "questions.offer"), (*picks, ask))

    async def _trainer_of(self, question: Question) -> int | None:
        if not question.to_trainer or question.session_id is None:
            return None
        session = await self._sessions.get(question.session_id)
        return session.trainer_id if session is not None else None

    async def _who(self, question: Question, language: str) -> str:
        trainer = await self._trainer_of(question)
        if trainer is None:
            return self._t(language, "questions.who_staff")
        name = (await self._people.display_names([trainer])).get(trainer)
        if not name:
            return self._t(language, "questions.who_staff")
        return self._t(language, "questions.who_trainer", trainer=name)

    async def _promise_notice(self, question: Question, language: str) -> Notice:
        who = Html(await self._who(question, language))
        when = format_datetime(question.due_at or self._now(), self.tz, language)
        return Notice(self._t(language, "questions.handed", who=who, when=when))

    # ---------------------------------------------------------------- accounts

    async def counts(self) -> QuestionCounts:
        """Questions by line, 👍, first response in working hours and promises kept."""
        now = self._now()
        questions = await self._store.all()
        lines: dict[str, int] = {line.value: 0 for line in Line}
        for q in questions:
            lines[q.line.value] += 1
        tickets = [q for q in questions if q.status is not None]
        answered = [q for q in tickets if q.first_response_at is not None]
        hours = sorted(
            self.hours.between(q.handed_at or q.created_at, q.first_response_at).total_seconds()
            / 3600
            for q in answered
            if q.first_response_at is not None
        )
        kept = sum(
            1
            for q in answered
            if q.first_response_at and q.due_at and q.first_response_at <= q.due_at
        )
        overdue = sum(
            1 for q in tickets if q.status == TicketStatus.OPEN and q.due_at and q.due_at < now
        )
        return QuestionCounts(
            asked=len(questions),
            by_line=tuple(lines.items()),
            helpful=sum(1 for q in questions if q.helpful),
            tickets=len(tickets),
            answered=len(answered),
            kept=kept,
            overdue=overdue,
            median_hours=_percentile(hours, 0.5),
            p90_hours=_percentile(hours, 0.9),
        )

    async def records(self, language: str = "id") -> list[QuestionRecord]:
        """Every question with its FAQ entry's title, first response and promise (export)."""
        by_id = (await self.faq.index()).by_id
        found = []
        for q in await self._store.all():
            entry = by_id.get(q.faq_id) if q.faq_id else None
            title = (entry.title.get(language) or entry.title["id"]) if entry else q.faq_id
            hours, kept = None, None
            if q.status is not None and q.first_response_at is not None:
                worked = self.hours.between(q.handed_at or q.created_at, q.first_response_at)
                hours = round(worked.total_seconds() / 3600, 2)
                kept = q.due_at is not None and q.first_response_at <= q.due_at
            found.append(QuestionRecord(q, title, hours, kept))
        return found

    async def of_user(self, user_id: int) -> list[tuple[Question, list[ThreadMessage]]]:
        """The owner's questions with each ticket's conversation (for /datasaya)."""
        found = []
        for question in await self._store.of_user(user_id):
            thread = await self._store.thread(question.id) if question.status else []
            found.append((question, thread))
        return found


def _percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile of sorted ``values``; None if there are none."""
    if not values:
        return None
    rank = max(1, -(-int(share * 100) * len(values) // 100))
    return values[min(rank, len(values)) - 1]
