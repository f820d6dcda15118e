"""Scan: run extract -> segment -> normalise -> classify on one document."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from .attributes import CONDITION_WORDS, ClauseAttributes
from .classify import ClauseClassifier, Explanation
from .extract import DEFAULT_ENGINE, ExtractedDocument, extract
from .labels import DEFAULT_MIN_CONFIDENCE, LABELS_BY_STRENGTH, strongest
from .segment import segment



@dataclass
class ClauseResult:
    file: str
    page: int
    section: str | None
    start: int
    end: int
    label: str
    confidence: float
    text: str
    probabilities: dict[str, float]
    attributes: ClauseAttributes | None = None  # for operative clauses
    explanation: Explanation | None = None  # with ``explain=True``
    change: str = "unchanged"  # "deleted" (struck through: being repealed) or "inserted" (underlined)
    heading: str = ""  # the headings above the clause, outermost first


@dataclass
class LabelCount:
    label: str
    count: int
    pages: list[int]


@dataclass
class ScanResult:
    file: str
    pages: int
    clauses: list[ClauseResult]
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def found(self, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> list[ClauseResult]:
        """Operative clauses at or above ``min_confidence`` that the document enacts (not struck out)."""
        return [c for c in self.operative(min_confidence) if c.change != "deleted"]

    def operative(self, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> list[ClauseResult]:
        """Every operative clause at or above ``min_confidence``, repealed ones included."""
        return [c for c in self.clauses if c.label != "none" and c.confidence >= min_confidence]

    def repealed_counts(self, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> list["LabelCount"]:
        """Labels of the clauses the document strikes out (amendment markup)."""
        repealed = [c for c in self.operative(min_confidence) if c.change == "deleted"]
        counts = []
        for label in LABELS_BY_STRENGTH[:-1]:
            chosen = [c for c in repealed if c.label == label]
            if chosen:
                counts.append(LabelCount(label, len(chosen), sorted({c.page for c in chosen})))
        return counts

    def label_counts(self, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> list[LabelCount]:
        found = self.found(min_confidence)
        counts = []
        for label in LABELS_BY_STRENGTH[:-1]:
            pages = sorted({c.page for c in found if c.label == label})
            count = sum(1 for c in found if c.label == label)
            if count:
                counts.append(LabelCount(label, count, pages))
        return counts

    def strongest_label(self, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> str:
        return strongest({c.label for c in self.found(min_confidence)})

    def coverage(self, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> dict[str, list[str]]:
        """Technologies and actors the document's rules cover, and its moratoria's ends."""
        found = [c for c in self.found(min_confidence) if c.attributes]
        ends = []
        for clause in found:
            if clause.label == "moratorium" and clause.attributes.duration:
                kind, value = next(iter(clause.attributes.duration.items()))
                ends.append(str(value) if kind == "end" else f"{value} months" if kind == "months" else CONDITION_WORDS[value])
        return {
            "technologies": sorted({t for c in found for t in c.attributes.technology}),
            "actors": sorted({a for c in found for a in c.attributes.actors}),
            "moratorium_ends": sorted(set(ends)),
        }


def scan_file(
    path: str | Path, classifier: ClauseClassifier, engine: str = DEFAULT_ENGINE, jobs: int = 1, explain: bool = False,
    ocr: str = "auto",
) -> ScanResult:
    """Label every clause of one document; ``InputError`` when it cannot be read."""
    clock = time.perf_counter()
    document = extract(path, engine=engine, jobs=jobs, ocr=ocr)
    seconds = time.perf_counter() - clock
    result = classify_document(document, classifier, str(path), explain=explain)
    result.timings = {"extract": seconds, **result.timings}
    return result


def classify_document(document: ExtractedDocument, classifier: ClauseClassifier, name: str, explain: bool = False) -> ScanResult:
    """Segment, normalise and classify an extracted document, timing each stage."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    clauses = segment(document.pages)
    timings["segment"] = time.perf_counter() - clock

    clock = time.perf_counter()
    normalised = classifier.normalise(
        [c.text for c in clauses], [name] * len(clauses), [c.heading for c in clauses], [c.title for c in clauses]
    )
    timings["normalise"] = time.perf_counter() - clock

    clock = time.perf_counter()
    predictions = classifier.classify_normalised(normalised)
    timings["classify"] = time.perf_counter() - clock

    clock = time.perf_counter()
    attributes = classifier.attributes.extract([c.text for c in clauses], [p.label for p in predictions])
    explanations = classifier.explain(normalised, predictions) if explain else [None] * len(clauses)
    timings["attributes"] = time.perf_counter() - clock

    rows = [
        ClauseResult(name, c.page, c.section, c.start, c.end, p.label, p.confidence, c.text, p.probabilities,
                     a if p.label != "none" else None, e, c.change, c.heading)
        for c, p, a, e in zip(clauses, predictions, attributes, explanations)
    ]
    return ScanResult(name, document.page_count, rows, list(document.warnings), timings)
