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


def write_front_loaded_pdf(path: str | Path, pages: list[str], xref_stream: bool = False, junk: bytes = b"") -> Path:
    """One page per string (lines split at "\\n"), written catalog, page tree and cross-reference first.

    That is the object order of linearized ("Fast Web View") PDFs, which is how many
    servers hand documents out: a download cut off after a few pages still opens, and
    only the page tree says how many pages there were. ``xref_stream`` writes the
    cross-reference section as a PDF 1.5 stream; ``junk`` goes before the ``%PDF``
    header (what some portals prepend), which shifts every recorded offset.
    """
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
    kids = []
    for index, text in enumerate(pages):
        page, content = 4 + 2 * index, 5 + 2 * index
        kids.append(b"%d 0 R" % page)
        shown = b"".join(b"(%s) Tj 0 -14 Td " % line.encode("latin-1") for line in text.split("\n"))
        stream = b"BT /F1 11 Tf 72 720 Td " + shown + b"ET"
        objects[page] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                         b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content)
        objects[content] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(pages))
    size = max(objects) + 2  # the last number is the xref stream's own
    body, relative = bytearray(), {}
    for number in sorted(objects):
        relative[number] = len(body)
        body += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    header = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n"
    if xref_stream:
        width = 1 + 4 + 2
        opening = b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % (size - 1, size, width * size)
        closing = b"\nendstream\nendobj\nstartxref\n0\n%%EOF\n"
        start = len(header) + len(opening) + width * size + len(closing)
        entries = b"\x00\x00\x00\x00\x00\xff\xff" + b"".join(
            b"\x01" + (start + relative[n]).to_bytes(4, "big") + b"\x00\x00" for n in range(1, size - 1)
        ) + b"\x01" + len(header).to_bytes(4, "big") + b"\x00\x00"
        front = opening + entries + closing
    else:
        trailer = b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n0\n%%%%EOF\n" % (size - 1)
        table_length = len(b"xref\n0 %d\n" % (size - 1)) + 20 * (size - 1)
        start = len(header) + table_length + len(trailer)
        front = b"xref\n0 %d\n0000000000 65535 f \n" % (size - 1) + b"".join(
            b"%010d 00000 n \n" % (start + relative[n]) for n in range(1, size - 1)
        ) + trailer
    data = header + front + bytes(body) + b"startxref\n%d\n%%%%EOF\n" % len(header)
    Path(path).write_bytes(junk + data)
    return Path(path)
