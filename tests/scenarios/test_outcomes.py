"""The outcome check-ins 1, 3 and 6 months after a session, moved by the fake clock, on
Telegram and on WhatsApp (whose window has long closed: a utility template first)."""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest

from bot.core.notices import ChannelName
from simulator import BotApiEmulator
from tests.harness import RunningBot
from tests.scenarios.drivers import Driver, WhatsAppDriver
from tests.scenarios.test_practice_tasks import TITLE, attended_session
from tests.scenarios.test_unexpected_input import PNG


@pytest.fixture(params=[ChannelName.TELEGRAM, ChannelName.WHATSAPP], ids=str)
def channel(request: pytest.FixtureRequest) -> ChannelName:
    """Telegram and WhatsApp only: these journeys start with notices the outbox sends on the
    bot's own initiative, and the text channel's people are not known to the assembled
    delivery (a limit ``tests/scenarios/text_channel.py`` names)."""
    return ChannelName(request.param)


async def checkin_arrives(siti: Driver, both: RunningBot, at: timedelta, start: object) -> str:
    """Move the clock, send what is due, and open the check-in (a template on WhatsApp)."""
    both.clock.moment = start + at  # type: ignore[operator]
    before = len(siti.person.messages) if isinstance(siti, WhatsAppDriver) else 0
    await both.tick()
    if isinstance(siti, WhatsAppDriver):
        new = siti.person.messages[before:]
        if any(m.template == "dodolan_checkin" and TITLE in m.text for m in new):
            await siti.person.tap_template("Jawab pertanyaan")
        else:  # it fell due with tasks the clock jumped past: their template stands for all
            (waiting,) = [m for m in new if m.template and m.buttons]
            await siti.person.tap_template(waiting.buttons[0].title)
    return siti.read().text


async def at_the_obstacle_question(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator
) -> None:
    """Siti attended, stopped her practice tasks (so only the check-in speaks), and a month
    later answers "not yet": the question of what stops her is open."""
    await attended_session(siti, both, emulator)
    end = both.clock.moment
    await siti.say("/berhentitugas" if siti.channel is ChannelName.TELEGRAM else "berhenti tugas")
    seen = await checkin_arrives(siti, both, timedelta(days=30, hours=1), end)
    assert "Sudah sebulan sejak sesi" in seen
    await siti.tap("❌ Belum")
    assert "menghambat" in siti.read()


async def test_check_ins_at_one_three_and_six_months_keep_the_answers(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator
) -> None:
    joko_telegram = await attended_session(siti, both, emulator)
    end = both.clock.moment
    # Tasks stopped: the check-ins are not tasks and still come.
    await siti.say("/berhentitugas" if siti.channel is ChannelName.TELEGRAM else "berhenti tugas")
    siti.read()
    both.clock.moment = end + timedelta(days=29)
    await both.tick()
    assert "sejak sesi" not in siti.read()

    seen = await checkin_arrives(siti, both, timedelta(days=30, hours=1), end)
    assert "Sudah sebulan sejak sesi" in seen and TITLE in seen
    await siti.tap("✅ Ya")
    await siti.tap("Shopee")
    assert "Sudah dipilih: Shopee" in siti.read()
    await siti.tap("TikTok Shop")
    await siti.tap("✔️ Selesai")
    assert "pesanan online" in siti.read()
    await siti.tap("1–5")
    assert "menghambat" in siti.read()
    await siti.say("Ongkir ke luar kota mahal")
    told = siti.read().text
    assert "sudah kami catat" in told
    # A person reads it: a ticket about the session, to its trainer and staff, with a promise.
    assert "Pak Joko (pelatih sesi Anda) dan petugas Dinas" in told and "paling lambat" in told
    await both.tick()
    joko = emulator.user(joko_telegram, "Pak Joko")
    ticket = joko.last
    assert "Ongkir ke luar kota mahal" in ticket.text and "1 bulan" in ticket.text
    await joko.reply_to(ticket.message_id, "Coba kurir lokal, Bu. Kita bahas di sesi nanti.")
    await both.tick()
    assert "Coba kurir lokal" in siti.read().text  # the answer, on her own channel

    seen = await checkin_arrives(siti, both, timedelta(days=91, hours=1), end)
    assert "Sudah tiga bulan" in seen
    await siti.tap("❌ Belum")
    assert "menghambat" in siti.read()
    await siti.tap("Lewati")
    assert "Terima kasih" in siti.read()

    seen = await checkin_arrives(siti, both, timedelta(days=182, hours=1), end)
    assert "Sudah enam bulan" in seen
    await siti.tap("✅ Ya")
    await siti.tap("GoFood/GrabFood/ShopeeFood")
    await siti.tap("✔️ Selesai")
    await siti.tap("Lebih dari 20")
    await siti.tap("Lewati")
    assert "Terima kasih" in siti.read()
    if isinstance(siti, WhatsAppDriver):  # (Telegram took the tapped buttons away)
        await siti.tap("✅ Ya")  # an old button: changes nothing
    rows = await both.services.db.fetch_all(
        "SELECT month, sells_online, marketplaces, orders, obstacle FROM outcome_checkins "
        "WHERE user_id = ? ORDER BY month",
        (await siti.user_id(),),
    )
    assert [tuple(r) for r in rows] == [
        (1, 1, '["shopee", "tiktok"]', "1-5", "Ongkir ke luar kota mahal"),
        (3, 0, "[]", "0", None),
        (6, 1, '["food"]', "20+", None),
    ]
    user = await both.services.users.get(await siti.user_id())
    assert user is not None
    mine = (await both.services.profile.export(user))["outcome_checkins"]
    assert [c["online_orders_last_month"] for c in mine] == ["1-5", "0", "20+"]
    assert await both.services.profile.erase(user.id)
    left = await both.services.db.fetch_one("SELECT COUNT(*) FROM outcome_checkins")
    assert left is not None and left[0] == 0


