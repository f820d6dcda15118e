"""The PDFium engine (``--engine pdfium``): several times faster than pdfplumber, the same cleanup.

PDFium gives characters with boxes; they are grouped into words the way
pdfplumber groups them, and drawn paths are read as the same horizontal rules
(strike-through, underline), so that ``layout`` sees the same input from
either engine.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from .layout import horizontal_rule, mark_amendments, page_lines
from .ocr import HEADER_ONLY_CHARS
from .pdf import PdfOpenError, add_ocr_pages, page_source, reason
from .types import PdfPages, Word


def read_pages(path: Path, first: int, last: int | None, ocr: str = "auto", jobs: int = 1) -> PdfPages:
    """PDFium's characters of pages ``first``..``last``, grouped into positioned words the way pdfplumber groups them."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(str(path))
    except Exception as exc:
        if "password" in str(exc).lower():
            raise InputError(path, "encrypted PDF: it needs a password to open") from None
        raise PdfOpenError(path, f"corrupt or truncated PDF ({reason(exc)})") from None
    try:
        count = len(document)
        if count == 0:
            raise PdfOpenError(path, "empty document: the PDF has no pages")
        stop = count if last is None else min(last, count)
        # PDFium's count is the page tree's: pages of a cut-off file are missing from it, not from the count.
        result = PdfPages([], [], count, declared=count)
        scanned: list[tuple[int, float, float]] = []
        for number in range(first, stop + 1):
            try:
                page = document[number - 1]
                width, height = page.get_size()
                textpage = page.get_textpage()
                chars = textpage.count_chars()
                # Only a page with little text can be a scan with a stamped header.
                cover = _pdfium_image_cover(page, width, height) if chars < HEADER_ONLY_CHARS else 0.0
                words = mark_amendments(_pdfium_words(textpage, chars, height), _pdfium_rules(page, height))
                textpage.close()
                page.close()
            except Exception as exc:
                result.unreadable.append(number)
                continue
            source = page_source(number, chars, cover, ocr, result)
            if source == "text":
                result.pages.append(page_lines(number, words, width, height))
            elif source == "ocr":
                scanned.append((number, width, height))
    finally:
        document.close()
    add_ocr_pages(path, scanned, jobs, result)
    return result


def _pdfium_image_cover(page, width: float, height: float) -> float:
    import pypdfium2.raw as pdfium_c

    covered = 0.0
    for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        left, bottom, right, top = image.get_bounds()
        covered += max(0.0, right - left) * max(0.0, top - bottom)
    return covered / ((width * height) or 1.0)


def _pdfium_rules(page, height: float) -> list[tuple[float, float, float]]:
    """Horizontal rules among the page's drawn paths, as ``pdfplumber_engine`` finds them."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    rules = []
    width, fill, stroked = ctypes.c_float(), ctypes.c_int(), ctypes.c_int()
    for path in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=2):
        left, bottom, right, top = path.get_bounds()
        # PDFium's bounds include the stroke; pdfplumber measures the geometry of the path.
        pdfium_c.FPDFPath_GetDrawMode(path.raw, fill, stroked)
        if stroked.value and pdfium_c.FPDFPageObj_GetStrokeWidth(path.raw, width):
            half = width.value / 2
            left, bottom, right, top = left + half, bottom + half, right - half, top - half
        rule = horizontal_rule(left, height - top, right, height - bottom)
        if rule:
            rules.append(rule)
    return rules


# PDFium reports a hyphen that it found at a line break as U+FFFE (or U+0002).
PDFIUM_HYPHENS = {0xFFFE, 0x0002}
PDFIUM_GAP = 3.0


def _pdfium_words(textpage, count: int, height: float) -> list[Word]:
    import math

    import pypdfium2.raw as pdfium_c

    # Loose boxes span the font's ascent to descent and the glyph's advance, so gaps
    # between them are real spaces; tight boxes follow the ink and split "AG EN DA".
    rect = pdfium_c.FS_RECTF()
    words: list[Word] = []
    text: list[str] = []
    box: list[float] = []  # x0, x1, top, bottom of the word so far
    upright = True

    def flush() -> None:
        if text:
            words.append(Word("".join(text), box[0], box[1], box[2], box[3], upright))
            text.clear()

    for index in range(count):
        code = pdfium_c.FPDFText_GetUnicode(textpage.raw, index)
        if code in PDFIUM_HYPHENS:
            code = ord("-")
        char = chr(code)
        if char.isspace() or code == 0:
            flush()
            continue
        pdfium_c.FPDFText_GetLooseCharBox(textpage.raw, index, rect)
        x0, x1, y_top, y_bottom = rect.left, rect.right, height - rect.top, height - rect.bottom
        angle = pdfium_c.FPDFText_GetCharAngle(textpage.raw, index)
        char_upright = angle < 0 or min(angle, 2 * math.pi - angle) < 0.1
        # PDFium inserts its own spaces where it sees word gaps, so only a clear gap
        # splits a word here; loose boxes overlap a little within words ("of" + "the").
        gap_limit = max(PDFIUM_GAP, 0.3 * (y_bottom - y_top))
        if text and (x0 - box[1] > gap_limit or abs(y_top - box[2]) > 3 or x0 < box[0] - 1 or char_upright != upright):
            flush()
        if not text:
            box = [x0, x1, y_top, y_bottom]
            upright = char_upright
        else:
            box = [min(box[0], x0), max(box[1], x1), min(box[2], y_top), max(box[3], y_bottom)]
        text.append(char)
    flush()
    return words
