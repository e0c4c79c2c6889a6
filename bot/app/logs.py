"""Logging set-up that keeps the bot token and phone numbers out of every log line."""

from __future__ import annotations

import logging
import re

_PHONE_RE = re.compile(r"(?<![\w:])(?:\+?62[\s-]?|0)8[\d\- ]{7,15}\d")
_TOKEN_RE = re.compile(r"(?<!\d)\d{5,20}:[A-Za-z0-9_-]{30,}")
# A WhatsApp message id is base64 of a phone number and more; the code logs a short hash
# of it (handlers/whatsapp/logsafe.py), and this catches one in a traceback or a library.
_WAMID_RE = re.compile(r"wamid\.[A-Za-z0-9+/=_-]+")


class RedactingFormatter(logging.Formatter):
    """Format as usual, then mask the token, token-like strings and phone numbers."""

    def __init__(self, fmt: str, secrets: tuple[str, ...] = ()) -> None:
        super().__init__(fmt)
        self._secrets = tuple(s for s in secrets if s)

    def format(self, record: logging.LogRecord) -> str:
        """Return the formatted record with secrets removed (tracebacks included)."""
        return self.redact(super().format(record))

    def redact(self, text: str) -> str:
        """Mask secrets in ``text``."""
        for secret in self._secrets:
            text = text.replace(secret, "[token]")
        text = _TOKEN_RE.sub("[token]", text)
        text = _WAMID_RE.sub("[wamid]", text)
        return _PHONE_RE.sub("[phone]", text)


def configure_logging(level: str, secrets: tuple[str, ...] = ()) -> None:
    """Send redacted logs to stderr; keep HTTP client chatter (which shows URLs) and
    aiosqlite's statements (which show their parameters: numbers, texts) quiet."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "apscheduler", "tornado.access", "aiosqlite"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
