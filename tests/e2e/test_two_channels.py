"""One bot, two channels: the assembled Telegram bot with WhatsApp configured serves owners
on both from one database, and one announcement reaches both through one delivery queue."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app.telegram import WHATSAPP_KEY
from bot.app.whatsapp import WhatsAppEdge
from bot.core.markup import plain
from bot.core.models import Consent
from bot.core.notices import ChannelName
from bot.services.broadcasts import ANNOUNCEMENT, Message
from bot.services.signup import CONSENT_PURPOSE, CONSENT_VERSION
from handlers.telegram.context import DodolanApplication
from handlers.whatsapp.templates import load, to_graph
from simulator import BotApiEmulator, FakeUser
from simulator.whatsapp import WhatsAppEmulator
from storage.broadcasts import Audience
from storage.delivery_statuses import DeliveryStatusRepository
from storage.identities import IdentityRepository
from storage.owners import OwnerRepository
from tests.e2e.support import SATURDAY_9, create_session, register_owner
from tests.e2e.test_process import free_port
from tests.e2e.test_staff_sessions import _to_summary
from tests.e2e.test_trainer import make_trainer
from tests.harness import STAFF_ID, FakeClock, RunningBot, settings_for
from tests.waiting import GUARD
from tests.whatsapp.owner_harness import Handled

WA_TOKEN = "EAAG-two-channels"
WA_SECRET = "two-channels-app-secret"
RINA = "6281355550000"


@pytest.fixture
async def wa(clock: FakeClock) -> AsyncIterator[WhatsAppEmulator]:
    emu = WhatsAppEmulator(access_token=WA_TOKEN, app_secret=WA_SECRET, clock=clock)
    await emu.start()
    for template in load().templates:
        emu.create_template(to_graph(template))
        emu.approve_template(template.name, template.language)
    try:
        yield emu
    finally:
        await emu.stop()


@pytest.fixture
async def both(
    emulator: BotApiEmulator, wa: WhatsAppEmulator, database: Path, clock: FakeClock
) -> AsyncIterator[RunningBot]:
    port = free_port()
    settings = settings_for(
        emulator,
        database,
        WHATSAPP_ACCESS_TOKEN=WA_TOKEN,
        WHATSAPP_PHONE_NUMBER_ID=wa.phone_number_id,
        WHATSAPP_APP_SECRET=WA_SECRET,
        WHATSAPP_VERIFY_TOKEN="verify-two",
        WHATSAPP_BUSINESS_ACCOUNT_ID=wa.waba_id,
        WHATSAPP_API_BASE_URL=wa.base_url,
        DODOLAN_WHATSAPP_PORT=str(port),
        WHATSAPP_DISPLAY_NUMBER=f"+{wa.display_phone_number}",
        DODOLAN_WHATSAPP_TIER="1",  # a tiny messaging tier, so spreading shows
    )
    wa.webhook_url = f"http://127.0.0.1:{port}/whatsapp"
    wa.settle = 0.0  # no quiet spell of wall-clock time: people wait for the handled hook
    # A WhatsApp person waits until the bot has finished with their message (its replies and
    # whatever it released are sent), not for a quiet spell of wall-clock time, which a busy
    # machine stretches (a released notice once came after the read).
    handled = Handled()

    def tell_handled(app: DodolanApplication) -> None:
        edge = app.bot_data[WHATSAPP_KEY]
        assert isinstance(edge, WhatsAppEdge)
        edge.processor.on_answered = handled.answered

    bot = RunningBot(settings, clock, emulator)
    bot.on_started.append(tell_handled)
    async with bot as running:
        wa.handled_hook = handled.wait
        try:
            yield running
        finally:
            wa.handled_hook = None


async def whatsapp_owner(bot: RunningBot, wa_id: str, name: str) -> int:
    """An owner who signed up on WhatsApp (stored as the sign-up would store them)."""
    services = bot.services
    user_id = await IdentityRepository(services.db).register(
        ChannelName.WHATSAPP, wa_id, "id", services.now()
    )
    values = {
        "full_name": name,
        "business_name": f"Warung {name}",
        "category": "kuliner",
        "kecamatan": "klojen",
        "phone": f"+{wa_id}",
        "marketplaces": ["shopee"],
        "nib": None,
    }
    consent = Consent(CONSENT_PURPOSE, CONSENT_VERSION, services.now())
    await OwnerRepository(services.db).create(user_id, values, consent, services.now())
    return user_id


async def test_one_announcement_reaches_owners_on_telegram_and_on_whatsapp(
    both: RunningBot, emulator: BotApiEmulator, wa: WhatsAppEmulator, clock: FakeClock
) -> None:
    assert isinstance(both.application.bot_data[WHATSAPP_KEY], WhatsAppEdge)
    siti = emulator.user(1001, first_name="Siti", language_code="id")
    emulator.open_chat(1001)
    await register_owner(both, 1001, "Siti")
    rina = wa.person(RINA, name="Rina")
    await whatsapp_owner(both, RINA, "Rina")
    await rina.say("menu")  # she wrote today: her window is open

    staff_id = await both.user_id_of(STAFF_ID)
    await both.services.broadcasts.send(
        staff_id, ANNOUNCEMENT, Audience("all"), Message("Pasar murah <b>Sabtu</b> &amp; Minggu")
    )
    await both.tick()

    header = plain(both.services.catalog.text("id", "broadcast.header"))
    assert any("Pasar murah" in m.text and header in m.text for m in siti.messages)
    texts = [m.text or m.body or "" for m in rina.messages]
    assert any("Pasar murah *Sabtu* & Minggu" in t for t in texts), texts
    wa.assert_no_violations()
    emulator.assert_no_violations()


async def test_an_announcement_to_a_whatsapp_owner_whose_window_closed_is_a_template(
    both: RunningBot, wa: WhatsAppEmulator, clock: FakeClock
) -> None:
    rina = wa.person(RINA, name="Rina")
    await whatsapp_owner(both, RINA, "Rina")
    await rina.say("menu")
    clock.advance(hours=25)  # no message from her since: only templates may reach her

    staff_id = await both.user_id_of(STAFF_ID)
    await both.services.broadcasts.send(
        staff_id, ANNOUNCEMENT, Audience("all"), Message("Pelatihan foto produk dibuka")
    )
    await both.tick()

    last = rina.messages[-1]
    assert last.template == "dodolan_announcement"
    assert "Pelatihan foto produk dibuka" in (last.text or last.body or "")
    wa.assert_no_violations()  # the bot never tried a free-form message outside the window


async def settled(edge: WhatsAppEdge) -> None:
    """Wait until every stored webhook event has been handled (after ``wa.drain()``, every
    event is stored; the edge's own loop may hold some between its claim and its tasks)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + GUARD
    while loop.time() < deadline:
        await edge.processor.process_once()  # handles the rest; waits for every task
        summary = await edge.inbox.summary()
        if not set(summary) - {"done", "failed"}:
            return
        await asyncio.sleep(0)  # the edge's loop goes on from its claim
    raise AssertionError(f"inbox not handled: {summary}")


def database_bytes(database: Path) -> bytes:
    """The database file and its write-ahead log, as they lie on disk."""
    wal = database.with_name(database.name + "-wal")
    return database.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def test_an_erased_whatsapp_owner_leaves_nothing_even_after_late_statuses(
    both: RunningBot, wa: WhatsAppEmulator, database: Path
) -> None:
    edge = both.application.bot_data[WHATSAPP_KEY]
    assert isinstance(edge, WhatsAppEdge)
    rina = wa.person(RINA, name="Rina")
    user_id = await whatsapp_owner(both, RINA, "Rina")
    await rina.say("menu")
    staff_id = await both.user_id_of(STAFF_ID)
    await both.services.broadcasts.send(
        staff_id, ANNOUNCEMENT, Audience("all"), Message("Kelas foto produk Sabtu")
    )
    await both.tick()
    (row,) = [m for m in await both.services.outbox.all_messages() if m.user_id == user_id]
    assert row.status == "sent"
    await wa.drain()  # the sent/delivered statuses reach the bot
    await edge.processor.process_once()
    wamid = rina.messages[-1].wamid
    statuses = DeliveryStatusRepository(both.services.db)
    recorded = await statuses.get(ChannelName.WHATSAPP, wamid)
    assert recorded is not None and recorded.status in ("sent", "delivered")  # on its row

    assert await both.services.profile.erase(user_id)
    await edge.inbox.erase_user(RINA)
    rina.read()  # she opens the chat afterwards: a "read" status about her arrives late
    await wa.drain()
    await settled(edge)
    await both.services.db.forget_deleted()

    on_disk = database_bytes(database)
    assert RINA.encode() not in on_disk
    assert wamid.encode() not in on_disk  # a wamid spells the number out too


async def test_the_trainers_qr_checks_in_owners_of_both_channels(
    both: RunningBot, emulator: BotApiEmulator, wa: WhatsAppEmulator, clock: FakeClock
) -> None:
    joko = await make_trainer(both, emulator, 7001, "Pak Joko")
    siti = emulator.user(1001, first_name="Siti", language_code="id")
    await siti.command("bantuan")
    siti_id = await register_owner(both, 1001, "Siti")
    rina = wa.person(RINA, name="Rina")
    rina_id = await whatsapp_owner(both, RINA, "Rina")
    session = await create_session(both, "Judul produk yang dicari")
    joko_id = await both.user_id_of(joko.id)
    await both.services.sessions.change(session.id, {"trainer_id": joko_id})
    await both.services.booking.book(siti_id, session.id)
    await both.services.booking.book(rina_id, session.id)
    clock.moment = SATURDAY_9 - timedelta(minutes=20)

    await joko.command("kelas")
    telegram_qr, whatsapp_qr = (m for m in await joko.press("📱 QR absen") if m.photo)
    assert "start=hadir-" in telegram_qr.text and "peserta WhatsApp" in whatsapp_qr.text
    link = next(w for w in whatsapp_qr.text.split() if w.startswith("https://wa.me/"))
    code = telegram_qr.text.split("start=hadir-")[1].split()[0]
    assert link == f"https://wa.me/{wa.display_phone_number}?text=HADIR-{code}"

    await siti.command("start", f"hadir-{code}")
    replies = await rina.scan(link)  # her camera opens WhatsApp with the text; she taps Send
    assert any("tercatat" in (m.text or m.body or "") for m in replies)
    for user_id in (siti_id, rina_id):
        row = await both.services.db.fetch_one(
            "SELECT attended_at FROM bookings WHERE user_id = ?", (user_id,)
        )
        assert row is not None and row["attended_at"] is not None


async def test_staff_see_in_statistik_which_whatsapp_templates_cannot_be_sent(
    both: RunningBot, emulator: BotApiEmulator, wa: WhatsAppEmulator
) -> None:
    edge = both.application.bot_data[WHATSAPP_KEY]
    assert isinstance(edge, WhatsAppEdge)
    staff = emulator.user(STAFF_ID, "Bu Rina", language_code="id")
    (clean,) = await staff.command("statistik")
    assert "Template WhatsApp" not in clean.text  # all approved in this test

    wa.set_template_status("dodolan_reminder", "id", "PAUSED")  # Meta pauses one
    await wa.drain()  # its status webhook reaches the bot
    await settled(edge)
    replies = await staff.command("statistik")
    report = "\n".join(m.text for m in replies)
    assert "Template WhatsApp yang belum bisa dipakai" in report
    assert "dodolan_reminder (id): PAUSED" in report


async def test_the_staff_preview_counts_whatsapp_templates_and_the_days_the_tier_needs(
    both: RunningBot, emulator: BotApiEmulator, wa: WhatsAppEmulator, clock: FakeClock
) -> None:
    await register_owner(both, 1001, "Siti")  # on Telegram: no WhatsApp cost
    for wa_id, name in (("6281300000001", "Ani"), ("6281300000002", "Dewi")):
        await whatsapp_owner(both, wa_id, name)  # they never wrote: their window is closed
    rina = wa.person(RINA, name="Rina")
    await whatsapp_owner(both, RINA, "Rina")
    await rina.say("menu")  # hers is open
    staff = emulator.user(STAFF_ID, "Bu Rina", language_code="id")

    await staff.command("umumkan")
    await staff.press("👥 Semua pemilik terdaftar")
    await staff.press("✍️ Lanjut tulis pesan")
    await staff.send("Pasar murah Sabtu ini")
    replies = await staff.press("Lewati")

    who, cost, spread, question = replies[-1].text.split("\n")
    assert who == "Penerima: semua pemilik terdaftar – 4 orang."
    assert cost.startswith("💬 3 lewat WhatsApp: 1 menerima pesan ini apa adanya")  # Rina
    assert "; 2 sudah lebih dari 24 jam tidak menulis ke bot" in cost
    assert spread.endswith("tersebar selama 2 hari.")  # the tier allows 1 template a day
    assert question == "Kirim sekarang, jadwalkan, atau batal?"


async def test_a_refused_whatsapp_token_stops_sending_keeps_replies_and_tells_staff(
    both: RunningBot, wa: WhatsAppEmulator, staff: FakeUser, clock: FakeClock
) -> None:
    edge = both.application.bot_data[WHATSAPP_KEY]
    assert isinstance(edge, WhatsAppEdge)
    await staff.command("start")  # staff chat with the bot on Telegram
    rina = wa.person(RINA, name="Rina")
    wa.access_token = "revoked-by-meta"  # Meta now answers 190 to every call
    await rina.say("bantuan", expect_reply=False)
    await settled(edge)
    await both.tick()
    alert = both.services.catalog.text("id", "alerts.whatsapp_token_refused")
    assert any(plain(alert)[:40] in m.text for m in staff.messages)
    assert [r.status for r in await edge.replies.all_replies()] == ["pending"]  # kept

    wa.access_token = WA_TOKEN  # the operator rotated the token
    clock.advance(minutes=11)
    await settled(edge)
    assert len(rina.messages) == 1  # the owed reply, once
    assert [r.status for r in await edge.replies.all_replies()] == ["sent"]


async def test_a_new_session_has_a_share_link_for_each_channel_and_both_open_it(
    both: RunningBot, emulator: BotApiEmulator, wa: WhatsAppEmulator, staff: FakeUser
) -> None:
    await _to_summary(staff, "Foto produk pakai HP")
    created = (await staff.press("✅ Simpan"))[-1]
    (session,) = await both.services.sessions.all()
    words = created.text.split()
    assert f"https://t.me/DodolanBot?start=sesi-{session.code}" in words
    assert "Untuk pelaku UKM yang memakai WhatsApp:" in created.text
    link = f"https://wa.me/{wa.display_phone_number}?text=SESI-{session.code}"
    assert link in words

    siti = emulator.user(1001, first_name="Siti", language_code="id")
    await register_owner(both, 1001, "Siti")
    (card,) = await siti.command("start", f"sesi-{session.code}")
    assert "Foto produk pakai HP" in card.text and card.has_button("✅ Pesan kursi")

    await whatsapp_owner(both, RINA, "Rina")
    rina = wa.person(RINA, name="Rina")
    (wa_card,) = await rina.scan(link)  # her phone opens WhatsApp with the text; she sends it
    assert wa_card.text.startswith("*Foto produk pakai HP*\n🗓 Sabtu, 12 Desember 2026")
    assert wa_card.titles[0] == "✅ Pesan kursi"
    (confirmation,) = await rina.tap_on(wa_card, "✅ Pesan kursi")
    assert confirmation.type == "document" and "Kursi Anda sudah aman" in confirmation.text

    guest = wa.person("6281355550001", name="Dewi")  # not signed up: sees it, then signs up
    (gone,) = await guest.say("SESI-zzzz9999")  # a code that is no session
    assert "tidak ditemukan" in gone.text
    (guest_card,) = await guest.scan(link)
    assert "Foto produk pakai HP" in guest_card.text
    (consent,) = await guest.tap_on(guest_card, "✅ Pesan kursi")
    assert consent.text.startswith("Supaya bisa pesan kursi, daftar dulu ya")


async def test_a_restart_logs_how_many_whatsapp_events_it_took_up_again(
    both: RunningBot, wa: WhatsAppEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    edge = both.application.bot_data[WHATSAPP_KEY]
    assert isinstance(edge, WhatsAppEdge)
    rina = wa.person(RINA, name="Rina")
    await whatsapp_owner(both, RINA, "Rina")
    await rina.say("menu")
    # The statuses of the bot's reply (sent, delivered) are events too: let them be handled,
    # or one still being handled at the restart is counted with the claimed message.
    await wa.drain()
    await settled(edge)
    async with both.services.db.transaction() as tx:  # as a crash leaves a claimed event
        await tx.execute("UPDATE whatsapp_inbox SET status = 'processing' WHERE kind = 'message'")
    with caplog.at_level(logging.INFO, logger="bot.app.whatsapp"):
        await both.restart()
    assert "requeued 1 WhatsApp inbox events interrupted by a stop" in caplog.text


def bot_log(caplog: pytest.LogCaptureFixture) -> str:
    """Everything the bot itself logged (not the emulators), tracebacks included."""
    mine = ("bot", "handlers", "storage")
    return "\n".join(
        f"{r.getMessage()} {r.exc_text or ''}"
        for r in caplog.records
        if r.name.split(".")[0] in mine
    )


async def test_the_log_names_no_whatsapp_number_and_no_wamid(
    both: RunningBot, wa: WhatsAppEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    edge = both.application.bot_data[WHATSAPP_KEY]
    assert isinstance(edge, WhatsAppEdge)
    rina = wa.person(RINA, name="Rina")
    await whatsapp_owner(both, RINA, "Rina")
    with caplog.at_level(logging.DEBUG):
        await rina.say("menu")
        staff_id = await both.user_id_of(STAFF_ID)
        await both.services.broadcasts.send(
            staff_id, ANNOUNCEMENT, Audience("all"), Message("Kelas foto produk Sabtu")
        )
        await both.tick()
        rina.read()
        wa.unreachable(RINA)  # her next message fails: a "failed" status comes back
        await rina.say("jadwal", expect_reply=False)
        await wa.drain()
        await settled(edge)
    log = bot_log(caplog)
    assert "sent interactive message m:" in log  # sends are still logged, by a short hash
    assert RINA not in log and RINA[2:] not in log
    assert "wamid" not in log
    assert not any(m.wamid in log or m.wamid[6:20] in log for m in rina.messages)


def failed_status(wa: WhatsAppEmulator, wamid: str, wa_id: str) -> dict[str, Any]:
    """A signed statuses webhook: the message ``wamid`` to ``wa_id`` failed with 131026."""
    error = {"code": 131026, "title": "Message undeliverable"}
    item = {"id": wamid, "status": "failed", "timestamp": wa.payloads.stamp()}
    value = {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": wa.display_phone_number,
            "phone_number_id": wa.phone_number_id,
        },
        "statuses": [{**item, "recipient_id": wa_id, "errors": [error]}],
    }
    return wa.payloads.envelope("messages", value)


async def test_a_failed_status_counts_only_for_a_message_the_bot_sent_to_that_person(
    both: RunningBot, wa: WhatsAppEmulator
) -> None:
    edge = both.application.bot_data[WHATSAPP_KEY]
    assert isinstance(edge, WhatsAppEdge)
    rina = wa.person(RINA, name="Rina")
    user_id = await whatsapp_owner(both, RINA, "Rina")
    await rina.say("menu")
    await settled(edge)
    ours = rina.messages[-1].wamid
    other = "6281355559999"
    for wamid, wa_id in (("wamid.HBgLNjI4MTM1NTU1MDAwMBUCABEYEkZPUkdFRAA=", RINA), (ours, other)):
        await wa.deliver(failed_status(wa, wamid, wa_id))  # never sent, or not to her
        await settled(edge)
        assert not await both.services.users.is_unreachable(user_id), wamid
    await wa.deliver(failed_status(wa, ours, RINA))  # Meta's word on our own message
    await settled(edge)
    assert await both.services.users.is_unreachable(user_id)
