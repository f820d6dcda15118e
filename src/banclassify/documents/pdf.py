"""PDFs: what every engine shares, from choosing an engine to the assembled document.

An engine (``pdfplumber_engine``, ``pdfium_engine``) reads a range of pages into
positioned lines (``PdfPages``); this module decides which pages need OCR, splits
long PDFs into ranges for worker processes and joins the ranges into one
``ExtractedDocument``, with the cross-page cleanup of ``layout``.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..process import freeze_in_worker
from .damage import damage_message, missing_pages, structure_problem
from .layout import join_hyphenated, join_hyphenated_pages, page_lines, page_text, running_line_keys
from .types import ExtractedDocument, PageText, PdfPages

ENGINES = ("pdfplumber", "pdfium")
DEFAULT_ENGINE = "pdfplumber"
# A page with fewer characters than this has no usable text layer (a scan).
MIN_PAGE_CHARS = 10
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


ENGINE_NAMES = {"pdfplumber": "pdfplumber", "pdfium": "PDFium"}


class PdfOpenError(InputError):
    """An engine cannot open the file at all (as opposed to an encrypted file or one bad page)."""


def read_pdf_lines(
    path: str | Path, first: int = 1, last: int | None = None, engine: str = DEFAULT_ENGINE, ocr: str = "auto", jobs: int = 1,
    max_pages: int | None = None,
) -> PdfPages:
    """Read pages ``first``..``last`` (1-based, inclusive) as positioned lines.

    Takes a path, not an open document, so that page ranges can be read in other
    processes (neither pdfplumber nor PDFium objects can be pickled). Scanned
    pages are read by OCR after the others, ``jobs`` of them at a time. When the
    engine cannot open the file, the other engine tries, and a note says so:
    each repairs different damage (PDFium reads files with junk before the header
    that pdfminer finds "No /Root object!" in). ``max_pages`` is checked against
    the pages as they are read, whatever the file's page count says (``TooManyPages``).
    """
    if engine not in ENGINES:
        raise InputError(None, f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    try:
        return _engine_pages(engine, Path(path), first, last, ocr, jobs, max_pages)
    except PdfOpenError as exc:
        other = next(e for e in ENGINES if e != engine)
        try:
            result = _engine_pages(other, Path(path), first, last, ocr, jobs, max_pages)
        except PdfOpenError:
            raise exc from None
        result.notes.append(f"{ENGINE_NAMES[engine]} cannot open it: {exc.problem}; read with {ENGINE_NAMES[other]} instead")
        return result


def _engine_pages(engine: str, path: Path, first: int, last: int | None, ocr: str, jobs: int, max_pages: int | None) -> PdfPages:
    if engine == "pdfium":
        from . import pdfium_engine

        return pdfium_engine.read_pages(path, first, last, ocr, jobs, max_pages)
    from . import pdfplumber_engine

    return pdfplumber_engine.read_pages(path, first, last, ocr, jobs, max_pages)


def too_many_pages(path: Path, max_pages: int, declared: int) -> InputError:
    """The error for a page tree that holds more pages than ``--max-pages``, found while reading it."""
    claim = f", though the file declares {declared}" if declared and declared <= max_pages else ""
    return InputError(path, f"too many pages (more than {max_pages} in its page tree{claim}; the limit is --max-pages {max_pages})")


def page_source(number: int, chars: int, cover: float, mode: str, result: PdfPages) -> str:
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


def add_ocr_pages(path: Path, scanned: list[tuple[int, float, float]], jobs: int, result: PdfPages) -> None:
    """Read the (number, width, height) pages by OCR into ``result`` (``assemble_pdf`` puts pages in order)."""
    if not scanned:
        return
    from . import ocr

    sizes = {number: (width, height) for number, width, height in scanned}
    try:
        for number, words in ocr.read_pages(path, list(sizes), jobs, notes=result.notes):
            if words is None:
                result.unreadable.append(number)
                continue
            width, height = sizes[number]
            result.pages.append(page_lines(number, words, width, height))
            result.ocr_pages.append(number)
    except ocr.OcrError as exc:
        raise InputError(path, exc.problem) from None


def reason(exc: Exception) -> str:
    """A PDF library's exception as a short one-line reason."""
    if exc.args and isinstance(exc.args[0], Exception):
        exc = exc.args[0]
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())[:120]


def page_ranges(count: int, jobs: int) -> list[tuple[int, int]]:
    """Split pages 1..``count`` into contiguous ranges for ``jobs`` workers (1-based, inclusive)."""
    parts = max(1, min(jobs * RANGES_PER_JOB, count // MIN_PAGES_PER_RANGE))
    size = -(-count // parts)
    return [(first, min(count, first + size - 1)) for first in range(1, count + 1, size)]


def read_pdf_parallel(path: Path, engine: str, jobs: int, ocr: str = "auto", max_pages: int | None = None) -> list[PdfPages]:
    """Read a long PDF as page ranges in worker processes, in page order."""
    from joblib import cpu_count

    jobs = cpu_count() if jobs < 1 else jobs
    count = pdf_page_count(path)
    ranges = page_ranges(count, jobs) if count and jobs > 1 else []
    if len(ranges) < 2:
        return [read_pdf_lines(path, engine=engine, ocr=ocr, jobs=jobs, max_pages=max_pages)]
    from joblib import Parallel, delayed

    return Parallel(n_jobs=jobs)(delayed(_read_range)(path, a, b, engine, ocr, max_pages) for a, b in ranges)


def _read_range(path: Path, first: int, last: int, engine: str, ocr: str, max_pages: int | None = None) -> PdfPages:
    """``read_pdf_lines`` in a worker process."""
    freeze_in_worker()
    return read_pdf_lines(path, first, last, engine, ocr, max_pages=max_pages)


def assemble_pdf(path: str | Path, parts: list[PdfPages]) -> ExtractedDocument:
    """Join page ranges (in any order) into the document, and clean it up as a whole.

    Running headers and footers can only be told from text across pages, so the
    cleanup runs here, after every range has been read.
    """
    pages = sorted((p for part in parts for p in part.pages), key=lambda p: p.number)
    without_text = sorted(n for part in parts for n in part.without_text)
    running = running_line_keys(pages)
    joined = join_hyphenated_pages([join_hyphenated(page_text(p, running)) for p in pages])
    texts = [PageText(p.number, text) for p, text in zip(pages, joined)]
    declared = max((part.declared for part in parts), default=0)
    page_count = max(declared, max((part.page_count for part in parts), default=0))
    document = ExtractedDocument(Path(path), "pdf", texts, page_count, without_text)
    document.ocr_pages = sorted(n for part in parts for n in part.ocr_pages)
    document.ocr_missing = sorted(n for part in parts for n in part.ocr_missing)
    for note in (note for part in parts for note in part.notes):
        if note not in document.warnings:
            document.warnings.append(note)
    seen = {p.number for p in pages} | set(without_text) | set(document.ocr_missing) | set(document.ocr_pages)
    document.unreadable_pages = sorted(set(missing_pages(declared, seen)) | {n for part in parts for n in part.unreadable})
    document.damage = damage_message(structure_problem(Path(path)), page_count, document.unreadable_pages)
    if document.damage:
        document.warnings.append(document.damage)
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
