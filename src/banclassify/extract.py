"""Extract: a document file in, its pages' clean text out.

PDFs are read with pdfplumber word by word so that the layout layer can use the
words' positions; ``.txt`` and ``.md`` files are decoded and cleaned as plain text.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from .errors import BanclassifyError, InputError
from .limits import TimeLimitExceeded, time_limit
from .ocr import HEADER_ONLY_CHARS
from .process import freeze_in_worker
from .layout import (
    PageLines,
    horizontal_rule,
    mark_amendments,
    Word,
    clean_plain_text,
    join_hyphenated,
    lines_from_words,
    page_text,
    running_line_keys,
)

PDF_SUFFIXES = {".pdf"}
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED_SUFFIXES = PDF_SUFFIXES | TEXT_SUFFIXES | HTML_SUFFIXES

# pdfplumber's default x_tolerance (3) glues words in PDFs that position each word
# without a space character ("CityofHermosaBeach"); 1.5 keeps those spaces.
WORD_X_TOLERANCE = 1.5
# A page with fewer characters than this has no usable text layer (a scan).
MIN_PAGE_CHARS = 10
ENGINES = ("pdfplumber", "pdfium")
DEFAULT_ENGINE = "pdfplumber"
# Pages per work unit when a batch reads PDFs in parallel: small enough to spread one
# long packet over every core, large enough that reopening the file does not dominate.
PAGES_PER_UNIT = 24
# A single PDF is cut into this many ranges per worker: more than one so that a slow
# range (scans, dense tables) does not leave a core idle, few because every range
# reopens the file and walks its page tree again.
RANGES_PER_JOB = 2
# Starting the worker processes costs about as much as reading 40 pages, so a
# shorter PDF is read in the calling process.
MIN_PAGES_PER_RANGE = 40


@dataclass
class PageText:
    number: int
    text: str


@dataclass
class ExtractedDocument:
    path: Path
    kind: str  # "pdf" or "text"
    pages: list[PageText]
    page_count: int
    pages_without_text: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ocr_pages: list[int] = field(default_factory=list)
    ocr_missing: list[int] = field(default_factory=list)

    @property
    def text_chars(self) -> int:
        return sum(len(p.text) for p in self.pages)


def extract(path: str | Path, engine: str = DEFAULT_ENGINE, jobs: int = 1, ocr: str = "auto") -> ExtractedDocument:
    """Read one document; raise ``InputError`` with a one-line reason when it cannot be read.

    ``engine`` reads PDFs: "pdfplumber" (default) or "pdfium" (much faster, the
    same cleanup). ``jobs`` > 1 reads a long PDF's page ranges in parallel.
    """
    path = Path(path)
    kind = document_kind(path)
    if kind == "pdf":
        document = assemble_pdf(path, read_pdf_parallel(path, engine, jobs, ocr=ocr))
    elif kind == "html":
        document = _extract_html(path)
    else:
        document = _extract_text(path)
    return finalise(document)


def document_kind(path: Path) -> str:
    """"pdf", "text" or "html"; ``InputError`` for a missing, unreadable or unsupported file."""
    if not path.exists():
        raise InputError(path, "no such file")
    if path.is_dir():
        raise InputError(path, "is a directory, not a document (use 'banclassify batch' for folders)")
    suffix = path.suffix.lower()
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror or exc})") from None
    if head.startswith(b"%PDF-") or (suffix in PDF_SUFFIXES and b"%PDF-" in head):
        return "pdf"
    if suffix in PDF_SUFFIXES:
        raise InputError(path, "not a PDF file (no %PDF header)")
    if suffix in TEXT_SUFFIXES:
        return "text"
    if suffix in HTML_SUFFIXES:
        return "html"
    raise InputError(path, f"unsupported file type '{suffix or 'no extension'}' (supported: .pdf, .txt, .md, .html)")


def finalise(document: ExtractedDocument) -> ExtractedDocument:
    """Refuse a document with no text; warn about pages that need OCR."""
    if not any(page.text.strip() for page in document.pages):
        if document.pages_without_text:
            raise InputError(document.path, _ocr_message(document))
        if document.ocr_pages:
            which = "all pages are" if len(document.ocr_pages) == document.page_count else f"pages {format_pages(document.ocr_pages)} are"
            raise InputError(document.path, f"no text found: {which} scanned images and OCR read no text from them")
        raise InputError(document.path, "empty document: no text to classify")
    if document.pages_without_text or document.ocr_missing:
        message = _ocr_message(document)
        if message not in document.warnings:
            document.warnings.append(message)
    return document


def _ocr_message(document: ExtractedDocument) -> str:
    from .ocr import INSTALL_HINT

    pages = sorted(set(document.pages_without_text) | set(document.ocr_missing))
    which = "all pages" if len(pages) == document.page_count else f"page{'s' if len(pages) > 1 else ''} {format_pages(pages)}"
    if document.ocr_missing:
        return f"{which} are scanned images without a text layer and were skipped: {INSTALL_HINT}"
    return f"no text layer on {which} (scanned images): these pages need OCR and were not read (use --ocr auto)"


def format_pages(pages: list[int]) -> str:
    """1, 2, 3, 5 -> '1-3, 5'."""
    ranges: list[list[int]] = []
    for page in sorted(set(pages)):
        if ranges and page == ranges[-1][1] + 1:
            ranges[-1][1] = page
        else:
            ranges.append([page, page])
    return ", ".join(f"{a}-{b}" if a != b else f"{a}" for a, b in ranges)


@dataclass
class PdfPages:
    """Positioned lines of a range of a PDF's pages: what a worker process sends back."""

    pages: list[PageLines]
    without_text: list[int]
    # Pages in the document; a range that stops before the end may only know its own last page
    # (the pdfplumber engine does not walk the page tree further), so ranges are joined with max().
    page_count: int
    ocr_pages: list[int] = field(default_factory=list)  # read by OCR
    ocr_missing: list[int] = field(default_factory=list)  # needed OCR, but Tesseract is not installed


