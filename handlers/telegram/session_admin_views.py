"""Pure render functions for /sesibaru and /sesi: state in, text and keyboards out."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.models import SessionStatus, TrainingSession
from bot.formatting import format_day, format_time_range
from bot.i18n import Catalog
from bot.services import session_input
from bot.services.session_drafts import NewSessionDraft
from bot.services.session_editor import CONFIRM, NewSessionStep
from handlers.telegram import callbacks as cb
from handlers.telegram.staff_views import Screen, button, place_lines, rows, trainer_label

MAX_TRAINERS = 20


def chosen_line(
    catalog: Catalog, language: str, step: str, code: str, draft: NewSessionDraft, tz: ZoneInfo
) -> str:
    """Render a tapped answer as the chat keeps it: "Kapasitas: <b>20</b> ✓"."""
    t = catalog.text
    match step:
        case "date" if draft.day is not None:
            day = datetime.combine(draft.day, datetime.min.time(), tzinfo=tz)
            value = format_day(day, tz, language)
        case "place":
            value = t(language, f"staff.chosen.{code}")
        case "coords":
            value = t(language, "staff.chosen.skipped")
        case "capacity":
            value = str(draft.capacity)
        case "trainer":
            value = _trainer(catalog, language, draft)
        case _:
            value = t(language, "staff.cutoff_default")
    field = t(language, f"staff.chosen.field.{step}")
    return t(language, "answer.chosen", field=field, value=value)


def _trainer(catalog: Catalog, language: str, draft: NewSessionDraft) -> str:
    if draft.trainer_id is None:
        return catalog.text(language, "staff.no_trainer")
    return draft.trainer_name or catalog.text(
        language, "staff.trainer_id", id=str(draft.trainer_id)
    )


def new_session_prompt(
    catalog: Catalog, language: str, step: NewSessionStep, tz: ZoneInfo
) -> Screen:
    """Render the question of one step of /sesibaru, with its buttons."""
    if step.step == CONFIRM:
        return new_session_summary(catalog, language, step.draft, tz)
    text = catalog.text(language, f"staff.ask.{step.step}")
    buttons, width = _choices(catalog, language, step)
    return text, InlineKeyboardMarkup(rows(buttons, width)) if buttons else None


def _choices(
    catalog: Catalog, language: str, step: NewSessionStep
) -> tuple[list[InlineKeyboardButton], int]:
    """List the buttons of a question, and how many go in a row."""
    t, kind, name = catalog.text, cb.NEW_SESSION, step.step
    match name:
        case "date":
            days = [button(d.strftime("%d/%m"), kind, name, d.isoformat()) for d in step.days]
            return days, 3
        case "place":
            return [
                button(t(language, "staff.button.venue"), kind, name, "venue"),
                button(t(language, "staff.button.online"), kind, name, "online"),
            ], 2
        case "coords":
            return [button(t(language, "staff.button.skip"), kind, name, "skip")], 2
        case "capacity":
            return [button(str(n), kind, name, str(n)) for n in session_input.CAPACITY_CHOICES], 3
        case "trainer":
            trainers = [
                button(trainer_label(catalog, language, tr), kind, name, str(tr.user_id))
                for tr in step.trainers[:MAX_TRAINERS]
            ]
            return [
                *trainers,
                button(t(language, "staff.button.no_trainer"), kind, name, "none"),
            ], 1
        case "cutoff":
            return [button(t(language, "staff.button.cutoff_default"), kind, name, "default")], 1
    return [], 1


def new_session_summary(
    catalog: Catalog, language: str, draft: NewSessionDraft, tz: ZoneInfo
) -> Screen:
    """Everything staff entered, a ✏️ button per field, and Save and Cancel."""
    t = catalog.text
    session = draft.session_draft(tz)
    hours = draft.cutoff_hours
    cutoff = (
        t(language, "staff.cutoff_hours", hours=hours)
        if hours is not None
        else t(language, "staff.cutoff_default")
    )
    text = t(
        language,
        "staff.summary",
        title=session.title,
        when=format_time_range(session.starts_at, session.ends_at, tz, language),
        place=place_lines(catalog, language, draft),
        capacity=session.capacity,
        trainer=_trainer(catalog, language, draft),
        cutoff=cutoff,
    )
    edits = [
        button(
            t(language, "staff.button.edit", field=t(language, f"staff.field.{field}")),
            cb.NEW_SESSION,
            CONFIRM,
            field,
        )
        for field in session_input.EDITABLE
    ]
    decide = [
        button(t(language, "staff.button.save"), cb.NEW_SESSION, CONFIRM, "save"),
        button(t(language, "staff.button.discard"), cb.NEW_SESSION, CONFIRM, "discard"),
    ]
    return text, InlineKeyboardMarkup([*rows(edits, 2), decide])


def manage_keyboard(
    catalog: Catalog, language: str, session: TrainingSession
) -> InlineKeyboardMarkup:
    """The buttons under a session in /sesi."""
    sid = str(session.id)
    toggle = (
        ("close", "staff.button.close")
        if session.status == SessionStatus.OPEN
        else ("open", "staff.button.open")
    )
    buttons = [
        button(catalog.text(language, "staff.button.time"), cb.SESSION_ADMIN, "time", sid),
        button(catalog.text(language, "staff.button.place"), cb.SESSION_ADMIN, "place", sid),
        button(catalog.text(language, "staff.button.capacity"), cb.SESSION_ADMIN, "cap", sid),
        button(catalog.text(language, toggle[1]), cb.SESSION_ADMIN, toggle[0], sid),
        button(catalog.text(language, "staff.button.cancel"), cb.SESSION_ADMIN, "cancel", sid),
    ]
    return InlineKeyboardMarkup(rows(buttons, 2))


def change_confirm_keyboard(
    catalog: Catalog, language: str, session_id: int
) -> InlineKeyboardMarkup:
    """Save a previewed change of time or place (and tell everyone), or leave it."""
    sid = str(session_id)
    return InlineKeyboardMarkup(
        [
            [
                button(
                    catalog.text(language, "session_change.save"), cb.SESSION_ADMIN, "apply", sid
                ),
                button(
                    catalog.text(language, "session_change.discard"), cb.SESSION_ADMIN, "keep", sid
                ),
            ]
        ]
    )


def cancel_confirm_keyboard(
    catalog: Catalog, language: str, session_id: int
) -> InlineKeyboardMarkup:
    """Ask once more before a session is cancelled."""
    sid = str(session_id)
    return InlineKeyboardMarkup(
        [
            [
                button(
                    catalog.text(language, "staff.button.cancel_yes"),
                    cb.SESSION_ADMIN,
                    "cancelyes",
                    sid,
                )
            ],
            [
                button(
                    catalog.text(language, "staff.button.cancel_no"),
                    cb.SESSION_ADMIN,
                    "cancelno",
                    sid,
                )
            ],
        ]
    )
