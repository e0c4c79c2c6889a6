"""The owners' sign-up and profile screens, channel-free: catalog, language, data in; a Notice out.

Texts are catalog texts in the neutral markup (:mod:`bot.core.markup`); user values go in
through :meth:`bot.i18n.Catalog.text`, which escapes them exactly once. Choices carry the ids
of :mod:`bot.core.choices` and ``rows`` lays them out for channels with keyboards (Telegram
renders it with ``handlers.telegram.channel.keyboard``; WhatsApp picks buttons, a list or
numbered text itself).

A :class:`Room` says how much a channel shows of a screen's choices, and a view fits its
screen to it: when the edit buttons of the summary or the profile are more than the room's
buttons, one "change" choice opens them as a list (:func:`edit_list`). The session and
booking screens in :mod:`bot.services.session_screens` fit titles and lists the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from bot.core import choices as ids
from bot.core.models import OwnerProfile
from bot.core.notices import Choice, Notice
from bot.formatting import format_day
from bot.i18n import Catalog, Html, escape
from bot.services import fields, signup
from bot.services.validation import MARKETPLACES

EDITS = "edits"  # su:v1:edits, pf:v1:edits — show the list of fields to change
ANSWERED_MARK = " ✓"  # how an answered question ends (see the catalog key answer.chosen)


@dataclass(frozen=True)
class Room:
    """How much of a screen's choices a channel shows: buttons, and characters of a title."""

    buttons: int = 100  # choices that show as buttons with the text; more come as one list
    title: int = 64  # characters a button's title shows
    row_title: int = 64  # characters a list row's title shows (a description goes under it)


WIDE = Room()  # a keyboard under the text: every choice a button, titles of 64 characters


def pairs(count: int, width: int = 2) -> tuple[int, ...]:
    """Row sizes that lay ``count`` choices out ``width`` to a row (the last one may be short)."""
    return tuple(min(width, count - start) for start in range(0, count, width))


def with_lead(lead: str | None, notice: Notice) -> Notice:
    """The notice with a paragraph above it (the answer just taken, a greeting, a refusal)."""
    return replace(notice, text=joined(lead, notice.text)) if lead else notice


def joined(*parts: str | None) -> str:
    """The parts that are there, as paragraphs."""
    return "\n\n".join(p for p in parts if p)


def option_label(catalog: Catalog, language: str, field: str, code: str) -> str:
    """The reader's label of one option code."""
    return catalog.text(language, f"option.{field}.{code}")


def field_value(catalog: Catalog, language: str, field: str, value: Any) -> str:
    """One stored field value as plain text (not escaped: it is a value for a text)."""
    if value in (None, "", [], ()):
        return catalog.text(language, "field.empty")
    if field in fields.CHOICE_FIELDS:
        return option_label(catalog, language, field, str(value))
    if field == fields.MULTI_FIELD:
        return ", ".join(option_label(catalog, language, field, c) for c in value)
    return str(value)


def answer_line(catalog: Catalog, language: str, field: str, value: Any) -> str:
    """One answered question as the chat keeps it: "Jenis usaha: <b>Kuliner</b> ✓"."""
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


def option_choices(catalog: Catalog, language: str, field: str) -> tuple[Choice, ...]:
    """One choice per option of a single-choice field."""
    return tuple(
        Choice(ids.pack(ids.ANSWER, field, code), option_label(catalog, language, field, code))
        for code in fields.CHOICE_FIELDS[field]
    )


def marketplace_choices(
    catalog: Catalog, language: str, selected: Sequence[str]
) -> tuple[Choice, ...]:
    """One toggle per marketplace (✅ when chosen), then "done"."""
    field = fields.MULTI_FIELD
    toggles = tuple(
        Choice(
            ids.pack(ids.ANSWER, field, code),
            ("✅ " if code in selected else "") + option_label(catalog, language, field, code),
        )
        for code in MARKETPLACES
    )
    done = Choice(ids.pack(ids.ANSWER, field, "done"), catalog.text(language, "ask.done"))
    return (*toggles, done)


def marketplace_rows() -> tuple[int, ...]:
    """Two marketplaces a row, the last two ("food", "none") and "done" on rows of their own."""
    return (*pairs(len(MARKETPLACES) - 2), 1, 1, 1)


def field_question(
    catalog: Catalog, language: str, field: str, selected: Sequence[str] = ()
) -> Notice:
    """The question for one profile field with its options (``selected``: marketplaces)."""
    text = catalog.text(language, f"ask.{field}")
    if field in fields.CHOICE_FIELDS:
        options = option_choices(catalog, language, field)
        return Notice(text, options, pairs(len(options)))
    if field == fields.MULTI_FIELD:
        return Notice(text, marketplace_choices(catalog, language, selected), marketplace_rows())
    if field == "nib":
        skip = Choice(ids.pack(ids.ANSWER, "nib", "skip"), catalog.text(language, "ask.skip"))
        return Notice(text, (skip,))
    return Notice(text)


