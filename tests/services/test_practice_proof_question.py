"""The proof question a practice task asks again, decided once for every channel
(bot/services/practice_notices.proof_question)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app.container import Services
from bot.core.practice import PracticeTask, TaskStatus
from bot.services.practice_notices import proof_question
from bot.services.tasks_content import Task
from tests.services.conftest import SITI

AT = datetime(2026, 12, 14, 2, 0, tzinfo=UTC)


def _awaited(proof: str) -> tuple[PracticeTask, Task]:
    given = PracticeTask(
        1, 1, SITI, "foto", True, TaskStatus.OPEN, 0, AT, None, None, 1, "Foto", None, True
    )
    task = Task("foto", 1, True, proof, (), frozenset(), frozenset(), {"id": "Foto"}, 1)
    return given, task


def test_the_question_names_the_proof_the_task_waits_for(services: Services) -> None:
    for proof in ("link", "photo"):
        for language in ("id", "en"):
            asked = proof_question(services.catalog, language, _awaited(proof))
            assert asked == services.catalog.text(language, f"practice.ask_{proof}")
    assert proof_question(services.catalog, "id", None) is None  # waits for nothing
