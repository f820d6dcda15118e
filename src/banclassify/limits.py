"""Limits that keep one hostile or broken file from hurting a run: size, pages, time, memory."""

from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

DEFAULT_MAX_MB = 200.0
DEFAULT_MAX_PAGES = 5000
# Seconds per document for scan and batch (--timeout; 0 for none). A 5,000-page PDF
# reads in about a minute; scanned pages take about a second each through OCR.
DEFAULT_TIMEOUT = 600.0
# The largest a single compressed PDF stream may decode to (pdfminer's Flate filter).
MAX_STREAM_MB = 256
# The longest clause given as text (classify, labelled data): a real clause is a few
# thousand characters; spaCy refuses texts over a million (E088). Documents are cut
# into clauses by the segmenter, which cuts run-on text far shorter than this.
MAX_CLAUSE_CHARS = 100_000


def clause_too_long(text: str) -> str | None:
    """Why ``text`` is too long to be one clause, or None."""
    if len(text) <= MAX_CLAUSE_CHARS:
        return None
    return f"a clause of {len(text):,} characters (at most {MAX_CLAUSE_CHARS:,}: split it into clauses, or scan it as a document)"


def machine_memory_mb() -> float | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20
    except (AttributeError, ValueError, OSError):
        return None


def default_max_memory_mb() -> float:
    """Half of the machine's RAM (at least 1 GB): the address space each reading process may use."""
    total = machine_memory_mb()
    return float(max(1024, int(total / 2))) if total else 4096.0


def apply_memory_ceiling(megabytes: float | None) -> None:
    """Cap this process's address space (``RLIMIT_AS``) so that a bomb raises ``MemoryError``.

    Only ever lowers the limit; on systems without ``resource`` there is no ceiling.
    """
    if not megabytes:
        return
    try:
        import resource
    except ImportError:
        return
    limit = int(megabytes * 2**20)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft == resource.RLIM_INFINITY or limit < soft:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


@dataclass(frozen=True)
class Limits:
    """What reading one document may cost. ``extract`` applies them, so that every command
    (scan, batch, annotate) refuses the same files, whatever their names say they are."""

    max_mb: float | None = DEFAULT_MAX_MB
    max_pages: int | None = DEFAULT_MAX_PAGES
    timeout: float | None = None  # seconds of reading


class TimeLimitExceeded(BaseException):
    """Raised by the alarm; a BaseException so that no ``except Exception`` in a PDF reader swallows it."""


@contextmanager
def time_limit(seconds: float | None):
    """Interrupt the block after ``seconds`` (main thread on POSIX; elsewhere no limit)."""
    usable = seconds and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise TimeLimitExceeded()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def reading_time_limit(path: Path, seconds: float | None):
    """``time_limit`` for reading ``path``: running out is an ``InputError`` naming the file."""
    try:
        with time_limit(seconds):
            yield
    except TimeLimitExceeded:
        raise InputError(path, f"timed out after {seconds:g} s (raise --timeout to allow more)") from None


def check_size(path: Path, max_mb: float | None) -> None:
    if max_mb is None or not path.is_file():
        return
    size_mb = path.stat().st_size / 1e6
    if size_mb > max_mb:
        raise InputError(path, f"too large ({size_mb:.1f} MB; the limit is --max-mb {max_mb:g})")


def check_pages(path: Path, pages: int | None, max_pages: int | None) -> None:
    if max_pages is not None and pages is not None and pages > max_pages:
        raise InputError(path, f"too many pages ({pages}; the limit is --max-pages {max_pages})")
