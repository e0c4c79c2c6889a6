"""What the bot answers to input it did not expect, decided once for every channel.

Two kinds of surprise reach a conversation:

- something sent that the current step cannot take: a location, a photo, file, sticker or
  voice note, or typed text where one of the offered choices is needed. The edge says what
  arrived (:class:`Received`); the step says what it wants (:class:`Expects`, for sign-up
  and profile :func:`bot.services.fields.expects`); :func:`refusal` names the friendly
  answer, and the question is then asked again under it;
- a tap on a button or list page that no longer applies: :func:`stale_tap` names the answer,
  which depends on whether a booking moved on and on whether a question follows it.

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
  question below only when one follows.
"""

from __future__ import annotations

from enum import StrEnum

LOCATION = "unexpected.location"
NEED_TEXT = "unexpected.need_text"
USE_CHOICES = "unexpected.use_choices"
STALE = "unexpected.stale"  # nothing changed; no question follows
STALE_ASK = "unexpected.stale_ask"  # nothing changed; the current question follows
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


def stale_tap(*, booking_changed: bool, question_follows: bool) -> str:
    """The catalog key of the answer to a tap that changed nothing.

    ``booking_changed``: the tapped booking moved on (cancelled, moved, offered away), so the
    answer names "bookingsaya"; else the button, page or card is simply from an old message.
    ``question_follows``: the edge asks the current question again right under the answer.
    """
    if booking_changed:
        return BOOKING_CHANGED
    return STALE_ASK if question_follows else STALE
