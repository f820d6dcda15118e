"""Limits that keep one hostile or broken file from hurting a run: size, pages, time."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

DEFAULT_MAX_MB = 200.0
DEFAULT_MAX_PAGES = 5000


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
