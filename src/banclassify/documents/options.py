"""How to read documents: one options object for ``scan``, ``batch`` and ``annotate``."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..limits import DEFAULT_MAX_MB, DEFAULT_MAX_PAGES, TimeLimitExceeded, check_pages, check_size, time_limit
from .extract import extract
from .pdf import DEFAULT_ENGINE, pdf_page_count
from .types import ExtractedDocument


@dataclass(frozen=True)
class ReadOptions:
    """How documents are read, and the limits put on untrusted input.

    ``engine``: "pdfplumber" or "pdfium". ``ocr``: "auto" (scanned pages only),
    "always" or "never". ``jobs``: worker processes (-1: every core); for one
    document they read page ranges of a long PDF, for a batch whole documents
    and page ranges. ``timeout`` (seconds, per document), ``max_mb`` and
    ``max_pages``: a document over a limit is refused with an ``InputError``;
    None lifts the limit.
    """

    engine: str = DEFAULT_ENGINE
    ocr: str = "auto"
    jobs: int = 1
    timeout: float | None = None
    max_mb: float | None = DEFAULT_MAX_MB
    max_pages: int | None = DEFAULT_MAX_PAGES

    @contextmanager
    def within_limits(self, path: Path):
        """Refuse a file over the size or page limit, then run the block within the time limit.

        Running out of time becomes an ``InputError`` naming the file.
        """
        self.check_limits(path)
        try:
            with time_limit(self.timeout):
                yield
        except TimeLimitExceeded:
            raise InputError(path, f"timed out after {self.timeout:g} s (raise --timeout to allow more)") from None


    def check_limits(self, path: Path) -> None:
        """Refuse a file over the size or page limit (``InputError``)."""
        check_size(path, self.max_mb)
        if path.suffix.lower() == ".pdf" and path.is_file():
            check_pages(path, pdf_page_count(path), self.max_pages)


def read_document(path: str | Path, options: ReadOptions | None = None) -> ExtractedDocument:
    """``extract`` within the limits of ``options``; ``InputError`` for a file over a limit or out of time."""
    options = options or ReadOptions()
    path = Path(path)
    with options.within_limits(path):
        return extract(path, engine=options.engine, jobs=options.jobs, ocr=options.ocr)
