"""The worker entry point of a batch: one unit of extraction work in, its result out.

A unit is a whole document or a page range of a PDF. Units live here, not in
``batch``, so that a worker process imports only what extraction needs:
``batch`` brings in scikit-learn, about a second of start-up per worker.
``extract_unit`` never raises: every failure comes back as a message.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import BanclassifyError
from ..limits import reading_time_limit
from ..process import freeze_in_worker
from .pdf import DEFAULT_ENGINE, read_pdf_lines
from .text import read_html_file, read_text_file


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
    max_pages: int | None = None  # checked as pages are read: a page tree may hold more than it declares


@dataclass
class UnitResult:
    index: int
    payload: object = None  # PdfPages or ExtractedDocument
    error: str | None = None
    seconds: float = 0.0
    crashed: bool = False  # the worker died reading it (see ``workers``)


def extract_unit(unit: ExtractionUnit) -> UnitResult:
    """Extract one unit in a worker; every failure comes back as a message, never raised."""
    freeze_in_worker()
    started = time.perf_counter()
    try:
        path = Path(unit.path)
        with reading_time_limit(path, unit.timeout):
            if unit.kind == "pdf":
                payload: object = read_pdf_lines(path, unit.first, unit.last, unit.engine, unit.ocr, max_pages=unit.max_pages)
            elif unit.kind == "html":
                payload = read_html_file(path)
            else:
                payload = read_text_file(path)
        return UnitResult(unit.index, payload, None, time.perf_counter() - started)
    except BanclassifyError as exc:
        return UnitResult(unit.index, None, exc.problem, time.perf_counter() - started)
    except (MemoryError, RecursionError) as exc:
        return UnitResult(unit.index, None, f"too complex to read ({type(exc).__name__})", time.perf_counter() - started)
    except Exception as exc:  # a worker must never take the batch down
        return UnitResult(unit.index, None, f"unexpected error ({type(exc).__name__}: {str(exc)[:100]})", time.perf_counter() - started)
