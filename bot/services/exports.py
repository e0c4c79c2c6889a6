"""The staff export: every view as a workbook sheet, and the same views as CSV files.

The CSV files are written for Excel as Indonesian offices set it up (the list separator is
``;`` where the decimal comma is ``,``): ``;``-separated, UTF-8 with a BOM, and each named
after its sheet. Phone numbers and NIBs are written ``="+62…"``, the one CSV form Excel,
LibreOffice and Google Sheets all read as text, so the ``+`` and leading zeros stay.

Each view is a list of :class:`Column` s over one kind of row, so attendance or feedback
columns later are one more ``Column`` (and one more read) each. Headers and code labels come
from the catalog (Indonesian by default), tips are named by their opening words as owners
read them; times are local (WIB) wall-clock times.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.core.clock import Clock
from bot.core.models import BookingStatus, OwnerProfile, SessionStatus, TrainingSession
from bot.core.questions import QuestionRecord
from bot.core.repositories import FeedbackReading, OwnerListing, SessionListing, TipCounting
from bot.formatting import zone_label
from bot.i18n import Catalog
from bot.services.export_views import (
    BookingLine,
    Cell,
    Digits,
    ExportViews,
    QuestionLine,
    Sheet,
)
from bot.services.export_views import tip_title as tip_title
from bot.services.outcome_stats import OutcomeRows, outcome_sheet
from bot.services.tips_content import TipLibrary, library

CSV_TIME_FORMAT = "%Y-%m-%d %H:%M"
XLSX_TIME_FORMAT = "yyyy-mm-dd hh:mm"
# OWASP's CSV injection advice: a cell a spreadsheet could run starts with one of these, also
# after a separator (Excel in an Indonesian locale splits on ";"), or after leading blanks.
_CONTROL_START = ("\t", "\r")
_FORMULA_START = ("=", "@", "+", "-")
_SEPARATOR = re.compile(r"[;,]")
_SIGNED_NUMBER = re.compile(r"[+-][\d\s().,-]*")  # "+6281234567890", "-7.93": data, not code
_DIGITS = re.compile(r"\+?[\d ]{1,30}")  # what a Digits cell may hold to be written ="…"
CSV_DELIMITER = ";"
ENDED_BOOKINGS = (BookingStatus.CANCELLED, BookingStatus.DECLINED, BookingStatus.EXPIRED)


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
            cancelled_sessions=sum(s.status == SessionStatus.CANCELLED for s in sessions),
            confirmed=bookings[BookingStatus.CONFIRMED],
            offered=bookings[BookingStatus.OFFERED],
            waitlisted=bookings[BookingStatus.WAITLISTED],
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

    def csv_files(self, prefix: str = "") -> dict[str, bytes]:
        """Render one UTF-8 (with BOM, for Excel) CSV per view, named ``<prefix><title>.csv``."""
        return {prefix + sheet.file_name: sheet_csv(sheet) for sheet in self.sheets}

    def csv_zip(self, tz: ZoneInfo) -> bytes:
        """Render every view's CSV file into one ZIP archive, dated when the export was made."""
        local = self.created_at.astimezone(tz)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for name, data in self.csv_files().items():
                entry = zipfile.ZipInfo(name, local.timetuple()[:6])
                entry.compress_type = zipfile.ZIP_DEFLATED
                entry.external_attr = 0o644 << 16  # readable once unpacked
                archive.writestr(entry, data)
        return out.getvalue()


def sheet_csv(sheet: Sheet) -> bytes:
    """Render one view as ``;``-separated CSV text encoded UTF-8 with a BOM."""
    text = io.StringIO()
    # every text cell quoted, so no reader splits one at a ";" or "," inside it
    writer = csv.writer(
        text, delimiter=CSV_DELIMITER, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC
    )
    writer.writerow(sheet.headers)
    writer.writerows([_csv_cell(c) for c in row] for row in sheet.rows)
    return text.getvalue().encode("utf-8-sig")


def _csv_cell(cell: Cell) -> Cell:
    if isinstance(cell, datetime):
        return cell.strftime(CSV_TIME_FORMAT)
    if isinstance(cell, float):
        return repr(cell).replace(".", ",")  # the decimal comma, as Excel-ID reads a number
    if isinstance(cell, Digits) and _DIGITS.fullmatch(cell):
        return f'="{cell}"'  # a text formula of digits only: the + and leading zeros stay
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
        ws.append([str(c) if isinstance(c, Digits) else c for c in row])
    for values, row_cells in zip(sheet.rows, ws.iter_rows(min_row=2), strict=True):
        for value, cell in zip(values, row_cells, strict=False):
            if isinstance(value, Digits):
                cell.number_format = "@"  # text, also when someone edits it
            elif isinstance(cell.value, datetime):
                cell.number_format = XLSX_TIME_FORMAT
            elif cell.data_type == "f":
                cell.data_type = "s"  # user text starting with "=" stays text
    for index, width in enumerate(sheet.widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    if sheet.rows:
        ws.auto_filter.ref = ws.dimensions


class QuestionRecords(Protocol):
    """Tanya Dinas questions as the export lists them (``QuestionDesk``)."""

    async def records(self, language: str = "id") -> list[QuestionRecord]: ...


class ExportService:
    """Read everything staff may export and shape it into views."""

    def __init__(
        self,
        sessions: SessionListing,
        reports: OwnerListing,
        catalog: Catalog,
        tz: ZoneInfo,
        now: Clock,
        attendance: FeedbackReading,
        tips: TipCounting,
        tip_library: TipLibrary | None = None,
        questions: QuestionRecords | None = None,
        outcomes: OutcomeRows | None = None,
    ) -> None:
        self._questions = questions
        self._outcomes = outcomes
        self._attendance = attendance
        self._tips = tips
        self._library = tip_library or library()
        self._sessions = sessions
        self._reports = reports
        self._catalog = catalog
        self._tz = tz
        self._now = now

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
        views = ExportViews(
            self._catalog,
            language,
            self._tz,
            zone,
            tips,
            channels=await self._reports.owner_channels(),
            trainers=await self._reports.trainer_names(),
        )
        return Export(
            sheets=(
                views.sheet("owners", "pemilik", views.owner_columns(), owners),
                views.sheet("sessions", "sesi", views.session_columns(), sessions),
                views.sheet("bookings", "peserta", views.booking_columns(), lines),
                *await self._statistics(views),
                *await self._questions_sheet(views, by_owner, language),
                *await self._outcome(language),
            ),
            created_at=now,
            totals=Totals.of(owners, sessions, Counter(b.status for b in bookings)),
        )

    async def _questions_sheet(
        self, views: ExportViews, by_owner: dict[int, OwnerProfile], language: str
    ) -> tuple[Sheet, ...]:
        """Tanya Dinas: one row per question, when the export knows the question desk."""
        if self._questions is None:
            return ()
        lines = [
            QuestionLine(r, by_owner.get(r.question.user_id))
            for r in await self._questions.records(language)
        ]
        return (views.sheet("questions", "pertanyaan", views.question_columns(), lines),)

    async def _outcome(self, language: str) -> tuple[Sheet, ...]:
        """Hasil: per trained owner, tasks, certificate and the 1/3/6-month answers."""
        if self._outcomes is None:
            return ()
        return (outcome_sheet(self._catalog, language, await self._outcomes.rows()),)

    async def _statistics(self, views: ExportViews) -> tuple[Sheet, ...]:
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
