"""The staff export: every view as a workbook sheet, and the same views as CSV files.

Each view is a list of :class:`Column` s over one kind of row, so attendance or feedback
columns later are one more ``Column`` (and one more read) each. Headers and code labels come
from the catalog (Indonesian by default), tips are named by their opening words as owners
read them; times are local (WIB) wall-clock times.
"""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.core.clock import Clock
from bot.core.models import Booking, OwnerProfile, TrainingSession
from bot.formatting import zone_label
from bot.i18n import Catalog
from bot.services.calendar import place_of
from bot.services.tips_content import Tip, TipLibrary, library
from storage.attendance import AttendanceRepository, SessionFeedback
from storage.database import Database
from storage.reports import ReportRepository
from storage.sessions import SessionRepository
from storage.tips import TipCount, TipsRepository

Cell = str | int | float | datetime | None
Row = TypeVar("Row")

CSV_TIME_FORMAT = "%Y-%m-%d %H:%M"
XLSX_TIME_FORMAT = "yyyy-mm-dd hh:mm"
# OWASP's CSV injection advice: a cell a spreadsheet could run starts with one of these, also
# after a separator (Excel in an Indonesian locale splits on ";"), or after leading blanks.
_CONTROL_START = ("\t", "\r")
_FORMULA_START = ("=", "@", "+", "-")
_SEPARATOR = re.compile(r"[;,]")
_SIGNED_NUMBER = re.compile(r"[+-][\d\s().,-]*")  # "+6281234567890", "-7.93": data, not code
_TAG = re.compile(r"<[^>]*>")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")
TIP_TITLE_MAX = 90
ENDED_BOOKINGS = ("cancelled", "declined", "expired")


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


@dataclass(frozen=True)
class BookingLine:
    """A booking with the session and owner it belongs to."""

    booking: Booking
    session: TrainingSession | None
    owner: OwnerProfile | None


@dataclass(frozen=True)
class Totals:
    """What the export holds, counted as the sheets' status columns name it."""

    owners: int
    sessions: int
    cancelled_sessions: int
    confirmed: int
    offered: int
    waitlisted: int
    ended: int  # bookings cancelled, offers declined or expired: rows kept for the record

    @classmethod
    def of(
        cls,
        owners: Sequence[OwnerProfile],
        sessions: Sequence[TrainingSession],
        bookings: Counter[str],
    ) -> Totals:
        """Count owners, sessions (and how many were cancelled) and bookings by status."""
        return cls(
            owners=len(owners),
            sessions=len(sessions),
            cancelled_sessions=sum(s.status == "cancelled" for s in sessions),
            confirmed=bookings["confirmed"],
            offered=bookings["offered"],
            waitlisted=bookings["waitlisted"],
            ended=sum(bookings[status] for status in ENDED_BOOKINGS),
        )


@dataclass(frozen=True)
class Export:
    """Every view of the export; render with :meth:`xlsx`, :meth:`csv_files` or
    :meth:`csv_zip`."""

    sheets: tuple[Sheet, ...]
    created_at: datetime
    totals: Totals

    def sheet(self, slug: str) -> Sheet:
        """Return the view with this slug (``pemilik``, ``sesi``, ``peserta``)."""
        return next(s for s in self.sheets if s.slug == slug)

    def xlsx(self) -> bytes:
        """Render a workbook: one sheet per view, bold frozen header, sized columns."""
        book = Workbook()
        book.remove(book.active)
        for sheet in self.sheets:
            _write_sheet(book.create_sheet(sheet.title), sheet)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    def csv_files(self, stem: str) -> dict[str, bytes]:
        """Render one UTF-8 (with BOM, for Excel) CSV per view, named ``<stem>-<slug>.csv``."""
        return {f"{stem}-{sheet.slug}.csv": sheet_csv(sheet) for sheet in self.sheets}

    def csv_zip(self, stem: str, tz: ZoneInfo) -> bytes:
        """Render every view's CSV file into one ZIP archive, dated when the export was made."""
        local = self.created_at.astimezone(tz)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for name, data in self.csv_files(stem).items():
                entry = zipfile.ZipInfo(name, local.timetuple()[:6])
                entry.compress_type = zipfile.ZIP_DEFLATED
                entry.external_attr = 0o644 << 16  # readable once unpacked
                archive.writestr(entry, data)
        return out.getvalue()