def with_step_number(catalog: Catalog, language: str, step: str, notice: Notice) -> Notice:
    """The sign-up question under its counter ("Langkah 2 dari 7")."""
    number = fields.ALL_FIELDS.index(step) + 1
    counter = catalog.text(language, "signup.step", number=number, total=len(fields.ALL_FIELDS))
    return replace(notice, text=f"{counter}\n{notice.text}")


def step_screen(
    catalog: Catalog,
    language: str,
    flow: str,
    step: str,
    data: Mapping[str, Any],
    room: Room = WIDE,
    *,
    ask: Callable[[str, Mapping[str, Any]], Notice] | None = None,
    consent_note: str | None = None,
) -> Notice:
    """The message of the step a sign-up or profile dialog is at, on any channel.

    Consent and the summary are sign-up's own steps; every other step is a field's question
    (``ask``: a channel's own wording of one, by default :func:`field_question`), numbered in
    sign-up ("Langkah 2 dari 7") unless it is a field changed again from the summary.
    ``consent_note``: a channel's own paragraph in the consent (WhatsApp: Meta's part).
    """
    if step == signup.CONSENT:
        return consent(catalog, language, note=consent_note)
    if step == signup.SUMMARY:
        return signup_summary(catalog, language, data, room)
    if ask is None:
        question = field_question(catalog, language, step, data.get("selection", []))
    else:
        question = ask(step, data)
    if flow != signup.FLOW or data.get("editing"):
        return question
    return with_step_number(catalog, language, step, question)


def consent(catalog: Catalog, language: str, *, note: str | None = None) -> Notice:
    """The consent notice with agree / decline (``note``: a paragraph above the question)."""
    t = catalog.text
    text = t(language, "signup.consent")
    if note:
        body, _, question = text.rpartition("\n\n")
        text = joined(body, note, question)
    agree = Choice(ids.pack(ids.SIGNUP, "consent", "yes"), t(language, "signup.consent_yes"))
    decline = Choice(ids.pack(ids.SIGNUP, "consent", "no"), t(language, "signup.consent_no"))
    return Notice(text, (agree, decline), (2,))


def edit_choices(catalog: Catalog, language: str, kind: str) -> tuple[Choice, ...]:
    """One "✏️ field" choice per profile field (``kind``: sign-up ``su`` or profile ``pf``)."""
    t = catalog.text
    return tuple(
        Choice(
            ids.pack(kind, "edit", f),
            t(language, "signup.edit_button", field=t(language, f"field.{f}")),
        )
        for f in fields.ALL_FIELDS
    )


def edit_list(catalog: Catalog, language: str, kind: str) -> Notice:
    """The fields to change, as one list (opened by the "change" choice of a narrow room)."""
    return Notice(catalog.text(language, "wa.edit.which"), edit_choices(catalog, language, kind))


def _edits_fit(room: Room) -> bool:
    """Whether every field's edit button and one more choice show as buttons."""
    return len(fields.ALL_FIELDS) + 1 <= room.buttons


def signup_summary(
    catalog: Catalog, language: str, data: Mapping[str, Any], room: Room = WIDE
) -> Notice:
    """The sign-up summary with an edit choice per field (or one "change") and "confirm"."""
    t = catalog.text
    profile = profile_lines(catalog, language, data)
    confirm = Choice(ids.pack(ids.SIGNUP, "confirm"), t(language, "signup.confirm"))
    if not _edits_fit(room):
        change = Choice(ids.pack(ids.SIGNUP, EDITS), t(language, "wa.signup.change"))
        return Notice(t(language, "wa.signup.summary", profile=profile), (confirm, change))
    edits = edit_choices(catalog, language, ids.SIGNUP)
    text = t(language, "signup.summary", profile=profile)
    return Notice(text, (*edits, confirm), (*pairs(len(edits)), 1))


def profile_screen(
    catalog: Catalog, language: str, profile: OwnerProfile, tz: ZoneInfo, room: Room = WIDE
) -> Notice:
    """The stored profile with an edit choice per field (or one "change") and "language"."""
    t = catalog.text
    values = {field: getattr(profile, field) for field in fields.ALL_FIELDS}
    lines = profile_lines(catalog, language, values)
    since = format_day(profile.registered_at, tz, language)
    switch = Choice(ids.pack(ids.LANGUAGE, "ask"), t(language, "profile.language_button"))
    if not _edits_fit(room):
        change = Choice(ids.pack(ids.PROFILE, EDITS), t(language, "wa.signup.change"))
        text = t(language, "wa.profile.view", profile=lines, since=since)
        return Notice(text, (change, switch))
    edits = edit_choices(catalog, language, ids.PROFILE)
    text = t(language, "profile.view", profile=lines, since=since)
    return Notice(text, (*edits, switch), (*pairs(len(edits)), 1))


def language_picker(catalog: Catalog, language: str) -> Notice:
    """The two languages to choose from."""
    t = catalog.text
    return Notice(
        t(language, "lang.choose"),
        (
            Choice(ids.pack(ids.LANGUAGE, "id"), t(language, "lang.indonesian")),
            Choice(ids.pack(ids.LANGUAGE, "en"), t(language, "lang.english")),
        ),
        (2,),
    )
