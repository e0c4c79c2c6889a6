"""Pure render functions for the staff and trainer screens: state in, text and keyboards out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.models import (
    BookingStatus,
    OutboxStatus,
    Participant,
    SessionFeedback,
    Trainer,
    TrainingSession,
)
from bot.formatting import format_datetime, format_time_range
from bot.i18n import Catalog, Html, escape
from bot.services.delivery_report import OutboxReport
from bot.services.session_screens import page_count, page_of
from bot.services.session_texts import session_lines as session_lines
from bot.services.stats import Stats, fill_rate
from handlers.telegram import callbacks as cb

Screen = tuple[str, InlineKeyboardMarkup | None]


def button(text: str, kind: str, *parts: str) -> InlineKeyboardButton:
    """Build an inline button whose callback data is ``kind`` and ``parts``, packed."""
    return InlineKeyboardButton(text, callback_data=cb.pack(kind, *parts))


def rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    """Lay buttons out ``width`` to a row."""
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def trainer_label(catalog: Catalog, language: str, trainer: Trainer) -> str:
    """A trainer's name, or their Telegram id when they have no profile."""
    return trainer.name or catalog.text(language, "staff.trainer_id", id=str(trainer.user_id))


class Place(Protocol):
    """Where a session happens, as a session and a new session's draft both say it."""

    @property
    def venue_name(self) -> str | None: ...
    @property
    def venue_address(self) -> str | None: ...
    @property
    def latitude(self) -> float | None: ...
    @property
    def longitude(self) -> float | None: ...
    @property
    def online_url(self) -> str | None: ...


def place_lines(catalog: Catalog, language: str, place: Place) -> Html:
    """Render where a session happens (venue, address, map point, meeting link), escaped."""
    lines: list[str] = []
    if place.venue_name:
        lines.append(escape(place.venue_name))
        if place.venue_address:
            lines.append(escape(place.venue_address))
        if place.latitude is not None and place.longitude is not None:
            lines.append(
                catalog.text(
                    language,
                    "staff.map_point",
                    lat=f"{place.latitude:.5f}",
                    lon=f"{place.longitude:.5f}",
                )
            )
    if place.online_url:
        lines.append(catalog.text(language, "staff.online_at", url=place.online_url))
    return Html("\n".join(lines))


def trainer_of(
    catalog: Catalog, language: str, session: TrainingSession, names: Mapping[int, str]
) -> str:
    """Who runs the session, as staff see it; a warning when nobody does."""
    if session.trainer_id is None:
        return catalog.text(language, "staff.card_no_trainer")
    return names.get(session.trainer_id) or catalog.text(
        language, "staff.trainer_id", id=str(session.trainer_id)
    )


def session_card(
    catalog: Catalog,
    language: str,
    tz: ZoneInfo,
    session: TrainingSession,
    names: Mapping[int, str],
) -> str:
    """One session as staff see it: when, where, trainer, seats and status."""
    return catalog.text(
        language,
        "staff.card",
        title=session.title,
        trainer=trainer_of(catalog, language, session, names),
        when=format_time_range(session.starts_at, session.ends_at, tz, language),
        place=place_lines(catalog, language, session),
        confirmed=session.confirmed + session.offered,
        capacity=session.capacity,
        waitlisted=session.waitlisted,
        status=catalog.text(language, f"staff.status.{session.status}"),
        cutoff=format_datetime(session.cutoff_at, tz, language),
    )


def session_picker(
    catalog: Catalog, language: str, tz: ZoneInfo, sessions: Sequence[TrainingSession]
) -> InlineKeyboardMarkup:
    """One button per session for /peserta."""
    return InlineKeyboardMarkup(
        [
            [
                button(
                    f"{s.starts_at.astimezone(tz):%d/%m} · {s.title}"[:60],
                    cb.PARTICIPANTS,
                    str(s.id),
                )
            ]
            for s in sessions[:50]
        ]
    )


NOTE_LINES = 5  # sessions named in the "no trainer" note; the rest are counted
LIST_PAGE = 10  # sessions per list message: well inside Telegram's 4,096 characters


