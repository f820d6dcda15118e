"""Report: every rendering of results for people and programs: scans, predictions, evaluations,
attribute scores and model cards as tables, JSON, JSONL, CSV or Markdown."""

from __future__ import annotations

import csv
import io
import json
import shutil
from dataclasses import asdict
from typing import TYPE_CHECKING, Iterable, Sequence

from .documents import format_pages
from .labels import LABELS
from .scan import DEFAULT_MIN_CONFIDENCE, ClauseResult, ScanResult

if TYPE_CHECKING:  # scikit-learn comes with evaluate.py; rendering does not need it
    from .evaluate import Evaluation, Scores

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


def render_scan(result: ScanResult, fmt: str, show_all: bool = False, min_confidence: float = DEFAULT_MIN_CONFIDENCE, width: int | None = None,
                full_text: bool = False) -> str:
    clauses = shown_clauses(result, show_all, min_confidence)
    if fmt == "json":
        return json.dumps(scan_payload(result, clauses, min_confidence), indent=2, ensure_ascii=False) + "\n"
    if fmt == "jsonl":
        return render_jsonl(clause_row(c) for c in clauses)
    if fmt == "csv":
        return render_csv([clause_row(c, flat=True) for c in clauses], csv_fields(clauses))
    return render_scan_table(result, clauses, min_confidence, width, full_text)


