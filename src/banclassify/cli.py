"""The command line: parses arguments, calls the library, prints. No logic lives here.

Heavy libraries (spaCy, scikit-learn, pdfplumber) are imported inside the commands
so that ``banclassify --help`` and ``--version`` start instantly.
"""

from __future__ import annotations

import functools
import logging
import sys
import warnings
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from . import __version__
from .errors import EXIT_DATA, EXIT_INTERNAL, BanclassifyError
from .labels import DEFAULT_MIN_CONFIDENCE
from .limits import DEFAULT_MAX_MB, DEFAULT_MAX_PAGES, DEFAULT_TIMEOUT, default_max_memory_mb

# joblib says at import when it cannot make a semaphore (ulimit -f 0, no /dev/shm); it
# then runs in one process, which costs only time: not worth two lines of warning.
warnings.filterwarnings("ignore", message=".*joblib will operate in serial mode", category=UserWarning)

app = typer.Typer(
    add_completion=True,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    help="Find and label surveillance-technology rules in council and legislative documents.\n\n"
    "Labels: full_ban, realtime_ban, moratorium, consent_requirement, oversight_policy, none.",
)


def _no_type_on_flags() -> None:
    """Typer 0.29 prints a ``<bool>`` type beside flags (--help, --quiet) that take no value."""
    from typer.core import TyperOption

    shown = TyperOption.display_type_rich
    if getattr(shown, "banclassify", False):
        return

    def display_type_rich(self, ctx):
        return None if self.is_flag else shown(self, ctx)

    display_type_rich.banclassify = True
    TyperOption.display_type_rich = display_type_rich


_no_type_on_flags()


