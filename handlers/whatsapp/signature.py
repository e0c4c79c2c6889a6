"""Meta's payload signature: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>``."""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "sha256="


def sign(app_secret: str, raw_body: bytes) -> str:
    """The header value Meta sends for ``raw_body`` (for tests and the local emulator)."""
    return PREFIX + hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()


def verify(app_secret: str, raw_body: bytes, header: str | None) -> bool:
    """Whether ``header`` signs exactly these bytes; compared in constant time."""
    if not header or not header.startswith(PREFIX):
        return False
    return hmac.compare_digest(sign(app_secret, raw_body).encode(), header.strip().encode())
