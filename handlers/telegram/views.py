"""Pure render functions: state in, text and keyboards out. No I/O here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)

from bot.core.models import OwnerProfile
from bot.formatting import format_datetime, format_day
from bot.i18n import Catalog, Html, escape
from bot.services import fields, signup
from bot.services.validation import MARKETPLACES
from handlers.telegram import callbacks as cb

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | None
# How an answered question ends (see the catalog key answer.chosen).
ANSWERED_MARK = " ✓"


def option_label(catalog: Catalog, language: str, field: str, code: str) -> str:
    """Return the reader's label of one option code."""
    return catalog.text(language, f"option.{field}.{code}")


def field_value(catalog: Catalog, language: str, field: str, value: Any) -> str:
    """Render one stored field value as plain text."""
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


def recap_lines(message: object) -> list[str]:
    """The answer lines ("… ✓") a question message already shows above its question."""
    html = message.text_html if isinstance(message, Message) and message.text else ""
    head = html.split("\n\n", 1)[0].split("\n") if "\n\n" in html else []
    return head if head and all(line.endswith(ANSWERED_MARK) for line in head) else []


def profile_lines(catalog: Catalog, language: str, values: Mapping[str, Any]) -> Html:
    """Render the profile fields as "<b>Label:</b> value" lines, values escaped."""
    return Html(
        "\n".join(
            f"<b>{catalog.text(language, 'field.' + field)}:</b> "
            + escape(field_value(catalog, language, field, values.get(field)))
            for field in fields.ALL_FIELDS
        )
    )


def _rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def choice_keyboard(catalog: Catalog, language: str, field: str) -> InlineKeyboardMarkup:
    """One button per option of a single-choice field."""
    buttons = [
        InlineKeyboardButton(
            option_label(catalog, language, field, code),
            callback_data=cb.pack(cb.ANSWER, field, code),
        )
        for code in fields.CHOICE_FIELDS[field]
    ]
    return InlineKeyboardMarkup(_rows(buttons, 2))


def marketplace_keyboard(
    catalog: Catalog, language: str, selected: Sequence[str]
) -> InlineKeyboardMarkup:
    """Toggle buttons (✅ when chosen) and a "done" button."""
    field = fields.MULTI_FIELD
    buttons = [
        InlineKeyboardButton(
            ("✅ " if code in selected else "") + option_label(catalog, language, field, code),
            callback_data=cb.pack(cb.ANSWER, field, code),
        )
        for code in MARKETPLACES
    ]
    done = InlineKeyboardButton(
        catalog.text(language, "ask.done"), callback_data=cb.pack(cb.ANSWER, field, "done")
    )
    return InlineKeyboardMarkup([*_rows(buttons[:-2], 2), *_rows(buttons[-2:], 1), [done]])


def phone_keyboard(catalog: Catalog, language: str) -> ReplyKeyboardMarkup:
    """A reply keyboard with the "share my number" button."""
    return ReplyKeyboardMarkup(
        [[KeyboardButton(catalog.text(language, "ask.share_phone"), request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
        input_field_placeholder=catalog.text(language, "ask.phone_placeholder"),
    )


def field_prompt(
    catalog: Catalog, language: str, field: str, data: Mapping[str, Any]
) -> tuple[str, Markup]:
    """The question for one field, with its buttons."""
    text = catalog.text(language, f"ask.{field}")
    if field in fields.CHOICE_FIELDS:
        return text, choice_keyboard(catalog, language, field)
    if field == fields.MULTI_FIELD:
        return text, marketplace_keyboard(catalog, language, data.get("selection", []))
    if field == "phone":
        return text, phone_keyboard(catalog, language)
    if field == "nib":
        skip = InlineKeyboardButton(
            catalog.text(language, "ask.skip"), callback_data=cb.pack(cb.ANSWER, "nib", "skip")
        )
        return text, InlineKeyboardMarkup([[skip]])
    return text, None


def edit_buttons(catalog: Catalog, language: str, kind: str) -> list[list[InlineKeyboardButton]]:
    """One "✏️ field" button per profile field, two per row."""
    buttons = [
        InlineKeyboardButton(
            catalog.text(
                language, "signup.edit_button", field=catalog.text(language, f"field.{f}")
            ),
            callback_data=cb.pack(kind, "edit", f),
        )
        for f in fields.ALL_FIELDS
    ]
    return _rows(buttons, 2)


def consent_prompt(catalog: Catalog, language: str) -> tuple[str, InlineKeyboardMarkup]:
    """The consent notice with agree / decline buttons."""
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    catalog.text(language, "signup.consent_yes"),
                    callback_data=cb.pack(cb.SIGNUP, "consent", "yes"),
                ),
                InlineKeyboardButton(
                    catalog.text(language, "signup.consent_no"),
                    callback_data=cb.pack(cb.SIGNUP, "consent", "no"),
                ),
            ]
        ]
    )
    return catalog.text(language, "signup.consent"), keyboard


def summary_prompt(
    catalog: Catalog, language: str, data: Mapping[str, Any]
) -> tuple[str, InlineKeyboardMarkup]:
    """The sign-up summary with an edit button per field and "confirm"."""
    confirm = InlineKeyboardButton(
        catalog.text(language, "signup.confirm"), callback_data=cb.pack(cb.SIGNUP, "confirm")
    )
    text = catalog.text(language, "signup.summary", profile=profile_lines(catalog, language, data))
    return text, InlineKeyboardMarkup([*edit_buttons(catalog, language, cb.SIGNUP), [confirm]])


