"""Import corrected labels: edited scan/batch output, Prodigy JSONL and Label Studio JSON.

Label Studio is supported because it is the most widely used open-source annotation
tool (and exports JSON by default); Prodigy's accept/reject JSONL because it is
the common format of commercial annotation workflows.
"""

from __future__ import annotations

import csv
import datetime as dt
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


def import_corrections(source: Path, target: Path) -> ImportReport:
    from .files import check_writable

    if not source.exists():
        raise InputError(source, "no such file")
    if source.is_dir():
        raise InputError(source, "is a directory, not an export file")
    check_writable(target, append=True)  # before the source is read
    content = decode_text(source, source.read_bytes())
    report = ImportReport()
    records: list[dict] = []
    if source.suffix.lower() == ".csv":
        report.format = "banclassify CSV"
        _from_rows(source, _csv_rows(source, content), report, records)
    elif source.suffix.lower() == ".json":
        _from_label_studio(source, content, report, records)
    else:
        rows, problems = parse_jsonl(content, str(source), strict=False)
        report.problems.extend(problems)
        if any("answer" in row for _, row in rows):
            report.format = "Prodigy JSONL"
            _from_prodigy(source, rows, report, records)
        else:
            report.format = "banclassify JSONL"
            _from_rows(source, rows, report, records)
    existing = annotated_texts(target)
    fresh = []
    for record in records:
        key = text_key(record["text"])
        if key in existing:
            report.already_present += 1
            continue
        existing.add(key)
        fresh.append(record)
    if fresh:
        append_locked(target, [json.dumps(r, ensure_ascii=False) for r in fresh])
    report.imported = len(fresh)
    return report


def _csv_rows(source: Path, content: str) -> list[tuple[int, dict]]:
    reader = csv.DictReader(content.splitlines())
    # Line numbers count the header as line 1, as a spreadsheet shows them.
    return [(number, row) for number, row in enumerate(reader, start=2)]


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
        if len(chosen) != 1 or not is_label(chosen[0]):
            report.problems.append(f"{source}:{number}: needs exactly one known label, got {chosen!r}")
            continue
        meta = row.get("meta") or {}
        records.append(_stamp({"text": text.strip(), "label": chosen[0], "source": f"import:{meta.get('source') or source.name}"}, source))


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
        annotations = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
        if annotations:
            for item in annotations[-1].get("result") or []:
                choices = (item.get("value") or {}).get("choices")
                if choices:
                    label = choices[0]
        else:  # JSON-MIN: the choice sits beside the text under the control's name
            label = next((v for k, v in task.items() if k not in {"text", "id", "annotator", "annotation_id", "created_at", "updated_at", "lead_time"} and isinstance(v, str) and is_label(v)), task.get("label"))
        if not isinstance(text, str) or not text.strip():
            report.problems.append(f"{where}: missing or empty 'text'")
            continue
        if not is_label(label):
            report.problems.append(f"{where}: no known label chosen ({label!r})")
            continue
        records.append(_stamp({"text": text.strip(), "label": label, "source": f"import:{task.get('id', source.name)}"}, source))
