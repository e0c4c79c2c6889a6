"""An owner's data rights on WhatsApp: "datasaya" (a summary and the file), "hapusdata".

The file is the same JSON export as on Telegram, sent as a ``.json.txt`` document: Meta
(and the strict emulator) take text files but not ``application/json``, and any phone opens
a text file. Erasure sends its goodbye first and then erases, so that nothing about the
person is left behind for the reply (the channel's window row goes with the identity, and
the person's inbox events are deleted too).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.core import choices as ids
from bot.core.notices import Attachment, Choice, Notice
from bot.formatting import format_datetime
from bot.i18n import Catalog, Html
from handlers.whatsapp.router import Router, Turn
from handlers.whatsapp.screens import profile_lines
from storage.whatsapp_inbox import WhatsAppInboxRepository

FILE_NAME = "data-saya-dodolan.json.txt"


def _activity(catalog: Catalog, language: str, export: Mapping[str, Any]) -> list[str]:
    """Counts of the person's history and their settings, from the export."""
    t = catalog.text
    bookings = export["bookings"]
    rated = [b["feedback"] for b in bookings if b["feedback"]]
    settings, daily = export["settings"], export["settings"]["daily_tip"]
    if daily and daily["active"]:
        tips = Html(t(language, f"tips.slot.{daily['slot']}"))
    else:
        tips = Html(t(language, f"data.records.daily_{'paused' if daily else 'none'}"))
    on = "on" if settings["announcements"] else "off"
    return [
        t(
            language,
            "data.records.activity",
            bookings=len(bookings),
            attended=sum(1 for b in bookings if b["attended_at"]),
            ratings=len(rated),
            comments=sum(1 for f in rated if f["comment"]),
            tips=len(export["tips_received"]),
            opinions=len(export["tip_opinions"]),
        ),
        t(
            language,
            "data.records.settings",
            daily=tips,
            announcements=Html(t(language, f"data.records.announcements_{on}")),
        ),
    ]


def data_notice(
    catalog: Catalog, language: str, export: Mapping[str, Any], tz: ZoneInfo
) -> Notice:
    """The readable summary of everything stored, with the whole export as a file after it."""
    t = catalog.text
    file = Notice(
        t(language, "data.file_caption"),
        attachment=Attachment(
            "document", FILE_NAME, json.dumps(export, ensure_ascii=False, indent=2).encode()
        ),
    )
    profile = export.get("profile")
    if not profile:
        return Notice(t(language, "wa.data.nothing"), follow_ups=(file,))
    consents = [
        t(language, "data.consent_line", when=_when(c["granted_at"], tz, language))
        for c in export["consents"]
    ]
    text = t(
        language,
        "data.summary",
        profile=profile_lines(catalog, language, profile),
        consents=Html(", ".join(consents)) if consents else t(language, "data.none"),
        language=t(language, f"lang.{'english' if export['language'] == 'en' else 'indonesian'}"),
        since=_when(export["first_contact"], tz, language),
        records=Html("\n".join(_activity(catalog, language, export))),
    )
    return Notice(text, follow_ups=(file,))


def _when(iso: str, tz: ZoneInfo, language: str) -> str:
    return format_datetime(datetime.fromisoformat(iso), tz, language)


def erase_notice(catalog: Catalog, language: str) -> Notice:
    """The "delete my data?" confirmation."""
    t = catalog.text
    return Notice(
        t(language, "data.erase_confirm"),
        (
            Choice(ids.pack(ids.ERASE, "yes"), t(language, "wa.data.erase_yes")),
            Choice(ids.pack(ids.ERASE, "no"), t(language, "data.erase_no")),
        ),
    )


async def my_data(turn: Turn) -> None:
    """Send everything stored about the owner: a readable message and the file."""
    export = await turn.services.profile.export(turn.user)
    tz = turn.services.settings.timezone
    await turn.send(data_notice(turn.services.catalog, turn.language, export, tz))


async def erase_data(turn: Turn) -> None:
    """Ask for confirmation before deleting the owner's data."""
    await turn.send(erase_notice(turn.services.catalog, turn.language))


async def tapped_erase(turn: Turn) -> None:
    """Delete the owner's data after a "yes"; a "no" keeps everything."""
    parts = ids.parse(turn.choice_id, ids.ERASE, 1)
    if parts not in (["yes"], ["no"]) or turn.first_contact:  # erased already: a new person
        await turn.stale()
        return
    if parts == ["no"]:
        await turn.say("data.erase_kept")
        return
    # sent before the erasure, which takes the window and the number with it
    await turn.send_at_once(Notice(turn.t("data.erased")))
    await turn.services.profile.erase(turn.user_id)
    await WhatsAppInboxRepository(turn.services.db).erase_user(
        turn.event.wa_id, turn.event.user_id, up_to=turn.event.wamid
    )


def register(router: Router) -> None:
    """Add the data-rights words and the erase confirmation."""
    router.add_word("datasaya", ("mydata", "data saya", "my data"), my_data)
    router.add_word(
        "hapusdata", ("erase", "deletedata", "hapus data", "delete my data"), erase_data
    )
    router.add_choice(ids.ERASE, tapped_erase)
