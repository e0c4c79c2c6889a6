"""What the bot answers to input a step did not expect, and to a tap that changed nothing:
decided once (bot/services/unexpected.py) for Telegram, WhatsApp and any other channel."""

from __future__ import annotations

import pytest

from bot.app.container import Services
from bot.core.errors import BookingRefused, InvalidInput, StaleAction
from bot.i18n import LANGUAGES
from bot.services import signup, unexpected
from bot.services.profile_steps import ProfileSteps
from bot.services.unexpected import Expects, Received, Taps, refusal, refused_tap, stale_tap
from tests.services.conftest import SITI
from tests.services.test_profile_steps import _steps, _t, _to


def test_a_location_at_a_text_step_is_thanked_and_text_asked_for() -> None:
    assert refusal(Received.LOCATION, Expects.TEXT) == unexpected.LOCATION
    for media in (Received.MEDIA, Received.OTHER, Received.TEXT):
        assert refusal(media, Expects.TEXT) == unexpected.NEED_TEXT


def test_anything_but_a_choice_at_a_choice_step_points_to_the_choices() -> None:
    for received in Received:
        assert refusal(received, Expects.CHOICE) == unexpected.USE_CHOICES


def test_a_stale_tap_names_bookingsaya_only_when_a_booking_moved_on() -> None:
    assert stale_tap(booking_changed=True, question_follows=True) == "booking.stale"
    assert stale_tap(booking_changed=True, question_follows=False) == "booking.stale"
    assert stale_tap(booking_changed=False, question_follows=True) == unexpected.STALE_ASK
    assert stale_tap(booking_changed=False, question_follows=False) == unexpected.STALE


def test_a_double_tap_is_only_told_that_the_first_was_taken() -> None:
    for changed in (True, False):
        for follows in (True, False):
            key = stale_tap(booking_changed=changed, question_follows=follows, repeated=True)
            assert key == unexpected.REPEAT
    full = BookingRefused("booking.full", title="Foto")
    assert refused_tap(full, repeated=True) == (unexpected.REPEAT, {})
    assert refused_tap(full, repeated=False) == ("booking.full", {"title": "Foto"})
    assert refused_tap(StaleAction("x"), repeated=False) == ("booking.stale", {})
    assert refused_tap(StaleAction("x"), repeated=False, stale="booking.offer_stale") == (
        "booking.offer_stale",
        {},
    )


def test_taps_tell_the_same_button_on_the_same_message_from_any_other() -> None:
    taps = Taps(memory=2)
    taps.taken(1, "m1", "bk:v1:book:5")
    assert taps.repeated(1, "m1", "bk:v1:book:5")
    assert not taps.repeated(1, "m2", "bk:v1:book:5")  # the same id on another message
    assert not taps.repeated(1, "m1", "bk:v1:book:6")  # another button on it
    assert not taps.repeated(2, "m1", "bk:v1:book:5")  # another person
    assert not taps.repeated(1, "m1", None)  # a typed answer is never a double tap
    taps.taken(2, None, "x")
    taps.taken(3, None, "y")  # the memory holds two people: the first is forgotten
    assert not taps.repeated(1, "m1", "bk:v1:book:5") and taps.repeated(3, None, "y")
    taps.forget(3)
    assert not taps.repeated(3, None, "y")


def test_every_answer_is_in_both_languages(services: Services) -> None:
    keys = (
        unexpected.LOCATION,
        unexpected.NEED_TEXT,
        unexpected.USE_CHOICES,
        unexpected.STALE,
        unexpected.STALE_ASK,
        unexpected.REPEAT,
        unexpected.CLOSED,
    )
    for language in LANGUAGES:
        texts = [services.catalog.text(language, key) for key in keys]
        assert all(texts) and len(set(texts)) == len(texts)
    stale, ask = (_t(services, k) for k in (unexpected.STALE, unexpected.STALE_ASK))
    assert "di bawah" in ask and "di bawah" not in stale  # no question below: none promised


async def _refused(services: Services, steps: ProfileSteps, received: Received) -> str:
    """The answer to ``received`` at the step Siti is at; the step does not move."""
    before = await services.dialogs.current(SITI)
    step = await steps.refused(SITI, received)
    assert step is not None and step.dialog == before == await services.dialogs.current(SITI)
    assert step.notice == steps.question(step.dialog)  # the question again, under the why
    return step.lead or ""


async def test_a_location_at_the_name_is_thanked_and_the_name_asked_again(
    services: Services,
) -> None:
    steps = _steps(services)
    await _to(services, steps, "full_name")
    assert await _refused(services, steps, Received.LOCATION) == _t(services, unexpected.LOCATION)
    assert "bukan lokasi" in _t(services, unexpected.LOCATION)
    for media in (Received.MEDIA, Received.OTHER):
        assert await _refused(services, steps, media) == _t(services, unexpected.NEED_TEXT)


async def test_a_photo_or_location_at_a_choice_step_points_to_the_choices(
    services: Services,
) -> None:
    steps = _steps(services)
    await services.users.seen(SITI, "id")
    await steps.sign_up(SITI)  # the consent: a choice
    assert await _refused(services, steps, Received.MEDIA) == _t(services, unexpected.USE_CHOICES)
    await _to(services, steps, "category")
    for received in (Received.MEDIA, Received.LOCATION):
        assert await _refused(services, steps, received) == _t(services, unexpected.USE_CHOICES)


async def test_typed_text_that_is_no_option_gets_the_same_answer(services: Services) -> None:
    steps = _steps(services)
    await _to(services, steps, "kecamatan")
    with pytest.raises(InvalidInput) as refused:
        await steps.typed(SITI, "makanan ringan")
    assert refused.value.key == unexpected.USE_CHOICES
    dialog = await services.dialogs.current(SITI)
    assert dialog is not None and dialog.step == "kecamatan"


async def test_nothing_is_refused_when_no_question_is_open(services: Services) -> None:
    steps = _steps(services)
    await services.users.seen(SITI, "id")
    assert await steps.refused(SITI, Received.LOCATION) is None
    assert await services.dialogs.current(SITI) is None
    await steps.sign_up(SITI)
    dialog = await services.dialogs.current(SITI)
    assert dialog is not None and dialog.flow == signup.FLOW
