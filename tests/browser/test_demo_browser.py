"""`dodolan demo` in a real browser: sign up and book by clicking, download, announcements."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.browser.chat import book, choose, expect, last_bot_message, sign_up, tap, type_message


def test_owner_signs_up_and_books_by_clicking(page: Any) -> None:
    sign_up(page)
    summary = page.locator(".msg.bot .bubble", has_text="Nama:").last
    expect(summary.locator("b", has_text="Nama:")).to_be_visible()  # formatting from entities
    book(page)
    # the confirmation carries its calendar file and a map button in one message
    confirmation = page.locator(".msg.bot", has_text="Kursi Anda sudah aman").last
    expect(confirmation.locator("a.file", has_text=".ics")).to_be_visible()
    expect(confirmation.locator(".inline-kb a", has_text="Buka peta")).to_have_attribute(
        "href", re.compile(r"^https://www\.google\.com/maps/search/\?api=1&query=-7\.9")
    )
    expect(page.locator(".persona", has_text="Pak Joko")).to_be_visible()


def test_booking_calendar_downloads(page: Any) -> None:
    sign_up(page)
    book(page)
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
    expect(page.locator(".persona.unread", has_text="Siti")).to_be_visible()
    choose(page, "Siti")
    expect(page.locator(".msg.bot .bubble", has_text=ANNOUNCEMENT)).to_be_visible()
    choose(page, "Bu Rina")
    expect(page.locator(".msg.bot .bubble", has_text="Laporan pengumuman")).to_be_visible()
