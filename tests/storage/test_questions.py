"""Questions and tickets in storage: counts for the burst limit, threads, replies, erasure."""

from __future__ import annotations

from datetime import timedelta

from bot.core.questions import Line, TicketStatus
from storage.database import Database
from storage.outbox import OutboxRepository
from storage.questions import QuestionRepository
from tests.storage.conftest import T0


async def owner(db: Database, user_id: int) -> None:
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO users (id, language, created_at, last_seen_at) VALUES (?, 'id', ?, ?)",
            (user_id, T0.isoformat(), T0.isoformat()),
        )


async def test_a_ticket_keeps_its_thread_and_every_owner_message_counts(db: Database) -> None:
    await owner(db, 7)
    repo = QuestionRepository(db)
    qid = await repo.add(7, "telegram", "NIB saya belum terbit?", Line.PERSON, None, T0)
    async with db.transaction() as tx:
        await repo.hand_over(tx, qid, None, False, T0 + timedelta(hours=4), T0)
        await repo.add_message(tx, qid, "owner", 7, "NIB saya belum terbit?", T0)
        await repo.add_message(tx, qid, "owner", 7, "Sudah dua minggu.", T0 + timedelta(minutes=1))
        await repo.answered(tx, qid, 9001, T0 + timedelta(hours=1))
    assert await repo.count_since(7, T0 - timedelta(minutes=1)) == 2  # the question, one more
    (question,) = await repo.of_user(7)
    assert question.status == TicketStatus.ANSWERED and question.answered_by == 9001
    assert question.first_response_at == T0 + timedelta(hours=1)
    assert [m.text for m in await repo.thread(qid)] == [
        "NIB saya belum terbit?",
        "Sudah dua minggu.",
    ]


async def test_a_reply_finds_its_ticket_only_for_the_person_it_was_sent_to(db: Database) -> None:
    await owner(db, 7)
    await owner(db, 9001)
    repo, outbox = QuestionRepository(db), OutboxRepository(db)
    qid = await repo.add(7, "whatsapp", "Bisa bantu modal?", Line.PERSON, None, T0)
    async with db.transaction() as tx:
        row = await outbox.enqueue(tx, 9001, "question_ticket", {"question": qid}, T0, T0)
    await outbox.finish(row, "sent", T0, sent_ref="321")
    assert await repo.ticket_for_sent(9001, "321") == qid
    assert await repo.ticket_for_sent(7, "321") is None  # someone else's message id
    assert await repo.ticket_for_sent(9001, "322") is None


async def test_the_questions_go_with_the_owner(db: Database) -> None:
    await owner(db, 7)
    repo = QuestionRepository(db)
    qid = await repo.add(7, "telegram", "Ada pameran?", Line.PERSON, None, T0)
    async with db.transaction() as tx:
        await repo.add_message(tx, qid, "owner", 7, "Ada pameran?", T0)
        await tx.execute("DELETE FROM users WHERE id = 7")
    assert await repo.all() == []
    assert await repo.thread(qid) == []


async def test_an_open_ticket_queued_to_nobody_is_unassigned_until_a_row_names_it(
    db: Database,
) -> None:
    await owner(db, 7)
    await owner(db, 9001)
    repo = QuestionRepository(db)
    qid = await repo.add(7, "telegram", "NIB saya belum terbit?", Line.PERSON, None, T0)
    await repo.add(7, "telegram", "bayar nggak?", Line.FAQ, "biaya", T0)  # no ticket
    async with db.transaction() as tx:
        await repo.hand_over(tx, qid, None, False, T0 + timedelta(hours=4), T0)
    assert [q.id for q in await repo.unassigned()] == [qid]
    async with db.transaction() as tx:
        assert not await repo.queued(tx, qid)
        await tx.execute(
            "INSERT INTO outbox (user_id, kind, params, due_at, created_at) "
            "VALUES (9001, 'question_ticket', ?, ?, ?)",
            (f'{{"question": {qid}}}', T0.isoformat(), T0.isoformat()),
        )
    assert await repo.unassigned() == []
    async with db.transaction() as tx:
        assert await repo.queued(tx, qid)
