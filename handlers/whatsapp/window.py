"""WhatsApp's 24-hour window, which templates are approved, and a notice as a template.

Free-form messages reach a person only within 24 hours of their last message to us (the
customer-service window, WHATSAPP-FACTS §2.1); outside it only an approved template may be
sent. :class:`Windows` keeps each person's last inbound time in SQLite (the inbound side calls
:meth:`Windows.saw_inbound`), :class:`TemplateStatus` knows which templates Meta approved, and
:func:`template_message` fills the template chosen for a notice's outbox kind
(:func:`use_for`) from ``Notice.params``, with the notice's choice ids as the quick-reply
payloads, so a tap on the template comes back as the same id as a tap on a button would.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.core import choices as ids
from bot.core.clock import Clock
from bot.core.notices import Category, Notice
from handlers.whatsapp.graph import TemplateInfo
from handlers.whatsapp.markup import shorten, to_whatsapp
from handlers.whatsapp.payloads import Payload, template_payload
from handlers.whatsapp.templates import MAX_BODY, Template
from storage.whatsapp_contacts import WhatsAppContactRepository

logger = logging.getLogger(__name__)

WINDOW = timedelta(hours=24)
# A window about to close counts as closed: the send may take a while, and clocks differ.
MARGIN = timedelta(minutes=5)
APPROVED = "APPROVED"
# Quick replies that carry no choice of the notice: "show me the message" and "stop news".
# The inbound side answers OPEN by sending what the template stood in for, STOP by turning
# announcements off.
OPEN_PAYLOAD = ids.pack("wa", "open")
STOP_PAYLOAD = ids.pack("wa", "stop")
_VARIABLE = re.compile(r"\{\{\s*(\d+)\s*\}\}")
_BAD_SPACE = re.compile(r"\s*[\n\t]+\s*| {5,}")


class Windows:
    """Each person's customer-service window, kept in SQLite so restarts forget nothing."""

    def __init__(self, contacts: WhatsAppContactRepository, now: Clock) -> None:
        self._contacts = contacts
        self._now = now

    async def saw_inbound(self, external_id: str, at: datetime) -> None:
        """Record a message from the person (wa_id or BSUID, as in identities) sent at ``at``."""
        await self._contacts.saw_inbound(external_id, at)

    async def is_open(self, external_id: str) -> bool:
        """Whether a free-form message may be sent to the person now."""
        record = await self._contacts.window(external_id)
        if record is None:
            return False
        if record.refused_at is not None and record.refused_at >= record.last_inbound:
            return False  # Meta said closed since their last message
        return self._now() < record.last_inbound + WINDOW - MARGIN

    async def refused(self, external_id: str) -> None:
        """Meta answered 131047: the window is closed whatever we recorded."""
        await self._contacts.refused(external_id, self._now())


class TemplateLister(Protocol):
    """What refreshing template statuses needs (``GraphClient`` has it)."""

    async def list_templates(self) -> list[TemplateInfo]:
        """Every template of the business account."""
        ...


class TemplateStatus:
    """Meta's status of each template per language (APPROVED, PAUSED, ...); None: unknown."""

    def __init__(self, statuses: Mapping[tuple[str, str], str] | None = None) -> None:
        self._statuses = dict(statuses or {})

    def status(self, name: str, language: str) -> str | None:
        """The status Meta last reported, None if it does not know the template."""
        return self._statuses.get((name, language))

    def approved(self, name: str, language: str) -> bool:
        """Whether the template may be sent in ``language``."""
        return self.status(name, language) == APPROVED

    def update(self, name: str, language: str, status: str) -> None:
        """Take a status from a ``message_template_status_update`` webhook or a refused send."""
        self._statuses[(name, language)] = status.upper()

    async def refresh(self, graph: TemplateLister) -> None:
        """Replace every status with Meta's current list."""
        found = await graph.list_templates()
        self._statuses = {(t.name, t.language): t.status.upper() for t in found}
        logger.info("template statuses refreshed: %d templates", len(found))

    def problems(self, wanted: Iterable[tuple[str, str]]) -> list[str]:
        """One line per wanted template that cannot be sent, for staff reports."""
        lines = []
        for name, language in wanted:
            status = self.status(name, language)
            if status != APPROVED:
                why = "not at Meta (submit it)" if status is None else f"{status} at Meta"
                lines.append(f"WhatsApp template {name} ({language}): {why}")
        return lines


