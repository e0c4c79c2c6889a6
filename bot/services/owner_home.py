"""The owner's home words, once for every channel: help, the menu, and "my data".

Issue 21: ``/bantuan`` and ``/datasaya`` were each answered by a screen built in both edges
(and the two summaries had drifted: only Telegram's named a staff or trainer role), and
``/menu`` was a word on WhatsApp but an unknown command on Telegram. The screens are built
here; an edge renders them. The help lists what the person can do by role; the menu is the
same help on channels without a menu list of their own (WhatsApp keeps its "Menu" list, whose
rows its feature modules add).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.core import choices as ids
from bot.core.errors import StaleAction
from bot.core.models import Role
from bot.core.notices import Attachment, Choice, Notice
from bot.formatting import format_datetime
from bot.i18n import Catalog, Html
from bot.services.faq_search import terms
from bot.services.owner_menu import owner_menu
from bot.services.owner_screens import profile_lines

DATA_FILE = "data-saya-dodolan.json"


def help_screen(
    catalog: Catalog, language: str, roles: frozenset[Role], *, registered: bool | None
) -> Notice:
    """What the person can do: the owners' part from the owners' menu
    (:func:`~bot.services.owner_menu.owner_menu`, for a signed-up owner or a guest: only
    what they can use), then a section per other role they hold.

    Commands are named as Telegram shows them ("/jadwal"); WhatsApp reads each as the word
    its owners type (:mod:`bot.services.command_words`). Issue 21: the help was a fixed text
    on Telegram (a guest was offered /bookingsaya) and built from the menu on WhatsApp.
    """
    lines = [catalog.text(language, "help.owner_lead")]
    lines += [  # both are catalog texts: nothing of a person's to escape
        f"/{e.command_name(language)} – {e.about}"
        for e in owner_menu(catalog, language, registered=registered)
    ]
    # the words around the menu, then the practice tasks and certificates (they came later)
    lines += [catalog.text(language, key).strip("\n") for key in ("help.tail", "help_more.owner")]
    sections = ["\n".join(lines)]
    held = [role for role in (Role.TRAINER, Role.STAFF) if role in roles]
    sections += [
        catalog.text(language, f"help.{role}").rstrip("\n")
        + "\n"
        + catalog.text(language, f"help_more.{role}").strip("\n")
        for role in held
    ]
    return Notice("\n\n".join(sections))


def is_small_talk(text: str) -> bool:
    """A greeting, a thanks or an emoji ("halo", "makasih", "😀"): nothing asked or said.

    Decided here for every channel: a signed-up owner gets a welcome back with what they can
    do (never "I don't understand"); the question desk takes no such text as a question.
    """
    return not terms(text)


def erase_question(catalog: Catalog, language: str, *, yes_key: str = "data.erase_yes") -> Notice:
    """ "Delete all your data?" with yes and no, on every channel (``yes_key``: a channel
    whose buttons are short names a shorter "yes")."""
    t = catalog.text
    yes = Choice(ids.pack(ids.ERASE, "yes"), t(language, yes_key))
    no = Choice(ids.pack(ids.ERASE, "no"), t(language, "data.erase_no"))
    return Notice(t(language, "data.erase_confirm"), (yes, no), (2,))


def erase_answer(choice_id: str | None, *, first_contact: bool) -> bool:
    """Whether a tap on the erase question says "yes, erase" (True) or "no, keep" (False), on
    every channel; StaleAction for any other choice, and for either tapped by someone whose
    first contact this is: the data the question was about is gone already (a double tap of
    "yes", or a tap on the old question after the erasure)."""
    parts = ids.parse(choice_id, ids.ERASE, 1)
    if parts not in (["yes"], ["no"]) or first_contact:
        raise StaleAction(choice_id)
    return parts == ["yes"]


def data_screen(
    catalog: Catalog,
    language: str,
    export: Mapping[str, Any],
    tz: ZoneInfo,
    *,
    nothing_key: str = "data.nothing",
    file_name: str = DATA_FILE,
) -> Notice:
    """The readable summary of everything stored, with the whole export as a file after it.

    ``nothing_key`` names what is kept of someone not signed up (their Telegram id, their
    WhatsApp number); ``file_name`` lets a channel that refuses ``.json`` send ``.json.txt``.
    """
    t = catalog.text
    content = json.dumps(export, ensure_ascii=False, indent=2).encode()
    file = Notice(
        t(language, "data.file_caption"),
        attachment=Attachment("document", file_name, content),
    )
    return Notice(_summary(catalog, language, export, tz, nothing_key), follow_ups=(file,))


def _summary(
    catalog: Catalog, language: str, export: Mapping[str, Any], tz: ZoneInfo, nothing_key: str
) -> str:
    t = catalog.text
    profile = export.get("profile")
    roles = _role_lines(catalog, language, export)
    if not profile and roles:
        return "\n".join([t(language, "data.records.no_profile"), *roles])
    if not profile:
        return t(language, nothing_key)
    consents = [
        t(language, "data.consent_line", when=_when(c["granted_at"], tz, language))
        for c in export["consents"]
    ]
    return t(
        language,
        "data.summary",
        profile=profile_lines(catalog, language, profile),
        consents=Html(", ".join(consents)) if consents else t(language, "data.none"),
        language=t(language, f"lang.{'english' if export['language'] == 'en' else 'indonesian'}"),
        since=_when(export["first_contact"], tz, language),
        records=Html(
            "\n".join(
                [
                    *roles,
                    *_activity_lines(catalog, language, export),
                    *_file_lines(catalog, language, export, tz),
                ]
            )
        ),
    )


SHOWN_FILES = 10  # more are counted; the JSON file lists them all


def _file_lines(
    catalog: Catalog, language: str, export: Mapping[str, Any], tz: ZoneInfo
) -> list[str]:
    """The files the person sent that are kept (name, type, size, date), from the export."""
    files = export.get("files") or []
    if not files:
        return []
    t = catalog.text
    lines = [t(language, "data.files.heading", count=len(files))]
    for f in files[:SHOWN_FILES]:
        lines.append(
            t(
                language,
                "data.files.line",
                name=f["name"] or t(language, f"data.files.{f['sent_with']}"),
                type=t(language, f"data.files.{_file_type(f)}"),
                size=_size(catalog, language, f["size"]),
                when=_when(f["sent_at"], tz, language),
            )
        )
    if len(files) > SHOWN_FILES:
        lines.append(t(language, "data.files.more", count=len(files) - SHOWN_FILES))
    return lines


def _file_type(file: Mapping[str, Any]) -> str:
    if file["kind"] in ("photo", "voice"):
        return str(file["kind"])
    return "pdf" if file["type"] == "application/pdf" else "document"


def _size(catalog: Catalog, language: str, size: int) -> str:
    """ "812 B", "2,4 KB", "1,2 MB" (decimals as the language writes them)."""
    if size < 1024:
        return catalog.text(language, "data.files.bytes", size=size)
    if size < 1024 * 1024:
        return catalog.text(language, "data.files.kb", size=round(size / 1024, 1))
    return catalog.text(language, "data.files.mb", size=round(size / (1024 * 1024), 1))


def _when(iso: str, tz: ZoneInfo, language: str) -> str:
    return format_datetime(datetime.fromisoformat(iso), tz, language)


def _role_lines(catalog: Catalog, language: str, export: Mapping[str, Any]) -> list[str]:
    """A staff member's or trainer's role and stored name, from the export."""
    return [
        catalog.text(
            language,
            "data.records.role",
            role=catalog.text(language, f"data.records.{r['role']}"),
            name=r["name_shown_to_owners"] or catalog.text(language, "data.records.no_name"),
        )
        for r in export.get("roles", ())
    ]


def _activity_lines(catalog: Catalog, language: str, export: Mapping[str, Any]) -> list[str]:
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