def signup_prompt(
    catalog: Catalog, language: str, step: str, data: Mapping[str, Any]
) -> tuple[str, Markup]:
    """The message for one sign-up step, numbered for the field steps."""
    if step == signup.CONSENT:
        return consent_prompt(catalog, language)
    if step == signup.SUMMARY:
        return summary_prompt(catalog, language, data)
    text, markup = field_prompt(catalog, language, step, data)
    number = fields.ALL_FIELDS.index(step) + 1
    counter = catalog.text(language, "signup.step", number=number, total=len(fields.ALL_FIELDS))
    return f"{counter}\n{text}", markup


def profile_view(
    catalog: Catalog, language: str, profile: OwnerProfile, tz: ZoneInfo
) -> tuple[str, InlineKeyboardMarkup]:
    """The stored profile with an edit button per field and a language button."""
    values = {field: getattr(profile, field) for field in fields.ALL_FIELDS}
    text = catalog.text(
        language,
        "profile.view",
        profile=profile_lines(catalog, language, values),
        since=format_day(profile.registered_at, tz, language),
    )
    language_button = InlineKeyboardButton(
        catalog.text(language, "profile.language_button"),
        callback_data=cb.pack(cb.LANGUAGE, "ask"),
    )
    keyboard = [*edit_buttons(catalog, language, cb.PROFILE), [language_button]]
    return text, InlineKeyboardMarkup(keyboard)


def language_prompt(catalog: Catalog, language: str) -> tuple[str, InlineKeyboardMarkup]:
    """The language picker."""
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    catalog.text(language, "lang.indonesian"),
                    callback_data=cb.pack(cb.LANGUAGE, "id"),
                ),
                InlineKeyboardButton(
                    catalog.text(language, "lang.english"),
                    callback_data=cb.pack(cb.LANGUAGE, "en"),
                ),
            ]
        ]
    )
    return catalog.text(language, "lang.choose"), keyboard


def erase_prompt(catalog: Catalog, language: str) -> tuple[str, InlineKeyboardMarkup]:
    """The "delete my data?" confirmation."""
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    catalog.text(language, "data.erase_yes"),
                    callback_data=cb.pack(cb.ERASE, "yes"),
                ),
                InlineKeyboardButton(
                    catalog.text(language, "data.erase_no"), callback_data=cb.pack(cb.ERASE, "no")
                ),
            ]
        ]
    )
    return catalog.text(language, "data.erase_confirm"), keyboard


def data_summary(catalog: Catalog, language: str, export: Mapping[str, Any], tz: ZoneInfo) -> str:
    """The readable part of /datasaya."""
    profile = export.get("profile")
    roles = _role_lines(catalog, language, export)
    if not profile and roles:
        return "\n".join([catalog.text(language, "data.records.no_profile"), *roles])
    if not profile:
        return catalog.text(language, "data.nothing")
    consents = [
        catalog.text(
            language,
            "data.consent_line",
            when=format_datetime(datetime.fromisoformat(c["granted_at"]), tz, language),
        )
        for c in export["consents"]
    ]
    return catalog.text(
        language,
        "data.summary",
        profile=profile_lines(catalog, language, profile),
        consents=Html(", ".join(consents)) if consents else catalog.text(language, "data.none"),
        language=catalog.text(
            language, f"lang.{'english' if export['language'] == 'en' else 'indonesian'}"
        ),
        since=format_datetime(datetime.fromisoformat(export["first_contact"]), tz, language),
        records=Html("\n".join([*roles, *_activity_lines(catalog, language, export)])),
    )


def _role_lines(catalog: Catalog, language: str, export: Mapping[str, Any]) -> list[str]:
    """A staff member's or trainer's role and stored Telegram name, from the export."""
    return [
        catalog.text(
            language,
            "data.records.role",
            role=catalog.text(language, f"data.records.{r['role']}"),
            name=r["name_shown_to_owners"] or catalog.text(language, "data.records.no_name"),
        )
        for r in export["roles"]
    ]


def _activity_lines(catalog: Catalog, language: str, export: Mapping[str, Any]) -> list[str]:
    """Counts of the person's history and their settings, from the export."""
    t = catalog.text
    bookings = export["bookings"]
    rated = [b["feedback"] for b in bookings if b["feedback"]]
    activity = t(
        language,
        "data.records.activity",
        bookings=len(bookings),
        attended=sum(1 for b in bookings if b["attended_at"]),
        ratings=len(rated),
        comments=sum(1 for f in rated if f["comment"]),
        tips=len(export["tips_received"]),
        opinions=len(export["tip_opinions"]),
    )
    settings = export["settings"]
    daily = settings["daily_tip"]
    return [
        activity,
        t(
            language,
            "data.records.settings",
            daily=(
                Html(t(language, f"tips.slot.{daily['slot']}"))
                if daily and daily["active"]
                else t(language, f"data.records.daily_{'paused' if daily else 'none'}")
            ),
            announcements=t(
                language,
                f"data.records.announcements_{'on' if settings['announcements'] else 'off'}",
            ),
        ),
    ]
