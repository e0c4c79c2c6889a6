"""Notices of Tanya Dinas, built at send time from current data: the ticket a person sees,
its reminder before the promise, and the answer the owner gets on their own channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.core import choices as ids
from bot.core.models import OutboxMessage, OwnerProfile, TrainingSession
from bot.core.notices import Choice, Notice
from bot.core.questions import Question, QuestionCounts, ThreadMessage, TicketStatus
from bot.formatting import format_datetime
from bot.i18n import Catalog, Html
from bot.services.delivery import Builders
from bot.services.questions import (
    ANSWER_KIND,
    DUE_KIND,
    ERASED_KIND,
    MAX_QUOTE,
    MAX_THREAD,
    MAX_THREAD_LINE,
    TICKET_KIND,
    QuestionDesk,
    QuestionStore,
    Sessions,
    clip,
)

CHANNEL_NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp"}


def counts_text(catalog: Catalog, language: str, counts: QuestionCounts) -> str:
    """The Tanya Dinas section of /statistik."""
    t = catalog.text
    by_line = dict(counts.by_line)
    faq = by_line.get("faq", 0)

    def hours(value: float | None) -> str:
        if value is None:
            return t(language, "questions.stats.none")
        return t(language, "questions.stats.hours", hours=f"{value:.1f}".replace(".", ","))

    return "\n".join(
        [
            t(language, "questions.stats.heading"),
            t(language, "questions.stats.asked", count=counts.asked),
            t(language, "questions.stats.own", count=by_line.get("own", 0)),
            t(language, "questions.stats.faq", count=faq, helpful=counts.helpful),
            t(language, "questions.stats.choices", count=by_line.get("choices", 0)),
            t(language, "questions.stats.person", count=counts.tickets, answered=counts.answered),
            t(
                language,
                "questions.stats.response",
                median=hours(counts.median_hours),
                p90=hours(counts.p90_hours),
            ),
            t(
                language,
                "questions.stats.promises",
                kept=counts.kept,
                answered=counts.answered,
                overdue=counts.overdue,
            ),
        ]
    )


class Profiles(Protocol):
    """Owners' profiles."""

    async def get(self, user_id: int) -> OwnerProfile | None: ...


class Names(Protocol):
    """Telegram or role names of people."""

    async def display_names(self, user_ids: list[int]) -> dict[int, str]: ...


@dataclass(frozen=True)
class QuestionNotices:
    """Builders of the ticket, reminder and answer notices."""

    catalog: Catalog
    tz: ZoneInfo
    desk: QuestionDesk
    store: QuestionStore
    profiles: Profiles
    sessions: Sessions
    names: Names

    def register(self, builders: Builders) -> None:
        """Add the Tanya Dinas notices to ``builders``."""
        builders.add(TICKET_KIND, self.ticket)
        builders.add(DUE_KIND, self.due)
        builders.add(ANSWER_KIND, self.answer)
        builders.add(ERASED_KIND, self.erased)

    async def ticket(self, message: OutboxMessage, lang: str, now: datetime) -> Notice | None:
        """The ticket as staff or the trainer see it; None if they may no longer answer it."""
        question = await self._ticket(message)
        if question is None or question.status == TicketStatus.CLOSED:
            return None
        return await self._card(question, lang, "questions.ticket.card", message.kind)

    async def due(self, message: OutboxMessage, lang: str, now: datetime) -> Notice | None:
        """Remind of a ticket nearing its promise; None once it has been answered."""
        question = await self._ticket(message)
        if question is None or question.status != TicketStatus.OPEN:
            return None
        return await self._card(question, lang, "questions.ticket.due_soon", message.kind)

    async def answer(self, message: OutboxMessage, lang: str, now: datetime) -> Notice | None:
        """A person's answer, as the owner reads it on their own channel."""
        question = await self.store.get(int(message.params["question"]))
        reply = await self.store.message(int(message.params["message"]))
        if question is None or reply is None:
            return None
        who = Html(await self._answerer(question, reply, lang))
        quoted = clip(question.text, MAX_QUOTE)
        text = self.catalog.text(
            lang, "questions.answer", who=who, text=reply.text, question=quoted
        )
        return Notice(text, kind=message.kind, params={"question": str(question.id)})

    async def erased(self, message: OutboxMessage, lang: str, now: datetime) -> Notice:
        """A ticket card staff were sent, overwritten once its owner's data was erased."""
        text = self.catalog.text(lang, "questions.ticket.erased")
        return Notice(text, kind=message.kind, replaces=str(message.params["message"]))

    async def _ticket(self, message: OutboxMessage) -> Question | None:
        question = await self.store.get(int(message.params["question"]))
        if question is None or question.status is None:
            return None
        if not await self.desk.may_answer(message.user_id, question):
            return None  # a revoked trainer gets nothing more
        return question

    async def _answerer(self, question: Question, reply: ThreadMessage, lang: str) -> str:
        author = reply.author_id
        if author is not None and question.session_id is not None:
            session = await self.sessions.get(question.session_id)
            if session is not None and session.trainer_id == author:
                name = (await self.names.display_names([author])).get(author)
                if name:
                    return self.catalog.text(lang, "questions.answer_who_trainer", name=name)
        return self.catalog.text(lang, "questions.answer_who_staff")

    async def _card(self, question: Question, lang: str, key: str, kind: str) -> Notice:
        t = self.catalog.text
        profile = await self.profiles.get(question.user_id)
        owner: str = (
            f"{profile.full_name} ({profile.business_name}, {profile.phone})"
            if profile
            else Html(t(lang, "questions.ticket.guest", id=str(question.user_id)))
        )
        session = await self.sessions.get(question.session_id) if question.session_id else None
        thread = await self.store.thread(question.id)
        text = t(
            lang,
            key,
            id=str(question.id),
            channel=CHANNEL_NAMES.get(question.channel, question.channel),
            owner=owner,
            booking=Html(self._booking(session, lang)),
            due=format_datetime(question.due_at or question.created_at, self.tz, lang),
            thread=Html(self._thread(thread, lang)),
        )
        qid = str(question.id)
        done = Choice(ids.pack(ids.TICKET, "done", qid), t(lang, "questions.button.done"))
        forward = Choice(ids.pack(ids.TICKET, "fwd", qid), t(lang, "questions.button.forward"))
        choices = (done, forward) if question.to_trainer else (done,)
        return Notice(text, choices, kind=kind)

    def _thread(self, thread: list[ThreadMessage], lang: str) -> str:
        """The latest messages that fit a card, each shortened, oldest of them first."""
        lines: list[str] = []
        room = MAX_THREAD
        for m in reversed(thread):
            if room < MAX_THREAD_LINE // 4:
                break  # too little room left to show an earlier message usefully
            text = clip(m.text, min(MAX_THREAD_LINE, room))
            lines.insert(
                0, self.catalog.text(lang, f"questions.ticket.{m.author}_line", text=text)
            )
            room -= len(text) + 4
        if len(lines) < len(thread):
            earlier = self.catalog.text(
                lang, "questions.ticket.earlier", count=len(thread) - len(lines)
            )
            lines.insert(0, earlier)
        return "\n".join(lines)

    def _booking(self, session: TrainingSession | None, lang: str) -> str:
        if session is None:
            return self.catalog.text(lang, "questions.ticket.no_booking")
        when = format_datetime(session.starts_at, self.tz, lang)
        return self.catalog.text(lang, "questions.ticket.booking", title=session.title, when=when)
