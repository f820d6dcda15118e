"""Supervised worker processes: one hostile input can kill its worker, never the run.

A worker reads one unit at a time, so the parent always knows which unit a dead
worker was reading: it records that unit as failed, with the signal that killed
the worker, and starts a new worker for the rest. This is what a process pool
(loky, ``concurrent.futures``) cannot do: when one of its workers dies, every
unit in flight fails with ``TerminatedWorkerError``/``BrokenProcessPool``.

Workers are forked from a fork server that has imported only the extraction code
(safe with the parent's threads, and about as fast as a plain fork). Each worker
caps its own address space (``RLIMIT_AS``: a decompression bomb then ends in a
``MemoryError`` or an abort, both reported as one line), and a unit that overruns
its time limit is killed from outside: the alarm inside a worker cannot interrupt
a loop in a PDF library's C code.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Callable, Iterator, Sequence

from .limits import apply_memory_ceiling

# Seconds a worker gets beyond the unit's own time limit (which the worker enforces
# itself with an alarm, giving a cleaner message) before it is killed from outside.
KILL_GRACE = 5.0
PRELOAD = ["banclassify.documents.units"]


@dataclass
class Outcome:
    """What became of one item: its value, or why there is none."""

    value: object = None
    failure: str | None = None
    crashed: bool = False  # the worker died on this item (it would kill a worker again)


def death_reason(exitcode: int | None, memory_mb: float | None) -> str:
    """A dead worker's exit code as one line a user can act on."""
    ceiling = f" (the memory ceiling is --max-memory {memory_mb:g} MB)" if memory_mb else ""
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else f"signal {number}"
        if number == signal.SIGKILL:
            return f"the reader was killed (SIGKILL: out of memory, or killed by the system){ceiling}"
        if number == signal.SIGABRT:
            return f"the PDF library aborted (SIGABRT), most likely out of memory{ceiling}"
        return f"the reader crashed ({name})"
    return f"the reader exited unexpectedly (exit code {exitcode})"


class _Worker:
    def __init__(self, context, func: Callable, memory_mb: float | None, daemon: bool = True):
        self.conn, child = context.Pipe()
        # The fork server keeps the environment it started with; a worker takes the caller's as it is now (PATH, OMP_THREAD_LIMIT).
        self.process = context.Process(target=_worker_main, args=(child, func, memory_mb, dict(os.environ)), daemon=daemon)
        self.process.start()
        child.close()
        self.item: int | None = None
        self.deadline: float | None = None

    def give(self, index: int, item: object, timeout: float | None) -> None:
        self.item = index
        self.deadline = time.monotonic() + timeout + KILL_GRACE if timeout else None
        self.conn.send((index, item))

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


def _worker_main(conn: Connection, func: Callable, memory_mb: float | None, environment: dict[str, str] | None = None) -> None:
    if environment is not None:
        os.environ.clear()
        os.environ.update(environment)
    # Ctrl-C goes to the whole process group: the parent decides what happens.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    apply_memory_ceiling(memory_mb)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        index, item = message
        try:
            reply = (index, func(item), None)
        except MemoryError:
            reply = (index, None, _memory_message(memory_mb))
        except BaseException as exc:  # the parent decides; the worker only reports
            reply = (index, None, f"unexpected error ({type(exc).__name__}: {str(exc)[:100]})")
        try:
            conn.send(reply)
        except MemoryError:
            conn.send((index, None, _memory_message(memory_mb)))


def _memory_message(memory_mb: float | None) -> str:
    return f"out of memory (over the memory ceiling --max-memory {memory_mb:g} MB)" if memory_mb else "out of memory"


def _context():
    try:
        context = multiprocessing.get_context("forkserver")
    except ValueError:  # Windows: no fork server
        return multiprocessing.get_context("spawn")
    context.set_forkserver_preload(PRELOAD)
    return context


def _fork_context():
    """A plain fork where there is one: for a worker started before its caller has threads or much memory."""
    try:
        return multiprocessing.get_context("fork")
    except ValueError:
        return _context()


