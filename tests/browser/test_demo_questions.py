"""`dodolan demo`, Tanya Dinas in a real browser: an owner asks on Telegram and another on
WhatsApp in their own words; the staff persona answers each by replying to its ticket (↩),
and each owner reads the answer on their own channel."""

from __future__ import annotations

from typing import Any

from tests.browser import wa_chat
from tests.browser.chat import bot_says, choose, expect, type_message

ASKED_TELEGRAM = "Bu, boleh bawa anak kecil ke kelas?"
ANSWER_TELEGRAM = "Boleh, Bu Wati. Ada pojok bermain di belakang."
ASKED_WHATSAPP = "Bu, label kemasan saya sudah sesuai aturan belum?"
ANSWER_WHATSAPP = "Sudah sesuai, Pak Hadi. Tambahkan tanggal kedaluwarsa."


def answer_by_reply(page: Any, asked: str, answer: str) -> None:
    """As the staff persona: reply (↩) to the ticket holding ``asked`` with ``answer``."""
    choose(page, "Bu Rina")
    ticket = page.locator(".msg.bot", has_text=asked).last
    expect(ticket).to_be_visible()
    expect(ticket).to_contain_text("Balas (reply) pesan ini untuk menjawab")
    ticket.get_by_role("button", name="Balas").click()
    expect(page.locator("#reply-bar")).to_contain_text("Pertanyaan #")
    type_message(page, answer)
    expect(page.locator(".msg.me .bubble .quote").last).to_contain_text("Pertanyaan #")
    expect(bot_says(page, "Jawaban terkirim")).to_be_visible()
    expect(page.locator("#reply-bar")).to_be_hidden()


def test_owners_ask_on_both_channels_and_the_staff_answers_each_by_replying(page: Any) -> None:
    choose(page, "Wati")
    type_message(page, ASKED_TELEGRAM)
    expect(bot_says(page, "sudah kami teruskan")).to_be_visible()
    answer_by_reply(page, ASKED_TELEGRAM, ANSWER_TELEGRAM)
    choose(page, "Wati")
    expect(bot_says(page, ANSWER_TELEGRAM)).to_be_visible()
    expect(bot_says(page, ANSWER_TELEGRAM)).to_contain_text(ASKED_TELEGRAM)

    choose(page, "Pak Hadi")
    wa_chat.say(page, ASKED_WHATSAPP)
    wa_chat.answered(page, "sudah kami teruskan")
    answer_by_reply(page, ASKED_WHATSAPP, ANSWER_WHATSAPP)
    choose(page, "Pak Hadi")
    wa_chat.answered(page, ANSWER_WHATSAPP)
    assert [f"{r.url}" for r in page.failed_responses] == []
