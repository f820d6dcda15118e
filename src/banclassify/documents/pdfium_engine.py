"""The PDFium engine (``--engine pdfium``): several times faster than pdfplumber, the same cleanup.

PDFium gives characters with boxes; they are grouped into words the way
pdfplumber groups them, and drawn paths are read as the same horizontal rules
(strike-through, underline), so that ``layout`` sees the same input from
either engine.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from ..errors import InputError
from .layout import horizontal_rule, mark_amendments, page_lines
from .ocr import HEADER_ONLY_CHARS
from .pdf import PdfOpenError, add_ocr_pages, page_source, reason, too_many_pages
from .types import PdfPages, Word


def read_pages(path: Path, first: int, last: int | None, ocr: str = "auto", jobs: int = 1, max_pages: int | None = None) -> PdfPages:
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
        if max_pages is not None and count > max_pages:
            raise too_many_pages(path, max_pages, 0)
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
HYPHENS_AS_ASCII = {code: "-" for code in PDFIUM_HYPHENS}
PDFIUM_GAP = 3.0
# A word: what lies between whitespace and the NUL that PDFium gives a character without Unicode.
WORD = re.compile(r"[^\s\x00]+")
# A line of the page text that has a word: from its first word to its last.
LINE = re.compile(r"[^\s\x00][^\r\n]*")


def _pdfium_words(textpage, count: int, height: float) -> list[Word]:
    """The page's words with their loose boxes, a few PDFium calls per word rather than per character.

    PDFium already puts spaces and line breaks where it sees gaps, so the words are the
    runs of its page text between whitespace. A word inside one text object (one
    string the PDF shows in one place) has one box, the union of its first and last
    characters' boxes, and its orientation; a line that is one text object is read
    that way word by word after one check. A word made of several text objects (a
    bold initial, a superscript, glyphs placed one by one) is read character by
    character and split at clear gaps, as pdfplumber would.
    """
    import pypdfium2.raw as pdfium_c

    raw = textpage.raw
    text = _page_text(textpage, count)
    count_rects, loose_box, char_angle = pdfium_c.FPDFText_CountRects, pdfium_c.FPDFText_GetLooseCharBox, pdfium_c.FPDFText_GetCharAngle
    rect = pdfium_c.FS_RECTF()
    words: list[Word] = []
    append = words.append
    for line in LINE.finditer(text):
        line_start, line_end = line.span()
        # One rectangle: the line is one text object, so one orientation and no hidden gaps.
        whole = count_rects(raw, line_start, line_end - line_start) == 1
        upright = _upright(char_angle(raw, line_start)) if whole else True
        for match in WORD.finditer(text, line_start, line_end):
            start, end = match.span()
            if not whole:
                if end - start > 1 and count_rects(raw, start, end - start) > 1:
                    words.extend(_char_words(textpage, text, start, end, height))
                    continue
                upright = _upright(char_angle(raw, start))
            # Loose boxes span the font's ascent to descent and the glyph's advance, so gaps
            # between them are real spaces; tight boxes follow the ink and split "AG EN DA".
            loose_box(raw, start, rect)
            if end - start == 1:
                append(Word(match.group(), rect.left, rect.right, height - rect.top, height - rect.bottom, upright))
                continue
            x0, x1, top, bottom = rect.left, rect.right, rect.top, rect.bottom
            loose_box(raw, end - 1, rect)
            append(Word(match.group(), x0, max(x1, rect.right), height - max(top, rect.top), height - min(bottom, rect.bottom), upright))
    return words


def _page_text(textpage, count: int) -> str:
    """The page's characters, one per character index, with PDFium's line-break hyphens as "-"."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    buffer = ctypes.create_string_buffer(2 * (count + 1))
    written = pdfium_c.FPDFText_GetText(textpage.raw, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
    text = buffer.raw[: 2 * max(0, written - 1)].decode("utf-16-le", errors="replace")
    if len(text) != count:
        # Characters outside the BMP (two UTF-16 units) or without text shift the page
        # text against the character indices; then read the characters one by one.
        get = pdfium_c.FPDFText_GetUnicode
        text = "".join(chr(get(textpage.raw, index)) if get(textpage.raw, index) < 0x110000 else "\x00" for index in range(count))
    return text.translate(HYPHENS_AS_ASCII)


def _upright(angle: float) -> bool:
    return angle < 0 or min(angle, 2 * math.pi - angle) < 0.1


def _char_words(textpage, text: str, start: int, end: int, height: float) -> list[Word]:
    """Characters ``start``..``end`` (no whitespace among them) as words, split where the boxes show a gap.

    A piece of another orientation (a margin stamp) is always split off by its position,
    so the angle is read once per word, not per character.
    """
    import pypdfium2.raw as pdfium_c

    raw = textpage.raw
    loose_box = pdfium_c.FPDFText_GetLooseCharBox
    rect = pdfium_c.FS_RECTF()
    words: list[Word] = []
    first = start
    box: list[float] = []  # x0, x1, top, bottom of the word so far
    for index in range(start, end):
        loose_box(raw, index, rect)
        x0, x1, y_top, y_bottom = rect.left, rect.right, height - rect.top, height - rect.bottom
        # Only a clear gap splits a word: loose boxes overlap a little within words ("of" + "the").
        gap_limit = max(PDFIUM_GAP, 0.3 * (y_bottom - y_top))
        if index > first and (x0 - box[1] > gap_limit or abs(y_top - box[2]) > 3 or x0 < box[0] - 1):
            words.append(Word(text[first:index], box[0], box[1], box[2], box[3], _upright(pdfium_c.FPDFText_GetCharAngle(raw, first))))
            first = index
        if index == first:
            box = [x0, x1, y_top, y_bottom]
        else:
            box = [min(box[0], x0), max(box[1], x1), min(box[2], y_top), max(box[3], y_bottom)]
    words.append(Word(text[first:end], box[0], box[1], box[2], box[3], _upright(pdfium_c.FPDFText_GetCharAngle(raw, first))))
    return words
