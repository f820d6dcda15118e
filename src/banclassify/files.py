"""Writing files so that nothing a user wrote is ever lost or half-written."""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from pathlib import Path
from typing import Iterable


# A temporary file nobody holds a lock on is an orphan once it is this old: the
# only time an unlocked temporary file can belong to a live writer is the instant
# between its creation and its locking (two system calls apart).
ORPHAN_AGE_S = 10.0
# Without ``flock`` (Windows) nothing shows whether a writer is alive: wait a day.
ORPHAN_AGE_UNLOCKABLE_S = 86400.0


def _flock(fd: int, wait: bool) -> bool | None:
    """Take an exclusive ``flock``: True if taken, False if held elsewhere (only when not waiting), None if unsupported."""
    try:
        import fcntl
    except ImportError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:  # a filesystem without locks
        return None
    return True


def remove_orphans(target: str | Path) -> list[Path]:
    """Delete the temporary files of ``atomic_path(target)`` left by writers that died.

    A live writer holds an exclusive ``flock`` on its temporary file until it is
    renamed or removed; the kernel drops the lock when the process dies, however it
    dies. So a temporary file whose lock can be taken, and that is older than
    ``ORPHAN_AGE_S``, was left by a process that no longer runs. Returns what was removed.
    """
    target = Path(target)
    prefix, removed = f".{target.name}.", []
    try:
        entries = [e for e in os.scandir(target.parent) if e.name.startswith(prefix) and e.name.endswith(".tmp")]
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        try:
            fd = os.open(entry.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            stat = os.fstat(fd)
            if not (stat.st_mode & 0o170000 == 0o100000):  # regular files only
                continue
            locked = _flock(fd, wait=False)
            age = now - stat.st_mtime
            if locked is False or age < (ORPHAN_AGE_S if locked else ORPHAN_AGE_UNLOCKABLE_S):
                continue
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            continue
        finally:
            os.close(fd)
    return removed


def _new_file_mode(target: Path) -> int:
    """The permissions a rewritten file keeps: the old file's, else what the umask gives."""
    try:
        return os.stat(target).st_mode & 0o777
    except OSError:
        return -1  # created with 0o666 and the umask applied by the kernel


class atomic_path:
    """A temporary path beside ``target`` that replaces it on success and vanishes on failure.

    ``os.replace`` is atomic on POSIX and Windows, so a reader (or a crash) sees
    either the old file or the whole new one. The new file gets the permissions of
    the file it replaces, or, for a new file, the ones the umask gives (as a file
    opened for appending would), not ``mkstemp``'s 0600. While it is written the
    temporary file is locked, so that ``remove_orphans`` (run first) deletes only the
    ones of writers that died, e.g. a ``train`` killed while saving its model.
    """

    def __init__(self, target: str | Path):
        self.target = Path(target)

    def __enter__(self) -> Path:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        remove_orphans(self.target)
        mode = _new_file_mode(self.target)
        while True:
            name = self.target.parent / f".{self.target.name}.{secrets.token_hex(4)}.tmp"
            try:
                self._fd = os.open(name, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666 if mode < 0 else mode)
            except FileExistsError:
                continue
            break
        # Waits only if remove_orphans is looking at it at this very moment.
        _flock(self._fd, wait=True)
        if mode >= 0:
            try:
                os.chmod(name, mode)  # the umask may have taken bits the old file had
            except OSError:
                pass
        self.tmp = name
        return self.tmp

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                try:
                    with open(self.tmp, "rb") as handle:
                        os.fsync(handle.fileno())
                    os.replace(self.tmp, self.target)
                except BaseException:
                    self.tmp.unlink(missing_ok=True)
                    raise
            else:
                self.tmp.unlink(missing_ok=True)
        finally:
            os.close(self._fd)  # releases the lock, after the rename


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
