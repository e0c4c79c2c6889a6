"""The WhatsApp channel against the strict emulator over HTTP: the window and templates."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from bot.core.errors import OutsideWindow
from bot.core.notices import Attachment, Category, Choice, Notice
from handlers.whatsapp.window import OPEN_PAYLOAD, STOP_PAYLOAD
from tests.whatsapp.test_channel_support import SITI, recipient, reminder, running


async def test_a_reminder_inside_the_window_has_buttons_with_the_choice_ids(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as h:
        await h.open_window()
        sent = await h.channel.send(recipient(), reminder(), bulk=True)
        message = h.emu.person(SITI).last
        assert sent.message_id == message.wamid
        assert message.type == "interactive"
        assert [(b.id, b.title) for b in message.buttons] == [
            ("rm:v1:yes:42", "Saya hadir"),
            ("rm:v1:no:42", "Tidak bisa hadir"),
        ]
        assert message.text.startswith("*Pengingat:* sesi *Foto Produk & Video* besok.")
        h.emu.assert_no_violations()


async def test_the_same_reminder_after_25_hours_is_the_template_with_the_ids_as_payloads(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as h:
        await h.open_window()
        await h.channel.send(recipient(), reminder(), bulk=True)
        h.clock.advance(hours=25)
        await h.channel.send(recipient(), reminder(), bulk=True)
        message = h.emu.person(SITI).last
        assert (message.type, message.template, message.language) == (
            "template",
            "dodolan_reminder",
            "id",
        )
        assert "*Foto Produk & Video*" in message.text
        assert "Malang Creative Center" in message.text
        assert [(b.id, b.title, b.kind) for b in message.buttons] == [
            ("rm:v1:yes:42", "Saya hadir", "quick_reply"),
            ("rm:v1:no:42", "Tidak bisa hadir", "quick_reply"),
        ]
        assert h.emu.violations == []
        assert h.emu.tier_used == 1 == await h.contacts.tier_used(h.clock())


async def test_an_announcement_outside_the_window_uses_the_marketing_template(
    tmp_path: Path,
) -> None:
    text = "Kelas <b>TikTok Shop</b> dibuka!\nDaftar lewat bot ya."
    notice = Notice(
        text,
        (Choice("link:0", "Info", url="https://dodolan.id/kelas"),),
        category=Category.ANNOUNCEMENT,
        kind="announcement",
        params={"text": text},
    )
    async with running(tmp_path) as h:
        await h.channel.send(recipient(), notice, bulk=True)
        message = h.emu.person(SITI).last
        assert message.template == "dodolan_announcement"
        assert "Kelas *TikTok Shop* dibuka! Daftar lewat bot ya." in message.text
        assert [b.id for b in message.buttons] == [STOP_PAYLOAD]
        assert h.emu.template("dodolan_announcement", "id").category == "MARKETING"
        assert h.emu.violations == []


@pytest.mark.parametrize(
    ("kind", "template", "words"),
    [
        ("announcement", "dodolan_followup", "follow-up material"),  # a trainer's follow-up
        ("daily_tip", "dodolan_tip", "a tip for your business"),
        ("prep_tip", "dodolan_tip", "a tip for your business"),
        ("feedback", "dodolan_feedback", "one short question"),
        ("booking_confirmed", "dodolan_reopen", "about your booking"),
        ("trainer_assigned", "dodolan_message", "a new message from Dodolan"),
    ],
)
async def test_what_waits_behind_a_tap_to_read_template_is_named_by_it(
    tmp_path: Path, kind: str, template: str, words: str
) -> None:
    notice = Notice("Materi sesi kemarin sudah ada.", kind=kind, params={"text": "x"})
    async with running(tmp_path) as h:
        await h.channel.send(recipient(language="en"), notice, bulk=True)
        message = h.emu.person(SITI).last
        assert (message.template, message.language) == (template, "en")
        assert words in message.text
        assert [b.id for b in message.buttons] == [OPEN_PAYLOAD]
        assert h.emu.violations == []


async def test_a_reminder_missing_a_value_falls_back_to_the_reopen_template(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as h:
        await h.channel.send(recipient(), reminder(place=""), bulk=True)
        assert h.emu.person(SITI).last.template == "dodolan_reopen"
        assert h.emu.violations == []


async def test_an_unapproved_template_is_outside_window_and_named_in_problems(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as h:
        h.emu.set_template_status("dodolan_reminder", "id", "PAUSED")
        del h.emu.templates.items[("dodolan_seat_offer", "en")]
        await h.channel.refresh_templates()
        with pytest.raises(OutsideWindow, match="dodolan_reminder"):
            await h.channel.send(recipient(), reminder(), bulk=True)
        assert h.channel.problems() == [
            "WhatsApp template dodolan_reminder (id): PAUSED at Meta",
            "WhatsApp template dodolan_seat_offer (en): not at Meta (submit it)",
        ]
        assert h.emu.person(SITI).messages == []
        assert not any(call.path.endswith("/messages") for call in h.emu.calls)


async def test_a_template_meta_refuses_after_the_last_refresh_is_reported(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as h:
        h.emu.set_template_status("dodolan_reminder", "id", "DISABLED")  # not refreshed
        with pytest.raises(OutsideWindow, match="DISABLED"):
            await h.channel.send(recipient(), reminder(), bulk=True)
        assert h.channel.problems() == [
            "WhatsApp template dodolan_reminder (id): DISABLED at Meta"
        ]
        assert await h.contacts.tier_used(h.clock()) == 0  # the refused send is not counted
        assert h.emu.violations == []


async def test_meta_saying_the_window_is_closed_gets_the_template_once(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await h.channel.saw_inbound(SITI, h.clock())  # the emulator never saw her write
        await h.channel.send(recipient(), reminder(), bulk=False)
        assert h.emu.person(SITI).last.template == "dodolan_reminder"
        assert [v.code for v in h.emu.violations] == [131047]  # the one free-form attempt
        await h.channel.send(recipient(), reminder(), bulk=False)
        assert [v.code for v in h.emu.violations] == [131047]  # now known closed
        assert await h.channel.windows.is_open(SITI) is False


async def test_a_window_closes_24_hours_after_the_last_message(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await h.open_window()
        h.clock.advance(hours=23, minutes=50)
        assert await h.channel.windows.is_open(SITI)
        h.clock.advance(minutes=6)  # within the safety margin: treated as closed
        assert not await h.channel.windows.is_open(SITI)
        await h.channel.saw_inbound(SITI, h.clock())
        assert await h.channel.windows.is_open(SITI)


def session_changed() -> Notice:
    """A changed session with its calendar update, as the Telegram renderer words it."""
    ics = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    return Notice(
        "Sesi <b>Foto Produk</b> pindah: Minggu, 13 Desember 2026, 13.00 WIB.",
        attachment=Attachment("document", "sesi-7.ics", content=ics),
        kind="session_changed",
        params={
            "title": "Foto Produk",
            "when": "Minggu, 13 Desember 2026, 13.00 WIB",
            "place": "Balai Kota Malang",
        },
    )


async def test_a_tap_on_see_the_details_brings_the_held_notice_once(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        siti = h.emu.person(SITI)
        await h.channel.send(recipient(), session_changed(), bulk=True)
        assert siti.last.template == "dodolan_session_changed"
        assert [b.id for b in siti.last.buttons] == [OPEN_PAYLOAD]
        assert await h.channel.deliver_held(SITI) == []  # window still closed: nothing sent
        h.clock.advance(hours=2)
        await h.open_window()  # she tapped "Lihat rincian"
        (sent,) = await h.channel.deliver_held(SITI)
        assert sent.message_id == siti.last.wamid
        assert (siti.last.type, siti.last.filename) == ("document", "sesi-7.ics")
        assert siti.last.text == "Sesi *Foto Produk* pindah: Minggu, 13 Desember 2026, 13.00 WIB."
        assert await h.channel.deliver_held(SITI) == []
        assert len(siti.messages) == 2
        h.emu.assert_no_violations()


async def test_notices_sent_side_by_side_while_one_template_waits_share_it(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as h:
        siti = h.emu.person(SITI)
        moved = session_changed()
        later = replace(moved, text="Sesi <b>Foto Produk</b> pindah lagi: 15.00 WIB.")
        await asyncio.gather(
            h.channel.send(recipient(), moved, bulk=True),
            h.channel.send(recipient(), later, bulk=True),
        )
        await h.channel.send(recipient(), later, bulk=True)
        assert [m.template for m in siti.messages] == ["dodolan_session_changed"]
        await h.open_window()  # she tapped "Lihat rincian"
        await h.channel.deliver_held(SITI)
        assert [m.text for m in siti.messages[1:]] == [
            "Sesi *Foto Produk* pindah: Minggu, 13 Desember 2026, 13.00 WIB.",
            "Sesi *Foto Produk* pindah lagi: 15.00 WIB.",
            "Sesi *Foto Produk* pindah lagi: 15.00 WIB.",
        ]
        assert await h.contacts.held(SITI) == []
        h.emu.assert_no_violations()


async def test_a_reminder_with_answers_holds_nothing(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await h.channel.send(recipient(), reminder(), bulk=True)
        assert await h.contacts.held(SITI) == []
