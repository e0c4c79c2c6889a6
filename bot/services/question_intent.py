"""What a typed question is about, read from its words: is it a question at all, does it ask
about the owner's own booking or tips (the first line of Tanya Dinas), is it about a session
(so its trainer answers too). Plain functions over :func:`bot.services.faq_search.words`.
"""

from __future__ import annotations

import itertools

from bot.services.faq_search import terms, words

BOOKINGS, TIPS = "bookings", "tips"  # the menu screens the first line answers with

_SELF = frozenset({"saya", "aku", "sy", "my", "i", "kami"})
# "sesi saya", "my session": a booking word next to the owner ("<word> saya", "my <word>")
_BOOKING_WORDS = frozenset(
    {"sesi", "latih", "booking", "jadwal", "kursi", "antre", "session", "seat", "tempat", "bimtek"}
)
# "saya sudah tercatat hadir belum?": the owner, a state of their booking, and a question
_STATE_WORDS = frozenset(
    {
        "absen",
        "hadir",
        "tercatat",
        "checkin",
        "antre",
        "urut",
        "booking",
        "kebagian",
        "dapat",
        "pesan",
        "kursi",
    }
)
_ASKING = frozenset(
    {
        "jam",
        "kapan",
        "mana",
        "dimana",
        "tempat",
        "nomor",
        "berapa",
        "sudah",
        "belum",
        "status",
        "cek",
        "when",
        "where",
        "what",
        "time",
        "which",
        "apa",
        "aman",
    }
)
SENTENCE = 4  # words from which text is a sentence, question mark or not
_QUESTION_WORDS = frozenset(
    {
        "apa",
        "apakah",
        "bagaimana",
        "kapan",
        "dimana",
        "mana",
        "berapa",
        "kenapa",
        "mengapa",
        "siapa",
        "bisa",
        "boleh",
        "tolong",
        "mohon",
        "minta",
        "mau",
        "ingin",
        "cara",
        "how",
        "what",
        "when",
        "where",
        "why",
        "who",
        "which",
        "can",
        "could",
        "do",
        "does",
        "is",
        "are",
        "should",
        "tanya",
        "gimana",
        "nanya",
    }
)
_HOW = frozenset({"cara", "bagaimana", "how", "caranya"})  # "how do I…" is for the FAQ
_TIPS_WORDS = frozenset({"tip", "tips"})
SESSION_WORDS = frozenset(
    {
        "sesi",
        "latih",
        "materi",
        "pelatih",
        "trainer",
        "kelas",
        "session",
        "datang",
        "telat",
        "terlambat",
        "izin",
        "hadir",
        "tugas",
        "praktik",
        "modul",
    }
)


def looks_like_question(text: str) -> bool:
    """Whether text asks something: a "?", a question or request word, or a sentence."""
    said = words(text)
    return (
        "?" in text
        or len(said) >= SENTENCE
        or any(w in _QUESTION_WORDS or (w.endswith("kah") and len(w) > 4) for w in said)
    )


def mentions(text: str, vocabulary: frozenset[str]) -> bool:
    """Whether the text uses a word (as typed or stemmed) of ``vocabulary``."""
    return bool(vocabulary & (set(words(text)) | set(terms(text))))


def own_topic(text: str) -> str | None:
    """Which of the owner's own screens a question asks about, if any.

    Their own booking: a booking word beside "saya"/"my" ("jadwal saya", "my session",
    "sesiku"), or "saya" with a state of a booking and a question word ("sy udah absen
    blm?"). Their tips: "tips" and "saya". A "how do I…" question is left to the FAQ.
    """
    said = words(text)
    vocabulary = set(said) | set(terms(text))
    if _HOW & vocabulary:
        return None
    owned = {w.removesuffix("ku") for w in said if w.endswith("ku") and len(w) > 4}
    if not _SELF & vocabulary and not owned:
        return None
    if _TIPS_WORDS & vocabulary:
        return TIPS
    pairs = set(itertools.pairwise(said))
    beside = any(
        (a in _BOOKING_WORDS and b in _SELF) or (a in _SELF and b in _BOOKING_WORDS)
        for a, b in pairs
    )
    if beside or owned & _BOOKING_WORDS:
        return BOOKINGS
    if _STATE_WORDS & vocabulary and _ASKING & vocabulary:
        return BOOKINGS
    return None
