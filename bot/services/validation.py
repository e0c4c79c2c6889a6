"""Pure checks and normalisation of what owners type; each refusal names a catalog text."""

from __future__ import annotations

import re
import unicodedata

from bot.core.errors import InvalidInput

CATEGORIES = ("kuliner", "fashion", "kriya", "jasa", "pertanian", "lainnya")
KECAMATAN = ("blimbing", "kedungkandang", "klojen", "lowokwaru", "sukun", "luar")
MARKETPLACES = ("shopee", "tokopedia", "tiktok", "lazada", "bukalapak", "blibli", "food", "none")
NO_MARKETPLACE = "none"
NAME_MAX = 100

_PHONE_SEPARATORS = re.compile(r"[\s\-.()]")
_NIB_SEPARATORS = re.compile(r"[\s\-.]")
_ASCII_DIGITS = re.compile(r"^[0-9]+$")

_INVISIBLE = frozenset({"Cc", "Cf", "Co", "Cs"})
_ZWJ = "\u200d"
_EMOJI_TRAILERS = frozenset({"\ufe0f", *map(chr, range(0x1F3FB, 0x1F400))})  # VS16, skin tones
_BLACK_FLAG = "\U0001f3f4"
_TAGS = range(0xE0020, 0xE007F)  # the letters of a subdivision flag (🏴 + tags + cancel tag)
_CANCEL_TAG = "\U000e007f"


def _is_emoji(ch: str) -> bool:
    return unicodedata.category(ch) == "So"


def _joins_emoji(text: str, i: int) -> bool:
    """Whether the format character at ``i`` joins emoji (a ZWJ, as in a woman cook) or spells
    a subdivision flag (tag characters after a black flag)."""
    ch, previous = text[i], text[i - 1] if i else ""
    if ch == _ZWJ:
        j = i - 1
        while j >= 0 and text[j] in _EMOJI_TRAILERS:
            j -= 1
        return j >= 0 and _is_emoji(text[j]) and i + 1 < len(text) and _is_emoji(text[i + 1])
    if ord(ch) in _TAGS or ch == _CANCEL_TAG:
        return previous == _BLACK_FLAG or (bool(previous) and ord(previous) in _TAGS)
    return False


def _has_control_characters(text: str) -> bool:
    return any(
        unicodedata.category(ch) in _INVISIBLE and not _joins_emoji(text, i)
        for i, ch in enumerate(text)
    )


def clean_text(raw: str, *, max_length: int = NAME_MAX) -> str:
    """Trim and collapse spaces; refuse empty, symbol-only, control-character or long text.

    Zero-width joiners and tag characters are allowed inside emoji sequences only.
    """
    if _has_control_characters(raw.strip()):
        raise InvalidInput("input.control_characters")
    text = " ".join(raw.split())
    if not text:
        raise InvalidInput("input.empty")
    if not any(ch.isalnum() for ch in text):
        raise InvalidInput("input.no_letters")
    if len(text) > max_length:
        raise InvalidInput("input.too_long", max=max_length)
    return text


def normalise_phone(raw: str) -> str:
    """Turn any common Indonesian mobile number form into ``+628…``."""
    digits = _PHONE_SEPARATORS.sub("", raw.strip())
    if digits.startswith("+"):
        digits = digits[1:]
        if not digits.startswith("62"):
            raise InvalidInput("input.phone_invalid")
    if digits.startswith("62"):
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        raise InvalidInput("input.phone_invalid")
    if not _ASCII_DIGITS.match(national) or not national.startswith("8"):
        raise InvalidInput("input.phone_invalid")
    if not 9 <= len(national) <= 12:
        raise InvalidInput("input.phone_invalid")
    return f"+62{national}"


def clean_nib(raw: str) -> str:
    """Accept a 13-digit Nomor Induk Berusaha, allowing spaces or dashes between digits."""
    digits = _NIB_SEPARATORS.sub("", raw.strip())
    if not (_ASCII_DIGITS.match(digits) and len(digits) == 13):
        raise InvalidInput("input.nib_invalid")
    return digits


def toggle_marketplace(selected: list[str], code: str) -> list[str]:
    """Flip one marketplace; "never sold online" excludes the others and vice versa."""
    if code not in MARKETPLACES:
        raise InvalidInput("input.unknown_option")
    if code in selected:
        return [c for c in selected if c != code]
    if code == NO_MARKETPLACE:
        return [NO_MARKETPLACE]
    return [c for c in MARKETPLACES if (c in selected and c != NO_MARKETPLACE) or c == code]


def choose(options: tuple[str, ...], code: str) -> str:
    """Accept ``code`` only if it is one of ``options`` (a forged button is refused)."""
    if code not in options:
        raise InvalidInput("input.unknown_option")
    return code
