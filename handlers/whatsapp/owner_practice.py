"""Practice tasks on WhatsApp: the three answers under a task, the proof (a store link typed,
or a photo fetched from the Graph media endpoint and kept by the bot), "berhenti tugas" and
"lanjut tugas". Every decision is the practice service's (as on Telegram); this edge parses
and sends one new message per step. Reviews are the trainer's, on Telegram."""

from __future__ import annotations

import functools

from bot.core import choices as ids
from bot.core.errors import DeliveryError, InvalidInput, StaleAction
from bot.core.notices import ChannelName, Notice
from bot.services import practice as rules
from bot.services.certificate_notices import verification_text
from bot.services.certificates import typed_check
from bot.services.files import MAX_BYTES
from bot.services.practice_notices import answer_reply, proof_question
from handlers.whatsapp.events import InboundKind
from handlers.whatsapp.router import Router, Turn


async def tapped_task(turn: Turn) -> None:
    """Take "done", "later" or "help" on a task."""
    services = turn.services
    try:
        row_id, action = rules.tapped(turn.choice_id)
        answered = await services.practice.answer(
            turn.user_id, row_id, action, channel=ChannelName.WHATSAPP, language=turn.language
        )
    except StaleAction:
        await turn.stale()
        return
    tz = services.settings.timezone
    if answered.action == rules.PROOF:
        turn.prompted = True
    await turn.send(Notice(answer_reply(services.catalog, turn.language, tz, answered)))


async def _kept_photo(turn: Turn) -> str | None:
    """The sha256 of the photo the person sent, fetched and kept by the bot; None if none."""
    event, files = turn.event, turn.services.files
    if event.kind is not InboundKind.MEDIA or not event.media_id:
        return None
    rules.check_proof_photo(files, event.mime_type, None)
    try:
        content, mime = await turn.router.channel.download_media(event.media_id, MAX_BYTES)
    except DeliveryError:
        raise InvalidInput(rules.NEED_PHOTO) from None
    return await rules.keep_proof_photo(files, content, mime.split(";")[0] or None)


async def received_proof(turn: Turn) -> None:
    """Take the store link or the photo the task asked for (the service answers)."""
    reply = await turn.services.practice.proof_step(
        turn.user_id,
        turn.text if turn.event.kind is InboundKind.TEXT else None,
        photo=functools.partial(_kept_photo, turn),
        language=turn.language,
    )
    turn.prompted = reply.asks
    await turn.send(reply.notice)


async def ask_proof(turn: Turn) -> None:
    """Ask for the proof again (the flow's ``resume``)."""
    services = turn.services
    awaited = await services.practice.awaited_proof(turn.user_id)
    question = proof_question(services.catalog, turn.language, awaited)
    if question is not None:
        await turn.send(Notice(question))


async def stop_tasks(turn: Turn) -> None:
    """Stop the practice tasks (announcements stay as they are)."""
    await turn.services.practice.set_stopped(turn.user_id, True)
    await turn.say("practice.stopped")  # "/lanjuttugas" reads "lanjut tugas" here


async def resume_tasks(turn: Turn) -> None:
    """Receive the practice tasks again."""
    await turn.services.practice.set_stopped(turn.user_id, False)
    await turn.say("practice.resumed")


async def check(turn: Turn, code: str) -> None:
    """Say whether a certificate code is valid, revoked or unknown (anyone may ask)."""
    services = turn.services
    found = await services.certificates.verify(code)
    tz = services.settings.timezone
    await turn.send(Notice(verification_text(services.catalog, turn.language, tz, found)))


def register(router: Router) -> None:
    """Add the task answers, the proof flow and the stop/resume words."""
    router.add_choice(ids.PRACTICE, tapped_task)
    router.add_link_text(typed_check, check)
    router.add_flow(rules.FLOW, received_proof, ask_proof)
    router.add_word("berhentitugas", ("berhenti tugas", "stop tugas", "stop tasks"), stop_tasks)
    router.add_word("lanjuttugas", ("lanjut tugas", "resume tasks"), resume_tasks)
