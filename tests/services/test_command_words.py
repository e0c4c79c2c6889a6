"""The command words per channel: one copy of each text, each channel's form."""

from __future__ import annotations

from bot.core.notices import ChannelName
from bot.services.command_words import as_typed, command, named_commands

TG, WA = ChannelName.TELEGRAM, ChannelName.WHATSAPP


def test_telegram_keeps_its_commands_and_whatsapp_reads_the_words_to_type() -> None:
    text = "Tugas latihan dihentikan. Ketik /lanjuttugas kalau ingin menerimanya lagi."
    assert as_typed(text, TG, "id") == text
    assert as_typed(text, WA, "id") == (
        "Tugas latihan dihentikan. Ketik <b>lanjut tugas</b> kalau ingin menerimanya lagi."
    )
    assert as_typed("/verify CODE (e.g. /verify DDL-7K3M-Q9PX)", WA, "en") == (
        "<b>cek</b> CODE (e.g. <b>cek</b> DDL-7K3M-Q9PX)"
    )
    assert [command("resumetasks", c, "en") for c in (TG, WA)] == ["/resumetasks", "resume tasks"]


def test_only_commands_change_not_addresses_fractions_pairs_tags_or_quoted_examples() -> None:
    text = (
        '<b>Contoh</b> "/ongkir" · https://wa.me/62812/jadwal · 1/3/6 bulan · pagi/siang '
        "· <code>x</code>"
    )
    assert as_typed(text, WA, "id") == text
    assert named_commands(text) == []
    assert named_commands("Lihat /jadwal (/mulai untuk menyalakan)") == ["/jadwal", "/mulai"]
