"""The owners' tips, once for every channel: a tip on request, the topic picker, the answer
to "was this helpful?", and the daily tip settings (a time, pause, resume).

Each step takes what the owner did (the word, or a ``tp:v1:<action>:<arg>`` choice already
read by the edge) and returns what to show. Issue 21: the screens and the meaning of every
tips choice were decided in both edges. A forged or stale choice raises
:class:`~bot.core.errors.NotAllowed` or :class:`~bot.core.errors.InvalidInput`; the edge says
so in its own way and nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core import choices as ids
from bot.core.errors import NotAllowed
from bot.core.notices import Choice, Notice
from bot.formatting import format_datetime
from bot.i18n import Catalog
from bot.services.owner_notices import TIP_ROWS, tip_choices, tip_text
from bot.services.tips import SLOTS, TipsService

ANY = "-"  # the argument of a tips choice that needs none


@dataclass(frozen=True)
class TipsAnswer:
    """What a tips step shows; ``brief``: only a short thanks, which a channel that can
    answer a tap in passing (Telegram's toast) shows that way."""

    notice: Notice
    brief: bool = False


@dataclass(frozen=True)
class TipSteps:
    """The tips conversation for one reader."""

    tips: TipsService
    catalog: Catalog
    tz: ZoneInfo
    language: str

    async def asked(self, user_id: int) -> Notice:
        """ "tips": a tip chosen for the owner (and a broken daily chain started again)."""
        await self.tips.ensure_daily(user_id)
        return await self._tip(user_id, None)

    async def daily(self, user_id: int, due: datetime | None = None) -> Notice:
        """ "tipsharian": the daily tip settings, the three times, and pause or resume."""
        sub = await self.tips.subscription(user_id)
        t, language = self.catalog.text, self.language
        if sub is None:
            text = t(language, "tips.daily.intro")
        elif sub.active:
            due = due or await self.tips.next_daily(user_id)
            when = format_datetime(due, self.tz, language) if due else ""
            text = t(
                language, "tips.daily.active", slot=t(language, f"tips.slot.{sub.slot}"), when=when
            )
        else:
            text = t(language, "tips.daily.paused")
        choices = [self._choice(f"tips.slot.{s}", "slot", s) for s in SLOTS]
        if sub is not None:
            action = "pause" if sub.active else "resume"
            choices.append(self._choice(f"tips.button.{action}", action))
        return Notice(text, tuple(choices))

    async def tapped(self, user_id: int, choice_id: str | None) -> TipsAnswer:
        """Run the tips choice the owner tapped."""
        service = self.tips
        match ids.parse(choice_id, ids.TIPS, 2):
            case ["fy" | "fn" as verdict, tip_id]:
                await service.feedback(user_id, tip_id, verdict == "fy")
                return TipsAnswer(Notice(self.catalog.text(self.language, "tips.thanks")), True)
            case ["more", _]:
                return TipsAnswer(await self._tip(user_id, None))
            case ["topics", _]:
                return TipsAnswer(await self._topics())
            case ["topic", topic]:
                return TipsAnswer(await self._tip(user_id, topic))
            case ["slot", slot]:
                return TipsAnswer(
                    await self.daily(user_id, await service.subscribe(user_id, slot))
                )
            case ["pause", _]:
                await service.pause(user_id)
                return TipsAnswer(await self.daily(user_id))
            case ["resume", _]:
                return TipsAnswer(await self.daily(user_id, await service.resume(user_id)))
            case _:
                raise NotAllowed(user_id, "tips button")

    async def _tip(self, user_id: int, topic: str | None) -> Notice:
        tip = await self.tips.next_tip(user_id, topic)
        if tip is None:
            return Notice(self.catalog.text(self.language, "tips.none"))
        catalog, language = self.catalog, self.language
        return Notice(
            tip_text(catalog, language, tip), tip_choices(catalog, language, tip), TIP_ROWS
        )

    async def _topics(self) -> Notice:
        """ "Pick a topic", a choice per topic that has tips, two to a row."""
        topics = await self.tips.topics()
        choices = tuple(self._choice(f"tips.topic.{t}", "topic", t) for t in topics)
        rows = (2,) * (len(choices) // 2) + (1,) * (len(choices) % 2)
        return Notice(self.catalog.text(self.language, "tips.pick_topic"), choices, rows)

    def _choice(self, key: str, action: str, arg: str = ANY) -> Choice:
        return Choice(ids.pack(ids.TIPS, action, arg), self.catalog.text(self.language, key))
