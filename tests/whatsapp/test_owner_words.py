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
        for key in ("help.tail", "signup.consent", "signup.done", "welcome.back"):
            converted = whatsapp_words(catalog.raw(language, key), language)
            plain(converted)  # still valid neutral markup
            assert re.search(r"/[a-z]", plain(converted)) is None, (language, key)


def test_follow_ups_are_converted_too() -> None:
    notice = for_whatsapp(Notice("/profil", follow_ups=(Notice("/datasaya"),)), "en")
    assert (notice.text, notice.follow_ups[0].text) == ("<b>profile</b>", "<b>mydata</b>")


# Texts only trainers and staff read: their commands are Telegram's (no WhatsApp words).
NOT_FOR_OWNERS = (
    "help.trainer",
    "help.staff",
    "help_more.trainer",
    "help_more.staff",
    "reminder.trainer",
    "broadcast.",
    "certificate.staff_",
    "owner_lists.staff_pointer",
    "owner_lists.trainer_pointer",
    "session_change.changed_trainer",
    "session_change.changed_meanwhile",
    "staff.",
    "kelas.",
)


def _whatsapp_words() -> set[str]:
    """The words the WhatsApp router answers (its features' words and aliases)."""
    from handlers.whatsapp.inbound import REGISTRARS

    words: set[str] = set()

    class Recorder:
        def add_word(self, word: str, aliases: tuple[str, ...], _: object) -> None:
            words.update(normalise_word(w) for w in (word, *aliases))

        def __getattr__(self, _: str) -> object:
            return lambda *_, **__: None

    for register in REGISTRARS:
        register(Recorder())  # type: ignore[arg-type]
    return words


def test_every_command_an_owner_text_names_is_a_word_whatsapp_understands() -> None:
    """Each command any owner-facing catalog text names reads, on WhatsApp, as a word the
    router answers (or, for "cek", the typed check): e.g. "/verify KODE" reads "cek KODE"."""
    from bot.core.notices import ChannelName
    from bot.services.command_words import COMMAND, command

    understood = _whatsapp_words() | {"cek"}
    catalog = Catalog.load()
    unknown = [
        (language, key, found[0], command(found[1], ChannelName.WHATSAPP, language))
        for language in ("id", "en")
        for key in sorted(catalog.keys(language))
        if not key.startswith(NOT_FOR_OWNERS)
        for found in COMMAND.finditer(catalog.raw(language, key))
        if normalise_word(command(found[1], ChannelName.WHATSAPP, language)) not in understood
    ]
    assert unknown == []
