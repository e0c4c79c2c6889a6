"""What owners type, checked and normalised without Telegram."""

from __future__ import annotations

import pytest

from bot.core.errors import InvalidInput
from bot.services import validation as v


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("", "input.empty"),
        ("   \n\t ", "input.empty"),
        ("🙂🙂", "input.no_letters"),
        ("-- !! ..", "input.no_letters"),
        ("Siti\x00", "input.control_characters"),
        ("Siti\u202eAminah", "input.control_characters"),  # right-to-left override
        ("x" * 101, "input.too_long"),
    ],
)
def test_clean_text_refusals(raw: str, key: str) -> None:
    with pytest.raises(InvalidInput) as info:
        v.clean_text(raw)
    assert info.value.key == key


@pytest.mark.parametrize(
    "text",
    [
        "Dapur \U0001f469\u200d\U0001f373",  # woman cook: woman ZWJ cooking
        "\U0001f468\u200d\U0001f469\u200d\U0001f467 Keluarga",  # family
        "Sambal \u2764\ufe0f\u200d\U0001f525",  # heart on fire: heart VS16 ZWJ fire
        "Kode \U0001f469\U0001f3fd\u200d\U0001f4bb",  # with a skin tone
        "Scotland \U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    ],
)
def test_emoji_sequences_are_not_control_characters(text: str) -> None:
    assert v.clean_text(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "Siti\u200dAminah",  # between letters
        "Siti \U0001f469\u200d",  # at the end
        "\u200d\U0001f373 Siti",  # at the start
        "Siti\u200d\U0001f373",  # letter ZWJ emoji
        "\U0001f469\u200d\u200d\U0001f373 Siti",  # doubled
        "Siti \U000e0067\U000e007f",  # tags without a flag
    ],
)
def test_a_zero_width_joiner_outside_emoji_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as info:
        v.clean_text(text)
    assert info.value.key == "input.control_characters"


def test_clean_text_trims_and_collapses_spaces() -> None:
    assert v.clean_text("  Keripik   Tempe\u00a0 Bu Siti ") == "Keripik Tempe Bu Siti"
    assert v.clean_text("x" * 100) == "x" * 100


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("0812.3456.789", "+628123456789"),
        ("(0857) 1234 5678", "+6285712345678"),
        ("0811234567", "+62811234567"),
    ],
)
def test_phone_forms(raw: str, normalised: str) -> None:
    assert v.normalise_phone(raw) == normalised


@pytest.mark.parametrize(
    "raw",
    ["", "12345", "+1 415 555 0100", "0212345678", "0812345", "08123456789012", "08١٢٣٤٥٦٧٨٩"],
)
def test_bad_phones(raw: str) -> None:
    with pytest.raises(InvalidInput) as info:
        v.normalise_phone(raw)
    assert info.value.key == "input.phone_invalid"


def test_nib() -> None:
    assert v.clean_nib("1234 5678 90123") == "1234567890123"
    for bad in ("123456789012", "12345678901234", "123456789012a", "١٢٣٤٥٦٧٨٩٠١٢٣"):
        with pytest.raises(InvalidInput):
            v.clean_nib(bad)


def test_marketplace_toggles_keep_none_exclusive() -> None:
    assert v.toggle_marketplace([], "shopee") == ["shopee"]
    assert v.toggle_marketplace(["shopee"], "shopee") == []
    assert v.toggle_marketplace(["shopee", "blibli"], "none") == ["none"]
    assert v.toggle_marketplace(["none"], "lazada") == ["lazada"]
    with pytest.raises(InvalidInput):
        v.toggle_marketplace([], "amazon")
