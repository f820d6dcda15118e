"""Batch: label every document of a folder, in parallel, resumably.

Work is split into units small enough to keep every core busy to the end: a long
PDF becomes several page ranges. Units run through joblib (locally, or on a Dask
cluster) in path order, so results stream out in a deterministic order and each
finished document is written at once: clause rows first, then its summary line.
"""

from __future__ import annotations

import csv
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .classify import ClauseClassifier
from .documents import (
    PAGES_PER_UNIT,
    SUPPORTED_SUFFIXES,
    ExtractedDocument,
    ExtractionCache,
    ExtractionUnit,
    PdfPages,
    ReadOptions,
    UnitResult,
    assemble_pdf,
    check_limits,
    document_kind,
    extract_unit,
    finalise,
)
from .errors import EXIT_ALL_FAILED, EXIT_OK, EXIT_SOME_FAILED, BanclassifyError, InputError
from .files import append_lines, exclusive_lock, sha256_file, write_text_atomic
from .jsonl import read_jsonl
from .labels import OPERATIVE_LABELS
from .limits import default_max_memory_mb
from .report import CLAUSE_FIELDS, clause_row, render_csv, render_jsonl
from .scan import ScanResult, classify_document

BATCH_CLAUSE_FIELDS = [*CLAUSE_FIELDS, "path", "sha256"]
SUMMARY_FIELDS = [
    "path", "sha256", "pages", "clauses",
    *[f"{label}_{what}" for label in OPERATIVE_LABELS for what in ("count", "pages")],
    "strongest_label", "technologies", "actors", "moratorium_ends", "engine", "seconds",
    "ocr_pages", "skipped_pages", "skipped_why", "warnings", "status",
]
# A document with pages that were not read is not "ok": "partial" (scanned pages skipped) or
# "damaged" (a cut-off or broken file); its warnings say which pages and why.
STATUS_OK, STATUS_PARTIAL, STATUS_DAMAGED = "ok", "partial", "damaged"


@dataclass
class BatchOptions:
    """How a batch runs: how documents are read (``read``; its ``jobs`` are worker processes) and the batch's own choices."""

    read: ReadOptions = field(default_factory=lambda: ReadOptions(jobs=-1))
    backend: str = "loky"  # or "dask"
    scheduler: str | None = None
    max_memory: float | None = field(default_factory=default_max_memory_mb)  # MB per worker process
    pages_per_unit: int = PAGES_PER_UNIT
    use_cache: bool = True
    cache_dir: Path | None = None
    resume: bool = False
    report_dir: Path | None = None  # HTML report: a page per document and an index
    tracker: Path | None = None  # one tracker-shaped CSV row per document


@dataclass
class Discovery:
    documents: list[Path]
    hidden: int = 0
    unsupported_files: list[Path] = field(default_factory=list)

    @property
    def unsupported(self) -> int:
        return len(self.unsupported_files)


@dataclass
class BatchReport:
    documents: int = 0
    succeeded: int = 0
    failed: int = 0
    skipped_done: int = 0
    skipped_crashed: int = 0  # documents that killed a worker in an earlier run (see --resume)
    hidden: int = 0
    unsupported: int = 0
    unsupported_files: list[str] = field(default_factory=list)  # relative to the folder
    pages: int = 0
    ocr_pages: int = 0
    skipped_pages: int = 0
    partial: int = 0
    damaged: int = 0
    clauses: int = 0
    seconds: float = 0.0
    cached: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    interrupted: bool = False  # Ctrl-C: what finished is written, --resume does the rest
    report_index: Path | None = None
    notices: list[tuple[str, str, str]] = field(default_factory=list)  # (status, path, warning) of labelled documents

    @property
    def exit_code(self) -> int:
        if self.failed and not self.succeeded and not self.skipped_done:
            return EXIT_ALL_FAILED
        return EXIT_SOME_FAILED if self.failed else EXIT_OK


def find_documents(root: Path, exclude: set[Path] = frozenset()) -> Discovery:
    """Supported files under ``root``, sorted by path; hidden and unsupported ones counted.

    A file is taken by its content as ``scan`` takes it: a PDF saved without its
    extension (a Legistar ``View.ashx?M=A&ID=...`` download) is a document.
    ``exclude`` holds resolved paths to leave out unseen: the batch's own outputs.
    """
    if not root.exists():
        raise InputError(root, "no such folder")
    if not root.is_dir():
        raise InputError(root, "is a file, not a folder (use 'banclassify scan' for one document)")
    found = Discovery([])
    try:
        paths = sorted(root.rglob("*"))
    except OSError as exc:
        raise InputError(root, f"cannot be read ({exc.strerror or exc})") from None
    for path in paths:
        relative = path.relative_to(root)
        if path.resolve() in exclude:
            continue
        if any(part.startswith(".") for part in relative.parts):
            if path.is_file():
                found.hidden += 1
            continue
        if not path.is_file() or path.resolve() in exclude:
            continue
        if path.suffix.lower() in SUPPORTED_SUFFIXES or _is_document(path):
            found.documents.append(path)
        else:
            found.unsupported_files.append(path)
    return found