def sheet_csv(sheet: Sheet) -> bytes:
    """Render one view as CSV text encoded UTF-8 with a BOM."""
    text = io.StringIO()
    # every text cell quoted, so no reader splits one at a ";" or "," inside it
    writer = csv.writer(text, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(sheet.headers)
    writer.writerows([_csv_cell(c) for c in row] for row in sheet.rows)
    return text.getvalue().encode("utf-8-sig")


def _csv_cell(cell: Cell) -> Cell:
    if isinstance(cell, datetime):
        return cell.strftime(CSV_TIME_FORMAT)
    if isinstance(cell, str) and _looks_like_formula(cell):
        return "'" + cell  # a typed value must never run as a spreadsheet formula
    return cell


def _looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet could run the text or any part of it after a separator."""
    if text.startswith(_CONTROL_START):
        return True
    return any(_starts_formula(part.lstrip()) for part in _SEPARATOR.split(text))


def _starts_formula(part: str) -> bool:
    return part.startswith(_FORMULA_START) and not _SIGNED_NUMBER.fullmatch(part)


def _write_sheet(ws: Any, sheet: Sheet) -> None:
    ws.append(list(sheet.headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in sheet.rows:
        ws.append(list(row))
    for row_cells in ws.iter_rows(min_row=2):
        for cell in row_cells:
            if isinstance(cell.value, datetime):
                cell.number_format = XLSX_TIME_FORMAT
            elif cell.data_type == "f":
                cell.data_type = "s"  # user text starting with "=" stays text
    for index, width in enumerate(sheet.widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    if sheet.rows:
        ws.auto_filter.ref = ws.dimensions


class ExportService:
    """Read everything staff may export and shape it into views."""

    def __init__(
        self,
        sessions: SessionRepository,
        reports: ReportRepository,
        catalog: Catalog,
        tz: ZoneInfo,
        now: Clock,
        attendance: AttendanceRepository,
        tips: TipsRepository,
        tip_library: TipLibrary | None = None,
    ) -> None:
        self._attendance = attendance
        self._tips = tips
        self._library = tip_library or library()
        self._sessions = sessions
        self._reports = reports
        self._catalog = catalog
        self._tz = tz
        self._now = now

    @classmethod
    def on(
        cls,
        db: Database,
        catalog: Catalog,
        tz: ZoneInfo,
        now: Clock,
        tip_library: TipLibrary | None = None,
    ) -> ExportService:
        """Wire the service to an open database (and the bot's tips file, by default)."""
        return cls(
            SessionRepository(db),
            ReportRepository(db),
            catalog,
            tz,
            now,
            AttendanceRepository(db),
            TipsRepository(db),
            tip_library,
        )

    async def build(self, language: str = "id") -> Export:
        """Read owners, sessions and bookings now and return the views."""
        owners = await self._reports.owner_profiles()
        sessions = await self._sessions.all()
        by_owner = {o.user_id: o for o in owners}
        by_session = {s.id: s for s in sessions}
        bookings = await self._sessions.all_bookings()
        lines = [
            BookingLine(b, by_session.get(b.session_id), by_owner.get(b.user_id)) for b in bookings
        ]
        now = self._now()
        tips = {t.id: t for t in await self._library.tips()}
        zone = zone_label(now.astimezone(self._tz))
        views = _Views(self._catalog, language, self._tz, zone, tips)
        return Export(
            sheets=(
                views.sheet("owners", "pemilik", views.owner_columns(), owners),
                views.sheet("sessions", "sesi", views.session_columns(), sessions),
                views.sheet("bookings", "peserta", views.booking_columns(), lines),
                *await self._statistics(views),
            ),
            created_at=now,
            totals=Totals.of(owners, sessions, Counter(b.status for b in bookings)),
        )

    async def _statistics(self, views: _Views) -> tuple[Sheet, ...]:
        """Attendance, feedback and tips."""
        per_session = await self._attendance.per_session()
        comments = [
            (item.title, *comment)
            for item in per_session
            for comment in await self._attendance.comments(item.session_id)
        ]
        return (
            views.sheet("feedback", "umpan-balik", views.feedback_columns(), per_session),
            views.sheet("comments", "komentar", views.comment_columns(), comments),
            views.sheet("tips", "tips", views.tip_columns(), await self._tips.counts("tip")),
            views.sheet(
                "tip_topics", "topik-tips", views.topic_columns(), await self._tips.counts("topic")
            ),
        )


class _Views:
    """The column lists of each view, in one language."""

    def __init__(
        self, catalog: Catalog, language: str, tz: ZoneInfo, zone: str, tips: dict[str, Tip]
    ) -> None:
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
            Column("phone", lambda o: o.phone, 17),
            Column("marketplaces", self._marketplaces, 30),
            Column("nib", lambda o: o.nib, 16),
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
            Column("phone", lambda x: x.owner.phone if x.owner else None, 17),
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
