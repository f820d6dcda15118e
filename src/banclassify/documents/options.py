"""How to read documents: one options object for ``scan``, ``batch`` and ``annotate``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..limits import DEFAULT_MAX_MB, DEFAULT_MAX_PAGES, Limits
from .extract import check_limits, extract
from .pdf import DEFAULT_ENGINE
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

    @property
    def limits(self) -> Limits:
        """The size, page and time limits, as ``extract`` applies them."""
        return Limits(self.max_mb, self.max_pages, self.timeout)

    def check_limits(self, path: Path) -> None:
        """Refuse a file over the size or page limit (``InputError``), judged by its content, not its name."""
        check_limits(Path(path), self.limits)


def read_document(path: str | Path, options: ReadOptions | None = None) -> ExtractedDocument:
    """``extract`` within the limits of ``options``; ``InputError`` for a file over a limit or out of time."""
    options = options or ReadOptions()
    path = Path(path)
    return extract(path, engine=options.engine, jobs=options.jobs, ocr=options.ocr, limits=options.limits)
