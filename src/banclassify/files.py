"""Writing files so that nothing a user wrote is ever lost or half-written."""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from .errors import OutputError, output_problem

log = logging.getLogger("banclassify")


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
        try:
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
        except OSError as exc:
            raise OutputError(self.target, output_problem(exc)) from None
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
                except BaseException as error:
                    self.tmp.unlink(missing_ok=True)
                    if isinstance(error, OSError):
                        raise OutputError(self.target, output_problem(error)) from None
                    raise
            else:
                self.tmp.unlink(missing_ok=True)
                if isinstance(exc, OSError) and not isinstance(exc, OutputError):  # writing the temporary file failed (disk full, ulimit -f)
                    raise OutputError(self.target, output_problem(exc)) from None
        finally:
            os.close(self._fd)  # releases the lock, after the rename


def check_writable(path: str | Path, append: bool = False) -> None:
    """Refuse an output that cannot be written, before any work is done: one ``OutputError`` naming it.

    A command that would work for minutes (train, a long scan) first checks
    where its result goes: the folder must take a new file with a byte in it (a
    read-only file system, no permission, a full disk and ``ulimit -f`` all fail
    there), which is then removed. For ``append`` to a file that exists, the
    file itself must open for appending (its folder need not take new files).
    A folder that does not exist yet is created, as writing the output would.
    """
    path = Path(path)
    try:
        if path.is_dir():
            raise IsADirectoryError(21, "is a directory")
        if append and path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_APPEND))
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        probe = path.parent / f".{path.name}.{secrets.token_hex(4)}.probe"
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
            probe.unlink(missing_ok=True)
    except OSError as exc:
        raise OutputError(path, output_problem(exc)) from None


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
