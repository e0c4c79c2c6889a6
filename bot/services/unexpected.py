"""What the bot answers to input it did not expect, decided once for every channel.

Two kinds of surprise reach a conversation:

- something sent that the current step cannot take: a location, a photo, file, sticker or
  voice note, or typed text where one of the offered choices is needed. The edge says what
  arrived (:class:`Received`); the step says what it wants (:class:`Expects`, for sign-up
  and profile :func:`bot.services.fields.expects`); :func:`refusal` names the friendly
  answer, and the question is then asked again under it;
- a tap on a button or list page that no longer applies: :func:`stale_tap` names the answer,
  which depends on whether it is a double tap (:class:`Taps` remembers each person's last
  tap taken), whether a booking moved on and whether a question follows it;
- typed input for a step that closed meanwhile (a task reviewed while its proof was being
  written): :data:`CLOSED`.

Where Telegram and WhatsApp disagreed (issue 21), the better answer won on both:

- a location where text is needed: WhatsApp thanked for it and asked for text ("bukan
  lokasi"); Telegram said only that text was needed. WhatsApp's wording is used on both;
- anything but a choice where a choice is needed (a photo at "kategori usaha" too): both
  now point to the choices and say an option's name may be typed, which is true on both
  since typed option names are taken everywhere. Telegram spoke of buttons only, and both
  asked a photo for written text although the step wanted a choice;
- a tapped page, session card or button shape that no longer exists: Telegram said the
  *booking* had changed and named /bookingsaya although there was no booking; WhatsApp's
  "from an old message, nothing changed" is used on both, and it promises the newest
  question below only when one follows;
- the same button tapped twice: WhatsApp said "Sudah saya catat ✓" (the first tap was taken,
  its answer is just above); Telegram raised an alert that the button "no longer applies,
  open the menu again", which reads as if the first tap failed. WhatsApp's line holds on both;
- a typed proof or obstacle whose step had closed was told "this *button* no longer
  applies" on both; it is now told that the question is over and nothing was kept.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot.core.errors import Refusal, StaleAction
from bot.core.notices import Notice

LOCATION = "unexpected.location"
NEED_TEXT = "unexpected.need_text"
USE_CHOICES = "unexpected.use_choices"
STALE = "unexpected.stale"  # nothing changed; no question follows
STALE_ASK = "unexpected.stale_ask"  # nothing changed; the current question follows
REPEAT = "unexpected.repeat"  # the same button again: the first tap was taken
CLOSED = "unexpected.closed"  # typed for a step that closed meanwhile: nothing was kept
BOOKING_CHANGED = "booking.stale"  # the booking moved on: see "bookingsaya"


class Received(StrEnum):
    """What the person sent, as the edge parsed it."""

    TEXT = "text"
    LOCATION = "location"
    MEDIA = "media"  # a photo, file, voice note, video or sticker
    OTHER = "other"  # anything else a platform may deliver (a poll, a contact card...)


class Expects(StrEnum):
    """What a step can take."""

    TEXT = "text"  # a typed answer
    CHOICE = "choice"  # one of the offered choices, tapped or its name typed


def refusal(received: Received, wanted: Expects) -> str:
    """The catalog key of the answer to ``received`` at a step that wants ``wanted``."""
    if wanted is Expects.CHOICE:
        return USE_CHOICES
    return LOCATION if received is Received.LOCATION else NEED_TEXT


def stale_tap(*, booking_changed: bool, question_follows: bool, repeated: bool = False) -> str:
    """The catalog key of the answer to a tap that changed nothing.

    ``repeated``: the same button on the same message as the person's last tap taken
    (:meth:`Taps.repeated`), so the first tap's answer is just above: "noted" is all it gets.
    ``booking_changed``: the tapped booking moved on (cancelled, moved, offered away), so the
    answer names "bookingsaya"; else the button, page or card is simply from an old message.
    ``question_follows``: the edge asks the current question again right under the answer.
    """
    if repeated:
        return REPEAT
    if booking_changed:
        return BOOKING_CHANGED
    return STALE_ASK if question_follows else STALE


@dataclass(frozen=True)
class WrittenReply:
    """What answers something sent at a written question (a comment, an obstacle): kept,
    refused, or the question closed meanwhile; ``asks``: the notice asks the question again
    (the step stays open)."""

    notice: Notice
    asks: bool


def refused_tap(
    error: StaleAction | Refusal, *, repeated: bool, stale: str = BOOKING_CHANGED
) -> tuple[str, Mapping[str, object]]:
    """The catalog key and its parameters answering a tap that a rule refused (``Refusal``:
    "the session is full") or that no longer applies (``StaleAction``: ``stale``); a double
    tap is only told that the first was taken, whatever the second ran into."""
    if repeated:
        return REPEAT, {}
    if isinstance(error, Refusal):
        return error.key, error.params
    return stale, {}


class Taps:
    """The last tap each person made that was taken, to tell a double tap from an old button.

    A tap is the message it was on (the channel's id of it, or None when the channel does not
    say) and the choice id. In memory and bounded: after a restart a double tap is answered
    as any old button is, which is true and harmless.
    """

    def __init__(self, memory: int = 4096) -> None:
        self._memory = memory
        self._last: OrderedDict[int, tuple[str | None, str]] = OrderedDict()

    def taken(self, user_id: int, message: str | None, choice_id: str) -> None:
        """Remember the tap ``user_id`` just made as taken, forgetting the oldest person."""
        self._last[user_id] = (message, choice_id)
        self._last.move_to_end(user_id)
        while len(self._last) > self._memory:
            self._last.popitem(last=False)

    def repeated(self, user_id: int, message: str | None, choice_id: str | None) -> bool:
        """Whether this tap is the same button on the same message as the last one taken."""
        return choice_id is not None and self._last.get(user_id) == (message, choice_id)

    def forget(self, user_id: int) -> None:
        """Forget the person's taps (their id may be given to someone else after erasure)."""
        self._last.pop(user_id, None)
