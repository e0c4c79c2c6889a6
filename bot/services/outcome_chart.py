"""The outcome as a bar chart (PNG, Pillow, DejaVu Sans): for 1, 3 and 6 months after the
session, the share selling online and the share with at least one online order. Sized for
a phone (1080×720), labels in the reader's language, each bar with its percentage."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from bot.services.certificate_pdf import FONTS
from bot.services.outcome_stats import MONTHS, Group

WIDTH, HEIGHT = 1080, 720
GREEN, GOLD, INK, GRID = (20, 83, 45), (176, 141, 57), (33, 37, 41), (222, 226, 230)


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONTS / name), size)


def outcome_chart(
    total: Group, title: str, selling: str, ordering: str, month_label: str, subtitle: str
) -> bytes:
    """The chart as PNG bytes (``month_label`` has ``{n}`` for the month)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.text((40, 28), title, fill=INK, font=_font(40, bold=True))
    draw.text((40, 82), subtitle, fill=INK, font=_font(26))
    left, right, top, bottom = 90, WIDTH - 40, 170, HEIGHT - 110
    for pct in (0, 25, 50, 75, 100):
        y = bottom - (bottom - top) * pct / 100
        draw.line((left, y, right, y), fill=GRID, width=2)
        draw.text((left - 12, y), f"{pct}%", fill=INK, font=_font(20), anchor="rm")
    slot = (right - left) / len(MONTHS)
    bar = slot / 3.2
    for index, month in enumerate(MONTHS):
        x0 = left + index * slot + slot / 2 - bar - 6
        for offset, counts, colour in ((0, total.selling, GREEN), (1, total.ordering, GOLD)):
            share = total.share(counts, month)
            x = x0 + offset * (bar + 12)
            height = (bottom - top) * (share or 0) / 100
            draw.rectangle((x, bottom - height, x + bar, bottom), fill=colour)
            label = "–" if share is None else f"{share}%"
            draw.text(
                (x + bar / 2, bottom - height - 8),
                label,
                fill=INK,
                font=_font(26, True),
                anchor="ms",
            )
        draw.text(
            (left + index * slot + slot / 2, bottom + 16),
            month_label.format(n=month),
            fill=INK,
            font=_font(28),
            anchor="mt",
        )
    legend_y = HEIGHT - 44
    for x, colour, text in ((left, GREEN, selling), (left + 440, GOLD, ordering)):
        draw.rectangle((x, legend_y - 14, x + 28, legend_y + 14), fill=colour)
        draw.text((x + 40, legend_y), text, fill=INK, font=_font(26), anchor="lm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
