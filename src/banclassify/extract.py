"""Extract: a document file in, its pages' clean text out.

PDFs are read with pdfplumber word by word so that the layout layer can use the
words' positions; ``.txt`` and ``.md`` files are decoded and cleaned as plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .layout import (
    PageLines,
    Word,
    clean_plain_text,
    join_hyphenated,
    lines_from_words,
    page_text,
    running_line_keys,
)

PDF_SUFFIXES = {".pdf"}
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
SUPPORTED_SUFFIXES = PDF_SUFFIXES | TEXT_SUFFIXES

# pdfplumber's default x_tolerance (3) glues words in PDFs that position each word
# without a space character ("CityofHermosaBeach"); 1.5 keeps those spaces.
WORD_X_TOLERANCE = 1.5
# A page with fewer characters than this has no usable text layer (a scan).
MIN_PAGE_CHARS = 10


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

    @property
    def text_chars(self) -> int:
        return sum(len(p.text) for p in self.pages)


def extract(path: str | Path) -> ExtractedDocument:
    """Read one document; raise ``InputError`` with a one-line reason when it cannot be read."""
    path = Path(path)
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
    if suffix in PDF_SUFFIXES or head.startswith(b"%PDF-"):
        document = _extract_pdf(path, head)
    elif suffix in TEXT_SUFFIXES:
        document = _extract_text(path)
    else:
        raise InputError(
            path,
            f"unsupported file type '{suffix or 'no extension'}' (supported: .pdf, .txt, .md)",
        )
    if not any(page.text.strip() for page in document.pages):
        if document.pages_without_text:
            raise InputError(path, _ocr_message(document.pages_without_text, document.page_count))
        raise InputError(path, "empty document: no text to classify")
    if document.pages_without_text:
        document.warnings.append(_ocr_message(document.pages_without_text, document.page_count))
    return document


def _ocr_message(pages: list[int], page_count: int) -> str:
    which = "all pages" if len(pages) == page_count else f"page{'s' if len(pages) > 1 else ''} {format_pages(pages)}"
    return f"no text layer on {which} (scanned images): these pages need OCR and were not read"


def format_pages(pages: list[int]) -> str:
    """1, 2, 3, 5 -> '1-3, 5'."""
    ranges: list[list[int]] = []
    for page in sorted(set(pages)):
        if ranges and page == ranges[-1][1] + 1:
            ranges[-1][1] = page
        else:
            ranges.append([page, page])
    return ", ".join(f"{a}-{b}" if a != b else f"{a}" for a, b in ranges)


def _extract_pdf(path: Path, head: bytes) -> ExtractedDocument:
    if b"%PDF-" not in head:
        raise InputError(path, "not a PDF file (no %PDF header)")
    import pdfplumber

    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:  # pdfminer raises many unrelated types for broken files
        if _is_password_error(exc):
            raise InputError(path, "encrypted PDF: it needs a password to open") from None
        raise InputError(path, f"corrupt or truncated PDF ({_reason(exc)})") from None
    pages: list[PageLines] = []
    without_text: list[int] = []
    with pdf:
        try:
            page_objects = pdf.pages
        except Exception as exc:
            raise InputError(path, f"corrupt or truncated PDF ({_reason(exc)})") from None
        if not page_objects:
            raise InputError(path, "empty document: the PDF has no pages")
        for number, page in enumerate(page_objects, start=1):
            try:
                pages.append(_page_lines(page, number))
                if len(page.chars) < MIN_PAGE_CHARS:
                    without_text.append(number)
            except Exception as exc:
                raise InputError(path, f"corrupt PDF: page {number} cannot be read ({_reason(exc)})") from None
            finally:
                # Drop the page's parsed objects now: a 1,000-page packet must not
                # keep every page's layout in memory.
                page.close()
        page_count = len(page_objects)
    running = running_line_keys(pages)
    texts = [PageText(p.number, join_hyphenated(page_text(p, running))) for p in pages]
    return ExtractedDocument(path, "pdf", texts, page_count, without_text)


def _page_lines(page, number: int) -> PageLines:
    raw = page.extract_words(x_tolerance=WORD_X_TOLERANCE, y_tolerance=3, keep_blank_chars=False)
    words = [
        Word(w["text"], float(w["x0"]), float(w["x1"]), float(w["top"]), float(w["bottom"]), bool(w.get("upright", True)))
        for w in raw
    ]
    return PageLines(number, float(page.width), float(page.height), lines_from_words(words, float(page.width), float(page.height)))


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


MARKDOWN_MARKUP = re.compile(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+(?=\S))|(\*\*|__|`)", re.MULTILINE)


def _extract_text(path: Path) -> ExtractedDocument:
    data = path.read_bytes()
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(path, "binary file, not text")
    text = decode_text(path, data).replace("\r\n", "\n").replace("\r", "\n")
    if path.suffix.lower() in {".md", ".markdown"}:
        text = MARKDOWN_MARKUP.sub(lambda m: "" if m.group(2) else "", text)
    # A form feed is how plain-text exports of paged documents mark a new page.
    raw_pages = text.split("\f")
    pages = [PageText(n, join_hyphenated(clean_plain_text(t))) for n, t in enumerate(raw_pages, start=1)]
    return ExtractedDocument(path, "text", pages, len(pages))
