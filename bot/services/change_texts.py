"""How a session change reads: "was → is now" lines and who will be told (any channel)."""

from __future__ import annotations

from collections.abc import Mapping
from zoneinfo import ZoneInfo

from bot.core.models import TrainingSession
from bot.i18n import Catalog, Html
from bot.services import session_texts as sv
from bot.services.session_changes import Audience, aspects_of


def _value(
    catalog: Catalog,
    language: str,
    tz: ZoneInfo,
    aspect: str,
    session: TrainingSession,
    names: Mapping[int, str],
) -> str:
    """One aspect of the session: plain text, or Html (escaped once) for the place."""
    match aspect:
        case "time":
            return sv.when(session, tz, language)
        case "place":
            return Html(sv.place(catalog, language, session))  # escaped by its own catalog text
        case "trainer":
            return names.get(session.trainer_id or 0) or catalog.text(
                language, "session.no_trainer"
            )
    return session.title


def differences(
    catalog: Catalog,
    language: str,
    tz: ZoneInfo,
    before: TrainingSession,
    after: TrainingSession,
    fields: list[str],
    names: Mapping[int, str],
) -> Html:
    """For each aspect that changed (time, place, ...), what it was and what it is now."""
    lines = [
        catalog.text(
            language,
            "session_change.line",
            label=Html(catalog.text(language, f"session_change.label.{aspect}")),
            before=_value(catalog, language, tz, aspect, before, names),
            after=_value(catalog, language, tz, aspect, after, names),
        )
        for aspect in aspects_of(fields)
    ]
    return Html("\n\n".join(lines))


def told(catalog: Catalog, language: str, audience: Audience, names: Mapping[int, str]) -> str:
    """Who is told, e.g. "2 peserta terdaftar, 1 di daftar tunggu dan pelatih (Pak Andi)".

    Empty when nobody is; the text is HTML (names are escaped here).
    """
    parts = [
        catalog.text(
            language, f"session_change.who.{kind}_{'one' if count == 1 else 'many'}", count=count
        )
        for kind, count in (
            ("confirmed", audience.confirmed),
            ("offered", audience.offered),
            ("waitlisted", audience.waitlisted),
        )
        if count
    ]
    if audience.trainer_id is not None:
        name = names.get(audience.trainer_id) or catalog.text(
            language, "session_change.who.a_trainer"
        )
        parts.append(catalog.text(language, "session_change.who.trainer", name=name))
    if len(parts) < 2:
        return "".join(parts)
    conjunction = catalog.text(language, "session_change.who.and")
    return f"{', '.join(parts[:-1])} {conjunction} {parts[-1]}"
