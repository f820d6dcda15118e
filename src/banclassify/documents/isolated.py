"""Reading one document in a supervised child process: what ``scan`` does with untrusted files.

A decompression bomb, a PDF library that aborts (PDFium calls ``abort()`` when an
allocation fails) or loops in C code where the alarm of ``--timeout`` cannot
reach it would otherwise take the ``scan`` process itself down or hang it. In
the child the address space is capped (``--max-memory``) and the time limit is
enforced from outside (``workers.SupervisedCall``); every such end is an
``InputError`` naming the file.

The first child is forked before the caller loads the model, so it costs a few
milliseconds and imports the PDF libraries while the model loads.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import BanclassifyError, InputError
from .options import ReadOptions
from .types import ExtractedDocument


@dataclass
class _Read:
    document: ExtractedDocument | None = None
    problem: str | None = None
    seconds: float = 0.0


def _read_in_child(request: tuple[str, ReadOptions]) -> _Read:
    from .extract import extract

    path, options = request
    started = time.perf_counter()
    try:
        document = extract(path, engine=options.engine, jobs=options.jobs, ocr=options.ocr, limits=options.limits)
        return _Read(document, None, time.perf_counter() - started)
    except BanclassifyError as exc:
        return _Read(None, exc.problem, time.perf_counter() - started)
    except (MemoryError, RecursionError) as exc:
        return _Read(None, _too_much(exc), time.perf_counter() - started)
    except Exception as exc:  # a page-range worker that died (loky's TerminatedWorkerError), a library bug
        return _Read(None, f"cannot be read ({type(exc).__name__}: {' '.join(str(exc).split())[:120]})", time.perf_counter() - started)


def _too_much(exc: BaseException) -> str:
    return "out of memory while reading it (raise --max-memory to allow more)" if isinstance(exc, MemoryError) else "too deeply nested to read (RecursionError)"


class DocumentReader:
    """Reads documents one at a time in a supervised child process (``workers.SupervisedWorker``).

    Made before the model loads, its first child is a cheap fork that imports the
    PDF libraries while the model loads. ``memory_mb`` caps the child's address
    space (None: no ceiling); ``options.timeout`` is enforced from outside too.
    Use it as a context manager so that the child is stopped however the block ends.
    """

    def __init__(self, options: ReadOptions | None = None, memory_mb: float | None = None):
        from ..workers import SupervisedWorker

        self.options = options or ReadOptions()
        self._worker = SupervisedWorker(_read_in_child, memory_mb)

    def read(self, path: str | Path, options: ReadOptions | None = None) -> tuple[ExtractedDocument, float]:
        """The extracted document and the seconds its reading took, or an ``InputError`` naming the
        file and what became of its reader (out of memory, killed by a signal, out of time)."""
        options = options or self.options
        outcome = self._worker.call((str(path), options), options.timeout)
        read = outcome.value
        if isinstance(read, _Read):
            if read.document is not None:
                read.document.path = Path(path)
                return read.document, read.seconds
            raise InputError(path, read.problem or "cannot be read")
        if outcome.crashed:
            raise InputError(path, f"the reader died: {outcome.failure}")
        raise InputError(path, outcome.failure or "cannot be read")

    def close(self) -> None:
        self._worker.close()

    def __enter__(self) -> "DocumentReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
