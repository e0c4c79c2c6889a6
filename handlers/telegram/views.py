"""Telegram's owner screens: the channel-free views of ``bot.services.owner_screens`` as HTML
and inline keyboards (``render``), plus what only Telegram has: the "share my number" reply
keyboard, the recap of answers kept in an edited question. No I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from telegram import (
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)

from bot.core.models import OwnerProfile
from bot.core.notices import Notice
from bot.i18n import Catalog
from bot.services import owner_screens as screens
from bot.services.owner_home import erase_question
from bot.services.owner_screens import ANSWERED_MARK as ANSWERED_MARK
from bot.services.owner_screens import answer_line as answer_line
from bot.services.owner_screens import option_label as option_label
from handlers.telegram.channel import keyboard

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | None
Rendered = tuple[str, InlineKeyboardMarkup | None]


def render(notice: Notice) -> Rendered:
    """A screen as Telegram shows it: its HTML text and its inline keyboard (or none)."""
    return notice.text, keyboard(notice.choices, notice.rows)


def recap_lines(message: object) -> list[str]:
    """The answer lines ("… ✓") a question message already shows above its question."""
    html = message.text_html if isinstance(message, Message) and message.text else ""
    head = html.split("\n\n", 1)[0].split("\n") if "\n\n" in html else []
    return head if head and all(line.endswith(ANSWERED_MARK) for line in head) else []


def marketplace_keyboard(
    catalog: Catalog, language: str, selected: list[str]
) -> InlineKeyboardMarkup | None:
    """Toggle buttons (✅ when chosen) and a "done" button."""
    choices = screens.marketplace_choices(catalog, language, selected)
    return keyboard(choices, screens.marketplace_rows())


def phone_keyboard(catalog: Catalog, language: str) -> ReplyKeyboardMarkup:
    """A reply keyboard with the "share my number" button."""
    return ReplyKeyboardMarkup(
        [[KeyboardButton(catalog.text(language, "ask.share_phone"), request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
        input_field_placeholder=catalog.text(language, "ask.phone_placeholder"),
    )


def shown(catalog: Catalog, language: str, field: str, question: Notice) -> tuple[str, Markup]:
    """A field's question with its buttons; the phone's with the reply keyboard."""
    if field == "phone":
        return question.text, phone_keyboard(catalog, language)
    return render(question)


def step_prompt(
    catalog: Catalog, language: str, flow: str, step: str, data: Mapping[str, Any]
) -> tuple[str, Markup]:
    """The message of the step a sign-up or profile dialog is at, with its buttons.

    Which screen a step shows is decided channel-free by
    :func:`bot.services.owner_screens.step_screen`; Telegram adds the phone's reply keyboard.
    """
    return shown(catalog, language, step, screens.step_screen(catalog, language, flow, step, data))


def consent_prompt(catalog: Catalog, language: str) -> tuple[str, InlineKeyboardMarkup]:
    """The consent notice with agree / decline buttons."""
    text, markup = render(screens.consent(catalog, language))
    assert markup is not None  # the consent always has its two choices
    return text, markup


def profile_view(catalog: Catalog, language: str, profile: OwnerProfile, tz: ZoneInfo) -> Rendered:
    """The stored profile with an edit button per field and a language button."""
    return render(screens.profile_screen(catalog, language, profile, tz))


def language_prompt(catalog: Catalog, language: str) -> Rendered:
    """The language picker."""
    return render(screens.language_picker(catalog, language))


def erase_prompt(catalog: Catalog, language: str) -> Rendered:
    """The "delete my data?" confirmation."""
    return render(erase_question(catalog, language))
