"""Pure parts of the owner's WhatsApp side: typed words, command names, choice-id routes."""

from __future__ import annotations

import re

import pytest

from bot.core.markup import plain
from bot.core.notices import Notice
from bot.i18n import Catalog
from handlers.whatsapp.router import normalise_word
from handlers.whatsapp.screens import for_whatsapp, whatsapp_words


@pytest.mark.parametrize(
    ("typed", "word"),
    [
        ("Menu", "menu"),
        ("  JADWAL  ", "jadwal"),
        ("Sign up", "signup"),
        ("sign-up!", "signup"),
        ("/bantuan", "bantuan"),
        ("Data Saya", "datasaya"),
        ("hapus data.", "hapusdata"),
    ],
)
def test_typed_words_are_matched_trimmed_and_case_insensitively(typed: str, word: str) -> None:
    assert normalise_word(typed) == word


def test_commands_become_the_words_owners_type_in_bold() -> None:
    assert whatsapp_words("Ketik /jadwal atau /bantuan.", "id") == (
        "Ketik <b>jadwal</b> atau <b>bantuan</b>."
    )
    assert whatsapp_words("Type /sessions, /signup or /deletedata.", "en") == (
        "Type <b>schedule</b>, <b>sign up</b> or <b>erase</b>."
    )
    assert whatsapp_words("Pilih <b>/mulai</b> lagi", "id") == "Pilih <b>mulai</b> lagi"


def test_tags_links_and_paths_are_not_commands() -> None:
    text = '<code>x</code> <a href="https://t.me/dodolan/jadwal">t.me/jadwal</a> 1/2 kg'
    assert whatsapp_words(text, "id") == text


def test_every_owner_text_reads_as_words_and_stays_neutral_markup() -> None:
    catalog = Catalog.load()
    for language in ("id", "en"):
        for key in ("help.owner", "signup.consent", "signup.done", "welcome.back"):
            converted = whatsapp_words(catalog.raw(language, key), language)
            plain(converted)  # still valid neutral markup
            assert re.search(r"/[a-z]", plain(converted)) is None, (language, key)


def test_follow_ups_are_converted_too() -> None:
    notice = for_whatsapp(Notice("/profil", follow_ups=(Notice("/datasaya"),)), "en")
    assert (notice.text, notice.follow_ups[0].text) == ("<b>profile</b>", "<b>mydata</b>")
