"""The outcome for staff and trainers, for a small seeded cohort checked by hand:

Session A "Foto produk pakai HP" (Pak Joko): Siti (Telegram, Klojen, kuliner, 6 tasks,
    4 done, certificate; 1 month: sells, 1-5 orders; 3 months: sells, 6-20 orders)
    and Budi (Telegram, Lowokwaru, fashion, 6 tasks: not the food-app one but the
    first-order one, which the six-task cap left out for the others; 1 done; 1 month:
    not yet, 0).
Session B "Jualan di TikTok" (Bu Rina): Rina (WhatsApp, Klojen, kuliner, 6 tasks, none
    done; 1 month: sells, 0 orders). Dewi booked B but did not come: not trained.

All: 3 trained, tasks 5/18, 1 certificate; 1 month: 3 answered, 2 sell (67%), 1 with an
order (33%); 3 months: 1 answered, 100%/100%; 6 months: nobody (–).
"""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image

from bot.core.notices import ChannelName
from simulator import BotApiEmulator
from storage.outcomes import OutcomeRepository
from storage.practice import PracticeRepository
from tests.e2e.support import create_session, register_owner
from tests.e2e.test_trainer import make_trainer
from tests.harness import STAFF_ID, RunningBot

A, B = "Foto produk pakai HP", "Jualan di TikTok"
REQUIRED = ("foto-tiga-produk", "buka-toko", "lima-produk", "bagikan-tautan")


async def seed(bot: RunningBot, emulator: BotApiEmulator) -> None:
    """The cohort of the module docstring."""
    joko = await make_trainer(bot, emulator, 7001, "Pak Joko")
    rina_trainer = await make_trainer(bot, emulator, 7002, "Bu Rina")
    joko_id = await bot.user_id_of(joko.id)
    rina_trainer_id = await bot.user_id_of(rina_trainer.id)
    a = await create_session(bot, A)
    b = await create_session(bot, B, starts_at=a.starts_at + timedelta(days=1))
    await bot.services.sessions.change(a.id, {"trainer_id": joko_id})
    await bot.services.sessions.change(b.id, {"trainer_id": rina_trainer_id})
    siti = await register_owner(bot, 1001, "Siti")
    budi = await register_owner(bot, 1002, "Budi", kecamatan="lowokwaru", category="fashion")
    dewi = await register_owner(bot, 1003, "Dewi")
    rina = await sign_up_on_whatsapp(bot, "6281355550000", "Rina")
    booked = {}
    for user, session in ((siti, a), (budi, a), (rina, b), (dewi, b)):
        booked[user] = (await bot.services.booking.book(user, session.id)).booking.id
    await bot.services.attendance.mark(joko_id, booked[siti], attended=True)
    await bot.services.attendance.mark(joko_id, booked[budi], attended=True)
    await bot.services.attendance.mark(rina_trainer_id, booked[rina], attended=True)

    practice = PracticeRepository(bot.services.db)
    now = bot.services.now()
    async with bot.services.db.transaction() as tx:
        for task in await practice.of_user(siti):
            if task.task_id in REQUIRED:
                await practice.finish(tx, task.id, now)
        for task in await practice.of_user(budi):
            if task.task_id == "foto-tiga-produk":
                await practice.finish(tx, task.id, now)
    assert await bot.services.certificates.completed(booked[siti]) is not None

    outcomes = OutcomeRepository(bot.services.db)
    answers = {
        (siti, 1): (True, ("shopee",), "1-5"),
        (siti, 3): (True, ("shopee",), "6-20"),
        (budi, 1): (False, (), "0"),
        (rina, 1): (True, ("food",), "0"),
    }
    async with bot.services.db.transaction() as tx:
        for user in (siti, budi, rina):
            for checkin in await outcomes.of_user(user):
                if (user, checkin.month) in answers:
                    sells, markets, orders = answers[(user, checkin.month)]
                    await outcomes.save(tx, checkin.id, sells, markets, orders, now)


