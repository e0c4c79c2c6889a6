"""First contact: which greeting and what next, from the start link and the person's roles
and sign-up (bot/services/first_contact.py), on a real temporary SQLite file."""

from __future__ import annotations

from bot.app.container import Services
from bot.services import signup
from bot.services.first_contact import Opening, Start, link_code, opening
from tests.services.conftest import SITI, STAFF, TRAINER, make_trainer, sign_up


async def _open(services: Services, user_id: int, payload: str | None = None) -> Start:
    await services.users.seen(user_id, "id")
    return await opening(services.users, services.profile, services.signup, user_id, payload)


def test_a_link_code_is_what_follows_its_prefix() -> None:
    assert link_code("sesi-abcd2345", "sesi-") == "abcd2345"
    assert link_code("hadir-abcd2345", "sesi-") is None
    assert link_code(None, "sesi-") is None


async def test_a_newcomer_is_taken_to_the_consent_and_greeted_back_into_it(
    services: Services,
) -> None:
    first = await _open(services, SITI)
    assert first.opening is Opening.CONSENT
    assert first.dialog is not None and first.dialog.step == signup.CONSENT
    await services.signup.consent(SITI, agreed=True)
    again = await _open(services, SITI)
    assert again.opening is Opening.RESUME
    assert again.dialog is not None and again.dialog.step == signup.STEPS[1]


async def test_a_newcomers_session_link_is_remembered_with_the_sign_up(
    services: Services,
) -> None:
    begun = await _open(services, SITI, "sesi-abcd2345")
    assert begun.opening is Opening.CONSENT  # not the card: sign-up first
    row = await services.db.fetch_one("SELECT pending_start FROM users WHERE id = ?", (SITI,))
    assert row is not None and row["pending_start"] == "sesi-abcd2345"


async def test_a_signed_up_owner_is_welcomed_back_or_shown_the_linked_session(
    services: Services,
) -> None:
    await sign_up(services, SITI)
    assert (await _open(services, SITI)).opening is Opening.BACK
    linked = await _open(services, SITI, "sesi-abcd2345")
    assert (linked.opening, linked.code) == (Opening.SESSION, "abcd2345")
    assert await services.dialogs.current(SITI) is None


async def test_staff_and_trainers_are_greeted_by_role_never_taken_into_sign_up(
    services: Services,
) -> None:
    await make_trainer(services, TRAINER)
    for user_id in (STAFF, TRAINER):
        begun = await _open(services, user_id)
        assert begun.opening is Opening.ROLE and begun.roles
        assert await services.dialogs.current(user_id) is None


async def test_invite_and_check_in_links_come_before_anything_else(services: Services) -> None:
    await sign_up(services, SITI)
    invite = await _open(services, SITI, "latih-token123")
    assert (invite.opening, invite.code) == (Opening.INVITE, "token123")
    check_in = await _open(services, STAFF, "hadir-abcd2345")
    assert (check_in.opening, check_in.code) == (Opening.CHECK_IN, "abcd2345")
