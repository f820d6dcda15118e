"""OCR for pages without a usable text layer: render with PDFium, read with Tesseract.

Tesseract's word boxes go through the same layout layer as any engine's words, so
scanned pages get the same cleanup and segmentation as digital ones.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Iterator, Sequence

from ..errors import InputError
from .types import Word

DPI = 300
# The most pixels one page is rendered to for OCR: a letter page at 300 dpi is 8.4
# million. A page larger than a poster is rendered at a lower resolution instead,
# so that a 14,400-point MediaBox does not ask for a 60,000 x 60,000 bitmap (10 GB).
MAX_PAGE_PIXELS = 40_000_000
PAGE_SECONDS = 300  # Tesseract's time for one page, whatever --timeout says
# A page whose text layer has fewer characters than this, while images cover most of
# it, is a scan with (at most) a stamped header: read it by OCR.
HEADER_ONLY_CHARS = 200
IMAGE_COVER = 0.5
INSTALL_HINT = "install Tesseract to read them (Debian/Ubuntu: sudo apt-get install tesseract-ocr; macOS: brew install tesseract)"


def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


def tesseract_environment() -> dict[str, str]:
    """The environment for a Tesseract process: one thread unless the user chose otherwise.

    Tesseract's OpenMP threads spin rather than work on small machines: one page
    took 4.1 s with them and 0.9 s on one thread (2 cores; a known Tesseract
    problem, which its maintainers answer with OMP_THREAD_LIMIT=1). Pages are
    read in parallel instead, one Tesseract process per core.
    """
    return {**os.environ, "OMP_THREAD_LIMIT": os.environ.get("OMP_THREAD_LIMIT", "1")}


def needs_ocr(chars: int, image_cover: float, mode: str, min_chars: int) -> bool:
    if mode == "never":
        return False
    if mode == "always":
        return True
    return chars < min_chars or (chars < HEADER_ONLY_CHARS and image_cover >= IMAGE_COVER)


def render_scale(width: float, height: float) -> float:
    """Pixels per point for rendering a page: ``DPI``, or less for a page over ``MAX_PAGE_PIXELS``
    (however large the page, its bitmap stays within the budget); 0 for a size that is not a number."""
    scale = DPI / 72
    if not (0 < width < float("inf") and 0 < height < float("inf")):
        return 0.0
    # Square roots apart: width * height overflows for a 1e300-point box.
    return min(scale, MAX_PAGE_PIXELS**0.5 / width**0.5 / height**0.5)


def read_pages(
    path: Path, numbers: Sequence[int], jobs: int = 1, notes: list[str] | None = None,
) -> Iterator[tuple[int, list[Word]]]:
    """OCR pages (1-based) into positioned words, in PDF points; ``jobs`` Tesseract processes at a time.

    Yields (page number, words) in the order of ``numbers``. A page Tesseract
    cannot read raises ``OcrError`` naming it; a page PDFium cannot render (a
    damaged file that only pdfplumber opens) comes back as (number, None). A page
    too large to render at ``DPI`` is rendered smaller, with a warning in ``notes``.
    """
    import pypdfium2
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    jobs = max(1, jobs)
    tesseracts = _Tesseracts()
    with tempfile.TemporaryDirectory(prefix="banclassify-ocr-") as folder:
        try:
            document = pypdfium2.PdfDocument(str(path))
        except Exception:
            yield from ((number, None) for number in numbers)
            return
        pool = ThreadPoolExecutor(max_workers=jobs)
        try:
            futures = []
            for number in numbers:
                # Rendering stays in this thread (PDFium is not thread-safe) and runs
                # while Tesseract reads the pages before; only a few pages wait on disk.
                running = [f for _, f in futures if f is not None and not f.done()]
                if len(running) >= 2 * jobs:
                    wait(running, return_when=FIRST_COMPLETED)
                png = Path(folder) / f"page-{number}.png"
                try:
                    page = document[number - 1]
                    width, height = page.get_size()
                    scale = render_scale(width, height)
                    if not scale:
                        raise ValueError("the page has no size")
                    if scale < DPI / 72 and notes is not None:
                        notes.append(
                            f"page {number} is {width:.0f} x {height:.0f} pt: rendered for OCR at {scale * 72:.2g} dpi instead of {DPI} "
                            f"(at most {MAX_PAGE_PIXELS / 1e6:.0f} million pixels a page), so small print on it may be missed"
                        )
                    bitmap = page.render(scale=scale)
                except Exception:
                    futures.append((number, None))
                    continue
                bitmap.to_pil().save(png, compress_level=1)
                futures.append((number, pool.submit(tesseracts.words, png, scale)))
            for number, future in futures:
                if future is None:
                    yield number, None
                    continue
                try:
                    yield number, future.result()
                except Exception as exc:
                    raise OcrError(number, str(exc)) from None
        finally:
            # On an error or a time limit (--timeout, Ctrl-C) no page is left being read.
            tesseracts.stop()
            pool.shutdown(wait=True, cancel_futures=True)
            document.close()


class OcrError(InputError):
    """A page that Tesseract cannot read; the caller names the file."""

    def __init__(self, page: int, problem: str):
        super().__init__(None, f"page {page} cannot be read by OCR ({problem})")
        self.page = page


class _Tesseracts:
    """The Tesseract processes of one ``read_pages``, which can all be stopped at once.

    They run in worker threads, where a time limit (an alarm in the main thread)
    cannot reach them.
    """

    def __init__(self) -> None:
        self._running: set[subprocess.Popen] = set()
        self._lock = threading.Lock()
        self._stopped = False

    def words(self, png: Path, scale: float) -> list[Word]:
        with self._lock:
            if self._stopped:
                raise RuntimeError("stopped")
            process = subprocess.Popen(
                ["tesseract", str(png), "stdout", "--psm", "3", "tsv"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=tesseract_environment(),
            )
            self._running.add(process)
        try:
            out, err = process.communicate(timeout=PAGE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise RuntimeError(f"tesseract took longer than {PAGE_SECONDS} s") from None
        finally:
            with self._lock:
                self._running.discard(process)
        if process.returncode != 0:
            raise RuntimeError(f"tesseract failed: {err.strip()[:120]}")
        return _words_from_tsv(out, scale)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            for process in self._running:
                process.kill()


def _words_from_tsv(tsv: str, scale: float) -> list[Word]:
    words = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text or float(row.get("conf") or -1) < 0:
            continue
        left, top, width, height = (float(row[k]) / scale for k in ("left", "top", "width", "height"))
        words.append(Word(text, left, left + width, top, top + height, True))
    return words
