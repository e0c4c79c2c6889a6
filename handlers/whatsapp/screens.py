"""Pure builders of the owner's WhatsApp screens: state in, a Notice out. No I/O here.

Texts come from the catalogs in the neutral markup (the channel renders it). Catalog texts
name Telegram's slash commands ("/jadwal"); :func:`for_whatsapp` turns each into the word
an owner types on WhatsApp, in bold, in one place for every notice the edge sends.

No sent message can be edited on WhatsApp, so each step is one new message: the answer just
taken ("Jenis usaha: *Kuliner* ✓"), then the next question with its buttons or list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from bot.core import choices as ids
from bot.core.models import OwnerProfile
from bot.core.notices import Choice, Notice
from bot.formatting import format_day
from bot.i18n import Catalog, Html, escape
from bot.services import fields, signup
from bot.services.validation import MARKETPLACES

MENU = "mn"  # a row of the "Menu" list: mn:v1:<word>
PHONE_FROM_WHATSAPP = "wa"  # ans:v1:phone:wa — use the number the message came from
PHONE_OTHER = "other"  # ans:v1:phone:other — type another number
EDITS = "edits"  # su:v1:edits, pf:v1:edits — show the list of fields to change

# Telegram's slash commands as the words an owner types on WhatsApp, per language. A command
# not listed here keeps its own name as the word (without the slash).
COMMAND_WORDS: dict[str, dict[str, str]] = {
    "start": {"id": "menu", "en": "menu"},
    "daftar": {"en": "sign up"},
    "signup": {"id": "daftar", "en": "sign up"},
    "jadwal": {"en": "schedule"},
    "sessions": {"id": "jadwal", "en": "schedule"},
    "profil": {"en": "profile"},
    "profile": {"id": "profil"},
    "bahasa": {"en": "language"},
    "language": {"id": "bahasa"},
    "datasaya": {"en": "mydata"},
    "mydata": {"id": "datasaya"},
    "hapusdata": {"en": "erase"},
    "deletedata": {"id": "hapusdata", "en": "erase"},
    "berhenti": {"en": "stop"},
    "unsubscribe": {"id": "berhenti", "en": "stop"},
    "mulai": {"en": "start"},
    "subscribe": {"id": "mulai", "en": "start"},
    "bantuan": {"en": "help"},
    "help": {"id": "bantuan"},
    "batal": {"en": "cancel"},
    "cancel": {"id": "batal"},
    "bookingsaya": {"en": "my bookings"},
    "mybooking": {"id": "bookingsaya", "en": "my bookings"},
    "tipsharian": {"en": "daily tips"},
    "dailytips": {"id": "tipsharian", "en": "daily tips"},
}
_COMMAND = re.compile(r"(?<![\w/<\"=:.])/([a-z]{2,32})\b")
_BOLD = re.compile(r"</?b>")


def command_word(command: str, language: str) -> str:
    """The word an owner types on WhatsApp for a Telegram command or a canonical word.

    ``command_word("sessions", "id") == "jadwal"``; ``command_word("daftar", "en") ==
    "sign up"``; a name not listed is its own word.
    """
    return COMMAND_WORDS.get(command, {}).get(language, command)


def _inside_bold(text: str, end: int) -> bool:
    depth = 0
    for tag in _BOLD.findall(text, 0, end):
        depth += -1 if tag == "</b>" else 1
    return depth > 0


def whatsapp_words(text: str, language: str) -> str:
    """Replace each "/command" in neutral-markup text with its WhatsApp word, in bold."""

    def word(match: re.Match[str]) -> str:
        found = escape(command_word(match.group(1), language))
        return found if _inside_bold(text, match.start()) else f"<b>{found}</b>"

    return _COMMAND.sub(word, text)


def for_whatsapp(notice: Notice, language: str) -> Notice:
    """The notice with its (and its follow-ups') command names as WhatsApp words."""
    return replace(
        notice,
        text=whatsapp_words(notice.text, language),
        follow_ups=tuple(for_whatsapp(n, language) for n in notice.follow_ups),
    )


def option_label(catalog: Catalog, language: str, field: str, code: str) -> str:
    """The reader's label of one option code."""
    return catalog.text(language, f"option.{field}.{code}")


def field_value(catalog: Catalog, language: str, field: str, value: Any) -> str:
    """One stored field value as plain text."""
    if value in (None, "", [], ()):
        return catalog.text(language, "field.empty")
    if field in fields.CHOICE_FIELDS:
        return option_label(catalog, language, field, str(value))
    if field == fields.MULTI_FIELD:
        return ", ".join(option_label(catalog, language, field, c) for c in value)
    return str(value)


def answer_line(catalog: Catalog, language: str, field: str, value: Any) -> str:
    """An answer taken, as the next message starts: "Jenis usaha: <b>Kuliner</b> ✓"."""
    return catalog.text(
        language,
        "answer.chosen",
        field=catalog.text(language, "field." + field),
        value=field_value(catalog, language, field, value),
    )


def profile_lines(catalog: Catalog, language: str, values: Mapping[str, Any]) -> Html:
    """The profile fields as "<b>Label:</b> value" lines, values escaped."""
    return Html(
        "\n".join(
            f"<b>{catalog.text(language, 'field.' + field)}:</b> "
            + escape(field_value(catalog, language, field, values.get(field)))
            for field in fields.ALL_FIELDS
        )
    )


def _joined(*parts: str | None) -> str:
    return "\n\n".join(p for p in parts if p)


def consent_notice(catalog: Catalog, language: str, lead: str | None) -> Notice:
    """The consent question (under ``lead``, e.g. the greeting), with agree / decline."""
    t = catalog.text
    body, _, question = t(language, "signup.consent").rpartition("\n\n")
    consent = _joined(body, t(language, "wa.signup.meta_note"), question)
    return Notice(
        _joined(lead, consent),
        (
            Choice(ids.pack(ids.SIGNUP, "consent", "yes"), t(language, "signup.consent_yes")),
            Choice(ids.pack(ids.SIGNUP, "consent", "no"), t(language, "signup.consent_no")),
        ),
    )


def _option_choices(catalog: Catalog, language: str, field: str) -> tuple[Choice, ...]:
    return tuple(
        Choice(ids.pack(ids.ANSWER, field, code), option_label(catalog, language, field, code))
        for code in fields.CHOICE_FIELDS[field]
    )


def marketplace_choices(
    catalog: Catalog, language: str, selected: Sequence[str]
) -> tuple[Choice, ...]:
    """One row per marketplace (✅ when chosen) and "done"."""
    field = fields.MULTI_FIELD
    rows = tuple(
        Choice(
            ids.pack(ids.ANSWER, field, code),
            ("✅ " if code in selected else "") + option_label(catalog, language, field, code),
        )
        for code in MARKETPLACES
    )
    done = Choice(ids.pack(ids.ANSWER, field, "done"), catalog.text(language, "ask.done"))
    return (*rows, done)


def _marketplace_question(catalog: Catalog, language: str, selected: Sequence[str]) -> str:
    t = catalog.text
    chosen = field_value(catalog, language, fields.MULTI_FIELD, list(selected))
    status = t(language, "wa.ask.marketplaces_chosen", chosen=chosen) if selected else None
    return _joined(t(language, "wa.ask.marketplaces"), status)


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
    t = catalog.text
    if field == "phone":
        return phone_notice(catalog, language, sender_phone)
    if field in fields.CHOICE_FIELDS:
        return Notice(t(language, f"ask.{field}"), _option_choices(catalog, language, field))
    if field == fields.MULTI_FIELD:
        selected = list(data.get("selection", []))
        return Notice(
            _marketplace_question(catalog, language, selected),
            marketplace_choices(catalog, language, selected),
        )
    if field == "nib":
        skip = Choice(ids.pack(ids.ANSWER, "nib", "skip"), t(language, "ask.skip"))
        return Notice(t(language, "wa.ask.nib"), (skip,))
    return Notice(t(language, f"ask.{field}"))


def summary_notice(catalog: Catalog, language: str, data: Mapping[str, Any]) -> Notice:
    """The sign-up summary with "confirm" and "change something"."""
    t = catalog.text
    text = t(language, "wa.signup.summary", profile=profile_lines(catalog, language, data))
    return Notice(
        text,
        (
            Choice(ids.pack(ids.SIGNUP, "confirm"), t(language, "signup.confirm")),
            Choice(ids.pack(ids.SIGNUP, EDITS), t(language, "wa.signup.change")),
        ),
    )


def edit_list_notice(catalog: Catalog, language: str, kind: str) -> Notice:
    """The list of fields to change (sign-up summary ``su`` or profile ``pf``)."""
    t = catalog.text
    rows = tuple(
        Choice(
            ids.pack(kind, "edit", f),
            t(language, "signup.edit_button", field=t(language, f"field.{f}")),
        )
        for f in fields.ALL_FIELDS
    )
    return Notice(t(language, "wa.edit.which"), rows)


def step_notice(
    catalog: Catalog,
    language: str,
    step: str,
    data: Mapping[str, Any],
    sender_phone: str | None,
    *,
    numbered: bool,
) -> Notice:
    """The message of one sign-up or profile step (``numbered``: "Langkah 2 dari 7")."""
    if step == signup.SUMMARY:
        return summary_notice(catalog, language, data)
    question = field_notice(catalog, language, step, data, sender_phone)
    if not numbered or data.get("editing"):
        return question
    number = fields.ALL_FIELDS.index(step) + 1
    counter = catalog.text(language, "signup.step", number=number, total=len(fields.ALL_FIELDS))
    return replace(question, text=f"{counter}\n{question.text}")


def with_lead(lead: str | None, notice: Notice) -> Notice:
    """The notice with a line above it (the answer just taken, or a refusal)."""
    return replace(notice, text=_joined(lead, notice.text)) if lead else notice


def profile_notice(catalog: Catalog, language: str, profile: OwnerProfile, tz: ZoneInfo) -> Notice:
    """The stored profile with "change something" and "language" buttons."""
    t = catalog.text
    values = {field: getattr(profile, field) for field in fields.ALL_FIELDS}
    text = t(
        language,
        "wa.profile.view",
        profile=profile_lines(catalog, language, values),
        since=format_day(profile.registered_at, tz, language),
    )
    return Notice(
        text,
        (
            Choice(ids.pack(ids.PROFILE, EDITS), t(language, "wa.signup.change")),
            Choice(ids.pack(ids.LANGUAGE, "ask"), t(language, "profile.language_button")),
        ),
    )


def language_notice(catalog: Catalog, language: str) -> Notice:
    """The language picker."""
    t = catalog.text
    return Notice(
        t(language, "lang.choose"),
        (
            Choice(ids.pack(ids.LANGUAGE, "id"), t(language, "lang.indonesian")),
            Choice(ids.pack(ids.LANGUAGE, "en"), t(language, "lang.english")),
        ),
    )


def menu_notice(
    catalog: Catalog, language: str, rows: Sequence[tuple[str, str, str | None]], lead: str
) -> Notice:
    """The "Menu" list: (word, title key, description key) rows under ``lead``."""
    t = catalog.text
    return Notice(
        lead,
        tuple(
            Choice(ids.pack(MENU, word), t(language, title), t(language, about) if about else None)
            for word, title, about in rows
        ),
    )


def help_notice(catalog: Catalog, language: str, rows: Sequence[tuple[str, str | None]]) -> Notice:
    """The words the owner can type: one line per (word, title key), then the rest."""
    t = catalog.text
    lines = [
        t(language, "wa.help.line", word=command_word(word, language), about=t(language, about))
        for word, about in rows
        if about
    ]
    return Notice("\n".join([t(language, "wa.help.lead"), *lines, t(language, "wa.help.tail")]))
