"""Finding the FAQ entry a typed question asks: normalise, stem, then rank with BM25.

Owners type "gmn cara batalin sesi sy?" as often as "Bagaimana cara membatalkan sesi saya?".
A question goes through, in order: lower case and letters only; runs of three or more of
one letter shortened ("bayarrr" → "bayar"); the slang and typo table (:data:`SLANG`,
"gmn" → "bagaimana", "nggak" → "tidak"); stop words dropped; Sastrawi's Indonesian stemmer
("membatalkan" → "batal"); and a word the FAQ never uses is read as the closest one it does
(one typo, "sertifkat" → "sertifikat"). Each question form of each entry is a document;
an entry scores as its best form (Okapi BM25, k1 1.2, b 0.75).

How sure the match is comes from how much of the question the best form covers (the share
of the question's word weight, idf, that the form contains), not the raw score, which grows
with length: a question whose main words the FAQ never uses is for a person.
"""

from __future__ import annotations

import asyncio
import difflib
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

from bot.services.content_files import ContentFile
from bot.services.faq_content import FaqEntry, load_faq
from bot.services.faq_words import SLANG, STOP, SUFFIXES

K1, B = 1.2, 0.75
CONFIDENT = 0.6  # coverage at or above which the best entry answers at once…
MARGIN = 1.25  # …if it beats the next entry by this factor
ALONE = 0.45  # a lower coverage also answers at once when no other entry comes close…
ALONE_MARGIN = 2.0  # …that is, the best has twice the next one's coverage
WEAK = 0.34  # coverage at or above which entries are offered as choices

_LETTERS = re.compile(r"[^0-9a-z]+")
_REPEATS = re.compile(r"([a-z])\1{2,}")


@lru_cache(maxsize=1)
def _stemmer() -> object:
    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=8192)
def _stem(word: str) -> str:
    stemmed: str = _stemmer().stem(word)  # type: ignore[attr-defined]
    return stemmed or word


def words(text: str) -> list[str]:
    """The question's words as typed, normalised and with slang read (stop words kept)."""
    cleaned = _REPEATS.sub(r"\1", _LETTERS.sub(" ", text.casefold()))
    return [_read(w) for w in cleaned.split()]


def _read(word: str) -> str:
    """One word as the FAQ writes it: slang read, also under a "-nya", "-ku" or "-mu"."""
    if word in SLANG:
        return SLANG[word]
    for suffix in SUFFIXES:
        base = word.removesuffix(suffix)
        if base != word and len(base) >= 3 and base in SLANG:
            return SLANG[base]
    return word


def terms(text: str) -> list[str]:
    """The question as the search sees it: normalised, slang read, stop words out, stemmed."""
    found = []
    for word in words(text):
        if word in STOP:
            continue
        stem = SLANG.get(_stem(word), _stem(word))
        if stem not in STOP:
            found.append(stem)
    return found


@dataclass(frozen=True)
class Hit:
    """One FAQ entry and how well a question matches it."""

    entry: FaqEntry
    score: float  # BM25 of its best question form
    coverage: float  # share of the question's word weight that form contains (0–1)


@dataclass(frozen=True)
class Found:
    """What the search concluded: one entry to answer with, entries to offer, or none."""

    confident: Hit | None
    offered: tuple[Hit, ...]  # the top two or three when not confident; () when none fits


