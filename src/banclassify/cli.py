"""The command line: parses arguments, calls the library, prints. No logic lives here.

Heavy libraries (spaCy, scikit-learn, pdfplumber) are imported inside the commands
so that ``banclassify --help`` and ``--version`` start instantly.
"""

from __future__ import annotations

import functools
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from . import __version__
from .errors import EXIT_INTERNAL, BanclassifyError
from .labels import DEFAULT_MIN_CONFIDENCE
from .limits import DEFAULT_MAX_MB, DEFAULT_MAX_PAGES

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Find and label surveillance-technology rules in council and legislative documents.\n\n"
    "Labels: full_ban, realtime_ban, moratorium, consent_requirement, oversight_policy, none.",
)


class Format(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


def fail(message: str, code: int) -> None:
    typer.echo(f"banclassify: error: {message}", err=True)
    raise typer.Exit(code)


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
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(0)
        except Exception as exc:  # a bug: still one line, with what to report
            fail(f"internal error: {type(exc).__name__}: {exc} (please report this)", EXIT_INTERNAL)

    return wrapper


def emit(text: str, output: Optional[Path]) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from .files import write_text_atomic

    try:
        write_text_atomic(output, text)
    except OSError as exc:
        raise BanclassifyError(output, f"cannot write output ({exc.strerror or exc})") from None


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"banclassify {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(False, "--version", callback=version_callback, is_eager=True, help="Show the version and exit."),
) -> None:
    """Find and label surveillance-technology rules in council and legislative documents."""


ModelOption = typer.Option(None, "--model", "-m", help="Model file (default: the shipped model in models/).")
TrustOption = typer.Option(False, "--trust-model", help="Load a model file that banclassify did not train here. Loading a model runs code from it: only for files you trust.")


class Engine(str, Enum):
    pdfplumber = "pdfplumber"
    pdfium = "pdfium"