def _is_document(path: Path) -> bool:
    try:
        document_kind(path)
        return True
    except BanclassifyError:
        return False


@dataclass
class _Pending:
    path: Path
    sha256: str
    kind: str = ""
    units: int = 0
    pages: int = 1  # expected, for the progress bar
    results: list[UnitResult] = field(default_factory=list)
    document: ExtractedDocument | None = None  # from the cache
    error: str | None = None


class Progress:
    """Pages and documents done, pages/s, time left and the file being read, on stderr."""

    def __init__(self, documents: int, pages: int, enabled: bool):
        self.enabled = enabled
        self._bar = None
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, TextColumn, TimeRemainingColumn

        self._bar = RichProgress(
            BarColumn(bar_width=24), MofNCompleteColumn(), TextColumn("pages"),
            TextColumn("{task.fields[documents]}/%d documents" % documents),
            TextColumn("{task.fields[rate]}"), TimeRemainingColumn(), TextColumn("{task.description}"),
            console=Console(stderr=True), transient=False,
        )
        self._task = self._bar.add_task("", total=max(1, pages), documents=0, rate="")
        self._documents = 0
        self._started = time.perf_counter()
        self._bar.start()

    def reading(self, path: Path) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description=str(path))

    def advance(self, pages: int) -> None:
        if self._bar is not None and pages:
            self._bar.advance(self._task, pages)
            done = self._bar.tasks[0].completed
            self._bar.update(self._task, rate=f"{done / max(1e-9, time.perf_counter() - self._started):.1f} pages/s")

    def document_done(self, remaining_pages: int) -> None:
        if self._bar is not None:
            self._documents += 1
            self._bar.update(self._task, documents=self._documents)
            self.advance(remaining_pages)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def run_batch(
    root: Path,
    classifier: ClauseClassifier,
    out: Path,
    summary: Path,
    options: BatchOptions,
    show_progress: bool = False,
) -> BatchReport:
    """Label every document below ``root``: clause rows appended to ``out``, one summary row per document.

    Each finished document's rows and its journal line are appended whole and fsynced;
    the summary is written from the journal at the end. With ``options.resume``,
    documents already done (by SHA-256) are skipped and rows of unfinished ones dropped.
    A document that cannot be read is counted in ``BatchReport.failures``, never raised.
    """
    started = time.perf_counter()
    journal = _journal_path(summary)
    own = [out, summary, journal, *(p.with_name(f".{p.name}.lock") for p in (out, summary))]  # see files.exclusive_lock
    discovery = find_documents(root, {p.resolve() for p in own})
    report = BatchReport(
        hidden=discovery.hidden, unsupported=discovery.unsupported,
        unsupported_files=[str(p.relative_to(root)) for p in discovery.unsupported_files],
    )
    # A second batch writing the same outputs would interleave and duplicate rows.
    with exclusive_lock(out, "clause rows"), exclusive_lock(summary, "summary"):
        _run_locked(root, discovery, report, journal, classifier, out, summary, options, show_progress)
    report.seconds = time.perf_counter() - started
    return report


