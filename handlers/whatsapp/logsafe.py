"""What a WhatsApp log line may name in place of a message id: a short hash of it.

A wamid is base64 of the other person's phone number plus a message number (Meta's own
example decodes to ``16503879439…``), so a wamid in the log keeps an erased owner's number
there for as long as the log lives. :func:`tag` gives ten hex characters of its SHA-256:
enough to follow one message through the log, and nothing a number can be read back from.
"""

from __future__ import annotations

import hashlib


def tag(wamid: str | None) -> str:
    """The log name of a message: ``m:`` and a short hash of its wamid, or ``-``."""
    if not wamid:
        return "-"
    return "m:" + hashlib.sha256(wamid.encode()).hexdigest()[:10]
