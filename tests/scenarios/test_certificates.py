"""The certificate after the practice tasks, on Telegram and on WhatsApp: the PDF read back
with a reader that did not write it, its QR decoded, and "cek <kode>" valid, revoked, unknown."""

from __future__ import annotations

import io
from datetime import timedelta

import pypdf
import pytest
import zxingcpp

from bot.core.notices import ChannelName
from simulator import BotApiEmulator
from storage.practice import PracticeRepository
from tests.harness import STAFF_ID, RunningBot
from tests.scenarios.drivers import Driver
from tests.scenarios.test_practice_tasks import TITLE, arrives, attended_session

EARLIER = ("foto-tiga-produk", "buka-toko", "lima-produk")


@pytest.fixture(params=[ChannelName.TELEGRAM, ChannelName.WHATSAPP], ids=str)
def channel(request: pytest.FixtureRequest) -> ChannelName:
    """Telegram and WhatsApp only: these journeys start with notices the outbox sends on the
    bot's own initiative, and the text channel's people are not known to the assembled
    delivery (a limit ``tests/scenarios/text_channel.py`` names)."""
    return ChannelName(request.param)


def cek(siti: Driver, code: str) -> str:
    """The words to check a code on the person's channel."""
    return f"/cek {code}" if siti.channel is ChannelName.TELEGRAM else f"cek {code}"


async def certified(siti: Driver, both: RunningBot, emulator: BotApiEmulator) -> tuple[str, bytes]:
    """Siti attends, has done three required tasks, answers the last one: her certificate."""
    await attended_session(siti, both, emulator)
    end = both.clock.moment
    user_id = await siti.user_id()
    repo = PracticeRepository(both.services.db)
    async with both.services.db.transaction() as tx:
        for task in await repo.of_user(user_id):
            if task.task_id in EARLIER:
                await repo.finish(tx, task.id, end)
    seen = await arrives(siti, both, timedelta(days=8, hours=1), end)
    assert "sepuluh pelanggan" in seen
    await siti.tap("✅ Sudah")
    assert "4 dari 4" in siti.read()
    await both.tick()
    came = siti.read()
    assert "Selamat! Anda menyelesaikan tugas latihan" in came
    ((name, pdf),) = came.files
    return name, pdf


async def test_the_certificate_pdf_names_the_owner_and_its_qr_is_the_code(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator
) -> None:
    name, pdf = await certified(siti, both, emulator)
    (row,) = await both.services.db.fetch_all("SELECT code FROM certificates")
    code = row["code"]
    assert name == f"sertifikat-{code}.pdf"

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    (page,) = reader.pages
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
    text = page.extract_text()
    for expected in ("SERTIFIKAT", "Siti Aminah", "Warung Siti", TITLE, "Pak Joko", code):
        assert expected in text, expected
    assert "Sabtu, 12 Desember 2026" in text
    assert "Ngerewangi Umak Dodolan" in text
    decoded = [b.text for image in page.images for b in zxingcpp.read_barcodes(image.image)]
    assert decoded == [code]
    fonts = {f["/BaseFont"] for f in (page["/Resources"]["/Font"] or {}).values()}  # type: ignore[union-attr]
    assert any("DejaVuSans" in str(f) for f in fonts)


async def test_cek_says_valid_then_revoked_by_staff_and_unknown(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator
) -> None:
    await certified(siti, both, emulator)
    (row,) = await both.services.db.fetch_all("SELECT code FROM certificates")
    code = row["code"]

    await siti.say(f"cek {code.lower().replace('-', ' ')}")  # typed, as on a phone: both
    valid = siti.read().text
    assert f"Sertifikat {code} sah" in valid and "Siti Aminah" in valid and TITLE in valid
    assert "Pelatih: Pak Joko" in valid and "12 Desember 2026" in valid

    staff = emulator.user(STAFF_ID, "Staf Dinas", language_code="id")
    await staff.command("sertifikat")
    assert code in staff.last.text
    await staff.send(f"/sertifikat {code}")
    await staff.press("⛔ Cabut")
    assert "sudah dicabut" in staff.last.text

    await siti.say(cek(siti, code))
    assert f"Sertifikat {code} (sesi {TITLE}) sudah dicabut oleh panitia" in siti.read()
    await siti.say(cek(siti, "DDL-AAAA-BBBB"))
    assert "Kode DDL-AAAA-BBBB tidak dikenal" in siti.read()
    await siti.say("cek ongkir ke Batu berapa?")  # no code's shape: a question, not a check
    assert "tidak dikenal" not in siti.read()


async def test_erasure_revokes_the_certificate_and_keeps_no_name(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator
) -> None:
    await certified(siti, both, emulator)
    (row,) = await both.services.db.fetch_all("SELECT code FROM certificates")
    code = row["code"]
    user = await both.services.users.get(await siti.user_id())
    assert user is not None
    mine = (await both.services.profile.export(user))["certificates"]
    assert [(c["code"], c["valid"]) for c in mine] == [(code, True)]
    assert await both.services.profile.erase(await siti.user_id())
    found = await both.services.certificates.verify(code)
    assert found.certificate is not None and found.certificate.revoked_reason == "erased"
    assert found.certificate.owner_name is None and found.certificate.user_id is None
    joko = emulator.user(7001, "Pak Joko")
    await joko.send(f"/cek {code}")
    assert "karena pemiliknya menghapus datanya" in joko.last.text


async def test_staff_reissue_a_certificate_and_the_old_code_says_replaced(
    siti: Driver, both: RunningBot, emulator: BotApiEmulator
) -> None:
    await certified(siti, both, emulator)
    (row,) = await both.services.db.fetch_all("SELECT code FROM certificates")
    old = row["code"]
    owner = emulator.user(1001 if siti.channel is ChannelName.TELEGRAM else 1002, "Siti")
    await owner.send(f"/sertifikat {old}")
    assert "khusus untuk petugas" in owner.last.text  # not for owners
    staff = emulator.user(STAFF_ID, "Staf Dinas", language_code="id")
    await staff.send(f"/sertifikat {old}")
    await staff.press("🔁 Terbitkan ulang")
    assert "Sertifikat baru" in staff.last.text
    await both.tick()
    came = siti.read()
    (new,) = [
        r["code"]
        for r in await both.services.db.fetch_all(
            "SELECT code FROM certificates WHERE revoked_at IS NULL"
        )
    ]
    assert new != old and came.files and came.files[0][0] == f"sertifikat-{new}.pdf"
    await siti.say(cek(siti, old))
    assert "sudah diganti dengan sertifikat baru" in siti.read()


def test_a_long_name_is_set_smaller_to_stay_inside_the_frame() -> None:
    from bot.services.certificate_pdf import CertificateText, render

    name = "Raden Roro Siti Aminah Nur'aini Kusumawardhani Prawirodirdjo Sastroamidjojo"
    lines = CertificateText(
        *(["x"] * 3), name, "Usaha", "x", "Sesi", "Sabtu", "Pelatih", "P", "O", "K", "C", "DDL"
    )
    page = pypdf.PdfReader(io.BytesIO(render(lines))).pages[0]
    found: list[tuple[float, float]] = []

    def visit(text: str, cm: object, tm: list[float], fonts: object, size: float) -> None:
        if name in text:
            found.append((tm[4], size))

    page.extract_text(visitor_text=visit)
    assert found and found[0][1] < 30  # shrunk from 30 pt