def _run_locked(root, discovery, report, journal, classifier, out, summary, options, show_progress) -> None:
    done: dict[tuple[str, str], dict] = {}
    if options.resume:
        done = _finished_documents(summary, journal)
        _drop_rows_of_unfinished(out, set(done))
    else:
        for stale in (out, journal):
            stale.unlink(missing_ok=True)
        summary.unlink(missing_ok=True)
    cache = ExtractionCache(options.cache_dir) if options.use_cache else None

    pending: list[_Pending] = []
    for path in discovery.documents:
        item = _pending_document(path)
        if _already_done(item, root, done, report):
            continue
        pending.append(item)
    units = list(_plan_units(pending, options, cache))
    report.documents = len(pending) + report.skipped_crashed
    if out.suffix.lower() == ".csv" and (not out.exists() or out.stat().st_size == 0):
        append_lines(out, [",".join(BATCH_CLAUSE_FIELDS)])

    pages_html = tracker = None
    if options.report_dir is not None:
        from .html_report import ReportFolder

        pages_html = ReportFolder(options.report_dir, root)
    if options.tracker is not None:
        from .tracker import TrackerFile

        tracker = TrackerFile(options.tracker, resume=options.resume)
        tracker.keep_only({str(p.relative_to(root)) for p in discovery.documents})

    progress = Progress(len(pending), sum(item.pages for item in pending if item.error is None), show_progress)
    try:
        for item, results, advanced in _completed_documents(pending, units, options, progress):
            result, row = _finish_document(item, results, classifier, cache, out, journal, report, root, options.read.engine, f"{options.read.engine}-ocr{options.read.ocr}")
            progress.document_done(max(0, item.pages - advanced) if item.error is None else 0)
            if result is not None and pages_html is not None:
                pages_html.add(item.path, row["path"], result)
            if tracker is not None:
                from .tracker import tracker_row

                tracker.add(tracker_row(result, row["path"], item.sha256, row["status"]))
    except KeyboardInterrupt:
        # Everything finished is already on disk; write the summary of it and stop.
        report.interrupted = True
    finally:
        progress.close()
    _write_summary(summary, journal, root)
    if pages_html is not None:
        report.report_index = pages_html.write_index(_read_summary(summary))
    if options.resume and report.skipped_done:
        _sort_rows(out)


def _plan_units(pending: list[_Pending], options: BatchOptions, cache: ExtractionCache | None) -> Iterator[ExtractionUnit]:
    for index, item in enumerate(pending):
        if item.error:
            continue
        try:
            item.kind, count = check_limits(item.path, options.read.limits)
            item.pages = count or 1
        except BanclassifyError as exc:
            item.error = exc.problem
            continue
        if cache is not None:
            item.document = cache.get(item.sha256, f"{options.read.engine}-ocr{options.read.ocr}", item.path)
            if item.document is not None:
                continue
        if count and count > options.pages_per_unit:
            for first in range(1, count + 1, options.pages_per_unit):
                item.units += 1
                yield ExtractionUnit(index, str(item.path), item.kind, first, first + options.pages_per_unit - 1, options.read.timeout, options.read.engine, options.read.ocr, options.read.max_pages)
        else:
            item.units = 1
            yield ExtractionUnit(index, str(item.path), item.kind, timeout=options.read.timeout, engine=options.read.engine, ocr=options.read.ocr, max_pages=options.read.max_pages)


def _completed_documents(
    pending: list[_Pending], units: list[ExtractionUnit], options: BatchOptions, progress: Progress | None = None,
) -> Iterator[tuple[_Pending, list[UnitResult], int]]:
    """Yield each document with its unit results, in path order, as soon as it is complete,
    and the pages already counted on the progress bar as its page ranges came in."""
    results = _parallel_map(units, options)
    cursor = 0
    for item in pending:
        if progress is not None:
            progress.reading(item.path)
        collected = []
        advanced = 0
        while len(collected) < item.units:
            unit = units[cursor + len(collected)]
            collected.append(next(results))
            if progress is not None and unit.last is not None:
                pages = max(0, min(unit.last, item.pages) - unit.first + 1)
                progress.advance(pages)
                advanced += pages
        cursor += item.units
        yield item, collected, advanced


def _parallel_map(units: list[ExtractionUnit], options: BatchOptions) -> Iterator[UnitResult]:
    if not units:
        return iter(())
    from joblib import Parallel, delayed, parallel_config

    if options.backend == "dask":
        try:
            from dask.distributed import Client
        except ImportError:
            raise BanclassifyError(None, "the dask backend needs the optional extra: pip install 'banclassify[dask]'") from None
        try:
            client = Client(options.scheduler, timeout=30) if options.scheduler else Client(processes=False)
        except Exception as exc:
            raise BanclassifyError(None, f"cannot reach the Dask scheduler {options.scheduler} ({exc})") from None

        def run() -> Iterator[UnitResult]:
            with client, parallel_config(backend="dask"):
                yield from Parallel(return_as="generator")(delayed(extract_unit)(u) for u in units)

        return run()

    return _supervised_units(units, options)


