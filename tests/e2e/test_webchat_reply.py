"""The web chat's reply (↩): a persona's message sent as a reply to one of the bot's, as the
staff answer a Tanya Dinas ticket; a reply to no such message is refused."""

from __future__ import annotations

import httpx

from bot.core.questions import TicketStatus
from tests.e2e.support import register_owner
from tests.e2e.test_questions import questions_of
from tests.e2e.test_webchat import RINA, SITI, send, web
from tests.harness import RunningBot

__all__ = ["web"]  # the fixture shared with the web chat tests


async def test_the_staff_answer_a_ticket_by_replying_in_the_web_chat(
    web: httpx.AsyncClient, bot: RunningBot
) -> None:
    await send(web, "/bantuan", RINA.user_id)
    await send(web, "/bantuan")
    siti_id = await register_owner(bot, SITI.user_id, "Siti")
    await send(web, "Bu, izin usaha rumahan perlu surat dari RT juga kah?")
    await bot.tick()
    staff = (await web.get(f"/api/chats/{RINA.user_id}")).json()
    ticket = staff["messages"][-1]
    assert "surat dari RT" in ticket["text"]

    body = {"text": "Tidak perlu, Bu.", "reply_to": ticket["id"]}
    answer = await web.post(f"/api/chats/{RINA.user_id}/send", json=body)
    assert answer.status_code == 200, answer.text
    messages = answer.json()["chat"]["messages"]
    mine = next(m for m in reversed(messages) if not m["from_bot"])
    assert mine["reply_to"]["id"] == ticket["id"] and "Pertanyaan #" in mine["reply_to"]["text"]
    assert "terkirim" in messages[-1]["text"]
    (question,) = await questions_of(bot, siti_id)
    assert question.status == TicketStatus.ANSWERED

    for bad, status in (("x", 400), (99_999, 409)):
        body = {"text": "halo", "reply_to": bad}
        refused = await web.post(f"/api/chats/{RINA.user_id}/send", json=body)
        assert refused.status_code == status
