"""Owners' practice tasks on WhatsApp: the three answers under a task, "berhenti tugas" and
"lanjut tugas". Every decision is the practice service's (as on Telegram); this edge parses
the tapped choice id and sends the reply as one new message."""

from __future__ import annotations

from bot.core import choices as ids
from bot.core.errors import StaleAction
from bot.core.notices import Notice
from bot.services.practice_notices import answer_reply
from handlers.whatsapp.router import Router, Turn


async def tapped_task(turn: Turn) -> None:
    """Take "done", "later" or "help" on a task."""
    parts = ids.parse(turn.choice_id, ids.PRACTICE, 2)
    services = turn.services
    try:
        if parts is None or not parts[0].isdigit():
            raise StaleAction(turn.choice_id)
        answered = await services.practice.answer(turn.user_id, int(parts[0]), parts[1])
    except StaleAction:
        await turn.stale()
        return
    tz = services.settings.timezone
    await turn.send(Notice(answer_reply(services.catalog, turn.language, tz, answered)))


async def stop_tasks(turn: Turn) -> None:
    """Stop the practice tasks (announcements stay as they are)."""
    await turn.services.practice.set_stopped(turn.user_id, True)
    await turn.say("practice.whatsapp.stopped")


async def resume_tasks(turn: Turn) -> None:
    """Receive the practice tasks again."""
    await turn.services.practice.set_stopped(turn.user_id, False)
    await turn.say("practice.resumed")


def register(router: Router) -> None:
    """Add the task answers and the stop/resume words."""
    router.add_choice(ids.PRACTICE, tapped_task)
    router.add_word("berhentitugas", ("berhenti tugas", "stop tugas", "stop tasks"), stop_tasks)
    router.add_word("lanjuttugas", ("lanjut tugas", "resume tasks"), resume_tasks)