def session_list(
    catalog: Catalog,
    language: str,
    tz: ZoneInfo,
    sessions: Sequence[TrainingSession],
    kind: str,
    page: int = 0,
) -> tuple[str, InlineKeyboardMarkup]:
    """Many sessions as one message: a numbered line each and a button to open each one,
    ten to a page with buttons to turn it.

    Sending one card per session costs one message a second per chat (Telegram's limit),
    so twenty sessions took about twenty seconds; one list costs one message. A page keeps
    the text short whatever the titles (up to 120 characters each).
    """
    pages = page_count(sessions, LIST_PAGE)
    page, on_page = page_of(page, sessions, LIST_PAGE)
    shown = list(enumerate(on_page, page * LIST_PAGE + 1))
    lines = [
        f"{n}. <b>{escape(s.title)}</b>\n"
        f"    {escape(format_time_range(s.starts_at, s.ends_at, tz, language))}"
        for n, s in shown
    ]
    if pages > 1:
        lines.append(catalog.text(language, "owner_lists.page", page=page + 1, pages=pages))
    buttons = [
        [
            button(
                f"{n} · {s.starts_at.astimezone(tz):%d/%m %H.%M} · {s.title}"[:60],
                kind,
                "show",
                str(s.id),
            )
        ]
        for n, s in shown
    ]
    turn = []
    if page > 0:
        turn.append(
            button(catalog.text(language, "owner_lists.previous"), kind, "page", str(page - 1))
        )
    if page < pages - 1:
        turn.append(
            button(catalog.text(language, "owner_lists.next"), kind, "page", str(page + 1))
        )
    return "\n".join(lines), InlineKeyboardMarkup([*buttons, turn] if turn else buttons)


def participants_text(
    catalog: Catalog,
    language: str,
    tz: ZoneInfo,
    session: TrainingSession,
    people: Sequence[Participant],
) -> str:
    """The booked, offered and waitlisted owners of one session with their contacts."""
    sections = [
        catalog.text(
            language,
            "staff.participants.header",
            title=session.title,
            when=format_time_range(session.starts_at, session.ends_at, tz, language),
        )
    ]
    for status in (BookingStatus.CONFIRMED, BookingStatus.OFFERED, BookingStatus.WAITLISTED):
        group = [p for p in people if p.status == status]
        lines = [catalog.text(language, f"staff.participants.{status}", count=len(group))]
        lines += [
            catalog.text(
                language,
                "staff.participants.line",
                number=n,
                name=p.full_name or "—",
                business=p.business_name or "—",
                phone=p.phone or "—",
            )
            + (catalog.text(language, "staff.participants.attended") if p.attended else "")
            + (catalog.text(language, "staff.participants.unreachable") if p.unreachable else "")
            for n, p in enumerate(group, 1)
        ]
        if not group:
            lines.append(catalog.text(language, "staff.participants.none"))
        sections.append("\n".join(lines))
    return "\n\n".join(sections)


def stats_text(catalog: Catalog, language: str, stats: Stats) -> str:
    """The programme at a glance."""
    t = catalog.text
    sessions = "\n".join(
        t(
            language,
            "staff.stats.session_line",
            title=s.title,
            booked=s.confirmed + s.offered,
            capacity=s.capacity,
            rate=fill_rate(s),
            waitlisted=s.waitlisted,
        )
        for s in stats.sessions
    ) or t(language, "staff.stats.none")
    kecamatan = _counts(catalog, language, "kecamatan", stats.by_kecamatan)
    category = _counts(catalog, language, "category", stats.by_category)
    return t(
        language,
        "staff.stats.text",
        owners=stats.owners,
        sessions=Html(sessions),
        waitlisted=stats.waitlisted,
        kecamatan=Html(kecamatan),
        category=Html(category),
        erasures=stats.erasures,
    )


def delivery_text(catalog: Catalog, language: str, report: OutboxReport) -> str:
    """Messages the bot promised to send, and owners it cannot reach."""
    people = "\n".join(
        catalog.text(
            language,
            "staff.delivery.unreachable_line",
            name=owner.name,
            sessions=", ".join(owner.sessions) or "—",
        )
        for owner in report.unreachable
    )
    return catalog.text(
        language,
        "staff.delivery.text",
        pending=report.total(OutboxStatus.PENDING),
        sent=report.total(OutboxStatus.SENT),
        failed=report.total(OutboxStatus.FAILED),
        skipped=report.total(OutboxStatus.SKIPPED),
        uncertain=report.total("uncertain"),
        unreachable=len(report.unreachable),
        people=Html(people),
    ).rstrip()


