"""Choosing tips for a profile, slots, quiet hours and the preparation schedule (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.services.tips import (
    GENERAL,
    Reader,
    choose,
    clamp_quiet,
    fits,
    in_quiet_hours,
    next_slot,
    prep_schedule,
)
from bot.services.tips_content import DEFAULT_TIPS_FILE, PREP, Tip, load_tips

WIB = ZoneInfo("Asia/Jakarta")
TIPS = load_tips(DEFAULT_TIPS_FILE.read_text("utf-8"))
KULINER_SHOPEE = Reader("kuliner", frozenset({"shopee"}), "selling")


def wib(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=WIB)


def test_general_reader_gets_only_general_beginner_tips() -> None:
    general = [t for t in TIPS if fits(t, GENERAL)]
    assert len(general) >= 15
    assert all(not t.categories and not t.marketplaces for t in general)
    assert all(t.level in ("all", "beginner") for t in general)


def test_profile_tips_come_first_and_never_a_foreign_one() -> None:
    seen: dict[str, datetime] = {}
    first = choose(TIPS, KULINER_SHOPEE, seen, 1001)
    assert first is not None and (first.categories or first.marketplaces)
    for _ in range(80):
        tip = choose(TIPS, KULINER_SHOPEE, seen, 1001)
        assert tip is not None and fits(tip, KULINER_SHOPEE)
        assert "fashion" not in tip.categories and "food" not in tip.marketplaces
        seen[tip.id] = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=len(seen))


def test_no_repeat_until_every_fitting_tip_was_seen_then_the_oldest_returns() -> None:
    pool = [t for t in TIPS if fits(t, KULINER_SHOPEE) and t.topic != PREP]
    seen: dict[str, datetime] = {}
    order: list[Tip] = []
    for minute in range(len(pool)):
        tip = choose(TIPS, KULINER_SHOPEE, seen, 7)
        assert tip is not None and tip.id not in seen
        seen[tip.id] = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minute)
        order.append(tip)
    assert choose(TIPS, KULINER_SHOPEE, seen, 7) == order[0]


def test_topic_choice_falls_back_to_general_tips_of_that_topic() -> None:
    tip = choose(TIPS, GENERAL, {}, 1, topic="ads")  # every ads tip is for sellers
    assert tip is not None and tip.topic == "ads"
    assert choose(TIPS, GENERAL, {}, 1, topic="legal") is not None


def test_slots_are_the_next_one_after_now_in_wib() -> None:
    assert next_slot("morning", wib(1, 9), WIB) == wib(2, 7)
    assert next_slot("midday", wib(1, 9), WIB) == wib(1, 12)
    assert next_slot("evening", wib(1, 19), WIB) == wib(2, 19)


def test_quiet_hours_run_from_21_to_06() -> None:
    assert in_quiet_hours(wib(1, 21), WIB) and in_quiet_hours(wib(2, 5, 59), WIB)
    assert not in_quiet_hours(wib(2, 6), WIB) and not in_quiet_hours(wib(1, 20, 59), WIB)
    assert clamp_quiet(wib(1, 23), WIB) == wib(2, 6)
    assert clamp_quiet(wib(2, 3), WIB) == wib(2, 6)
    assert clamp_quiet(wib(2, 8), WIB) == wib(2, 8)


def test_preparation_series_leads_up_to_the_session_day() -> None:
    starts = wib(12, 9)
    assert prep_schedule(starts, wib(1, 9), WIB) == [
        (0, wib(9, 12)),
        (1, wib(10, 12)),
        (2, wib(11, 12)),
    ]
    assert prep_schedule(starts, wib(10, 13), WIB) == [(0, wib(11, 12))]
    assert prep_schedule(starts, wib(11, 20), WIB) == []


def test_a_tip_for_the_owners_kind_of_business_comes_before_a_marketplace_one() -> None:
    batik_seller = Reader("fashion", frozenset({"shopee"}), "selling")
    for_fashion = Tip("ukuran-batik", "listing", frozenset(), frozenset({"fashion"}), "all", {}, 1)
    for_shopee = Tip(
        "shopee-voucher", "listing", frozenset({"shopee"}), frozenset(), "selling", {}, 2
    )
    for user_id in range(1, 40):  # whatever the per-owner shuffle
        assert choose([for_shopee, for_fashion], batik_seller, {}, user_id) == for_fashion


def test_a_fashion_owner_never_reads_a_sambal_example() -> None:
    batik_seller = Reader("fashion", frozenset({"shopee", "tiktok"}), "selling")
    seen: dict[str, datetime] = {}
    start = datetime(2026, 12, 1, tzinfo=UTC)
    for n in range(len(TIPS)):
        tip = choose(TIPS, batik_seller, seen, 1003)
        assert tip is not None
        if tip.id in seen:
            break
        seen[tip.id] = start + timedelta(minutes=n)
        assert "sambal" not in tip.text["id"].lower(), tip.id