def read_pdf_lines(
    path: str | Path, first: int = 1, last: int | None = None, engine: str = DEFAULT_ENGINE, ocr: str = "auto", jobs: int = 1,
) -> PdfPages:
    """Read pages ``first``..``last`` (1-based, inclusive) as positioned lines.

    Takes a path, not an open document, so that page ranges can be read in other
    processes (neither pdfplumber nor PDFium objects can be pickled). Scanned
    pages are read by OCR after the others, ``jobs`` of them at a time.
    """
    if engine == "pdfium":
        return _read_pdfium(Path(path), first, last, ocr, jobs)
    if engine != "pdfplumber":
        raise InputError(None, f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    import logging

    import pdfplumber

    # pdfminer logs every repair it makes to a broken file; the user gets one line from us instead.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    path = Path(path)
    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:  # pdfminer raises many unrelated types for broken files
        if _is_password_error(exc):
            raise InputError(path, "encrypted PDF: it needs a password to open") from None
        raise InputError(path, f"corrupt or truncated PDF ({_reason(exc)})") from None
    from .pdfplumber_pages import iter_pages

    result = PdfPages([], [], 0)
    scanned: list[tuple[int, float, float]] = []
    try:
        page_iterator = iter_pages(pdf, first, last)
        while True:
            try:
                page = next(page_iterator, None)
            except Exception as exc:
                raise InputError(path, f"corrupt or truncated PDF ({_reason(exc)})") from None
            if page is None:
                break
            number = result.page_count = page.page_number
            try:
                chars = len(page.chars)
                cover = _plumber_image_cover(page) if chars < HEADER_ONLY_CHARS else 0.0
                source = _page_source(number, chars, cover, ocr, result)
                if source == "text":
                    result.pages.append(_page_lines(page, number))
                elif source == "ocr":
                    scanned.append((number, float(page.width), float(page.height)))
            except Exception as exc:
                raise InputError(path, f"corrupt PDF: page {number} cannot be read ({_reason(exc)})") from None
            finally:
                # Drop the page's parsed objects now: a 1,000-page packet must not
                # keep every page's layout in memory.
                page.close()
        if result.page_count == 0 and first == 1:
            raise InputError(path, "empty document: the PDF has no pages")
    finally:
        _close_quietly(pdf)
    _add_ocr_pages(path, scanned, jobs, result)
    return result


def _page_source(number: int, chars: int, cover: float, mode: str, result: PdfPages) -> str:
    """Where a page's text comes from: "text" (its text layer), "ocr", or "skip" (nowhere)."""
    from . import ocr

    if not ocr.needs_ocr(chars, cover, mode, MIN_PAGE_CHARS):
        if chars < MIN_PAGE_CHARS:
            result.without_text.append(number)
        return "text"
    if not ocr.tesseract_available():
        result.ocr_missing.append(number)
        if chars < MIN_PAGE_CHARS:
            result.without_text.append(number)
            return "skip"
        return "text"  # keep what text layer there is
    return "ocr"


def _add_ocr_pages(path: Path, scanned: list[tuple[int, float, float]], jobs: int, result: PdfPages) -> None:
    """Read the (number, width, height) pages by OCR into ``result`` (``assemble_pdf`` puts pages in order)."""
    if not scanned:
        return
    from . import ocr

    sizes = {number: (width, height) for number, width, height in scanned}
    try:
        for number, words in ocr.read_pages(path, list(sizes), jobs):
            width, height = sizes[number]
            result.pages.append(PageLines(number, width, height, lines_from_words(words, width, height)))
            result.ocr_pages.append(number)
    except ocr.OcrError as exc:
        raise InputError(path, str(exc)) from None


def _close_quietly(pdf) -> None:
    # pdfplumber's close() builds every page of the document only to close it (our
    # pages are closed one by one as they are read), and on a broken file it raises
    # on the same object that made us give up; only the file handle needs releasing.
    try:
        pdf.stream.close()
    except Exception:
        pass


def _read_pdfium(path: Path, first: int, last: int | None, ocr: str = "auto", jobs: int = 1) -> PdfPages:
    """PDFium's characters, grouped into positioned words the way pdfplumber groups them."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(str(path))
    except Exception as exc:
        if "password" in str(exc).lower():
            raise InputError(path, "encrypted PDF: it needs a password to open") from None
        raise InputError(path, f"corrupt or truncated PDF ({_reason(exc)})") from None
    try:
        count = len(document)
        if count == 0:
            raise InputError(path, "empty document: the PDF has no pages")
        stop = count if last is None else min(last, count)
        result = PdfPages([], [], count)
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
                raise InputError(path, f"corrupt PDF: page {number} cannot be read ({_reason(exc)})") from None
            source = _page_source(number, chars, cover, ocr, result)
            if source == "text":
                result.pages.append(PageLines(number, width, height, lines_from_words(words, width, height)))
            elif source == "ocr":
                scanned.append((number, width, height))
    finally:
        document.close()
    _add_ocr_pages(path, scanned, jobs, result)
    return result


def _plumber_image_cover(page) -> float:
    area = float(page.width * page.height) or 1.0
    return sum(max(0.0, float(i["x1"] - i["x0"])) * max(0.0, float(i["bottom"] - i["top"])) for i in page.images) / area


def _pdfium_image_cover(page, width: float, height: float) -> float:
    import pypdfium2.raw as pdfium_c

    covered = 0.0
    for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        left, bottom, right, top = image.get_bounds()
        covered += max(0.0, right - left) * max(0.0, top - bottom)
    return covered / ((width * height) or 1.0)


def _pdfium_rules(page, height: float) -> list[tuple[float, float, float]]:
    """Horizontal rules among the page's drawn paths, as ``_horizontal_rules`` finds them with pdfplumber."""
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


def page_ranges(count: int, jobs: int) -> list[tuple[int, int]]:
    """Split pages 1..``count`` into contiguous ranges for ``jobs`` workers (1-based, inclusive)."""
    parts = max(1, min(jobs * RANGES_PER_JOB, count // MIN_PAGES_PER_RANGE))
    size = -(-count // parts)
    return [(first, min(count, first + size - 1)) for first in range(1, count + 1, size)]


def read_pdf_parallel(path: Path, engine: str, jobs: int, ocr: str = "auto") -> list[PdfPages]:
    """Read a long PDF as page ranges in worker processes, in page order."""
    from joblib import cpu_count

    jobs = cpu_count() if jobs < 1 else jobs
    count = pdf_page_count(path)
    ranges = page_ranges(count, jobs) if count and jobs > 1 else []
    if len(ranges) < 2:
        return [read_pdf_lines(path, engine=engine, ocr=ocr, jobs=jobs)]
    from joblib import Parallel, delayed

    return Parallel(n_jobs=jobs)(delayed(_read_range)(path, a, b, engine, ocr) for a, b in ranges)


def _read_range(path: Path, first: int, last: int, engine: str, ocr: str) -> PdfPages:
    """``read_pdf_lines`` in a worker process."""
    freeze_in_worker()
    return read_pdf_lines(path, first, last, engine, ocr)


def assemble_pdf(path: str | Path, parts: list[PdfPages]) -> ExtractedDocument:
    """Join page ranges (in any order) into the document, and clean it up as a whole.

    Running headers and footers can only be told from text across pages, so the
    cleanup runs here, after every range has been read.
    """
    pages = sorted((p for part in parts for p in part.pages), key=lambda p: p.number)
    without_text = sorted(n for part in parts for n in part.without_text)
    running = running_line_keys(pages)
    texts = [PageText(p.number, join_hyphenated(page_text(p, running))) for p in pages]
    page_count = max((part.page_count for part in parts), default=0)
    document = ExtractedDocument(Path(path), "pdf", texts, page_count, without_text)
    document.ocr_pages = sorted(n for part in parts for n in part.ocr_pages)
    document.ocr_missing = sorted(n for part in parts for n in part.ocr_missing)
    return document


def pdf_page_count(path: str | Path) -> int | None:
    """The page count from PDFium, which reads it in milliseconds; None when it cannot."""
    try:
        import pypdfium2

        document = pypdfium2.PdfDocument(str(path))
        try:
            return len(document)
        finally:
            document.close()
    except Exception:
        return None


def _page_lines(page, number: int) -> PageLines:
    raw = page.extract_words(x_tolerance=WORD_X_TOLERANCE, y_tolerance=3, keep_blank_chars=False)
    words = [
        Word(w["text"], float(w["x0"]), float(w["x1"]), float(w["top"]), float(w["bottom"]), bool(w.get("upright", True)))
        for w in raw
    ]
    words = mark_amendments(words, _horizontal_rules(page))
    return PageLines(number, float(page.width), float(page.height), lines_from_words(words, float(page.width), float(page.height)))


def _horizontal_rules(page) -> list[tuple[float, float, float]]:
    """Horizontal drawn lines and thin rectangles as (y, x0, x1): strike-through and underline candidates."""
    boxes = ((float(o["x0"]), float(o["top"]), float(o["x1"]), float(o["bottom"])) for o in (*page.lines, *page.rects))
    return [rule for rule in (horizontal_rule(*box) for box in boxes) if rule]


def _is_password_error(exc: BaseException) -> bool:
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    # pdfplumber wraps pdfminer's error as the first argument of its own exception.
    causes = [exc, exc.__context__, *getattr(exc, "args", ())]
    return any(isinstance(c, (PDFPasswordIncorrect, PDFEncryptionError)) for c in causes)


def _reason(exc: Exception) -> str:
    if exc.args and isinstance(exc.args[0], Exception):
        exc = exc.args[0]
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())[:120]


def decode_text(path: Path, data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(path, f"invalid UTF-16 text at byte {exc.start}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise InputError(
            path, f"undecodable byte 0x{data[exc.start]:02x} at offset {exc.start}: not UTF-8, UTF-16 or Windows-1252 text"
        ) from None


MARKDOWN_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
MARKDOWN_LIST_BEFORE_MARKER = re.compile(r"^[ \t]*\d+\.[ \t]+(?=\((?:[a-z]{1,2}|\d{1,3}|[A-Z])\)\s)", re.MULTILINE)
MARKDOWN_MARKUP = re.compile(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+(?=\S))|(\*\*|__|`)", re.MULTILINE)


def _extract_text(path: Path) -> ExtractedDocument:
    data = path.read_bytes()
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(path, "binary file, not text")
    text = decode_text(path, data).replace("\r\n", "\n").replace("\r", "\n")
    if path.suffix.lower() in {".md", ".markdown"}:
        text = MARKDOWN_COMMENT.sub("", text)
        # Code publishers number every paragraph as a list item ("2. (b) Ban on ..."): the
        # list number is not the law's numbering, the "(b)" after it is.
        text = MARKDOWN_LIST_BEFORE_MARKER.sub("", text)
        text = MARKDOWN_MARKUP.sub(lambda m: "" if m.group(2) else "", text)
    # A form feed is how plain-text exports of paged documents mark a new page.
    raw_pages = text.split("\f")
    pages = [PageText(n, join_hyphenated(clean_plain_text(t))) for n, t in enumerate(raw_pages, start=1)]
    return ExtractedDocument(path, "text", pages, len(pages))


class _VisibleText(HTMLParser):
    """The visible text of an HTML page, without scripts, styles and navigation."""

    SKIP = {"script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "button", "svg", "head"}
    BLOCK = {"p", "div", "section", "article", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "br", "dd", "dt", "table", "blockquote", "pre"}
    VOID = {"br", "img", "hr", "meta", "link", "input", "wbr", "source", "area", "col", "base"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        role = dict(attrs).get("role") or ""
        if tag in self.VOID:
            if tag == "br" and not self.skipping:
                self.parts.append("\n")
            return
        if self.skipping or tag in self.SKIP or role in {"navigation", "banner", "contentinfo", "search"}:
            self.skipping.append(tag)
            return
        if tag in self.BLOCK:
            self.parts.append("\n\n" if tag in {"p", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article"} else "\n")

    def handle_endtag(self, tag):
        if self.skipping:
            if self.skipping[-1] == tag:
                self.skipping.pop()
            return
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))

    def text(self) -> str:
        lines = [" ".join(line.split()) for line in "".join(self.parts).split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _extract_html(path: Path) -> ExtractedDocument:
    parser = _VisibleText()
    parser.feed(decode_text(path, path.read_bytes()))
    parser.close()
    text = join_hyphenated(clean_plain_text(parser.text()))
    return ExtractedDocument(path, "html", [PageText(1, text)], 1)


# Units of a batch. They live here, not in batch.py, so that a worker process
# imports only what extraction needs: batch.py brings in scikit-learn, about a
# second of start-up per worker.


@dataclass
class ExtractionUnit:
    """One piece of work for a worker: a whole document, or a page range of a PDF."""

    index: int  # of the document in the batch
    path: str
    kind: str
    first: int = 1
    last: int | None = None
    timeout: float | None = None
    engine: str = DEFAULT_ENGINE
    ocr: str = "auto"


@dataclass
class UnitResult:
    index: int
    payload: object = None  # PdfPages or ExtractedDocument
    error: str | None = None
    seconds: float = 0.0


def extract_unit(unit: ExtractionUnit) -> UnitResult:
    """Extract one unit in a worker; every failure comes back as a message, never raised."""
    freeze_in_worker()
    started = time.perf_counter()
    try:
        with time_limit(unit.timeout):
            path = Path(unit.path)
            if unit.kind == "pdf":
                payload: object = read_pdf_lines(path, unit.first, unit.last, unit.engine, unit.ocr)
            elif unit.kind == "html":
                payload = _extract_html(path)
            else:
                payload = _extract_text(path)
        return UnitResult(unit.index, payload, None, time.perf_counter() - started)
    except TimeLimitExceeded:
        return UnitResult(unit.index, None, f"timed out after {unit.timeout:g} s", time.perf_counter() - started)
    except BanclassifyError as exc:
        return UnitResult(unit.index, None, exc.problem, time.perf_counter() - started)
    except (MemoryError, RecursionError) as exc:
        return UnitResult(unit.index, None, f"too complex to read ({type(exc).__name__})", time.perf_counter() - started)
    except Exception as exc:  # a worker must never take the batch down
        return UnitResult(unit.index, None, f"unexpected error ({type(exc).__name__}: {str(exc)[:100]})", time.perf_counter() - started)