class _Crash(RuntimeError):
    """The process dying between the check-in's answer and its ticket."""


async def test_an_obstacle_and_its_ticket_are_kept_together_or_not_at_all(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure while the ticket is written keeps neither the obstacle nor a ticket, and
    never tells her a person will answer; she sends it again and both are kept."""
    from storage.questions import QuestionRepository

    joko_telegram = await attended_session(siti, both, emulator)
    end = both.clock.moment
    await checkin_arrives(siti, both, timedelta(days=30, hours=1), end)
    await siti.tap("❌ Belum")
    assert "menghambat" in siti.read()
    user_id = await siti.user_id()

    async def crash(*_: object, **__: object) -> None:
        raise _Crash("killed between the check-in's answer and the ticket")

    monkeypatch.setattr(QuestionRepository, "hand_over", crash)
    with contextlib.suppress(_Crash):
        await siti.say("Ongkir ke luar kota mahal")
    assert "paling lambat" not in siti.read().text
    kept = await both.services.db.fetch_all(
        "SELECT obstacle FROM outcome_checkins WHERE user_id = ? AND obstacle IS NOT NULL",
        (user_id,),
    )
    questions = await both.services.db.fetch_all(
        "SELECT id FROM questions WHERE user_id = ?", (user_id,)
    )
    assert (len(kept), len(questions)) == (0, 0)  # neither was kept

    monkeypatch.undo()  # restarted: she sends it again, still answering the check-in
    both.clock.moment += timedelta(minutes=1)  # a person's pace, not a burst
    await siti.say("Ongkir ke luar kota mahal")
    assert "paling lambat" in siti.read().text
    tickets = await both.services.db.fetch_all(
        "SELECT status FROM questions WHERE user_id = ?", (user_id,)
    )
    assert [r["status"] for r in tickets] == ["open"]
    await both.tick()
    assert "Ongkir ke luar kota mahal" in emulator.user(joko_telegram, "Pak Joko").last.text


async def test_a_photo_at_the_obstacle_question_is_refused_and_the_question_asked_again(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator
) -> None:
    await at_the_obstacle_question(siti, both, emulator)

    await siti.send_file("ongkir.png", PNG, "image/png")
    again = siti.read()
    # Telegram said only "write what stops you", without the skip button; both now say why
    # and ask the question again with its button, as sign-up's questions are.
    assert again.text.startswith("Maaf, saya perlu jawaban berupa tulisan"), again.text
    assert "menghambat" in again.text and "Lewati" in again.choices
    await siti.say("Belum punya modal untuk stok")
    assert "sudah kami catat" in siti.read()
    row = await both.services.db.fetch_one(
        "SELECT obstacle FROM outcome_checkins WHERE user_id = ?", (await siti.user_id(),)
    )
    assert row is not None and row["obstacle"] == "Belum punya modal untuk stok"


# Declared: a shared contact card is Telegram's (the WhatsApp driver's "share contact" is
# the "use this number" button of sign-up), so this runs on Telegram.
@pytest.mark.parametrize("channel", [ChannelName.TELEGRAM], ids=str)
async def test_a_contact_shared_at_the_obstacle_question_is_refused_by_it(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator
) -> None:
    await at_the_obstacle_question(siti, both, emulator)

    await siti.share_contact()  # it fell to the "I don't understand" pointer and the help
    again = siti.read()
    assert again.text.startswith("Maaf, saya perlu jawaban berupa tulisan"), again.text
    assert "menghambat" in again.text and "Lewati" in again.choices
    dialog = await both.services.dialogs.current(await siti.user_id())
    assert dialog is not None and dialog.flow == "outcome"


async def test_an_obstacle_of_only_emoji_or_too_long_is_refused_and_asked_again(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator
) -> None:
    # Both channels answered these with "Maaf, ada gangguan": the refusal was not caught.
    await at_the_obstacle_question(siti, both, emulator)

    await siti.say("😭😭😭")
    again = siti.read()
    assert again.text.startswith("Mohon tulis dengan huruf atau angka"), again.text
    assert "gangguan" not in again.text and "Lewati" in again.choices
    await siti.say("ongkir mahal " * 50)  # 600 characters
    again = siti.read()
    assert again.text.startswith("Terlalu panjang, maksimal 500 huruf"), again.text
    assert "Lewati" in again.choices
    await siti.say("Ongkir mahal")
    assert "sudah kami catat" in siti.read()
    row = await both.services.db.fetch_one(
        "SELECT obstacle FROM outcome_checkins WHERE user_id = ?", (await siti.user_id(),)
    )
    assert row is not None and row["obstacle"] == "Ongkir mahal"
