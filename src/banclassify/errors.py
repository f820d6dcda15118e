"""Errors a user can act on, and the exit codes the CLI maps them to."""

from __future__ import annotations

from pathlib import Path

EXIT_OK = 0
EXIT_INTERNAL = 1  # a bug: reported in one line, never as a traceback
EXIT_USAGE = 2  # bad arguments (Typer/Click's own code)
EXIT_INPUT = 3  # a document or data file could not be read
EXIT_MODEL = 4  # the model file is missing, unreadable or incompatible
EXIT_DATA = 5  # labelled data failed validation
EXIT_SOME_FAILED = 6  # batch: some documents could not be read (see the summary)
EXIT_ALL_FAILED = 7  # batch: no document could be read
EXIT_OUTPUT = 8  # an output cannot be written (disk full, read-only, too large, no permission, in use)


class BanclassifyError(Exception):
    """A problem with one file, told to the user as ``file: problem``."""

    exit_code = EXIT_INPUT

    def __init__(self, path: str | Path | None, problem: str):
        self.path = str(path) if path is not None else None
        self.problem = problem
        super().__init__(self.one_line())

    def one_line(self) -> str:
        return f"{self.path}: {self.problem}" if self.path else self.problem


class InputError(BanclassifyError):
    exit_code = EXIT_INPUT


class ModelError(BanclassifyError):
    exit_code = EXIT_MODEL


class DataError(BanclassifyError):
    exit_code = EXIT_DATA


class UsageError(BanclassifyError):
    """Options that cannot go together, found by the library rather than the parser."""

    exit_code = EXIT_USAGE


class OutputError(BanclassifyError):
    exit_code = EXIT_OUTPUT


def output_problem(exc: OSError) -> str:
    """An ``OSError`` from writing, as the problem a user can act on."""
    import errno

    reasons = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is exhausted",
        errno.EROFS: "the file system is read-only",
        errno.EFBIG: "the file is larger than this process may write (ulimit -f)",
        errno.EACCES: "permission denied",
        errno.EPERM: "operation not permitted",
        errno.EISDIR: "is a directory",
        errno.ENOTDIR: "a parent is not a directory",
        errno.ENOENT: "its folder does not exist",
    }
    return f"cannot write: {reasons.get(exc.errno) or exc.strerror or exc}"
