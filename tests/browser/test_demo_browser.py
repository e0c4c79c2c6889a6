"""`dodolan demo` in a real browser: sign up and book by clicking, download, announcements."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any


def expect(locator: Any) -> Any:
    """Playwright's auto-waiting assertions."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def choose(page: Any, name: str) -> None:
    """Switch to a persona's chat with the persona bar."""
    page.locator(".persona", has_text=name).click()
    expect(page.locator("#head-sub")).to_contain_text(name)


def type_message(page: Any, text: str) -> None:
    """Type a message and send it with Enter; wait until it shows in the chat."""
    page.fill("#input", text)
    page.press("#input", "Enter")
    expect(page.locator(".msg.me .bubble").last).to_contain_text(text)


def tap(page: Any, label: str) -> None:
    """Tap the newest inline button with exactly this label."""
    page.locator(".inline-kb").get_by_role("button", name=label, exact=True).last.click()


def last_bot_message(page: Any) -> Any:
    return page.locator(".msg.bot .bubble").last


def sign_up(page: Any) -> None:
    """Sign Siti up by clicking through every step."""
    choose(page, "Siti")
    type_message(page, "/start")
    tap(page, "✅ Setuju")
    expect(last_bot_message(page)).to_contain_text("Langkah 1 dari 7")
    type_message(page, "Siti Aminah")
    expect(last_bot_message(page)).to_contain_text("nama usaha")
    type_message(page, "Keripik Tempe Bu Siti")
    tap(page, "Kuliner/makanan-minuman")
    tap(page, "Lowokwaru")
    share = page.locator("#reply-keyboard").get_by_role("button", name="📱 Kirim nomor saya")
    share.click()
    expect(
        page.locator(".msg.bot .bubble", has_text="Nomor +6281234567890 tersimpan")
    ).to_be_visible()
    expect(page.locator("#reply-keyboard")).to_be_hidden()
    tap(page, "Shopee")
    expect(page.locator(".inline-kb").get_by_role("button", name="✅ Shopee")).to_be_visible()
    tap(page, "Selesai")
    expect(last_bot_message(page)).to_contain_text("NIB")
    tap(page, "Lewati")
    tap(page, "✅ Konfirmasi")
    expect(page.locator(".msg.bot .bubble", has_text="Pendaftaran selesai")).to_be_visible()


def book_first_session(page: Any) -> None:
    """Open /jadwal and book the first session shown."""
    type_message(page, "/jadwal")
    page.locator(".inline-kb").get_by_role("button", name="✅ Pesan kursi").first.click()
    expect(page.locator(".msg.bot .bubble", has_text="Kursi Anda sudah aman")).to_be_visible()


def test_owner_signs_up_and_books_by_clicking(page: Any) -> None:
    sign_up(page)
    summary = page.locator(".msg.bot .bubble", has_text="Nama:").last
    expect(summary.locator("b", has_text="Nama:")).to_be_visible()  # formatting from entities
    book_first_session(page)
    expect(page.locator(".bubble a.place", has_text="Malang Creative Center")).to_have_attribute(
        "href", re.compile(r"^https://www\.openstreetmap\.org/\?mlat=-7\.93")
    )
    expect(page.locator(".persona", has_text="Pak Joko")).to_be_visible()


def test_booking_calendar_downloads(page: Any) -> None:
    sign_up(page)
    book_first_session(page)
    link = page.locator("a.file", has_text=".ics").last
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert re.fullmatch(r"sesi-\d+\.ics", download.suggested_filename)
    assert Path(download.path()).read_bytes().startswith(b"BEGIN:VCALENDAR")


ANNOUNCEMENT = "Besok pelatihan pindah ke lantai 2, ya."


def test_staff_announcement_reaches_the_owner(page: Any) -> None:
    sign_up(page)
    choose(page, "Bu Rina")
    type_message(page, "/umumkan")
    tap(page, "👥 Semua pemilik terdaftar")
    expect(last_bot_message(page)).to_contain_text("orang akan menerima")
    tap(page, "✍️ Lanjut tulis pesan")
    type_message(page, ANNOUNCEMENT)
    tap(page, "Lewati")
    expect(page.locator(".msg.bot .bubble", has_text="Pratinjau")).to_be_visible()
    tap(page, "📤 Kirim sekarang")
    expect(page.locator(".persona.unread", has_text="Siti")).to_be_visible(timeout=30_000)
    choose(page, "Siti")
    expect(page.locator(".msg.bot .bubble", has_text=ANNOUNCEMENT)).to_be_visible()
    choose(page, "Bu Rina")
    expect(page.locator(".msg.bot .bubble", has_text="Laporan pengumuman")).to_be_visible(
        timeout=30_000
    )
