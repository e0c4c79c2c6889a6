"""Input no step was waiting for (bot/services/unprompted.py), decided once for every channel,
on a real temporary SQLite file."""

from __future__ import annotations

from bot.app.container import Services
from bot.core.models import Role
from bot.i18n import LANGUAGES
from bot.services.questions import Line
from bot.services.unexpected import Received
from bot.services.unprompted import HELLO, POINTERS, WELCOME_BACK
from tests.services.conftest import SITI, STAFF, TRAINER, make_trainer, sign_up


async def test_a_newcomer_is_welcomed_into_sign_up_whatever_they_send(
    services: Services,
) -> None:
    await services.users.seen(SITI, "id")
    for received, text in (
        (Received.TEXT, "bakso"),
        (Received.TEXT, "halo"),
        (Received.MEDIA, None),
        (Received.LOCATION, None),
        (Received.OTHER, None),
    ):
        answer = await services.unprompted.answer(SITI, received, text, "telegram", "id")
        assert answer.greet and answer.reply is None and answer.lead is None, received
    assert await services.profile.get(SITI) is None  # nothing is kept of what they sent
    assert await services.db.fetch_all("SELECT id FROM questions") == []


async def test_a_newcomers_question_is_told_to_sign_up_first(services: Services) -> None:
    await services.users.seen(SITI, "id")
    answer = await services.unprompted.answer(
        SITI, Received.TEXT, "bagaimana cara ikut pelatihan?", "whatsapp", "id"
    )
    assert answer.reply is not None and not answer.greet
    (notice,) = answer.reply.notices
    assert "setelah Anda mendaftar" in notice.text


async def test_an_owners_question_goes_to_the_desk(services: Services) -> None:
    await sign_up(services, SITI)
    answer = await services.unprompted.answer(
        SITI, Received.TEXT, "Kapan pelatihan untuk warung kopi dibuka lagi?", "telegram", "id"
    )
    assert answer.reply is not None and answer.reply.line is not None
    row = await services.db.fetch_one("SELECT user_id, channel FROM questions")
    assert row is not None and tuple(row) == (SITI, "telegram")
    assert answer.reply.line in (Line.FAQ, Line.CHOICES, Line.PERSON, Line.OWN)


async def test_small_talk_is_welcomed_back_and_the_rest_pointed_to_the_menu(
    services: Services,
) -> None:
    await sign_up(services, SITI, "Siti <b> & Co")
    catalog = services.catalog
    back = await services.unprompted.answer(SITI, Received.TEXT, "makasih 😀", "whatsapp", "id")
    assert back.lead == catalog.text("id", WELCOME_BACK, name="Siti <b> & Co")
    for hello in ("hi", "Hello!", "hallo", "helo", "halo kak", "thanks"):  # WhatsApp's words
        greeted = await services.unprompted.answer(SITI, Received.TEXT, hello, "whatsapp", "id")
        assert greeted.lead == back.lead, hello
    assert "Siti &lt;b&gt; &amp; Co" in back.lead  # escaped once, by the catalog
    assert back.registered and back.roles == frozenset({Role.OWNER})
    for received, text in (
        (Received.TEXT, "asdfgh"),
        (Received.MEDIA, None),
        (Received.LOCATION, None),
        (Received.OTHER, None),
    ):
        answer = await services.unprompted.answer(SITI, received, text, "telegram", "id")
        assert answer.lead == catalog.text("id", POINTERS[received]), received
        assert answer.reply is None and not answer.greet


async def test_what_the_channel_just_sent_is_the_answer_to_an_oke(services: Services) -> None:
    await sign_up(services, SITI)
    answer = await services.unprompted.answer(
        SITI, Received.TEXT, "oke", "whatsapp", "id", released=True
    )
    assert answer.silent
    # a question is still a question, whatever waited
    asked = await services.unprompted.answer(
        SITI,
        Received.TEXT,
        "Kapan pelatihan untuk warung kopi dibuka lagi?",
        "whatsapp",
        "id",
        released=True,
    )
    assert asked.reply is not None and not asked.silent


async def test_staff_and_trainers_are_never_taken_into_sign_up(services: Services) -> None:
    await make_trainer(services, TRAINER)
    for person, role in ((STAFF, Role.STAFF), (TRAINER, Role.TRAINER)):
        hello = await services.unprompted.answer(person, Received.TEXT, "halo", "telegram", "id")
        assert not hello.greet and hello.lead == services.catalog.text("id", HELLO)
        assert role in hello.roles and not hello.registered
        photo = await services.unprompted.answer(person, Received.MEDIA, None, "telegram", "id")
        pointer = services.catalog.text("id", POINTERS[Received.MEDIA])
        assert not photo.greet and photo.lead == pointer


def test_every_answer_is_in_both_languages(services: Services) -> None:
    keys = (HELLO, *POINTERS.values())
    for language in LANGUAGES:
        texts = [services.catalog.text(language, key) for key in keys]
        assert all(texts) and len(set(texts)) == len(texts)


async def test_a_newcomer_is_neither_signed_up_nor_staff_nor_a_trainer(
    services: Services,
) -> None:
    await services.users.seen(SITI, "id")
    await make_trainer(services, TRAINER)
    assert await services.unprompted.newcomer(SITI)
    assert not await services.unprompted.newcomer(STAFF)
    assert not await services.unprompted.newcomer(TRAINER)
    await sign_up(services, SITI)
    assert not await services.unprompted.newcomer(SITI)
