"""`dodolan demo` on WhatsApp in a real browser: an owner signs up and books as on WhatsApp
(buttons, list sheets, typed answers); an owner checks in by scanning the trainer's wa.me QR;
the demo clock closes the 24-hour window, and one staff announcement reaches owners on
Telegram and on WhatsApp (there as a template, whose quick reply reaches the bot)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.browser import wa_chat
from tests.browser.chat import (
    bot_says,
    choose,
    expect,
    last_bot_message,
    open_class,
    tap,
    type_message,
)


def test_a_whatsapp_owner_signs_up_and_books_with_buttons_lists_and_typing(page: Any) -> None:
    choose(page, "Bu Dewi")
    expect(page.locator("#app.wa")).to_be_visible()
    expect(page.locator("#attach")).to_be_hidden()
    wa_chat.sign_up(page)
    summary = page.locator(".msg.bot .bubble", has_text="Nama:").last
    expect(summary.locator("b", has_text="Nama:")).to_be_visible()  # WhatsApp's *bold*
    expect(page.locator("#window")).to_contain_text("Jendela 24 jam terbuka")

    wa_chat.say(page, "jadwal")  # four sessions: one list whose rows open each card
    wa_chat.answered(page, "Ini jadwal sesi yang masih bisa dipesan")
    wa_chat.pick(page, "Buka toko di Shopee")
    card = page.locator(".msg.bot", has_text="Buka toko di Shopee").last
    expect(card.locator(".wa-button", has_text="✅ Pesan kursi")).to_be_visible()
    wa_chat.tap(page, "✅ Pesan kursi")
    confirmation = page.locator(".msg.bot", has_text="Kursi Anda sudah aman").last
    expect(confirmation).to_be_visible()
    expect(confirmation).to_contain_text("Aula Dinas Koperasi & UKM")
    document = confirmation.locator("a.file", has_text=".ics")
    expect(document).to_be_visible()
    with page.expect_download() as info:
        document.click()
    download = info.value
    assert re.fullmatch(r"sesi-\d+\.ics", download.suggested_filename)
    assert Path(download.path()).read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert [f"{r.url}" for r in page.failed_responses] == []


ANNOUNCEMENT = "Pasar UMKM hari Minggu di Alun-Alun, daftar lapak lewat bot ya."


def test_the_trainers_whatsapp_qr_then_the_window_closes_and_an_announcement_reaches_both(
    page: Any,
) -> None:
    choose(page, "Pak Hadi")  # signed up and booked at launch, never wrote: window closed
    expect(page.locator("#window")).to_contain_text("tertutup")
    choose(page, "Pak Joko")
    type_message(page, "/kelas")
    open_class(page, "Foto produk pakai HP").get_by_role("button", name="📱 QR absen").click()
    whatsapp_qr = page.locator(".msg.bot", has_text="WhatsApp").locator("img.qr").last
    expect(whatsapp_qr).to_be_visible()  # sent after Telegram's, paced
    whatsapp_qr.click()  # scanned with Pak Hadi's phone: WhatsApp types the link's text
    page.locator("#sheet").get_by_role("button", name="Pak Hadi").click()
    expect(page.locator("#head-sub")).to_contain_text("Pak Hadi")
    expect(page.locator("#messages")).to_have_attribute("data-persona", "Pak Hadi")
    expect(page.locator(".msg.me .bubble").last).to_contain_text(re.compile(r"^HADIR-[\w-]+"))
    wa_chat.answered(page, "sudah tercatat")
    expect(page.locator("#window")).to_contain_text("terbuka")
    page.locator("#clock").get_by_role("button", name="+1 jam").click()
    expect(page.locator("#clock-now")).to_contain_text("+1 jam")
    expect(page.locator("#window")).to_contain_text("sisa 22 jam")
    page.locator("#clock").get_by_role("button", name="+25 jam").click()
    expect(page.locator("#clock-now")).to_contain_text("+26 jam")
    expect(page.locator("#window")).to_contain_text("tertutup · hanya template")

    choose(page, "Bu Rina")
    type_message(page, "/umumkan")
    tap(page, "👥 Semua pemilik terdaftar")
    expect(last_bot_message(page)).to_contain_text("orang akan menerima")
    tap(page, "✍️ Lanjut tulis pesan")
    type_message(page, ANNOUNCEMENT)
    tap(page, "Lewati")
    expect(page.locator(".msg.bot .bubble", has_text="Pratinjau")).to_be_visible()
    tap(page, "📤 Kirim sekarang")

    expect(page.locator(".persona.unread", has_text="Pak Hadi")).to_be_visible()
    choose(page, "Pak Hadi")
    template = page.locator(".msg.bot.template", has_text=ANNOUNCEMENT).last
    expect(template.locator(".wa-template")).to_have_text("Template · dodolan_announcement")
    expect(template.locator(".wa-button", has_text="Berhenti")).to_be_visible()
    choose(page, "Wati")  # the owner on Telegram gets the same announcement
    expect(bot_says(page, ANNOUNCEMENT)).to_be_visible()
    choose(page, "Pak Hadi")
    wa_chat.tap(page, "Berhenti")  # the template's quick reply reaches the bot
    expect(page.locator("#window")).to_contain_text("terbuka")
    expect(page.locator(".msg.me .bubble").last).to_contain_text("Berhenti")
