"""Acting in the demo's web chat as a person would: choose a persona, type, tap."""

from __future__ import annotations

import re
from typing import Any

# How long an auto-waiting assertion may wait for the page before it fails: a failure guard
# only. Each assertion waits for what the page shows (the web chat's event stream from the
# demo), so however slow the machine, a passing test never reaches it.
GUARD_MS = 120_000


def expect(locator: Any) -> Any:
    """Playwright's auto-waiting assertions, with the guard as their timeout."""
    from playwright.sync_api import expect as playwright_expect

    playwright_expect.set_options(timeout=GUARD_MS)
    return playwright_expect(locator)


def choose(page: Any, name: str) -> None:
    """Switch to a persona's chat with the persona bar; wait until the page shows it (the
    header changes at once, the messages once the chat has loaded)."""
    page.locator(".persona", has_text=name).click()
    expect(page.locator("#head-sub")).to_contain_text(name)
    expect(page.locator("#messages")).to_have_attribute("data-persona", name)


def type_message(page: Any, text: str) -> None:
    """Type a message and send it with Enter; wait until it shows in the chat."""
    page.fill("#input", text)
    page.press("#input", "Enter")
    expect(page.locator(".msg.me .bubble").last).to_contain_text(text)


def tap(page: Any, label: str) -> None:
    """Tap the newest inline button with exactly this label."""
    page.locator(".inline-kb").get_by_role("button", name=label, exact=True).last.click()


def last_bot_message(page: Any) -> Any:
    """The newest bubble from the bot."""
    return page.locator(".msg.bot .bubble").last


def bot_says(page: Any, text: str) -> Any:
    """The newest bot bubble containing this text."""
    return page.locator(".msg.bot .bubble", has_text=text).last


def start_sign_up(page: Any) -> None:
    """Sign Siti up by clicking, up to the question for her phone number."""
    choose(page, "Siti")
    type_message(page, "/start")
    tap(page, "✅ Setuju")
    expect(last_bot_message(page)).to_contain_text("Langkah 1 dari 7")
    type_message(page, "Siti Aminah")
    expect(last_bot_message(page)).to_contain_text("nama usaha")
    type_message(page, "Keripik Tempe Bu Siti")
    tap(page, "Kuliner/makanan-minuman")
    tap(page, "Lowokwaru")
    expect(page.locator("#reply-keyboard")).to_be_visible()


def finish_sign_up(page: Any) -> None:
    """After the phone number: marketplaces, NIB, confirm."""
    expect(bot_says(page, "Nomor +6281234567890 tersimpan")).to_be_visible()
    expect(page.locator("#reply-keyboard")).to_be_hidden()
    tap(page, "Shopee")
    expect(page.locator(".inline-kb").get_by_role("button", name="✅ Shopee")).to_be_visible()
    tap(page, "Selesai")
    expect(last_bot_message(page)).to_contain_text("NIB")
    tap(page, "Lewati")
    tap(page, "✅ Konfirmasi")
    expect(bot_says(page, "Pendaftaran selesai")).to_be_visible()


def sign_up(page: Any) -> None:
    """Sign Siti up by clicking through every step (the number from the reply keyboard)."""
    start_sign_up(page)
    page.locator("#reply-keyboard").get_by_role("button", name="📱 Kirim nomor saya").click()
    finish_sign_up(page)


def book(page: Any, title: str | None = None) -> None:
    """Open /jadwal and book the session with this title (the first shown if None)."""
    type_message(page, "/jadwal")
    # More than three open sessions come as one numbered list whose buttons open a card in
    # place; a few come as cards with the button on each.
    numbered = page.locator(".msg.bot").get_by_role("button", name=re.compile(r"^\d+\. "))
    buttons = page.locator(".msg.bot", has_text=title or "").get_by_role(
        "button", name="✅ Pesan kursi"
    )
    expect(numbered.first.or_(buttons.first)).to_be_visible()
    if numbered.count():
        (numbered.filter(has_text=title) if title else numbered).first.click()
        buttons = page.locator(".msg.bot").get_by_role("button", name="✅ Pesan kursi")
        expect(buttons.last).to_be_visible()
    (buttons.last if title or numbered.count() else buttons.first).click()
    # The bot paces one message a second per chat: the confirmation waits for the rest of
    # the /jadwal cards, so it can take several seconds.
    expect(bot_says(page, "Kursi Anda sudah aman")).to_be_visible()


def class_card(page: Any, title: str) -> Any:
    """The newest /kelas card of this session (the one with the attendance buttons)."""
    qr_button = page.get_by_role("button", name="📱 QR absen")
    return page.locator(".msg.bot", has_text=title, has=qr_button).last


def open_class(page: Any, title: str) -> Any:
    """Open this session from the /kelas list (one message, a button per class); its card."""
    listed = page.locator(".inline-kb").get_by_role("button", name=re.compile(re.escape(title)))
    listed.last.click()
    card = class_card(page, title)
    expect(card).to_be_visible()
    return card
