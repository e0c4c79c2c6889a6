"""FAQ entries staff make from a good answer: "📚 Jadikan FAQ" under an answered ticket.

Staff see the proposed entry (the question as the owner asked it, the answer as they wrote
it) and confirm it; from then on the same question is answered by the FAQ. The entries live
in SQLite (``staff_faq``) and :class:`bot.services.faq_search.FaqLibrary` merges them with
``content/faq.yaml`` at search time: the running bot never rewrites a file of the repository
(a hand edit, a deploy or ``git pull`` would race with it, and YAML comments would be lost),
and the entries are in the database's backups. An entry of the file wins over a staff entry
with the same id; staff move a good one into the file by hand when they next edit it.

Every tap re-reads the role: only staff (not trainers) make FAQ entries.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.core import choices as ids
from bot.core.clock import Clock
from bot.core.errors import NotAllowed, StaleAction
from bot.core.models import Role
from bot.core.notices import Choice, Notice
from bot.core.questions import Question, StaffFaqRow
from bot.i18n import Catalog, escape
from bot.services.faq_content import FaqEntry

TITLE_MAX = 24  # a choice button's title (a WhatsApp list row allows 24 characters)
ID_PREFIX = "staf-"


class StaffFaqStore(Protocol):
    """Where staff FAQ entries live (``storage.staff_faq.StaffFaqRepository``)."""

    async def add(self, row: StaffFaqRow) -> None: ...
    async def all(self) -> list[StaffFaqRow]: ...
    async def version(self) -> tuple[int, str | None]: ...
    async def answer_of(self, question_id: int, message_id: int) -> str | None: ...
    async def latest_answer(self, question_id: int) -> tuple[int, str] | None: ...


class Questions(Protocol):
    """One question as stored now."""

    async def get(self, question_id: int) -> Question | None: ...


class Roles(Protocol):
    """Roles as stored now."""

    async def roles(self, user_id: int) -> frozenset[Role]: ...


def entry_of(row: StaffFaqRow) -> FaqEntry:
    """A staff entry as the search reads it: the question as its one form, the answer
    escaped (staff typed plain text, FAQ answers are markup)."""
    title = _title(row.question)
    answer = str(escape(row.answer))
    return FaqEntry(
        id=row.id,
        title={"id": title, "en": title},
        questions={"id": (row.question,)},
        answer={"id": answer, "en": answer},
        line=0,
    )


def _title(question: str) -> str:
    words = " ".join(question.split())
    if len(words) <= TITLE_MAX:
        return words
    return words[: TITLE_MAX - 1].rsplit(" ", 1)[0] + "…"


class StaffFaq:
    """Propose and store FAQ entries from answered tickets; feed them to the FAQ search."""

    def __init__(
        self,
        store: StaffFaqStore,
        questions: Questions,
        people: Roles,
        catalog: Catalog,
        now: Clock,
    ) -> None:
        self._store = store
        self._questions = questions
        self._people = people
        self._catalog = catalog
        self._now = now

    async def version(self) -> object:
        """Changes whenever an entry is added (the search rebuilds its index then)."""
        return await self._store.version()

    async def entries(self) -> Sequence[FaqEntry]:
        """Every staff entry, as FAQ entries."""
        return [entry_of(row) for row in await self._store.all()]

    async def sent_notice(self, actor_id: int, question_id: int, language: str) -> Notice:
        """ "Answer sent", with "📚 Jadikan FAQ" under it for staff."""
        text = self._t(language, "questions.ticket.sent", id=str(question_id))
        if Role.STAFF not in await self._people.roles(actor_id):
            return Notice(text)
        make = Choice(
            ids.pack(ids.STAFF_FAQ, "see", str(question_id)),
            self._t(language, "questions2.button.make_faq"),
        )
        return Notice(text, (make,))

    async def propose(self, actor_id: int, question_id: int, language: str) -> Notice:
        """The entry the ticket would make, with "✅ Simpan ke FAQ" and "✖️ Batal"."""
        question = await self._allowed(actor_id, question_id)
        latest = await self._store.latest_answer(question_id)
        if latest is None:
            raise StaleAction(question_id)
        message_id, answer = latest
        qid = str(question_id)
        save = Choice(
            ids.pack(ids.STAFF_FAQ, "add", qid, str(message_id)),
            self._t(language, "questions2.button.save"),
        )
        cancel = Choice(
            ids.pack(ids.STAFF_FAQ, "no", qid), self._t(language, "questions2.button.cancel")
        )
        text = self._t(
            language,
            "questions2.proposal",
            id=str(question_id),
            question=question.text,
            answer=answer,
        )
        return Notice(text, (save, cancel), (2,))

    async def adopt(self, actor_id: int, question_id: int, message_id: int) -> FaqEntry:
        """Store the proposed entry; StaleAction if it is stored already or no longer fits."""
        question = await self._allowed(actor_id, question_id)
        answer = await self._store.answer_of(question_id, message_id)
        if answer is None:
            raise StaleAction(question_id)
        row = StaffFaqRow(
            f"{ID_PREFIX}{question_id}", question_id, question.text, answer, actor_id, self._now()
        )
        await self._store.add(row)
        return entry_of(row)

    async def _allowed(self, actor_id: int, question_id: int) -> Question:
        if Role.STAFF not in await self._people.roles(actor_id):
            raise NotAllowed(actor_id, Role.STAFF.value)
        question = await self._questions.get(question_id)
        if question is None or question.status is None:
            raise StaleAction(question_id)
        return question

    def _t(self, language: str, key: str, /, **params: object) -> str:
        return self._catalog.text(language, key, **params)