async def sign_up_on_whatsapp(bot: RunningBot, wa_id: str, name: str) -> int:
    """Sign up the WhatsApp owner ``wa_id`` through the sign-up service (no chat), as
    ``register_owner`` does on Telegram; return their internal id."""
    services = bot.services
    user_id = (await services.users.arrived(ChannelName.WHATSAPP, wa_id, "id")).id
    await services.signup.begin(user_id)
    await services.signup.consent(user_id, agreed=True)
    await services.signup.answer_text(user_id, name)
    await services.signup.answer_text(user_id, f"Usaha {name}")
    await services.signup.answer_choice(user_id, "category", "kuliner")
    await services.signup.answer_choice(user_id, "kecamatan", "klojen")
    await services.signup.answer_text(user_id, f"0{wa_id[2:]}")
    await services.signup.toggle(user_id, "shopee")
    await services.signup.finish_multi(user_id)
    await services.signup.skip_nib(user_id)
    await services.signup.confirm(user_id)
    return user_id


async def test_staff_see_the_outcome_by_hand_and_a_trainer_only_their_session(
    both: RunningBot, emulator: BotApiEmulator
) -> None:
    await seed(both, emulator)
    staff = emulator.user(STAFF_ID, "Staf Dinas", language_code="id")
    replies = await staff.command("statistik")
    text = "\n".join(m.text for m in replies if m.text)
    assert (
        "• Semua: 3 dilatih · tugas 5/18 · 1 sertifikat · jualan online 67%/100%/– "
        "· ≥1 pesanan 33%/100%/–" in text
    )
    assert f"• {A}: 2 dilatih · tugas 5/12 · 1 sertifikat · jualan online 50%/100%/–" in text
    assert f"• {B}: 1 dilatih · tugas 0/6 · 0 sertifikat · jualan online 100%/–/– " in text
    assert "• Klojen: 2 dilatih · tugas 4/12 · 1 sertifikat · jualan online 100%/100%/–" in text
    assert "• Lowokwaru: 1 dilatih · tugas 1/6 · 0 sertifikat · jualan online 0%/–/–" in text
    assert "• WhatsApp: 1 dilatih" in text and "• Telegram: 2 dilatih" in text
    assert "Dewi" not in text
    (chart,) = [m for m in replies if m.photo is not None]
    image = Image.open(io.BytesIO(chart.photo))  # type: ignore[arg-type]
    assert image.format == "PNG" and image.size == (1080, 720)

    joko = emulator.user(7001, "Pak Joko")
    mine = "\n".join(m.text for m in await joko.command("hasil") if m.text)
    assert "• Semua: 2 dilatih · tugas 5/12" in mine and B not in mine
    siti = emulator.user(1001, "Siti")
    refused = await siti.command("hasil")
    assert "khusus untuk petugas" in refused[-1].text


async def test_the_export_has_the_outcome_per_owner(
    both: RunningBot, emulator: BotApiEmulator
) -> None:
    await seed(both, emulator)
    export = await both.services.export_service().build()
    sheet = export.sheet("hasil")
    by_name = {row[1]: row for row in sheet.rows}
    assert sorted(by_name) == ["Budi", "Rina", "Siti"]
    siti = dict(zip(sheet.headers, by_name["Siti"], strict=True))
    assert (siti["Sesi"], siti["Tugas selesai"], siti["Tugas diberikan"]) == (A, 4, 6)
    assert siti["Sertifikat"] == "✅ Ya" and siti["Pesanan online 3 bln"] == "6-20"
    rina = dict(zip(sheet.headers, by_name["Rina"], strict=True))
    assert rina["Saluran"] == "whatsapp" and rina["Jualan online 1 bln"] == "✅ Ya"
    assert rina["Pesanan online 1 bln"] == "0" and rina["Jualan online 3 bln"] == ""
