"""What only WhatsApp's owner screens have: command words, the phone check, the menu. No I/O.

The screens themselves are channel-free (``bot.services.owner_screens`` and
``session_screens``); :data:`ROOM` tells them how much WhatsApp shows of choices (three
buttons of 20 characters, else a list), so they fit their titles and lists to it. This
module adds what is WhatsApp's own: Meta's part in the consent, the sender's number to
confirm, a marketplace question that says what is chosen, the "Menu" list and help.

Texts come from the catalogs in the neutral markup (the channel renders it). Catalog texts
name Telegram's slash commands ("/jadwal"); :func:`for_whatsapp` turns each into the word
an owner types on WhatsApp, in bold, for every notice the edge sends (the word for each
command is decided in :mod:`bot.services.command_words`).

No sent message can be edited on WhatsApp, so each step is one new message: the answer just
taken ("Jenis usaha: *Kuliner* ✓"), then the next question with its buttons or list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from bot.core import choices as ids
from bot.core.models import OwnerProfile
from bot.core.notices import ChannelName, Choice, Notice
from bot.i18n import Catalog
from bot.services import command_words, fields, owner_screens
from bot.services.owner_menu import MenuEntry
from bot.services.owner_screens import Room
from bot.services.owner_screens import profile_lines as profile_lines
from bot.services.owner_screens import with_lead as with_lead
from bot.services.profile_steps import PHONE_FROM_SENDER as PHONE_FROM_WHATSAPP
from bot.services.profile_steps import PHONE_OTHER
from handlers.whatsapp.render import MAX_BUTTON_TITLE, MAX_BUTTONS, MAX_ROW_TITLE, plain_text

MENU = "mn"  # a row of the "Menu" list: mn:v1:<word>


def command_word(command: str, language: str) -> str:
    """The word an owner types on WhatsApp for a Telegram command or a canonical word
    (decided in :mod:`bot.services.command_words`)."""
    return command_words.command(command, ChannelName.WHATSAPP, language)


def whatsapp_words(text: str, language: str) -> str:
    """Replace each "/command" in neutral-markup text with its WhatsApp word, in bold."""
    return command_words.as_typed(text, ChannelName.WHATSAPP, language)


def for_whatsapp(notice: Notice, language: str) -> Notice:
    """The notice with its (and its follow-ups') command names as WhatsApp words."""
    return replace(
        notice,
        text=whatsapp_words(notice.text, language),
        follow_ups=tuple(for_whatsapp(n, language) for n in notice.follow_ups),
    )


def whatsapp_preview(notice: Notice, language: str) -> str:
    """The text a WhatsApp owner reads of ``notice`` (for a sender's preview on Telegram)."""
    return plain_text(for_whatsapp(notice, language))


ROOM = Room(buttons=MAX_BUTTONS, title=MAX_BUTTON_TITLE, row_title=MAX_ROW_TITLE)


def _marketplace_question(catalog: Catalog, language: str, selected: Sequence[str]) -> str:
    """The question, and what is chosen so far (a sent list cannot show its ✅ change)."""
    t = catalog.text
    chosen = owner_screens.field_value(catalog, language, fields.MULTI_FIELD, list(selected))
    status = t(language, "wa.ask.marketplaces_chosen", chosen=chosen) if selected else None
    return owner_screens.joined(t(language, "wa.ask.marketplaces"), status)


def phone_notice(catalog: Catalog, language: str, sender_phone: str | None) -> Notice:
    """Confirm the number the message came from, or ask to type one."""
    t = catalog.text
    if sender_phone is None:
        return Notice(t(language, "wa.ask.phone"))
    return Notice(
        t(language, "wa.ask.phone_confirm", phone=sender_phone),
        (
            Choice(
                ids.pack(ids.ANSWER, "phone", PHONE_FROM_WHATSAPP), t(language, "wa.phone.yes")
            ),
            Choice(ids.pack(ids.ANSWER, "phone", PHONE_OTHER), t(language, "wa.phone.other")),
        ),
    )


def field_notice(
    catalog: Catalog,
    language: str,
    field: str,
    data: Mapping[str, Any],
    sender_phone: str | None,
) -> Notice:
    """The question for one profile field, with its buttons or list."""
    if field == "phone":
        return phone_notice(catalog, language, sender_phone)
    selected = list(data.get("selection", []))
    question = owner_screens.field_question(catalog, language, field, selected)
    if field == fields.MULTI_FIELD:
        return replace(question, text=_marketplace_question(catalog, language, selected))
    if field == "nib":
        return replace(question, text=catalog.text(language, "wa.ask.nib"))
    return question


def step_notice(
    catalog: Catalog,
    language: str,
    flow: str,
    step: str,
    data: Mapping[str, Any],
    sender_phone: str | None,
) -> Notice:
    """The message of one sign-up or profile step, with WhatsApp's own wording where it has one.

    Which screen a step shows is decided once, channel-free, by
    :func:`bot.services.owner_screens.step_screen` (the consent too: issue 21).
    """

    def ask(field: str, values: Mapping[str, Any]) -> Notice:
        return field_notice(catalog, language, field, values, sender_phone)

    note = catalog.text(language, "wa.signup.meta_note")
    return owner_screens.step_screen(
        catalog, language, flow, step, data, ROOM, ask=ask, consent_note=note
    )


def profile_notice(catalog: Catalog, language: str, profile: OwnerProfile, tz: ZoneInfo) -> Notice:
    """The stored profile with "change something" and "language" buttons."""
    return owner_screens.profile_screen(catalog, language, profile, tz, ROOM)


def menu_notice(entries: Sequence[MenuEntry], lead: str, button: str) -> Notice:
    """The "Menu" list: a row per entry (title, description) under ``lead``; ``button``
    opens it (the lead says "Buka Menu")."""
    rows = tuple(Choice(ids.pack(MENU, e.word), e.title, e.about) for e in entries)
    return Notice(lead, rows, choices_label=button)
