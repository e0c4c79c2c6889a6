"""Notices as WhatsApp messages: markup, buttons, lists, numbered menus, links and files."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.core.markup import shorten
from bot.core.notices import Attachment, ChannelName, Choice, Notice
from handlers.whatsapp.markup import neutralise, to_whatsapp
from handlers.whatsapp.render import render, split_text
from tests.whatsapp.test_channel_support import SITI, recipient, reminder, running


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<b>Halo</b>, <i>Siti</i>!", "*Halo*, _Siti_!"),
        ("Kode: <code>HADIR-AB12</code>", "Kode: ```HADIR-AB12```"),
        ('<a href="https://maps.app/x">Peta</a>', "Peta (https://maps.app/x)"),
        ('<a href="https://dodolan.id">https://dodolan.id</a>', "https://dodolan.id"),
        ("<b> Judul </b>sesi", "*Judul* sesi"),
        ("<b>Kelas <i>baru</i></b>", "*Kelas _baru_*"),
        ("Toko &amp; Kafe &quot;Bu Siti&quot;", 'Toko & Kafe "Bu Siti"'),
        ("Nama: &lt;b&gt;Siti&lt;/b&gt;", "Nama: <b>Siti</b>"),
        ("<u>garis</u> bawah", "garis bawah"),
        ("<b>tidak ditutup", "*tidak ditutup*"),
    ],
)
def test_the_neutral_markup_becomes_whatsapp_text(markup: str, text: str) -> None:
    assert to_whatsapp(markup) == text


@pytest.mark.parametrize(
    ("user_text", "shown"),
    [
        ("Diskon *besar* hari ini", "Diskon \u2217besar* hari ini"),
        ("_semua_ ~harga~ `turun`", "\uff3fsemua_ \u223charga~ \u02cbturun`"),
        ("toko_siti_malang 2*3*4 harga * 2", "toko_siti_malang 2*3*4 harga * 2"),
        ("satu *bintang saja", "satu *bintang saja"),
    ],
)
def test_markers_from_user_text_never_format(user_text: str, shown: str) -> None:
    assert neutralise(user_text) == shown
    assert to_whatsapp(f"<b>Pesan:</b> {user_text}") == f"*Pesan:* {shown}"


def test_links_and_code_are_never_changed() -> None:
    markup = '<a href="https://x.id/_a_">lihat</a> <code>*x*</code>'
    assert to_whatsapp(markup) == "lihat (https://x.id/_a_) ```*x*```"


def test_shorten_cuts_at_a_word() -> None:
    assert shorten("Foto Produk Pakai HP untuk Jualan Online", 24) == "Foto Produk Pakai HP…"
    assert shorten("pendek", 24) == "pendek"


def test_split_text_cuts_at_paragraphs() -> None:
    text = ("a" * 3000) + "\n\n" + ("b" * 3000)
    assert split_text(text) == ["a" * 3000, "b" * 3000]


def _options(count: int, title: str = "Sesi") -> tuple[Choice, ...]:
    return tuple(Choice(f"bk:v1:{n}", f"{title} {n}") for n in range(1, count + 1))


def test_four_choices_are_a_list_and_a_long_title_keeps_its_full_text() -> None:
    long = "Foto Produk Pakai HP untuk Jualan di Marketplace"
    longer = "Kelas Lanjutan: " + "Strategi Konten " * 5
    choices = (*_options(2), Choice("bk:v1:8", long), Choice("bk:v1:9", longer.strip()))
    rendering = render(SITI, Notice("Pilih sesi:", choices), "id")
    (part,) = rendering.parts
    interactive = part.payload["interactive"]
    assert interactive["type"] == "list"
    assert interactive["action"]["button"] == "Pilih"
    rows = interactive["action"]["sections"][0]["rows"]
    assert rows[2] == {"id": "bk:v1:8", "title": "Foto Produk Pakai HP…", "description": long}
    assert len(rows[3]["title"]) <= 24 and "description" not in rows[3]
    assert f"• {longer.strip()}" in interactive["body"]["text"]
    assert rendering.menu is None


def test_link_choices_are_lines_of_the_text() -> None:
    notice = Notice(
        "Info kelas.",
        (Choice("link:0", "Daftar", url="https://dodolan.id/daftar"), Choice("bc:v1:ok", "OK")),
    )
    (part,) = render(SITI, notice, "id").parts
    assert part.payload["interactive"]["body"]["text"] == (
        "Info kelas.\n\nDaftar: https://dodolan.id/daftar"
    )
    buttons = part.payload["interactive"]["action"]["buttons"]
    assert [b["reply"]["id"] for b in buttons] == ["bc:v1:ok"]


def test_only_links_give_a_plain_text() -> None:
    notice = Notice("Info.", (Choice("link:0", "Peta", url="https://maps.app/x"),))
    (part,) = render(SITI, notice, "en").parts
    assert part.payload["text"]["body"] == "Info.\n\nPeta: https://maps.app/x"


def test_a_long_text_goes_before_the_buttons() -> None:
    text = "Rincian sesi. " * 100
    parts = render(SITI, Notice(text, reminder().choices), "en").parts
    assert [p.payload["type"] for p in parts] == ["text", "interactive"]
    assert parts[1].payload["interactive"]["body"]["text"] == "Please choose:"


async def test_eleven_choices_are_a_numbered_text_that_a_number_answers(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await h.open_window()
        notice = Notice("Sesi yang masih buka:", _options(11))
        await h.channel.send(recipient(), notice, bulk=False)
        message = h.emu.person(SITI).last
        assert message.type == "text"
        assert message.text.startswith("Sesi yang masih buka:\n\nBalas dengan angka:\n1. Sesi 1")
        assert message.text.endswith("11. Sesi 11")
        assert await h.channel.resolve_number(SITI, " 2 ") == "bk:v1:2"
        assert await h.channel.resolve_number(SITI, "11.") == "bk:v1:11"
        assert await h.channel.resolve_number(SITI, "12") is None
        assert await h.channel.resolve_number(SITI, "halo") is None
        assert await h.channel.resolve_number("6289999999999", "2") is None
        await h.channel.send(recipient(), reminder(), bulk=False)  # a newer question
        assert await h.channel.resolve_number(SITI, "2") is None


async def test_user_text_escaped_once_stays_literal_on_the_phone(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await h.open_window()
        notice = Notice("<b>Dari peserta:</b> &lt;b&gt;murah&lt;/b&gt; *promo* &amp; diskon")
        await h.channel.send(recipient(), notice, bulk=False)
        assert h.emu.person(SITI).last.text == (
            "*Dari peserta:* <b>murah</b> \u2217promo* & diskon"
        )


async def test_generated_file_is_uploaded_and_sent_as_a_captioned_document(
    tmp_path: Path,
) -> None:
    ics = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    notice = Notice(
        "Kalender sesi <b>Foto Produk</b>",
        attachment=Attachment("document", "sesi-7.ics", content=ics),
    )
    async with running(tmp_path) as h:
        await h.open_window()
        await h.channel.send(recipient(), notice, bulk=False)
        message = h.emu.person(SITI).last
        assert (message.type, message.filename, message.data) == ("document", "sesi-7.ics", ics)
        assert message.mime_type == "text/calendar"
        assert message.text == "Kalender sesi *Foto Produk*"
        h.emu.assert_no_violations()


async def test_a_file_with_buttons_or_a_long_text_goes_first(tmp_path: Path) -> None:
    ics = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    file = Attachment("document", "sesi-7.ics", content=ics)
    async with running(tmp_path) as h:
        await h.open_window()
        await h.channel.send(recipient(), Notice("x " * 600, attachment=file), bulk=False)
        await h.channel.send(
            recipient(), Notice("Hadir?", reminder().choices, attachment=file), bulk=False
        )
        kinds = [(m.type, m.text[:6]) for m in h.emu.person(SITI).messages]
        assert kinds == [
            ("document", ""),
            ("text", "x x x "),
            ("document", ""),
            ("interactive", "Hadir?"),
        ]


async def test_a_telegram_file_is_left_out_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    photo = Attachment("photo", ref="AgACAgUAAxkBAAIB", ref_channel=ChannelName.TELEGRAM)
    notice = Notice("Foto kegiatan kemarin", attachment=photo, kind="announcement")
    async with running(tmp_path) as h:
        await h.open_window()
        with caplog.at_level(logging.WARNING, logger="handlers.whatsapp.channel"):
            await h.channel.send(recipient(), notice, bulk=True)
        message = h.emu.person(SITI).last
        assert (message.type, message.text) == ("text", "Foto kegiatan kemarin")
        (record,) = [r for r in caplog.records if r.name == "handlers.whatsapp.channel"]
        assert record.levelno == logging.WARNING
        assert "telegram file" in record.getMessage()
        assert SITI not in record.getMessage() and "AgACAgUA" not in record.getMessage()
