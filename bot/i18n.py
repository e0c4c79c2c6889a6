"""Language catalogs: every user-facing text, in Bahasa Indonesia and English.

Catalog texts are written in the neutral markup of :mod:`bot.core.markup` (a small HTML
subset every channel renders). Parameters are escaped unless wrapped in :class:`Html`, so a
user-supplied value is escaped exactly once, here, and can never break a channel's formatting.
"""

from __future__ import annotations

import html
import string
import tomllib
from collections.abc import Mapping
from importlib import resources
from typing import Any

from babel.numbers import format_decimal

DEFAULT_LANGUAGE = "id"
LANGUAGES = ("id", "en")
# Keys of plain-text labels (button labels, spreadsheet headers): they are not HTML, and the
# code escapes them like any parameter when they go into a formatted message.
PLAIN_TEXT_KEYS = ("option.", "exports.sheet.", "exports.column.", "tips.topic.")


class Html(str):
    """A fragment of trusted markup that :meth:`Catalog.text` inserts unescaped."""

    __slots__ = ()


def escape(value: object) -> Html:
    """Escape any value for the neutral markup."""
    return Html(html.escape(str(value), quote=False))


def language_for_client(language_code: str | None) -> str:
    """Pick a new user's language from their app's language: English if it is English."""
    return "en" if (language_code or "").lower().startswith("en") else DEFAULT_LANGUAGE


def placeholders(template: str) -> set[str]:
    """Return the names of the ``{placeholders}`` in a template."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{key}."))
        elif isinstance(value, str):
            flat[f"{prefix}{key}"] = value.strip("\n")
        else:
            raise TypeError(f"catalog entry {prefix}{key} is not text")
    return flat


class Catalog:
    """Texts per language, looked up by dotted key."""

    def __init__(self, messages: Mapping[str, Mapping[str, str]]) -> None:
        self._messages = {lang: dict(texts) for lang, texts in messages.items()}

    @classmethod
    def load(cls) -> Catalog:
        """Load every ``bot/locales/<language>/*.toml`` file (one file per feature)."""
        root = resources.files("bot.locales")
        messages: dict[str, dict[str, str]] = {}
        for language in LANGUAGES:
            merged: dict[str, str] = {}
            files = sorted(
                (f for f in root.joinpath(language).iterdir() if f.name.endswith(".toml")),
                key=lambda f: f.name,
            )
            for file in files:
                texts = _flatten(tomllib.loads(file.read_text("utf-8")))
                clash = merged.keys() & texts.keys()
                if clash:
                    raise ValueError(f"{language}/{file.name} repeats keys: {sorted(clash)}")
                merged.update(texts)
            messages[language] = merged
        return cls(messages)

    def keys(self, language: str) -> set[str]:
        """Return every key of one language."""
        return set(self._messages[language])

    def raw(self, language: str, key: str) -> str:
        """Return a template unformatted."""
        return self._messages[language][key]

    def text(self, language: str, key: str, /, **params: object) -> str:
        """Return the text for ``key`` in ``language`` with escaped parameters."""
        texts = self._messages.get(language) or self._messages[DEFAULT_LANGUAGE]
        template = texts.get(key)
        if template is None:
            raise KeyError(f"no text {key!r} in catalog {language!r}")
        return template.format_map({k: self._render(language, v) for k, v in params.items()})

    def _render(self, language: str, value: object) -> str:
        if isinstance(value, Html):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return format_decimal(value, locale=language)
        return escape(value)