def _finish_document(
    item, results, classifier, cache, out, journal, report: BatchReport, root: Path, engine: str, cache_key: str,
) -> tuple[ScanResult | None, dict]:
    """Label one extracted document and append its rows; returns the result and its summary row."""
    started = time.perf_counter()
    relative = printable_path(item.path.relative_to(root))
    seconds = sum(r.seconds for r in results)
    document = item.document
    error = item.error or next((r.error for r in results if r.error), None)
    result: ScanResult | None = None
    if error is None:
        try:
            if document is None:
                if item.kind == "pdf":
                    document = assemble_pdf(item.path, [r.payload for r in results if isinstance(r.payload, PdfPages)])
                else:
                    document = results[0].payload
                if cache is not None:
                    cache.put(item.sha256, cache_key, document)
            else:
                report.cached += 1
            document = finalise(document)
            result = classify_document(document, classifier, relative)
        except BanclassifyError as exc:
            error = exc.problem
        except (MemoryError, RecursionError) as exc:
            error = f"too complex to label ({type(exc).__name__})"
        except Exception as exc:  # one document must never end the batch
            error = f"unexpected error ({type(exc).__name__}: {str(exc)[:100]})"
    seconds += time.perf_counter() - started
    if result is None:
        report.failed += 1
        report.failures.append((relative, error or "unknown error"))
        row = _summary_row(relative, item.sha256, None, seconds, error or "unknown error", item.kind, engine)
    else:
        status = document_status(document)
        report.succeeded += 1
        report.partial += status == STATUS_PARTIAL
        report.damaged += status == STATUS_DAMAGED
        report.pages += result.pages
        report.ocr_pages += len(document.ocr_pages)
        report.skipped_pages += len(document.skipped_pages)
        report.notices.extend((status if status != STATUS_OK else "warning", relative, w) for w in document.warnings)
        report.clauses += len(result.clauses)
        rows = []
        for clause in result.clauses:
            data = clause_row(clause, flat=out.suffix.lower() == ".csv")
            data["path"] = printable_path(item.path)
            data["sha256"] = item.sha256
            rows.append(data)
        append_lines(out, _encode_rows(rows, out))
        row = _summary_row(relative, item.sha256, result, seconds, status, item.kind, engine, document)
    append_lines(journal, [json.dumps(row, ensure_ascii=False)])
    return result, row


def _encode_rows(rows: list[dict], out: Path) -> list[str]:
    if out.suffix.lower() != ".csv":
        return [json.dumps(row, ensure_ascii=False) for row in rows]
    # One line per document's rows: CSV fields with newlines are quoted, so one string, not split on lines.
    return [render_csv(rows, BATCH_CLAUSE_FIELDS, header=False).rstrip("\n")] if rows else []


def document_status(document: ExtractedDocument) -> str:
    """"damaged", "partial" (pages skipped) or "ok"."""
    if document.damage:
        return STATUS_DAMAGED
    return STATUS_PARTIAL if document.skipped_pages else STATUS_OK


def _summary_row(
    path: str, sha256: str, result: ScanResult | None, seconds: float, status: str, kind: str, engine: str,
    document: ExtractedDocument | None = None,
) -> dict:
    row: dict = {"path": path, "sha256": sha256, "pages": 0, "clauses": 0}
    for label in OPERATIVE_LABELS:
        row[f"{label}_count"] = 0
        row[f"{label}_pages"] = ""
    row["strongest_label"] = ""
    row["technologies"] = row["actors"] = row["moratorium_ends"] = ""
    if result is not None:
        row["pages"] = result.pages
        row["clauses"] = len(result.clauses)
        for count in result.label_counts():
            row[f"{count.label}_count"] = count.count
            row[f"{count.label}_pages"] = " ".join(map(str, count.pages))
        row["strongest_label"] = result.strongest_label()
        for key, values in result.coverage().items():
            row[key] = " | ".join(values)
    row["engine"] = engine if kind == "pdf" else (kind or "-")
    row["seconds"] = round(seconds, 3)
    row["ocr_pages"] = " ".join(map(str, document.ocr_pages)) if document else ""
    row["skipped_pages"] = " ".join(map(str, document.skipped_pages)) if document else ""
    row["skipped_why"] = " | ".join(document.skip_reasons()) if document and document.skipped_pages else ""
    row["warnings"] = " | ".join(document.warnings) if document else ""
    row["status"] = status
    return row


def _journal_path(summary: Path) -> Path:
    return summary.with_name(f".{summary.name}.journal.jsonl")


def _read_journal(journal: Path) -> list[dict]:
    # A line cut by a crash before its newline is skipped: its document runs again.
    records, _ = read_jsonl(journal, strict=False, missing_ok=True)
    return [row for _, row in records]


