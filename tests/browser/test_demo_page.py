"""The demo page as a new user meets it: a fresh clone, WIB times, the 📎 menu, tappable
links and commands, the trainer's check-in QR, and a venue with "&" in its name."""

from __future__ import annotations

import base64
import io
import re
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import segno
from babel.dates import format_date

from tests.browser.chat import (
    book,
    bot_says,
    choose,
    expect,
    finish_sign_up,
    last_bot_message,
    open_class,
    sign_up,
    start_sign_up,
    tap,
    type_message,
)

WIB = ZoneInfo("Asia/Jakarta")
ROOT = Path(__file__).resolve().parents[2]
QR_JS = ROOT / "simulator" / "web" / "qr.js"


def attach(page: Any, *path: str) -> None:
    """Open the 📎 menu and follow its items (e.g. "📍 Lokasi", "📍 Alun-Alun Merdeka")."""
    page.locator("#attach").click()
    for label in path:
        page.locator("#sheet").get_by_role("button", name=label).click()


def attach_file(page: Any, item: str, file: Path) -> None:
    """Pick a file in the 📎 menu's photo or document item, as a file dialog would."""
    with page.expect_file_chooser() as chooser:
        attach(page, item)
    chooser.value.set_files(str(file))


def test_a_fresh_clone_serves_the_demo_and_the_bot_answers(
    open_page: Callable[..., Any], fresh_clone: Path, fresh_clone_demo_url: str
) -> None:
    imported = subprocess.run(
        [sys.executable, "-c", "import bot, simulator, handlers; print(bot.__file__)"],
        cwd=fresh_clone,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(imported.stdout.strip()).is_relative_to(fresh_clone)  # the clone's own code
    page = open_page(fresh_clone_demo_url)
    expect(page.locator(".persona")).to_have_count(7)  # five on Telegram, two on WhatsApp
    type_message(page, "/start")
    expect(bot_says(page, "Halo, Siti!")).to_be_visible()
    icon = page.locator("link[rel=icon]").get_attribute("href")
    answer = page.request.get(urljoin(fresh_clone_demo_url, icon))
    assert answer.ok and answer.headers["content-type"] == "image/svg+xml"
    assert page.request.get(urljoin(fresh_clone_demo_url, "/favicon.ico")).ok
    assert [f"{r.url}" for r in page.failed_responses] == []


def test_times_and_days_are_wib_and_24_hour_whatever_the_browser_uses(
    open_page: Callable[..., Any], demo_url: str
) -> None:
    page = open_page(demo_url, timezone_id="America/New_York", locale="en-US")
    for name, language, separator in (("Siti", "id", "."), ("Budi", "en", ":")):
        choose(page, name)
        before = int(time.time())
        type_message(page, "/start")
        moments = [datetime.fromtimestamp(t, WIB) for t in (before, int(time.time()))]
        shown = page.locator(".msg.me .meta").last.inner_text()
        assert shown in {m.strftime(f"%H{separator}%M") for m in moments}
        day = page.locator(".day span").last.inner_text()
        assert day in {format_date(m, "EEEE, d MMMM", locale=language) for m in moments}


def test_booking_at_a_venue_with_an_ampersand_shows_it_as_written(page: Any) -> None:
    sign_up(page)
    book(page, "Buka toko di Shopee")
    confirmation = bot_says(page, "Kursi Anda sudah aman")
    expect(confirmation).to_contain_text("Aula Dinas Koperasi & UKM")
    expect(page.locator(".msg.bot .bubble", has_text="&amp;")).to_have_count(0)
    expect(confirmation).not_to_contain_text("&amp;")


def test_the_trainers_qr_checks_in_the_owner_who_scans_it(page: Any) -> None:
    choose(page, "Pak Joko")
    type_message(page, "/kelas")
    open_class(page, "Foto produk pakai HP").get_by_role("button", name="📱 QR absen").click()
    qr = page.locator(".bubble img.qr").first  # Telegram's; WhatsApp owners' QR follows
    expect(qr).to_be_visible()
    # The newest bubble's foot stays in view once its image has loaded (the QR image did not
    # push it away); newest, as the paced WhatsApp QR may come any moment and scroll.
    newest = page.locator(".msg.bot .bubble").last
    expect(newest.locator(".meta")).to_be_in_viewport()
    qr.click()
    page.locator("#sheet").get_by_role("button", name="Wati").click()
    expect(page.locator("#head-sub")).to_contain_text("Wati")
    expect(page.locator("#messages")).to_have_attribute("data-persona", "Wati")
    expect(page.locator(".msg.me .bubble").last).to_contain_text(re.compile(r"^/start hadir-\w+"))
    # bot_says, not the newest message: a reminder of her session may come any moment
    expect(bot_says(page, "kehadiran Anda di Foto produk pakai HP sudah tercatat")).to_be_visible()
    seeded = bot_says(page, "Kursi Anda sudah aman")  # Wati's booking, made at launch
    expect(seeded).to_contain_text("Foto produk pakai HP")
    expect(seeded).not_to_contain_text("terlambat")  # sent at once, so not "late"
    choose(page, "Pak Joko")
    type_message(page, "/kelas")
    # Wati (Telegram) and Pak Hadi (WhatsApp) are booked on it; Wati scanned
    expect(open_class(page, "Foto produk pakai HP")).to_contain_text("Hadir: 1 dari 2")


def test_commands_links_and_deep_links_in_bot_messages_are_tappable(page: Any) -> None:
    type_message(page, "/start")
    bot_says(page, "Halo, Siti!").locator("a", has_text="/bantuan").click()
    expect(page.locator(".msg.me .bubble").last).to_contain_text("/bantuan")
    expect(bot_says(page, "Yang bisa saya bantu")).to_be_visible()
    choose(page, "Pak Joko")
    type_message(page, "/kelas")
    open_class(page, "Iklan dan promo marketplace")
    online = page.locator(".msg.bot .bubble a", has_text="https://meet.example.org/dodolan-iklan")
    expect(online.first).to_have_attribute("href", "https://meet.example.org/dodolan-iklan")
    expect(online.first).to_have_attribute("target", "_blank")
    open_class(page, "Foto produk pakai HP").get_by_role("button", name="📱 QR absen").click()
    deep_link = page.locator(".msg.bot .bubble a", has_text="t.me/DodolanBot?start=hadir-")
    expect(deep_link).to_have_attribute("href", re.compile(r"^https://t\.me/DodolanBot\?start="))
    code = re.search(r"hadir-\w+", deep_link.inner_text())
    assert code is not None
    deep_link.click()  # as in Telegram: opening the bot's own link sends /start <payload>
    expect(page.locator(".msg.me .bubble").last).to_contain_text(f"/start {code[0]}")
    expect(last_bot_message(page)).to_contain_text("tidak terdaftar di sesi ini")


def test_the_attachment_menu_sends_contact_location_document_and_photo(
    page: Any, tmp_path: Path
) -> None:
    start_sign_up(page)
    attach(page, "👤 Kontak", "Nomor saya")
    expect(page.locator(".msg.me .contact").last).to_contain_text("+6281234567890")
    finish_sign_up(page)
    attach(page, "📍 Lokasi", "📍 Alun-Alun Merdeka")
    place = page.locator(".msg.me a.place").last
    expect(place).to_contain_text("Buka peta")
    expect(place).to_have_attribute("href", re.compile(r"mlat=-7\.982553&mlon=112\.630771"))
    brochure = tmp_path / "brosur-keripik.pdf"
    brochure.write_bytes(b"%PDF-1.4\n% brosur\n")
    attach_file(page, "📄 Dokumen", brochure)
    expect(page.locator(".msg.me a.file").last).to_contain_text("brosur-keripik.pdf")
    choose(page, "Budi")
    attach(page, "📍 Location", "📍 Pasar Besar Malang")
    expect(page.locator(".msg.me a.place").last).to_contain_text("Open map")
    choose(page, "Bu Rina")
    type_message(page, "/umumkan")
    tap(page, "👥 Semua pemilik terdaftar")
    tap(page, "✍️ Lanjut tulis pesan")
    expect(last_bot_message(page)).to_contain_text("foto/dokumen")
    photo = tmp_path / "poster.png"
    photo.write_bytes(_poster_png())
    page.fill("#input", "Poster pelatihan minggu depan")  # the caption, as in Telegram
    attach_file(page, "🖼 Foto", photo)
    expect(page.locator(".msg.me .bubble img").last).to_be_visible()
    expect(page.locator(".msg.me .bubble").last).to_contain_text("Poster pelatihan")
    tap(page, "Lewati")
    preview = page.locator(".msg.bot .bubble", has=page.locator("img")).last
    expect(preview).to_contain_text("Poster pelatihan minggu depan")


def test_the_qr_reader_reads_what_segno_draws(browser: Any) -> None:
    cases = []
    for version in range(1, 41):
        for error in "lmqh":
            text = f"{version}{error}"
            qr = segno.make(text, error=error, version=version, mask=version % 8, micro=False)
            cases.append((text, _png_url(qr)))
    for link in ("https://t.me/DodolanBot?start=hadir-r6Ab6t3rjDRG", "0812345678901", "UKM 2026"):
        cases.append((link, _png_url(segno.make(link, error="m", micro=False))))
    page = browser.new_page()
    try:
        page.add_script_tag(content=QR_JS.read_text())
        read = page.evaluate(
            """async (cases) => Promise.all(cases.map(async ([, url]) => {
                const image = new Image();
                image.src = url;
                await image.decode();
                return readQr(image);
            }))""",
            cases,
        )
    finally:
        page.close()
    assert read == [text for text, _ in cases]


def _png_url(qr: Any) -> str:
    out = io.BytesIO()
    qr.save(out, kind="png", scale=4, border=2)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _poster_png(width: int = 120, height: int = 80) -> bytes:
    """A small orange PNG, drawn by hand (one filter byte, then RGB, per row)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xf2\xa3\x3a" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_every_persona_can_be_seen_and_chosen_on_a_narrow_phone(
    open_page: Callable[..., Any], demo_url: str
) -> None:
    page = open_page(demo_url, viewport={"width": 360, "height": 740})
    personas = page.locator("#personas .persona")
    expect(personas.last).to_be_visible()
    assert personas.count() == 7  # three Telegram owners, two WhatsApp owners, staff, trainer
    assert page.locator("#personas .persona.wa").count() == 2
    for n in range(personas.count()):
        box = personas.nth(n).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, n
    page.locator("#personas .persona.wa").last.click()
    expect(page.locator("#window")).to_be_visible()
