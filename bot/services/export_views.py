"""The columns of each view of the staff export, in one language, and the rows they hold.

Each view is a list of :class:`Column` s over one kind of row; headers and code labels come
from the catalog, tips are named by their opening words, times are local wall-clock times.
Phone numbers and NIBs are :class:`Digits`: text that only looks like a number, which every
file keeps as text (a spreadsheet would drop the ``+`` or the leading zeros).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from bot.core.models import Booking, OwnerProfile, SessionFeedback, TipCount, TrainingSession
from bot.i18n import Catalog
from bot.services.calendar import place_of
from bot.services.tips_content import Tip


class Digits(str):
    """A number that names something (a phone number, an NIB): text, never arithmetic."""

    __slots__ = ()


Cell = str | int | float | datetime | None
Row = TypeVar("Row")

_TAG = re.compile(r"<[^>]*>")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")
TIP_TITLE_MAX = 90
_UNSAFE_IN_FILE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')  # not allowed on Windows


@dataclass(frozen=True)
class Column(Generic[Row]):
    """One column of a view: its header key (``exports.column.<key>``), value and width."""

    key: str
    value: Callable[[Row], Cell]
    width: int = 16


@dataclass(frozen=True)
class Sheet:
    """One view, ready to write: a title, a file-name slug, headers and rows."""

    title: str
    slug: str
    headers: tuple[str, ...]
    widths: tuple[int, ...]
    rows: tuple[tuple[Cell, ...], ...]

    @property
    def file_name(self) -> str:
        """The CSV file's name: the sheet's own title, as the captions name it."""
        return _UNSAFE_IN_FILE_NAME.sub("-", self.title).strip(" .") + ".csv"


@dataclass(frozen=True)
class BookingLine:
    """A booking with the session and owner it belongs to."""

    booking: Booking
    session: TrainingSession | None
    owner: OwnerProfile | None


class ExportViews:
    """The column lists of each view, in one language."""

    def __init__(
        self,
        catalog: Catalog,
        language: str,
        tz: ZoneInfo,
        zone: str,
        tips: dict[str, Tip],
        *,
        channels: Mapping[int, tuple[str, ...]] | None = None,
        trainers: Mapping[int, str] | None = None,
    ) -> None:
        self._channels = channels or {}
        self._trainers = trainers or {}
        self._catalog = catalog
        self._language = language
        self._tz = tz
        self._zone = zone
        self._tips = tips

    def sheet(
        self, name: str, slug: str, columns: Sequence[Column[Row]], rows: Sequence[Row]
    ) -> Sheet:
        """Evaluate the columns over the rows."""
        t, zone = self._catalog.text, self._zone
        return Sheet(
            title=t(self._language, f"exports.sheet.{name}"),
            slug=slug,
            headers=tuple(
                t(self._language, f"exports.column.{c.key}", zone=zone) for c in columns
            ),
            widths=tuple(c.width for c in columns),
            rows=tuple(tuple(c.value(r) for c in columns) for r in rows),
        )

    def owner_columns(self) -> list[Column[OwnerProfile]]:
        """Pemilik UKM: who signed up."""
        return [
            Column("name", lambda o: o.full_name, 24),
            Column("business", lambda o: o.business_name, 24),
            Column("category", lambda o: self._label("option.category", o.category), 22),
            Column("kecamatan", lambda o: self._label("option.kecamatan", o.kecamatan), 18),
            Column("phone", lambda o: Digits(o.phone), 17),
            Column("channel", lambda o: self._channel(o.user_id), 18),
            Column("marketplaces", self._marketplaces, 30),
            Column("nib", lambda o: Digits(o.nib) if o.nib else None, 16),
            Column("registered", lambda o: self._local(o.registered_at), 18),
        ]

    def session_columns(self) -> list[Column[TrainingSession]]:
        """Sesi: every session with its seats."""
        return [
            Column("session_id", lambda s: s.id, 8),
            Column("title", lambda s: s.title, 32),
            Column("starts", lambda s: self._local(s.starts_at), 18),
            Column("ends", lambda s: self._local(s.ends_at), 18),
            Column("place", place_of, 36),
            Column("trainer", self._trainer, 20),
            Column("capacity", lambda s: s.capacity, 11),
            Column("taken", lambda s: s.confirmed, 9),
            Column("waiting", lambda s: s.waitlisted, 14),
            Column("status", lambda s: self._label("exports.session_status", s.status), 12),
        ]

    def booking_columns(self) -> list[Column[BookingLine]]:
        """Booking: who holds or held a seat in which session."""
        return [
            Column("session_id", lambda x: x.booking.session_id, 8),
            Column("session", lambda x: x.session.title if x.session else None, 32),
            Column(
                "session_starts",
                lambda x: self._local(x.session.starts_at) if x.session else None,
                18,
            ),
            Column("name", lambda x: x.owner.full_name if x.owner else None, 24),
            Column("business", lambda x: x.owner.business_name if x.owner else None, 24),
            Column("phone", lambda x: Digits(x.owner.phone) if x.owner else None, 17),
            Column("channel", lambda x: self._channel(x.booking.user_id), 18),
            Column(
                "status", lambda x: self._label("exports.booking_status", x.booking.status), 20
            ),
            Column("created", lambda x: self._local(x.booking.created_at), 18),
            Column(
                "attended",
                lambda x: self._local(x.booking.attended_at) if x.booking.attended_at else None,
                18,
            ),
        ]

    def feedback_columns(self) -> list[Column[SessionFeedback]]:
        """Umpan balik: attendance and stars per session."""
        return [
            Column("session_id", lambda f: f.session_id, 8),
            Column("title", lambda f: f.title, 32),
            Column("attended_count", lambda f: f.attended, 10),
            Column("ratings", lambda f: f.ratings, 10),
            Column("average", lambda f: round(f.average, 2) if f.average else None, 10),
        ]

    def comment_columns(self) -> list[Column[tuple[str, int, str, datetime]]]:
        """Komentar: what attendees wrote."""
        return [
            Column("session", lambda c: c[0], 32),
            Column("stars", lambda c: c[1], 8),
            Column("comment", lambda c: c[2], 60),
            Column("created", lambda c: self._local(c[3]), 18),
        ]

    def tip_columns(self) -> list[Column[TipCount]]:
        """Tips: sent, helpful and not helpful per tip, named as owners read it."""
        return [
            Column("tip", self._tip_title, 60),
            Column("topic", lambda t: self._topic(t.topic), 20),
            Column("sent_count", lambda t: t.sent, 10),
            Column("helpful", lambda t: t.helpful, 12),
            Column("not_helpful", lambda t: t.not_helpful, 14),
            Column("tip_id", lambda t: t.key, 24),
        ]

    def topic_columns(self) -> list[Column[TipCount]]:
        """Tips per topic: sent, helpful and not helpful."""
        return [
            Column("topic", lambda t: self._topic(t.key), 20),
            Column("sent_count", lambda t: t.sent, 10),
            Column("helpful", lambda t: t.helpful, 12),
            Column("not_helpful", lambda t: t.not_helpful, 14),
        ]

    def _tip_title(self, count: TipCount) -> str:
        tip = self._tips.get(count.key)
        if tip is None:  # since removed from the tips file
            return self._catalog.text(self._language, "exports.tip_removed", id=count.key)
        return tip_title(tip, self._language)

    def _channel(self, user_id: int) -> str | None:
        """Where the owner chats with the bot: Telegram, WhatsApp, or both."""
        names = [self._label("exports.channel", c) for c in self._channels.get(user_id, ())]
        return ", ".join(names) or None

    def _trainer(self, session: TrainingSession) -> str | None:
        if session.trainer_id is None:
            return None
        known = self._trainers.get(session.trainer_id)
        return known or self._catalog.text(self._language, "exports.unnamed_trainer")

    def _topic(self, code: str) -> str:
        return self._label("tips.topic", code)

    def _local(self, moment: datetime) -> datetime:
        """Local wall-clock time without a zone (spreadsheets cannot store one)."""
        return moment.astimezone(self._tz).replace(tzinfo=None)

    def _label(self, prefix: str, code: str) -> str:
        try:
            return self._catalog.text(self._language, f"{prefix}.{code}")
        except KeyError:
            return code

    def _marketplaces(self, owner: OwnerProfile) -> str:
        return ", ".join(self._label("option.marketplaces", m) for m in owner.marketplaces)


def tip_title(tip: Tip, language: str) -> str:
    """A tip as a line in a list: its first sentence as owners read it, without markup."""
    text = tip.text.get(language) or next(iter(tip.text.values()), tip.id)
    plain = " ".join(html.unescape(_TAG.sub("", text)).split())
    first = _SENTENCE_END.split(plain, maxsplit=1)[0]
    if len(first) <= TIP_TITLE_MAX:
        return first
    return first[: TIP_TITLE_MAX - 1].rsplit(" ", 1)[0] + "…"
