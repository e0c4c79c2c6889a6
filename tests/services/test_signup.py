"""SignupService: one step at a time, consent first, nothing stored until confirmed."""

from __future__ import annotations

import pytest

from bot.app.container import Services
from bot.core.errors import InvalidInput, StaleAction
from tests.services.conftest import SITI


async def _owner(services: Services) -> Services:
    await services.users.seen(SITI, "id")
    return services


async def _count(services: Services, table: str) -> int:
    row = await services.db.fetch_one(f"SELECT COUNT(*) FROM {table}")
    assert row is not None
    return int(row[0])


async def _to_marketplaces(services: Services) -> None:
    signup = services.signup
    await signup.begin(SITI)
    await signup.consent(SITI, agreed=True)
    await signup.answer_text(SITI, "Siti Aminah")
    await signup.answer_text(SITI, "Keripik Tempe Bu Siti")
    await signup.answer_choice(SITI, "category", "kuliner")
    await signup.answer_choice(SITI, "kecamatan", "klojen")
    await signup.answer_contact(SITI, "6281234567890", own=True)


async def test_every_step_in_order_then_the_profile_with_the_consent(services: Services) -> None:
    await _owner(services)
    first = await services.signup.begin(SITI, "s-ABCD2345")
    assert first is not None and first.step == "consent"
    await _to_marketplaces(services)
    await services.signup.toggle(SITI, "shopee")
    step = await services.signup.toggle(SITI, "tokopedia")
    assert step.data["selection"] == ["shopee", "tokopedia"]
    nib = await services.signup.finish_multi(SITI)
    assert nib is not None and nib.step == "nib"
    summary = await services.signup.skip_nib(SITI)
    assert summary is not None and summary.step == "summary"
    assert await services.profile.get(SITI) is None  # nothing stored before the summary
    profile, payload = await services.signup.confirm(SITI)
    assert payload == "s-ABCD2345"  # the session link that brought her comes back
    assert profile.full_name == "Siti Aminah" and profile.phone == "+6281234567890"
    assert list(profile.marketplaces) == ["shopee", "tokopedia"]
    assert await _count(services, "consents") == 1
    assert await services.dialogs.current(SITI) is None
    assert await services.signup.begin(SITI) is None  # already registered


async def test_declining_consent_stores_nothing(services: Services) -> None:
    await _owner(services)
    await services.signup.begin(SITI, "s-ABCD2345")
    assert await services.signup.consent(SITI, agreed=False) is None
    assert await services.dialogs.current(SITI) is None
    assert await _count(services, "owner_profiles") == 0
    assert await _count(services, "consents") == 0
    again = await services.signup.begin(SITI)
    assert again is not None and again.step == "consent"


async def test_a_stale_or_forged_answer_changes_nothing(services: Services) -> None:
    await _owner(services)
    with pytest.raises(StaleAction):  # not in sign-up at all
        await services.signup.answer_text(SITI, "Siti")
    await services.signup.begin(SITI)
    with pytest.raises(StaleAction):  # a button of a later step, tapped at the consent
        await services.signup.answer_choice(SITI, "category", "kuliner")
    await services.signup.consent(SITI, agreed=True)
    with pytest.raises(StaleAction):  # an old consent button tapped again
        await services.signup.consent(SITI, agreed=True)
    current = await services.dialogs.current(SITI)
    assert current is not None and current.step == "full_name"


@pytest.mark.parametrize(
    ("answer", "key"),
    [
        ("!!! ...", "input.no_letters_person"),
        ("S" * 200, "input.too_long_person"),
    ],
)
async def test_a_name_that_is_no_name_is_asked_again(
    services: Services, answer: str, key: str
) -> None:
    await _owner(services)
    await services.signup.begin(SITI)
    await services.signup.consent(SITI, agreed=True)
    with pytest.raises(InvalidInput) as refused:
        await services.signup.answer_text(SITI, answer)
    assert refused.value.key == key
    current = await services.dialogs.current(SITI)
    assert current is not None and current.step == "full_name"


async def test_someone_elses_contact_is_not_a_phone_number(services: Services) -> None:
    await _owner(services)
    await services.signup.begin(SITI)
    await services.signup.consent(SITI, agreed=True)
    await services.signup.answer_text(SITI, "Siti")
    await services.signup.answer_text(SITI, "Usaha")
    await services.signup.answer_choice(SITI, "category", "kuliner")
    await services.signup.answer_choice(SITI, "kecamatan", "klojen")
    with pytest.raises(InvalidInput) as refused:
        await services.signup.answer_contact(SITI, "6281299999999", own=False)
    assert refused.value.key == "input.contact_not_own"


async def test_no_marketplace_is_not_an_answer(services: Services) -> None:
    await _owner(services)
    await _to_marketplaces(services)
    with pytest.raises(InvalidInput) as refused:
        await services.signup.finish_multi(SITI)
    assert refused.value.key == "input.pick_at_least_one"


async def test_editing_from_the_summary_comes_back_to_it(services: Services) -> None:
    await _owner(services)
    await _to_marketplaces(services)
    await services.signup.toggle(SITI, "shopee")
    await services.signup.finish_multi(SITI)
    await services.signup.skip_nib(SITI)
    step = await services.signup.edit(SITI, "business_name")
    assert step.step == "business_name"
    back = await services.signup.answer_text(SITI, "Keripik Bu Siti")
    assert back is not None and back.step == "summary"
    profile, _ = await services.signup.confirm(SITI)
    assert profile.business_name == "Keripik Bu Siti"
    with pytest.raises(StaleAction):
        await services.signup.edit(SITI, "category")  # the summary is gone
