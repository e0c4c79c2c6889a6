"""Texts about a session that every channel shows the same way (when, where, seats)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from bot.core.models import SessionStatus, TrainingSession
from bot.formatting import format_datetime, format_time_range
from bot.i18n import Catalog, Html


def when(session: TrainingSession, tz: ZoneInfo, language: str) -> str:
    """Return e.g. "Sabtu, 12 Desember 2026, 09.00–11.00 WIB"."""
    return format_time_range(session.starts_at, session.ends_at, tz, language)


def place(catalog: Catalog, language: str, session: TrainingSession) -> str:
    """The venue (with address) or the online link, as plain text."""
    if session.venue_name:
        if session.venue_address:
            return catalog.text(
                language,
                "session.venue_with_address",
                name=session.venue_name,
                address=session.venue_address,
            )
        return catalog.text(language, "session.venue", name=session.venue_name)
    return catalog.text(language, "session.online", url=session.online_url or "")


def is_online(session: TrainingSession) -> bool:
    """Whether the session happens online: it has a link and no hall."""
    return bool(session.online_url) and not session.venue_name


def preparation(catalog: Catalog, language: str, section: str, session: TrainingSession) -> str:
    """What to prepare, for a hall or for an online session (``section``: booking or reminder)."""
    return catalog.text(language, f"{section}.prep_{'online' if is_online(session) else 'venue'}")


def seats(catalog: Catalog, language: str, session: TrainingSession) -> str:
    """Seats left, or the waitlist length when full."""
    if session.status == SessionStatus.CANCELLED:
        return catalog.text(language, "session.cancelled")
    if session.status == SessionStatus.CLOSED:
        return catalog.text(language, "session.closed")
    if session.seats_left > 0:
        return catalog.text(
            language, "session.seats_left", count=session.seats_left, capacity=session.capacity
        )
    return catalog.text(language, "session.full", waiting=session.waitlisted)


def session_card(
    catalog: Catalog,
    language: str,
    session: TrainingSession,
    tz: ZoneInfo,
    trainers: Mapping[int, str],
) -> str:
    """A session as owners see it."""
    trainer = trainers.get(session.trainer_id or 0) or catalog.text(language, "session.no_trainer")
    return catalog.text(
        language,
        "session.card",
        title=session.title,
        when=when(session, tz, language),
        place=Html(place(catalog, language, session)),
        trainer=trainer,
        seats=Html(seats(catalog, language, session)),
    )


def session_lines(
    catalog: Catalog, language: str, tz: ZoneInfo, sessions: Sequence[TrainingSession]
) -> Html:
    """One line per session: when and what, escaped."""
    return Html(
        "\n".join(
            catalog.text(
                language,
                "staff.session_line",
                when=format_datetime(s.starts_at, tz, language),
                title=s.title,
            )
            for s in sessions
        )
    )