def _read_summary(summary: Path) -> list[dict]:
    if not summary.exists():
        return []
    try:
        if summary.suffix.lower() == ".json":
            return list(json.loads(summary.read_text(encoding="utf-8")))
        with open(summary, newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    except (OSError, ValueError, csv.Error) as exc:
        raise InputError(summary, f"cannot resume: the summary cannot be read ({exc})") from None


def _finished_documents(summary: Path, journal: Path) -> dict[tuple[str, str], dict]:
    """Documents recorded by an earlier run, by (path, sha256) (the journal wins over the summary).

    Keyed by path and content both: a copy of a finished document under another
    path is a document of its own, with its own rows and summary line.
    """
    rows = _read_summary(summary) + _read_journal(journal)
    if rows and not journal.exists():
        # A finished run: carry its rows into the journal so that the new summary keeps them.
        append_lines(journal, [json.dumps(r, ensure_ascii=False) for r in rows])
    return {(r.get("path", ""), r["sha256"]): r for r in rows if r.get("sha256")}


def _drop_rows_of_unfinished(out: Path, finished: set[tuple[str, str]]) -> None:
    """Remove clause rows of documents that have no summary line (killed in between)."""
    if not out.exists():
        return
    rows, header = _read_rows(out)
    kept = [r for r in rows if (r.get("file"), r.get("sha256")) in finished]
    if len(kept) != len(rows):
        _write_rows(out, kept, header)


def _read_rows(out: Path) -> tuple[list[dict], bool]:
    if out.suffix.lower() == ".csv":
        with open(out, newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle)), True
    # Half a line from a crash is skipped: its document is not finished and runs again.
    records, _ = read_jsonl(out, strict=False)
    return [row for _, row in records], False


def _write_rows(out: Path, rows: list[dict], header: bool) -> None:
    write_text_atomic(out, render_csv(rows, BATCH_CLAUSE_FIELDS) if header else render_jsonl(rows))


def _sort_rows(out: Path) -> None:
    if out.exists():
        rows, header = _read_rows(out)
        rows.sort(key=lambda r: (r["file"], int(r["start"])))
        _write_rows(out, rows, header)


def _write_summary(summary: Path, journal: Path, root: Path) -> None:
    """Write the summary from the journal: one row per path (the latest), sorted by path."""
    latest = {row["path"]: row for row in _read_journal(journal)}
    rows = [latest[path] for path in sorted(latest)]
    if summary.suffix.lower() == ".json":
        write_text_atomic(summary, json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    else:
        write_text_atomic(summary, render_csv(rows, SUMMARY_FIELDS))
    journal.unlink(missing_ok=True)


# Failure handling: every way one input can go wrong becomes one failed row.

# The status of a document whose reader process died on it: it would kill a
# worker again, so --resume skips it.
WORKER_DIED = "worker died: "


def printable_path(path: str | Path) -> str:
    """A path as text that can be written as UTF-8: bytes of a name that is not
    UTF-8 are written as ``\\xNN`` escapes (the document is still read)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _pending_document(path: Path) -> _Pending:
    """The document to read, or its failure when it cannot even be hashed (unreadable)."""
    try:
        return _Pending(path, sha256_file(path))
    except OSError as exc:
        item = _Pending(path, "")
        item.error = f"cannot be read ({exc.strerror or exc})"
        return item


def _already_done(item: _Pending, root: Path, done: dict[tuple[str, str], dict], report: BatchReport) -> bool:
    """Whether --resume skips the document: finished before, or it killed a worker before."""
    previous = done.get((printable_path(item.path.relative_to(root)), item.sha256)) if item.sha256 else None
    if previous is None:
        return False
    status = previous.get("status") or ""
    if status == "ok":
        report.skipped_done += 1
        return True
    if status.startswith(WORKER_DIED):
        report.skipped_crashed += 1
        report.failed += 1
        report.failures.append((previous["path"], f"{status} (in an earlier run; skipped by --resume, run without it to retry)"))
        return True
    return False


def _supervised_units(units: list[ExtractionUnit], options: BatchOptions) -> Iterator[UnitResult]:
    """Units through supervised worker processes (see ``workers``): a worker that dies
    takes only its own unit with it, and is replaced."""
    from .workers import default_jobs, supervised_map

    outcomes = supervised_map(extract_unit, units, default_jobs(options.read.jobs), memory_mb=options.max_memory, timeout=options.read.timeout)
    for unit, outcome in zip(units, outcomes):
        if isinstance(outcome.value, UnitResult):
            yield outcome.value
        elif outcome.crashed:
            yield UnitResult(unit.index, None, WORKER_DIED + (outcome.failure or "unknown"), crashed=True)
        else:
            yield UnitResult(unit.index, None, outcome.failure or "unknown error")
