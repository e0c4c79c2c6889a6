"""Choice ids: short, versioned, built and parsed in one place (``"ans:v1:category:jasa"``).

They are Telegram's callback data and WhatsApp's button and list-row ids alike: 64 bytes at
most fits Telegram (64 bytes), WhatsApp buttons (256) and list rows (200).

What comes back is whatever a person's client sent, so :func:`parse` refuses anything
:func:`pack` could not have built: longer than 64 bytes, non-ASCII, or a number too big for
SQLite's 64-bit integers (``10**23`` would raise ``OverflowError`` at the first query). Every
part a caller turns into an ``int`` is therefore safe to use as a row id.
"""

from __future__ import annotations

VERSION = "v1"
MAX_BYTES = 64
MAX_NUMBER = 2**63 - 1  # SQLite's largest INTEGER

SIGNUP = "su"
ANSWER = "ans"
PROFILE = "pf"
LANGUAGE = "lang"
ERASE = "del"
BOOKING = "bk"  # bk:v1:<action>:<id>; pages: bk:v1:list:<page>, bk:v1:movepage:<bk>:<page>
OFFER = "wl"
REMINDER = "rm"
BROADCAST = "bc"
CLASS = "kl"
ATTENDANCE = "at"  # at:v1:<booking id>:<1 mark attended | 0 unmark>
FEEDBACK = "fb"
NEW_SESSION = "ns"  # staff building a session: ns:v1:<step>:<code>
SESSION_ADMIN = "sa"  # staff managing a session: sa:v1:<action>:<session id>
PARTICIPANTS = "pp"  # pp:v1:<session id>
TRAINERS = "tr"  # tr:v1:invite, tr:v1:<revoke|revokeyes|revokeno>:<user id>
CERTIFICATE = "ct"  # ct:v1:<re reissue|rv revoke>:<code>
OUTCOME = "oc"  # oc:v1:<check-in>:<s sells|m market|o orders|x skip>:<value>
PRACTICE = "pr"  # pr:v1:<practice task row>:<done|later|help>
TIPS = "tp"  # tp:v1:<fy|fn|more|topics|topic|slot|pause|resume>:<tip id, topic, slot or ->


def pack(kind: str, *parts: str) -> str:
    """Build a choice id; fail loudly if it would break Telegram's 64-byte limit."""
    data = ":".join((kind, VERSION, *parts))
    if len(data.encode()) > MAX_BYTES or any(":" in p for p in parts):
        raise ValueError(f"bad callback data {data!r}")
    return data


def parse(data: str | None, kind: str, arity: int) -> list[str] | None:
    """Return the parts after ``kind:v1:`` or None if the data is stale, foreign or forged."""
    if not data or len(data) > MAX_BYTES or not data.isascii():
        return None
    pieces = data.split(":")
    if len(pieces) != arity + 2 or pieces[0] != kind or pieces[1] != VERSION:
        return None
    if any(p.isdigit() and int(p) > MAX_NUMBER for p in pieces[2:]):
        return None  # no row has such an id: forged
    return pieces[2:]


def pattern(kind: str) -> str:
    """Return the regex PTB uses to route a kind of callback to its handler."""
    return f"^{kind}:"


QUESTION = "qa"  # an owner's question: qa:v1:<ok|ask>:<question id>, qa:v1:pick:<id>:<entry>
TICKET = "qt"  # staff on a ticket: qt:v1:<done|fwd>:<question id>
STAFF_FAQ = "qf"  # qf:v1:see:<question id>, qf:v1:add:<question id>:<message id>, qf:v1:no:<id>
