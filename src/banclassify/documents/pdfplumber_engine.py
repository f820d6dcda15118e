"""The pdfplumber engine (the default): words with positions, read through pdfplumber.

Its pages convert only what the layout layer reads.

pdfplumber turns every character pdfminer finds into a dictionary of some twenty
resolved fields (colour spaces, matrices, stroking colours). Word grouping reads
six of them, and that conversion is about half of the time pdfplumber spends on a
page. ``TextPage`` builds the small dictionary directly; every other object (lines
and rectangles for strike-through, images for scan detection) goes through
pdfplumber unchanged. This module imports pdfplumber and is imported only when the engine runs.

``TextPage`` overrides ``Page.process_object`` of pdfplumber 0.11, the series that
pyproject.toml pins; tests/test_extract.py checks that its words stay identical to
stock pdfplumber's, so an upgrade that changes that method fails a test, not a scan.
"""

from __future__ import annotations

import logging
import zlib
from pathlib import Path
from typing import Iterator

import pdfplumber
from pdfminer.layout import LTChar
from pdfminer import pdftypes
from pdfminer.pdfpage import PDFPage
from pdfplumber.page import Page
from pdfplumber.pdf import PDF

from ..errors import InputError
from ..limits import MAX_STREAM_MB
from .layout import horizontal_rule, mark_amendments, page_lines
from .ocr import HEADER_ONLY_CHARS
from .pdf import PdfOpenError, add_ocr_pages, page_source, reason, too_many_pages
from .types import PageLines, PdfPages, Word

class DecompressionBomb(ValueError):
    """A stream past ``MAX_STREAM_MB``: the whole document is refused, not just the page."""


def _bomb_behind(exc: BaseException | None) -> DecompressionBomb | None:
    """The ``DecompressionBomb`` behind ``exc``: pdfplumber re-raises pdfminer's errors wrapped."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DecompressionBomb):
            return exc
        if isinstance(exc, MemoryError):
            return DecompressionBomb("reading a page needs more memory than the ceiling allows (--max-memory)")
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


class _CappedZlib:
    """pdfminer's ``zlib`` with a ceiling on what one stream may decode to.

    pdfminer inflates every Flate stream whole (``zlib.decompress``): a few KB of
    compressed spaces become gigabytes. Past ``MAX_STREAM_MB`` the stream is
    refused; the page then fails with that reason instead of exhausting memory.
    """

    error = zlib.error

    def __getattr__(self, name):
        return getattr(zlib, name)

    @staticmethod
    def decompress(data: bytes, *args) -> bytes:
        # In chunks, so that a bomb is found before its output is allocated whole.
        limit, chunk = MAX_STREAM_MB << 20, 8 << 20
        inflater = zlib.decompressobj()
        parts, total = [inflater.decompress(data, chunk)], 0
        total = len(parts[0])
        while inflater.unconsumed_tail and total <= limit:
            parts.append(inflater.decompress(inflater.unconsumed_tail, chunk))
            total += len(parts[-1])
        if total > limit:
            raise DecompressionBomb(f"a compressed stream decodes to more than {MAX_STREAM_MB} MB (a decompression bomb?)")
        if not inflater.eof:
            raise zlib.error("incomplete or truncated stream")  # what zlib.decompress says; pdfminer then repairs
        return b"".join(parts)


pdftypes.zlib = _CappedZlib()

# pdfplumber's default x_tolerance (3) glues words in PDFs that position each word
# without a space character ("CityofHermosaBeach"); 1.5 keeps those spaces.
WORD_X_TOLERANCE = 1.5


class TextPage(Page):
    def process_object(self, obj):
        if not isinstance(obj, LTChar):
            return super().process_object(obj)
        x0, top = self.mediabox[:2]
        char_top = self.height - obj.y1 + top
        return {
            "object_type": "char",
            "page_number": self.page_number,
            "text": obj.get_text(),
            "x0": obj.x0 + x0,
            "x1": obj.x1 + x0,
            "top": char_top,
            "bottom": self.height - obj.y0 + top,
            "doctop": self.initial_doctop + char_top,
            "upright": obj.upright,
            "size": obj.size,
        }


def iter_pages(pdf: PDF, first: int, last: int | None) -> Iterator[TextPage]:
    """Pages ``first``..``last`` (1-based, inclusive), walking the page tree only as far as ``last``."""
    for number, pdfminer_page in enumerate(PDFPage.create_pages(pdf.doc), start=1):
        if last is not None and number > last:
            return
        if number >= first:
            yield TextPage(pdf, pdfminer_page, page_number=number, initial_doctop=0)


def read_pages(path: Path, first: int, last: int | None, ocr: str = "auto", jobs: int = 1, max_pages: int | None = None) -> PdfPages:
    """pdfplumber's words of pages ``first``..``last``, as positioned lines (see ``pdf.read_pdf_lines``)."""
    # pdfminer logs every repair it makes to a broken file; the user gets one line from us instead.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:  # pdfminer raises many unrelated types for broken files
        if _is_password_error(exc):
            raise InputError(path, "encrypted PDF: it needs a password to open") from None
        raise PdfOpenError(path, f"corrupt or truncated PDF ({reason(exc)})") from None
    result = PdfPages([], [], 0, declared=_declared_pages(pdf))
    scanned: list[tuple[int, float, float]] = []
    try:
        page_iterator = iter_pages(pdf, first, last)
        while True:
            try:
                page = next(page_iterator, None)
            except Exception as exc:
                if result.page_count == 0 and first == 1:
                    raise PdfOpenError(path, f"corrupt or truncated PDF ({reason(exc)})") from None
                # The page tree breaks off: the pages after it are missing, which ``assemble_pdf`` reports.
                break
            if page is None:
                break
            if max_pages is not None and page.page_number > max_pages:
                # pdfminer walks the page tree itself, whatever its /Count says.
                page.close()
                raise too_many_pages(path, max_pages, result.declared)
            number = result.page_count = page.page_number
            try:
                chars = len(page.chars)
                cover = _plumber_image_cover(page) if chars < HEADER_ONLY_CHARS else 0.0
                source = page_source(number, chars, cover, ocr, result)
                if source == "text":
                    result.pages.append(_page_lines(page, number))
                elif source == "ocr":
                    scanned.append((number, float(page.width), float(page.height)))
            except Exception as exc:
                bomb = _bomb_behind(exc)
                if bomb is not None:
                    # A bomb is a property of the file, not of one damaged page: say so rather than read on.
                    raise InputError(path, f"refused: {bomb}") from None
                result.unreadable.append(number)
            finally:
                # Drop the page's parsed objects now: a 1,000-page packet must not
                # keep every page's layout in memory.
                page.close()
        if result.page_count == 0 and first == 1:
            raise PdfOpenError(path, "empty document: the PDF has no pages")
    finally:
        _close_quietly(pdf)
    add_ocr_pages(path, scanned, jobs, result)
    return result


