"""A session chosen before signing up is shown again once sign-up is done.

Issue 21: on WhatsApp, tapping "book" on a session before signing up started sign-up and
remembered the session, but the confirmation dropped it (Telegram showed the session's card).
"""

from __future__ import annotations

from tests.e2e.support import create_session
from tests.harness import RunningBot
from tests.scenarios.drivers import Driver
from tests.scenarios.journeys import AGREE, sign_up

TITLE = "Foto produk pakai HP"
BOOK = "✅ Pesan kursi"


async def test_the_session_chosen_before_sign_up_comes_back_after_it(
    siti: Driver, both: RunningBot
) -> None:
    await create_session(both, TITLE)
    await siti.say("/jadwal")
    assert TITLE in siti.read()

    await siti.tap(BOOK)
    assert AGREE in siti.read().choices  # sign up first: the consent
    await sign_up(siti)

    seen = siti.read()
    assert "Siti Aminah" in seen.text  # signed up
    assert TITLE in seen.last.text and BOOK in seen.last.choices
    await siti.tap(BOOK)
    assert "Kursi Anda sudah aman" in siti.read()
    user_id = await siti.user_id()
    (view,) = await both.services.booking.current(user_id)
    assert view.session.title == TITLE
