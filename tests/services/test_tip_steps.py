"""The owners' tips conversation every channel renders: a tip, its feedback, topics, and the
daily tip settings (a time, pause, resume)."""

from __future__ import annotations

import pytest

from bot.app.container import Services
from bot.core import choices as ids
from bot.core.errors import InvalidInput, NotAllowed
from bot.core.notices import Notice
from bot.services.tip_steps import TipSteps
from tests.services.conftest import SITI, sign_up


def _steps(services: Services) -> TipSteps:
    return TipSteps(services.tips, services.catalog, services.settings.timezone, "id")


def _actions(notice: Notice) -> list[str]:
    return [":".join(c.id.split(":")[2:]) for c in notice.choices]


def _tip_id(notice: Notice) -> str:
    return next(a.split(":")[1] for a in _actions(notice) if a.startswith("fy:"))


async def test_a_tip_comes_with_feedback_another_tip_and_the_topics(services: Services) -> None:
    await sign_up(services, SITI)
    tip = await _steps(services).asked(SITI)
    actions = _actions(tip)
    assert [a.split(":")[0] for a in actions] == ["fy", "fn", "more", "topics"]
    assert tip.rows == (2, 2) and "Tips jualan" in tip.text


async def test_feedback_on_a_tip_sent_is_a_brief_thanks_on_another_it_is_refused(
    services: Services,
) -> None:
    await sign_up(services, SITI)
    steps = _steps(services)
    tip_id = _tip_id(await steps.asked(SITI))
    answer = await steps.tapped(SITI, ids.pack(ids.TIPS, "fy", tip_id))
    assert answer.brief and answer.notice.text.startswith("Terima kasih, masukan")
    row = await services.db.fetch_one(
        "SELECT helpful FROM tips_feedback WHERE user_id = ? AND tip_id = ?", (SITI, tip_id)
    )
    assert row is not None and row["helpful"]
    with pytest.raises(NotAllowed):  # a tip never sent to Siti
        await steps.tapped(SITI, ids.pack(ids.TIPS, "fn", "no-such-tip"))


async def test_topics_come_two_to_a_row_and_a_topic_gives_its_tip(services: Services) -> None:
    await sign_up(services, SITI)
    steps = _steps(services)
    picker = (await steps.tapped(SITI, ids.pack(ids.TIPS, "topics", "-"))).notice
    topics = [a.split(":")[1] for a in _actions(picker)]
    assert topics and picker.text.startswith("Mau tips tentang apa?")
    assert sum(picker.rows or ()) == len(topics) and set(picker.rows or ()) <= {1, 2}
    tip = (await steps.tapped(SITI, ids.pack(ids.TIPS, "topic", topics[0]))).notice
    assert not (await steps.tapped(SITI, ids.pack(ids.TIPS, "more", "-"))).brief
    assert _tip_id(tip)
    with pytest.raises(InvalidInput):
        await steps.tapped(SITI, ids.pack(ids.TIPS, "topic", "astrology"))


async def test_daily_tips_are_chosen_paused_and_resumed(services: Services) -> None:
    await sign_up(services, SITI)
    steps = _steps(services)
    intro = await steps.daily(SITI)
    assert "Mau dikirimi satu tips" in intro.text
    assert _actions(intro) == ["slot:morning", "slot:midday", "slot:evening"]

    active = (await steps.tapped(SITI, ids.pack(ids.TIPS, "slot", "evening"))).notice
    assert "aktif" in active.text and "19.00 WIB" in active.text
    assert _actions(active)[-1] == "pause:-"
    assert "Tips berikutnya: " in active.text and "WIB." in active.text

    paused = (await steps.tapped(SITI, ids.pack(ids.TIPS, "pause", "-"))).notice
    assert "dijeda" in paused.text and _actions(paused)[-1] == "resume:-"
    assert await services.tips.next_daily(SITI) is None

    resumed = (await steps.tapped(SITI, ids.pack(ids.TIPS, "resume", "-"))).notice
    assert "aktif" in resumed.text and await services.tips.next_daily(SITI) is not None


async def test_a_forged_tips_choice_changes_nothing(services: Services) -> None:
    await sign_up(services, SITI)
    steps = _steps(services)
    for forged in ("tp:v1:slot:midnight", "tp:v1:resume:-", "tp:v1:dance:-", "zz", None):
        with pytest.raises((NotAllowed, InvalidInput)):
            await steps.tapped(SITI, forged)
    assert await services.tips.subscription(SITI) is None
