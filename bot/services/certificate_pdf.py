"""The certificate as a PDF a person would frame: A4 landscape, DejaVu Sans (shipped in
``bot/assets/fonts`` with its licence, so any Indonesian name prints), a double frame, the
owner and business, the session and its date, the trainer, the programme, and the
verification code with its QR code (segno). Pure: the same certificate gives the same bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import segno
from fpdf import FPDF

FONTS = Path(__file__).resolve().parents[1] / "assets" / "fonts"
INK = (33, 37, 41)
GREEN = (20, 83, 45)
GOLD = (176, 141, 57)
FIXED = datetime(2026, 1, 1, tzinfo=UTC)  # creation date: the bytes depend on the text only


@dataclass(frozen=True)
class CertificateText:
    """Every line of the certificate, already in the reader's language."""

    heading: str  # "SERTIFIKAT"
    subheading: str  # "Penyelesaian Pelatihan dan Tugas Latihan"
    given_to: str  # "diberikan kepada"
    owner: str
    business: str
    completed: str  # "yang telah mengikuti sesi dan menyelesaikan tugas latihannya"
    session: str
    when: str
    trainer: str  # "Pelatih: Pak Joko"
    programme: str
    organiser: str
    code_label: str  # "Kode verifikasi: DDL-…"
    check_hint: str  # "Cek keaslian: kirim "cek DDL-…" ke Dodolan"
    qr_payload: str


def qr_png(payload: str) -> bytes:
    """The QR code of ``payload`` as a PNG (error correction M, a quiet zone of 4)."""
    buffer = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()


def render(text: CertificateText) -> bytes:
    """The certificate as PDF bytes."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_creation_date(FIXED)
    pdf.set_title(f"{text.heading} {text.owner}")
    pdf.set_author(text.organiser)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    _frame(pdf)
    pdf.set_text_color(*GREEN)
    pdf.set_font("DejaVu", "B", 40)
    pdf.set_xy(20, 28)
    pdf.cell(257, 16, text.heading, align="C")
    pdf.set_font("DejaVu", "", 15)
    pdf.set_text_color(*GOLD)
    pdf.set_xy(20, 46)
    pdf.cell(257, 8, text.subheading, align="C")
    pdf.set_text_color(*INK)
    pdf.set_font("DejaVu", "", 13)
    pdf.set_xy(20, 62)
    pdf.cell(257, 7, text.given_to, align="C")
    _fit(pdf, text.owner, "B", 30, 240)
    pdf.set_xy(20, 72)
    pdf.cell(257, 14, text.owner, align="C")
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.5)
    pdf.line(78, 88, 219, 88)
    _fit(pdf, text.business, "", 14, 240)
    pdf.set_xy(20, 91)
    pdf.cell(257, 8, text.business, align="C")
    pdf.set_font("DejaVu", "", 12)
    pdf.set_xy(20, 105)
    pdf.cell(257, 7, text.completed, align="C")
    pdf.set_font("DejaVu", "B", 18)
    pdf.set_xy(30, 114)
    pdf.multi_cell(237, 9, text.session, align="C")
    pdf.set_font("DejaVu", "", 12)
    pdf.set_xy(20, pdf.get_y() + 2)
    pdf.cell(257, 7, text.when, align="C")
    pdf.set_xy(20, pdf.get_y() + 8)
    pdf.cell(257, 7, text.trainer, align="C")
    _footer(pdf, text)
    return bytes(pdf.output())


def _fit(pdf: FPDF, line: str, style: str, size: int, width: float) -> None:
    """Set the font, smaller if needed, so that ``line`` fits ``width`` mm (a long name)."""
    pdf.set_font("DejaVu", style, size)
    while size > 10 and pdf.get_string_width(line) > width:
        size -= 1
        pdf.set_font("DejaVu", style, size)


def _frame(pdf: FPDF) -> None:
    """A double frame: a thick green line and a thin gold one inside it."""
    pdf.set_draw_color(*GREEN)
    pdf.set_line_width(2.2)
    pdf.rect(8, 8, 281, 194)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.6)
    pdf.rect(13, 13, 271, 184)


def _footer(pdf: FPDF, text: CertificateText) -> None:
    """The programme and organiser on the left, the QR code and its code on the right."""
    pdf.set_text_color(*GREEN)
    pdf.set_font("DejaVu", "B", 13)
    pdf.set_xy(24, 160)
    pdf.cell(190, 7, text.programme)
    pdf.set_text_color(*INK)
    pdf.set_font("DejaVu", "", 10)
    pdf.set_xy(24, 168)
    pdf.multi_cell(190, 5, text.organiser)
    pdf.image(io.BytesIO(qr_png(text.qr_payload)), x=238, y=148, w=36, h=36)
    pdf.set_font("DejaVu", "B", 9)
    pdf.set_xy(200, 185)
    pdf.cell(74, 5, text.code_label, align="R")
    pdf.set_font("DejaVu", "", 8)
    pdf.set_xy(24, 185)
    pdf.cell(170, 5, text.check_hint)
