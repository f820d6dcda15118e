"""Report: scan and classification results as a table, JSON, JSONL or CSV."""

from __future__ import annotations

import csv
import io
import json
import shutil
from dataclasses import asdict
from typing import Iterable, Sequence

from .extract import format_pages
from .labels import LABELS
from .scan import DEFAULT_MIN_CONFIDENCE, ClauseResult, ScanResult

FORMATS = ("table", "json", "jsonl", "csv")
PROBABILITY_FIELDS = [f"p_{label}" for label in LABELS]
ATTRIBUTE_FIELDS = ["technology", "actors", "exceptions", "duration_end", "duration_months", "duration_condition", "effective"]
CLAUSE_FIELDS = ["file", "page", "section", "heading", "start", "end", "label", "confidence", "change", "text", *PROBABILITY_FIELDS, *ATTRIBUTE_FIELDS]


def clause_row(clause: ClauseResult, flat: bool = False) -> dict:
    """One clause as a row. ``flat`` joins list fields with "|" (for CSV)."""
    row = {k: v for k, v in asdict(clause).items() if k not in {"probabilities", "attributes", "explanation"}}
    row["confidence"] = round(clause.confidence, 4)
    for label in LABELS:
        row[f"p_{label}"] = round(clause.probabilities.get(label, 0.0), 4)
    attributes = clause.attributes
    duration = (attributes.duration if attributes else None) or {}
    lists = {
        "technology": attributes.technology if attributes else [],
        "actors": attributes.actors if attributes else [],
        "exceptions": attributes.exceptions if attributes else [],
    }
    for name, values in lists.items():
        row[name] = " | ".join(values) if flat else values
    row["duration_end"] = duration.get("end")
    row["duration_months"] = duration.get("months")
    row["duration_condition"] = duration.get("condition")
    row["effective"] = attributes.effective if attributes else None
    if clause.explanation is not None:
        row["why"] = [[term, weight] for term, weight in clause.explanation.terms]
        row["runner_up"] = clause.explanation.runner_up
        row["runner_up_probability"] = clause.explanation.runner_up_probability
    return row


def shown_clauses(result: ScanResult, show_all: bool, min_confidence: float) -> list[ClauseResult]:
    if show_all:
        return list(result.clauses)
    return result.operative(min_confidence)


def summary(result: ScanResult, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> dict:
    return {
        "file": result.file,
        "pages": result.pages,
        "clauses": len(result.clauses),
        "labels": {c.label: {"count": c.count, "pages": c.pages} for c in result.label_counts(min_confidence)},
        "strongest_label": result.strongest_label(min_confidence),
        "repealed": {c.label: {"count": c.count, "pages": c.pages} for c in result.repealed_counts(min_confidence)},
        **result.coverage(min_confidence),
        "warnings": list(result.warnings),
    }


def render_scan(result: ScanResult, fmt: str, show_all: bool = False, min_confidence: float = DEFAULT_MIN_CONFIDENCE, width: int | None = None) -> str:
    clauses = shown_clauses(result, show_all, min_confidence)
    if fmt == "json":
        payload = summary(result, min_confidence)
        payload["clauses_shown"] = [clause_row(c) for c in clauses]
        return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    if fmt == "jsonl":
        return render_jsonl(clause_row(c) for c in clauses)
    if fmt == "csv":
        explained = any(c.explanation for c in clauses)
        return render_csv([clause_row(c, flat=True) for c in clauses], CLAUSE_FIELDS + (["runner_up", "runner_up_probability"] if explained else []))
    return render_scan_table(result, clauses, min_confidence, width)


def render_jsonl(rows: Iterable[dict]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def render_csv(rows: Sequence[dict], fields: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(fields), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def terminal_width() -> int:
    return shutil.get_terminal_size((120, 24)).columns


def trim(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def render_scan_table(result: ScanResult, clauses: Sequence[ClauseResult], min_confidence: float, width: int | None = None) -> str:
    width = width or terminal_width()
    section_width = max([7] + [len(c.section or "") for c in clauses])
    section_width = min(section_width, 16)
    head = f"{'page':>4}  {'section':<{section_width}}  {'label':<19}  {'conf':>4}  "
    text_width = max(20, width - len(head))
    lines = [head + "text"]
    indent = " " * len(head)
    for c in clauses:
        section = trim(c.section or "-", section_width)
        shown = c.text if c.change == "unchanged" else f"[{c.change}] {c.text}"
        lines.append(f"{c.page:>4}  {section:<{section_width}}  {c.label:<19}  {c.confidence:.2f}  {trim(shown, text_width)}")
        if c.attributes and c.attributes.compact():
            lines.append(indent + trim(c.attributes.compact(), text_width))
        if c.explanation:
            lines.append(indent + trim(c.explanation.compact(), text_width))
    if not clauses:
        lines.append("(no surveillance rule found)")
    lines.append("")
    lines.extend(render_summary_lines(result, min_confidence))
    return "\n".join(lines) + "\n"


def render_summary_lines(result: ScanResult, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> list[str]:
    counts = result.label_counts(min_confidence)
    operative = sum(c.count for c in counts)
    lines = [f"{result.file}: {result.pages} page(s), {len(result.clauses)} clauses, {operative} with a surveillance rule"]
    for c in counts:
        lines.append(f"  {c.label:<19} {c.count:>4} clause(s)  page(s) {format_pages(c.pages)}")
    for c in result.repealed_counts(min_confidence):
        lines.append(f"  repealed {c.label:<10} {c.count:>4} clause(s)  page(s) {format_pages(c.pages)} (struck through)")
    coverage = result.coverage(min_confidence)
    if coverage["technologies"]:
        lines.append(f"  technologies: {', '.join(coverage['technologies'])}; binds: {', '.join(coverage['actors']) or '-'}")
    if coverage["moratorium_ends"]:
        lines.append(f"  moratoria end: {', '.join(coverage['moratorium_ends'])}")
    lines.append(f"strongest label: {result.strongest_label(min_confidence)}")
    return lines


def render_predictions_table(rows: Sequence[dict], width: int | None = None) -> str:
    width = width or terminal_width()
    head = f"{'label':<19}  {'conf':>4}  "
    lines = [head + "text"]
    for row in rows:
        lines.append(f"{row['label']:<19}  {row['confidence']:.2f}  {trim(row['text'], max(20, width - len(head)))}")
    return "\n".join(lines) + "\n"
