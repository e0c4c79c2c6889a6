"""How a person runs a command on each channel, decided once for every text that names one.

The catalogs, the notices the services build and the content staff edit (tips, FAQ) name a
command the way Telegram shows it, ``/jadwal``: that is the one copy of each text. On
Telegram it stays as it is (a tappable command). WhatsApp has no commands: an owner types a
word (``handlers/whatsapp/router.py`` matches its words and their aliases), so there every
command a text names becomes that word, in bold: "Ketik /lanjuttugas" reads "Ketik *lanjut
tugas*", "cek KODE atau /verify KODE" reads "cek KODE atau *cek* KODE". A command not listed
in :data:`COMMAND_WORDS` is its own word (without the slash).

Only a command is changed: a slash that starts a word after a start, a space, a bracket or
a tag.
Addresses (``https://…/x``), fractions (``1/3``), pairs (``pagi/siang``), closing tags and a
quoted example (a tip's quick reply ``"/ongkir"``) are left as they are.
"""

from __future__ import annotations

import re

from bot.core.notices import ChannelName
from bot.i18n import escape

# Telegram's commands as the words an owner types on WhatsApp, per language. A command not
# listed here keeps its own name as the word (without the slash).
COMMAND_WORDS: dict[str, dict[str, str]] = {
    "start": {"id": "menu", "en": "menu"},
    "daftar": {"en": "sign up"},
    "signup": {"id": "daftar", "en": "sign up"},
    "jadwal": {"en": "schedule"},
    "sessions": {"id": "jadwal", "en": "schedule"},
    "profil": {"en": "profile"},
    "profile": {"id": "profil"},
    "bahasa": {"en": "language"},
    "language": {"id": "bahasa"},
    "datasaya": {"en": "mydata"},
    "mydata": {"id": "datasaya"},
    "hapusdata": {"en": "erase"},
    "deletedata": {"id": "hapusdata", "en": "erase"},
    "berhenti": {"en": "stop"},
    "unsubscribe": {"id": "berhenti", "en": "stop"},
    "mulai": {"en": "start"},
    "subscribe": {"id": "mulai", "en": "start"},
    "bantuan": {"en": "help"},
    "help": {"id": "bantuan"},
    "batal": {"en": "cancel"},
    "cancel": {"id": "batal"},
    "bookingsaya": {"en": "my bookings"},
    "mybooking": {"id": "bookingsaya", "en": "my bookings"},
    "tipsharian": {"en": "daily tips"},
    "dailytips": {"id": "tipsharian", "en": "daily tips"},
    # The practice tasks and certificates (their Telegram commands have both names).
    "berhentitugas": {"id": "berhenti tugas", "en": "stop tasks"},
    "stoptasks": {"id": "berhenti tugas", "en": "stop tasks"},
    "lanjuttugas": {"id": "lanjut tugas", "en": "resume tasks"},
    "resumetasks": {"id": "lanjut tugas", "en": "resume tasks"},
    "cek": {"id": "cek", "en": "cek"},  # "cek KODE": a typed text WhatsApp reads as a check
    "verify": {"id": "cek", "en": "cek"},
}

# "/word" at a text's start, after a space, a bracket or a tag ("<b>/jadwal"): a command.
COMMAND = re.compile(r"(?<![^\s(\[>])/([a-z][a-z0-9_]{1,31})\b")
_BOLD = re.compile(r"</?b>")


def command(word: str, channel: str, language: str) -> str:
    """What a person on ``channel`` sends to run the Telegram command ``word``
    (``command("lanjuttugas", "whatsapp", "id") == "lanjut tugas"``)."""
    if channel == ChannelName.TELEGRAM:
        return f"/{word}"
    return COMMAND_WORDS.get(word, {}).get(language, word)


def as_typed(text: str, channel: str, language: str) -> str:
    """``text`` (neutral markup) with every command it names in ``channel``'s form: as it is
    on Telegram, elsewhere the word to type, in bold (unless the text is bold there)."""
    if channel == ChannelName.TELEGRAM:
        return text

    def word(match: re.Match[str]) -> str:
        found = escape(command(match[1], channel, language))
        return found if _inside_bold(text, match.start()) else f"<b>{found}</b>"

    return COMMAND.sub(word, text)


def named_commands(text: str) -> list[str]:
    """The commands ``text`` names in Telegram's form ("/jadwal"), in order."""
    return [m[0] for m in COMMAND.finditer(text)]


def _inside_bold(text: str, end: int) -> bool:
    depth = 0
    for tag in _BOLD.findall(text, 0, end):
        depth += -1 if tag == "</b>" else 1
    return depth > 0