class Format(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


class ScanFormat(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    html = "html"


def fail(message: str, code: int) -> None:
    typer.echo(f"banclassify: error: {message}", err=True)
    raise typer.Exit(code)


# Typer carries its own copy of click; its exception classes are reached from the public ones.
UsageError = typer.BadParameter.__mro__[1]


def handle_errors(command):
    """Turn every failure into one line on stderr and an exit code, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except BanclassifyError as exc:
            fail(exc.one_line(), exc.exit_code)
        except KeyboardInterrupt:
            fail("interrupted", 130)
        except (typer.Exit, typer.Abort, SystemExit, UsageError):
            raise
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(0)
        except Exception as exc:  # a bug: still one line, with what to report
            fail(f"internal error: {type(exc).__name__}: {exc} (please report this)", EXIT_INTERNAL)

    return wrapper


class WarningLines(logging.Handler):
    """The library's warnings (``logging.getLogger("banclassify")``) as one stderr line each."""

    def emit(self, record: logging.LogRecord) -> None:
        typer.echo(f"banclassify: warning: {record.getMessage()}", err=True)


def show_library_warnings() -> None:
    logger = logging.getLogger("banclassify")
    if not any(isinstance(h, WarningLines) for h in logger.handlers):
        logger.addHandler(WarningLines(logging.WARNING))


def limit_or_none(value: float) -> Optional[float]:
    """``--timeout 0`` / ``--max-memory 0``: no limit."""
    return value if value and value > 0 else None


TimeoutOption = typer.Option(
    DEFAULT_TIMEOUT, "--timeout", min=0, help="Give up on a document after this many seconds (0: no limit)."
)
MaxMemoryOption = typer.Option(
    None, "--max-memory", min=0, show_default=False,
    help=f"Memory ceiling in MB of each process that parses a document (default: half the RAM, here {default_max_memory_mb():.0f}; 0: none).",
)


def emit(text: str, output: Optional[Path]) -> None:
    """``text`` to ``output``, written whole or not at all; None or ``-``: standard output."""
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from .files import write_text_atomic

    try:
        write_text_atomic(output, text)
    except OSError as exc:
        raise OutputError(output, output_problem(exc)) from None


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"banclassify {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(False, "--version", callback=version_callback, is_eager=True, metavar="", help="Show the version and exit."),
) -> None:
    """Find and label surveillance-technology rules in council and legislative documents."""
    show_library_warnings()


ModelOption = typer.Option(None, "--model", "-m", help="Model file (default: $BANCLASSIFY_MODEL, else the shipped model in models/).")
ProjectOption = typer.Option(
    None, "--project", file_okay=False,
    help="Folder of your labelled data and models (default: $BANCLASSIFY_DATA_DIR, else ~/.local/share/banclassify).",
)
TrustOption = typer.Option(False, "--trust-model", metavar="", help="Load a model file that banclassify did not train here. Loading a model runs code from it: only for files you trust.")


class Backend(str, Enum):
    local = "local"
    dask = "dask"


class Engine(str, Enum):
    pdfplumber = "pdfplumber"
    pdfium = "pdfium"


EngineOption = typer.Option(Engine.pdfplumber, "--engine", "-e", help="PDF text engine: pdfplumber (default) or pdfium (about 3 times faster on the benchmark packet, same cleanup).")
class OcrMode(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


OcrOption = typer.Option(OcrMode.auto, "--ocr", help="OCR pages without a usable text layer: auto (default), always, never. Needs Tesseract.")
JobsOption = typer.Option(-1, "--jobs", "-j", help="Worker processes for page ranges of long PDFs (-1: all cores).")


@app.command()
@handle_errors
def scan(
    files: List[Path] = typer.Argument(..., help="Documents: .pdf, .txt, .md or .html/.htm; quoted globs are expanded ('agendas/**/*.pdf'); '-' reads one from stdin.", show_default=False),
    model: Optional[Path] = ModelOption,
    trust_model: bool = TrustOption,
    format: ScanFormat = typer.Option(ScanFormat.table, "--format", "-f", help="Output format; html is a self-contained page with links to the document's pages (one document)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of standard output ('-': standard output)."),
    show_all: bool = typer.Option(False, "--all", "-a", metavar="", help="Also show clauses labelled none."),
    min_confidence: float = typer.Option(DEFAULT_MIN_CONFIDENCE, "--min-confidence", min=0.0, max=1.0, help="Rules below this confidence count as none (shown with --all)."),
    timings: bool = typer.Option(False, "--timings", metavar="", help="Print the time of each stage on stderr."),
    engine: Engine = EngineOption,
    jobs: int = JobsOption,
    ocr: OcrMode = OcrOption,
    explain: bool = typer.Option(False, "--explain", metavar="", help="Show the terms that pushed each clause to its label, and the runner-up label."),
    full_text: bool = typer.Option(False, "--full-text", metavar="", help="Table: never trim a clause (on a terminal the table wraps instead)."),
    timeout: float = TimeoutOption,
    max_memory: Optional[float] = MaxMemoryOption,
    max_mb: float = typer.Option(DEFAULT_MAX_MB, "--max-mb", min=0.001, help="Refuse files larger than this many megabytes."),
    max_pages: int = typer.Option(DEFAULT_MAX_PAGES, "--max-pages", min=1, help="Refuse PDFs with more pages than this."),
) -> None:
    """Label every clause of one or more documents and summarise what each rules.

    With several documents, one that cannot be read is named on stderr, the others are
    still written, and the exit code is 3.

    Example: banclassify scan data/raw/sample_agenda_packet.pdf --format jsonl -o clauses.jsonl
    """
    import time

    from .classify import ClauseClassifier
    from .documents import DocumentReader, ReadOptions
    from .files import check_writable
    from .inputs import expand_documents
    from .report import render_scans
    from .scan import scan_inputs

    output = None if output is not None and str(output) == "-" else output
    documents = expand_documents(files)
    if format is ScanFormat.html and len(documents) > 1:
        raise typer.BadParameter(f"html is one document's page; {len(documents)} documents given (use 'banclassify batch --report DIR')", param_hint="'--format'")
    if output is not None:
        check_writable(output)  # before the documents are read, not after
    options = ReadOptions(engine.value, ocr.value, jobs, limit_or_none(timeout), max_mb, max_pages)
    memory = default_max_memory_mb() if max_memory is None else limit_or_none(max_memory)
    # Documents are read in a supervised child process (memory ceiling, time limit from
    # outside), forked now, before the model loads: it starts while the model loads.
    with DocumentReader(options, memory) as reader:
        clock = time.perf_counter()
        classifier = ClauseClassifier.load(model, trust=trust_model)
        if len(documents) == 1 and str(documents[0]) != "-":
            options.check_limits(documents[0])
        classifier.prepare()
        loading = time.perf_counter() - clock
        results, failures = [], []
        for path, result in scan_inputs(documents, classifier, options, explain=explain, stdin=sys.stdin, reader=reader):
            if isinstance(result, BanclassifyError):
                if len(documents) == 1:
                    raise result
                failures.append(result)
                typer.echo(f"banclassify: error: {result.one_line()}", err=True)
                continue
            for warning in result.warnings:
                typer.echo(f"banclassify: warning: {result.file}: {warning}", err=True)
            results.append((path, result))
    clock = time.perf_counter()
    if not results:
        text = ""
    elif format is ScanFormat.html:
        from .html_report import render_document_html

        path, result = results[0]
        text = render_document_html(result, None if str(path) == "-" else path, output, min_confidence)
    elif format is ScanFormat.table and output is None and sys.stdout.isatty() and not full_text:
        from .report import shown_clauses
        from .terminal import print_scan_table, use_colour

        for number, (_, result) in enumerate(results):
            if number:
                sys.stdout.write("\n")
            print_scan_table(result, shown_clauses(result, show_all, min_confidence), min_confidence, sys.stdout, use_colour(sys.stdout))
        text = ""
    else:
        text = render_scans([result for _, result in results], format.value, show_all, min_confidence, full_text=full_text)
    if text:
        emit(text, output)
    report_seconds = time.perf_counter() - clock
    if timings:
        for _, result in results:
            stages = {"load model": loading, **result.timings, "report": report_seconds}
            parts = ", ".join(f"{stage} {seconds * 1000:.0f} ms" for stage, seconds in stages.items())
            typer.echo(f"timings: {parts}" if len(results) == 1 else f"timings: {result.file}: {parts}", err=True)
    if failures:
        raise typer.Exit(failures[0].exit_code)


@app.command()
@handle_errors
def classify(
    texts: Optional[List[str]] = typer.Argument(None, help="Clause texts; without them, lines are read from --input or stdin."),
    input: Optional[Path] = typer.Option(None, "--input", "-i", help="A file of clauses: one per line, or JSONL objects with a 'text' field."),
    model: Optional[Path] = ModelOption,
    trust_model: bool = TrustOption,
    format: Format = typer.Option(Format.table, "--format", "-f", help="Output format."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of standard output."),
    one_document: bool = typer.Option(
        False, "--one-document", help="The clauses are one document in reading order: let the model read each clause's surroundings."
    ),
) -> None:
    """Label clause texts given as arguments, or one per line (plain or JSONL) from a file or stdin.

    Example: banclassify classify "No department shall use face recognition."
    """
    from .classify import ClauseClassifier
    from .files import check_writable
    from .inputs import check_clause, read_clause_records
    from .report import prediction_rows, render_predictions

    output = None if output is not None and str(output) == "-" else output
    if output is not None:
        check_writable(output)

    if texts:
        records = [{"text": t} for t in texts]
        for number, text in enumerate(texts, start=1):
            check_clause(text, f"argument {number}")
    elif input is not None:
        records = read_clause_records(input)
    else:
        records = read_clause_records(None, sys.stdin)
    classifier = ClauseClassifier.load(model, trust=trust_model)
    # JSONL records may say where each clause stands: "heading" (the headings above it) and "title".
    predictions = classifier.predict(
        [r["text"] for r in records], ["input"] * len(records) if one_document else None,
        [str(r.get("heading") or "") for r in records], [str(r.get("title") or "") for r in records],
    )
    emit(render_predictions(prediction_rows(records, predictions), format.value), output)


@app.command()
@handle_errors
def train(
    data: Optional[List[Path]] = typer.Option(
        None, "--data", "-d",
        help="Labelled JSONL file or folder; repeatable (default: the shipped corpus in data/labeled/ plus your data, see --project).",
    ),
    out: Optional[Path] = typer.Option(None, "--out", help="Where to write the model (default: models/banclassify.joblib in your data folder)."),
    project: Optional[Path] = ProjectOption,
    replace_shipped: bool = typer.Option(
        False, "--replace-shipped", metavar="", help="Rebuild the shipped model, its card and hash from the shipped corpus alone (what 'make train' does).",
    ),
    fast: bool = typer.Option(False, "--fast", metavar="", help="Skip the hyper-parameter search."),
    jobs: int = typer.Option(-1, "--jobs", "-j", help="Parallel jobs for the search (-1: all cores)."),
) -> None:
    """Train a model on the shipped corpus and your labelled clauses, with grouped cross-validation, and write its model card.

    Your model goes to your data folder; the shipped model is replaced only with --replace-shipped.

    Example: banclassify train --fast    (then: banclassify scan FILE --model <the path it prints>)
    """
    from .progress import Progress
    from .project import Project
    from .report import render_training
    from .train import plan_training
    from .train import train as run_training

    plan = plan_training(data, out, Project.at(project), replace_shipped)
    with Progress(sys.stderr) as progress:
        report = run_training(plan.files, plan.out, fast=fast, n_jobs=jobs, progress=progress, shipped=plan.shipped, user_data=plan.user_data)
    typer.echo(render_training(report), nl=False)


@app.command()
@handle_errors
def evaluate(
    files: Optional[List[Path]] = typer.Argument(None, help="Labelled JSONL files or folders (same as --data)."),
    data: Optional[List[Path]] = typer.Option(
        None, "--data", "-d",
        help="Labelled JSONL file or folder; repeatable (default: the test split, data/labeled/test*.jsonl, plus your own test*.jsonl).",
    ),
    model: Optional[Path] = ModelOption,
    trust_model: bool = TrustOption,
    project: Optional[Path] = ProjectOption,
    format: Format = typer.Option(Format.table, "--format", "-f", help="table, json, or csv/jsonl: one row per scorer and label, and a row 'all' with macro-F1 and accuracy."),
    cv: bool = typer.Option(False, "--cv", metavar="", help="Also run grouped 5-fold cross-validation on the training data (shipped and yours)."),
    mistakes: int = typer.Option(10, "--mistakes", help="How many of the most confident mistakes to list."),
    realdev: bool = typer.Option(
        False, "--realdev", metavar="", help="Score the real-world development set instead: the folder given as argument, "
        "else $BANCLASSIFY_REALDEV, else ../shared/realdev beside the repository.",
    ),
    min_confidence: Optional[float] = typer.Option(None, "--min-confidence", min=0.0, max=1.0, help="With --realdev: the reporting threshold to score documents at (default: scan's)."),
    details: bool = typer.Option(False, "--details", metavar="", help="With --realdev: list the missed and the unmatched clauses of each document."),
) -> None:
    """Per-label precision, recall and F1 of a model, next to a keyword baseline.

    Example: banclassify evaluate --data data/labeled/test_east.jsonl --cv
    Example: banclassify evaluate --realdev ../shared/realdev
    """
    from .classify import ClauseClassifier

    if realdev:
        from .realdev import evaluate_realdev, render_realdev

        if data or cv or (files and len(files) > 1):
            raise typer.BadParameter("takes at most one folder and no --data or --cv", param_hint="--realdev")
        classifier = ClauseClassifier.load(model, trust=trust_model).prepare()
        report = evaluate_realdev(
            classifier, files[0] if files else None, min_confidence, progress=lambda m: typer.echo(m, err=True)
        )
        if format is Format.json:
            import json

            typer.echo(json.dumps(report.as_dict(), indent=2))
        else:
            typer.echo(render_realdev(report, details), nl=False)
        return
    from .corpus import jsonl_files, load_corpus, test_files
    from .evaluate import cross_validate_training_data
    from .evaluate import evaluate as run_evaluation
    from .progress import Progress
    from .project import Project
    from .report import render_evaluation_as

    home = Project.at(project)
    classifier = ClauseClassifier.load(model, trust=trust_model)
    chosen = [*(files or []), *(data or [])]
    corpus = load_corpus(jsonl_files(chosen) if chosen else test_files() + home.test_files())
    typer.echo(
        f"evaluating {classifier.path} on {len(corpus.examples)} clauses from {len(corpus.files)} file(s), "
        f"{corpus.user_examples} of them yours", err=True,
    )
    evaluation = run_evaluation(classifier.prepare(), corpus, mistakes)
    if cv:
        with Progress(sys.stderr) as progress:
            evaluation.cross_validation = cross_validate_training_data(classifier, progress=progress, extra_files=home.training_files())
    typer.echo(render_evaluation_as(evaluation, format.value), nl=False)


@app.command()
@handle_errors
def batch(
    directory: Path = typer.Argument(..., help="Folder to search recursively for .pdf, .txt, .md and .html documents.", show_default=False),
    out: Path = typer.Option(Path("clauses.jsonl"), "--out", "-o", help="Clause rows: .jsonl or .csv."),
    summary: Path = typer.Option(Path("documents.csv"), "--summary", "-s", help="One row per document: .csv or .json."),
    jobs: int = typer.Option(-1, "--jobs", "-j", help="Parallel worker processes (-1: all cores)."),
    resume: bool = typer.Option(False, "--resume", metavar="", help="Continue an interrupted run: skip documents already done (by content hash)."),
    timeout: float = TimeoutOption,
    max_memory: Optional[float] = MaxMemoryOption,
    max_mb: float = typer.Option(DEFAULT_MAX_MB, "--max-mb", min=0.001, help="Refuse files larger than this many megabytes."),
    max_pages: int = typer.Option(DEFAULT_MAX_PAGES, "--max-pages", min=1, help="Refuse PDFs with more pages than this."),
    no_cache: bool = typer.Option(False, "--no-cache", metavar="", help="Neither read nor write the extraction cache."),
    clear_cache: bool = typer.Option(False, "--clear-cache", metavar="", help="Empty the extraction cache before starting."),
    backend: Backend = typer.Option(Backend.local, "--backend", help="local (joblib processes) or dask."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (with --backend dask)."),
    report_dir: Optional[Path] = typer.Option(None, "--report", help="Write an HTML report to this folder: index.html and a page per document."),
    tracker: Optional[Path] = typer.Option(None, "--tracker", help="Write one row per document in tracker columns (jurisdiction, kind, title, number, dates, rules) to this .csv."),
    quiet: bool = typer.Option(False, "--quiet", "-q", metavar="", help="No progress bar."),
    verbose: bool = typer.Option(False, "--verbose", "-v", metavar="", help="Name every file skipped as unsupported."),
    engine: Engine = EngineOption,
    ocr: OcrMode = OcrOption,
    model: Optional[Path] = ModelOption,
    trust_model: bool = TrustOption,
) -> None:
    """Label every document of a folder: one table of clauses, one row per document.

    Exit codes: 0 all documents read, 6 some failed (named in the summary), 7 none could be read.

    Example: banclassify batch ordinances/ --out clauses.csv --summary documents.csv --jobs 2 --resume
    """
    from .batch import BatchOptions, run_batch
    from .documents import ExtractionCache, ReadOptions
    from .classify import ClauseClassifier
    from .files import check_writable

    for target, allowed in ((out, {".jsonl", ".csv"}), (summary, {".csv", ".json"}), (tracker, {".csv"})):
        if target is not None and target.suffix.lower() not in allowed:
            raise BanclassifyError(target, f"unsupported output type (use {' or '.join(sorted(allowed))})")
    for target in (out, summary, tracker, report_dir and report_dir / "index.html"):
        if target is not None:
            check_writable(target, append=resume and target == out)  # before any document is read
    if clear_cache:
        typer.echo(f"cleared {ExtractionCache().clear()} cached extraction(s)", err=True)
    classifier = ClauseClassifier.load(model, trust=trust_model)
    options = BatchOptions(
        ReadOptions(engine.value, ocr.value, jobs, limit_or_none(timeout), max_mb, max_pages),
        backend="dask" if backend is Backend.dask else "loky", scheduler=scheduler, use_cache=not no_cache, resume=resume,
        max_memory=default_max_memory_mb() if max_memory is None else limit_or_none(max_memory),
        report_dir=report_dir, tracker=tracker,
    )
    report = run_batch(directory, classifier.prepare(), out, summary, options, show_progress=not quiet and sys.stderr.isatty())
    incomplete = f" ({report.partial} partial, {report.damaged} damaged)" if report.partial or report.damaged else ""
    typer.echo(
        f"{report.succeeded} of {report.documents} document(s) labelled{incomplete}, {report.failed} failed, "
        f"{report.skipped_done} already done{f', {report.skipped_crashed} skipped (they killed a worker in an earlier run)' if report.skipped_crashed else ''}; "
        f"{report.pages} pages ({report.ocr_pages} read by OCR, {report.skipped_pages} skipped), {report.clauses} clauses, "
        f"{report.cached} from cache; skipped {report.hidden} hidden and {report.unsupported} unsupported file(s); "
        f"{report.seconds:.1f} s",
        err=True,
    )
    for status, path, warning in report.notices:
        typer.echo(f"banclassify: {status}: {path}: {warning}", err=True)
    for path, problem in report.failures:
        typer.echo(f"banclassify: failed: {path}: {problem}", err=True)
    shown = report.unsupported_files if verbose else report.unsupported_files[:5]
    if shown:
        more = len(report.unsupported_files) - len(shown)
        typer.echo(
            "banclassify: unsupported (skipped): " + ", ".join(shown) + (f" and {more} more (--verbose names them)" if more else ""),
            err=True,
        )
    typer.echo(f"clauses: {out}\ndocuments: {summary}", err=True)
    if report.report_index is not None:
        typer.echo(f"report: {report.report_index}", err=True)
    if tracker is not None:
        typer.echo(f"tracker: {tracker}", err=True)
    if report.interrupted:
        typer.echo(
            "banclassify: interrupted: the documents above are written; to continue, run the same command with --resume",
            err=True,
        )
        raise typer.Exit(130)
    raise typer.Exit(report.exit_code)


@app.command()
@handle_errors
def annotate(
    inputs: List[Path] = typer.Argument(..., help="Documents or folders to draw clauses from.", show_default=False),
    limit: Optional[int] = typer.Option(None, "--limit", "-n", min=1, help="Stop after this many clauses."),
    to: Optional[Path] = typer.Option(None, "--to", help="Annotations file (appended to; default: labeled/annotations.jsonl in your data folder)."),
    project: Optional[Path] = ProjectOption,
    model: Optional[Path] = ModelOption,
    trust_model: bool = TrustOption,
    engine: Engine = EngineOption,
    jobs: int = JobsOption,
    ocr: OcrMode = OcrOption,
    timeout: Optional[float] = typer.Option(None, "--timeout", min=0.01, help="Give up reading a document after this many seconds."),
    max_mb: float = typer.Option(DEFAULT_MAX_MB, "--max-mb", min=0.001, help="Skip files larger than this many megabytes."),
    max_pages: int = typer.Option(DEFAULT_MAX_PAGES, "--max-pages", min=1, help="Skip PDFs with more pages than this."),
) -> None:
    """Label the clauses the model is least sure of; each answer is saved at once.

    Keys: f full_ban, r realtime_ban, m moratorium, c consent_requirement, o oversight_policy,
    n none, a accept the guess, s skip, u undo, ? help, q quit. Without a terminal, keys are
    read one per line from stdin.

    Example: banclassify annotate agendas/ --limit 50
    """
    from .annotate import annotate as run_session
    from .annotate import candidates
    from .corpus import annotated_texts
    from .classify import ClauseClassifier
    from .documents import ReadOptions
    from .files import check_writable
    from .project import Project

    from .progress import Progress

    to = to or Project.at(project).annotations
    check_writable(to, append=True)  # before the documents are read and the first answer given
    classifier = ClauseClassifier.load(model, trust=trust_model)
    with Progress(sys.stderr) as progress:
        queue = candidates(
            inputs, classifier.prepare(), annotated_texts(to), warn=lambda m: progress.note(f"banclassify: warning: {m}"),
            options=ReadOptions(engine.value, ocr.value, jobs, timeout, max_mb, max_pages), progress=progress,
        )
    if not queue:
        typer.echo("nothing to annotate: every clause is already in " + str(to), err=True)
        return
    try:
        report = run_session(queue, to, limit=limit)
    except KeyboardInterrupt:
        typer.echo(f"\ninterrupted: every answer given so far is saved in {to}", err=True)
        raise typer.Exit(130)
    typer.echo(f"\n{report.answered} answer(s) saved to {to}, {report.skipped} skipped, {report.undone} undone, {report.remaining} clause(s) left", err=True)


@app.command("import")
@handle_errors
def import_command(
    source: Path = typer.Argument(..., help="Edited scan/batch output (.jsonl/.csv), Prodigy .jsonl or Label Studio .json.", show_default=False),
    to: Optional[Path] = typer.Option(None, "--to", help="Labelled file to append the corrections to (default: labeled/corrections.jsonl in your data folder)."),
    project: Optional[Path] = ProjectOption,
) -> None:
    """Add corrected labels to your labelled data; bad rows are named and skipped.

    Exit codes: 0 every row was read, 5 some rows were bad (the good ones are still added).

    Example: banclassify scan agenda.pdf --all -f csv -o rows.csv  (edit the label column)  banclassify import rows.csv
    """
    from .corrections import import_corrections
    from .project import Project
    from .labels import LABELS_BY_STRENGTH
    from .report import render_import

    to = to or Project.at(project).corrections
    report = import_corrections(source, to)
    for problem in report.problems:
        typer.echo(f"banclassify: skipped: {problem}", err=True)
    typer.echo(render_import(report, to))
    if report.problems:
        typer.echo(f"banclassify: valid labels: {', '.join(LABELS_BY_STRENGTH)}", err=True)
        raise typer.Exit(EXIT_DATA)


@app.command("clear-cache")
@handle_errors
def clear_cache_command() -> None:
    """Delete every cached extraction result.

    Example: banclassify clear-cache
    """
    from .documents import ExtractionCache

    cache = ExtractionCache()
    typer.echo(f"removed {cache.clear()} cached extraction(s) from {cache.directory}")


@app.command("evaluate-attributes")
@handle_errors
def evaluate_attributes_command(
    data: Optional[List[Path]] = typer.Argument(None, help="Attribute JSONL files (default: data/attributes/*.jsonl)."),
    format: Format = typer.Option(Format.table, "--format", "-f", help="table or json."),
) -> None:
    """Precision, recall and F1 of the attribute extractor (technology, actors, exceptions),
    and exact match of moratorium durations and effective dates.

    Example: banclassify evaluate-attributes data/attributes/test_attributes.jsonl
    """
    from .attributes import AttributeExtractor, default_attribute_files, evaluate_attributes, read_attribute_records
    from .report import render_attribute_evaluation

    extractor = AttributeExtractor()
    for path in data or default_attribute_files():
        report = evaluate_attributes(read_attribute_records(path), extractor)
        typer.echo(render_attribute_evaluation(path, report, format.value), nl=False)


@app.command()
@handle_errors
def info(model: Optional[Path] = ModelOption, trust_model: bool = TrustOption) -> None:
    """Show the model in use: path, labels, data, metrics and library versions.

    Example: banclassify info
    """
    from .report import render_model_info
    from .modelfile import model_info

    typer.echo(render_model_info(*model_info(model, trust=trust_model)), nl=False)


def main() -> None:
    """Console-script entry point: usage errors are one line and exit 2, as in every Unix tool."""
    try:
        code = app(standalone_mode=False)
    except UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":
            typer.echo(exc.ctx.get_help() if exc.ctx else str(exc))
            sys.exit(0)
        command = exc.ctx.command_path if exc.ctx else "banclassify"
        message = " ".join(exc.format_message().split())
        typer.echo(f"banclassify: error: {message} (see '{command} -h')", err=True)
        sys.exit(2)
    except typer.Abort:
        typer.echo("banclassify: error: interrupted", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        typer.echo("banclassify: error: interrupted", err=True)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
