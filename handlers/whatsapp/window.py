"""WhatsApp's 24-hour window, which templates are approved, and a notice as a template.

Free-form messages reach a person only within 24 hours of their last message to us (the
customer-service window, WHATSAPP-FACTS §2.1); outside it only an approved template may be
sent. :class:`Windows` keeps when each person's window opened in SQLite (the inbound side calls
:meth:`Windows.saw_inbound` with the time Meta stamped on the message),
:class:`TemplateStatus` knows which templates Meta approved, and :func:`template_message`
fills the template chosen for a notice's outbox kind (:func:`use_for`) from
``Notice.params``, with the notice's choice ids as the quick-reply payloads, so a tap on the
template comes back as the same id as a tap on a button would.
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
from bot.core.markup import shorten
from bot.core.notices import Category, Notice, NoticeKind
from bot.core.whatsapp_ports import WindowStore
from handlers.whatsapp.graph import TemplateInfo
from handlers.whatsapp.markup import to_whatsapp
from handlers.whatsapp.payloads import Payload, template_payload
from handlers.whatsapp.templates import MAX_BODY, Template

logger = logging.getLogger(__name__)

WINDOW = timedelta(hours=24)
# A window about to close counts as closed: the send may take a while, and clocks differ.
MARGIN = timedelta(minutes=5)
# Meta's stamp and our clock may differ this much (webhook delay, small drift); beyond it
# our clock is wrong (or the webhook very late) and the window opens when we got the message.
CLOCK_TOLERANCE = timedelta(minutes=10)
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

    def __init__(self, contacts: WindowStore, now: Clock) -> None:
        self._contacts = contacts
        self._now = now
        self._skew_warned = False

    async def saw_inbound(
        self, external_id: str, at: datetime, *, received: datetime | None = None
    ) -> None:
        """Record a message from the person (wa_id or BSUID, as in identities) that Meta
        stamped ``at`` and whose webhook reached us at ``received`` (default: now).

        The window is Meta's: it opened at ``at`` on Meta's clock. It is stored on ours, so
        :meth:`is_open` can judge it: as ``at`` itself while the two clocks agree (however
        late the message is answered), and as ``received`` when they do not (our clock
        jumped a day ahead, say, and every reply would otherwise go out as a billed
        template). A redelivery Meta sends that late looks the same, so its window may be
        judged open a little too long: Meta then answers 131047 and the channel sends the
        notice once more, as its template.
        """
        arrived = received or self._now()
        skew = arrived - at
        if abs(skew) > CLOCK_TOLERANCE:
            self._warn_skew(skew)
            at = arrived
        await self._contacts.saw_inbound(external_id, at)

    def _warn_skew(self, skew: timedelta) -> None:
        level = logging.DEBUG if self._skew_warned else logging.WARNING
        self._skew_warned = True
        logger.log(
            level,
            "a WhatsApp message arrived %d minutes after Meta stamped it (a late redelivery, "
            "or this server's clock is off): its 24-hour window counts from its arrival",
            skew.total_seconds() // 60,
        )

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
USES: dict[str, TemplateUse] = {
    NoticeKind.REMINDER: TemplateUse("dodolan_reminder", ABOUT, answers=True),
    NoticeKind.SEAT_OFFER: TemplateUse(
        "dodolan_seat_offer", ("title", "when", "until"), answers=True
    ),
    NoticeKind.SESSION_CHANGED: TemplateUse("dodolan_session_changed", ABOUT),
    NoticeKind.SESSION_CANCELLED: TemplateUse("dodolan_session_cancelled", ("title", "when")),
    NoticeKind.WAITLIST_MOVED: TemplateUse("dodolan_waitlist_moved", ("title", "when", "rank")),
}
ANNOUNCEMENT = TemplateUse(
    "dodolan_announcement", ("text",), markup=("text",), other_payload=STOP_PAYLOAD
)
# "Tap to read it" templates: the notice is held and sent when the person taps. Each names
# what waits, so nobody is told "about your booking" when a tip or a question waits.
REOPEN = TemplateUse("dodolan_reopen")  # about the person's own booking
FOLLOWUP = TemplateUse("dodolan_followup")  # a trainer's follow-up to a session's participants
TIP = TemplateUse("dodolan_tip")
FEEDBACK = TemplateUse("dodolan_feedback")
TASK = TemplateUse("dodolan_task", ("title",))  # a practice task after a session
CHECKIN = TemplateUse("dodolan_checkin", ("title",))  # the 1/3/6-month outcome check-in
ANSWER = TemplateUse("dodolan_question_answered")  # a person answered a Tanya Dinas question
MESSAGE = TemplateUse("dodolan_message")  # anything else
HELD: dict[str, TemplateUse] = {
    NoticeKind.BOOKING_CONFIRMED: REOPEN,
    NoticeKind.WAITLIST_JOINED: REOPEN,
    NoticeKind.BOOKING_CANCELLED: REOPEN,
    NoticeKind.OFFER_DECLINED: REOPEN,
    NoticeKind.OFFER_EXPIRED: REOPEN,
    NoticeKind.WAITLIST_ENDED: REOPEN,
    NoticeKind.DAILY_TIP: TIP,
    NoticeKind.PREP_TIP: TIP,
    NoticeKind.FEEDBACK: FEEDBACK,
    NoticeKind.PRACTICE_TASK: TASK,
    NoticeKind.PRACTICE_FIX: TASK,
    NoticeKind.OUTCOME_CHECKIN: CHECKIN,
    NoticeKind.ANNOUNCEMENT: FOLLOWUP,  # a broadcast that is not an announcement is a follow-up
    NoticeKind.QUESTION_ANSWER: ANSWER,
}
ALL_USES = (*USES.values(), ANNOUNCEMENT, *dict.fromkeys(HELD.values()), MESSAGE)


def use_for(notice: Notice) -> TemplateUse:
    """The template for the notice's kind; a "tap to read it" one that names what waits for
    any other. A template lacking a value gives way to the booking one for a session's notice,
    to the plain "a message waits" one for an announcement."""
    if notice.category is Category.ANNOUNCEMENT:
        use = ANNOUNCEMENT
    else:
        use = USES.get(notice.kind) or HELD.get(notice.kind, MESSAGE)
    if not use.fits(notice):
        fallback = REOPEN if notice.kind in USES else MESSAGE
        missing = [key for key in use.params if not notice.params.get(key, "").strip()]
        logger.warning(
            "notice %s lacks %s for %s; using %s", notice.kind, missing, use.name, fallback.name
        )
        return fallback
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
