"""DialogService: one open conversation per person, kept across restarts."""

from __future__ import annotations

from bot.app.container import Services
from bot.services.dialogs import DialogService, ask_again_after
from storage.dialogs import DialogRepository
from tests.harness import FakeClock
from tests.services.conftest import BUDI, SITI


async def test_a_conversation_moves_step_by_step_and_ends(services: Services) -> None:
    await services.users.seen(SITI, "id")
    dialogs = services.dialogs
    assert await dialogs.current(SITI) is None
    await dialogs.move(SITI, "signup", "consent")
    step = await dialogs.move(SITI, "signup", "full_name", {"consent_at": "x"})
    assert (step.flow, step.step, step.data) == ("signup", "full_name", {"consent_at": "x"})
    assert await dialogs.end(SITI)
    assert await dialogs.current(SITI) is None
    assert not await dialogs.end(SITI)


async def test_the_step_is_stored_not_held_in_memory(services: Services, clock: FakeClock) -> None:
    await services.users.seen(SITI, "id")
    await services.users.seen(BUDI, "en")
    await services.dialogs.move(SITI, "profile", "phone")
    again = DialogService(DialogRepository(services.db), clock)  # as after a restart
    current = await again.current(SITI)
    assert current is not None and (current.flow, current.step) == ("profile", "phone")
    assert await again.current(BUDI) is None


async def test_a_word_in_a_flow_asks_the_same_question_again(services: Services) -> None:
    await services.users.seen(SITI, "id")
    before = await services.dialogs.move(SITI, "signup", "phone")
    same = await services.dialogs.move(SITI, "signup", "phone", {"x": 1})
    assert ask_again_after(before, same) == same
    moved = await services.dialogs.move(SITI, "signup", "marketplaces")
    assert ask_again_after(before, moved) is None  # the word moved it: its answer asked
    assert ask_again_after(None, same) is None and ask_again_after(before, None) is None
