"""Import corrected labels: edited scan/batch output, Prodigy JSONL and Label Studio JSON.

Label Studio is supported because it is the most widely used open-source annotation
tool (and exports JSON by default); Prodigy's accept/reject JSONL because it is
the common format of commercial annotation workflows.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path

from .corpus import annotated_texts, text_key
from .errors import InputError
from .documents.text import decode_text
from .files import append_locked
from .jsonl import parse_jsonl
from .labels import LABELS, is_label


@dataclass
class ImportReport:
    format: str = ""
    rows: int = 0
    imported: int = 0
    unchanged: int = 0  # scan rows whose label the user left as the model's
    already_present: int = 0
    rejected: int = 0  # Prodigy "reject" / "ignore" answers
    problems: list[str] = field(default_factory=list)


# Rows are read, checked and appended this many at a time: a 1 GB export is streamed
# through in flat memory instead of being held whole (it once took 12 times its size).
CHUNK_ROWS = 1000


def import_corrections(source: Path, target: Path) -> ImportReport:
    """Append the corrections in ``source`` to ``target``; bad rows are named in the report and skipped.

    CSV and JSONL exports are streamed, ``CHUNK_ROWS`` rows at a time, each chunk
    appended whole; a Label Studio export is one JSON document and is read whole.
    """
    from .files import check_writable

    if not source.exists():
        raise InputError(source, "no such file")
    if source.is_dir():
        raise InputError(source, "is a directory, not an export file")
    check_writable(target, append=True)  # before the source is read
    report = ImportReport()
    # Compared by digest: the clauses of a large export and of the target stay out of memory.
    existing = {_digest(key) for key in annotated_texts(target)}
    if source.suffix.lower() == ".json":
        records: list[dict] = []
        _from_label_studio(source, decode_text(source, source.read_bytes()), report, records)
        _append_fresh(records, existing, target, report)
        return report
    with _open_text(source) as handle:
        if source.suffix.lower() == ".csv":
            report.format = "banclassify CSV"
            # Line numbers count the header as line 1, as a spreadsheet shows them.
            rows = enumerate(csv.DictReader(handle), start=2)
            chunks = iter(lambda: list(itertools.islice(rows, CHUNK_ROWS)), [])
            for chunk in chunks:
                records = []
                _from_rows(source, chunk, report, records)
                _append_fresh(records, existing, target, report)
            return report
        line = 1
        for chunk in iter(lambda: list(itertools.islice(handle, CHUNK_ROWS)), []):
            rows, problems = parse_jsonl("".join(chunk), str(source), strict=False, first_line=line)
            line += len(chunk)
            report.problems.extend(problems)
            prodigy = [(n, r) for n, r in rows if "answer" in r]
            plain = [(n, r) for n, r in rows if "answer" not in r]
            if not report.format and rows:
                report.format = "Prodigy JSONL" if prodigy and not plain else "banclassify JSONL"
            records = []
            _from_prodigy(source, prodigy, report, records)
            _from_rows(source, plain, report, records)
            _append_fresh(records, existing, target, report)
    report.format = report.format or "banclassify JSONL"
    return report


def _digest(key: str) -> bytes:
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _append_fresh(records: list[dict], existing: set[bytes], target: Path, report: ImportReport) -> None:
    fresh = []
    for record in records:
        key = _digest(text_key(record["text"]))
        if key in existing:
            report.already_present += 1
            continue
        existing.add(key)
        fresh.append(record)
    if fresh:
        append_locked(target, [json.dumps(r, ensure_ascii=False) for r in fresh])
    report.imported += len(fresh)


def _open_text(source: Path):
    """``source`` as a text stream in the encoding ``decode_text`` finds in its first 64 KB: a byte-order
    mark, else UTF-8 (a stray invalid byte becomes U+FFFD), else Windows-1252."""
    try:
        with source.open("rb") as handle:
            head = handle.read(1 << 16)
            whole = not handle.read(1)
        if head.startswith(b"\xef\xbb\xbf"):
            encoding = "utf-8-sig"
        elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
            encoding = "utf-16"
        else:
            sample = head if whole else head[:-3]  # not a character cut at the end of the sample
            encoding = "utf-8" if decode_text(source, sample, []) == sample.decode("utf-8", "replace") else "cp1252"
        return source.open("r", encoding=encoding, errors="replace", newline="")
    except OSError as exc:
        raise InputError(source, f"cannot be read ({exc.strerror or exc})") from None


def _stamp(record: dict, source: Path) -> dict:
    record["style"] = "user-correction"
    record["imported_from"] = source.name
    record["imported_at"] = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    return record


def _from_rows(source: Path, rows, report: ImportReport, records: list[dict]) -> None:
    """Rows of ``scan``/``batch`` output whose ``label`` the user edited."""
    for number, row in rows:
        report.rows += 1
        text = (row.get("text") or "").strip() if isinstance(row.get("text"), str) else ""
        label = (row.get("label") or "").strip() if isinstance(row.get("label"), str) else row.get("label")
        if not text:
            report.problems.append(f"{source}:{number}: missing or empty 'text'")
            continue
        if not is_label(label):
            report.problems.append(f"{source}:{number}: unknown label {label!r}")
            continue
        model_label = _model_label(row)
        if model_label == label:
            report.unchanged += 1
            continue
        group = row.get("sha256") or row.get("file") or source.name
        records.append(
            _stamp(
                {
                    "text": text,
                    "label": label,
                    "source": f"import:{str(group)[:40]}",
                    "file": row.get("file"),
                    "page": _int(row.get("page")),
                    "start": _int(row.get("start")),
                    "section": row.get("section") or None,
                    "model_label": model_label,
                },
                source,
            )
        )


def _model_label(row: dict) -> str | None:
    """The model's label, recomputed from the row's probabilities (the user edits ``label``)."""
    probabilities = {}
    for label in LABELS:
        try:
            probabilities[label] = float(row[f"p_{label}"])
        except (KeyError, TypeError, ValueError):
            return None
    return max(probabilities, key=probabilities.get)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _from_prodigy(source: Path, rows, report: ImportReport, records: list[dict]) -> None:
    """Prodigy: {"text", "label" | "accept": [...], "answer": "accept" | "reject" | "ignore"}."""
    for number, row in rows:
        report.rows += 1
        if row.get("answer") != "accept":
            report.rejected += 1
            continue
        text = row.get("text")
        chosen = row.get("accept") or ([row["label"]] if "label" in row else [])
        if not isinstance(text, str) or not text.strip():
            report.problems.append(f"{source}:{number}: missing or empty 'text'")
            continue
        if not isinstance(chosen, list) or len(chosen) != 1 or not isinstance(chosen[0], str) or not is_label(chosen[0]):
            report.problems.append(f"{source}:{number}: needs exactly one known label, got {_short(chosen)}")
            continue
        meta = row.get("meta")
        origin = meta.get("source") if isinstance(meta, dict) else None  # "meta" is Prodigy's free-form field
        records.append(_stamp({"text": text.strip(), "label": chosen[0], "source": f"import:{origin if isinstance(origin, str) and origin else source.name}"}, source))


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _label_studio_choice(task: dict) -> tuple[str | None, str | None]:
    """The label chosen in a task's last annotation that was not cancelled, and what is wrong with the task's shape."""
    annotations = task.get("annotations") or []
    if not isinstance(annotations, list):
        return None, f"'annotations' is {type(annotations).__name__}, not a list"
    annotations = [a for a in annotations if isinstance(a, dict) and not a.get("was_cancelled")]
    if not annotations:
        return None, None
    result = annotations[-1].get("result") or []
    if not isinstance(result, list):
        return None, f"an annotation's 'result' is {type(result).__name__}, not a list"
    label = None
    for item in result:
        value = item.get("value") if isinstance(item, dict) else None
        choices = value.get("choices") if isinstance(value, dict) else None
        if isinstance(choices, list) and choices:
            label = choices[0]
    return label, None


def _from_label_studio(source: Path, content: str, report: ImportReport, records: list[dict]) -> None:
    """Label Studio JSON export (tasks with annotations) or its JSON-MIN variant."""
    try:
        tasks = json.loads(content)
    except json.JSONDecodeError as exc:
        raise InputError(source, f"not JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(tasks, list):
        raise InputError(source, "not a Label Studio export (expected a list of tasks)")
    report.format = "Label Studio JSON"
    for number, task in enumerate(tasks, start=1):
        report.rows += 1
        where = f"{source}: task {number}"
        if not isinstance(task, dict):
            report.problems.append(f"{where}: not an object")
            continue
        data = task.get("data") if isinstance(task.get("data"), dict) else task
        text = data.get("text")
        label = None
        if "annotations" in task:
            label, shape = _label_studio_choice(task)
            if shape:
                report.problems.append(f"{where}: {shape}")
                continue
        else:  # JSON-MIN: the choice sits beside the text under the control's name
            label = next((v for k, v in task.items() if k not in {"text", "id", "annotator", "annotation_id", "created_at", "updated_at", "lead_time"} and isinstance(v, str) and is_label(v)), task.get("label"))
        if not isinstance(text, str) or not text.strip():
            report.problems.append(f"{where}: missing or empty 'text'")
            continue
        if not is_label(label):
            report.problems.append(f"{where}: no known label chosen ({label!r})")
            continue
        records.append(_stamp({"text": text.strip(), "label": label, "source": f"import:{task.get('id', source.name)}"}, source))
