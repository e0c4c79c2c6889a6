"""Tanya Dinas: do owners' real questions reach the right line and the right FAQ entry?

160 questions written the way owners of this programme type them (typos, slang, Javanese
and Malang words, English), none copied from ``content/faq.yaml``, each labelled with the
line that should answer it: ``own`` (their own booking or tips screen), an FAQ entry id, or
``person`` (nothing in the programme's content answers it: a ticket). Every question goes
through the real :class:`~bot.services.questions.QuestionDesk` on a temporary SQLite
database, asked by a fresh owner who holds a booking and a daily-tips subscription.

Prints the share answered at once by the right line and entry, the share where the right
entry was at least among the offered choices, how many person-questions the FAQ answered
wrongly (target: none), and the reply time per question (p50, p95; target p95 ≤ 1 s).
Run: ``.venv/bin/python benchmarks/questions.py`` (about 10 s; ``-v`` lists the misses).
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import machine
from bot.app.container import Services
from bot.app.settings import load_settings
from bot.core.models import Consent
from bot.core.questions import Line
from bot.services.sessions import SessionDraft
from bot.services.signup import CONSENT_PURPOSE, CONSENT_VERSION
from storage.owners import OwnerRepository

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # Tuesday 10.00 WIB
OWN, PERSON = "own", "person"

QUESTIONS: list[tuple[str, str]] = [
    # ---- the owner's own booking and tips (first line)
    ("sesi saya jam berapa ya bu?", OWN),
    ("jadwal saya kapan ya", OWN),
    ("sy dapet sesi yg mana?", OWN),
    ("booking saya sudah masuk belum", OWN),
    ("tempat pelatihan saya dimana ya", OWN),
    ("aku kebagian kelas jam brp", OWN),
    ("urutan antrean saya nomor berapa", OWN),
    ("saya sudah tercatat hadir belum ya", OWN),
    ("sy udah absen blm tadi?", OWN),
    ("when is my session", OWN),
    ("where is my training session", OWN),
    ("what time is my class", OWN),
    ("cek booking saya dong", OWN),
    ("sesi yg saya pesan tanggal berapa", OWN),
    ("kursi saya sudah aman belum", OWN),
    ("tips harian saya jam berapa dikirim", OWN),
    ("langganan tips saya masih aktif ga", OWN),
    ("lokasi sesi saya di gedung apa", OWN),
    ("saya masih di waitlist nomor berapa", OWN),
    ("kelas saya jam berapa mulainya", OWN),
    # ---- cost
    ("ikut pelatihan ini bayar ga bu", "biaya"),
    ("biayanya brp ya?", "biaya"),
    ("Apakah pelatihan ini gratis?", "biaya"),
    ("ada biaya daftar nggak sih", "biaya"),
    ("is there any fee for the training", "biaya"),
    ("free or paid?", "biaya"),
    ("kalo ikut harus bayar berapa", "biaya"),
    ("bayar pendaftaran lewat mana", "biaya"),
    # ---- who may join
    ("saya bukan orang malang boleh ikut?", "siapa-boleh-ikut"),
    ("syaratnya apa aja buat ikut", "siapa-boleh-ikut"),
    ("usaha saya baru mulai, boleh ikut pelatihan?", "siapa-boleh-ikut"),
    ("harus punya nib dulu ga buat ikut", "siapa-boleh-ikut"),
    ("who is allowed to join", "siapa-boleh-ikut"),
    ("belum jualan online bisa ikut kah", "siapa-boleh-ikut"),
    ("persyaratan peserta apa saja", "siapa-boleh-ikut"),
    # ---- how to sign up
    ("daftar program gmn caranya", "cara-daftar"),
    ("cara mendaftar jadi peserta", "cara-daftar"),
    ("how do I register", "cara-daftar"),
    ("mau daftar pelatihan dodolan", "cara-daftar"),
    ("pendaftaran peserta lewat mana ya", "cara-daftar"),
    # ---- schedule
    ("pelatihan selanjutnya kapan", "jadwal"),
    ("jadwal kelas bulan desember", "jadwal"),
    ("ada sesi apa saja minggu depan", "jadwal"),
    ("when is the next training", "jadwal"),
    ("sesi berikutnya tgl berapa", "jadwal"),
    ("jadwal bimtek kapan aja", "jadwal"),
    # ---- what to bring
    ("bawa laptop ga?", "yang-dibawa"),
    ("perlu bawa apa aja pas pelatihan", "yang-dibawa"),
    ("contoh produk dibawa nggak", "yang-dibawa"),
    ("what do I need to bring", "yang-dibawa"),
    ("ktp perlu dibawa?", "yang-dibawa"),
    ("harus bawa hp sendiri?", "yang-dibawa"),
    ("persiapan apa sebelum kelas", "yang-dibawa"),
    # ---- venue and parking
    ("parkir motor ada?", "tempat-parkir"),
    ("tempat pelatihannya di mana", "tempat-parkir"),
    ("alamat lokasi kelasnya dmn", "tempat-parkir"),
    ("is there car parking", "tempat-parkir"),
    ("where is the venue", "tempat-parkir"),
    ("bisa parkir mobil disana", "tempat-parkir"),
    ("share loc tempatnya dong", "tempat-parkir"),
    # ---- cancel or move
    ("gmn cara batalin booking", "batal-pindah"),
    ("saya nggak bisa datang besok", "batal-pindah"),
    ("mau ganti jadwal ke hari lain bisa?", "batal-pindah"),
    ("berhalangan hadir gimana bu", "batal-pindah"),
    ("how can I cancel", "batal-pindah"),
    ("pindah ke sesi lain caranya", "batal-pindah"),
    ("batal ikut kena sanksi ga", "batal-pindah"),
    ("I can't come, can I reschedule", "batal-pindah"),
    # ---- waitlist
    ("kalau penuh gimana dong", "antrean"),
    ("sesinya penuh, bisa antre?", "antrean"),
    ("waitlist itu apa", "antrean"),
    ("how does the waiting list work", "antrean"),
    ("kapan dapet kursi kalau antri", "antrean"),
    ("kursinya habis masih bisa ikut?", "antrean"),
    # ---- certificate
    ("dapet sertifikat gak", "sertifikat"),
    ("sertifikatnya kapan dikirim", "sertifikat"),
    ("ada sertif nya ga bu", "sertifikat"),
    ("do we get a certificate", "sertifikat"),
    ("sertifikat nya bisa buat apa", "sertifikat"),
    ("piagam pelatihan dikirim kemana", "sertifikat"),
    # ---- check-in
    ("cara absen di tempat gmn", "check-in"),
    ("qr code buat apa", "check-in"),
    ("how do I check in at the venue", "check-in"),
    ("kode absennya dimana", "check-in"),
    ("presensi nya gimana", "check-in"),
    # ---- tips
    ("tips jualan itu apa ya", "cara-tips"),
    ("cara dapat tips tiap hari", "cara-tips"),
    ("gimana cara stop tips harian", "cara-tips"),
    ("how do the daily tips work", "cara-tips"),
    ("tipsnya dikirim kapan", "cara-tips"),
    ("mau ganti jam tips", "cara-tips"),
    # ---- data and privacy
    ("data saya buat apa aja", "data-privasi"),
    ("nomor hp saya aman ga", "data-privasi"),
    ("cara hapus data saya", "data-privasi"),
    ("is my data safe", "data-privasi"),
    ("data saya dijual ke pihak lain?", "data-privasi"),
    ("mau lihat data yang disimpan", "data-privasi"),
    # ---- reach a person
    ("bisa bicara sama petugas?", "hubungi-petugas"),
    ("nomor admin dinas berapa", "hubungi-petugas"),
    ("I want to talk to a human", "hubungi-petugas"),
    ("minta kontak cs nya", "hubungi-petugas"),
    ("mau telpon petugas bisa", "hubungi-petugas"),
    # ---- language and profile
    ("ganti ke bahasa inggris", "bahasa"),
    ("can I switch to english", "bahasa"),
    ("bahasa botnya bisa diganti?", "bahasa"),
    ("salah ketik nama usaha, gimana benerinnya", "ubah-profil"),
    ("ganti nomor hp di profil", "ubah-profil"),
    ("how do I edit my profile", "ubah-profil"),
    ("ubah kecamatan di data pendaftaran", "ubah-profil"),
    # ---- marketplace basics (the tips cover them)
    ("cara buka toko di shopee", "buka-toko"),
    ("gmn daftar jadi seller tokped", "buka-toko"),
    ("mulai jualan online dari mana dulu", "buka-toko"),
    ("how to open a tiktok shop", "buka-toko"),
    ("bikin akun olshop pertama kali", "buka-toko"),
    ("cara foto produk biar bagus pake hp", "foto-produk"),
    ("poto jualan saya gelap terus", "foto-produk"),
    ("how to take good product photos", "foto-produk"),
    ("background foto produk yang bagus apa", "foto-produk"),
    ("tips foto makanan buat jualan", "foto-produk"),
    ("cara nentuin harga jual online", "harga-jual"),
    ("harga di shopee mending lebih mahal?", "harga-jual"),
    ("gimana hitung harga biar untung", "harga-jual"),
    ("how should I price my products", "harga-jual"),
    ("potongan admin marketplace dihitung gmn", "harga-jual"),
    ("cara kirim paket pesanan shopee", "kirim-ongkir"),
    ("ongkirnya mahal pembeli kabur", "kirim-ongkir"),
    ("packing kue kering biar ga hancur", "kirim-ongkir"),
    ("how do I ship my orders", "kirim-ongkir"),
    ("kurir yang murah apa", "kirim-ongkir"),
    ("ada yang minta kode otp katanya dari shopee", "keamanan-akun"),
    ("akun seller saya dibajak", "keamanan-akun"),
    ("pembeli minta transfer langsung aman ga", "keamanan-akun"),
    ("how to keep my shop account safe", "keamanan-akun"),
    ("dapat link aneh dari pembeli, diklik ga", "keamanan-akun"),
    ("cara promosi biar laku", "promosi-iklan"),
    ("iklan shopee perlu gak", "promosi-iklan"),
    ("gimana biar tokonya rame pembeli", "promosi-iklan"),
    ("are paid ads worth it", "promosi-iklan"),
    ("promosi di instagram gmn", "promosi-iklan"),
    # ---- for a person: the programme's content does not answer these
    ("NIB saya dari OSS belum terbit sudah 2 minggu kenapa ya", PERSON),
    ("apakah ada bantuan modal usaha dari dinas?", PERSON),
    ("bisa pinjam uang buat usaha lewat program ini", PERSON),
    ("toko shopee saya kena banned, bisa dibantu?", PERSON),
    ("saya mau ajukan sertifikasi halal gratis, bisa lewat dinas?", PERSON),
    ("bu, suami saya juga punya usaha, boleh ikut bareng di sesi saya?", PERSON),
    ("apakah ada pameran produk UMKM bulan depan?", PERSON),
    ("saya butuh surat keterangan usaha dari dinas", PERSON),
    ("produk saya mau masuk ke toko oleh-oleh, ada kenalan?", PERSON),
    ("bisa dibantu urus PIRT?", PERSON),
    ("mesin press plastik ada bantuan alat?", PERSON),
    ("can the dinas help me export my products", PERSON),
    ("Pak, kemarin pelatihnya janji kirim materi, belum saya terima", PERSON),
    ("kenapa nama saya salah di grup wa peserta", PERSON),
    ("saya mau jadi pelatih di program ini, bagaimana", PERSON),
    ("ada lowongan kerja di dinas koperasi?", PERSON),
    ("saya ditipu reseller, bisa lapor kemana", PERSON),
    ("usaha saya kena banjir, ada bantuan?", PERSON),
    ("minta tolong dibuatkan logo usaha", PERSON),
    ("apakah bisa dapat kredit KUR lewat program ini", PERSON),
    ("merek dagang saya mau didaftarkan HAKI gimana prosedurnya", PERSON),
    ("kapan ada pelatihan pengolahan kopi khusus", PERSON),
    ("saya lupa password email toko, sudah coba semua", PERSON),
    ("bisa titip produk di galeri UMKM pemkot?", PERSON),
    ("anak saya disabilitas, ada pendamping di lokasi?", PERSON),
]


async def owner_with_booking(services: Services, user_id: int, session_id: int) -> None:
    """A registered owner holding a seat and a daily-tips subscription."""
    now = services.now()
    await services.users.seen(user_id, "id", "Pemilik")
    values = {
        "full_name": f"Pemilik {user_id}",
        "business_name": "Warung",
        "category": "kuliner",
        "kecamatan": "klojen",
        "phone": "+6281200000000",
        "marketplaces": ["shopee"],
        "nib": None,
    }
    consent = Consent(CONSENT_PURPOSE, CONSENT_VERSION, now)
    await OwnerRepository(services.db).create(user_id, values, consent, now)
    await services.booking.book(user_id, session_id)
    await services.tips.subscribe(user_id, "morning")


def outcome(expected: str, line: Line | None, faq_id: str | None, offered: list[str]) -> str:
    """How the desk did: right, offered (right entry among choices), or wrong."""
    if expected == OWN:
        return "right" if line is Line.OWN else "wrong"
    if expected == PERSON:
        if line is Line.PERSON:
            return "right"
        if line is Line.FAQ:
            return "wrong"  # the one outcome that must never happen
        return "offered"  # choices or their own screen, each with "🙋 Tanya petugas" under it
    if line is Line.FAQ and faq_id == expected:
        return "right"
    return "offered" if line is Line.CHOICES and expected in offered else "wrong"


async def main(verbose: bool) -> None:
    logging.basicConfig(level=logging.ERROR)  # "no staff yet; it waits": nobody is staff here
    with tempfile.TemporaryDirectory() as tmp:
        env = {"TELEGRAM_BOT_TOKEN": "123456:BENCH-questions", "DODOLAN_DATABASE": f"{tmp}/q.db"}
        services = await Services.start(load_settings(env), lambda: NOW)
        try:
            start = NOW + timedelta(days=4)
            draft = SessionDraft(
                title="Foto produk pakai HP",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                capacity=500,
                venue_name="Malang Creative Center",
                venue_address="Jl. A. Yani No. 53",
            )
            session = await services.sessions.create(draft, created_by=9001)
            results: Counter[tuple[str, str]] = Counter()
            seconds: list[float] = []
            misses: list[str] = []
            for n, (text, expected) in enumerate(QUESTIONS):
                owner = 5000 + n
                await owner_with_booking(services, owner, session.id)
                began = time.perf_counter()
                reply = await services.questions.ask(owner, text, "telegram", "id")
                seconds.append(time.perf_counter() - began)
                offered = [
                    c.id.split(":")[-1]
                    for notice in reply.notices
                    for c in notice.choices
                    if c.id.startswith("qa:v1:pick:")
                ]
                how = outcome(expected, reply.line, reply.faq_id, offered)
                kind = expected if expected in (OWN, PERSON) else "faq"
                results[(kind, how)] += 1
                if how != "right":
                    got = reply.faq_id or (reply.line.value if reply.line else "-")
                    misses.append(f"  {how:<8} {expected:<16} got {got:<16} {offered} {text!r}")
        finally:
            await services.close()
    total = len(QUESTIONS)
    right = sum(n for (_, how), n in results.items() if how == "right")
    offered_n = sum(n for (_, how), n in results.items() if how == "offered")
    wrong_person = results[(PERSON, "wrong")]
    print(f"Tanya Dinas benchmark · {machine()}")
    kinds = Counter(OWN if k == OWN else PERSON if k == PERSON else "faq" for _, k in QUESTIONS)
    print(f"{total} questions: {dict(kinds)}")
    for kind in (OWN, "faq", PERSON):
        row = {how: results[(kind, how)] for how in ("right", "offered", "wrong")}
        print(f"  {kind:<7} {row}")
    print(f"right line and entry at once:           {right}/{total} = {right / total:.0%}")
    print(
        f"right at once or among offered choices: {right + offered_n}/{total} = "
        f"{(right + offered_n) / total:.0%}"
    )
    print(f"person-questions answered by the FAQ:   {wrong_person}  (target 0)")
    p95 = statistics.quantiles(seconds, n=20)[-1]
    print(f"reply time: p50 {statistics.median(seconds) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")
    if verbose:
        print("\n".join(misses))


if __name__ == "__main__":
    asyncio.run(main("-v" in sys.argv))
