"""An owner's data rights on WhatsApp: "datasaya" (a summary and the file), "hapusdata".

The summary is :func:`bot.services.owner_home.data_screen`, as on every channel. The file is
the same JSON export as on Telegram, sent as a ``.json.txt`` document: Meta
(and the strict emulator) take text files but not ``application/json``, and any phone opens
a text file. Erasure sends its goodbye first and then erases through the profile service,
so that nothing about the person is left behind for the reply (the channel's window row goes
with the identity; the person's inbox events, up to the tap that asked, go with the
:class:`~bot.core.erasure.Traces` of this message).
"""

from __future__ import annotations

from bot.core import choices as ids
from bot.core.erasure import Traces
from bot.core.errors import StaleAction
from bot.core.notices import ChannelName, Notice
from bot.i18n import Catalog
from bot.services.owner_home import data_screen, erase_answer, erase_question
from handlers.whatsapp.router import Router, Turn

FILE_NAME = "data-saya-dodolan.json.txt"


def erase_notice(catalog: Catalog, language: str) -> Notice:
    """The "delete my data?" confirmation (its "yes" fits a WhatsApp button)."""
    return erase_question(catalog, language, yes_key="wa.data.erase_yes")


async def my_data(turn: Turn) -> None:
    """Send everything stored about the owner: a readable message and the file."""
    export = await turn.services.profile.export(turn.user)
    tz, catalog = turn.services.settings.timezone, turn.services.catalog
    notice = data_screen(
        catalog, turn.language, export, tz, nothing_key="wa.data.nothing", file_name=FILE_NAME
    )
    await turn.send(notice)


async def erase_data(turn: Turn) -> None:
    """Ask for confirmation before deleting the owner's data."""
    await turn.send(erase_notice(turn.services.catalog, turn.language))


async def tapped_erase(turn: Turn) -> None:
    """Delete the owner's data after a "yes"; a "no" keeps everything."""
    try:
        erase = erase_answer(turn.choice_id, first_contact=turn.first_contact)
    except StaleAction:  # erased already (a new person), or not an answer of ours
        await turn.stale()
        return
    if not erase:
        await turn.say("data.erase_kept")
        return
    # sent before the erasure, which takes the window and the number with it
    await turn.send_at_once(Notice(turn.t("data.erased")))
    event = turn.event  # her texts up to this tap leave the inbox, the file and its log too
    traces = Traces(ChannelName.WHATSAPP, event.wa_id, event.user_id, up_to=event.wamid)
    await turn.services.profile.erase(turn.user_id, traces)


def register(router: Router) -> None:
    """Add the data-rights words and the erase confirmation."""
    router.add_word("datasaya", ("mydata", "data saya", "my data"), my_data)
    router.add_word(
        "hapusdata", ("erase", "deletedata", "hapus data", "delete my data"), erase_data
    )
    router.add_choice(ids.ERASE, tapped_erase)
