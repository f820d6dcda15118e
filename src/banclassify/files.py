"""Writing files so that nothing a user wrote is ever lost or half-written."""

from __future__ import annotations

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