EngineOption = typer.Option(Engine.pdfplumber, "--engine", "-e", help="PDF text engine: pdfplumber (default) or pdfium (about 50 times faster).")
class OcrMode(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


OcrOption = typer.Option(OcrMode.auto, "--ocr", help="OCR pages without a usable text layer: auto (default), always, never. Needs Tesseract.")
JobsOption = typer.Option(-1, "--jobs", "-j", help="Worker processes for page ranges of long PDFs (-1: all cores).")


@app.command()
@handle_errors
def scan(
    file: Path = typer.Argument(..., help="A PDF, .txt or .md document.", show_default=False),
    model: Optional[Path] = ModelOption,
    trust_model: bool = TrustOption,
    format: Format = typer.Option(Format.table, "--format", "-f", help="Output format."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of standard output."),
    show_all: bool = typer.Option(False, "--all", "-a", help="Also show clauses labelled none."),
    min_confidence: float = typer.Option(DEFAULT_MIN_CONFIDENCE, "--min-confidence", min=0.0, max=1.0, help="Rules below this confidence count as none (shown with --all)."),
    timings: bool = typer.Option(False, "--timings", help="Print the time of each stage on stderr."),
    engine: Engine = EngineOption,
    jobs: int = JobsOption,
    ocr: OcrMode = OcrOption,
    explain: bool = typer.Option(False, "--explain", help="Show the terms that pushed each clause to its label, and the runner-up label."),
    timeout: Optional[float] = typer.Option(None, "--timeout", min=0.01, help="Give up after this many seconds."),
    max_mb: float = typer.Option(DEFAULT_MAX_MB, "--max-mb", min=0.001, help="Refuse files larger than this many megabytes."),
    max_pages: int = typer.Option(DEFAULT_MAX_PAGES, "--max-pages", min=1, help="Refuse PDFs with more pages than this."),
) -> None:
    """Label every clause of one document and summarise what it rules.

    Example: banclassify scan data/raw/sample_agenda_packet.pdf --format jsonl -o clauses.jsonl
    """
    import time

    from .classify import ClauseClassifier
    from .report import render_scan
    from .scan import scan_file

    from .extract import pdf_page_count
    from .limits import TimeLimitExceeded, check_pages, check_size, time_limit

    clock = time.perf_counter()
    classifier = ClauseClassifier.load(model, trust=trust_model)
    check_size(file, max_mb)
    if file.suffix.lower() == ".pdf" and file.is_file():
        check_pages(file, pdf_page_count(file), max_pages)
    classifier.prepare()
    loading = time.perf_counter() - clock
    try:
        with time_limit(timeout):
            result = scan_file(file, classifier, engine=engine.value, jobs=jobs, explain=explain, ocr=ocr.value)
    except TimeLimitExceeded:
        raise BanclassifyError(file, f"timed out after {timeout:g} s (raise --timeout to allow more)") from None
    for warning in result.warnings:
        typer.echo(f"banclassify: warning: {file}: {warning}", err=True)
    clock = time.perf_counter()
    text = render_scan(result, format.value, show_all, min_confidence)
    emit(text, output)
    result.timings["report"] = time.perf_counter() - clock
    if timings:
        stages = {"load model": loading, **result.timings}
        parts = ", ".join(f"{stage} {seconds * 1000:.0f} ms" for stage, seconds in stages.items())
        typer.echo(f"timings: {parts}", err=True)


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
    from .inputs import read_clause_records
    from .report import PROBABILITY_FIELDS, render_csv, render_jsonl, render_predictions_table

    if texts:
        records = [{"text": t} for t in texts]
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
    rows = []
    for record, prediction in zip(records, predictions):
        row = dict(record)
        row["label"] = prediction.label
        row["confidence"] = round(prediction.confidence, 4)
        for label, p in prediction.probabilities.items():
            row[f"p_{label}"] = round(p, 4)
        rows.append(row)
    if format is Format.table:
        text = render_predictions_table(rows)
    elif format is Format.jsonl:
        text = render_jsonl(rows)
    elif format is Format.json:
        import json

        text = json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    else:
        extra = [k for k in (rows[0] if rows else {}) if k not in {"text", "label", "confidence", *PROBABILITY_FIELDS}]
        text = render_csv(rows, ["text", *extra, "label", "confidence", *PROBABILITY_FIELDS])
    emit(text, output)


@app.command()
@handle_errors
def train(
    data: Optional[List[Path]] = typer.Option(None, "--data", "-d", help="Labelled JSONL file or folder; repeatable (default: training files in data/labeled/)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Where to write the model (default: the shipped model path)."),
    fast: bool = typer.Option(False, "--fast", help="Skip the hyper-parameter search."),
    jobs: int = typer.Option(-1, "--jobs", "-j", help="Parallel jobs for the search (-1: all cores)."),
) -> None:
    """Train a model on labelled clauses, with grouped cross-validation, and write its model card.

    Example: banclassify train --data data/labeled/ --data my_corrections.jsonl --out models/mine.joblib
    """
    from .classify import default_model_path
    from .corpus import jsonl_files, training_files
    from .train import train as run_training

    files = [p for p in jsonl_files(data) if not p.name.startswith("test")] if data else training_files()
    target = out or default_model_path()
    report = run_training(files, target, fast=fast, n_jobs=jobs, progress=lambda m: typer.echo(m, err=True))
    cv = report.card.get("cross_validation") or {}
    typer.echo(f"wrote {report.model_path} ({report.card['examples']} clauses, {report.seconds:.1f} s)")
    if cv:
        typer.echo(f"grouped {cv['folds']}-fold CV macro-F1 {cv['macro_f1']:.3f}, accuracy {cv['accuracy']:.3f}")


@app.command()
@handle_errors
def evaluate(
    files: Optional[List[Path]] = typer.Argument(None, help="Labelled JSONL files or folders (same as --data)."),
    data: Optional[List[Path]] = typer.Option(None, "--data", "-d", help="Labelled JSONL file or folder; repeatable (default: the test split, data/labeled/test*.jsonl)."),
    model: Optional[Path] = ModelOption,
    trust_model: bool = TrustOption,
    format: Format = typer.Option(Format.table, "--format", "-f", help="table or json."),
    cv: bool = typer.Option(False, "--cv", help="Also run grouped 5-fold cross-validation on the training data."),
    mistakes: int = typer.Option(10, "--mistakes", help="How many of the most confident mistakes to list."),
    realdev: bool = typer.Option(
        False, "--realdev", help="Score the real-world development set instead: the folder given as argument, "
        "else $BANCLASSIFY_REALDEV, else ../shared/realdev beside the repository.",
    ),
    min_confidence: Optional[float] = typer.Option(None, "--min-confidence", min=0.0, max=1.0, help="With --realdev: the reporting threshold to score documents at (default: scan's)."),
    details: bool = typer.Option(False, "--details", help="With --realdev: list the missed and the unmatched clauses of each document."),
) -> None:
    """Per-label precision, recall and F1 of a model, next to a keyword baseline.

    Example: banclassify evaluate --data data/labeled/test_east.jsonl --cv
    Example: banclassify evaluate --realdev ../shared/realdev
    """
    import json

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
            typer.echo(json.dumps(report.as_dict(), indent=2))
        else:
            typer.echo(render_realdev(report, details), nl=False)
        return
    from .corpus import jsonl_files, load_corpus, training_files
    from .evaluate import evaluate as run_evaluation
    from .evaluate import grouped_cross_validation, render_evaluation

    from .corpus import test_files

    classifier = ClauseClassifier.load(model, trust=trust_model)
    chosen = [*(files or []), *(data or [])]
    corpus = load_corpus(jsonl_files(chosen) if chosen else test_files())
    evaluation = run_evaluation(classifier.prepare(), corpus, mistakes)
    if cv:
        from sklearn.base import clone

        train_corpus = load_corpus(training_files())
        downstream = clone(classifier.pipeline[1:])
        normalised = classifier.normalise(train_corpus.texts, train_corpus.groups, train_corpus.headings, train_corpus.titles)
        evaluation.cross_validation = grouped_cross_validation(
            downstream, normalised, train_corpus.labels, train_corpus.groups, n_jobs=-1, targets=train_corpus.training_targets
        )
    if format is Format.json:
        typer.echo(json.dumps(evaluation.as_dict(), indent=2))
    else:
        typer.echo(render_evaluation(evaluation), nl=False)


@app.command()
@handle_errors
def batch(
    directory: Path = typer.Argument(..., help="Folder to search recursively for .pdf, .txt, .md and .html documents.", show_default=False),
    out: Path = typer.Option(Path("clauses.jsonl"), "--out", "-o", help="Clause rows: .jsonl or .csv."),
    summary: Path = typer.Option(Path("documents.csv"), "--summary", "-s", help="One row per document: .csv or .json."),
    jobs: int = typer.Option(-1, "--jobs", "-j", help="Parallel worker processes (-1: all cores)."),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run: skip documents already done (by content hash)."),
    timeout: Optional[float] = typer.Option(None, "--timeout", min=1, help="Give up on a document after this many seconds of extraction."),
    max_mb: float = typer.Option(DEFAULT_MAX_MB, "--max-mb", min=0.001, help="Refuse files larger than this many megabytes."),
    max_pages: int = typer.Option(DEFAULT_MAX_PAGES, "--max-pages", min=1, help="Refuse PDFs with more pages than this."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the extraction cache."),
    clear_cache: bool = typer.Option(False, "--clear-cache", help="Empty the extraction cache before starting."),
    backend: str = typer.Option("local", "--backend", help="local (joblib processes) or dask."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (with --backend dask)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
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
    from .cache import ExtractionCache
    from .classify import ClauseClassifier

    if backend not in {"local", "dask"}:
        raise typer.BadParameter("must be 'local' or 'dask'", param_hint="--backend")
    for target, allowed in ((out, {".jsonl", ".csv"}), (summary, {".csv", ".json"})):
        if target.suffix.lower() not in allowed:
            raise BanclassifyError(target, f"unsupported output type (use {' or '.join(sorted(allowed))})")
    if clear_cache:
        typer.echo(f"cleared {ExtractionCache().clear()} cached extraction(s)", err=True)
    classifier = ClauseClassifier.load(model, trust=trust_model)
    options = BatchOptions(
        jobs=jobs, backend="dask" if backend == "dask" else "loky", scheduler=scheduler, timeout=timeout,
        max_mb=max_mb, max_pages=max_pages, use_cache=not no_cache, resume=resume, engine=engine.value, ocr=ocr.value,
    )
    report = run_batch(directory, classifier.prepare(), out, summary, options, show_progress=not quiet and sys.stderr.isatty())
    typer.echo(
        f"{report.succeeded} of {report.documents} document(s) labelled, {report.failed} failed, "
        f"{report.skipped_done} already done; {report.pages} pages, {report.clauses} clauses, "
        f"{report.cached} from cache; skipped {report.hidden} hidden and {report.unsupported} unsupported file(s); "
        f"{report.seconds:.1f} s",
        err=True,
    )
    for path, problem in report.failures:
        typer.echo(f"banclassify: failed: {path}: {problem}", err=True)
    typer.echo(f"clauses: {out}\ndocuments: {summary}", err=True)
    raise typer.Exit(report.exit_code)


@app.command()
@handle_errors
def annotate(
    inputs: List[Path] = typer.Argument(..., help="Documents or folders to draw clauses from.", show_default=False),
    limit: Optional[int] = typer.Option(None, "--limit", "-n", min=1, help="Stop after this many clauses."),
    to: Path = typer.Option(Path("data/labeled/annotations.jsonl"), "--to", help="Annotations file (appended to)."),
    model: Optional[Path] = ModelOption,
    trust_model: bool = TrustOption,
    engine: Engine = EngineOption,
    jobs: int = JobsOption,
    ocr: OcrMode = OcrOption,
) -> None:
    """Label the clauses the model is least sure of; each answer is saved at once.

    Keys: f full_ban, r realtime_ban, m moratorium, c consent_requirement, o oversight_policy,
    n none, a accept the guess, s skip, u undo, ? help, q quit. Without a terminal, keys are
    read one per line from stdin.

    Example: banclassify annotate agendas/ --limit 50 --to data/labeled/annotations.jsonl
    """
    from .annotate import annotate as run_session
    from .annotate import annotated_texts, candidates
    from .classify import ClauseClassifier

    classifier = ClauseClassifier.load(model, trust=trust_model)
    queue = candidates(
        inputs, classifier.prepare(), annotated_texts(to), warn=lambda m: typer.echo(f"banclassify: warning: {m}", err=True),
        engine=engine.value, jobs=jobs, ocr=ocr.value,
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
    to: Path = typer.Option(Path("data/labeled/corrections.jsonl"), "--to", help="Labelled file to append the corrections to."),
) -> None:
    """Add corrected labels to the labelled data; bad rows are named and skipped.

    Example: banclassify scan agenda.pdf --all -f csv -o rows.csv  (edit the label column)  banclassify import rows.csv
    """
    from .corrections import import_corrections

    report = import_corrections(source, to)
    for problem in report.problems:
        typer.echo(f"banclassify: skipped: {problem}", err=True)
    parts = [f"{report.format}: {report.rows} row(s)", f"{report.imported} imported into {to}"]
    if report.unchanged:
        parts.append(f"{report.unchanged} unchanged (label as the model said, no new information)")
    if report.rejected:
        parts.append(f"{report.rejected} rejected or ignored")
    if report.already_present:
        parts.append(f"{report.already_present} already present")
    if report.problems:
        parts.append(f"{len(report.problems)} bad row(s) skipped")
    typer.echo("; ".join(parts))


@app.command("clear-cache")
@handle_errors
def clear_cache_command() -> None:
    """Delete every cached extraction result.

    Example: banclassify clear-cache
    """
    from .cache import ExtractionCache

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
    import json

    from .attributes import AttributeExtractor, evaluate_attributes, read_attribute_records

    files = data or sorted((Path(__file__).resolve().parents[2] / "data" / "attributes").glob("*.jsonl"))
    extractor = AttributeExtractor()
    for path in files:
        report = evaluate_attributes(read_attribute_records(path), extractor)
        mistakes = report.pop("mistakes")
        if format is Format.json:
            typer.echo(json.dumps({"file": str(path), **report, "mistakes": mistakes}, indent=2))
            continue
        typer.echo(f"{path}")
        for name in ("technology", "actors", "exceptions"):
            m = report[name]
            typer.echo(f"  {name:<12} precision {m['precision']:.3f}  recall {m['recall']:.3f}  F1 {m['f1']:.3f}  ({m['support']} values)")
        typer.echo(f"  {'duration':<12} exact match {report['duration']['exact_match']:.3f}  ({report['duration']['support']} moratoria)")
        typer.echo(f"  {'effective':<12} exact match {report['effective']['exact_match']:.3f}  recall {report['effective']['recall']:.3f}  ({report['effective']['support']} dates)")


@app.command()
@handle_errors
def info(model: Optional[Path] = ModelOption, trust_model: bool = TrustOption) -> None:
    """Show the model in use: path, labels, data, metrics and library versions.

    Example: banclassify info
    """
    from .classify import ClauseClassifier

    classifier = ClauseClassifier.load(model, trust=trust_model)
    card = classifier.card
    typer.echo(f"model: {classifier.path}")
    typer.echo(f"labels: {', '.join(classifier.labels)}")
    if not card:
        typer.echo("no model card beside the model file")
        return
    typer.echo(f"created: {card.get('created')}")
    typer.echo(f"trained on: {card.get('examples')} clauses from {card.get('source_documents')} documents, data hash {str(card.get('data_hash'))[:16]}…")
    for label, count in (card.get("labels") or {}).items():
        typer.echo(f"  {label:<20} {count:>5}")
    cv = card.get("cross_validation") or {}
    if cv:
        typer.echo(f"grouped {cv['folds']}-fold CV: macro-F1 {cv['macro_f1']}, accuracy {cv['accuracy']}")
    typer.echo("versions: " + ", ".join(f"{k} {v}" for k, v in (card.get("versions") or {}).items()))


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("banclassify: error: interrupted", err=True)
        sys.exit(130)
