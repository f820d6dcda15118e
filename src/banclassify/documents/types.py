"""The extract stage's data: what the PDF engines produce and what the stage hands on.

Engines produce ``Word`` objects with positions; ``layout`` groups them into
``Line`` objects of one ``PageLines`` per page and cleans them into one
``PageText`` per page; an ``ExtractedDocument`` is the stage's result, the
input of ``segment``. Plain dataclasses, so that they cross process boundaries
(batch workers) and the extraction cache unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple


class Word(NamedTuple):
    """One word of a PDF page with its box in points from the page's top-left corner.

    A named tuple rather than a frozen dataclass: a dense page has thousands of words
    and a frozen dataclass takes several times longer to build each one.
    """

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    upright: bool = True
    mark: str = ""  # "struck" or "underlined" (amendment markup), else ""


@dataclass
class Line:
    """Words of one printed line, joined with single spaces, with the line's box."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float


@dataclass
class PageLines:
    """One page's lines in reading order, before cross-page cleanup."""

    number: int  # 1-based, as printed in a PDF viewer
    width: float
    height: float
    lines: list[Line]
    line_pitch: float = 0.0  # distance between a bill's numbered lines; 0.0 on a page without line numbers


@dataclass
class PageText:
    """The clean text of one page: what ``segment`` reads.

    ``number`` is the 1-based page number as a PDF viewer shows it (text files
    count pages at form feeds). ``text`` has running headers and footers, page
    numbers, margin stamps and bill line numbers removed, words split by a
    hyphen at a line break joined, and columns read one after the other.
    Struck-through and underlined words carry the amendment marks of
    ``documents.marks`` around them.
    """

    number: int
    text: str


@dataclass
class ExtractedDocument:
    """A whole document after extraction: the result of ``extract()``.

    ``pages`` holds the pages that have text, in order; ``page_count`` is the
    document's page count, including pages that could not be read, which are
    listed in ``pages_without_text`` (no text layer and no OCR) and
    ``ocr_missing`` (needed OCR, Tesseract not installed). ``ocr_pages`` were
    read by OCR. ``unreadable_pages`` could not be read at all (a damaged or
    cut-off file); ``damage`` says what is wrong with such a file ("" when
    nothing is). ``warnings`` are one-line messages for the user about what was
    not read. ``kind`` is "pdf", "text" or "html".
    """

    path: Path
    kind: str
    pages: list[PageText]
    page_count: int
    pages_without_text: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ocr_pages: list[int] = field(default_factory=list)
    ocr_missing: list[int] = field(default_factory=list)
    unreadable_pages: list[int] = field(default_factory=list)
    damage: str = ""

    @property
    def skipped_pages(self) -> list[int]:
        """Pages whose text was not read, whatever the reason."""
        return sorted(set(self.pages_without_text) | set(self.ocr_missing) | set(self.unreadable_pages))

    def skip_reasons(self) -> list[str]:
        """Why pages were skipped, in a few words each (for summaries)."""
        reasons = []
        if self.ocr_missing:
            reasons.append("scanned, Tesseract not installed")
        elif self.pages_without_text:
            reasons.append("scanned, OCR off")
        if self.unreadable_pages:
            reasons.append("unreadable (damaged file)")
        return reasons


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
    declared: int = 0  # the page count the file's page tree declares (0: unknown)
    unreadable: list[int] = field(default_factory=list)  # pages the engine could not read
    notes: list[str] = field(default_factory=list)  # warnings for the user (another engine read the file, ...)