def render_scans(results: Sequence[ScanResult], fmt: str, show_all: bool = False, min_confidence: float = DEFAULT_MIN_CONFIDENCE,
                 width: int | None = None, full_text: bool = False) -> str:
    """Several documents as one output: JSON a list of ``render_scan``'s objects, CSV one
    header, JSONL and tables one document after another. One document: ``render_scan``."""
    if len(results) == 1:
        return render_scan(results[0], fmt, show_all, min_confidence, width, full_text)
    chosen = [(result, shown_clauses(result, show_all, min_confidence)) for result in results]
    if fmt == "json":
        return json.dumps([scan_payload(r, clauses, min_confidence) for r, clauses in chosen], indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        every = [c for _, clauses in chosen for c in clauses]
        return render_csv([clause_row(c, flat=True) for c in every], csv_fields(every))
    return ("\n" if fmt == "table" else "").join(render_scan(r, fmt, show_all, min_confidence, width, full_text) for r in results)


def scan_payload(result: ScanResult, clauses: Sequence[ClauseResult], min_confidence: float) -> dict:
    return {**summary(result, min_confidence), "clauses_shown": [clause_row(c) for c in clauses]}


def csv_fields(clauses: Sequence[ClauseResult]) -> list[str]:
    explained = any(c.explanation for c in clauses)
    return CLAUSE_FIELDS + (["runner_up", "runner_up_probability"] if explained else [])


def render_jsonl(rows: Iterable[dict]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def render_csv(rows: Sequence[dict], fields: Sequence[str], header: bool = True) -> str:
    """The one CSV writer: ``fields`` in order (others ignored), "\\n" line ends."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(fields), extrasaction="ignore", lineterminator="\n")
    if header:
        writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def terminal_width() -> int:
    return shutil.get_terminal_size((120, 24)).columns


def trim(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def render_scan_table(result: ScanResult, clauses: Sequence[ClauseResult], min_confidence: float, width: int | None = None,
                      full_text: bool = False) -> str:
    """The plain table; ``full_text`` never trims a clause (one long line each)."""
    width = 10**9 if full_text else (width or terminal_width())
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


def render_model_info(path, card: dict, card_problem: str | None = None) -> str:
    """What ``banclassify info`` prints: the model file, its labels, data, metrics and library versions.

    A card whose hash is not the one recorded with the model is not shown (``card_problem`` says why).
    """
    lines = [f"model: {path}"]
    if card_problem:
        return "\n".join([*lines, f"model card not shown: {card_problem}"]) + "\n"
    if not card:
        return "\n".join([*lines, "no model card beside the model file"]) + "\n"
    # A card is written by train, but --trust-model shows any file's: every field is read for what it is.
    labels = card.get("labels")
    counts = labels if isinstance(labels, dict) else {}
    names = list(counts) if counts else [str(v) for v in labels] if isinstance(labels, list) else []
    lines.append(f"labels: {', '.join(sorted(map(str, names))) or 'not stated'}")
    lines.append(f"created: {card.get('created', 'not stated')}")
    yours = f" ({card['user_examples']} of them yours)" if card.get("user_examples") else ""
    if card.get("examples") is not None:
        lines.append(f"trained on: {card.get('examples')} clauses{yours} from {card.get('source_documents')} documents, data hash {str(card.get('data_hash'))[:16]}…")
    lines += [f"  {label:<20} {count!s:>5}" for label, count in counts.items()]
    cv = card.get("cross_validation")
    if isinstance(cv, dict) and cv:
        lines.append(f"grouped {cv.get('folds', '?')}-fold CV: macro-F1 {cv.get('macro_f1', 'not stated')}, accuracy {cv.get('accuracy', 'not stated')}")
    versions = card.get("versions")
    shown = ", ".join(f"{k} {v}" for k, v in versions.items()) if isinstance(versions, dict) else str(versions or "not stated")
    lines.append("versions: " + shown)
    return "\n".join(lines) + "\n"


EVALUATION_FIELDS = ["scorer", "label", "precision", "recall", "f1", "support", "accuracy"]


def evaluation_rows(evaluation) -> list[dict]:
    """``evaluate -f csv/jsonl``: one row per scorer and label, and a row ``all`` per scorer
    with its macro-F1 (in ``f1``), accuracy and number of clauses. Scorers: ``model``,
    ``keyword_baseline`` and, after ``--cv``, ``cross_validation``."""
    scorers = [("model", evaluation.model.as_dict()), ("keyword_baseline", evaluation.baseline.as_dict())]
    if evaluation.cross_validation:
        cv = evaluation.cross_validation
        scorers.append(("cross_validation", {**cv, "support": sum(m["support"] for m in cv["per_label"].values())}))
    rows = []
    for scorer, scores in scorers:
        for label, metrics in scores["per_label"].items():
            rows.append({"scorer": scorer, "label": label, **metrics, "accuracy": None})
        rows.append({"scorer": scorer, "label": "all", "precision": None, "recall": None, "f1": scores["macro_f1"],
                     "support": scores["support"], "accuracy": scores["accuracy"]})
    return rows


def prediction_rows(records: Sequence[dict], predictions) -> list[dict]:
    """``classify`` output: each input record with the model's label, confidence and probabilities."""
    rows = []
    for record, prediction in zip(records, predictions):
        row = dict(record)
        row["label"] = prediction.label
        row["confidence"] = round(prediction.confidence, 4)
        for label, p in prediction.probabilities.items():
            row[f"p_{label}"] = round(p, 4)
        rows.append(row)
    return rows


def render_predictions(rows: Sequence[dict], fmt: str) -> str:
    """``classify -f table|json|jsonl|csv``; CSV keeps the input's own fields between text and label."""
    if fmt == "table":
        return render_predictions_table(rows)
    if fmt == "jsonl":
        return render_jsonl(rows)
    if fmt == "json":
        return json.dumps(list(rows), indent=2, ensure_ascii=False) + "\n"
    extra = [k for k in (rows[0] if rows else {}) if k not in {"text", "label", "confidence", *PROBABILITY_FIELDS}]
    return render_csv(rows, ["text", *extra, "label", "confidence", *PROBABILITY_FIELDS])


def render_attribute_evaluation(path, report: dict, fmt: str) -> str:
    """``evaluate-attributes`` for one file: JSON, or a few lines of scores."""
    if fmt == "json":
        report = dict(report)
        mistakes = report.pop("mistakes")
        return json.dumps({"file": str(path), **report, "mistakes": mistakes}, indent=2) + "\n"
    lines = [f"{path}"]
    for name in ("technology", "actors", "exceptions"):
        m = report[name]
        lines.append(f"  {name:<12} precision {m['precision']:.3f}  recall {m['recall']:.3f}  F1 {m['f1']:.3f}  ({m['support']} values)")
    lines.append(f"  {'duration':<12} exact match {report['duration']['exact_match']:.3f}  ({report['duration']['support']} moratoria)")
    lines.append(f"  {'effective':<12} exact match {report['effective']['exact_match']:.3f}  recall {report['effective']['recall']:.3f}  ({report['effective']['support']} dates)")
    return "\n".join(lines) + "\n"


def render_evaluation_as(evaluation: "Evaluation", fmt: str) -> str:
    """``evaluate -f table|json|csv|jsonl``."""
    if fmt == "json":
        return json.dumps(evaluation.as_dict(), indent=2) + "\n"
    if fmt == "csv":
        return render_csv(evaluation_rows(evaluation), EVALUATION_FIELDS)
    if fmt == "jsonl":
        return render_jsonl(evaluation_rows(evaluation))
    return render_evaluation(evaluation)


def render_training(report) -> str:
    """What ``train`` prints when the model is written: where, from how many clauses (how many the
    user's), its cross-validation, and for a user's model how to use it."""
    card = report.card
    clauses = f"{card['examples']} clauses, {card.get('user_examples', 0)} of them yours"
    if report.shipped:
        lines = [f"wrote the shipped model {report.model_path} ({clauses}, {report.seconds:.1f} s), its card and hash"]
    else:
        lines = [f"wrote your model {report.model_path} ({clauses}, {report.seconds:.1f} s); the shipped model is unchanged"]
    cv = card.get("cross_validation") or {}
    if cv:
        lines.append(f"grouped {cv['folds']}-fold CV macro-F1 {cv['macro_f1']:.3f}, accuracy {cv['accuracy']:.3f}")
    if not report.shipped:
        lines.append(f"use it: banclassify scan FILE --model {report.model_path}  (or export BANCLASSIFY_MODEL={report.model_path})")
    return "\n".join(lines) + "\n"


def render_import(report, target) -> str:
    """``import``'s one-line account of the rows it read (without the line end)."""
    parts = [f"{report.format}: {report.rows} row(s)", f"{report.imported} imported into {target}"]
    if report.unchanged:
        parts.append(f"{report.unchanged} unchanged (label as the model said, no new information)")
    if report.rejected:
        parts.append(f"{report.rejected} rejected or ignored")
    if report.already_present:
        parts.append(f"{report.already_present} already present")
    if report.problems:
        parts.append(f"{len(report.problems)} bad row(s) skipped")
    return "; ".join(parts)


def render_scores(title: str, scores: Scores) -> list[str]:
    lines = [title, f"  {'label':<20} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}"]
    for label in scores.labels:
        m = scores.per_label[label]
        lines.append(f"  {label:<20} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>6.3f} {m['support']:>8}")
    lines.append(f"  {'macro-F1':<20} {scores.macro_f1:>24.3f}")
    lines.append(f"  {'accuracy':<20} {scores.accuracy:>24.3f}")
    return lines


def render_evaluation(evaluation: Evaluation) -> str:
    m, b = evaluation.model, evaluation.baseline
    lines = render_scores("model", m) + [""] + render_scores("keyword baseline", b)
    lines.append("")
    lines.append(f"macro-F1: model {m.macro_f1:.3f}, baseline {b.macro_f1:.3f}, difference {100 * (m.macro_f1 - b.macro_f1):+.1f} points")
    lines.append("")
    short = {"full_ban": "full", "moratorium": "morat", "realtime_ban": "rt", "consent_requirement": "cons", "oversight_policy": "overs", "none": "none"}
    lines.append("confusion matrix (rows: truth, columns: model)")
    lines.append("  " + " " * 20 + "".join(f"{short[label]:>7}" for label in m.labels))
    for label, row in zip(m.labels, m.confusion):
        lines.append(f"  {label:<20}" + "".join(f"{n:>7}" for n in row))
    if evaluation.cross_validation:
        cv = evaluation.cross_validation
        lines.append("")
        lines.append(f"grouped {cv['folds']}-fold cross-validation on the training data: macro-F1 {cv['macro_f1']:.3f}, accuracy {cv['accuracy']:.3f}")
    if evaluation.mistakes:
        lines.append("")
        lines.append("most confident mistakes")
        for mistake in evaluation.mistakes:
            text = mistake.text if len(mistake.text) <= 110 else mistake.text[:109] + "…"
            lines.append(f"  {mistake.confidence:.2f} {mistake.predicted} (truth {mistake.truth}) {mistake.where}")
            lines.append(f"       {text}")
    return "\n".join(lines) + "\n"


def render_card_markdown(card: dict) -> str:
    lines = [
        "# banclassify model card",
        "",
        f"- Created: {card['created']}",
        f"- Training clauses: {card['examples']} from {card['source_documents']} source documents ({card['duplicates_dropped']} duplicates dropped)"
        + (f", {card['user_examples']} of them the user's" if card.get("user_examples") else ""),
        f"- Data hash: `{card['data_hash']}`",
        f"- Pipeline: {' -> '.join(card['pipeline'])}",
        f"- Hyper-parameters: {card['hyperparameters'] or 'defaults (--fast)'}",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in card["versions"].items()),
        "",
        "| label | clauses | CV F1 |",
        "|---|---:|---:|",
    ]
    cv = card.get("cross_validation") or {}
    for label, count in card["labels"].items():
        f1 = (cv.get("per_label") or {}).get(label, {}).get("f1")
        lines.append(f"| {label} | {count} | {f1 if f1 is not None else '-'} |")
    if cv:
        lines += ["", f"Grouped {cv['folds']}-fold cross-validation: macro-F1 {cv['macro_f1']}, accuracy {cv['accuracy']}."]
    return "\n".join(lines) + "\n"
