"""The owners' screens as channel-free Notices: texts, choice ids and titles, no channel."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core import choices as ids
from bot.core.markup import plain
from bot.core.models import Booking, OwnerProfile, TrainingSession
from bot.core.notices import Notice
from bot.i18n import Catalog
from bot.services import owner_screens as screens
from bot.services import session_screens as sessions
from bot.services.booking import BookingView

TZ = ZoneInfo("Asia/Jakarta")
START = datetime(2026, 12, 12, 2, 0, tzinfo=UTC)  # Saturday 09.00 WIB
NOW = START - timedelta(days=2)
NARROW = screens.Room(buttons=3, title=20, row_title=24)  # WhatsApp's reply buttons and lists
LONG_TITLE = "Foto Produk Pakai HP untuk Marketplace dan Media Sosial"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def _session(
    sid: int = 7, title: str = "Foto Produk Pakai HP", **changes: object
) -> TrainingSession:
    session = TrainingSession(
        id=sid,
        code=f"s{sid}",
        title=title,
        starts_at=START + timedelta(days=sid - 7),
        ends_at=START + timedelta(days=sid - 7, hours=2),
        venue_name="Aula Dinas",
        venue_address=None,
        latitude=None,
        longitude=None,
        online_url=None,
        capacity=20,
        trainer_id=None,
        cutoff_at=START - timedelta(hours=1),
        status="open",
        confirmed=1,
    )
    return replace(session, **changes)  # type: ignore[arg-type]


def _view(status: str, **changes: object) -> BookingView:
    booking = Booking(
        id=42,
        session_id=7,
        user_id=1,
        status=status,
        seq=1,
        offer_expires_at=START - timedelta(hours=3) if status == "offered" else None,
        created_at=NOW,
    )
    return BookingView(replace(booking, **changes), _session(), rank=2)  # type: ignore[arg-type]


def _ids(notice: Notice) -> list[str]:
    return [c.id for c in notice.choices]


def _titles(notice: Notice) -> list[str]:
    return [c.title for c in notice.choices]


def test_a_session_card_escapes_the_title_once_and_offers_one_tap_booking(
    catalog: Catalog,
) -> None:
    session = _session(title="Judul & <Deskripsi> Toko")
    notice = sessions.session_screen(catalog, "id", session, TZ, {}, now=NOW)
    assert notice.text.startswith("<b>Judul &amp; &lt;Deskripsi&gt; Toko</b>\n🗓 Sabtu, 12 Des")
    assert "&amp;amp;" not in notice.text and "&amp;lt;" not in notice.text
    assert plain(notice.text).startswith("Judul & <Deskripsi> Toko\n")
    assert _ids(notice) == ["bk:v1:book:7"] and _titles(notice) == ["✅ Pesan kursi"]


def test_a_full_session_offers_the_waitlist_in_a_title_that_fits_the_room(
    catalog: Catalog,
) -> None:
    full = _session(confirmed=20, waitlisted=3)
    wide = sessions.session_screen(catalog, "id", full, TZ, {}, now=NOW)
    assert _ids(wide) == ["bk:v1:wait:7"] and _titles(wide) == ["⏳ Masuk daftar tunggu"]
    assert "Penuh – 3 orang di daftar tunggu" in wide.text
    narrow = sessions.session_screen(catalog, "id", full, TZ, {}, now=NOW, room=NARROW)
    assert _ids(narrow) == ["bk:v1:wait:7"] and _titles(narrow) == ["⏳ Daftar tunggu"]


def test_after_the_cutoff_a_card_from_the_list_only_goes_back(catalog: Catalog) -> None:
    late = START - timedelta(minutes=30)
    notice = sessions.session_screen(catalog, "en", _session(), TZ, {}, now=late, from_list=True)
    assert _ids(notice) == ["bk:v1:list:0"] and _titles(notice) == ["⬅️ All sessions"]


def test_the_schedule_numbers_its_buttons_and_keeps_a_long_title_whole(catalog: Catalog) -> None:
    listed = [_session(7), _session(8, LONG_TITLE), _session(9, "Iklan")]
    notice = sessions.schedule(catalog, "id", listed, TZ)
    assert notice.text.startswith("Ini jadwal sesi yang masih bisa dipesan. Tekan nomornya")
    assert _ids(notice) == ["bk:v1:show:7", "bk:v1:show:8", "bk:v1:show:9"]
    assert _titles(notice)[0] == "1. 12/12 09.00 · Foto Produk Pakai HP"
    assert _titles(notice)[1] == "2. 13/12 09.00 · " + LONG_TITLE[:39] + "…"
    assert notice.choices[1].description == LONG_TITLE
    assert f"<b>2. {LONG_TITLE}</b>" in notice.text


def test_the_schedule_in_a_narrow_room_is_list_rows_with_a_description(catalog: Catalog) -> None:
    listed = [_session(7), _session(9, "Iklan")]
    notice = sessions.schedule(catalog, "id", listed, TZ, NARROW)
    assert notice.text.startswith("Ini jadwal sesi yang masih bisa dipesan. Buka daftarnya")
    assert _titles(notice) == ["Foto Produk Pakai HP", "Iklan"]  # the row title is the title
    assert notice.choices[0].description == "Sab 12/12 09.00 · Aula Dinas"


def test_a_confirmed_booking_can_move_or_cancel(catalog: Catalog) -> None:
    notice = sessions.booking_screen(catalog, "en", _view("confirmed"), TZ, {})
    assert notice.text.startswith("✅ <b>Your booking</b>\n<b>Foto Produk Pakai HP</b>")
    assert _ids(notice) == ["bk:v1:movelist:42", "bk:v1:cancelask:42"]
    assert _titles(notice) == ["🔄 Move to another session", "❌ Cancel booking"]
    narrow = sessions.booking_screen(catalog, "en", _view("confirmed"), TZ, {}, room=NARROW)
    assert _titles(narrow) == ["🔄 Move session", "❌ Cancel booking"]


def test_an_offer_is_taken_or_passed_on_side_by_side(catalog: Catalog) -> None:
    notice = sessions.booking_screen(catalog, "id", _view("offered"), TZ, {})
    assert notice.text.startswith("🎁 <b>Ada kursi untuk Anda!</b>")
    assert _ids(notice) == ["wl:v1:take:42", "wl:v1:skip:42"]
    assert _titles(notice) == ["✅ Ambil kursi", "Tidak jadi"] and notice.rows == (2,)
    assert _ids(Notice("", sessions.offer_choices(catalog, "id", 42))) == _ids(notice)


def test_a_waitlist_place_can_be_left_and_an_attended_or_ended_booking_has_no_choices(
    catalog: Catalog,
) -> None:
    waiting = sessions.booking_screen(catalog, "id", _view("waitlisted"), TZ, {})
    assert waiting.text.startswith("⏳ <b>Daftar tunggu – nomor 2</b>")
    assert _ids(waiting) == ["bk:v1:cancelask:42"]
    attended = _view("confirmed", attended_at=NOW)
    assert sessions.booking_screen(catalog, "id", attended, TZ, {}).choices == ()
    cancelled = sessions.booking_screen(
        catalog, "id", _view("cancelled"), TZ, {}, just_cancelled=True
    )
    assert cancelled.text.startswith("❌ <b>Booking dibatalkan</b>") and cancelled.choices == ()


def test_the_cancel_question_asks_yes_or_no(catalog: Catalog) -> None:
    notice = sessions.cancel_question(catalog, "id", _view("confirmed"), TZ, {1: "Bu <Rina>"})
    assert "❓ Yakin membatalkan <b>Foto Produk Pakai HP</b>" in notice.text
    assert _ids(notice) == ["bk:v1:cancel:42", "bk:v1:keep:42"] and notice.rows == (2,)


def test_the_move_choices_name_booking_and_target(catalog: Catalog) -> None:
    targets = [_session(8, "Foto Produk Lanjutan")]
    wide = sessions.move_choices(catalog, "id", 42, targets, TZ)
    assert wide.text.startswith("Pilih sesi tujuan.")
    assert _ids(wide) == ["bk:v1:move:42:8"]
    assert _titles(wide) == ["13/12 09.00 · Foto Produk Lanjutan"]
    narrow = sessions.move_choices(catalog, "id", 42, targets, TZ, NARROW)
    assert _ids(narrow) == ["bk:v1:move:42:8"] and _titles(narrow) == ["Foto Produk Lanjutan"]


def test_field_values_and_profile_lines_escape_user_text_once(catalog: Catalog) -> None:
    assert screens.field_value(catalog, "id", "nib", None) == "—"
    assert screens.field_value(catalog, "id", "category", "kuliner") == "Kuliner/makanan-minuman"
    assert screens.field_value(catalog, "en", "marketplaces", ["shopee", "tokopedia"]) == (
        "Shopee, Tokopedia"
    )
    lines = screens.profile_lines(catalog, "id", {"business_name": "Tempe & <Bu Siti>"})
    assert "Tempe &amp; &lt;Bu Siti&gt;" in lines and "&amp;amp;" not in lines
    assert lines.startswith("<b>Nama:</b> —\n")
    answer = screens.answer_line(catalog, "id", "category", "kuliner")
    assert answer.endswith(screens.ANSWERED_MARK) and "<b>Kuliner/makanan-minuman</b>" in answer


def test_a_choice_question_lists_its_options_two_to_a_row(catalog: Catalog) -> None:
    notice = screens.field_question(catalog, "id", "category")
    assert notice.text.startswith(catalog.text("id", "ask.category"))
    assert notice.choices[0].id == "ans:v1:category:kuliner"
    assert notice.choices[0].title == "Kuliner/makanan-minuman"
    assert notice.rows == screens.pairs(len(notice.choices))
    numbered = screens.with_step_number(catalog, "id", "category", notice)
    assert numbered.text.startswith("<i>Langkah 3 dari 7</i>\n" + notice.text[:10])
    assert numbered.choices == notice.choices


def test_the_marketplace_question_marks_what_is_chosen(catalog: Catalog) -> None:
    notice = screens.field_question(catalog, "id", "marketplaces", ["shopee"])
    assert _titles(notice)[0] == "✅ Shopee" and _ids(notice)[-1] == "ans:v1:marketplaces:done"
    assert notice.rows == (2, 2, 2, 1, 1, 1)


def test_the_summary_has_an_edit_choice_per_field_or_one_change_in_a_narrow_room(
    catalog: Catalog,
) -> None:
    data = {"full_name": "Siti <Aminah>", "category": "kuliner"}
    wide = screens.signup_summary(catalog, "id", data)
    assert "<b>Nama:</b> Siti &lt;Aminah&gt;" in wide.text
    assert _ids(wide)[0] == "su:v1:edit:full_name" and _ids(wide)[-1] == "su:v1:confirm"
    assert wide.rows == (2, 2, 2, 1, 1)
    narrow = screens.signup_summary(catalog, "id", data, NARROW)
    assert _ids(narrow) == ["su:v1:confirm", "su:v1:edits"]
    assert _titles(narrow) == ["✅ Konfirmasi", "✏️ Ubah"]
    assert _ids(screens.edit_list(catalog, "id", ids.SIGNUP)) == _ids(wide)[:-1]


def test_the_profile_offers_edits_and_the_language(catalog: Catalog) -> None:
    owner = OwnerProfile(
        user_id=1,
        full_name="Siti",
        business_name="Tempe & Keripik",
        category="kuliner",
        kecamatan="klojen",
        phone="+6281234567890",
        marketplaces=("shopee",),
        nib=None,
        registered_at=NOW,
        updated_at=NOW,
    )
    wide = screens.profile_screen(catalog, "en", owner, TZ)
    assert "Tempe &amp; Keripik" in wide.text
    assert _ids(wide)[0] == "pf:v1:edit:full_name" and _ids(wide)[-1] == "lang:v1:ask"
    narrow = screens.profile_screen(catalog, "en", owner, TZ, NARROW)
    assert _ids(narrow) == ["pf:v1:edits", "lang:v1:ask"]


def test_consent_and_language_choices_sit_side_by_side(catalog: Catalog) -> None:
    consent = screens.consent(catalog, "id")
    assert consent.text == catalog.text("id", "signup.consent")
    assert _ids(consent) == ["su:v1:consent:yes", "su:v1:consent:no"] and consent.rows == (2,)
    noted = screens.consent(catalog, "id", note="<i>Catatan</i>")
    assert "\n\n<i>Catatan</i>\n\n" in noted.text
    assert noted.text.endswith(consent.text.rpartition("\n\n")[2])
    picker = screens.language_picker(catalog, "en")
    assert _ids(picker) == ["lang:v1:id", "lang:v1:en"] and picker.rows == (2,)


def test_every_choice_id_fits_and_parses(catalog: Catalog) -> None:
    built = [
        sessions.schedule(catalog, "id", [_session(7), _session(8, LONG_TITLE)], TZ, NARROW),
        sessions.booking_screen(catalog, "id", _view("confirmed"), TZ, {}),
        screens.signup_summary(catalog, "en", {}),
    ]
    for notice in built:
        for choice in notice.choices:
            assert len(choice.id.encode()) <= ids.MAX_BYTES
            kind = choice.id.split(":")[0]
            assert ids.parse(choice.id, kind, choice.id.count(":") - 1) is not None
