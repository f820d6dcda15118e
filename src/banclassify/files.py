"""Writing files so that nothing a user wrote is ever lost or half-written."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from .errors import OutputError, output_problem

log = logging.getLogger("banclassify")


class atomic_path:
    """A temporary path beside ``target`` that replaces it on success and vanishes on failure.

    ``os.replace`` is atomic on POSIX and Windows, so a reader (or a crash) sees
    either the old file or the whole new one.
    """

    def __init__(self, target: str | Path):
        self.target = Path(target)

    def __enter__(self) -> Path:
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=self.target.parent)
        except OSError as exc:
            raise OutputError(self.target, output_problem(exc)) from None
        os.close(fd)
        self.tmp = Path(name)
        return self.tmp

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            try:
                with open(self.tmp, "rb") as handle:
                    os.fsync(handle.fileno())
                os.replace(self.tmp, self.target)
                return
            except OSError as error:
                exc_type, exc = OSError, error
        self.tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):  # writing the temporary file failed (disk full, ulimit -f)
            raise OutputError(self.target, output_problem(exc)) from None


def write_text_atomic(path: str | Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def append_lines(path: str | Path, lines: Iterable[str]) -> None:
    """Append whole records only: the lines in one ``write``, then fsync.

    A failed write (disk full, ``ulimit -f``, Ctrl-C) is cut back to where it
    started, so the file keeps only whole records; a last line torn by a kill
    (no newline at the end) is removed first, with a warning, so that no record
    is ever glued onto a fragment. Characters that UTF-8 cannot hold (lone
    surrogates from broken PDFs) are written as ``\\uXXXX`` escapes, which JSON
    reads back as the same characters.
    """
    payload = "".join(line.rstrip("\n") + "\n" for line in lines).encode("utf-8", "backslashreplace")
    if not payload:
        return
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o666)
    except OSError as exc:
        raise OutputError(path, output_problem(exc)) from None
    try:
        start = repair_torn_tail(fd, path)
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        except BaseException:
            os.ftruncate(fd, start)
            raise
    except OSError as exc:
        raise OutputError(path, output_problem(exc)) from None
    finally:
        os.close(fd)


def repair_torn_tail(fd: int, path: Path) -> int:
    """Cut a last line without its newline (a write killed half-way) off an open file; its new size."""
    size = os.fstat(fd).st_size
    if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
        return size
    end = size
    keep = 0
    while end > 0:
        begin = max(0, end - (1 << 16))
        chunk = os.pread(fd, end - begin, begin)
        newline = chunk.rfind(b"\n")
        if newline >= 0:
            keep = begin + newline + 1
            break
        end = begin
    os.ftruncate(fd, keep)
    log.warning("%s: its last line was cut off (%d bytes, a write interrupted by a crash) and was removed", path, size - keep)
    return keep


@contextmanager
def exclusive_lock(path: str | Path, what: str) -> Iterator[None]:
    """Hold ``.<name>.lock`` beside ``path`` for the block; refuse at once if another process holds it.

    Taking the lock also proves that the output folder can be written, before any work starts.
    """
    path = Path(path)
    lock = path.with_name(f".{path.name}.lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(lock, "a")
    except OSError as exc:
        raise OutputError(path, output_problem(exc)) from None
    try:
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks; runs are not protected
            yield
            return
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(path, f"another banclassify run is writing these {what} (lock {lock.name} is held); wait for it or choose other outputs") from None
        yield
    finally:
        handle.close()


class _Lock:
    """An exclusive advisory lock on ``<path>.lock`` (POSIX ``flock``), so that two
    processes appending to one file never interleave and an undo never races an append."""

    def __init__(self, path: Path):
        self.path = path.with_name(path.name + ".lock")

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = open(self.path, "a")
        try:
            import fcntl

            fcntl.flock(self.handle.fileno(), fcntl.LOCK_EX)
        except ImportError:  # Windows: appends of one small line are still whole
            pass
        return self

    def __exit__(self, *exc) -> None:
        self.handle.close()  # closing releases the lock


def append_locked(path: str | Path, lines: Iterable[str]) -> None:
    path = Path(path)
    with _Lock(path):
        append_lines(path, lines)


def rewrite_locked(path: str | Path, change) -> None:
    """Replace the file's lines by ``change(lines)`` atomically, under the lock."""
    path = Path(path)
    with _Lock(path):
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        write_text_atomic(path, "".join(line + "\n" for line in change(lines)))


def sha256_file(path: str | Path) -> str:
    """SHA-256 of a file's content, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
