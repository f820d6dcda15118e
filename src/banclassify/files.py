"""Writing files so that nothing a user wrote is ever lost or half-written."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Iterable


class atomic_path:
    """A temporary path beside ``target`` that replaces it on success and vanishes on failure.

    ``os.replace`` is atomic on POSIX and Windows, so a reader (or a crash) sees
    either the old file or the whole new one.
    """

    def __init__(self, target: str | Path):
        self.target = Path(target)

    def __enter__(self) -> Path:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=self.target.parent)
        os.close(fd)
        self.tmp = Path(name)
        return self.tmp

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            with open(self.tmp, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(self.tmp, self.target)
        else:
            self.tmp.unlink(missing_ok=True)


def write_text_atomic(path: str | Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def append_lines(path: str | Path, lines: Iterable[str]) -> None:
    """Append whole lines in one write, then flush and fsync, so a kill never leaves half a line."""
    payload = "".join(line.rstrip("\n") + "\n" for line in lines)
    if not payload:
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(payload)
        handle.flush()
        os.fsync(handle.fileno())


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
