"""What the bot says on its own initiative, before any channel has shaped it.

A :class:`Notice` is built from current data by one pure function per outbox kind (see
``bot/services/notice_builders``) and sent by the delivery service through the recipient's
:class:`~bot.core.ports.Channel`, which renders it within its platform's limits.

**The neutral markup.** ``Notice.text`` is catalog text in the markup of
:mod:`bot.core.markup`; user values are escaped into it exactly once, by
:meth:`bot.i18n.Catalog.text`. The Telegram channel sends it as HTML; the WhatsApp channel
turns it into ``*bold*``, ``_italic_``, "text (url)" and plain characters. No channel
escapes it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ChannelName(StrEnum):
    """The channels a person can use Dodolan on."""

    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"


# A delivery lane: the channel whose recipients it serves (None: those no configured channel
# reaches) and the channels preferred before it, so each channel's sends wait only for its own
# limits, never for another channel's.
Lane = tuple[ChannelName | None, tuple[ChannelName, ...]]


class NoticeKind(StrEnum):
    """The kinds of outbox row: what a notice is about, so each has one builder.

    The parameters each kind stores are described where its rows are queued
    (``bot.services.notices`` for the booking and session kinds).
    """

    SEAT_OFFER = "seat_offer"
    OFFER_EXPIRED = "offer_expired"
    SESSION_CHANGED = "session_changed"
    SESSION_CANCELLED = "session_cancelled"
    WAITLIST_MOVED = "waitlist_moved"
    WAITLIST_ENDED = "waitlist_ended"
    REMINDER = "reminder"
    TRAINER_REMINDER = "trainer_reminder"
    BOOKING_CONFIRMED = "booking_confirmed"
    WAITLIST_JOINED = "waitlist_joined"
    BOOKING_CANCELLED = "booking_cancelled"
    OFFER_DECLINED = "offer_declined"
    TRAINER_ASSIGNED = "trainer_assigned"
    TRAINER_REVOKED = "trainer_revoked"
    DAILY_TIP = "daily_tip"
    PREP_TIP = "prep_tip"
    FEEDBACK = "feedback"
    ANNOUNCEMENT = "announcement"  # any broadcast (its category says which kind)
    SIGNUP_WELCOME = "signup_welcome"  # a newcomer's welcome, queued in a launch rush
    ADMISSION_SLIP = "admission_slip"  # the rush queue is slower than promised: a new promise
    QUESTION_TICKET = "question_ticket"  # a question to the Dinas, to the staff who take it
    QUESTION_DUE = "question_due"  # a question still unanswered when its time is up
    QUESTION_ANSWER = "question_answer"  # the answer, to the person who asked
    WHATSAPP_TOKEN_REFUSED = "whatsapp_token_refused"  # to staff: Meta refused the token
    QUESTION_ERASED = "question_erased"  # a ticket card overwritten once its owner is erased
    QUESTION_FILE = "question_file"  # a file the person sent with a question, to the staff
    PRACTICE_TASK = "practice_task"  # a practice task after a session, to the attendee
    PRACTICE_HELP = "practice_help"  # "I need help with this task", to the session's trainer
    PRACTICE_REVIEW = "practice_review"  # a task's proof, to the session's trainer
    PRACTICE_ACCEPTED = "practice_accepted"  # the trainer accepted the proof, to the owner
    PRACTICE_FIX = "practice_fix"  # the trainer asks for a fix, to the owner, task again
    CERTIFICATE = "certificate"  # the certificate PDF, to the owner
    OUTCOME_CHECKIN = "outcome_checkin"  # the 1/3/6-month check-in, to the attendee


class DeliveryState(StrEnum):
    """How far a channel says a message it accepted has got (WhatsApp's statuses).

    A later state never moves a message back: ``rank`` orders them, and ``failed`` is last,
    since a message can fail after it was sent (Meta may report out of order or twice, and
    adds states such as "played" that are no delivery step and are not kept).
    """

    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"

    @property
    def rank(self) -> int:
        """The state's place in the order sent < delivered < read < failed."""
        return list(DeliveryState).index(self) + 1


class Category(StrEnum):
    """Why a notice is sent; WhatsApp bills and limits the two differently."""

    LOGISTICS = "logistics"  # about the person's own booking or session (utility)
    ANNOUNCEMENT = "announcement"  # programme news they may opt out of (marketing)


@dataclass(frozen=True)
class Choice:
    """One answer the person can tap: ``id`` comes back (``url``: a link opened instead)."""

    id: str
    title: str
    description: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Attachment:
    """A file sent with the notice: bytes made now (``content``) or a channel's file ``ref``."""

    kind: str  # "document" or "photo"
    name: str | None = None
    content: bytes | None = None
    ref: str | None = None  # a file id or URL the channel already knows
    ref_channel: ChannelName | None = None  # whose file id ``ref`` is (None: a public URL)
    mime_type: str | None = None  # the type of ``content``, when known (else from ``name``)
    # The key a channel caches its own id of this file under (the stored file's SHA-256):
    # a channel that has one sends by it instead of uploading ``content`` again.
    key: str | None = None


@dataclass(frozen=True)
class Notice:
    """One message: text in the neutral markup, choices, an optional attachment.

    ``rows`` optionally groups the choices for channels that lay buttons out in rows (the
    sizes of consecutive rows); without it each choice gets its own row. ``follow_ups`` are
    sent after the main message if they can be; their failure does not undo it.
    """

    text: str
    choices: tuple[Choice, ...] = ()
    rows: tuple[int, ...] | None = None
    attachment: Attachment | None = None
    follow_ups: tuple[Notice, ...] = ()
    category: Category = Category.LOGISTICS
    kind: str = ""  # the outbox kind, so a channel can pick a template for it
    params: dict[str, str] = field(default_factory=dict)  # template values, channel-neutral
    # What a channel that folds many choices behind one button calls it ("Menu" for the
    # menu); None: the channel's own word ("Pilih").
    choices_label: str | None = None
    # The channel's id of a message the bot sent this recipient before: this notice replaces
    # its text (and removes its buttons) instead of being sent anew. A channel that cannot
    # edit sent messages rejects it.
    replaces: str | None = None


@dataclass(frozen=True)
class Recipient:
    """Where a notice goes: the internal user, their channel and that channel's id for them."""

    user_id: int
    channel: ChannelName
    external_id: str
    language: str


@dataclass(frozen=True)
class SentRef:
    """What the channel returned for a sent message (its id there)."""

    channel: ChannelName
    message_id: str
