"""The links that open one session, to share on posters and in groups, one per channel.

* **Telegram:** the deep link ``https://t.me/<bot>?start=sesi-<code>``; ``/start`` reads it.
* **WhatsApp:** the click-to-chat link ``https://wa.me/<business number>?text=SESI-<code>``
  (Meta's documented form: the number in international form, digits only, and a URL-encoded
  text typed in for the person to send). The WhatsApp edge reads the text back with
  :func:`whatsapp_code` and opens the session card, as ``/start`` does on Telegram.
"""

from __future__ import annotations

import re
from urllib.parse import quote

TELEGRAM_PREFIX = "sesi-"
WHATSAPP_PREFIX = "SESI-"
# as typed by the link, or by hand ("sesi abcd2345", "SESI: abcd2345"); a code is 8 letters
# and digits (bot.services.sessions.new_code), so "sesi lain" or "sesi besok" is no link text
_WHATSAPP_TEXT = re.compile(r"sesi[\s\-_:]+([a-z0-9]{8})", re.IGNORECASE)


def telegram_link(bot_username: str, code: str) -> str:
    """The Telegram deep link that opens the session."""
    return f"https://t.me/{bot_username}?start={TELEGRAM_PREFIX}{code}"


def whatsapp_link(display_number: str, code: str) -> str:
    """The WhatsApp click-to-chat link whose typed text opens the session."""
    number = "".join(c for c in display_number if c.isdigit())
    return f"https://wa.me/{number}?text={quote(WHATSAPP_PREFIX + code)}"


def whatsapp_code(text: str) -> str | None:
    """The session code of a text the WhatsApp link typed ("SESI-abcd2345"), else None."""
    match = _WHATSAPP_TEXT.fullmatch(text.strip())
    return match[1] if match else None
