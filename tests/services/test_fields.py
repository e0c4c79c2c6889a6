"""The profile fields: what typed or tapped answers are taken, and what is refused."""

from __future__ import annotations

import pytest

from bot.core.errors import InvalidInput
from bot.services import fields


@pytest.mark.parametrize(
    ("field", "typed", "kept"),
    [
        ("full_name", "  Siti   Aminah ", "Siti Aminah"),
        ("business_name", "Keripik Tempe Bu Siti", "Keripik Tempe Bu Siti"),
        ("phone", "0812-3456-7890", "+6281234567890"),
    ],
)
def test_typed_answers_are_tidied(field: str, typed: str, kept: str) -> None:
    assert fields.accept_text(field, typed) == kept


def test_a_choice_field_takes_only_its_own_options() -> None:
    assert fields.accept_choice("kecamatan", "klojen") == "klojen"
    with pytest.raises(InvalidInput):
        fields.accept_choice("kecamatan", "surabaya")
    with pytest.raises(InvalidInput) as unknown:
        fields.accept_choice("full_name", "x")
    assert unknown.value.key == "input.unknown_option"


def test_only_ones_own_contact_is_a_phone_number() -> None:
    assert fields.accept_contact("6281234567890", own=True) == "+6281234567890"
    with pytest.raises(InvalidInput) as other:
        fields.accept_contact("6281299999999", own=False)
    assert other.value.key == "input.contact_not_own"


def test_at_least_one_marketplace_and_only_profile_fields_are_kept() -> None:
    with pytest.raises(InvalidInput):
        fields.finish_multi([])
    data = {"full_name": "Siti", "consent_at": "2026-12-01", "selection": ["shopee"]}
    values = fields.as_values(data)
    assert values["full_name"] == "Siti" and set(values) == set(fields.ALL_FIELDS)
