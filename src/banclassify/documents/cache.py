"""A cache of extraction results, keyed by the file's content hash and the engine.

Extraction is where the time goes; a second run over an unchanged folder reads
the cache instead. Entries are small gzip JSON files written atomically.

An entry records what was read, not only what was asked for: scanned pages
skipped because Tesseract was missing are listed in it, and once Tesseract is
installed such an entry no longer answers, so the next run reads those pages.
"""

from __future__ import annotations

import gzip
import json
import logging
from pathlib import Path

from ..errors import OutputError, output_problem
from ..files import atomic_path
from ..userdirs import cache_dir
from .ocr import tesseract_available
from .types import ExtractedDocument, PageText

# Bump when extraction or cleanup changes what it produces, so old entries are not reused.
EXTRACTION_VERSION = "3"


class ExtractionCache:
    def __init__(self, directory: Path | None = None):
        self.directory = Path(directory) if directory else cache_dir()
        self.writable = True  # until a write fails: then the run goes on without writing entries

    def _entry(self, sha256: str, engine: str) -> Path:
        return self.directory / f"{sha256[:2]}" / f"{sha256}-{engine}-v{EXTRACTION_VERSION}.json.gz"

    def get(self, sha256: str, engine: str, path: Path) -> ExtractedDocument | None:
        entry = self._entry(sha256, engine)
        try:
            with gzip.open(entry, "rt", encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError, EOFError):
            return None  # missing or damaged: extract again
        if data.get("ocr_missing") and tesseract_available():
            return None  # pages skipped for want of Tesseract can be read now
        return ExtractedDocument(
            path=path,
            kind=data["kind"],
            pages=[PageText(n, t) for n, t in data["pages"]],
            page_count=data["page_count"],
            pages_without_text=data["pages_without_text"],
            warnings=data["warnings"],
            ocr_pages=data.get("ocr_pages", []),
            ocr_missing=data.get("ocr_missing", []),
            unreadable_pages=data.get("unreadable_pages", []),
            damage=data.get("damage", ""),
        )

    def put(self, sha256: str, engine: str, document: ExtractedDocument) -> None:
        data = {
            "kind": document.kind,
            "pages": [[p.number, p.text] for p in document.pages],
            "page_count": document.page_count,
            "pages_without_text": document.pages_without_text,
            "warnings": document.warnings,
            "ocr_pages": document.ocr_pages,
            "ocr_missing": document.ocr_missing,
            "unreadable_pages": document.unreadable_pages,
            "damage": document.damage,
        }
        if not self.writable:
            return
        try:
            with atomic_path(self._entry(sha256, engine)) as tmp:
                with gzip.open(tmp, "wt", encoding="utf-8") as handle:
                    json.dump(data, handle)
        except (OSError, OutputError) as exc:
            # A cache that cannot be written (full, read-only) only costs time: say so once and go on.
            self.writable = False
            problem = exc.problem if isinstance(exc, OutputError) else output_problem(exc)
            logging.getLogger("banclassify").warning(
                f"{self.directory}: the extraction cache is skipped for the rest of this run ({problem}); set BANCLASSIFY_CACHE_DIR or use --no-cache"
            )

    def clear(self) -> int:
        removed = 0
        if not self.directory.exists():
            return 0
        for entry in self.directory.rglob("*.json.gz"):
            entry.unlink(missing_ok=True)
            removed += 1
        return removed