class SupervisedWorker:
    """One supervised worker process that calls ``func(item)`` for one item at a time.

    The first worker is a fork of the caller, made at once: the CLI makes it
    before it loads the model (a few milliseconds, while the caller has no threads
    and little memory), so the worker is ready when the first document comes. A
    worker that dies or overruns its time limit is killed and the next item gets
    a new one from the fork server (the caller may be large by then). Workers cap
    their address space at ``memory_mb`` and are not daemons, so that they may
    start processes of their own (page ranges of a long PDF). Use it as a context
    manager: leaving the block stops the worker, whatever happened.
    """

    def __init__(self, func: Callable, memory_mb: float | None = None):
        self.func, self.memory_mb = func, memory_mb
        self._worker: _Worker | None = _Worker(_fork_context(), func, memory_mb, daemon=False)

    def call(self, item: object, timeout: float | None = None) -> Outcome:
        """``func(item)`` in the worker: its value, or why there is none (the worker died, or ran out of time)."""
        if self._worker is None:
            self._worker = _Worker(_context(), self.func, self.memory_mb, daemon=False)
        worker = self._worker
        worker.give(0, item, timeout)
        outcome = None
        while outcome is None:
            left = None if worker.deadline is None else max(0.0, worker.deadline - time.monotonic())
            wait([worker.conn, worker.process.sentinel], timeout=left)
            outcome = _collect(worker, self.memory_mb, timeout)
        worker.item = None
        if outcome.crashed or outcome.failure == _timed_out(timeout):
            worker.kill()
            self._worker = None
        return outcome

    def close(self) -> None:
        if self._worker is None:
            return
        try:
            self._worker.conn.send(None)
        except OSError:
            pass
        self._worker.process.join(0.5)
        self._worker.kill()
        self._worker = None

    def __enter__(self) -> "SupervisedWorker":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def supervised_map(
    func: Callable,
    items: Sequence,
    jobs: int,
    memory_mb: float | None = None,
    timeout: float | None = None,
    window: int | None = None,
) -> Iterator[Outcome]:
    """``func(item)`` for every item in ``jobs`` worker processes; outcomes in item order.

    ``func`` must be importable by name (it is sent to the workers). At most
    ``window`` items (default ``4 * jobs``) are ahead of the next one to be
    yielded, so finished results wait in memory only briefly.
    """
    total = len(items)
    if total == 0:
        return
    jobs = max(1, min(jobs, total))
    window = window or 4 * jobs
    context = _context()
    workers: list[_Worker] = []
    done: dict[int, Outcome] = {}
    given = 0  # items handed out so far
    yielded = 0
    try:
        while yielded < total:
            while yielded in done:
                yield done.pop(yielded)
                yielded += 1
            if yielded >= total:
                break
            for worker in workers:
                if worker.item is None and given < total and given < yielded + window:
                    worker.give(given, items[given], timeout)
                    given += 1
            while len(workers) < jobs and given < total and given < yielded + window:
                worker = _Worker(context, func, memory_mb)
                workers.append(worker)
                worker.give(given, items[given], timeout)
                given += 1
            busy = [w for w in workers if w.item is not None]
            deadlines = [w.deadline for w in busy if w.deadline is not None]
            wait_for = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
            wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=wait_for)
            for worker in busy:
                outcome = _collect(worker, memory_mb, timeout)
                if outcome is None:
                    continue
                done[worker.item] = outcome
                worker.item = None
                if outcome.crashed or outcome.failure == _timed_out(timeout):
                    worker.kill()
                    workers.remove(worker)
    finally:
        for worker in workers:
            try:
                worker.conn.send(None)
            except OSError:
                pass
        for worker in workers:
            worker.process.join(1)
            worker.kill()


def _collect(worker: _Worker, memory_mb: float | None, timeout: float | None) -> Outcome | None:
    """The outcome of the worker's item if there is one now, else None."""
    try:
        if worker.conn.poll():
            index, value, failure = worker.conn.recv()
            return Outcome(value, failure)
    except (EOFError, OSError):
        pass
    else:
        if worker.process.is_alive():
            if worker.deadline is not None and time.monotonic() >= worker.deadline:
                return Outcome(None, _timed_out(timeout))
            return None
    worker.process.join(5)
    return Outcome(None, death_reason(worker.process.exitcode, memory_mb), crashed=True)


def _timed_out(timeout: float | None) -> str:
    if timeout is None:  # never the failure of a unit without a time limit (--timeout 0)
        return "timed out (the reader was stopped)"
    return f"timed out after {timeout:g} s (the reader was stopped)"


def default_jobs(jobs: int) -> int:
    return (os.cpu_count() or 1) if jobs < 1 else jobs
