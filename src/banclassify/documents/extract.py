"""Extract: a document file in, its pages' clean text out (the stage's entry point).

PDFs are read by an engine word by word so that the layout layer can use the
words' positions (``pdf``, ``pdfplumber_engine``, ``pdfium_engine``, ``ocr``);
``.txt``, ``.md`` and ``.html`` files are decoded and cleaned as text (``text``).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..limits import Limits, check_pages, check_size, reading_time_limit
from .ocr import INSTALL_HINT
from .pdf import DEFAULT_ENGINE, assemble_pdf, pdf_page_count, read_pdf_parallel
from .text import HTML_SUFFIXES, TEXT_SUFFIXES, read_document_bytes, read_html_file, read_text_file
from .types import ExtractedDocument

PDF_SUFFIXES = {".pdf"}
SUPPORTED_SUFFIXES = PDF_SUFFIXES | TEXT_SUFFIXES | HTML_SUFFIXES


def extract(
    path: str | Path, engine: str = DEFAULT_ENGINE, jobs: int = 1, ocr: str = "auto", limits: Limits = Limits(),
) -> ExtractedDocument:
    """Read one document; raise ``InputError`` with a one-line reason when it cannot be read.

    ``engine`` reads PDFs: "pdfplumber" (default) or "pdfium" (much faster, the
    same cleanup). ``jobs`` > 1 reads a long PDF's page ranges in parallel.
    ``limits`` (size, pages, time) apply to the file as its content says it is.
    """
    path = Path(path)
    kind, _ = check_limits(path, limits)
    with reading_time_limit(path, limits.timeout):
        if kind == "pdf":
            document = assemble_pdf(path, read_pdf_parallel(path, engine, jobs, ocr=ocr, max_pages=limits.max_pages))
        elif kind == "html":
            document = read_html_file(path)
        else:
            document = read_text_file(path)
    return finalise(document)


def check_limits(path: Path, limits: Limits) -> tuple[str, int | None]:
    """The document's kind (by content) and PDF page count, once it passes the size and page limits."""
    kind = document_kind(path)
    check_size(path, limits.max_mb)
    count = pdf_page_count(path) if kind == "pdf" else None
    check_pages(path, count, limits.max_pages)
    return kind, count


def document_kind(path: Path) -> str:
    """"pdf", "text" or "html"; ``InputError`` for a missing, unreadable or unsupported file."""
    if not path.exists():
        raise InputError(path, "no such file")
    if path.is_dir():
        raise InputError(path, "is a directory, not a document (use 'banclassify batch' for folders)")
    suffix = path.suffix.lower()
    head = read_document_bytes(path, 1024)  # a FIFO or a device is refused, not waited on
    # Readers accept junk before the header (PDFium does); in a file named as text, "%PDF-" is text.
    if head.startswith(b"%PDF-") or (suffix not in TEXT_SUFFIXES | HTML_SUFFIXES and b"%PDF-" in head):
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
        if document.damage and document.unreadable_pages:
            raise InputError(document.path, f"corrupt or truncated PDF: no page could be read ({document.damage.removeprefix('damaged PDF: ')})")
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