class FaqIndex:
    """BM25 over every question form of every entry, with typo-tolerant terms."""

    def __init__(self, entries: Sequence[FaqEntry]) -> None:
        self.entries = tuple(entries)
        self.by_id = {e.id: e for e in self.entries}
        self._docs: list[tuple[FaqEntry, Counter[str], int]] = []
        for entry in self.entries:
            for form in _forms(entry):
                tokens = terms(form)
                if tokens:
                    self._docs.append((entry, Counter(tokens), len(tokens)))
        count = len(self._docs) or 1
        self._avg = sum(n for _, _, n in self._docs) / count
        frequency: Counter[str] = Counter()
        for _, counts, _ in self._docs:
            frequency.update(counts.keys())
        self._idf = {
            term: math.log(1 + (count - n + 0.5) / (n + 0.5)) for term, n in frequency.items()
        }
        self._max_idf = math.log(1 + (count + 0.5) / 0.5)
        self._vocabulary = sorted(self._idf)

    def _known(self, term: str) -> str:
        """The term, or the FAQ word it is one typo away from (words of 5 letters or more)."""
        if term in self._idf or len(term) < 5:
            return term
        for suffix in SUFFIXES:
            if term.endswith(suffix) and term.removesuffix(suffix) in self._idf:
                return term.removesuffix(suffix)
        close = difflib.get_close_matches(term, self._vocabulary, n=1, cutoff=0.84)
        return close[0] if close else term

    def search(self, text: str) -> list[Hit]:
        """Every entry that shares a word with the question, best first."""
        query = [self._known(t) for t in terms(text)]
        if not query:
            return []
        weight = sum(self._idf.get(t, self._max_idf) for t in set(query))
        best: dict[str, Hit] = {}
        for entry, counts, length in self._docs:
            score, covered = 0.0, 0.0
            for term in set(query):
                tf = counts.get(term, 0)
                if not tf:
                    continue
                idf = self._idf[term]
                covered += idf
                score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / self._avg))
            if score <= 0:
                continue
            hit = Hit(entry, score, covered / weight)
            known = best.get(entry.id)
            if known is None or (hit.coverage, hit.score) > (known.coverage, known.score):
                best[entry.id] = hit
        return sorted(best.values(), key=lambda h: (h.coverage, h.score), reverse=True)

    def find(self, text: str) -> Found:
        """Decide: answer with the best entry, offer the top few, or leave it to a person."""
        hits = self.search(text)
        if not hits or hits[0].coverage < WEAK:
            return Found(None, ())
        top = hits[0]
        runner = hits[1] if len(hits) > 1 else None
        clear = (
            runner is None
            or top.coverage >= runner.coverage * MARGIN
            or (top.coverage >= 0.99 and runner.coverage < 0.99)
        )
        if top.coverage >= CONFIDENT and clear:
            return Found(top, ())
        return Found(None, tuple(h for h in hits[:3] if h.coverage >= WEAK))


def _forms(entry: FaqEntry) -> Iterable[str]:
    for forms in entry.questions.values():
        yield from forms
    yield from entry.title.values()


class ExtraEntries(Protocol):
    """FAQ entries kept outside the file (``bot.services.staff_faq.StaffFaq``)."""

    async def version(self) -> object: ...
    async def entries(self) -> Sequence[FaqEntry]: ...


class FaqLibrary:
    """The index of one FAQ file, rebuilt when the file changes; a broken edit keeps the old.

    Staff edit ``content/faq.yaml`` by hand and check it with ``dodolan faq check``; the
    running bot picks the new answers up at the next question, as it does for tips. Entries
    staff made from answered tickets (``extra``) are merged in; the file's win on a shared id.
    """

    def __init__(self, path: Path, extra: ExtraEntries | None = None) -> None:
        self.path = path
        self._file = ContentFile(path, load_faq, "FAQ entries")
        self._extra = extra
        self._index = FaqIndex(())
        self._built: object = None
        self._lock = asyncio.Lock()

    async def index(self) -> FaqIndex:
        """The current index, rebuilt first if the file or the extra entries changed."""
        async with self._lock:
            entries = await self._file.entries()
            version = (self._file.loads, await self._extra.version() if self._extra else None)
            if version != self._built:
                extra = await self._extra.entries() if self._extra else ()
                ids = {e.id for e in entries}
                self._index = FaqIndex((*entries, *(e for e in extra if e.id not in ids)))
                self._built = version
            return self._index