def _declared_pages(pdf) -> int:
    """The /Count of the page tree's root: the pages the file says it has (0 when unknown)."""
    from pdfminer.pdftypes import resolve1

    try:
        count = resolve1(resolve1(pdf.doc.catalog.get("Pages")).get("Count"))
        return count if isinstance(count, int) and count > 0 else 0
    except Exception:
        return 0


def _close_quietly(pdf) -> None:
    # pdfplumber's close() builds every page of the document only to close it (our
    # pages are closed one by one as they are read), and on a broken file it raises
    # on the same object that made us give up; only the file handle needs releasing.
    try:
        pdf.stream.close()
    except Exception:
        pass


def _plumber_image_cover(page) -> float:
    area = float(page.width * page.height) or 1.0
    return sum(max(0.0, float(i["x1"] - i["x0"])) * max(0.0, float(i["bottom"] - i["top"])) for i in page.images) / area



def _page_lines(page, number: int) -> PageLines:
    raw = page.extract_words(x_tolerance=WORD_X_TOLERANCE, y_tolerance=3, keep_blank_chars=False)
    words = [
        Word(w["text"], float(w["x0"]), float(w["x1"]), float(w["top"]), float(w["bottom"]), bool(w.get("upright", True)))
        for w in raw
    ]
    words = mark_amendments(words, _horizontal_rules(page))
    return page_lines(number, words, float(page.width), float(page.height))


def _horizontal_rules(page) -> list[tuple[float, float, float]]:
    """Horizontal drawn lines and thin rectangles as (y, x0, x1): strike-through and underline candidates."""
    boxes = ((float(o["x0"]), float(o["top"]), float(o["x1"]), float(o["bottom"])) for o in (*page.lines, *page.rects))
    return [rule for rule in (horizontal_rule(*box) for box in boxes) if rule]


def _is_password_error(exc: BaseException) -> bool:
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    # pdfplumber wraps pdfminer's error as the first argument of its own exception.
    causes = [exc, exc.__context__, *getattr(exc, "args", ())]
    return any(isinstance(c, (PDFPasswordIncorrect, PDFEncryptionError)) for c in causes)