@dataclass(frozen=True)
class TemplateUse:
    """Which template stands in for a kind of notice, and where its values come from."""

    name: str
    params: tuple[str, ...] = ()  # Notice.params keys for {{1}}, {{2}}, ...
    answers: bool = False  # quick replies carry the notice's choice ids, in order
    markup: tuple[str, ...] = ()  # params written in the neutral markup, not plain text
    other_payload: str = OPEN_PAYLOAD  # the payload of a quick reply no choice fills

    def fits(self, notice: Notice) -> bool:
        """Whether the notice carries every value the template needs."""
        return all(notice.params.get(key, "").strip() for key in self.params)


ABOUT = ("title", "when", "place")
USES = {
    "reminder": TemplateUse("dodolan_reminder", ABOUT, answers=True),
    "seat_offer": TemplateUse("dodolan_seat_offer", ("title", "when", "until"), answers=True),
    "session_changed": TemplateUse("dodolan_session_changed", ABOUT),
    "session_cancelled": TemplateUse("dodolan_session_cancelled", ("title", "when")),
    "waitlist_moved": TemplateUse("dodolan_waitlist_moved", ("title", "when", "rank")),
    "question_answer": TemplateUse("dodolan_question_answered"),  # "tap to read it"
}
ANNOUNCEMENT = TemplateUse(
    "dodolan_announcement", ("text",), markup=("text",), other_payload=STOP_PAYLOAD
)
REOPEN = TemplateUse("dodolan_reopen")
ALL_USES = (*USES.values(), ANNOUNCEMENT, REOPEN)


def use_for(notice: Notice) -> TemplateUse:
    """The template for the notice's kind; the "you have a message" one for anything else."""
    if notice.category is Category.ANNOUNCEMENT:
        use = ANNOUNCEMENT
    else:
        use = USES.get(notice.kind, REOPEN)
    if not use.fits(notice):
        missing = [key for key in use.params if not notice.params.get(key, "").strip()]
        logger.warning(
            "notice %s lacks %s for %s; using %s", notice.kind, missing, use.name, REOPEN.name
        )
        return REOPEN
    return use


def _value(use: TemplateUse, key: str, raw: str) -> str:
    """A parameter as Meta takes it: no newlines, tabs or runs of spaces, never empty."""
    text = to_whatsapp(raw) if key in use.markup else raw
    return _BAD_SPACE.sub(" ", text).strip() or "-"


def _fit(body: str, values: list[str]) -> list[str]:
    """Shorten the longest values until the filled body fits Meta's 1024 characters."""
    while True:
        length = len(_VARIABLE.sub(lambda m: values[int(m[1]) - 1], body))
        if length <= MAX_BODY:
            return values
        longest = max(range(len(values)), key=lambda i: len(values[i]))
        if len(values[longest]) <= 1:
            return values
        keep = max(1, len(values[longest]) - (length - MAX_BODY))
        values[longest] = shorten(values[longest], keep)


def quick_replies(use: TemplateUse, template: Template, notice: Notice) -> list[str]:
    """The payload of each of the template's quick replies: a choice id, else the fallback."""
    answers = [c.id for c in notice.choices if c.url is None] if use.answers else []
    return [
        answers[index] if index < len(answers) else use.other_payload
        for index in range(len(template.buttons))
    ]


def template_message(to: str, use: TemplateUse, template: Template, notice: Notice) -> Payload:
    """The send body of ``template`` for this notice: values, then one payload per button."""
    values = [_value(use, key, notice.params[key]) for key in use.params]
    if len(values) != template.variables:
        raise ValueError(f"{template.name} takes {template.variables} values, not {len(values)}")
    payloads = quick_replies(use, template, notice)
    return template_payload(
        to, template.name, template.language, _fit(template.body, values), payloads
    )
