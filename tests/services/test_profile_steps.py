"""Sign-up, a profile change and the language choice as steps every channel renders: what
an answer means, what comes after it, and what a stale or forged choice changes (nothing)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from bot.app.container import Services
from bot.core import choices as ids
from bot.core.errors import InvalidInput, NotRegistered, StaleAction
from bot.core.notices import Notice
from bot.services import signup
from bot.services.owner_screens import Room
from bot.services.profile_steps import PHONE_FROM_SENDER, PHONE_OTHER, ProfileSteps, Step
from tests.services.conftest import SITI, new_session, sign_up

NARROW = Room(buttons=3, title=20, row_title=24)
SENDER = "+6281234567890"


def _steps(services: Services, **channel: Any) -> ProfileSteps:
    return ProfileSteps(
        services.signup,
        services.profile,
        services.dialogs,
        services.users,
        services.sessions,
        services.catalog,
        services.settings.timezone,
        "id",
        **channel,
    )


def _t(services: Services, key: str, language: str = "id", **params: object) -> str:
    return services.catalog.text(language, key, **params)


def _ids(notice: Notice | None) -> list[str]:
    return [c.id for c in notice.choices] if notice is not None else []


async def _to(services: Services, steps: ProfileSteps, step: str) -> None:
    """Take Siti through sign-up up to ``step`` (typed and tapped as an owner would)."""
    await services.users.seen(SITI, "id")
    await steps.sign_up(SITI)
    await steps.tapped_signup(SITI, ids.pack(ids.SIGNUP, "consent", "yes"))
    answers = {
        "full_name": "Siti Aminah",
        "business_name": "Keripik Bu Siti",
        "category": "kuliner",
        "kecamatan": "klojen",
        "phone": "081234567890",
    }
    for answer in answers.values():
        dialog = await services.dialogs.current(SITI)
        assert dialog is not None
        if dialog.step == step:
            return
        await steps.typed(SITI, answer)
    dialog = await services.dialogs.current(SITI)
    assert dialog is not None and dialog.step == step


async def test_sign_up_starts_at_the_consent_and_a_signed_up_owner_gets_the_profile(
    services: Services,
) -> None:
    steps = _steps(services)
    await services.users.seen(SITI, "id")
    first = await steps.sign_up(SITI)
    assert first.lead == _t(services, "signup.intro")
    assert first.dialog is not None and first.dialog.step == signup.CONSENT
    assert ids.pack(ids.SIGNUP, "consent", "yes") in _ids(first.notice)
    await sign_up(services, SITI)
    again = await steps.sign_up(SITI)
    assert again.lead == _t(services, "signup.already") and again.dialog is None
    assert again.notice is not None and "Siti" in again.notice.text


async def test_the_consent_answer_is_kept_above_the_first_question_or_the_decline(
    services: Services,
) -> None:
    steps = _steps(services)
    await services.users.seen(SITI, "id")
    await steps.sign_up(SITI)
    no = await steps.tapped_signup(SITI, ids.pack(ids.SIGNUP, "consent", "no"))
    assert no.dialog is None and no.answered == signup.CONSENT
    assert no.notice is not None and no.notice.text == _t(services, "signup.declined")
    assert no.lead == _t(services, "answer.consent", choice=_t(services, "signup.consent_no"))
    await steps.sign_up(SITI)
    yes = await steps.tapped_signup(SITI, ids.pack(ids.SIGNUP, "consent", "yes"))
    assert yes.dialog is not None and yes.dialog.step == "full_name"
    assert "Langkah 1 dari 7" in yes.screen.text


async def test_a_typed_answer_is_recorded_above_the_next_question(services: Services) -> None:
    steps = _steps(services)
    await _to(services, steps, "full_name")
    step = await steps.typed(SITI, "Siti Aminah")
    assert step is not None and step.answered == "full_name"
    assert step.line is not None and "Siti Aminah" in step.line and step.lead == step.line
    assert step.dialog is not None and step.dialog.step == "business_name"
    assert step.screen.text.startswith(step.line)


async def test_an_options_typed_name_picks_it_other_text_is_refused(services: Services) -> None:
    steps = _steps(services)
    await _to(services, steps, "category")
    with pytest.raises(InvalidInput, match="use_choices"):
        await steps.typed(SITI, "makanan ringan")
    step = await steps.typed(SITI, "Kuliner/makanan-minuman")
    assert step is not None and step.dialog is not None and step.dialog.step == "kecamatan"
    step = await steps.typed(SITI, "  lowokwaru! ")
    assert step is not None and step.dialog is not None
    assert step.dialog.data["kecamatan"] == "lowokwaru"


async def test_no_open_question_means_typed_text_is_no_answer(services: Services) -> None:
    await services.users.seen(SITI, "id")
    assert await _steps(services).typed(SITI, "halo") is None
    assert await _steps(services).shared_contact(SITI, SENDER, own=True) is None


async def test_ya_takes_the_senders_number_only_where_the_channel_knows_it(
    services: Services,
) -> None:
    plain = _steps(services)
    await _to(services, plain, "phone")
    with pytest.raises(InvalidInput):
        await plain.typed(SITI, "ya")  # no number came with the message
    step = await _steps(services, sender_phone=SENDER).typed(SITI, "ya")
    assert step is not None and step.dialog is not None
    assert step.dialog.data["phone"] == SENDER


async def test_a_contact_must_be_the_senders_own(services: Services) -> None:
    steps = _steps(services)
    await _to(services, steps, "phone")
    with pytest.raises(InvalidInput, match="contact_not_own"):
        await steps.shared_contact(SITI, SENDER, own=False)
    step = await steps.shared_contact(SITI, SENDER, own=True)
    assert step is not None and step.answered == "phone"


async def test_the_phone_choices_take_the_senders_number_or_ask_for_another(
    services: Services,
) -> None:
    asked: list[str | None] = []

    def ask(field: str, data: Mapping[str, Any], phone: str | None) -> Notice:
        asked.append(phone)
        return Notice(f"ask {field}")

    steps = _steps(services, ask=ask, sender_phone=SENDER)
    await _to(services, steps, "phone")
    other = await steps.tapped_answer(SITI, ids.pack(ids.ANSWER, "phone", PHONE_OTHER))
    assert other.dialog is not None and other.dialog.step == "phone" and asked[-1] is None
    taken = await steps.tapped_answer(SITI, ids.pack(ids.ANSWER, "phone", PHONE_FROM_SENDER))
    assert taken.dialog is not None and taken.dialog.data["phone"] == SENDER
    with pytest.raises(StaleAction):  # the phone is answered: an old phone choice
        await steps.tapped_answer(SITI, ids.pack(ids.ANSWER, "phone", PHONE_OTHER))


async def test_marketplaces_toggle_in_place_and_need_one_then_the_nib_can_be_skipped(
    services: Services,
) -> None:
    steps = _steps(services)
    await _to(services, steps, "marketplaces")
    with pytest.raises(InvalidInput, match="pick_at_least_one"):
        await steps.tapped_answer(SITI, ids.pack(ids.ANSWER, "marketplaces", "done"))
    toggled = await steps.tapped_answer(SITI, ids.pack(ids.ANSWER, "marketplaces", "shopee"))
    assert toggled.redrawn and toggled.line is None
    assert toggled.dialog is not None and toggled.dialog.data["selection"] == ["shopee"]
    done = await steps.tapped_answer(SITI, ids.pack(ids.ANSWER, "marketplaces", "done"))
    assert done.dialog is not None and done.dialog.step == "nib" and not done.redrawn
    summary = await steps.tapped_answer(SITI, ids.pack(ids.ANSWER, "nib", "skip"))
    assert summary.dialog is not None and summary.dialog.step == signup.SUMMARY


async def test_the_fields_to_change_are_listed_only_at_the_summary(services: Services) -> None:
    steps = _steps(services, room=NARROW)
    await _to(services, steps, "phone")
    edits = ids.pack(ids.SIGNUP, "edits")
    with pytest.raises(StaleAction):
        await steps.tapped_signup(SITI, edits)
    await steps.typed(SITI, "081234567890")
    await steps.tapped_answer(SITI, ids.pack(ids.ANSWER, "marketplaces", "shopee"))
    await steps.tapped_answer(SITI, ids.pack(ids.ANSWER, "marketplaces", "done"))
    summary = await steps.tapped_answer(SITI, ids.pack(ids.ANSWER, "nib", "skip"))
    assert edits in _ids(summary.notice)  # a narrow room: one "change" choice
    listed = await steps.tapped_signup(SITI, edits)
    assert ids.pack(ids.SIGNUP, "edit", "phone") in _ids(listed.notice)


async def test_confirming_shows_done_then_the_session_sign_up_started_from(
    services: Services,
) -> None:
    session = await new_session(services)
    steps = _steps(services)
    await services.users.seen(SITI, "id")
    await services.signup.begin(SITI, f"sesi-{session.code}")
    await _to(services, steps, "marketplaces")
    await steps.tapped_answer(SITI, ids.pack(ids.ANSWER, "marketplaces", "shopee"))
    await steps.tapped_answer(SITI, ids.pack(ids.ANSWER, "marketplaces", "done"))
    await steps.tapped_answer(SITI, ids.pack(ids.ANSWER, "nib", "skip"))
    done = await steps.tapped_signup(SITI, ids.pack(ids.SIGNUP, "confirm"))
    assert done.signed_up and done.session is not None and done.session.id == session.id
    assert done.notice is not None and "Siti Aminah" in done.notice.text
    with pytest.raises(StaleAction):  # confirmed already: an old "confirm"
        await steps.tapped_signup(SITI, ids.pack(ids.SIGNUP, "confirm"))


async def test_a_profile_change_is_saved_and_the_profile_shown_as_it_is_now(
    services: Services,
) -> None:
    await sign_up(services, SITI)
    steps = _steps(services)
    opened = await steps.tapped_profile(SITI, ids.pack(ids.PROFILE, "edit", "business_name"))
    assert opened.dialog is not None and opened.dialog.step == "business_name"
    assert "Langkah" not in opened.screen.text  # a change is no numbered sign-up step
    saved = await steps.typed(SITI, "Keripik Pedas Siti")
    assert saved is not None and saved.dialog is None and saved.answered == "business_name"
    assert saved.lead == _t(services, "profile.saved")
    assert saved.line is not None and "Keripik Pedas Siti" in saved.line
    assert saved.notice is not None and "Keripik Pedas Siti" in saved.notice.text


async def test_only_an_owner_may_list_their_fields_to_change(services: Services) -> None:
    await services.users.seen(SITI, "id")
    steps = _steps(services)
    with pytest.raises(NotRegistered):
        await steps.tapped_profile(SITI, ids.pack(ids.PROFILE, "edits"))
    with pytest.raises(StaleAction):
        await steps.tapped_profile(SITI, ids.pack(ids.PROFILE, "dance"))
    screen = await steps.profile_screen(SITI)
    assert screen.text == _t(services, "profile.not_registered")


async def test_the_language_switches_and_says_so_in_the_new_one(services: Services) -> None:
    await services.users.seen(SITI, "id")
    steps = _steps(services)
    asked = await steps.tapped_language(SITI, ids.pack(ids.LANGUAGE, "ask"))
    assert asked.switched is None
    assert _ids(asked.notice) == [ids.pack(ids.LANGUAGE, "id"), ids.pack(ids.LANGUAGE, "en")]
    switched = await steps.tapped_language(SITI, ids.pack(ids.LANGUAGE, "en"))
    assert switched.switched == "en"
    assert switched.screen.text == _t(services, "lang.changed", "en")
    user = await services.users.get(SITI)
    assert user is not None and user.language == "en"
    for forged in (ids.pack(ids.LANGUAGE, "fr"), "lg:v9:en", None):
        with pytest.raises(StaleAction):
            await steps.tapped_language(SITI, forged)


def test_a_step_without_a_notice_is_its_lead() -> None:
    assert Step(lead="Tersimpan.").screen == Notice("Tersimpan.")