def _counts(catalog: Catalog, language: str, field: str, counts: list[tuple[str, int]]) -> str:
    if not counts:
        return catalog.text(language, "staff.stats.none")
    keys = catalog.keys(language)
    return "\n".join(
        catalog.text(
            language,
            "staff.stats.count_line",
            label=catalog.text(language, f"option.{field}.{code}")
            if f"option.{field}.{code}" in keys
            else code,
            count=count,
        )
        for code, count in counts
    )


def trainers_screen(catalog: Catalog, language: str, trainers: Sequence[Trainer]) -> Screen:
    """The trainers with a revoke button each, and the invite button."""
    t = catalog.text
    lines = [t(language, "staff.trainers.header")]
    lines += [f"• {escape(trainer_label(catalog, language, tr))}" for tr in trainers]
    if not trainers:
        lines.append(t(language, "staff.trainers.none"))
    buttons = [[button(t(language, "staff.button.invite"), cb.TRAINERS, "invite")]]
    buttons += [
        [
            button(
                t(
                    language,
                    "staff.button.revoke",
                    name=Html(trainer_label(catalog, language, tr)),
                ),
                cb.TRAINERS,
                "revoke",
                str(tr.user_id),
            )
        ]
        for tr in trainers[:50]
    ]
    return "\n".join(lines), InlineKeyboardMarkup(buttons)


def revoke_confirm(
    catalog: Catalog,
    language: str,
    tz: ZoneInfo,
    user_id: int,
    name: str,
    sessions: Sequence[TrainingSession],
) -> Screen:
    """Ask once more before a trainer loses their role, naming the sessions they run."""
    uid = str(user_id)
    text = catalog.text(language, "staff.trainers.revoke_confirm", name=name)
    if sessions:
        text += "\n\n" + catalog.text(
            language,
            "staff.trainers.revoke_will_orphan",
            sessions=session_lines(catalog, language, tz, sessions),
        )
    return text, InlineKeyboardMarkup(
        [
            [
                button(
                    catalog.text(language, "staff.button.revoke_yes"),
                    cb.TRAINERS,
                    "revokeyes",
                    uid,
                )
            ],
            [
                button(
                    catalog.text(language, "staff.button.revoke_no"), cb.TRAINERS, "revokeno", uid
                )
            ],
        ]
    )


def revoked_text(
    catalog: Catalog, language: str, tz: ZoneInfo, name: str, orphaned: Sequence[TrainingSession]
) -> str:
    """What happened when a trainer was revoked: which sessions now have no trainer."""
    text = catalog.text(language, "staff.trainers.revoked", name=name)
    if not orphaned:
        return text + "\n" + catalog.text(language, "staff.trainers.revoked_no_sessions")
    return (
        text
        + "\n\n"
        + catalog.text(
            language,
            "staff.trainers.revoked_orphaned",
            sessions=session_lines(catalog, language, tz, orphaned),
        )
    )


def no_trainer_note(
    catalog: Catalog, language: str, tz: ZoneInfo, sessions: Sequence[TrainingSession]
) -> str:
    """For /sesi: the upcoming sessions nobody runs, or nothing."""
    orphaned = [s for s in sessions if s.trainer_id is None]
    if not orphaned:
        return ""
    note = catalog.text(
        language,
        "staff.manage.no_trainer",
        count=len(orphaned),
        sessions=session_lines(catalog, language, tz, orphaned[:NOTE_LINES]),
    )
    if len(orphaned) > NOTE_LINES:  # the rest are counted, so the message stays short
        note += "\n" + catalog.text(language, "staff.list.more", count=len(orphaned) - NOTE_LINES)
    return note


def feedback_text(catalog: Catalog, language: str, summary: Sequence[SessionFeedback]) -> str:
    """Attendance and average stars per session."""
    lines = [
        catalog.text(
            language,
            "staff.feedback.line",
            title=item.title,
            attended=item.attended,
            ratings=item.ratings,
            average=f"{item.average:.1f}" if item.average else "—",
        )
        for item in summary
        if item.attended or item.ratings
    ]
    body = "\n".join(lines) or catalog.text(language, "staff.stats.none")
    return catalog.text(language, "staff.feedback.title") + "\n" + body
