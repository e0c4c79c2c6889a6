"""A session's share links: Telegram's deep link and WhatsApp's click-to-chat text."""

from __future__ import annotations

import pytest

from bot.services.session_links import telegram_link, whatsapp_code, whatsapp_link


def test_each_channel_has_its_link_form() -> None:
    assert telegram_link("DodolanBot", "abcd2345") == "https://t.me/DodolanBot?start=sesi-abcd2345"
    assert whatsapp_link("+62 811-3000 0000", "abcd2345") == (
        "https://wa.me/6281130000000?text=SESI-abcd2345"
    )


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("SESI-abcd2345", "abcd2345"),  # as the link types it
        ("  sesi abcd2345 ", "abcd2345"),  # or typed by hand
        ("Sesi: abcd2345", "abcd2345"),
        ("sesi", None),  # the word for the schedule
        ("jadwal sesi", None),
        ("SESI-ab", None),
        ("sesi lain", None),
        ("sesi besok", None),
        ("saya mau ikut SESI-abcd2345 besok", None),  # a sentence is not the link's text
    ],
)
def test_the_whatsapp_edge_reads_the_code_only_from_the_links_text(
    text: str, code: str | None
) -> None:
    assert whatsapp_code(text) == code
