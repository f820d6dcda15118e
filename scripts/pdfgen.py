"""Build PDFs that look like council documents, for the sample packet, tests and benchmarks.

Text flows over pages and columns with optional running header and footer,
"Packet Pg. N" margin stamps and bill-style line numbers. A paragraph may hold
"\\n" to force line breaks where a test needs a word hyphenated across lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pagesizes import letter
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

PAGE_BREAK = "\f"
FONT = "Helvetica"
BOLD = "Helvetica-Bold"


@dataclass
class Layout:
    header: str | None = None  # may use {page} and {pages}
    footer: str | None = None
    stamp: str | None = None  # drawn rotated in the right margin, e.g. "Packet Pg. {page}"
    line_numbers: bool = False
    # A bill's cover: lines set single-spaced at the top of page 1 without line numbers.
    cover: tuple[str, ...] = ()
    # GPO's production line, drawn at the bottom-left corner, further left than the line numbers.
    slug: str | None = None
    columns: int = 1
    font_size: float = 10.5
    leading: float = 14.0
    margin: float = 72.0
    encrypt: str | None = None  # a user password


def wrap(text: str, width: float, size: float, font: str = FONT) -> list[str]:
    lines: list[str] = []
    for forced in text.split("\n"):
        current = ""
        for word in forced.split():
            candidate = f"{current} {word}".strip()
            if current and stringWidth(candidate, font, size) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
    return lines


def write_pdf(path: str | Path, paragraphs: list[str], layout: Layout | None = None) -> Path:
    """Write ``paragraphs`` (PAGE_BREAK forces a new page; "# " starts a bold heading)."""
    layout = layout or Layout()
    width, height = letter
    gutter = 24.0
    column_width = (width - 2 * layout.margin - gutter * (layout.columns - 1)) / layout.columns
    top = height - layout.margin
    bottom = layout.margin

    # Lay out first, so that the footer can say "Page 3 of 7".
    pages: list[list[tuple[float, float, str, str]]] = [[]]
    column, y = 0, top
    for line in layout.cover:
        pages[0].append((layout.margin, y, line, "cover"))
        y -= layout.font_size * 1.25
    if layout.cover:
        y -= layout.leading

    def new_page() -> None:
        nonlocal column, y
        pages.append([])
        column, y = 0, top

    for paragraph in paragraphs:
        if paragraph == PAGE_BREAK:
            new_page()
            continue
        font = BOLD if paragraph.startswith("# ") else FONT
        text = paragraph[2:] if paragraph.startswith("# ") else paragraph
        for line in wrap(text, column_width, layout.font_size, font):
            if y < bottom:
                column += 1
                y = top
                if column >= layout.columns:
                    new_page()
            x = layout.margin + column * (column_width + gutter)
            pages[-1].append((x, y, line, font))
            y -= layout.leading
        y -= layout.leading * 0.6  # paragraph spacing

    pdf = canvas.Canvas(str(path), pagesize=letter, encrypt=layout.encrypt)
    total = len(pages)
    for number, lines in enumerate(pages, start=1):
        if layout.header:
            pdf.setFont(FONT, 8.5)
            pdf.drawString(layout.margin, height - 40, layout.header.format(page=number, pages=total))
        if layout.footer:
            pdf.setFont(FONT, 8.5)
            pdf.drawCentredString(width / 2, 36, layout.footer.format(page=number, pages=total))
        if layout.stamp:
            pdf.saveState()
            pdf.setFont(FONT, 8)
            pdf.translate(width - 30, height / 2)
            pdf.rotate(90)
            pdf.drawString(0, 0, layout.stamp.format(page=number, pages=total))
            pdf.restoreState()
        if layout.slug:
            pdf.setFont(FONT, 7)
            pdf.drawString(25, 20, layout.slug.format(page=number, pages=total))
        cover = [line for line in lines if line[3] == "cover"]
        for x, y, line, _ in cover:
            pdf.setFont(FONT, layout.font_size)
            pdf.drawString(x, y, line)
        for index, (x, y, line, font) in enumerate(lines[len(cover):], start=1):
            pdf.setFont(font, layout.font_size)
            pdf.drawString(x, y, line)
            if layout.line_numbers:
                pdf.setFont(FONT, 8)
                pdf.drawRightString(layout.margin - 18, y, str(index))
        pdf.showPage()
    pdf.save()
    return Path(path)
