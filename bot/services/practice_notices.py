"""Notices of the practice tasks: the task itself, the help request to the trainer, replies.

Pure builders over the practice service: a task row that was answered, withdrawn, stopped or
erased builds nothing, and its send is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.models import OutboxMessage
from bot.core.notices import Attachment, ChannelName, Choice, Notice
from bot.core.ports import ProfileReader
from bot.core.practice import PracticeTask, TaskStatus
from bot.formatting import format_datetime
from bot.i18n import Catalog, Html
from bot.services.delivery import Builders, IdentityStore
from bot.services.files import FileService
from bot.services.practice import (
    ACCEPT,
    ACCEPTED_KIND,
    DONE,
    FIX,
    FIX_KIND,
    HELP,
    HELP_KIND,
    LATER,
    MAX_SNOOZES,
    PROOF,
    REVIEW_KIND,
    TASK_KIND,
    Answered,
    PracticeService,
    task_choice,
)
from bot.services.tasks_content import Task


def task_body(catalog: Catalog, language: str, task: Task) -> Html:
    """The task's text in the reader's language (trusted markup from the content file)."""
    return Html(task.text.get(language) or task.text["id"])


def task_choices(catalog: Catalog, language: str, row_id: int, snoozes: int) -> tuple[Choice, ...]:
    """ "✅ Sudah", "⏰ Nanti" (while it may still be put off) and "🙋 Butuh bantuan"."""
    actions = [DONE, LATER, HELP] if snoozes < MAX_SNOOZES else [DONE, HELP]
    return tuple(
        Choice(task_choice(row_id, a), catalog.text(language, f"practice.button.{a}"))
        for a in actions
    )


def proof_question(
    catalog: Catalog, language: str, awaited: tuple[PracticeTask, Task] | None
) -> str | None:
    """The proof question asked again (after a word or command, on every channel) for the
    task the owner's dialog waits for (None: it waits for none)."""
    return _ask_proof(catalog, language, awaited[1].proof) if awaited is not None else None


def _ask_proof(catalog: Catalog, language: str, proof: str | None) -> str:
    return catalog.text(language, f"practice.ask_{proof}")


def answer_reply(catalog: Catalog, language: str, tz: ZoneInfo, answered: Answered) -> str:
    """What the owner reads after answering a task."""
    if answered.action == DONE:
        return catalog.text(
            language,
            "practice.done",
            done=answered.required_done,
            total=answered.required_total,
        )
    if answered.action == LATER:
        assert answered.again_at is not None
        return catalog.text(
            language, "practice.later", when=format_datetime(answered.again_at, tz, language)
        )
    if answered.action == PROOF:
        return _ask_proof(catalog, language, answered.proof)
    if answered.promise is not None:  # the question desk's "who answers, by when"
        return answered.promise
    key = "practice.help_sent" if answered.helper is not None else "practice.help_nobody"
    return catalog.text(language, key)


@dataclass(frozen=True)
class PracticeNotices:
    """Builders of the task and of the help request."""

    catalog: Catalog
    practice: PracticeService
    owners: ProfileReader
    identities: IdentityStore
    files: FileService

    def register(self, builders: Builders) -> None:
        """Add the practice kinds to ``builders``."""
        builders.add(TASK_KIND, self.task)
        builders.add(HELP_KIND, self.help_request)
        builders.add(REVIEW_KIND, self.review)
        builders.add(ACCEPTED_KIND, self.accepted)
        builders.add(FIX_KIND, self.fix)

    async def review(self, message: OutboxMessage, lang: str, now: datetime) -> Notice | None:
        """The owner's proof for the trainer, with "accept" and "ask for a fix"."""
        given = await self.practice.given(int(message.params["task"]))
        if given is None or given.status != TaskStatus.REVIEW:
            return None
        profile = await self.owners.get(given.user_id)
        task = await self.practice.task(given.task_id)
        if profile is None or task is None:
            return None
        proof = (
            self.catalog.text(lang, "practice.review_link", link=given.proof_link)
            if given.proof_link
            else self.catalog.text(lang, "practice.review_photo")
        )
        text = self.catalog.text(
            lang,
            "practice.review",
            name=profile.full_name,
            business=profile.business_name,
            title=given.session_title,
            task=task_body(self.catalog, lang, task),
            proof=Html(proof),
        )
        choices = tuple(
            Choice(task_choice(given.id, a), self.catalog.text(lang, f"practice.button.{a}"))
            for a in (ACCEPT, FIX)
        )
        attachment = None
        if given.proof_file:
            kept = await self.files.get(given.proof_file)
            if kept is not None:
                attachment = Attachment(
                    "photo", "bukti.jpg", content=kept.content, mime_type=kept.mime_type
                )
        return Notice(text, choices, attachment=attachment, kind=message.kind)

    async def accepted(self, message: OutboxMessage, lang: str, now: datetime) -> Notice | None:
        """ "The trainer accepted your proof" for the owner."""
        given = await self.practice.given(int(message.params["task"]))
        if given is None or given.status != TaskStatus.DONE:
            return None
        text = self.catalog.text(lang, "practice.accepted", title=given.session_title)
        return Notice(text, kind=message.kind)

    async def fix(self, message: OutboxMessage, lang: str, now: datetime) -> Notice | None:
        """The trainer's comment for the owner, with the task to answer again."""
        found = await self.practice.sendable(int(message.params["task"]))
        if found is None:
            return None
        given, task = found
        text = self.catalog.text(
            lang,
            "practice.fix",
            title=given.session_title,
            note=given.review_note or "",
            task=task_body(self.catalog, lang, task),
        )
        choices = task_choices(self.catalog, lang, given.id, MAX_SNOOZES)
        return Notice(text, choices, kind=message.kind, params={"title": given.session_title})

    async def task(self, message: OutboxMessage, lang: str, now: datetime) -> Notice | None:
        """One practice task with its three answers; None once it no longer applies."""
        found = await self.practice.sendable(int(message.params["task"]))
        if found is None:
            return None
        given, task = found
        text = self.catalog.text(
            lang,
            "practice.task",
            title=given.session_title,
            task=task_body(self.catalog, lang, task),
        )
        if given.snoozes:
            text = self.catalog.text(lang, "practice.again") + "\n" + text
        choices = task_choices(self.catalog, lang, given.id, given.snoozes)
        return Notice(text, choices, kind=message.kind, params={"title": given.session_title})

    async def help_request(
        self, message: OutboxMessage, lang: str, now: datetime
    ) -> Notice | None:
        """ "Siti (Warung Siti) needs help with …" for the trainer; None if the owner is gone."""
        given = await self.practice.given(int(message.params["task"]))
        profile = await self.owners.get(given.user_id) if given else None
        task = await self.practice.task(given.task_id) if given else None
        if given is None or profile is None or task is None:
            return None
        known = await self.identities.channels(given.user_id)
        channel = next(iter(known), ChannelName.TELEGRAM)
        text = self.catalog.text(
            lang,
            "practice.help_request",
            name=profile.full_name,
            business=profile.business_name,
            title=given.session_title,
            task=task_body(self.catalog, lang, task),
            channel=self.catalog.text(lang, f"practice.channel.{channel.value}"),
            phone=profile.phone,
        )
        return Notice(text, kind=message.kind)
