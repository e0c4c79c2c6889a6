"""The owners' menu, once for every channel: which entries there are, in what order, with
what titles and descriptions, and who sees each.

Issue 21: WhatsApp's "Menu" list was put together from rows its feature modules added, and
Telegram's command menu was a list of its own, so the two had drifted (Telegram's did not
offer to turn announcements off). Each edge now renders :func:`owner_menu`: WhatsApp as its
"Menu" list (a row per entry, title and description), Telegram as its command menu (the
entry's command in the reader's language, with its short description).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.i18n import Catalog

MAX_ENTRIES = 10  # a WhatsApp list holds ten rows


class Audience(StrEnum):
    """Who sees an entry of the menu."""

    OWNERS = "owners"  # signed up
    GUESTS = "guests"  # not signed up (yet)
    EVERYONE = "everyone"


@dataclass(frozen=True)
class MenuEntry:
    """One entry of the owners' menu, in one reader's language."""

    word: str  # its id: the word that runs it ("jadwal"), the Indonesian command
    english: str  # the English command for the same ("sessions")
    title: str  # the row's title ("Jadwal sesi")
    about: str  # what it does, in a line ("Lihat sesi pelatihan dan pesan kursi")
    command: str  # the short description of its command ("Jadwal sesi dan pesan kursi")

    def command_name(self, language: str) -> str:
        """The command a reader of ``language`` types for it (``/jadwal``, ``/sessions``)."""
        return self.english if language == "en" else self.word


@dataclass(frozen=True)
class _Entry:
    word: str
    english: str
    texts: str  # the catalog section of its title and about ("wa.menu" → "wa.menu.daftar")
    audience: Audience = Audience.EVERYONE


_ENTRIES = (
    _Entry("daftar", "signup", "wa.menu", Audience.GUESTS),
    _Entry("jadwal", "sessions", "wab.menu"),
    _Entry("bookingsaya", "mybooking", "wab.menu", Audience.OWNERS),
    _Entry("tips", "tips", "wab.menu"),
    _Entry("tipsharian", "dailytips", "wab.menu", Audience.OWNERS),
    _Entry("profil", "profile", "wa.menu", Audience.OWNERS),
    _Entry("bahasa", "language", "wa.menu"),
    _Entry("berhenti", "unsubscribe", "wa.menu", Audience.OWNERS),
    _Entry("datasaya", "mydata", "wa.menu"),
    _Entry("hapusdata", "deletedata", "wa.menu"),
    _Entry("bantuan", "help", "wa.menu"),
)


def owner_menu(
    catalog: Catalog, language: str, *, registered: bool | None
) -> tuple[MenuEntry, ...]:
    """The menu's entries for a signed-up owner (``registered``), a guest (not), or, where
    one menu serves both (``None``: Telegram's command menu is set per chat, not per sign-up),
    every entry; in their order, at most :data:`MAX_ENTRIES` for either."""
    shown = {
        True: (Audience.OWNERS, Audience.EVERYONE),
        False: (Audience.GUESTS, Audience.EVERYONE),
        None: tuple(Audience),
    }[registered]
    t = catalog.text
    entries = tuple(
        MenuEntry(
            e.word,
            e.english,
            t(language, f"{e.texts}.{e.word}"),
            t(language, f"{e.texts}.{e.word}_about"),
            t(language, f"command.{e.english if language == 'en' else e.word}"),
        )
        for e in _ENTRIES
        if e.audience in shown
    )
    return entries if registered is None else entries[:MAX_ENTRIES]
