"""Acting as a WhatsApp persona in the demo's web chat: type, tap a reply button, pick a row."""

from __future__ import annotations

from typing import Any

from tests.browser.chat import expect, last_bot_message


def say(page: Any, text: str) -> None:
    """Type a WhatsApp message and send it with Enter; wait until it shows in the chat."""
    page.fill("#input", text)
    page.press("#input", "Enter")
    expect(page.locator(".msg.me .bubble").last).to_contain_text(text)


def tap(page: Any, label: str) -> None:
    """Tap the newest reply button (or template quick reply) with exactly this label."""
    page.locator(".wa-buttons").get_by_role("button", name=label, exact=True).last.click()


def pick(page: Any, row: str) -> None:
    """Open the newest list from its button and tap the row whose title (or description)
    holds this text."""
    page.locator(".wa-list-button").last.click()
    sheet = page.locator("#sheet")
    expect(sheet).to_be_visible()
    sheet.locator(".sheet-item:not(.cancel)", has_text=row).first.click()
    expect(sheet).to_be_hidden()


# The bot paces its WhatsApp messages to one person as Meta's pair rate asks (a short burst,
# then one about every 6 s), so a test that taps faster than a person waits for them (up to
# chat.GUARD_MS, the failure guard).


def answered(page: Any, text: str) -> None:
    """Wait until the bot's newest message holds this text."""
    expect(last_bot_message(page)).to_contain_text(text)


def sign_up(page: Any) -> None:
    """Sign Bu Dewi up on WhatsApp: consent, typed fields, lists, her number, the summary."""
    say(page, "Halo")
    answered(page, "Apakah Anda setuju?")
    tap(page, "✅ Setuju")
    answered(page, "Langkah 1 dari 7")
    say(page, "Dewi Anggraini")
    answered(page, "Langkah 2 dari 7")
    say(page, "Batik Tulis Bu Dewi")
    expect(page.locator(".wa-list-button").last).to_have_text("☰ Pilih")
    pick(page, "Fashion")
    answered(page, "Jenis usaha: Fashion ✓")
    pick(page, "Klojen")
    answered(page, "Nomor WhatsApp Anda +6281355550000: pakai nomor ini?")
    tap(page, "✅ Ya, pakai ini")
    answered(page, "No. HP/WA: +6281355550000 ✓")
    pick(page, "Shopee")
    answered(page, "Sudah dipilih: Shopee")
    pick(page, "Selesai")
    answered(page, "NIB")
    tap(page, "Lewati")
    answered(page, "Nama: Dewi Anggraini")
    tap(page, "✅ Konfirmasi")
    answered(page, "Pendaftaran selesai!")
