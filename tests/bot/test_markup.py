"""The neutral markup: what every catalog text and tip is written in, checked without a channel."""

from __future__ import annotations

import pytest

from bot.core.markup import MarkupError, plain, visible_length
from bot.i18n import LANGUAGES, PLAIN_TEXT_KEYS, Catalog, placeholders


def test_plain_drops_tags_and_decodes_entities() -> None:
    text = '<b>Sesi</b> &amp; <i>tips</i> <a href="https://x.id/a?b=1">peta</a> <code>HADIR</code>'
    assert plain(text) == "Sesi & tips peta HADIR"
    assert plain("5 &lt; 6 &#128512;") == "5 < 6 😀"
    assert visible_length("😀") == 2  # UTF-16 units, as Telegram counts


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Kopi & teh", "bare &"),
        ("1 < 2", "bare <"),
        ("a > b", "bare >"),
        ("<b>tebal", "not closed"),
        ("<b><i>x</b></i>", "does not close"),
        ("<u>garis</u>", "not <b>"),
        ('<a href="javascript:alert(1)">x</a>', "href"),
        ('<b class="x">x</b>', "no attributes"),
    ],
)
def test_what_a_channel_could_not_send_is_refused_with_where(text: str, reason: str) -> None:
    with pytest.raises(MarkupError, match=reason):
        plain(text)


def test_every_catalog_text_is_neutral_markup_in_both_languages() -> None:
    catalog = Catalog.load()
    bad = []
    for language in LANGUAGES:
        for key in catalog.keys(language):
            if key.startswith(PLAIN_TEXT_KEYS):
                continue
            template = catalog.raw(language, key)
            filled = template.format(**dict.fromkeys(placeholders(template), "https://x.id/p"))
            try:
                plain(filled)
            except MarkupError as exc:
                bad.append(f"{language} {key}: {exc}")
    assert bad == []
