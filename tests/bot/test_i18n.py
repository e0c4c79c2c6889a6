"""Language catalogs: complete in both languages, escaping by default."""

from __future__ import annotations

import pytest

from bot.i18n import (
    LANGUAGES,
    PLAIN_TEXT_KEYS,
    Catalog,
    Html,
    language_for_client,
    placeholders,
)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def test_both_languages_have_every_key(catalog: Catalog) -> None:
    assert catalog.keys("id") == catalog.keys("en")
    assert len(catalog.keys("id")) > 10


def test_both_languages_have_the_same_placeholders(catalog: Catalog) -> None:
    mismatched = [
        key
        for key in catalog.keys("id")
        if placeholders(catalog.raw("id", key)) != placeholders(catalog.raw("en", key))
    ]
    assert mismatched == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_text_is_empty(catalog: Catalog, language: str) -> None:
    assert [k for k in catalog.keys(language) if not catalog.raw(language, k).strip()] == []


def test_parameters_are_escaped_unless_trusted(catalog: Catalog) -> None:
    text = catalog.text("id", "start.welcome", name="Keripik <Bu Siti> & Co")
    assert "Keripik &lt;Bu Siti&gt; &amp; Co" in text
    assert "<Bu Siti>" not in text
    trusted = catalog.text("id", "start.welcome", name=Html("<b>Siti</b>"))
    assert "<b>Siti</b>" in trusted


def test_numbers_are_formatted_for_the_reader() -> None:
    catalog = Catalog({"id": {"k": "{n} kursi"}, "en": {"k": "{n} seats"}})
    assert catalog.text("id", "k", n=1234) == "1.234 kursi"
    assert catalog.text("en", "k", n=1234) == "1,234 seats"


def test_missing_key_fails_loudly(catalog: Catalog) -> None:
    with pytest.raises(KeyError, match="nope"):
        catalog.text("id", "nope")


@pytest.mark.parametrize(
    ("code", "language"),
    [("en", "en"), ("en-GB", "en"), ("id", "id"), ("jv", "id"), (None, "id"), ("", "id")],
)
def test_new_users_get_english_only_from_an_english_client(
    code: str | None, language: str
) -> None:
    assert language_for_client(code) == language


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_is_html_that_telegram_accepts(catalog: Catalog, language: str) -> None:
    from simulator.html_parse import EntityParseError, parse_html

    broken = []
    for key in sorted(catalog.keys(language)):
        if key.startswith(PLAIN_TEXT_KEYS):
            continue
        sample = {name: "x" for name in placeholders(catalog.raw(language, key))}
        try:
            parse_html(catalog.text(language, key, **sample))
        except EntityParseError as exc:
            broken.append(f"{key}: {exc}")
    assert broken == []
