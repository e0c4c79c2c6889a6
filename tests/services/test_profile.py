"""ProfileService: editing one field, the owner's data file, and erasure."""

from __future__ import annotations

import pytest

from bot.app.container import Services
from bot.core.erasure import Traces
from bot.core.errors import InvalidInput, NotRegistered, StaleAction
from bot.core.notices import ChannelName
from storage.whatsapp_inbox import NewInboxEvent, WhatsAppInboxRepository
from tests.harness import START
from tests.services.conftest import BUDI, SITI, booking_status, new_session, sign_up


async def test_one_field_is_edited_and_the_editor_closes(services: Services) -> None:
    await sign_up(services, SITI, "Siti")
    step = await services.profile.start_edit(SITI, "business_name")
    assert step.step == "business_name"
    assert await services.profile.answer_text(SITI, "Keripik Bu Siti") is None
    profile = await services.profile.get(SITI)
    assert profile is not None and profile.business_name == "Keripik Bu Siti"
    assert await services.dialogs.current(SITI) is None


async def test_marketplaces_start_from_what_is_stored(services: Services) -> None:
    await sign_up(services, SITI, "Siti")  # chose Shopee
    step = await services.profile.start_edit(SITI, "marketplaces")
    assert step.data["selection"] == ["shopee"]
    await services.profile.toggle(SITI, "shopee")
    with pytest.raises(InvalidInput):
        await services.profile.finish_multi(SITI)
    await services.profile.toggle(SITI, "tokopedia")
    await services.profile.finish_multi(SITI)
    profile = await services.profile.get(SITI)
    assert profile is not None and list(profile.marketplaces) == ["tokopedia"]


async def test_only_owners_and_known_fields_are_edited(services: Services) -> None:
    await services.users.seen(BUDI, "en")
    with pytest.raises(NotRegistered):
        await services.profile.start_edit(BUDI, "full_name")
    await sign_up(services, SITI, "Siti")
    with pytest.raises(StaleAction):
        await services.profile.start_edit(SITI, "password")


async def test_the_data_file_holds_what_is_stored(services: Services) -> None:
    await sign_up(services, SITI, "Siti")
    session = await new_session(services)
    await services.booking.book(SITI, session.id)
    user = await services.users.get(SITI)
    assert user is not None
    data = await services.profile.export(user)
    assert data["profile"]["full_name"] == "Siti"
    assert [c["purpose"] for c in data["consents"]] != []
    assert data["conversation_in_progress"] is None
    assert any(m["kind"] == "reminder" for m in data["queued_messages"])
    assert "booking_confirmed" in [m["kind"] for m in data["queued_messages"]]


async def test_erasure_frees_the_seat_and_deletes_the_person(services: Services) -> None:
    await sign_up(services, SITI, "Siti")
    await sign_up(services, BUDI, "Budi")
    session = await new_session(services, capacity=1)
    await services.booking.book(SITI, session.id)
    budi = await services.booking.book(BUDI, session.id)
    assert await services.profile.erase(SITI)
    assert await services.profile.get(SITI) is None
    assert await services.users.get(SITI) is None
    rows = await services.db.fetch_all("SELECT id FROM outbox WHERE user_id = ?", (SITI,))
    assert rows == []
    assert await booking_status(services, budi.booking.id) == "offered"  # the queue moved
    erased = await services.db.fetch_one("SELECT COUNT(*) FROM erasures")
    assert erased is not None and erased[0] == 1
    assert not await services.profile.erase(SITI)  # nothing left to erase


async def test_erasure_deletes_what_the_asking_channel_keeps_up_to_the_request(
    services: Services,
) -> None:
    await sign_up(services, SITI, "Siti")
    await sign_up(services, BUDI, "Budi")
    number = "6281234567890"  # Siti's WhatsApp number: her messages are kept under it
    inbox = WhatsAppInboxRepository(services.db)
    keys = ("wamid.HALO", "wamid.ERASE", "wamid.NEW-OWNER")
    await inbox.store_batch([NewInboxEvent(k, "message", number, {"k": k}) for k in keys], START)
    assert await services.profile.erase(BUDI)  # asked elsewhere: Siti's number is not his
    assert len(await inbox.all_events()) == 3
    asked = Traces(ChannelName.WHATSAPP, number, up_to="wamid.ERASE")
    assert await services.profile.erase(SITI, asked)
    # what the number wrote after the request is whoever has it now, and is answered
    assert [e.event_key for e in await inbox.all_events()] == ["wamid.NEW-OWNER"]
